// Faults, proven: the database dropping in the middle of applying a submission (nothing
// half-applied, the file stays for the next poll, which applies it once); the sFTP server
// restarting in the middle of a MIF upload (no partial file under a final name; the retry
// publishes exactly once); a disk-full / quota error on the server (a clear error, the run
// FAILED in the ledger, retried later and then published once).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSlot } from '../../jobs/common.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase } from '../../src/db/pool.js';
import { generate } from '../../src/generate/run.js';
import { pollOnce } from '../../src/ingest/poll.js';
import { executeRun } from '../../src/runs/execute.js';
import { openSftp, type SftpSettings } from '../../src/sftp/client.js';
import { startDevServer, type DevServer } from '../../src/sftp/dev-server.js';
import { appliedState, memberState } from '../fixtures/hostile/support.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { seedPlan } from '../helpers/plan.js';
import { enrolledRow, rtf, rtfRow } from '../helpers/provider-files.js';
import { onSlotDay } from '../helpers/world.js';

const PROVIDERS = ['ACME', 'RIVAL', 'HOMEWAY', 'MEALS'];
const BULK = 4000;

let db: TestDb;
let dir: string;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const one = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows[0];

/** An in-process sFTP server that can be stopped and started again on the same port, root and host key. */
interface Restartable { root: string; port: number; server: DevServer; fingerprint: string; start(): Promise<void>; stop(): Promise<void> }

async function restartableServer(name: string): Promise<Restartable> {
  const base = path.join(dir, name);
  const root = path.join(base, 'root');
  fs.mkdirSync(root, { recursive: true });
  const opts = (port: number) => ({
    root, port, hostKeyPath: path.join(base, 'hostkey'),
    accounts: [{ username: 'svc', password: 'svc-pass', home: '/' }, ...PROVIDERS.map((p) => ({ username: p, password: `${p}-pass` }))],
  });
  const first = await startDevServer(opts(0));
  const s: Restartable = {
    root, port: first.port, server: first, fingerprint: first.fingerprint,
    start: async () => {
      s.server = await startDevServer(opts(s.port));
      expect(s.server.fingerprint).toBe(s.fingerprint);
    },
    stop: () => s.server.stop(),
  };
  return s;
}

const settings = (port: number, fingerprint: string): SftpSettings => ({
  host: '127.0.0.1', port, username: 'svc', password: 'svc-pass', hostKeySha256: fingerprint,
  connectTimeoutMs: 5000, retries: 5, stallMs: 5000, retryBaseMs: 100, retryMaxMs: 400,
});

/**
 * A TCP proxy that cuts the first connection once it has carried more than `after` bytes
 * client→server (the upload direction), then calls onCut; while `down`, it refuses new
 * connections as a stopped server would.
 */
async function uploadCutter(targetPort: number) {
  const sockets = new Set<net.Socket>();
  let armed: { after: number; onCut: () => void } | undefined;
  let accepted = 0;
  let cuts = 0;
  const state = { down: false };
  const server = net.createServer((client) => {
    accepted++;
    if (state.down) return void client.destroy();
    const up = net.connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(up);
    let sent = 0;
    const cleanup = () => {
      client.destroy();
      up.destroy();
      sockets.delete(client);
      sockets.delete(up);
    };
    for (const s of [client, up]) {
      s.on('error', cleanup);
      s.on('close', cleanup);
    }
    client.on('data', (d: Buffer) => {
      sent += d.length;
      const a = armed;
      if (a && sent > a.after) {
        armed = undefined;
        cuts++;
        cleanup();
        a.onCut();
        return;
      }
      up.write(d);
    });
    up.on('data', (d: Buffer) => client.write(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    state,
    connections: () => accepted,
    cuts: () => cuts,
    cutAfter(after: number, onCut: () => void) {
      armed = { after, onCut };
    },
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  // Enough of ACME's members for a MIF of a few hundred KB: an upload that takes many writes.
  await db.pool.query(
    `insert into members (cin, mcp_member_id, last_name, first_name, dob, gender, language, address, city, state, zip, phone, county)
     select '93' || lpad(i::text, 6, '0') || 'K', 'B' || i, 'Bulk' || i, 'Member' || i, date '1950-01-01' + i, 'F', 'English',
            i || ' Bulk Ave', 'Fresno', 'CA', '93701', '559' || lpad(i::text, 7, '0'), 'Fresno'
       from generate_series(1, $1::int) i`,
    [BULK],
  );
  await db.pool.query(
    `insert into ecm_assignments (cin, lob, provider_code, status, assigned_date)
     select '93' || lpad(i::text, 6, '0') || 'K', 'HN', 'ACME', 1, '2026-09-01' from generate_series(1, $1::int) i`,
    [BULK],
  );
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calx-faults-'));
});
afterAll(async () => {
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cfg = (extra: Record<string, string> = {}): Config => loadConfig({ DATA_DIR: path.join(dir, 'data'), SFTP_STABLE_SECONDS: '0', ...extra });
const downloads = (root: string, code: string) => path.join(root, code, 'downloads');
const finalNames = (root: string, code: string) => fs.readdirSync(downloads(root, code)).filter((n) => !n.startsWith('.') && !n.endsWith('.part')).sort();
const partNames = (root: string, code: string) => fs.readdirSync(downloads(root, code)).filter((n) => n.endsWith('.part'));

async function outbound(kind: string, slot: string) {
  return (await db.pool.query<{ provider_code: string; lob: string | null; status: string; file_name: string; sha256: string; remote_path: string | null }>(
    `select provider_code, lob, status, file_name, sha256, remote_path from outbound_files where kind = $1 and slot = $2 and status <> 'EMPTY' order by provider_code, lob`,
    [kind, slot],
  )).rows;
}
async function blob(hash: string): Promise<Buffer> {
  return (await db.pool.query<{ bytes: Buffer }>('select bytes from file_blobs where sha256 = $1', [hash])).rows[0]!.bytes;
}
/** Every published file is on the server exactly once, byte for byte what was recorded. */
async function expectPublishedOnce(root: string, kind: string, slot: string): Promise<void> {
  const rows = await outbound(kind, slot);
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) {
    expect(r.status, `${r.provider_code}/${r.lob}`).toBe('PUBLISHED');
    const local = path.join(downloads(root, r.provider_code), r.file_name);
    expect(sha(fs.readFileSync(local))).toBe(r.sha256);
    expect(sha(await blob(r.sha256))).toBe(r.sha256);
    // and the provider is told once, whichever run published it
    const told = await db.pool.query<{ n: number }>(`select count(*)::int n from notifications where kind = $1 and subject like '%: ' || $2`, [`published-${kind.toLowerCase()}`, r.file_name]);
    expect(told.rows[0]!.n, `emails about ${r.file_name}`).toBe(1);
  }
  for (const code of ['ACME', 'RIVAL']) {
    const mine = rows.filter((r) => r.provider_code === code).map((r) => r.file_name).sort();
    expect(finalNames(root, code).filter((n) => n.includes(`_${slot.replace(/-/g, '')}`))).toEqual(mine);
    expect(partNames(root, code)).toEqual([]);
  }
  const dupes = await db.pool.query(`select file_name from outbound_files where kind = $1 and slot = $2 group by 1 having count(*) > 1`, [kind, slot]);
  expect(dupes.rowCount).toBe(0);
}

describe('the database drops in the middle of applying a submission', () => {
  it('nothing is half-applied, the upload stays for the next poll, which applies it exactly once', async () => {
    const sftp = await restartableServer('db-drop');
    const config = cfg({ DATABASE_URL: db.url });
    // the process's own pool, as the scheduler and the CLI open it
    const database = await openDatabase(config);
    const deps = { pool: database.pool, config, openSession: () => openSftp(settings(sftp.port, sftp.fingerprint)) };
    try {
      const uploads = path.join(sftp.root, 'ACME', 'uploads');
      const bytes = await rtf([rtfRow({ acuity: 'Medium' }), enrolledRow({ homeless: 'Y' })]);
      const file = path.join(uploads, 'RTF_ACME_202611.xlsx');
      fs.writeFileSync(file, bytes);
      const mtime = new Date('2026-12-03T18:00:00Z');
      fs.utimesSync(file, mtime, mtime);
      await pollOnce(deps, { now: new Date('2026-12-03T18:09:00Z') }); // first sighting
      const before = await appliedState(db.pool);
      const cins = ['91000001A', '91000002B'];
      const beforeMembers = await Promise.all(cins.map((c) => memberState(db.pool, c)));

      // Another session holds the members table: the ingest's apply statement (ECM assignments,
      // member contacts, lineage) waits on it mid-transaction; that backend is then terminated.
      const locker = new pg.Client({ connectionString: db.url });
      await locker.connect();
      let terminated = 0;
      try {
        await locker.query('begin');
        await locker.query('lock table members in exclusive mode');
        const polling = pollOnce(deps, { now: new Date('2026-12-03T18:10:00Z') });
        const deadline = Date.now() + 300_000;
        while (!terminated && Date.now() < deadline) {
          // (from the pool, not the locker: inside a transaction pg_stat_activity is a snapshot)
          const r = await db.pool.query<{ pid: number; query: string }>(
            `select pid, query from pg_stat_activity where datname = current_database() and state = 'active' and wait_event_type = 'Lock'`,
          );
          const victim = r.rows.find((x) => /apply RTF/i.test(x.query));
          if (victim) {
            // mid-apply: the apply statement waits inside the open transaction
            await db.pool.query('select pg_terminate_backend($1)', [victim.pid]);
            terminated = victim.pid;
          } else await sleep(20);
        }
        await locker.query('rollback');
        const result = await polling;
        expect(terminated, 'the ingest never reached the member update').toBeGreaterThan(0);
        expect(result.failedFiles).toBe(1);
        expect(result.results[0]!.error).toMatch(/terminat|connection/i);
      } finally {
        await locker.end().catch(() => undefined);
      }
      // nothing of it remains: no submission, no staged rows, no blob, no change
      expect(await one(`select count(*)::int n from submissions where sha256 = $1`, [sha(bytes)])).toEqual({ n: 0 });
      expect(await one(`select count(*)::int n from file_blobs where sha256 = $1`, [sha(bytes)])).toEqual({ n: 0 });
      expect(await appliedState(db.pool)).toEqual(before);
      expect(await Promise.all(cins.map((c) => memberState(db.pool, c)))).toEqual(beforeMembers);
      // the upload was not moved or lost
      expect(fs.readFileSync(file).equals(bytes)).toBe(true);
      expect(fs.existsSync(path.join(uploads, 'processed')) ? fs.readdirSync(path.join(uploads, 'processed')) : []).toEqual([]);

      // the next poll takes it and applies it exactly once
      const again = await pollOnce(deps, { now: new Date('2026-12-03T18:15:00Z') });
      expect(again.results).toEqual([expect.objectContaining({ file: 'RTF_ACME_202611.xlsx', outcome: 'ACCEPTED', rowsAccepted: 2 })]);
      expect(await one(`select count(*)::int n from submissions where sha256 = $1`, [sha(bytes)])).toEqual({ n: 1 });
      expect(await one(`select count(*)::int n from ecm_assignment_changes`)).toEqual({ n: (before.changes as { n: number }[])[0]!.n + 2 });
      expect(await one(`select acuity from ecm_assignments where cin = '91000001A'`)).toEqual({ acuity: 'Medium' });
      expect(await one(`select homeless from members where cin = '91000002B'`)).toEqual({ homeless: true });
      expect(fs.readdirSync(uploads).filter((n) => n.endsWith('.xlsx'))).toEqual([]);
      const third = await pollOnce(deps, { now: new Date('2026-12-03T18:20:00Z') });
      expect(third.files).toBe(0);
    } finally {
      await database.close();
      await sftp.stop();
    }
  });
});

describe('the sFTP server restarts in the middle of a MIF upload', () => {
  it('within the retry budget: the same run reconnects and publishes once; no partial file under a final name', async () => {
    const sftp = await restartableServer('restart-quick');
    const proxy = await uploadCutter(sftp.port);
    const config = cfg();
    try {
      let sawPart = false;
      // what was under a final name when the connection was cut, and its size then (the two
      // lines of business are published at once: one may be done while the other is cut)
      let finalsAtCut: [string, number][] | undefined;
      let restarted: Promise<void> | undefined;
      proxy.cutAfter(64 * 1024, () => {
        sawPart = partNames(sftp.root, 'ACME').length > 0;
        finalsAtCut = finalNames(sftp.root, 'ACME').map((n) => [n, fs.statSync(path.join(downloads(sftp.root, 'ACME'), n)).size]);
        restarted = sftp.stop().then(() => sleep(300)).then(() => sftp.start());
      });
      const result = await generate('mif', { ...onSlotDay('2026-11-15'), provider: 'ACME' }, { pool: db.pool, config, openSession: () => openSftp(settings(proxy.port, sftp.fingerprint)) });
      await restarted;
      expect(proxy.cuts()).toBe(1);
      expect(sawPart, 'the cut came while the .part file was being written').toBe(true);
      // never a partial file under a final name: whatever was there at the cut was whole
      expect(finalsAtCut).toBeDefined();
      for (const [name, size] of finalsAtCut!) expect(size, name).toBe(fs.statSync(path.join(downloads(sftp.root, 'ACME'), name)).size);
      expect(finalsAtCut!.length).toBeLessThan(2);
      expect(proxy.connections()).toBeGreaterThanOrEqual(2);
      expect(result.units.map((u) => [u.lob, u.status])).toEqual([['HN', 'PUBLISHED'], ['CV', 'PUBLISHED']]);
      const hn = (await outbound('MIF', '2026-11-15')).find((r) => r.lob === 'HN')!;
      expect((await blob(hn.sha256)).length).toBeGreaterThan(4 * 64 * 1024); // the cut was well inside the upload
      await expectPublishedOnce(sftp.root, 'MIF', '2026-11-15');
    } finally {
      await proxy.stop();
      await sftp.stop();
    }
  });

  it('down for longer: the run fails (FAILED in the ledger), no partial file under a final name; the retry later publishes once and tells the provider once', async () => {
    const sftp = await restartableServer('restart-slow');
    const proxy = await uploadCutter(sftp.port);
    const config = cfg({ SFTP_RETRIES: '1' });
    const deps = { pool: db.pool, config, openSession: () => openSftp({ ...settings(proxy.port, sftp.fingerprint), retries: 1 }) };
    const slot = '2026-12-15';
    const run = (trigger: 'cron' | 'catch-up') => executeRun(db.pool, config, 'mif', slot, { trigger }, (ctx) => generateSlot('mif', deps, { slot, signal: ctx.signal }));
    try {
      let stopped: Promise<void> | undefined;
      proxy.cutAfter(64 * 1024, () => {
        proxy.state.down = true;
        stopped = sftp.stop();
      });
      const err = await run('cron').catch((e: unknown) => e);
      await stopped;
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/provider file\(s\) failed/);
      const failed = await one(`select status, error, attempt from runs where job = 'mif' and slot = $1`, [slot]);
      expect(failed).toMatchObject({ status: 'FAILED', attempt: 1 });
      // The two lines of business are delivered at once: the one cut fails, and so does the
      // other unless it was through before the server went down. Each one failed is recorded
      // PENDING with no partial file under its final name: a hidden .part, or, when its rename
      // was done as the server stopped and the answer never came back, the whole file recorded.
      const units = await db.pool.query<{ unit: string; detail: { error: string } }>(`select unit, detail from run_units where job = 'mif' and slot = $1 and status = 'FAILED' order by unit`, [slot]);
      expect(units.rows.length).toBeGreaterThanOrEqual(1);
      const pendingBefore = new Map<string, string>();
      for (const { unit, detail } of units.rows) {
        const lob = unit.split('|')[1]!;
        expect(failed.error).toContain(`ACME/${lob}`);
        expect(detail.error).toMatch(/connect|connection/i);
        const pending = (await outbound('MIF', slot)).find((r) => r.provider_code === 'ACME' && r.lob === lob)!;
        expect(pending.status).toBe('PENDING');
        pendingBefore.set(lob, pending.sha256);
        for (const n of finalNames(sftp.root, 'ACME').filter((x) => x.startsWith(`${lob}_`) && x.includes('20261215')))
          expect(sha(fs.readFileSync(path.join(downloads(sftp.root, 'ACME'), n))), n).toBe(pending.sha256);
      }
      for (const p of partNames(sftp.root, 'ACME')) expect(p.startsWith('.')).toBe(true);

      // the server is back; the catch-up retry publishes the recorded bytes once
      await sftp.start();
      proxy.state.down = false;
      const ok = await run('catch-up');
      expect(ok.status).toBe('ran');
      expect(await one(`select status, attempt from runs where job = 'mif' and slot = $1 order by id desc limit 1`, [slot])).toEqual({ status: 'SUCCEEDED', attempt: 2 });
      for (const [lob, sha256] of pendingBefore) {
        const after = (await outbound('MIF', slot)).find((r) => r.provider_code === 'ACME' && r.lob === lob)!;
        expect(after).toMatchObject({ status: 'PUBLISHED', sha256 });
      }
      await expectPublishedOnce(sftp.root, 'MIF', slot);
      // and once more: nothing new
      const third = await executeRun(db.pool, config, 'mif', slot, { trigger: 'manual' }, (ctx) => generateSlot('mif', deps, { slot, signal: ctx.signal }));
      expect(third.status === 'ran' && third.result.published).toBe(0);
      await expectPublishedOnce(sftp.root, 'MIF', slot);
    } finally {
      await proxy.stop();
      await sftp.stop().catch(() => undefined);
    }
  });
});

describe('disk full / quota exceeded on the server during a publish', () => {
  it('a clear error, the run FAILED, no partial file; retried after the condition clears: SUCCEEDED, published once', async () => {
    const sftp = await restartableServer('disk-full');
    const config = cfg();
    const deps = { pool: db.pool, config, openSession: () => openSftp(settings(sftp.port, sftp.fingerprint)) };
    const slot = '2027-01-15';
    const run = (trigger: 'cron' | 'catch-up') => executeRun(db.pool, config, 'mif', slot, { trigger }, (ctx) => generateSlot('mif', deps, { slot, signal: ctx.signal }));
    try {
      sftp.server.setFaults({ failWrites: 'No space left on device' });
      const err = await run('cron').catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/3 provider file\(s\) failed \(ACME\/HN, ACME\/CV, RIVAL\/HN\); 0 published/);
      expect(await one(`select status, error from runs where job = 'mif' and slot = $1`, [slot])).toEqual({ status: 'FAILED', error: (err as Error).message });
      const units = (await db.pool.query<{ unit: string; status: string; detail: { error: string } }>(
        `select unit, status, detail from run_units where job = 'mif' and slot = $1 order by unit`, [slot],
      )).rows;
      expect(units.map((u) => u.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
      for (const u of units) expect(u.detail.error).toMatch(/^publish \/\w+\/downloads\/\w+_MIF_\d{10}_20270115\.xlsx: No space left on device$/);
      for (const code of ['ACME', 'RIVAL']) {
        expect(finalNames(sftp.root, code).filter((n) => n.includes('20270115'))).toEqual([]);
        expect(partNames(sftp.root, code)).toEqual([]); // the refused .part was removed
      }
      expect((await outbound('MIF', slot)).map((r) => r.status)).toEqual(['PENDING', 'PENDING', 'PENDING']);

      // space is freed; the next catch-up retries the slot
      sftp.server.setFaults(undefined);
      const ok = await run('catch-up');
      expect(ok.status === 'ran' && ok.result).toMatchObject({ published: 3, failed: 0 });
      expect(await one(`select status, error, attempt from runs where job = 'mif' and slot = $1 order by id desc limit 1`, [slot])).toEqual({ status: 'SUCCEEDED', error: null, attempt: 2 });
      await expectPublishedOnce(sftp.root, 'MIF', slot);
    } finally {
      await sftp.stop();
    }
  });
});

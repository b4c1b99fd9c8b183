// The sFTP transport contract, run against every server available: the in-process ssh2
// server always, and a real OpenSSH sshd when installed (CI: it must be).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { forgetFile, getPollFile } from '../../src/db/poll-state.js';
import { scanFolder } from '../../src/ingest/scan.js';
import { SftpError, withSftp, type SftpSettings } from '../../src/sftp/client.js';
import { generateKeyPair, startDevServer } from '../../src/sftp/dev-server.js';
import { moveTaken, providerFolders, takenName } from '../../src/sftp/pickup.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { sshdAvailability, startSshd, startTcpProxy, type TcpProxy } from '../helpers/sshd.js';

const PROVIDERS = ['ACME', 'BETA'];

interface Auth {
  username: string;
  password?: string;
  privateKey?: Buffer | string;
}

interface Fixture {
  host: string;
  port: number;
  fingerprint: string;
  /** Local path of the service account's root. */
  localRoot: string;
  /** The same folder as the service account sees it (SFTP_ROOT). */
  remoteRoot: string;
  service: Auth;
  provider(code: string): Auth;
  stop(): Promise<void>;
}

async function inProcessFixture(): Promise<Fixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calx-sftp-contract-'));
  const localRoot = path.join(dir, 'root');
  for (const code of PROVIDERS)
    for (const sub of ['uploads', 'downloads']) fs.mkdirSync(path.join(localRoot, code, sub), { recursive: true });
  const keys = generateKeyPair();
  const server = await startDevServer({
    root: localRoot,
    port: 0,
    hostKeyPath: path.join(dir, 'host_ed25519'),
    accounts: [
      { username: 'plan', password: 'service-secret', home: '' },
      ...PROVIDERS.map((code) => ({ username: code, publicKeys: [keys.public] })),
    ],
  });
  return {
    host: server.host,
    port: server.port,
    fingerprint: server.fingerprint,
    localRoot,
    remoteRoot: '/',
    service: { username: 'plan', password: 'service-secret' },
    provider: (code) => ({ username: code, privateKey: keys.private }),
    stop: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function opensshFixture(): Promise<Fixture> {
  const sshd = await startSshd({ providers: PROVIDERS });
  return {
    host: sshd.host,
    port: sshd.port,
    fingerprint: sshd.fingerprint,
    localRoot: sshd.root,
    remoteRoot: sshd.root,
    service: { username: sshd.serviceUser, privateKey: sshd.clientKey },
    provider: (code) => ({ username: sshd.providerUser(code), privateKey: sshd.clientKey }),
    stop: () => sshd.stop(),
  };
}

const sshd = sshdAvailability();
if (!sshd.available) console.warn(`[sftp-contract] OpenSSH sshd half SKIPPED: ${sshd.reason}`);

describe('OpenSSH availability', () => {
  it('sshd is available whenever CI is set (CI never silently skips the real server)', () => {
    if (process.env.CI) expect(sshd.available, `CI=${process.env.CI} but ${sshd.reason}`).toBe(true);
  });
});

const SERVERS: { server: string; skip: boolean; start: () => Promise<Fixture> }[] = [
  { server: 'in-process ssh2 server', skip: false, start: inProcessFixture },
  { server: 'OpenSSH sshd', skip: !sshd.available, start: opensshFixture },
];

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const at = (iso: string) => new Date(iso);
const plus = (d: Date, seconds: number) => new Date(d.getTime() + seconds * 1000);

describe.each(SERVERS)('sFTP transport contract: $server', ({ skip, start }) => {
  describe.skipIf(skip)(skip ? `skipped: ${sshd.reason}` : 'live server', () => {
    let fx: Fixture;
    let db: TestDb;
    let proxy: TcpProxy;

    const settings = (auth: Auth, over: Partial<SftpSettings> = {}): SftpSettings => ({
      host: fx.host,
      port: fx.port,
      hostKeySha256: fx.fingerprint,
      connectTimeoutMs: 5000,
      retries: 2,
      stallMs: 5000,
      retryBaseMs: 20,
      retryMaxMs: 100,
      ...auth,
      ...over,
    });
    const svc = (over: Partial<SftpSettings> = {}) => settings(fx.service, over);
    const folders = (code: string) => providerFolders(fx.remoteRoot, code);
    const local = (code: string, ...parts: string[]) => path.join(fx.localRoot, code, ...parts);
    /** Writes a file as the provider's upload would appear on the server, with a forged mtime. */
    const upload = (code: string, name: string, bytes: Buffer | string, mtime?: Date) => {
      const p = local(code, 'uploads', name);
      fs.writeFileSync(p, bytes);
      if (mtime) fs.utimesSync(p, mtime, mtime);
      return p;
    };

    beforeAll(async () => {
      fx = await start();
      db = await createTestDb();
      proxy = await startTcpProxy(fx.host, fx.port);
    });
    afterAll(async () => {
      await proxy?.stop();
      await db?.drop();
      await fx?.stop();
    });
    beforeEach(async () => {
      await db.pool.query('TRUNCATE poll_files, poll_folders');
      for (const code of PROVIDERS)
        for (const sub of ['uploads', 'downloads']) {
          const d = local(code, sub);
          for (const e of fs.readdirSync(d)) fs.rmSync(path.join(d, e), { recursive: true, force: true });
        }
    });

    it('does not take a file that is still being written (size growing between listings)', async () => {
      const { uploads } = folders('ACME');
      const t0 = at('2026-11-04T17:00:00Z');
      const name = 'RTF_ACME_202611.xlsx';
      upload('ACME', name, randomBytes(1000), plus(t0, -60));
      await withSftp(svc(), async (s) => {
        let r = await scanFolder(s, db.pool, uploads, t0, 30);
        expect(r).toMatchObject({ ready: [], waiting: [name] });
        // the upload goes on: size and mtime change
        fs.appendFileSync(local('ACME', 'uploads', name), randomBytes(500));
        fs.utimesSync(local('ACME', 'uploads', name), plus(t0, 20), plus(t0, 20));
        r = await scanFolder(s, db.pool, uploads, plus(t0, 40), 30);
        expect(r).toMatchObject({ ready: [], waiting: [name] });
        // unchanged, but not yet held for SFTP_STABLE_SECONDS
        r = await scanFolder(s, db.pool, uploads, plus(t0, 60), 30);
        expect(r).toMatchObject({ ready: [], waiting: [name] });
        r = await scanFolder(s, db.pool, uploads, plus(t0, 80), 30);
        expect(r.waiting).toEqual([]);
        expect(r.ready).toHaveLength(1);
        const f = r.ready[0]!;
        expect(f).toMatchObject({ name, path: `${uploads}/${name}`, size: 1500 });
        // the completed version was first seen at t0+40s; at t0 it was not there yet
        expect(f.firstSeenAt.toISOString()).toBe(plus(t0, 40).toISOString());
        expect(f.lastAbsentAt?.toISOString()).toBe(t0.toISOString());
        expect(f.mtime.toISOString()).toBe(plus(t0, 20).toISOString());
        expect(f.receivedAt.toISOString()).toBe(plus(t0, 20).toISOString());
      });
    });

    it('ignores temporary and hidden names and folders', async () => {
      const { uploads } = folders('ACME');
      const t0 = at('2026-11-04T17:00:00Z');
      const old = plus(t0, -3600);
      const temps = ['.RTF_ACME_202611.xlsx.swp', '.hidden.xlsx', 'a.xlsx.part', 'b.xlsx.filepart', 'c.tmp', 'd.xlsx~', 'E.XLSX.PART'];
      for (const n of temps) upload('ACME', n, 'partial', old);
      fs.mkdirSync(local('ACME', 'uploads', 'sub.xlsx'));
      upload('ACME', 'OTF_ACME_202611.xlsx', 'done', old);
      await withSftp(svc(), async (s) => {
        await scanFolder(s, db.pool, uploads, t0, 5);
        const r = await scanFolder(s, db.pool, uploads, plus(t0, 10), 5);
        expect(r.ready.map((f) => f.name)).toEqual(['OTF_ACME_202611.xlsx']);
        expect(r.ignored).toEqual([...temps].sort());
        expect(r.waiting).toEqual([]);
      });
    });

    it('publishes atomically (a concurrent listing never sees a partial final file) and never overwrites', async () => {
      const { downloads } = folders('ACME');
      const bytes = randomBytes(3 * 1024 * 1024);
      const name = 'HN_MIF_1234567893_20261104.xlsx';
      const sightings: { name: string; size: number }[] = [];
      let stop = false;
      let rounds = 0;
      await withSftp(svc(), async (watcher) => {
        const watching = (async () => {
          while (!stop) {
            for (const e of await watcher.list(downloads)) sightings.push({ name: e.name, size: e.size });
            rounds++;
          }
        })();
        try {
          await withSftp(svc(), async (s) => {
            const out = await s.publish(downloads, name, bytes);
            expect(out).toEqual({ path: `${downloads}/${name}`, sha256: sha(bytes) });
            const again = await s.publish(downloads, name, randomBytes(10)).catch((e: unknown) => e);
            expect(again).toBeInstanceOf(SftpError);
            expect((again as SftpError).code).toBe('REMOTE_EXISTS');
            const bad = await s.publish(downloads, '../escape.xlsx', bytes).catch((e: unknown) => e);
            expect((bad as SftpError).code).toBe('INVALID_NAME');
          });
        } finally {
          stop = true;
          await watching;
        }
      });
      expect(rounds).toBeGreaterThan(1);
      for (const s of sightings.filter((x) => x.name === name)) expect(s.size).toBe(bytes.length);
      expect(sha(fs.readFileSync(local('ACME', 'downloads', name)))).toBe(sha(bytes));
      expect(fs.readdirSync(local('ACME', 'downloads'))).toEqual([name]); // no .part left behind
    });

    it('retries a download whose connection is dropped mid-transfer: same sha256, no duplicate', async () => {
      const { uploads } = folders('ACME');
      const bytes = randomBytes(2 * 1024 * 1024);
      const name = 'RTF_ACME_202611.xlsx';
      upload('ACME', name, bytes);
      const before = proxy.connections();
      const got = await withSftp(svc({ port: proxy.port }), async (s) => {
        await s.list(uploads); // the connection is up and working
        proxy.cutAfter(256 * 1024);
        return s.download(`${uploads}/${name}`, { maxBytes: 10 * 1024 * 1024 });
      });
      expect(proxy.fired()).toBe(true);
      expect(proxy.connections() - before).toBe(2); // the first, cut; one fresh reconnect
      expect(got.size).toBe(bytes.length);
      expect(got.bytes.length).toBe(bytes.length);
      expect(got.sha256).toBe(sha(bytes));
      expect(fs.readdirSync(local('ACME', 'uploads'))).toEqual([name]);
    });

    it('aborts a stalled transfer (progress watchdog) and retries it on a fresh connection', async () => {
      const { uploads } = folders('ACME');
      const bytes = randomBytes(1024 * 1024);
      upload('ACME', 'OTF_ACME_202611.xlsx', bytes);
      const before = proxy.connections();
      const got = await withSftp(svc({ port: proxy.port, stallMs: 400 }), async (s) => {
        await s.list(uploads);
        proxy.stallAfter(128 * 1024);
        return s.download(`${uploads}/OTF_ACME_202611.xlsx`, { maxBytes: 2 * 1024 * 1024 });
      });
      expect(proxy.fired()).toBe(true);
      expect(proxy.connections() - before).toBe(2);
      expect(got.sha256).toBe(sha(bytes));
    });

    // Uploads go out with many WRITE requests in flight: a cut or a stall among them restarts
    // the upload on a fresh connection, and what ends up published is exactly the bytes.
    for (const fault of ['cut', 'stall'] as const)
      it(`retries a publish whose connection ${fault === 'cut' ? 'is dropped' : 'stalls'} mid-upload: the bytes, once, no .part left`, async () => {
        const { downloads } = folders('BETA');
        const bytes = randomBytes(2 * 1024 * 1024);
        const name = `HN_MIF_1234567893_2026110${fault === 'cut' ? 5 : 6}.xlsx`;
        const before = proxy.connections();
        const out = await withSftp(svc({ port: proxy.port, stallMs: 400 }), async (s) => {
          await s.list(downloads);
          if (fault === 'cut') proxy.cutAfter(512 * 1024, 'up');
          else proxy.stallAfter(256 * 1024, 'up');
          return s.publish(downloads, name, bytes);
        });
        expect(proxy.fired()).toBe(true);
        expect(proxy.connections() - before).toBe(2);
        expect(out.sha256).toBe(sha(bytes));
        expect(sha(fs.readFileSync(local('BETA', 'downloads', name)))).toBe(sha(bytes));
        expect(fs.readdirSync(local('BETA', 'downloads')).filter((f) => f.includes(name))).toEqual([name]);
      });

    it('refuses a file over maxBytes before reading it (FILE_TOO_LARGE, not retried)', async () => {
      const { uploads } = folders('ACME');
      upload('ACME', 'big.xlsx', randomBytes(5000));
      const before = proxy.connections();
      const err = await withSftp(svc({ port: proxy.port }), (s) => s.download(`${uploads}/big.xlsx`, { maxBytes: 4096 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SftpError);
      expect((err as SftpError).code).toBe('FILE_TOO_LARGE');
      expect(proxy.connections() - before).toBe(1);
    });

    it('refuses a host key mismatch, naming both fingerprints, without retrying', async () => {
      const wrong = 'SHA256:' + randomBytes(32).toString('base64').replace(/=+$/, '');
      const before = proxy.connections();
      const err = await withSftp(svc({ port: proxy.port, hostKeySha256: wrong, retries: 3 }), (s) => s.list(fx.remoteRoot)).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SftpError);
      expect((err as SftpError).code).toBe('HOST_KEY_MISMATCH');
      expect((err as Error).message).toContain(wrong);
      expect((err as Error).message).toContain(fx.fingerprint);
      expect(proxy.connections() - before).toBe(1);
      // the pin is accepted without the prefix and with base64 padding
      const bare = fx.fingerprint.replace(/^SHA256:/, '') + '=';
      const entries = await withSftp(svc({ hostKeySha256: bare }), (s) => s.list(fx.remoteRoot));
      expect(entries.map((e) => e.name)).toEqual(expect.arrayContaining(PROVIDERS));
    });

    it("confines a provider account to its own folder: it cannot list, read or write another provider's", async () => {
      const secret = upload('BETA', 'RTF_BETA_202611.xlsx', 'beta only');
      fs.symlinkSync(secret, local('ACME', 'uploads', 'link-abs.xlsx'));
      fs.symlinkSync('../../BETA/uploads/RTF_BETA_202611.xlsx', local('ACME', 'uploads', 'link-rel.xlsx'));
      const refused = async (p: Promise<unknown>) => {
        const e = await p.then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(e, 'expected the server to refuse').toBeInstanceOf(SftpError);
        // NOT_A_FILE: the client itself refuses to download a link (it lstats first).
        expect(['NOT_FOUND', 'PERMISSION_DENIED', 'SFTP_FAILURE', 'NOT_A_FILE']).toContain((e as SftpError).code);
      };
      await withSftp(settings(fx.provider('ACME')), async (s) => {
        expect((await s.list('/')).map((e) => e.name).sort()).toEqual(['downloads', 'uploads']);
        await s.publish('/uploads', 'RTF_ACME_202611.xlsx', Buffer.from('mine'));
        for (const dir of ['/../BETA/uploads', '/BETA/uploads', '../BETA', `${fx.localRoot}/BETA/uploads`]) await refused(s.list(dir));
        for (const p of ['/../BETA/uploads/RTF_BETA_202611.xlsx', '/uploads/link-abs.xlsx', '/uploads/link-rel.xlsx', secret])
          await refused(s.download(p, { maxBytes: 1000 }));
        for (const dir of ['/../BETA/downloads', `${fx.localRoot}/BETA/downloads`])
          await refused(s.publish(dir, 'planted.xlsx', Buffer.from('x')));
        await refused(s.move('/uploads/RTF_ACME_202611.xlsx', '/../BETA/uploads', 'moved.xlsx'));
      });
      expect(fs.readdirSync(local('BETA', 'downloads'))).toEqual([]);
      expect(fs.readdirSync(local('BETA', 'uploads'))).toEqual(['RTF_BETA_202611.xlsx']);
      expect(fs.readFileSync(local('ACME', 'uploads', 'RTF_ACME_202611.xlsx'), 'utf8')).toBe('mine');
    });

    it('clamps receipt time through scanFolder with forged mtimes and injected now', async () => {
      const { uploads } = folders('ACME');
      const lastAbsent = at('2026-11-11T07:55:00Z'); // 23:55 Pacific on the 10th
      const firstSeen = at('2026-11-11T08:05:00Z'); // 00:05 Pacific on the 11th
      await withSftp(svc(), async (s) => {
        expect(await scanFolder(s, db.pool, uploads, lastAbsent, 30)).toEqual({ ready: [], waiting: [], ignored: [] });
        upload('ACME', 'on_time.xlsx', 'a', at('2026-11-11T07:58:00Z')); // 23:58 Pacific on the 10th
        upload('ACME', 'backdated.xlsx', 'b', at('2026-11-01T12:00:00Z'));
        upload('ACME', 'future.xlsx', 'c', at('2026-12-01T12:00:00Z'));
        let r = await scanFolder(s, db.pool, uploads, firstSeen, 30);
        expect(r.waiting).toEqual(['backdated.xlsx', 'future.xlsx', 'on_time.xlsx']);
        r = await scanFolder(s, db.pool, uploads, plus(firstSeen, 30), 30);
        const by = Object.fromEntries(r.ready.map((f) => [f.name, f]));
        expect(Object.keys(by).sort()).toEqual(['backdated.xlsx', 'future.xlsx', 'on_time.xlsx']);
        for (const f of r.ready) {
          expect(f.firstSeenAt.toISOString()).toBe(firstSeen.toISOString());
          expect(f.lastAbsentAt?.toISOString()).toBe(lastAbsent.toISOString());
        }
        expect(by['on_time.xlsx']!.receivedAt.toISOString()).toBe('2026-11-11T07:58:00.000Z');
        expect(by['backdated.xlsx']!.receivedAt.toISOString()).toBe(lastAbsent.toISOString());
        expect(by['backdated.xlsx']!.mtime.toISOString()).toBe('2026-11-01T12:00:00.000Z'); // raw mtime kept
        expect(by['future.xlsx']!.receivedAt.toISOString()).toBe(firstSeen.toISOString());
        expect(by['future.xlsx']!.mtime.toISOString()).toBe('2026-12-01T12:00:00.000Z');
        // oldest receipt first
        expect(r.ready.map((f) => f.name)).toEqual(['backdated.xlsx', 'on_time.xlsx', 'future.xlsx']);
      });
    });

    it('keeps the server mtime when the poller was down for a day', async () => {
      const { uploads } = folders('BETA');
      const d0 = at('2026-11-09T08:00:00Z');
      const d1 = plus(d0, 86_400);
      await withSftp(svc(), async (s) => {
        await scanFolder(s, db.pool, uploads, d0, 30);
        upload('BETA', 'RTF_BETA_202610.xlsx', 'x', at('2026-11-09T22:30:00Z'));
        await scanFolder(s, db.pool, uploads, d1, 30);
        const r = await scanFolder(s, db.pool, uploads, plus(d1, 300), 30);
        expect(r.ready).toHaveLength(1);
        expect(r.ready[0]!.receivedAt.toISOString()).toBe('2026-11-09T22:30:00.000Z');
      });
    });

    it('two pollers whose clocks disagree: a back-dated mtime does not pass, the first listing that saw the file is its receipt', async () => {
      const { uploads } = folders('BETA');
      const behind = at('2026-11-20T08:00:00Z');
      const ahead = plus(behind, 120); // the other scheduler's clock, two minutes fast
      await withSftp(svc(), async (s) => {
        await scanFolder(s, db.pool, uploads, ahead, 30); // lists the folder without the file
        upload('BETA', 'RTF_BETA_202611.xlsx', 'late', at('2026-11-01T12:00:00Z')); // mtime forged into the past
        let r = await scanFolder(s, db.pool, uploads, behind, 30); // the slow clock sees it first
        expect(r.waiting).toContain('RTF_BETA_202611.xlsx');
        r = await scanFolder(s, db.pool, uploads, plus(behind, 40), 30);
        const f = r.ready.find((x) => x.name === 'RTF_BETA_202611.xlsx')!;
        // both raw times kept as listed, though they disagree
        expect(f.firstSeenAt.toISOString()).toBe(behind.toISOString());
        expect(f.lastAbsentAt?.toISOString()).toBe(ahead.toISOString());
        expect(f.receivedAt.toISOString()).toBe(behind.toISOString());
      });
    });

    it('moves a taken file to uploads/processed or uploads/failed with a timestamp suffix, then forgets it', async () => {
      const f = folders('ACME');
      const t0 = at('2026-11-04T09:29:00Z');
      upload('ACME', 'RTF_ACME_202611.xlsx', 'rtf', plus(t0, -600));
      upload('ACME', 'broken.xlsx', 'bad', plus(t0, -600));
      await withSftp(svc(), async (s) => {
        await scanFolder(s, db.pool, f.uploads, t0, 30);
        const r = await scanFolder(s, db.pool, f.uploads, plus(t0, 60), 30);
        expect(r.ready).toHaveLength(2);
        const takenAt = at('2026-11-04T09:30:00Z');
        const good = r.ready.find((x) => x.name === 'RTF_ACME_202611.xlsx')!;
        const bad = r.ready.find((x) => x.name === 'broken.xlsx')!;
        expect(await moveTaken(s, good, 'processed', takenAt)).toBe(`${f.processed}/RTF_ACME_202611__20261104T093000Z.xlsx`);
        expect(await moveTaken(s, bad, 'failed', takenAt)).toBe(`${f.failed}/broken__20261104T093000Z.xlsx`);
        await forgetFile(db.pool, f.uploads, good.name, good);
        expect(await getPollFile(db.pool, f.uploads, good.name)).toBeNull();
        // the same name uploaded again later starts afresh and is taken again
        upload('ACME', 'RTF_ACME_202611.xlsx', 'rtf v2', plus(t0, 120));
        const again = await scanFolder(s, db.pool, f.uploads, plus(t0, 180), 30);
        expect(again.waiting).toEqual(['RTF_ACME_202611.xlsx']);
        expect(await s.exists(`${f.processed}/RTF_ACME_202611__20261104T093000Z.xlsx`)).toBe(true);
        // moving onto an existing name is refused
        const dup = await moveTaken(s, { path: `${f.uploads}/RTF_ACME_202611.xlsx`, name: 'RTF_ACME_202611.xlsx' }, 'processed', takenAt).catch(
          (e: unknown) => e,
        );
        expect((dup as SftpError).code).toBe('REMOTE_EXISTS');
        // a move of the version taken refuses the newer one uploaded under the name since, and leaves it there
        const v2 = `${f.uploads}/RTF_ACME_202611.xlsx`;
        const stale = await s.move(v2, f.processed, 'v1.xlsx', { expect: { size: good.size, mtime: good.mtime } }).catch((e: unknown) => e);
        expect((stale as SftpError).code).toBe('FILE_CHANGED');
        expect(await s.exists(v2)).toBe(true);
        expect(await s.exists(`${f.processed}/v1.xlsx`)).toBe(false);
        const current = await s.stat(v2);
        expect(await s.move(v2, f.processed, 'v2.xlsx', { expect: { size: current.size, mtime: current.mtime } })).toBe(`${f.processed}/v2.xlsx`);
      });
      expect(fs.readFileSync(local('ACME', 'uploads', 'processed', 'RTF_ACME_202611__20261104T093000Z.xlsx'), 'utf8')).toBe('rtf');
      expect(fs.readFileSync(local('ACME', 'uploads', 'processed', 'v2.xlsx'), 'utf8')).toBe('rtf v2');
      expect(fs.readFileSync(local('ACME', 'uploads', 'failed', 'broken__20261104T093000Z.xlsx'), 'utf8')).toBe('bad');
      expect(takenName('NOEXT', at('2026-11-04T09:30:00.123Z'))).toBe('NOEXT__20261104T093000Z');
    });
  });
});

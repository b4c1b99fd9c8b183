// The production topology as shipped: deploy/sftp's entrypoint.sh and sshd_config, unchanged,
// run by a real OpenSSH sshd (in a private mount namespace, see helpers/production-sftp.ts),
// a separate Debian Postgres server, and the CLI as a child process with production's
// environment. Providers use OpenSSH's own `sftp` client. Each attack an earlier review found
// against this set-up is a named test that must be refused.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { pollOnce } from '../../src/ingest/poll.js';
import { openSftp, sftpSettingsFromConfig, SftpError, withSftp, type SftpSession } from '../../src/sftp/client.js';
import { moveTaken } from '../../src/sftp/pickup.js';
import { RTF } from '../../schemas/index.js';
import { layoutSheet } from '../../src/generate/sheets.js';
import { writeWorkbookToBuffer } from '../../src/xlsx/writer.js';
import '../../src/db/pool.js';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { debianPostgresAvailability, startDebianPostgres, type DebianPostgres } from '../helpers/debian-postgres.js';
import { seedPlan } from '../helpers/plan.js';
import { productionSftpAvailability, startProductionSftp, type ProductionSftp } from '../helpers/production-sftp.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { readRecords } from '../helpers/workbook.js';
import { expectedOutcomes, opensshBatch, preparePlanFiles, runProviderCases } from '../helpers/provider-layout.js';
import { startDevServer } from '../../src/sftp/dev-server.js';

const sftpAvail = productionSftpAvailability();
const pgAvail = debianPostgresAvailability();
const missing = [sftpAvail, pgAvail].filter((a) => !a.available).map((a) => a.reason).join('; ');
// In CI a missing server fails the suite instead of skipping it.
const skip = missing !== '' && !process.env.CI;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// Each test drives several CLI processes and sftp sessions: generous on a loaded machine.
describe.skipIf(skip)(skip ? `skipped: ${missing}` : 'production topology: shipped deploy/sftp + Debian Postgres + CLI', () => {
  let server: ProductionSftp;
  let postgres: DebianPostgres;
  let pool: pg.Pool;
  let work: string;
  let env: Record<string, string>;
  /** Published November MIFs: provider → file name. */
  const mif: Record<string, string> = {};

  const srv = (...p: string[]) => path.join(server.srv, ...p);
  const files = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => fs.lstatSync(path.join(dir, f)).isFile()).sort() : []);
  const one = async (sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows[0];
  /** Polls run on a pinned clock, a minute apart, after the uploads' pinned mtime (on time for November). */
  let clock = Date.parse('2026-12-03T17:05:00Z');
  const nextNow = () => new Date((clock += 60_000));
  const poll = (extra: Record<string, string> = {}) => runCli(['poll', '--now', nextNow().toISOString(), '--json'], { ...env, ...extra });
  const pollTwice = async (extra: Record<string, string> = {}) => {
    const first = await poll(extra);
    expect(first.code, first.stderr).toBe(0);
    const second = await poll(extra);
    expect(second.code, second.stderr).toBe(0);
    return second;
  };
  /** A provider's filled-in RTF, made from the MIF it fetched with OpenSSH's sftp. */
  const filledRtf = async (code: string, name: string): Promise<string> => {
    const local = path.join(work, `${code}-${name}.mif.xlsx`);
    const got = server.sftpBatch(code, [`get downloads/${mif[code]} ${local}`]);
    expect(got.code, got.stderr).toBe(0);
    const recs = await readRecords(local);
    const out = path.join(work, name);
    fs.writeFileSync(out, await writeWorkbookToBuffer([layoutSheet(RTF, recs.RTF!.map((r) => ({ ...r, productionDate: { date: '2026-12-01' }, acuity: 'Low' })) as never)]));
    return out;
  };
  const upload = (code: string, local: string, name = path.basename(local)) => {
    const sent = new Date('2026-12-03T17:00:00Z');
    fs.utimesSync(local, sent, sent);
    // -p: the provider's client keeps the file's time (a SETSTAT after the write).
    const r = server.sftpBatch(code, [`put -p ${local} uploads/${name}`]);
    expect(r.code, r.stderr).toBe(0);
  };
  const service = (): Promise<SftpSession> => openSftp(sftpSettingsFromConfig(loadConfig({ ...process.env, ...env })));

  beforeAll(async () => {
    if (missing) throw new Error(`CI=${process.env.CI} but the production topology cannot run here: ${missing}`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'calx-prod-work-'));
    [server, postgres] = await Promise.all([startProductionSftp({ providers: ['ACME', 'RIVAL'] }), startDebianPostgres()]);
    env = { ...server.cliEnv(), DATABASE_URL: postgres.url, DATA_DIR: work, SFTP_STABLE_SECONDS: '0', LOG_LEVEL: 'warn' };
    const migrated = await runCli(['db', 'migrate'], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    pool = new pg.Pool({ connectionString: postgres.url, max: 3 });
    pool.on('error', () => undefined);
    await seedPlan(pool);
    // Only the two providers the shipped server has accounts for.
    await pool.query(`update providers set active = false where provider_code not in ('ACME', 'RIVAL')`);
  }, 180_000);

  afterAll(async () => {
    await pool?.end().catch(() => undefined);
    await server?.stop();
    await postgres?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('finding 0: every account of the shipped set-up logs in with its key (and only with a key)', () => {
    for (const user of ['ACME', 'RIVAL', 'calaim']) {
      const r = server.sftpBatch(user, ['pwd']);
      expect(r.code, `${user}: ${r.stderr}\n${server.log()}`).toBe(0);
    }
    // No password or keyboard-interactive method is even offered.
    const nokey = server.sftpBatch('ACME', ['pwd'], { noKey: true });
    expect(nokey.code).not.toBe(0);
    expect(nokey.stderr).toMatch(/Permission denied \(publickey\)/);
    // A provider is chrooted: it sees its own folders only.
    const ls = server.sftpBatch('ACME', ['ls /']);
    expect(ls.stdout).toMatch(/downloads/);
    expect(ls.stdout).not.toMatch(/RIVAL/);
  });

  it('a provider code naming a system account gets no login (it would have been an unchrooted sFTP session)', async () => {
    const other = await startProductionSftp({ providers: ['ACME', 'daemon'] });
    try {
      expect(other.sftpBatch('ACME', ['pwd']).code).toBe(0);
      const daemon = other.sftpBatch('daemon', ['ls /srv/sftp']);
      expect(daemon.code, daemon.stdout).not.toBe(0);
      // (refused as no code of the plan's, before the system-account check, which stays for an upper-case one)
      expect(other.log()).toMatch(/refusing provider line: a provider code is 2-40 capital letters/);
    } finally {
      await other.stop();
    }
  });

  it('a provider code the plan would never poll (lower case, or too long) gets no account, and says why', async () => {
    // The providers extract upper-cases codes and names the folder polled by them: an account
    // "acme2" would upload into /srv/sftp/acme2, a folder nothing ever reads.
    const other = await startProductionSftp({ providers: ['ACME', 'acme2', `L${'X'.repeat(40)}`] });
    try {
      expect(other.sftpBatch('ACME', ['pwd']).code).toBe(0);
      expect(other.sftpBatch('acme2', ['pwd']).code).not.toBe(0);
      expect(fs.existsSync(path.join(other.srv, 'acme2'))).toBe(false);
      expect(other.log()).toMatch(/refusing provider line: a provider code is 2-40 capital letters/);
      expect(other.log().match(/refusing provider line/g)).toHaveLength(2);
    } finally {
      await other.stop();
    }
  });

  it('a provider may do in its folder on the in-process dev server exactly what it may on the shipped server: the same operations, the same answers', async () => {
    // The table (test/helpers/provider-layout.ts) is derived from entrypoint.sh's modes; run
    // through OpenSSH's sftp client against both servers, each answer must match it.
    const shippedServer = await startProductionSftp({ providers: ['LAYOUT'] });
    const dir = fs.mkdtempSync(path.join(work, 'layout-'));
    const devRoot = path.join(dir, 'root');
    fs.mkdirSync(devRoot);
    const devServer = await startDevServer({
      root: devRoot, port: 0, hostKeyPath: path.join(dir, 'dev-hostkey'),
      accounts: [{ username: 'plan', password: 'plan-pass', home: '/' }, { username: 'LAYOUT', publicKeys: [fs.readFileSync(`${shippedServer.providerKey('LAYOUT')}.pub`, 'utf8')] }],
    });
    try {
      const local = path.join(dir, 'upload.xlsx');
      fs.writeFileSync(local, 'a provider upload');
      const knownHosts = path.join(dir, 'known_hosts');
      fs.writeFileSync(knownHosts, `[127.0.0.1]:${devServer.port} ${fs.readFileSync(path.join(dir, 'dev-hostkey.pub'), 'utf8')}`);
      const servers = {
        shipped: {
          batch: async (commands: string[]) => shippedServer.sftpBatch('LAYOUT', commands),
          service: () => openSftp(sftpSettingsFromConfig(loadConfig({ ...process.env, ...shippedServer.cliEnv() }))),
          folder: '/LAYOUT',
        },
        dev: {
          batch: opensshBatch({ port: devServer.port, user: 'LAYOUT', keyFile: shippedServer.providerKey('LAYOUT'), knownHosts, work: dir }),
          service: () => openSftp({ host: devServer.host, port: devServer.port, username: 'plan', password: 'plan-pass', hostKeySha256: devServer.fingerprint, connectTimeoutMs: 5000, retries: 1, stallMs: 5000 }),
          folder: '/LAYOUT',
        },
      };
      const answers: Record<string, Record<string, boolean>> = {};
      for (const [name, srv] of Object.entries(servers)) {
        const service = await srv.service();
        try {
          await preparePlanFiles(service, srv.folder, async (upload) => {
            const r = await srv.batch([`put ${local} uploads/${upload}`]);
            expect(r.code, `${name}: ${r.stderr}`).toBe(0);
          });
        } finally {
          await service.close();
        }
        const { allowed, said } = await runProviderCases(srv.batch, { local, got: path.join(dir, `got-${name}`) });
        expect(allowed, `${name} server:\n${said}`).toEqual(expectedOutcomes());
        answers[name] = allowed;
      }
      expect(answers.dev).toEqual(answers.shipped);
    } finally {
      await devServer.stop();
      await shippedServer.stop();
    }
  });

  it('generate mif publishes each provider its MIF through the service account', async () => {
    const r = await runCli(['generate', 'mif', '--date', '2026-11-15', '--now', '2026-11-15T07:00:00-08:00', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json as { units: { provider: string; file?: string; status: string }[] };
    for (const code of ['ACME', 'RIVAL']) {
      const u = doc.units.find((x) => x.provider === code && x.file?.startsWith('HN_'));
      expect(u, JSON.stringify(doc.units)).toBeDefined();
      mif[code] = u!.file!;
      expect(fs.lstatSync(srv(code, 'downloads', mif[code]!)).isFile()).toBe(true);
    }
    // No .part left behind.
    expect(fs.readdirSync(srv('ACME', 'downloads')).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('finding 2: providers upload, poll takes every file and each lands in uploads/processed or uploads/failed; providers fetch their responses', async () => {
    upload('ACME', await filledRtf('ACME', 'RTF_ACME_202611.xlsx'));
    upload('RIVAL', await filledRtf('RIVAL', 'RTF_RIVAL_202611.xlsx'));
    const junk = path.join(work, 'RTF_ACME_202611_b.xlsx');
    fs.writeFileSync(junk, 'this is not a workbook');
    upload('ACME', junk);
    const r = await pollTwice();
    const doc = r.json as { files: number; failedFiles: number; results: { provider: string; file: string; error?: string; movedTo?: string }[] };
    expect(doc.results.filter((x) => x.error)).toEqual([]);
    expect(doc.files).toBe(3);
    expect(files(srv('ACME', 'uploads'))).toEqual([]);
    expect(files(srv('RIVAL', 'uploads'))).toEqual([]);
    expect(files(srv('ACME', 'uploads', 'processed')), JSON.stringify(doc.results)).toEqual([expect.stringMatching(/^RTF_ACME_202611__\d{8}T\d{6}Z_\d+\.xlsx$/)]);
    expect(files(srv('ACME', 'uploads', 'failed'))).toEqual([expect.stringMatching(/^RTF_ACME_202611_b__/)]);
    expect(files(srv('RIVAL', 'uploads', 'processed'))).toHaveLength(1);
    expect(await one(`select count(*)::int n from submissions where provider_code = 'ACME' and state = 'RESPONDED'`)).toEqual({ n: 2 });
    expect(await one(`select count(*)::int n from submissions where provider_code = 'RIVAL' and state = 'RESPONDED'`)).toEqual({ n: 1 });
    // The provider fetches its responses with its own client.
    const ls = server.sftpBatch('ACME', ['ls -1 downloads']);
    const responses = ls.stdout.split('\n').map((l) => path.posix.basename(l.trim())).filter((f) => /_RESPONSE_\d{14}_\d+\.xlsx$/.test(f));
    expect(responses).toHaveLength(2);
    for (const f of responses) {
      const got = server.sftpBatch('ACME', [`get downloads/${f} ${path.join(work, f)}`]);
      expect(got.code, got.stderr).toBe(0);
      expect(fs.statSync(path.join(work, f)).size).toBeGreaterThan(0);
    }
    // ... and can read what the plan took, but not change it.
    expect(server.sftpBatch('ACME', ['ls uploads/processed']).code).toBe(0);
    const taken = files(srv('ACME', 'uploads', 'processed'))[0]!;
    expect(server.sftpBatch('ACME', [`rm uploads/processed/${taken}`]).code).not.toBe(0);
    expect(server.sftpBatch('ACME', ['rename uploads/failed uploads/gone']).code).not.toBe(0);
    expect(server.sftpBatch('ACME', [`rm downloads/${mif.ACME}`]).code).not.toBe(0);
  });

  it('attack: a provider renames uploads/processed and links it to another provider\'s uploads — refused', async () => {
    const rivalBefore = files(srv('RIVAL', 'uploads'));
    const renamed = server.sftpBatch('ACME', ['rename uploads/processed uploads/old-processed']);
    const linked = server.sftpBatch('ACME', ['ln -s /RIVAL/uploads uploads/processed']);
    expect(renamed.code, 'rename of the plan\'s processed/ folder').not.toBe(0);
    expect(linked.code, 'symlink creation').not.toBe(0);
    // Whatever the provider managed, its next upload is taken as its own and lands in its own processed/.
    upload('ACME', await filledRtf('ACME', 'RTF_ACME_202611_c.xlsx'));
    await pollTwice();
    await pollTwice(); // a RIVAL poll after the move would ingest a file that landed in RIVAL's uploads
    expect(fs.lstatSync(srv('ACME', 'uploads', 'processed')).isDirectory()).toBe(true);
    expect(files(srv('ACME', 'uploads', 'processed')).some((f) => f.startsWith('RTF_ACME_202611_c__'))).toBe(true);
    expect(files(srv('RIVAL', 'uploads'))).toEqual(rivalBefore);
    expect(await one(`select count(*)::int n from submissions where original_name like 'RTF_ACME%' and provider_code <> 'ACME'`)).toEqual({ n: 0 });
  });

  it('attack: during a poll a provider swaps a listed upload for a link to another provider\'s MIF — refused', async () => {
    const rivalMif = fs.readFileSync(srv('RIVAL', 'downloads', mif.RIVAL!));
    const name = 'RTF_ACME_202611_d.xlsx';
    upload('ACME', await filledRtf('ACME', name));
    const config = loadConfig({ ...process.env, ...env });
    let swapped: { code: number; stderr: string } | undefined;
    const openSession = async (): Promise<SftpSession> => {
      const s = await service();
      return Object.assign(Object.create(s) as SftpSession, {
        list: async (dir: string) => {
          const entries = await s.list(dir);
          // After the listing that makes the file ready, before its download.
          if (dir === '/ACME/uploads' && entries.some((e) => e.name === name) && (await pool.query(`select 1 from poll_files where name = $1`, [name])).rowCount)
            swapped ??= server.sftpBatch('ACME', [`rm uploads/${name}`, `ln -s /RIVAL/downloads/${mif.RIVAL} uploads/${name}`]);
          return entries;
        },
      });
    };
    await pollOnce({ pool, config, openSession }, { provider: 'ACME', now: nextNow() });
    await pollOnce({ pool, config, openSession }, { provider: 'ACME', now: nextNow() });
    expect(swapped, 'the swap was attempted during the poll').toBeDefined();
    expect(await one(`select count(*)::int n from submissions where sha256 = $1`, [sha(rivalMif)])).toEqual({ n: 0 });
    expect(fs.readFileSync(srv('RIVAL', 'downloads', mif.RIVAL!)).equals(rivalMif)).toBe(true);
    expect(swapped!.code, 'symlink creation').not.toBe(0);
  });

  it('attack: a provider plants a link at its next MIF\'s .part name to overwrite another provider\'s MIF — refused', async () => {
    const rivalMif = fs.readFileSync(srv('RIVAL', 'downloads', mif.RIVAL!));
    const next = mif.ACME!.replace('20261115', '20261215');
    const planted = server.sftpBatch('ACME', [`ln -s /RIVAL/downloads/${mif.RIVAL} downloads/.${next}.part`]);
    expect(planted.code, 'symlink creation').not.toBe(0);
    // (on its day: a slot after today is refused)
    const r = await runCli(['generate', 'mif', '--date', '2026-12-15', '--now', '2026-12-15T14:30:00Z', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(srv('RIVAL', 'downloads', mif.RIVAL!)).equals(rivalMif)).toBe(true);
    expect(fs.lstatSync(srv('ACME', 'downloads', next)).isFile()).toBe(true);
  });

  describe('two schedulers and a real SMTP server', () => {
    let smtp: SmtpSink;
    const children: ChildProcess[] = [];
    beforeAll(async () => {
      smtp = await startSmtpSink();
    });
    afterAll(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await smtp?.stop();
    });
    const scheduler = (now: Date, extra: Record<string, string> = {}) => {
      const child = spawn(process.execPath, [BIN, 'scheduler', '--jobs', 'poll', '--now', now.toISOString()], {
        cwd: ROOT,
        // Only the start-up polls run: cron would fire on the wall clock, not the pinned one.
        // LOG_LEVEL info: 'scheduler running' says its SIGTERM handler is in place.
        env: { ...process.env, ...env, SMTP_URL: smtp.url, HEARTBEAT_SECONDS: '1', ABANDON_AFTER_SECONDS: '5', POLL_LEASE_SECONDS: '5', POLL_CRON: '0 0 1 1 *', LOG_LEVEL: 'info', ...extra },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      children.push(child);
      let stderr = '';
      let running = false;
      child.stderr!.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-20_000);
        running ||= stderr.includes('scheduler running');
      });
      const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((r) => child.on('close', (code, signal) => r({ code, signal, stderr })));
      return { child, exited, running: () => running };
    };
    const until = async <T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 540_000): Promise<T> => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const v = await probe();
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    it('a scheduler killed with SIGKILL mid-ingest: the other two answer the file once, move it, and mail the liaison and the provider once', async () => {
      const name = 'RTF_ACME_202611_e.xlsx';
      upload('ACME', await filledRtf('ACME', name));
      const listed = await poll(); // first listing: the scheduler's start-up poll finds the file stable
      expect(listed.code, listed.stderr).toBe(0);
      const a = scheduler(nextNow(), { CALAIM_FAULT_POINT: 'ingest-after-commit' });
      const dead = await Promise.race([a.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 120_000))]);
      expect(dead?.signal, dead?.stderr ?? 'scheduler A did not die at the fault point').toBe('SIGKILL');
      expect(await one(`select count(*)::int n, min(state) state from submissions where original_name = $1`, [name])).toEqual({ n: 1, state: 'APPLIED' });
      expect(files(srv('ACME', 'uploads'))).toContain(name);
      expect(smtp.messages.filter((m) => m.subject.includes(name))).toEqual([]);

      // A's claim on the folder (POLL_LEASE_SECONDS) and its run claim (ABANDON_AFTER_SECONDS) lapse
      await until("A's folder claim and run claim to lapse", async () =>
        (await one(`select (select coalesce(bool_and(expires_at < now()), true) from poll_claims)
                       and (select coalesce(bool_and(heartbeat_at < now() - interval '5 seconds'), true) from runs where status = 'RUNNING') as lapsed`))?.lapsed === true);
      const at = nextNow();
      const b = scheduler(at);
      const c = scheduler(at);
      await until('the submission answered', async () => (await one(`select state from submissions where original_name = $1`, [name]))?.state === 'RESPONDED');
      await until('the liaison mail', async () => smtp.messages.some((m) => m.subject.includes(name)));
      // Both are up (a SIGTERM while Node is still loading is its default exit, 143).
      await until('both schedulers running', async () => b.running() && c.running());
      b.child.kill('SIGTERM');
      c.child.kill('SIGTERM');
      const [bx, cx] = await Promise.all([b.exited, c.exited]);
      expect(bx.code, bx.stderr).toBe(0);
      expect(cx.code, cx.stderr).toBe(0);

      expect(await one(`select count(*)::int n from submissions where original_name = $1`, [name])).toEqual({ n: 1 });
      expect(files(srv('ACME', 'uploads'))).not.toContain(name);
      expect(files(srv('ACME', 'uploads', 'processed')).filter((f) => f.startsWith('RTF_ACME_202611_e__'))).toHaveLength(1);
      expect(files(srv('ACME', 'downloads')).filter((f) => f.startsWith('RTF_ACME_202611_e_RESPONSE_'))).toHaveLength(1);
      const mails = smtp.messages.filter((m) => m.subject.includes(name));
      expect(mails).toHaveLength(1);
      // one mail, to the liaison and the provider's contact (spec §7)
      expect(mails[0]!.to).toEqual(['liaison@plan.example', 'ops@acme.example']);
    });
  });

  describe('the service account never follows a link, even one the server let through', () => {
    // Links planted directly on disk: what a provider could do on a server set up without the
    // shipped restrictions. Targets are paths as the service account sees them.
    it('a link in uploads/ is left alone and reported to ops by provider and reason, without its name', async () => {
      const link = srv('ACME', 'uploads', 'RTF_ACME_202611_link.xlsx');
      fs.symlinkSync(`/RIVAL/downloads/${mif.RIVAL}`, link);
      try {
        const first = await poll();
        const second = await poll();
        expect(second.code, second.stderr).toBe(0);
        expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
        expect(await one(`select count(*)::int n from submissions where original_name = 'RTF_ACME_202611_link.xlsx'`)).toEqual({ n: 0 });
        const warnings = (first.stderr + second.stderr).split('\n').filter((l) => l.includes('not a regular file'));
        expect(warnings.length).toBeGreaterThan(0);
        expect(warnings.join('\n')).toMatch(/ACME/);
        expect(warnings.join('\n')).not.toMatch(/RTF_ACME_202611_link/);
      } finally {
        fs.rmSync(link);
      }
    });

    it('a download refuses what it opened when it is not the listed regular file', async () => {
      const rivalMif = fs.readFileSync(srv('RIVAL', 'downloads', mif.RIVAL!));
      const local = srv('ACME', 'uploads', 'RTF_ACME_202611_swap.xlsx');
      fs.writeFileSync(local, 'an upload');
      try {
        await withSftp(sftpSettingsFromConfig(loadConfig({ ...process.env, ...env })), async (s) => {
          const listed = (await s.list('/ACME/uploads')).find((e) => e.name === 'RTF_ACME_202611_swap.xlsx')!;
          fs.rmSync(local);
          fs.symlinkSync(`/RIVAL/downloads/${mif.RIVAL}`, local);
          const err = await s
            .download('/ACME/uploads/RTF_ACME_202611_swap.xlsx', { maxBytes: 10_000_000, expect: { size: listed.size, mtime: listed.mtime } })
            .then((d) => d, (e: unknown) => e);
          expect(err).toBeInstanceOf(SftpError);
          expect(['NOT_A_FILE', 'FILE_CHANGED']).toContain((err as SftpError).code);
          expect(String((err as Error).message)).not.toContain(rivalMif.toString('latin1').slice(0, 20));
        });
      } finally {
        fs.rmSync(local, { force: true });
      }
    });

    it('a download checks the handle it opened: a link swapped in between its lstat and its open, with the listed size and mtime, is refused', async () => {
      const rivalPath = srv('RIVAL', 'downloads', mif.RIVAL!);
      const rival = fs.statSync(rivalPath);
      const name = 'RTF_ACME_202611_race.xlsx';
      const local = srv('ACME', 'uploads', name);
      // An upload the provider made look like the other provider's MIF: same size, same mtime.
      fs.writeFileSync(local, Buffer.alloc(rival.size, 0x41));
      fs.utimesSync(local, rival.atime, rival.mtime);
      try {
        await withSftp(sftpSettingsFromConfig(loadConfig({ ...process.env, ...env })), async (s) => {
          const listed = (await s.list('/ACME/uploads')).find((e) => e.name === name)!;
          // The swap lands just before the server sees the OPEN: after every check on the path.
          const sftp = (s as unknown as { conn: { sftp: { open: (...a: unknown[]) => unknown } } }).conn.sftp;
          const open = sftp.open.bind(sftp);
          sftp.open = (...args: unknown[]) => {
            fs.rmSync(local);
            fs.symlinkSync(`/RIVAL/downloads/${mif.RIVAL}`, local);
            return open(...args);
          };
          const got = await s.download(`/ACME/uploads/${name}`, { maxBytes: 10_000_000, expect: { size: listed.size, mtime: listed.mtime } }).then(
            (d) => d,
            (e: unknown) => e,
          );
          expect(got).toBeInstanceOf(SftpError);
          expect((got as SftpError).code).toBe('FILE_CHANGED');
        });
      } finally {
        fs.rmSync(local, { force: true });
      }
    });

    it('publish never writes through a link planted at its .part name', async () => {
      const rivalMif = fs.readFileSync(srv('RIVAL', 'downloads', mif.RIVAL!));
      const part = srv('ACME', 'downloads', '.PLANTED_20261201.xlsx.part');
      fs.symlinkSync(`/RIVAL/downloads/${mif.RIVAL}`, part);
      try {
        await withSftp(sftpSettingsFromConfig(loadConfig({ ...process.env, ...env })), async (s) => {
          await s.publish('/ACME/downloads', 'PLANTED_20261201.xlsx', Buffer.from('the plan\'s bytes')).catch(() => undefined);
        });
        expect(fs.readFileSync(srv('RIVAL', 'downloads', mif.RIVAL!)).equals(rivalMif)).toBe(true);
        const final = srv('ACME', 'downloads', 'PLANTED_20261201.xlsx');
        if (fs.existsSync(final)) {
          expect(fs.lstatSync(final).isFile()).toBe(true);
          expect(fs.readFileSync(final, 'utf8')).toBe('the plan\'s bytes');
        }
      } finally {
        fs.rmSync(part, { force: true });
        fs.rmSync(srv('ACME', 'downloads', 'PLANTED_20261201.xlsx'), { force: true });
      }
    });

    it('a move never follows a link in place of processed/', async () => {
      const processed = srv('ACME', 'uploads', 'processed');
      const aside = srv('ACME', 'uploads', 'processed-aside');
      const upload = srv('ACME', 'uploads', 'RTF_ACME_202611_move.xlsx');
      const rivalBefore = files(srv('RIVAL', 'uploads'));
      fs.writeFileSync(upload, 'an upload');
      fs.renameSync(processed, aside);
      fs.symlinkSync('/RIVAL/uploads', processed);
      try {
        await withSftp(sftpSettingsFromConfig(loadConfig({ ...process.env, ...env })), async (s) => {
          const err = await moveTaken(s, { path: '/ACME/uploads/RTF_ACME_202611_move.xlsx', name: 'RTF_ACME_202611_move.xlsx' }, 'processed', new Date()).then(
            (d) => d,
            (e: unknown) => e,
          );
          expect(err).toBeInstanceOf(SftpError);
        });
        expect(files(srv('RIVAL', 'uploads'))).toEqual(rivalBefore);
        expect(fs.existsSync(upload)).toBe(true);
      } finally {
        fs.rmSync(processed);
        fs.renameSync(aside, processed);
        fs.rmSync(upload, { force: true });
      }
    });
  });
  it('an upload the provider makes unreadable to the plan (chmod 000 through sftp) is answered once: REJECTED (FILE_UNREADABLE) after INGEST_GIVE_UP_AFTER polls, moved to failed/, ops told once', async () => {
    // The shipped service account calaim is no root: it reads a provider's upload through the
    // provider's group, which the provider's chmod takes away.
    const name = 'RTF_RIVAL_202611_locked.xlsx';
    upload('RIVAL', await filledRtf('RIVAL', name));
    const chmod = server.sftpBatch('RIVAL', [`chmod 000 uploads/${name}`]);
    expect(chmod.code, chmod.stderr).toBe(0);
    expect(fs.statSync(srv('RIVAL', 'uploads', name)).mode & 0o777).toBe(0);
    const ops = { OPS_EMAIL: 'ops@plan.example' };
    const results: { file: string; error?: string; outcome?: string; fileErrors?: string[]; gaveUpAfter?: number }[] = [];
    // a sighting, then INGEST_GIVE_UP_AFTER (3) failed downloads: the third is answered
    for (let i = 0; i < 4 && !results.some((r) => r.gaveUpAfter); i++) {
      const r = await poll(ops);
      results.push(...(r.json as { results: typeof results }).results.filter((x) => x.file === name));
    }
    expect(results.slice(0, -1).map((r) => r.error)).toEqual([expect.stringMatching(/permission denied/), expect.stringMatching(/permission denied/)]);
    expect(results.at(-1)).toMatchObject({ outcome: 'REJECTED', fileErrors: ['FILE_UNREADABLE'], gaveUpAfter: 3 });
    const sub = await one(`select id, state, outcome, upload_disposition, response_name from submissions where original_name = $1`, [name]);
    expect(sub).toMatchObject({ state: 'RESPONDED', outcome: 'REJECTED', upload_disposition: 'failed' });
    expect(files(srv('RIVAL', 'uploads'))).not.toContain(name);
    expect(files(srv('RIVAL', 'uploads', 'failed')).filter((f) => f.startsWith('RTF_RIVAL_202611_locked__'))).toHaveLength(1);
    expect(files(srv('RIVAL', 'downloads')).filter((f) => f.startsWith('RTF_RIVAL_202611_locked_RESPONSE_'))).toEqual([sub.response_name]);
    // the provider fetches its answer with its own client
    const got = server.sftpBatch('RIVAL', [`get downloads/${sub.response_name} ${path.join(work, sub.response_name)}`]);
    expect(got.code, got.stderr).toBe(0);
    const again = await poll(ops);
    expect((again.json as { files: number }).files).toBe(0);
    const mails = (await pool.query<{ kind: string; recipients: string[]; body: string }>(`select kind, recipients, body from notifications where body like $1 order by kind desc`, [`%${name}%`])).rows;
    expect(mails.map((m) => m.kind)).toEqual(['submission-response', 'ops-upload-not-processed']);
    expect(mails[0]!.body).toMatch(/FILE_UNREADABLE: The plan could not read this file/);
    expect(mails[1]!.recipients).toEqual(['ops@plan.example']);
  });
});

// User mistakes are usage errors: exit 2, one clear line on stderr, no stack trace, and nothing
// opened (database, sFTP) or recorded against a slot. The database URL of the first group points
// at a port nothing listens on: a command that tried to connect would fail with exit 1 instead.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, OFFLINE_DATABASE_URL, ROOT, runCli } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { seedPlan } from '../helpers/plan.js';
import { rtf, rtfRow } from '../helpers/provider-files.js';

let dataDir: string;
let offline: Record<string, string>;
beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-usage-'));
  offline = { DATABASE_URL: OFFLINE_DATABASE_URL, DATA_DIR: dataDir, DEV_SFTP_PORT: '0' };
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('usage errors (nothing opened)', () => {
  it('generate mif --date 2026-13-45: exit 2 before the database or the sFTP server is opened', async () => {
    const r = await runCli(['generate', 'mif', '--date', '2026-13-45'], offline);
    expectUsageError(r, /^error: --date: 2026-13-45 is not a real calendar date/m);
    expect(fs.existsSync(path.join(dataDir, 'sftp'))).toBe(false);
  });

  // A slot after today (the plan-local date of --now, else of the wall clock) is never published
  // ahead of its day: `generate mif --date 2026-12-15` typed in November (for 2026-11-15) published
  // December's MIF then, before December's RTFs were applied, and the 15th's run found it done.
  it.each([
    [['generate', 'mif', '--date', '2026-12-15', '--now', '2026-11-20T10:00:00-08:00'], 'mif', '2026-12-15', '2026-11-20'],
    // a MIF's slot is its month's 15th: a date before it names a slot still to come
    [['generate', 'mif', '--date', '2026-11-10', '--now', '2026-11-10T10:00:00-08:00'], 'mif', '2026-11-15', '2026-11-10'],
    [['generate', 'mini-mif', '--date', '2026-11-21', '--now', '2026-11-20T23:30:00-08:00'], 'mini-mif', '2026-11-21', '2026-11-20'],
    // the plan-local date, not the UTC one: 2026-11-21T05:00Z is still the 20th in Los Angeles
    [['generate', 'mini-mif', '--date', '2026-11-21', '--now', '2026-11-21T05:00:00Z'], 'mini-mif', '2026-11-21', '2026-11-20'],
    [['generate', 'csasf', '--date', '2026-11-29', '--provider', 'HOMEWAY', '--now', '2026-11-28T10:00:00-08:00'], 'csasf', '2026-11-29', '2026-11-28'],
    [['generate', 'mif', '--date', '2026-12-15', '--provider', 'ACME', '--now', '2026-11-20T10:00:00-08:00', '--json'], 'mif', '2026-12-15', '2026-11-20'],
  ])('%j: exit 2, the slot is in the future, before anything is opened', async (args, kind, slot, today) => {
    const r = await runCli(args, offline);
    expectUsageError(r, new RegExp(`^error: the ${kind} slot ${slot} is in the future \\(today is ${today} in the plan time zone\\): it is published on its day; --dry-run previews it$`, 'm'));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(path.join(dataDir, 'sftp'))).toBe(false);
  });

  // --out is where a dry run writes: without --dry-run it was dropped without a word and the
  // files published to the providers, the opposite of what the flag asked for
  it('generate mif --out <DIR> without --dry-run: exit 2 before anything is opened, nothing published', async () => {
    const out = path.join(dataDir, 'gen-out');
    const r = await runCli(['generate', 'mif', '--date', '2026-11-15', '--now', '2026-11-20T10:00:00-08:00', '--out', out], offline);
    expectUsageError(r, /^error: --out is for --dry-run: a real run publishes to the providers' downloads\/ folders, never to --out$/m);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'sftp'))).toBe(false);
  });

  it('generate mif --date <a slot after the wall clock\'s today>, no --now: exit 2 as well', async () => {
    const r = await runCli(['generate', 'mif', '--date', '2198-12-15'], offline);
    expectUsageError(r, /^error: the mif slot 2198-12-15 is in the future \(today is \d{4}-\d{2}-\d{2} in the plan time zone\)/m);
  });

  it('republish <a slot after today>: exit 2, nothing republished ahead of its day', async () => {
    const r = await runCli(['republish', 'mif', '--provider', 'ACME', '--date', '2026-12-15', '--reason', 'x', '--now', '2026-11-20T10:00:00-08:00'], offline);
    expectUsageError(r, /^error: the mif slot 2026-12-15 is in the future \(today is 2026-11-20 in the plan time zone\): a file is republished only once its day has come$/m);
  });

  it('ingest <a directory>: exit 2', async () => {
    const r = await runCli(['ingest', dataDir, '--provider', 'ACME'], offline);
    expectUsageError(r, /^error: .* is a directory, not a file/m);
  });

  it('import <kind> <a file that does not exist, or a folder>: exit 2 before the database is opened, as ingest, where it was exit 1', async () => {
    for (const kind of ['providers', 'members', 'ecm-assignments', 'referrals', 'cs-authorizations']) {
      const r = await runCli(['import', kind, path.join(dataDir, 'no-such-extract.csv')], offline);
      expectUsageError(r, /^error: file not found: .*no-such-extract\.csv$/m);
    }
    const json = await runCli(['import', 'providers', path.join(dataDir, 'no-such-extract.xlsx'), '--json'], offline);
    expectUsageError(json, /^error: file not found: /m);
    const folder = await runCli(['import', 'members', dataDir], offline);
    expectUsageError(folder, /^error: .* is a folder, not a file/m);
  });

  it('runs --job nope: exit 2 naming the known jobs and ops actions', async () => {
    const r = await runCli(['runs', '--job', 'nope'], offline);
    expectUsageError(r, /^error: unknown job "nope": use mif, csasf, mini-mif, minimif-sla, missing-alert, retention, poll, notify, switches, reprocess, republish$/m);
  });

  it('demo --out <an existing file>: exit 2, the file is left as it was', async () => {
    const file = path.join(dataDir, 'precious.txt');
    fs.writeFileSync(file, 'keep me');
    const r = await runCli(['demo', '--out', file], offline);
    expectUsageError(r, /^error: --out: .*precious\.txt is a file, not a folder/m);
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('demo --out <a folder with other things in it>: exit 2, nothing in it deleted', async () => {
    const folder = path.join(dataDir, 'home');
    fs.mkdirSync(path.join(folder, 'docs'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'docs', 'notes.txt'), 'keep me');
    const r = await runCli(['demo', '--out', folder], offline);
    expectUsageError(r, /^error: --out: .*home is not empty and no demo left it/m);
    expect(fs.readFileSync(path.join(folder, 'docs', 'notes.txt'), 'utf8')).toBe('keep me');
  });

  // beyond Postgres bigint, before year 1 of the calendar, after its last year: each was a stack trace and exit 1
  for (const [args, message] of [
    [['submission', 'show', '99999999999999999999'], /^error: ID: 99999999999999999999 is not a submission number: 1 to 9007199254740991/m],
    [['submission', 'show', '1e3'], /^error: ID: 1e3 is not a submission number: 1 to 9007199254740991/m],
    [['reprocess', '99999999999999999999', '--reason', 'x'], /^error: ID: 99999999999999999999 is not a submission number: 1 to 9007199254740991/m],
    [['submissions', '--limit', '99999999999999999999'], /^error: --limit takes a whole number from 1 to 9007199254740991/m],
    [['runs', '--before', '1e3'], /^error: --before takes a whole number from 1 to 9007199254740991/m],
    [['submissions', '--period', '0000-01'], /^error: --period: 0000-01 is not a month from 1901-01 to 2198-12 \(it takes YYYY-MM\)/m],
    [['status', '--period', '0000-01'], /^error: --period: 0000-01 is not a month from 1901-01 to 2198-12 \(it takes YYYY-MM\)/m],
    [['validate', 'package.json', '--period', '2199-12'], /^error: --period: 2199-12 is not a month from 1901-01 to 2198-12 \(it takes YYYY-MM\)/m],
    [['ingest', 'package.json', '--provider', 'ACME', '--received-at', '9999-12-31T00:00:00Z'], /^error: --received-at: 9999-12-31T00:00:00Z is outside the years 1901 to 2198/m],
    [['validate', 'package.json', '--received-at', '9999-12-31T00:00:00Z'], /^error: --received-at: 9999-12-31T00:00:00Z is outside the years 1901 to 2198/m],
    [['status', '--now', '9999-12-31T00:00:00Z'], /^error: --now: 9999-12-31T00:00:00Z is outside the years 1901 to 2198/m],
    [['generate', 'mif', '--now', '9999-12-31T00:00:00Z'], /^error: --now: 9999-12-31T00:00:00Z is outside the years 1901 to 2198/m],
    [['generate', 'mif', '--now', '0000-01-01T00:00:00Z'], /^error: --now: 0000-01-01T00:00:00Z is outside the years 1901 to 2198/m],
    [['generate', 'csasf', '--date', '1900-01-05'], /^error: --date: 1900-01-05 is outside the years 1901 to 2198/m],
    [['republish', 'csasf', '--provider', 'ACME', '--date', '1900-01-05', '--reason', 'x'], /^error: --date: 1900-01-05 is outside the years 1901 to 2198/m],
  ] as const) {
    it(`${args.join(' ')}: exit 2 naming the flag and the range`, async () => {
      expectUsageError(await runCli([...args], offline), message);
    });
  }

  it('validate --out <a folder>, or under a file: exit 2 before the file is read', async () => {
    expectUsageError(await runCli(['validate', 'package.json', '--out', dataDir], offline), /^error: --out: .* is a folder: --out names the report file to write/m);
    const file = path.join(dataDir, 'a-file');
    fs.writeFileSync(file, 'x');
    expectUsageError(await runCli(['validate', 'package.json', '--out', path.join(file, 'report.xlsx')], offline), /^error: --out: .*a-file is a file, not a folder/m);
  });

  // Paths the stat-and-access checks passed (root may "write" anywhere by access(2)) but that
  // cannot be opened: each was exit 1 after the file was read and validated, with a log line and
  // a raw ENOENT / EACCES.
  for (const [out, message] of [
    ['/proc/x.xlsx', /^error: --out: \/proc\/x\.xlsx cannot be written: \/proc cannot be written \(.+\): --out names the report file to write$/m],
    ['/proc/nope/x.xlsx', /^error: --out: \/proc\/nope\/x\.xlsx cannot be written: \/proc\/nope cannot be made \(.+\)/m],
    ['/sys/x.xlsx', /^error: --out: \/sys\/x\.xlsx cannot be written: \/sys cannot be written \(permission denied\)/m],
  ] as const) {
    it.skipIf(process.platform !== 'linux')(`validate --out ${out}: exit 2, one line, before the file is read`, async () => {
      const r = await runCli(['validate', 'samples/uploads/RTF_ACMEHLTH_202611.xlsx', '--out', out, '--json'], offline);
      expectUsageError(r, message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  // Something that is not a file (a device, a socket, a pipe) is no report: the write failed, and
  // the failed write then deleted it (so never /dev/full here: that is how this was found).
  it('validate --out <a socket>: exit 2, and it is left where it was', async () => {
    const socket = path.join(dataDir, 'report.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      const r = await runCli(['validate', 'samples/uploads/RTF_ACMEHLTH_202611.xlsx', '--out', socket], offline);
      expectUsageError(r, /^error: --out: .*report\.sock is not a regular file: --out names the report file to write$/m);
      expect(fs.statSync(socket).isSocket()).toBe(true);
    } finally {
      server.close();
    }
  });

  it('validate --out <a file in folders still to be made>: written, folders and all (the up-front check does not refuse it)', async () => {
    const report = path.join(dataDir, 'new', 'sub', 'report.xlsx');
    const r = await runCli(['validate', 'samples/uploads/RTF_ACMEHLTH_202611.xlsx', '--received-at', '2026-12-02T09:12:00-08:00', '--out', report], offline);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.statSync(report).size).toBeGreaterThan(0);
  });

  it.skipIf(process.platform !== 'linux')('ingest --out <a folder that cannot be made>: exit 2 before the database is opened', async () => {
    const r = await runCli(['ingest', 'samples/uploads/RTF_ACMEHLTH_202611.xlsx', '--provider', 'ACMEHLTH', '--out', '/proc/nope'], offline);
    expectUsageError(r, /^error: --out: \/proc\/nope cannot be made \(.+\): it takes a folder$/m);
  });

  // An empty value ('' from a shell variable that was not set) was read as no flag at all:
  // `--type ''` checked every type, `--out ''` wrote into the current folder, `--wait ''` waited
  // 0 s, `--provider ''` went to the database; each is refused before anything is opened.
  const upload = 'samples/uploads/RTF_ACMEHLTH_202611.xlsx';
  for (const [args, message] of [
    [['validate', upload, '--type', ''], /^error: --type is empty: it takes rtf, otf or csprtf \(comma-separated\)$/m],
    [['validate', upload, '--type', ' '], /^error: --type is empty: it takes rtf, otf or csprtf \(comma-separated\)$/m],
    [['validate', upload, '--type', 'rtf,'], /^error: --type must be rtf, otf or csprtf \(got ""\)$/m],
    [['validate', upload, '--out', ''], /^error: --out is empty: it takes the report file to write$/m],
    [['generate', 'mif', '--dry-run', '--out', ''], /^error: --out is empty: it takes a folder$/m],
    [['ingest', upload, '--provider', 'ACMEHLTH', '--out', ''], /^error: --out is empty: it takes a folder$/m],
    [['generate', 'mif', '--wait', ''], /^error: --wait takes a number of seconds: 0 to 2147483, digits only$/m],
    [['generate', 'mif', '--wait', '0x10'], /^error: --wait takes a number of seconds: 0 to 2147483, digits only$/m],
    [['generate', 'mif', '--provider', ''], /^error: --provider is empty: it takes a provider code$/m],
    [['ingest', upload, '--provider', ' '], /^error: --provider is empty: it takes a provider code$/m],
    [['poll', '--provider', ''], /^error: --provider is empty: it takes a provider code$/m],
    [['submissions', '--provider', ''], /^error: --provider is empty: it takes a provider code$/m],
    [['republish', 'mif', '--provider', '', '--date', '2026-11-15', '--reason', 'x'], /^error: --provider is empty: it takes a provider code$/m],
    [['serve', '--host', ''], /^error: --host is empty: it takes an address to listen on/m],
    [['submissions', '--type', ''], /^error: --type takes one of RTF, OTF, CSPRTF$/m],
    [['runs', '--job', ''], /^error: unknown job "": use mif, csasf/m],
    // (each named the empty value as nothing: "ID:  is not a submission number", "unknown job : use")
    [['submission', 'show', ''], /^error: ID is empty: it takes a submission number$/m],
    [['reprocess', ' ', '--reason', 'x'], /^error: ID is empty: it takes a submission number$/m],
    [['status', '--period', ''], /^error: --period is empty: it takes a month YYYY-MM$/m],
    [['submissions', '--period', ''], /^error: --period is empty: it takes a month YYYY-MM$/m],
    [['scheduler', '--once', '--fire', ''], /^error: unknown job "": use mif, csasf/m],
    [['validate', ''], /^error: FILE is empty: validate takes one workbook$/m],
    [['ingest', '', '--provider', 'ACME'], /^error: FILE is empty: ingest takes one workbook$/m],
    [['import', 'providers', ' '], /^error: FILE is empty: import takes one extract$/m],
  ] as const) {
    it(`${args.map((a) => (a === '' || a.trim() !== a ? JSON.stringify(a) : a)).join(' ')}: exit 2 before anything is opened`, async () => {
      expectUsageError(await runCli([...args], offline), message);
    });
  }

  for (const jobs of ['', ',,', ' , ']) {
    it(`scheduler --jobs ${JSON.stringify(jobs)}: exit 2, not a scheduler with no jobs`, async () => {
      expectUsageError(await runCli(['scheduler', '--once', '--jobs', jobs], offline), /^error: --jobs names no job: give one or more of mif, csasf, mini-mif/m);
    });
  }

  // Node keeps a timer in a 32-bit count of milliseconds: a longer one fires after 1 ms, so a
  // catch-up "every 35 days" would reconcile the ledger a thousand times a second.
  for (const [flag, value] of [['--catch-up-interval', '3000000'], ['--shutdown-grace', '2147484'], ['--catch-up-interval', '1e10']] as const) {
    it(`scheduler ${flag} ${value}: exit 2, not a timer that fires after 1 ms`, async () => {
      expectUsageError(await runCli(['scheduler', '--once', flag, value], offline), new RegExp(`^error: ${flag} takes a positive number of seconds, at most 2147483`, 'm'));
    });
  }

  // a catch-up pass reads the run ledger for every job: every millisecond it would hammer the database
  for (const value of ['0.5', '0.001']) {
    it(`scheduler --catch-up-interval ${value}: exit 2, not a catch-up pass every ${value} s`, async () => {
      expectUsageError(await runCli(['scheduler', '--once', '--catch-up-interval', value], offline), /^error: --catch-up-interval takes a positive number of seconds, at most 2147483 \(24 days\), and at least 1$/m);
    });
  }

  // Number() read '0x10' as 16 and '1e2' as 100: a typo ran a scheduler on a timing nobody typed
  // (--wait and --port take digits only for the same reason)
  for (const [flag, value] of [['--catch-up-interval', '0x10'], ['--catch-up-interval', '1e2'], ['--shutdown-grace', '0x10'], ['--shutdown-grace', ' 5']] as const) {
    it(`scheduler ${flag} ${JSON.stringify(value)}: exit 2, not read as another number`, async () => {
      expectUsageError(await runCli(['scheduler', '--once', flag, value], offline), new RegExp(`^error: ${flag} takes a positive number of seconds, at most 2147483 \\(24 days\\)`, 'm'));
    });
  }

  // --port serves the pages only with --serve: without it, it was dropped without a word (the
  // whole demo ran, nothing served); a bad one was refused after the demo's first line was printed
  it('demo --port without --serve: exit 2 before anything is made, not a demo with the flag dropped', async () => {
    const out = path.join(dataDir, 'demo-port');
    expectUsageError(await runCli(['demo', '--out', out, '--port', '8080'], offline), /^error: --port is for --serve: the demo serves its web pages only with --serve$/m);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('demo --serve --port abc: exit 2, nothing on stdout', async () => {
    const out = path.join(dataDir, 'demo-port-abc');
    expectUsageError(await runCli(['demo', '--out', out, '--serve', '--port', 'abc'], offline), /^error: --port takes a port number \(0-65535; 0: any free port\)$/m);
    expect(fs.existsSync(out)).toBe(false);
  });

  // --serve prints the address and the logins while it runs, --json one document at the end:
  // together, stdout was neither (and a JSON reader got text first)
  it('demo --serve --json: exit 2 before anything is made', async () => {
    const out = path.join(dataDir, 'demo-serve-json');
    expectUsageError(await runCli(['demo', '--out', out, '--serve', '--port', '0', '--json'], offline, { timeoutMs: 120_000 }), /^error: --json is not for --serve: the demo prints its web address and logins as it serves, not one JSON document$/m);
    expect(fs.existsSync(out)).toBe(false);
  });

  it("demo --out '': exit 2 saying it is empty, not that the current folder is not the demo's", async () => {
    expectUsageError(await runCli(['demo', '--out', ''], offline), /^error: --out is empty: it takes a folder$/m);
  });

  // validate read the path itself: a missing file or a folder was a raw ENOENT / EISDIR, and a
  // device (/dev/null) was "REJECTED: the file is empty" (exit 1); ingest and import refuse all three
  it('validate <a file that does not exist, a folder, a device>: exit 2 as ingest and import say it', async () => {
    expectUsageError(await runCli(['validate', path.join(dataDir, 'no-such.xlsx')], offline), /^error: file not found: .*no-such\.xlsx$/m);
    expectUsageError(await runCli(['validate', dataDir], offline), /^error: .* is a folder, not a file: validate takes one workbook$/m);
    expectUsageError(await runCli(['validate', '/dev/null'], offline), /^error: \/dev\/null is not a regular file, not a file: validate takes one workbook$/m);
  });

  it('scheduler --fire mif --jobs poll: exit 2, not a fire of mif with --jobs silently dropped', async () => {
    expectUsageError(await runCli(['scheduler', '--fire', 'mif', '--jobs', 'poll'], offline), /^error: --fire runs one job: it does not take --jobs/m);
  });

  // --once and --fire run one pass and exit: a --serve beside them served nothing, and said nothing
  for (const args of [['--once', '--serve'], ['--fire', 'mif', '--serve']]) {
    it(`scheduler ${args.join(' ')}: exit 2, not pages that are never served`, async () => {
      expectUsageError(await runCli(['scheduler', ...args], offline), /^error: --serve is for the long-running scheduler: --once and --fire run one pass and exit \(use `calaim-exchange serve`\)$/m);
    });
  }

  // A host name that does not resolve was found only when the pages started listening, after the
  // database and the sFTP server had been opened: exit 1 and a JSON log line with a stack trace
  // ("getaddrinfo ENOTFOUND not a host"). It is a mistake in a flag or a setting, said in one line.
  for (const [args, env, name, host] of [
    [['serve', '--host', 'not a host', '--port', '0'], {}, '--host', 'not a host'],
    [['serve', '--port', '0'], { WEB_HOST: 'nohost.invalid' }, 'WEB_HOST', 'nohost.invalid'],
    [['scheduler', '--serve'], { WEB_HOST: 'nohost.invalid', WEB_PORT: '0' }, 'WEB_HOST', 'nohost.invalid'],
    [['scheduler'], { HEALTH_HOST: 'nohost.invalid', HEALTH_PORT: '0' }, 'HEALTH_HOST', 'nohost.invalid'],
    [['demo', '--serve', '--port', '0'], { WEB_HOST: 'nohost.invalid' }, 'WEB_HOST', 'nohost.invalid'],
  ] as const) {
    it(`${args.join(' ')} with ${name} ${JSON.stringify(host)} (no such host): exit 2 in one line naming it, before anything is opened`, async () => {
      const out = path.join(dataDir, 'demo-no-such-host');
      const r = await runCli(args[0] === 'demo' ? [...args, '--out', out] : [...args], { ...offline, ...env }, { timeoutMs: 120_000 });
      expectUsageError(r, new RegExp(`^error: ${name}: ${JSON.stringify(host)} does not resolve to an address \\((ENOTFOUND|EAI_[A-Z]+)\\): it takes an address to listen on \\(e\\.g\\. 127\\.0\\.0\\.1\\)$`, 'm'));
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/getaddrinfo|"stack"/);
      expect(fs.existsSync(path.join(dataDir, 'sftp'))).toBe(false);
      expect(fs.existsSync(out)).toBe(false);
    });
  }

  it("--version prints package.json's version", async () => {
    const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const r = await runCli(['--version'], offline);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });
});

describe('usage errors that need the database record nothing', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
    await seedPlan(db.pool);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('ingest --out <an existing file>: exit 2, and no submission is recorded', async () => {
    const upload = path.join(dataDir, 'RTF_ACME_202611.xlsx');
    fs.writeFileSync(upload, await rtf([rtfRow()]));
    const taken = path.join(dataDir, 'taken');
    fs.writeFileSync(taken, 'x');
    const r = await runCli(['ingest', upload, '--provider', 'ACME', '--received-at', '2026-12-03T09:00:00-08:00', '--out', taken], { ...offline, DATABASE_URL: db.url });
    expectUsageError(r, /^error: --out: .*taken is a file, not a folder/m);
    expect((await db.pool.query(`select count(*)::int n from submissions`)).rows[0]).toEqual({ n: 0 });
  });

  it('generate --dry-run --out <an existing file>: exit 2; a dry run with a failed file exits 1, as a real run does', async () => {
    const taken = path.join(dataDir, 'taken-too');
    fs.writeFileSync(taken, 'x');
    const args = ['generate', 'mif', '--date', '2026-11-15', '--provider', 'ACME', '--dry-run', '--json'];
    const env = { ...offline, DATABASE_URL: db.url };
    expectUsageError(await runCli([...args, '--out', taken], env), /^error: --out: .*taken-too is a file, not a folder/m);
    const out = path.join(dataDir, 'dry');
    const ok = await runCli([...args, '--out', out], env);
    expect(ok.code, ok.stderr).toBe(0);
    const written = (ok.json as { units: { file: string | null }[] }).units.map((u) => u.file).filter((f): f is string => !!f);
    expect(written.length).toBeGreaterThan(0);
    // the file's name taken by a folder: its write fails
    fs.rmSync(path.join(out, written[0]!));
    fs.mkdirSync(path.join(out, written[0]!));
    const failed = await runCli([...args, '--out', out], env);
    expect((failed.json as { failed: number }).failed).toBe(1);
    expect(failed.code, failed.stderr).toBe(1);
  });

  it('poll --provider NOPE (or one with nothing to poll): exit 2, and no poll is recorded', async () => {
    const runs = async () => (await db.pool.query(`select count(*)::int n from runs`)).rows[0];
    const before = await runs();
    const env = { ...offline, DATABASE_URL: db.url };
    expectUsageError(await runCli(['poll', '--provider', 'NOPE'], env), /^error: unknown provider NOPE: no such provider code/m);
    await db.pool.query(`insert into providers (provider_code, npi, tin, name, sftp_folder) values ('NOCONTRACT', '1234567893', '123456789', 'No contract', 'NOCONTRACT')`);
    expectUsageError(await runCli(['poll', '--provider', 'nocontract'], env), /^error: provider NOCONTRACT has no contract: its uploads\/ folder is not polled/m);
    expect(await runs()).toEqual(before);
  });

  it('generate --dry-run of a slot after today: allowed (a preview), nothing published or recorded', async () => {
    const out = path.join(dataDir, 'dry-future');
    const r = await runCli(['generate', 'mif', '--date', '2026-12-15', '--provider', 'ACME', '--now', '2026-11-20T10:00:00-08:00', '--dry-run', '--out', out, '--json'], { ...offline, DATABASE_URL: db.url });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ kind: 'mif', slot: '2026-12-15', dryRun: true });
    expect(fs.readdirSync(out).length).toBeGreaterThan(0);
    expect((await db.pool.query(`select count(*)::int n from runs`)).rows[0]).toEqual({ n: 0 });
    expect((await db.pool.query(`select count(*)::int n from outbound_files`)).rows[0]).toEqual({ n: 0 });
  });

  // ingest, poll and republish read a provider code in any case; generate refused `acme` as unknown
  it('generate --provider in lower case is the provider, as ingest, poll and republish read it', async () => {
    const out = path.join(dataDir, 'dry-lower');
    const r = await runCli(['generate', 'mif', '--date', '2026-11-15', '--provider', 'acme', '--now', '2026-11-15T10:00:00-08:00', '--dry-run', '--out', out, '--json'], { ...offline, DATABASE_URL: db.url });
    expect(r.code, r.stderr).toBe(0);
    expect((r.json as { units: { provider: string }[] }).units.map((u) => u.provider)).toContain('ACME');
  });

  it('generate mif --provider NOPE: exit 2, and no attempt is recorded against the slot', async () => {
    const r = await runCli(['generate', 'mif', '--date', '2026-11-15', '--provider', 'NOPE'], { ...offline, DATABASE_URL: db.url });
    expectUsageError(r, /^error: unknown provider NOPE/m);
    expect((await db.pool.query(`select count(*)::int n from runs`)).rows[0]).toEqual({ n: 0 });
  });

  // republish named a code that is no provider's as one with nothing published: "use generate",
  // which then refused it as unknown
  it('republish mif --provider NOPE: exit 2, an unknown provider, and no attempt is recorded', async () => {
    const r = await runCli(['republish', 'mif', '--provider', 'NOPE', '--date', '2026-11-15', '--reason', 'x', '--now', '2026-11-20T10:00:00-08:00'], { ...offline, DATABASE_URL: db.url });
    expectUsageError(r, /^error: unknown provider NOPE: no such provider code \(see the providers extract\)$/m);
    expect((await db.pool.query(`select count(*)::int n from runs`)).rows[0]).toEqual({ n: 0 });
  });

  // an address with no account (a typo) listed "no access recorded": read as someone who saw nothing
  it('audit access --user <an address with no account>: exit 2, not "no access recorded"', async () => {
    const env = { ...offline, DATABASE_URL: db.url };
    expectUsageError(await runCli(['audit', 'access', '--user', 'nobody@plan.example'], env), /^error: --user: no account nobody@plan\.example \(see `calaim-exchange users list`\)$/m);
    expect((await runCli(['users', 'add', '--email', 'somebody@plan.example', '--role', 'auditor'], env)).code).toBe(0);
    const r = await runCli(['audit', 'access', '--user', 'Somebody@plan.example'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('no access recorded');
  });

  // (last: it records an attempt, which the test above counts none of)
  it('runs --before <an attempt that does not exist>: exit 2, not "no runs" (read as: nothing older)', async () => {
    await db.pool.query(`insert into runs (job, slot, status, owner, attempt, trigger) values ('mif', '2026-11-15', 'SUCCEEDED', 'a', 1, 'cron')`);
    const id = (await db.pool.query(`select max(id)::int id from runs`)).rows[0].id as number;
    const env = { ...offline, DATABASE_URL: db.url };
    expectUsageError(await runCli(['runs', '--before', String(id + 1000)], env), new RegExp(`^error: --before: there is no attempt ${id + 1000} \\(its id, from the first column of \`runs\`\\)`, 'm'));
    const older = await runCli(['runs', '--before', String(id), '--json'], env);
    expect(older.code, older.stderr).toBe(0);
    expect(older.json).toEqual([]);
  });
});

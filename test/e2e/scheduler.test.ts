// The scheduler as ops run it: real `calaim-exchange scheduler` child processes sharing one
// database and one DATA_DIR (so both in-process sFTP servers publish into the same folders).
// Catch-up after a restart over the 15th, two instances on the same slot, SIGKILL mid-run,
// SIGTERM mid-run, and a manual `generate` against a scheduled run.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { seedPlan } from '../helpers/plan.js';

let db: TestDb;
let dataDir: string;
let env: Record<string, string>;
const children: ChildProcess[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  await db.pool.query(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end, requested_date, decision_date, assigned_date) values
    ('91000001A','HTN','HOMEWAY','HN','AUTHORIZED','Approved','A-100','2026-10-01','2027-03-31','2026-09-20','2026-09-28','2026-09-28'),
    ('91000005E','MTM','MEALS','HN','AUTHORIZED','Approved','A-200','2026-11-01','2027-04-30','2026-10-15','2026-10-20','2026-10-20')`);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-sched-e2e-'));
  env = {
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    DEV_SFTP_PORT: '0',
    HEARTBEAT_SECONDS: '1',
    ABANDON_AFTER_SECONDS: '5',
    CATCH_UP_DAYS: '1',
    LOG_LEVEL: 'warn',
  };
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Every file the in-process servers published, for one production date. */
function published(yyyymmdd: string): string[] {
  const root = path.join(dataDir, 'sftp');
  const out: string[] = [];
  for (const code of fs.existsSync(root) ? fs.readdirSync(root) : []) {
    const dir = path.join(root, code, 'downloads');
    if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir)) if (f.includes(`_${yyyymmdd}`)) out.push(`${code}/${f}`);
  }
  return out.sort();
}
const MIF_FILES = (d: string) => [`ACME/CV_MIF_1234567893_${d}.xlsx`, `ACME/HN_MIF_1234567893_${d}.xlsx`, `RIVAL/HN_MIF_1987654328_${d}.xlsx`];

/** The latest attempt at (job, slot). */
const run = async (job: string, slot: string) =>
  (await db.pool.query('select status, trigger, attempt, owner, error, counts from runs where job = $1 and slot = $2 order by id desc limit 1', [job, slot])).rows[0];

/** A long-running child: `calaim-exchange <args>`, stderr kept for diagnostics. */
function start(args: string[], extra: Record<string, string> = {}): { child: ChildProcess; stderr: () => string; exited: Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.on('data', (d) => (stdout += d));
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr, stdout })),
  );
  return { child, stderr: () => stderr, exited };
}

/** A publish gate file (see CALAIM_TEST_PUBLISH_GATE) letting `allowed` publishes through. */
function newGate(name: string, allowed: number): string {
  const f = path.join(dataDir, `gate-${name}`);
  fs.writeFileSync(f, String(allowed));
  return f;
}
/** The ordinal of the publish a gated process is at (0 before its first). */
function gateAt(gate: string): number {
  try {
    return Number(fs.readFileSync(`${gate}.at`, 'utf8'));
  } catch {
    return 0;
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 540_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
const publishedCount = async (kind: string, slot: string) =>
  (await db.pool.query<{ n: number }>(`select count(*)::int n from outbound_files where kind = $1 and slot = $2 and status = 'PUBLISHED'`, [kind, slot])).rows[0]!.n;

describe('scheduler (real processes)', () => {
  it('started on the 17th with no run for the 15th: catches up the 15th MIF and CSASF once', async () => {
    const first = await runCli(['scheduler', '--once', '--now', '2026-11-17T16:00:00Z', '--jobs', 'mif,csasf', '--json'], { ...env, CATCH_UP_DAYS: '35' });
    expect(first.code, first.stderr).toBe(0);
    const doc = first.json as { reports: { job: string; slot: string; status: string; trigger: string; counts: Record<string, number> }[]; failed: number };
    // only the current slots: October's, within 35 days of the 17th, are superseded and never sent
    expect(doc.reports.map((r) => [r.job, r.slot, r.status, r.trigger])).toEqual([
      ['mif', '2026-11-15', 'ran', 'catch-up'],
      ['csasf', '2026-11-15', 'ran', 'catch-up'],
    ]);
    expect(doc.reports[0]!.counts).toMatchObject({ units: 3, published: 3, failed: 0 });
    expect([...published('20261015'), ...published('20261029')]).toEqual([]);
    expect(published('20261115')).toEqual([
      ...MIF_FILES('20261115').slice(0, 2),
      'HOMEWAY/HN-CV_CSASF_1558598797_20261115.xlsx',
      'MEALS/HN_CSASF_1437825213_20261115.xlsx',
      MIF_FILES('20261115')[2],
    ]);
    const second = await runCli(['scheduler', '--once', '--now', '2026-11-17T16:30:00Z', '--jobs', 'mif,csasf', '--json'], { ...env, CATCH_UP_DAYS: '35' });
    expect(second.code, second.stderr).toBe(0);
    expect((second.json as { reports: unknown[] }).reports).toEqual([]);
    expect(published('20261115')).toHaveLength(5);
    expect(await publishedCount('MIF', '2026-11-15')).toBe(3);
    expect(await publishedCount('CSASF', '2026-11-15')).toBe(2);
  });

  it('two schedulers fire the same slot: exactly one run, exactly one file per provider unit', async () => {
    // both fire the 06:30 MIF trigger of 2026-12-15 (14:30Z) at once, as node-cron would
    const args = ['scheduler', '--fire', 'mif', '--now', '2026-12-15T14:30:00Z', '--json'];
    const [a, b] = await Promise.all([runCli(args, env), runCli(args, env)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const reports = [a, b].map((r) => (r.json as { reports: { status: string; trigger: string; slot: string }[] }).reports[0]!);
    expect(reports.every((r) => r.slot === '2026-12-15' && r.trigger === 'cron')).toBe(true);
    const statuses = reports.map((r) => r.status).sort();
    // the loser finds the slot claimed (busy) or, when it comes after the winner finished, done
    expect(statuses.filter((s) => s === 'ran')).toHaveLength(1);
    expect(['busy', 'already-done']).toContain(statuses.find((s) => s !== 'ran'));
    expect(await run('mif', '2026-12-15')).toMatchObject({ status: 'SUCCEEDED', trigger: 'cron', attempt: 1 });
    expect((await db.pool.query(`select count(*)::int n from runs where job = 'mif' and slot = '2026-12-15'`)).rows[0]).toEqual({ n: 1 });
    expect(published('20261215')).toEqual(MIF_FILES('20261215'));
    expect(await publishedCount('MIF', '2026-12-15')).toBe(3);
    // a fire on a day that is not a slot does nothing
    const off = await runCli(['scheduler', '--fire', 'csasf', '--now', '2026-12-16T14:45:00Z', '--json'], env);
    expect(off.code, off.stderr).toBe(0);
    expect((off.json as { reports: { status: string }[] }).reports[0]).toMatchObject({ status: 'skipped' });
  });

  it('the process running a slot is SIGKILLed: another instance completes it without duplicates', async () => {
    const now = '2027-01-15T15:00:00Z';
    const gate = newGate('sigkill', 1); // the first publish passes, the second is held
    const a = start(['scheduler', '--once', '--now', now, '--jobs', 'mif'], { CALAIM_TEST_PUBLISH_GATE: gate });
    await until('the first MIF file of the run', async () => (await publishedCount('MIF', '2027-01-15')) >= 1);
    await until('the second publish to be held at the gate', () => gateAt(gate) >= 2);
    a.child.kill('SIGKILL');
    const gone = await a.exited;
    expect(gone.signal).toBe('SIGKILL');
    expect(await run('mif', '2027-01-15')).toMatchObject({ status: 'RUNNING', attempt: 1 });
    expect(await publishedCount('MIF', '2027-01-15')).toBe(1);

    // a long-running instance: its catch-up loop takes the run over once the heartbeat is stale
    const b = start(['scheduler', '--now', now, '--jobs', 'mif', '--catch-up-interval', '1']);
    const done = await until('the take-over to finish', async () => {
      const r = await run('mif', '2027-01-15');
      return r?.status === 'SUCCEEDED' ? r : undefined;
    });
    expect(done).toMatchObject({ trigger: 'catch-up', attempt: 2 });
    b.child.kill('SIGTERM');
    const exit = await b.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(published('20270115')).toEqual(MIF_FILES('20270115'));
    expect(await publishedCount('MIF', '2027-01-15')).toBe(3);
    expect((await db.pool.query(`select count(*)::int n from outbound_files where kind = 'MIF' and slot = '2027-01-15'`)).rows[0]).toEqual({ n: 3 });
    const leftovers = fs.readdirSync(path.join(dataDir, 'sftp', 'ACME', 'downloads')).filter((f) => f.startsWith('.'));
    expect(leftovers).toEqual([]);
  });

  it('SIGTERM mid-run: the current unit finishes, the claim is released, exit 0; the next instance completes the slot', async () => {
    const now = '2027-03-15T14:00:00Z';
    // generate delivers two units at once: both are held at the gate, the third waits for a lane
    const gate = newGate('sigterm', 0);
    const a = start(['scheduler', '--now', now, '--jobs', 'mif'], { CALAIM_TEST_PUBLISH_GATE: gate, LOG_LEVEL: 'info' });
    await until('two publishes to be held at the gate', () => gateAt(gate) >= 2);
    a.child.kill('SIGTERM');
    // the unit in flight may finish once the scheduler has taken the stop request
    await until('the scheduler to take the stop request', () => a.stderr().includes('shutdown requested'));
    fs.writeFileSync(gate, '99');
    const exit = await a.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(await run('mif', '2027-03-15')).toMatchObject({ status: 'ABANDONED', error: 'released at shutdown' });
    const partial = await publishedCount('MIF', '2027-03-15');
    expect(partial).toBeGreaterThanOrEqual(1);
    expect(partial).toBeLessThan(3);

    const b = await runCli(['scheduler', '--once', '--now', now, '--jobs', 'mif', '--json'], env);
    expect(b.code, b.stderr).toBe(0);
    expect((b.json as { reports: { status: string; counts: Record<string, number> }[] }).reports[0]).toMatchObject({
      status: 'ran', counts: { published: 3 - partial, alreadyDone: partial },
    });
    expect(published('20270315')).toEqual(MIF_FILES('20270315'));
  });

  it('a manual generate during a scheduled run refuses, naming the job, or waits with --wait', async () => {
    const now = '2027-02-15T15:00:00Z';
    const gate = newGate('manual', 0); // the scheduled run holds before its first publish
    const a = start(['scheduler', '--once', '--now', now, '--jobs', 'mif', '--json'], { CALAIM_TEST_PUBLISH_GATE: gate });
    await until('the scheduled run to start', async () => (await run('mif', '2027-02-15'))?.status === 'RUNNING');
    // (--now: the slot's day; on the wall clock a slot in 2027 is in the future, and refused as such)
    const refused = await runCli(['generate', 'mif', '--date', '2027-02-15', '--now', now], env);
    const waiter = start(['generate', 'mif', '--date', '2027-02-15', '--now', now, '--wait', '300', '--json'], { LOG_LEVEL: 'info' });
    await until('the manual generate to wait for the scheduled run', () => waiter.stderr().includes('waiting for the running claimant'));
    fs.writeFileSync(gate, '99');
    const waitedExit = await waiter.exited;
    const waited = { code: waitedExit.code, stderr: waitedExit.stderr, json: JSON.parse(waitedExit.stdout) as unknown };
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^refused: mif for 2027-02-15 is already running \(started .* by .*\); try again when it has finished/);
    expect(waited.code, waited.stderr).toBe(0);
    const doc = waited.json as { published: number; units: { status: string }[] };
    expect(doc.published).toBe(0);
    expect(doc.units.map((u) => u.status)).toEqual(['ALREADY_DONE', 'ALREADY_DONE', 'ALREADY_DONE']);
    const sched = await a.exited;
    expect(sched.code, sched.stderr).toBe(0);
    expect(JSON.parse(sched.stdout).reports[0]).toMatchObject({ job: 'mif', slot: '2027-02-15', status: 'ran', counts: { published: 3 } });
    expect(published('20270215')).toEqual(MIF_FILES('20270215'));
    expect(await run('mif', '2027-02-15')).toMatchObject({ status: 'SUCCEEDED', trigger: 'manual', attempt: 2 });
    // the no-op manual attempt is appended: the scheduled attempt keeps its record
    expect((await db.pool.query(`select attempt, trigger, status, counts->'published' as published from runs where job = 'mif' and slot = '2027-02-15' order by id`)).rows).toEqual([
      { attempt: 1, trigger: 'catch-up', status: 'SUCCEEDED', published: 3 },
      { attempt: 2, trigger: 'manual', status: 'SUCCEEDED', published: 0 },
    ]);
  });

  it('after a downtime spanning two CSASF slots: only the current CSASF goes out, and no out-of-date digest', async () => {
    // last CSASF sent: 2026-11-15 (first test); the scheduler comes back at 08:00 PDT on 2027-05-16,
    // past the 04-15, 04-29 and 05-15 CSASF slots and the 05-06 and 05-11 digests
    const r = await runCli(['scheduler', '--once', '--now', '2027-05-16T15:00:00Z', '--jobs', 'csasf,missing-alert', '--json'], { ...env, CATCH_UP_DAYS: '35' });
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json as { reports: { job: string; slot: string; status: string; counts: Record<string, number> }[] };
    expect(doc.reports.map((x) => [x.job, x.slot, x.status])).toEqual([['csasf', '2027-05-15', 'ran']]);
    expect(doc.reports[0]!.counts).toMatchObject({ published: 2, failed: 0 });
    expect([...published('20270415'), ...published('20270429')]).toEqual([]);
    expect(published('20270515')).toEqual(['HOMEWAY/HN-CV_CSASF_1558598797_20270515.xlsx', 'MEALS/HN_CSASF_1437825213_20270515.xlsx']);
    expect((await db.pool.query(`select count(*)::int n from runs where job in ('csasf', 'missing-alert') and slot >= '2027-04-01'`)).rows[0]).toEqual({ n: 1 });
    expect((await db.pool.query(`select count(*)::int n from notifications where kind = 'missing-submissions'`)).rows[0]).toEqual({ n: 0 });
  });

  it('runs: history with counts and durations, as a table or JSON', async () => {
    const json = await runCli(['runs', '--job', 'mif', '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    type Attempt = {
      job: string; slot: string; status: string; trigger: string; attempt: number; durationMs: number; counts: Record<string, unknown>;
      slotStatus: string; timeZone: string; startedAt: string; startedAtLocal: string; published: { provider: string; lob: string; status: string; file: string }[];
    };
    const rows = json.json as Attempt[];
    expect(rows.map((r) => r.slot)).toEqual(expect.arrayContaining(['2026-11-15', '2026-12-15', '2027-01-15', '2027-02-15', '2027-03-15']));
    expect(rows.every((r) => r.job === 'mif' && r.durationMs >= 0 && r.timeZone === 'America/Los_Angeles')).toBe(true);
    const nov = rows.find((r) => r.slot === '2026-11-15')!;
    expect(nov).toMatchObject({ status: 'SUCCEEDED', slotStatus: 'SUCCEEDED', counts: { published: 3 } });
    // local times carry the plan zone's offset (PST in November)
    expect(nov.startedAtLocal).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}-0[78]:00$/);
    expect(Date.parse(nov.startedAtLocal)).toBe(Date.parse(nov.startedAt));
    // what each attempt published, per provider
    expect(nov.published.map((p) => [p.provider, p.lob, p.status, p.file])).toEqual(MIF_FILES('20261115').map((f) => {
      const [provider, file] = f.split('/') as [string, string];
      return [provider, file.slice(0, 2), 'PUBLISHED', file];
    }).sort((a, b) => `${a[0]}${a[3]}`.localeCompare(`${b[0]}${b[3]}`)));
    const feb = rows.filter((r) => r.slot === '2027-02-15').sort((a, b) => a.attempt - b.attempt);
    expect(feb.map((r) => [r.attempt, r.trigger, r.status, r.published.length])).toEqual([[1, 'catch-up', 'SUCCEEDED', 3], [2, 'manual', 'SUCCEEDED', 0]]);
    // the SIGKILLed attempt is in the history, ABANDONED by the attempt that took it over
    const jan = rows.filter((r) => r.slot === '2027-01-15').sort((a, b) => a.attempt - b.attempt);
    expect(jan.map((r) => [r.attempt, r.status, r.slotStatus])).toEqual([[1, 'ABANDONED', 'SUCCEEDED'], [2, 'SUCCEEDED', 'SUCCEEDED']]);
    expect(jan[0]!.published.length + jan[1]!.published.length).toBe(3);
    const text = await runCli(['runs', '--limit', '3'], env);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toBe('attempts, newest first; times in America/Los_Angeles');
    expect(lines[2]).toMatch(/^id\s+job\s+slot\s+try\s+trigger\s+status\s+slot status\s+started \(America\/Los_Angeles\)\s+duration\s+published\s+counts\s+reason \/ error$/);
    expect(lines).toHaveLength(7);
    expect(lines.slice(4).every((l) => / P[SD]T /.test(l))).toBe(true);
    expect((await runCli(['runs', '--limit', '0'], env)).code).toBe(2);
    expect((await runCli(['scheduler', '--jobs', 'nope', '--once'], env)).code).toBe(2);
  });
});

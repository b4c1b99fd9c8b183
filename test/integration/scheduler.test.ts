// The coordinator and scheduler against real Postgres: one claimant per (job, slot) among
// instances (cron triggers included), catch-up per policy, take-over of a run whose
// heartbeat stopped, graceful stop releasing the claim, and the missing-submission digest.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { jobDefinitions } from '../../jobs/schedule.js';
import { loadConfig, type Config } from '../../src/config.js';
import { log } from '../../src/log.js';
import { Coordinator, type JobDefinition } from '../../src/runs/coordinator.js';
import { markUnit, unitDone } from '../../src/repositories/run-units.js';
import { claimRun } from '../../src/repositories/run-ledger.js';
import { Scheduler } from '../../src/runs/scheduler.js';
import { findMissingSubmissions, missingSubmissionDigest } from '../../src/reports/missing.js';
import { readWorkbook } from '../../src/xlsx/reader.js';
import type { CellValue } from '../../src/xlsx/types.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { Gate, until } from '../helpers/gate.js';
import { seedPlan } from '../helpers/plan.js';

let db: TestDb;
let dataDir: string;
let config: Config;
const NOW = new Date('2026-11-17T16:00:00Z'); // 08:00 PST, Tuesday the 17th

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-sched-'));
  config = loadConfig({ DATA_DIR: dataDir, ABANDON_AFTER_SECONDS: '5', HEARTBEAT_SECONDS: '1', CATCH_UP_DAYS: '3' });
});
afterAll(async () => {
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A job whose work is counted, for ledger semantics without files. */
function fakeJob(name: string, over: Partial<JobDefinition> & { work?: JobDefinition['run'] } = {}): JobDefinition & { calls: string[] } {
  const calls: string[] = [];
  return {
    name,
    cron: '0 12 * * *',
    slotKind: 'date',
    at: '06:00',
    catchUp: 'current',
    isSlot: () => true,
    ...over,
    calls,
    run: async (ctx) => {
      calls.push(ctx.slot);
      return over.work ? over.work(ctx) : { ok: 1 };
    },
  };
}

/** The latest attempt at (job, slot). */
const runRow = async (job: string, slot: string) =>
  (await db.pool.query('select status, trigger, attempt, owner, error from runs where job = $1 and slot = $2 order by id desc limit 1', [job, slot])).rows[0];

describe('coordinator: one claimant per (job, slot)', () => {
  it('two instances firing the same slot at once: one runs it, the other does not', async () => {
    // the winner's work holds until the loser has answered, so the loser always meets a live claim
    const gate = new Gate();
    const job = fakeJob('f-same', { work: async () => (await gate.pass(), { ok: 1 }) });
    const a = new Coordinator([job], { pool: db.pool, config, owner: 'A' });
    const b = new Coordinator([job], { pool: db.pool, config, owner: 'B' });
    const instant = new Date('2026-11-15T14:30:00Z');
    const fires = [a.fire('f-same', instant), b.fire('f-same', instant)];
    const loser = await Promise.race(fires);
    expect(loser.status).toBe('busy');
    gate.open();
    const [ra, rb] = (await Promise.all(fires)) as [typeof loser, typeof loser];
    expect([ra.status, rb.status].sort()).toEqual(['busy', 'ran']);
    expect(job.calls).toEqual(['2026-11-15']);
    // a later fire of the same slot (another instance, a late trigger) finds it done
    expect((await b.fire('f-same', instant)).status).toBe('already-done');
    expect(await runRow('f-same', '2026-11-15')).toMatchObject({ status: 'SUCCEEDED', trigger: 'cron', attempt: 1 });
  });

  it('real node-cron triggers in two schedulers: every fire claims, exactly one run happens', async () => {
    // every second, a date slot: all fires of both schedulers are the same (job, today)
    const gate = new Gate();
    const job = fakeJob('f-cron', { cron: '* * * * * *', slotsInWindow: () => [], work: async () => (await gate.pass(), { ok: 1 }) });
    const reports: string[] = [];
    const mk = (owner: string) =>
      new Scheduler([job], { pool: db.pool, config, owner, catchUpIntervalMs: 3_600_000, onReport: (r, src) => src === 'cron' && reports.push(...r.map((x) => x.status)) });
    const s1 = mk('S1');
    const s2 = mk('S2');
    await Promise.all([s1.start(), s2.start()]);
    // while the one run holds, later fires of both schedulers meet its claim
    await gate.arrived();
    await until('two fires answered while the run holds', () => reports.length >= 2);
    gate.open();
    await until('the run to be reported', () => reports.includes('ran'));
    await Promise.all([s1.stop(), s2.stop()]);
    expect(job.calls).toHaveLength(1);
    const runs = (await db.pool.query(`select status, trigger from runs where job = 'f-cron'`)).rows;
    expect(runs).toEqual([{ status: 'SUCCEEDED', trigger: 'cron' }]);
    expect(reports.filter((s) => s === 'ran')).toHaveLength(1);
    expect(reports.length).toBeGreaterThanOrEqual(3);
    expect(reports.every((s) => ['ran', 'busy', 'already-done'].includes(s))).toBe(true);
  });

  it('a cron with a seconds field: two fires in one minute are two slots; two instances on one fire, one runs it', async () => {
    // the winner's work holds until both fires of the minute have been claimed
    const gate = new Gate();
    const job = fakeJob('f-fast', { slotKind: 'fire', cron: '*/15 * * * * *', catchUp: 'startup', work: async () => (await gate.pass(), { ok: 1 }) });
    const a = new Coordinator([job], { pool: db.pool, config, owner: 'A' });
    const b = new Coordinator([job], { pool: db.pool, config, owner: 'B' });
    const t0 = new Date('2026-11-30T18:00:00Z'); // 10:00:00 PST
    const t15 = new Date('2026-11-30T18:00:15Z');
    const info = vi.spyOn(log, 'info');
    const fires = [a.fire('f-fast', t0), b.fire('f-fast', t0)];
    expect(await Promise.race(fires)).toMatchObject({ status: 'busy', slot: '2026-11-30T10:00:00' });
    // meeting another scheduler on a frequent job's fire is routine: not an info line each time
    expect(info.mock.calls.map((c) => c[1])).not.toContain('slot is being run by another instance');
    info.mockRestore();
    // 15 s later, same minute, the first still running: a slot of its own, claimed and run
    const next = b.fire('f-fast', t15);
    await gate.arrived(2);
    gate.open();
    const [ra, rb] = (await Promise.all(fires)) as [Awaited<typeof next>, Awaited<typeof next>];
    expect([ra.status, rb.status].sort()).toEqual(['busy', 'ran']);
    expect(await next).toMatchObject({ status: 'ran', slot: '2026-11-30T10:00:15' });
    expect([...job.calls].sort()).toEqual(['2026-11-30T10:00:00', '2026-11-30T10:00:15']);
    const runs = (await db.pool.query(`select slot, status from runs where job = 'f-fast' order by slot`)).rows;
    expect(runs).toEqual([{ slot: '2026-11-30T10:00:00', status: 'SUCCEEDED' }, { slot: '2026-11-30T10:00:15', status: 'SUCCEEDED' }]);
    expect((await a.fire('f-fast', t15)).status).toBe('already-done');
  });

  it('a fire on a day that is not a slot does nothing (the 28th-31st CSASF guard)', async () => {
    const job = fakeJob('f-guard', { isSlot: (d) => d.endsWith('-29') });
    const c = new Coordinator([job], { pool: db.pool, config });
    expect((await c.fire('f-guard', new Date('2026-11-28T14:45:00Z'))).status).toBe('skipped');
    expect((await c.fire('f-guard', new Date('2026-11-29T14:45:00Z'))).status).toBe('ran');
    expect(job.calls).toEqual(['2026-11-29']);
  });
});

describe('scheduler: an overrunning job', () => {
  it('a fire while the job\'s previous fire still runs here is skipped: no ledger row, nothing piles up', async () => {
    const gate = new Gate();
    const job = fakeJob('f-overrun', { slotKind: 'fire', cron: '*/15 * * * * *', catchUp: 'startup', work: async () => (await gate.pass(), { ok: 1 }) });
    const reports: string[] = [];
    const s = new Scheduler([job], { pool: db.pool, config, owner: 'S', onReport: (r) => reports.push(...r.map((x) => `${x.slot} ${x.status}`)) });
    const at = (seconds: number) => new Date(Date.parse('2026-11-30T18:00:00Z') + seconds * 1000);
    const first = s.trigger('f-overrun', at(0));
    await gate.arrived();
    // a burst: a minute and more of fires while the first run holds, some of them missed by a busy event loop
    const loud = [vi.spyOn(log, 'warn'), vi.spyOn(log, 'info')];
    for (const sec of [15, 30, 45, 60, 75]) expect(await s.trigger('f-overrun', at(sec))).toMatchObject({ status: 'skipped', detail: 'previous fire still running' });
    s.missed('f-overrun', at(80));
    expect(loud.flatMap((spy) => spy.mock.calls)).toEqual([]);
    gate.open();
    expect(await first).toMatchObject({ status: 'ran', slot: '2026-11-30T10:00:00' });
    // once it has ended, the next fire runs
    expect(await s.trigger('f-overrun', at(90))).toMatchObject({ status: 'ran', slot: '2026-11-30T10:01:30' });
    // a fire missed while nothing runs is a warning
    s.missed('f-overrun', at(105));
    expect(loud[0]!.mock.calls.map((c) => c[1])).toEqual(['cron fire missed: the process was busy or paused at its time']);
    for (const spy of loud) spy.mockRestore();
    await s.stop();
    expect(job.calls).toEqual(['2026-11-30T10:00:00', '2026-11-30T10:01:30']);
    expect((await db.pool.query(`select slot from runs where job = 'f-overrun' order by id`)).rows).toEqual([{ slot: '2026-11-30T10:00:00' }, { slot: '2026-11-30T10:01:30' }]);
    expect(reports).toEqual(['2026-11-30T10:00:00 ran', '2026-11-30T10:01:30 ran']);
  });
});

describe('catch-up', () => {
  it('file generation: only the current slot; a missed or failed older slot is superseded by it and never run', async () => {
    const job = fakeJob('f-gen');
    await db.pool.query(`insert into runs (job, slot, status, owner) values ('f-gen', '2026-11-15', 'SUCCEEDED', 'x'), ('f-gen', '2026-11-16', 'FAILED', 'x')`);
    const c = new Coordinator([job], { pool: db.pool, config, now: () => NOW });
    const reports = await c.catchUp();
    expect(reports.map((r) => [r.slot, r.status, r.trigger])).toEqual([['2026-11-17', 'ran', 'catch-up']]);
    expect(job.calls).toEqual(['2026-11-17']);
    expect(await c.catchUp()).toEqual([]);
  });

  it('a downtime spanning two slots of a twice-monthly file: only the current one runs', async () => {
    const job = fakeJob('f-csasf', { isSlot: (d) => d.endsWith('-29') || d.endsWith('-15') });
    const c = new Coordinator([job], { pool: db.pool, config: { ...config, CATCH_UP_DAYS: 35 }, now: () => new Date('2026-11-30T16:00:00Z') });
    expect((await c.catchUp()).map((r) => [r.slot, r.status])).toEqual([['2026-11-29', 'ran']]);
    expect(job.calls).toEqual(['2026-11-29']);
  });

  it('alerts: only the latest missed slot', async () => {
    const job = fakeJob('f-alert', { catchUp: 'current' });
    const c = new Coordinator([job], { pool: db.pool, config, now: () => NOW });
    expect((await c.catchUp()).map((r) => r.slot)).toEqual(['2026-11-17']);
    expect(await c.catchUp()).toEqual([]);
  });

  it('a slot is not due before its local fire time', async () => {
    const job = fakeJob('f-early', { at: '09:00' });
    const c = new Coordinator([job], { pool: db.pool, config, now: () => NOW }); // 08:00 local
    expect((await c.catchUp()).map((r) => r.slot)).toEqual(['2026-11-16']);
  });

  it('the poll is not caught up: it runs once at start-up, at the current local minute (a five-field cron)', async () => {
    const job = fakeJob('f-poll', { slotKind: 'fire', cron: '* * * * *', catchUp: 'startup' });
    const c = new Coordinator([job], { pool: db.pool, config, now: () => NOW });
    expect(await c.catchUp()).toEqual([]);
    expect((await c.catchUp({ startup: true })).map((r) => [r.slot, r.status])).toEqual([['2026-11-17T08:00', 'ran']]);
  });

  it('a poll whose cron has a seconds field: the start-up run is the current second\'s slot', async () => {
    const job = fakeJob('f-poll-s', { slotKind: 'fire', cron: '*/15 * * * * *', catchUp: 'startup' });
    const c = new Coordinator([job], { pool: db.pool, config, now: () => new Date('2026-11-17T16:00:07.250Z') });
    expect((await c.catchUp({ startup: true })).map((r) => [r.slot, r.status])).toEqual([['2026-11-17T08:00:07', 'ran']]);
  });

  it('a run whose heartbeat stopped is taken over by any instance', async () => {
    await db.pool.query(`insert into runs (job, slot, status, owner, heartbeat_at) values ('f-dead', '2026-11-17', 'RUNNING', 'dead', now() - interval '1 minute')`);
    await db.pool.query(`insert into runs (job, slot, status, owner) values ('f-dead', '2026-11-15', 'SUCCEEDED', 'x'), ('f-dead', '2026-11-16', 'SUCCEEDED', 'x')`);
    const job = fakeJob('f-dead');
    const c = new Coordinator([job], { pool: db.pool, config, owner: 'C', now: () => NOW });
    const reports = await c.catchUp();
    expect(reports.map((r) => [r.slot, r.status])).toEqual([['2026-11-17', 'ran']]);
    expect(await runRow('f-dead', '2026-11-17')).toMatchObject({ status: 'SUCCEEDED', trigger: 'catch-up', attempt: 2, owner: 'C' });
  });

  it('while another instance is live on one of a job\'s slots, catch-up leaves that job to it', async () => {
    await db.pool.query(`insert into runs (job, slot, status, owner, heartbeat_at) values ('f-live', '2026-11-16', 'RUNNING', 'alive', now())`);
    const job = fakeJob('f-live');
    const c = new Coordinator([job], { pool: db.pool, config, owner: 'C', now: () => NOW });
    expect(await c.catchUp()).toEqual([]);
    await db.pool.query(`update runs set status = 'SUCCEEDED' where job = 'f-live'`);
    expect((await c.catchUp()).map((r) => r.slot)).toEqual(['2026-11-17']);
  });
});

describe('graceful stop', () => {
  /** Five units, each held at its gate until the test opens it; done units are recorded and skipped on a re-run. */
  const unitJob = (name: string, log: string[], gates: Gate[], ignoreSignal = false) =>
    fakeJob(name, {
      work: async (ctx) => {
        let done = 0;
        for (let u = 1; u <= 5; u++) {
          if (!ignoreSignal && ctx.signal.aborted) throw new Error('run stopped before it finished');
          if (await unitDone(db.pool, name, ctx.slot, `u${u}`)) continue;
          await gates[u - 1]!.pass();
          await markUnit(db.pool, name, ctx.slot, `u${u}`, 'DONE');
          log.push(`u${u}`);
          done++;
        }
        return { done };
      },
    });

  it('finishes the current unit, releases the claim, and another instance completes the rest without repeating a unit', async () => {
    const units: string[] = [];
    const gates = Array.from({ length: 5 }, () => new Gate());
    const a = new Coordinator([unitJob('f-stop', units, gates)], { pool: db.pool, config, owner: 'A', now: () => NOW });
    const running = a.runSlot('f-stop', '2026-11-17', 'cron');
    gates[0]!.open();
    await gates[1]!.arrived(); // u1 done, u2 in progress
    const stopping = a.stop(60_000);
    gates[1]!.open();
    const stopped = await stopping;
    expect(stopped).toEqual({ finished: 1, released: 0 });
    expect((await running).status).toBe('stopped');
    expect(units).toEqual(['u1', 'u2']);
    expect(await runRow('f-stop', '2026-11-17')).toMatchObject({ status: 'ABANDONED', owner: 'A', error: 'released at shutdown' });
    // a stopped coordinator starts nothing new
    expect((await a.runSlot('f-stop', '2026-11-16', 'cron')).status).toBe('stopped');

    for (const g of gates) g.open();
    const b = new Coordinator([unitJob('f-stop', units, gates)], { pool: db.pool, config, owner: 'B', now: () => NOW });
    const r = await b.runSlot('f-stop', '2026-11-17', 'catch-up');
    expect(r).toMatchObject({ status: 'ran', counts: { done: 3 } });
    expect(units).toEqual(['u1', 'u2', 'u3', 'u4', 'u5']);
    expect(await runRow('f-stop', '2026-11-17')).toMatchObject({ status: 'SUCCEEDED', owner: 'B', attempt: 2 });
  });

  it('a unit that outlasts the grace period: the claim is released at once for another instance', async () => {
    const units: string[] = [];
    const gates = Array.from({ length: 5 }, () => new Gate());
    const a = new Coordinator([unitJob('f-slow', units, gates, true)], { pool: db.pool, config, owner: 'A2', now: () => NOW });
    const running = a.runSlot('f-slow', '2026-11-17', 'cron');
    await gates[0]!.arrived(); // u1 is held: it outlasts any grace period
    expect(await a.stop(100)).toEqual({ finished: 0, released: 1 });
    expect(await runRow('f-slow', '2026-11-17')).toMatchObject({ status: 'ABANDONED' });
    const taken = await claimRun(db.pool, 'f-slow', '2026-11-17', 'B2', 'catch-up', config.ABANDON_AFTER_SECONDS);
    expect(taken.claimed).toBe(true);
    for (const g of gates) g.open();
    await running; // A2's late finish does not overwrite B2's claim
    expect(await runRow('f-slow', '2026-11-17')).toMatchObject({ status: 'RUNNING', owner: 'B2' });
  });
});

// ---------------------------------------------------------------- missing-submission digest

async function submission(provider: string, o: { period: string | null; outcome: string; verdict?: string; layouts: string[]; applied: boolean; receivedAt: string; duplicateOf?: number }): Promise<number> {
  const bytes = randomBytes(16);
  const sha = (await db.pool.query<{ h: string }>(`insert into file_blobs (sha256, size, bytes) values (encode(sha256($1), 'hex'), 16, $1) returning sha256 as h`, [bytes])).rows[0]!.h;
  const id = (await db.pool.query<{ id: number }>(
    `insert into submissions (provider_code, original_name, sha256, size, file_types, period, received_at, verdict, outcome, duplicate_of, state)
     values ($1, 'upload.xlsx', $2, 16, $3, $4, $5, $6, $7, $8, 'RESPONDED') returning id`,
    [provider, sha, o.layouts, o.period, o.receivedAt, o.verdict ?? null, o.outcome, o.duplicateOf ?? null],
  )).rows[0]!.id;
  // one row read, its lines not recorded (as a sheet recorded before lines were): it stands for every line
  for (const layout of o.layouts)
    await db.pool.query(`insert into submission_sheets (submission_id, sheet_name, layout, provider_code, period, applied, rows_read, rows_accepted, rows_rejected)
                         values ($1, $2, $2, $3, $4, $5, 1, $6, 1 - $6)`, [id, layout, provider, o.period, o.applied, o.applied ? 1 : 0]);
  return id;
}

/** A MIF (of a line) or CSASF published on `slot` listing `cins`: what makes a line owe its files (owedLines). */
async function sentMembers(provider: string, kind: 'MIF' | 'CSASF', lob: string | null, slot: string, cins: string[]): Promise<void> {
  const bytes = randomBytes(16);
  const sha = (await db.pool.query<{ h: string }>(`insert into file_blobs (sha256, size, bytes) values (encode(sha256($1), 'hex'), 16, $1) returning sha256 as h`, [bytes])).rows[0]!.h;
  const id = (await db.pool.query<{ id: number }>(
    `insert into outbound_files (kind, job, slot, provider_code, lob, status, file_name, sha256, row_count, published_at)
     values ($1, lower($1), $2, $3, $4, 'PUBLISHED', $5, $6, $7, $2::date) returning id`,
    [kind, slot, provider, lob, `${kind}_${provider}_${lob ?? ''}_${slot}.xlsx`, sha, cins.length],
  )).rows[0]!.id;
  for (const [i, cin] of cins.entries())
    await db.pool.query(`insert into outbound_file_rows (outbound_file_id, row_number, cin, service_code) values ($1, $2, $3, $4)`, [id, i + 2, cin, kind === 'CSASF' ? 'MTM' : null]);
}

async function readDigestXlsx(bytes: Buffer): Promise<CellValue[][]> {
  const rows: CellValue[][] = [];
  for await (const ev of readWorkbook(bytes, { recognise: (cells) => (cells[0] === 'Provider Code' ? cells : null), maxRows: 1000, maxColumns: 20 })) {
    if (ev.type === 'sheet') rows.push(ev.match);
    if (ev.type === 'row') rows.push(ev.cells);
  }
  return rows;
}

/** The first attachment of an .eml written by the outbox transport. */
function emlAttachment(eml: string): { filename: string; bytes: Buffer } {
  const m = /filename=([^\s;]+)[\s\S]*?\r?\n\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n--/.exec(eml);
  if (!m) throw new Error('no attachment in the message');
  return { filename: m[1]!.replace(/"/g, ''), bytes: Buffer.from(m[2]!.replace(/\s/g, ''), 'base64') };
}

describe('missing-submission digest', () => {
  it('lists, per provider and program, missing file types and declined / rejected files of the period', async () => {
    await db.pool.query(`update providers set liaison_email = 'other@plan.example' where provider_code = 'RIVAL'`);
    // October's MIF and CSASF listed members of each provider (the latest ones for November
    // too): every contracted provider owes its files
    await sentMembers('ACME', 'MIF', 'HN', '2026-10-15', ['91000001A']);
    await sentMembers('RIVAL', 'MIF', 'HN', '2026-10-15', ['91000005E']);
    await sentMembers('HOMEWAY', 'CSASF', null, '2026-10-15', ['91000001A']);
    await sentMembers('MEALS', 'CSASF', null, '2026-10-15', ['91000005E']);
    const rtf = await submission('ACME', { period: '2026-10-01', outcome: 'ACCEPTED', verdict: 'ON_TIME', layouts: ['RTF'], applied: true, receivedAt: '2026-11-03T17:00:00Z' });
    await submission('ACME', { period: '2026-10-01', outcome: 'REJECTED', layouts: ['RTF'], applied: false, receivedAt: '2026-11-04T17:00:00Z', duplicateOf: rtf });
    await submission('ACME', { period: null, outcome: 'REJECTED', layouts: [], applied: false, receivedAt: '2026-11-03T18:00:00Z' });
    await submission('RIVAL', { period: '2026-10-01', outcome: 'REJECTED', verdict: 'ON_TIME', layouts: ['RTF'], applied: false, receivedAt: '2026-11-02T17:00:00Z' });
    await submission('RIVAL', { period: '2026-10-01', outcome: 'PARTIALLY_ACCEPTED', verdict: 'ON_TIME', layouts: ['OTF'], applied: true, receivedAt: '2026-11-02T18:00:00Z' });
    await submission('HOMEWAY', { period: '2026-10-01', outcome: 'ACCEPTED_WITH_WARNINGS', verdict: 'ON_TIME', layouts: ['CSPRTF'], applied: true, receivedAt: '2026-11-05T17:00:00Z' });
    await submission('HOMEWAY', { period: '2026-09-01', outcome: 'REJECTED', verdict: 'ON_TIME', layouts: ['CSPRTF'], applied: false, receivedAt: '2026-10-05T17:00:00Z' });
    await submission('MEALS', { period: '2026-10-01', outcome: 'REJECTED', verdict: 'DECLINED_LATE', layouts: ['CSPRTF'], applied: false, receivedAt: '2026-11-11T09:00:00Z' });

    const rows = await findMissingSubmissions(db.pool, config, '2026-11-11');
    expect(rows.map((r) => [r.providerCode, r.program, r.missing, r.declined, r.rejected])).toEqual([
      ['ACME', 'ECM', ['OTF'], {}, { unrecognised: 1 }],
      ['MEALS', 'CS', ['CSPRTF'], { CSPRTF: 1 }, {}],
      ['RIVAL', 'ECM', ['RTF'], {}, { RTF: 1 }],
    ]);
    // each declined or rejected file, on the plan-local day it came in
    expect(rows.map((r) => r.files.map(({ submission: _id, ...f }) => f))).toEqual([
      [{ type: null, outcome: 'rejected', received: '2026-11-03', fileError: null }],
      [{ type: 'CSPRTF', outcome: 'declined', received: '2026-11-11', fileError: null }],
      [{ type: 'RTF', outcome: 'rejected', received: '2026-11-02', fileError: null }],
    ]);
    // on the 6th of the next month the digest is about November: every ECM file is missing,
    // nothing declined yet; the CSPRTF is on time through the 10th, so no CS provider is listed
    const dec = await findMissingSubmissions(db.pool, config, '2026-12-06');
    expect(dec.map((r) => [r.providerCode, r.missing])).toEqual([['ACME', ['RTF', 'OTF']], ['RIVAL', ['RTF', 'OTF']]]);
    const dec11 = await findMissingSubmissions(db.pool, config, '2026-12-11');
    expect(dec11.map((r) => [r.providerCode, r.missing])).toEqual([['ACME', ['RTF', 'OTF']], ['HOMEWAY', ['CSPRTF']], ['MEALS', ['CSPRTF']], ['RIVAL', ['RTF', 'OTF']]]);
  });

  it('sends one digest per liaison with an .xlsx, once per slot', async () => {
    const r = await missingSubmissionDigest(db.pool, config, '2026-11-11');
    expect(r).toMatchObject({ slot: '2026-11-11', period: '2026-10', digests: 2, alreadySent: 0, unrouted: 0 });
    const outbox = path.join(dataDir, 'outbox');
    const files = fs.readdirSync(outbox).filter((f) => f.includes('missing-submissions'));
    expect(files).toHaveLength(2);
    const emls = files.map((f) => fs.readFileSync(path.join(outbox, f), 'utf8'));
    const main = emls.find((e) => /^To: liaison@plan\.example/m.test(e))!;
    const other = emls.find((e) => /^To: other@plan\.example/m.test(e))!;
    expect(main).toMatch(/Subject: Missing provider submissions for 10\/2026: 2 provider\(s\)/);
    expect(main).toContain('ACME');
    expect(main).not.toContain('RIVAL');
    expect(other).toContain('RIVAL');
    const att = emlAttachment(main);
    expect(att.filename).toBe('MISSING_SUBMISSIONS_202610_20261111.xlsx');
    expect(await readDigestXlsx(att.bytes)).toEqual([
      ['Provider Code', 'Provider Name', 'Program', 'Missing File Types', 'Declined (Late) Files', 'Rejected Files', 'Detail'],
      ['ACME', 'Acme Community Health', 'ECM', 'OTF', 0, 1, 'OTF missing: no accepted file for 10/2026\nFile (type unknown) rejected: the file could not be used (received 11/03/2026)'],
      ['MEALS', 'Good Meals Co', 'CS', 'CSPRTF', 1, 0, 'CSPRTF missing: no accepted file for 10/2026\nCSPRTF declined: received 11/11/2026, after the 10th'],
    ]);
    // no member data: the digest never carries CINs
    expect(main.split('Content-Type: application')[0]).not.toMatch(/\b\d{8}[A-Z]\b/);
    const again = await missingSubmissionDigest(db.pool, config, '2026-11-11');
    expect(again).toMatchObject({ digests: 0, alreadySent: 2 });
    expect((await db.pool.query(`select count(*)::int n from notifications where kind = 'missing-submissions'`)).rows[0]).toEqual({ n: 2 });
    // a run that stopped after sending, before recording its liaisons done: the next one sends nothing again
    await db.pool.query(`delete from run_units where job = 'missing-alert' and slot = '2026-11-11'`);
    await missingSubmissionDigest(db.pool, config, '2026-11-11');
    expect((await db.pool.query(`select count(*)::int n from notifications where kind = 'missing-submissions'`)).rows[0]).toEqual({ n: 2 });
    expect(fs.readdirSync(outbox).filter((f) => f.includes('missing-submissions'))).toHaveLength(2);
    expect(await missingSubmissionDigest(db.pool, config, '2026-11-11')).toMatchObject({ digests: 0, alreadySent: 2 });
  });

  it('the real alert jobs under catch-up: only the current cycle (the 11th\'s digest the next day; not once it is out of date)', async () => {
    const cfg = { ...config, CATCH_UP_DAYS: 35, CATCH_UP_ALERT_DAYS: 2 };
    const coordinator = (now: Date) =>
      new Coordinator(jobDefinitions({ pool: db.pool, config: cfg, openSession: () => Promise.reject(new Error('no sftp')) }, ['missing-alert', 'minimif-sla']), {
        pool: db.pool, config: cfg, now: () => now,
      });
    const nextDay = coordinator(new Date('2026-11-12T17:00:00Z')); // 09:00 PST on the 12th
    const reports = await nextDay.catchUp();
    expect(reports.map((r) => [r.job, r.slot, r.status])).toEqual([['minimif-sla', '2026-11-12', 'ran'], ['missing-alert', '2026-11-11', 'ran']]);
    expect(reports[1]).toMatchObject({ counts: { period: '2026-10', providersListed: 3, digests: 0, alreadySent: 2 } });
    expect(await nextDay.catchUp()).toEqual([]);
    // on the 17th the 11th's digest about October is out of date: not sent, nor recorded as run
    const later = coordinator(NOW);
    expect((await later.catchUp()).map((r) => [r.job, r.slot, r.status])).toEqual([['minimif-sla', '2026-11-17', 'ran']]);
    expect(await later.catchUp()).toEqual([]);
  });
});

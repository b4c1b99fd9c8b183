// The run history is append-only: every attempt at a (job, slot) is its own row, written once
// when it ends, and the slot's status is derived from its attempts. What an attempt published is
// linked to it, so a no-op re-run cannot hide what an earlier attempt sent.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSlot } from '../../jobs/common.js';
import { loadConfig, type Config } from '../../src/config.js';
import { executeRun } from '../../src/runs/execute.js';
import { attemptPublications, listRuns, slotStatus } from '../../src/repositories/run-ledger.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSftp, type TestSftp } from '../helpers/dev-sftp.js';
import { seedPlan } from '../helpers/plan.js';

let db: TestDb;
let sftp: TestSftp;
let dataDir: string;
let config: Config;

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  sftp = await startTestSftp(['ACME', 'RIVAL', 'HOMEWAY', 'MEALS']);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-history-'));
  config = loadConfig({ DATA_DIR: dataDir, ABANDON_AFTER_SECONDS: '5', HEARTBEAT_SECONDS: '1' });
});
afterAll(async () => {
  await sftp.stop();
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const attempts = async (job: string, slot: string) =>
  (await db.pool.query('select id, status, trigger, attempt, counts, error from runs where job = $1 and slot = $2 order by id', [job, slot])).rows;

describe('append-only run history', () => {
  it('a no-op manual re-run is a second attempt: the cron attempt keeps its record and what it published', async () => {
    const deps = { pool: db.pool, config, openSession: () => sftp.openSession() };
    const slot = '2026-11-15';
    await executeRun(db.pool, config, 'mif', slot, { trigger: 'cron' }, (ctx) => generateSlot('mif', deps, { slot, signal: ctx.signal, run: ctx.run }));
    await executeRun(db.pool, config, 'mif', slot, { trigger: 'manual' }, (ctx) => generateSlot('mif', deps, { slot, signal: ctx.signal, run: ctx.run }));
    const rows = await attempts('mif', slot);
    expect(rows.map((r) => [r.attempt, r.trigger, r.status, r.counts.published, r.counts.alreadyDone])).toEqual([
      [1, 'cron', 'SUCCEEDED', 3, 0],
      [2, 'manual', 'SUCCEEDED', 0, 3],
    ]);
    const pubs = await attemptPublications(db.pool, rows.map((r) => r.id as number));
    expect((pubs.get(rows[0]!.id) ?? []).map((p) => [p.provider, p.lob, p.status, p.file])).toEqual([
      ['ACME', 'CV', 'PUBLISHED', 'CV_MIF_1234567893_20261115.xlsx'],
      ['ACME', 'HN', 'PUBLISHED', 'HN_MIF_1234567893_20261115.xlsx'],
      ['RIVAL', 'HN', 'PUBLISHED', 'HN_MIF_1987654328_20261115.xlsx'],
    ]);
    expect(pubs.get(rows[1]!.id) ?? []).toEqual([]);
    expect(await slotStatus(db.pool, 'mif', slot)).toBe('SUCCEEDED');
    const listed = await listRuns(db.pool, { job: 'mif' });
    expect(listed.map((r) => [r.attempt, r.trigger, r.slot_status])).toEqual([[2, 'manual', 'SUCCEEDED'], [1, 'cron', 'SUCCEEDED']]);
  });

  it('a failed attempt after a success is appended; the slot follows its latest decided attempt; a later success is appended again', async () => {
    const slot = '2026-12-01';
    await executeRun(db.pool, config, 'f-hist', slot, { trigger: 'cron' }, async () => ({ ok: 1 }));
    await expect(executeRun(db.pool, config, 'f-hist', slot, { trigger: 'manual' }, async () => { throw new Error('sftp down'); })).rejects.toThrow(/sftp down/);
    expect(await slotStatus(db.pool, 'f-hist', slot)).toBe('FAILED');
    const retry = await executeRun(db.pool, config, 'f-hist', slot, { trigger: 'catch-up' }, async () => ({ ok: 2 }));
    expect(retry.status).toBe('ran');
    expect((await attempts('f-hist', slot)).map((r) => [r.attempt, r.trigger, r.status, r.error])).toEqual([
      [1, 'cron', 'SUCCEEDED', null],
      [2, 'manual', 'FAILED', 'sftp down'],
      [3, 'catch-up', 'SUCCEEDED', null],
    ]);
    expect(await slotStatus(db.pool, 'f-hist', slot)).toBe('SUCCEEDED');
    // a scheduled trigger of a done slot adds nothing
    expect((await executeRun(db.pool, config, 'f-hist', slot, { trigger: 'cron' }, async () => ({}))).status).toBe('already-done');
    expect(await attempts('f-hist', slot)).toHaveLength(3);
  });

  it('a finished attempt cannot be rewritten or deleted', async () => {
    const [first] = await attempts('f-hist', '2026-12-01');
    await expect(db.pool.query(`update runs set counts = '{"ok": 99}' where id = $1`, [first!.id])).rejects.toThrow(/append-only/);
    await expect(db.pool.query(`update runs set status = 'FAILED' where id = $1`, [first!.id])).rejects.toThrow(/append-only/);
    await expect(db.pool.query(`delete from runs where id = $1`, [first!.id])).rejects.toThrow(/append-only/);
  });

  it('a stale attempt taken over stays in the history as ABANDONED', async () => {
    const slot = '2026-12-02';
    await db.pool.query(`insert into runs (job, slot, status, owner, trigger, heartbeat_at) values ('f-stale', $1, 'RUNNING', 'dead', 'cron', now() - interval '1 minute')`, [slot]);
    const r = await executeRun(db.pool, config, 'f-stale', slot, { trigger: 'catch-up', owner: 'alive' }, async () => ({ ok: 1 }));
    expect(r.status).toBe('ran');
    expect((await db.pool.query(`select attempt, owner, status, error from runs where job = 'f-stale' order by id`)).rows).toEqual([
      { attempt: 1, owner: 'dead', status: 'ABANDONED', error: 'heartbeat stopped; taken over by alive' },
      { attempt: 2, owner: 'alive', status: 'SUCCEEDED', error: null },
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { markUnit, unitDone } from '../../src/repositories/run-units.js';
import { claimRun } from '../../src/repositories/run-ledger.js';
import { executeRun, RunBusyError } from '../../src/runs/execute.js';
import { Coordinator } from '../../src/runs/coordinator.js';
import { jobDefinitions } from '../../jobs/schedule.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
const config = loadConfig({ ABANDON_AFTER_SECONDS: '5', HEARTBEAT_SECONDS: '1' });
beforeAll(async () => { db = await createTestDb(); });
afterAll(async () => { await db.drop(); });

describe('run ledger', () => {
  it('lets exactly one of many concurrent claimants run a slot', async () => {
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => claimRun(db.pool, 'mif', '2026-11-15', `p${i}`, 'cron', 60)));
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    expect(claims.filter((c) => !c.claimed && c.reason === 'running')).toHaveLength(7);
  });

  it('takes over a run whose heartbeat stopped, and refuses one that is alive', async () => {
    await claimRun(db.pool, 'csasf', '2026-11-15', 'dead', 'cron', 60);
    expect((await claimRun(db.pool, 'csasf', '2026-11-15', 'other', 'cron', 60)).claimed).toBe(false);
    await db.pool.query("update runs set heartbeat_at = now() - interval '10 minutes' where job = 'csasf'");
    const c = await claimRun(db.pool, 'csasf', '2026-11-15', 'other', 'catch-up', 60);
    expect(c.claimed).toBe(true);
    if (c.claimed) expect(c.run).toMatchObject({ owner: 'other', attempt: 2 });
  });

  it('a catch-up pass ends an attempt whose heartbeat stopped and that nothing will take over (a one-off reprocess killed mid-way): ABANDONED, not RUNNING for good; a live one stays', async () => {
    const dead = await claimRun(db.pool, 'reprocess', 'submission 7', 'killed-cli', 'manual', 60, 'contract loaded late');
    const live = await claimRun(db.pool, 'reprocess', 'submission 8', 'live-cli', 'manual', 60, 'contract loaded late');
    if (!dead.claimed || !live.claimed) throw new Error('not claimed');
    await db.pool.query(`update runs set heartbeat_at = now() - interval '10 minutes' where id = $1`, [dead.run.id]);
    const coordinator = new Coordinator(jobDefinitions({ pool: db.pool, config, openSession: () => Promise.reject(new Error('no sftp')) }, ['retention']), {
      pool: db.pool, config, owner: 'scheduler-A', now: () => new Date('2026-11-16T15:15:00Z'),
    });
    await coordinator.catchUp();
    const status = async (id: number) => (await db.pool.query(`select status, error, finished_at is not null as ended from runs where id = $1`, [id])).rows[0];
    expect(await status(dead.run.id)).toMatchObject({ status: 'ABANDONED', error: expect.stringMatching(/heartbeat stopped/), ended: true });
    expect(await status(live.run.id)).toMatchObject({ status: 'RUNNING', ended: false });
  });

  it('records units so a re-run skips them', async () => {
    expect(await unitDone(db.pool, 'mif', '2026-11-15', 'ACME|HN')).toBe(false);
    await markUnit(db.pool, 'mif', '2026-11-15', 'ACME|HN', 'DONE', { file: 'x' });
    expect(await unitDone(db.pool, 'mif', '2026-11-15', 'ACME|HN')).toBe(true);
  });

  it('executeRun: succeeds once, a scheduled repeat is already done, a manual run during a run is refused clearly', async () => {
    let resolveWork!: () => void;
    const gate = new Promise<void>((r) => (resolveWork = r));
    const first = executeRun(db.pool, config, 'poll', '2026-11-04T09:00', { trigger: 'cron' }, async () => { await gate; return { files: 1 }; });
    await new Promise((r) => setTimeout(r, 200));
    await expect(executeRun(db.pool, config, 'poll', '2026-11-04T09:00', { trigger: 'manual' }, async () => ({}))).rejects.toBeInstanceOf(RunBusyError);
    resolveWork();
    expect((await first).status).toBe('ran');
    const again = await executeRun(db.pool, config, 'poll', '2026-11-04T09:00', { trigger: 'cron' }, async () => ({ files: 2 }));
    expect(again.status).toBe('already-done');
    const row = (await db.pool.query("select status, counts from runs where job = 'poll'")).rows[0];
    expect(row).toEqual({ status: 'SUCCEEDED', counts: { files: 1 } });
  });

  it('a manual run waits for a running claimant when asked to', async () => {
    let done = false;
    const first = executeRun(db.pool, config, 'mini-mif', '2026-11-20', { trigger: 'cron' }, async () => { await new Promise((r) => setTimeout(r, 1500)); done = true; return {}; });
    await new Promise((r) => setTimeout(r, 100));
    const second = await executeRun(db.pool, config, 'mini-mif', '2026-11-20', { trigger: 'manual', waitMs: 10_000 }, async () => ({ sawFirstDone: done }));
    await first;
    expect(second.status).toBe('ran');
    if (second.status === 'ran') expect(second.result).toEqual({ sawFirstDone: true });
  });

  it('marks a failing run FAILED with its error, and it can be claimed again', async () => {
    await expect(executeRun(db.pool, config, 'csasf', '2026-11-29', { trigger: 'cron' }, async () => { throw new Error('quota exceeded'); })).rejects.toThrow(/quota/);
    expect((await db.pool.query("select status, error from runs where job = 'csasf' and slot = '2026-11-29'")).rows[0]).toEqual({ status: 'FAILED', error: 'quota exceeded' });
    const retry = await executeRun(db.pool, config, 'csasf', '2026-11-29', { trigger: 'catch-up' }, async () => ({ ok: true }));
    expect(retry.status).toBe('ran');
  });

  it('a run failed by a database error records it with the values it quotes masked (runs and /runs show it)', async () => {
    const pgError = Object.assign(new Error('invalid input syntax for type integer: "5000000000"'), { code: '22P02', severity: 'ERROR' });
    await expect(executeRun(db.pool, config, 'mif', '2026-12-15', { trigger: 'cron' }, async () => { throw pgError; })).rejects.toBe(pgError);
    const { error } = (await db.pool.query("select error from runs where job = 'mif' and slot = '2026-12-15'")).rows[0];
    expect(error).toBe('invalid input syntax for type integer: "…" (SQLSTATE 22P02)');
  });
});

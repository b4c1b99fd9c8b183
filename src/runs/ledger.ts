// The run ledger: a (job, slot) is claimed with insert-if-absent, so however many schedulers
// and operators fire the same slot, one claimant runs it. A claimant heartbeats; a run whose
// heartbeat stopped is abandoned and may be claimed again. Units (one per provider) are
// recorded as done so a re-run skips them.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { log } from '../log.js';

export type Trigger = 'cron' | 'catch-up' | 'manual';
export type RunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABANDONED';

export interface RunRow {
  id: number;
  job: string;
  slot: string;
  status: RunStatus;
  trigger: Trigger;
  owner: string;
  attempt: number;
  started_at: Date;
  heartbeat_at: Date;
  finished_at: Date | null;
  counts: Record<string, unknown>;
  error: string | null;
}

export const processOwner = (): string => `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

export type ClaimResult =
  | { claimed: true; run: RunRow }
  | { claimed: false; reason: 'done' | 'running'; run: RunRow };

/**
 * Claims (job, slot). A new slot is inserted; a FAILED or ABANDONED one, or a RUNNING one
 * whose heartbeat is older than abandonAfterSeconds, is taken over. A SUCCEEDED slot is
 * taken again only by a manual trigger (its done units are skipped, so that is safe).
 */
export async function claimRun(
  pool: pg.Pool | pg.PoolClient,
  job: string,
  slot: string,
  owner: string,
  trigger: Trigger,
  abandonAfterSeconds: number,
): Promise<ClaimResult> {
  const r = await pool.query<RunRow>(
    `insert into runs (job, slot, status, trigger, owner)
     values ($1, $2, 'RUNNING', $3, $4)
     on conflict (job, slot) do update
       set status = 'RUNNING', trigger = excluded.trigger, owner = excluded.owner, attempt = runs.attempt + 1,
           started_at = now(), heartbeat_at = now(), finished_at = null, error = null
       where runs.status in ('FAILED', 'ABANDONED')
          or (runs.status = 'RUNNING' and runs.heartbeat_at < now() - make_interval(secs => $5))
          or (runs.status = 'SUCCEEDED' and excluded.trigger = 'manual')
     returning *`,
    [job, slot, trigger, owner, abandonAfterSeconds],
  );
  if (r.rows[0]) return { claimed: true, run: r.rows[0] };
  const cur = await pool.query<RunRow>('select * from runs where job = $1 and slot = $2', [job, slot]);
  const run = cur.rows[0]!;
  return { claimed: false, reason: run.status === 'SUCCEEDED' ? 'done' : 'running', run };
}

/** Keeps the claim alive; calls onLost when another process has taken the run over. */
export function startHeartbeat(pool: pg.Pool, runId: number, owner: string, everySeconds: number, onLost: () => void): () => void {
  const timer = setInterval(() => {
    pool
      .query(`update runs set heartbeat_at = now() where id = $1 and owner = $2 and status = 'RUNNING'`, [runId, owner])
      .then((r) => {
        if (r.rowCount === 0) onLost();
      })
      .catch((err: Error) => log.warn({ runId, err: { message: err.message } }, 'heartbeat failed'));
  }, everySeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

export async function finishRun(
  pool: pg.Pool,
  runId: number,
  owner: string,
  status: 'SUCCEEDED' | 'FAILED',
  counts: Record<string, unknown>,
  error?: string,
): Promise<void> {
  await pool.query(
    `update runs set status = $3, counts = $4, error = $5, finished_at = now(), heartbeat_at = now()
     where id = $1 and owner = $2`,
    [runId, owner, status, JSON.stringify(counts), error ?? null],
  );
}

/** Gives a claim back (graceful shutdown): another instance may take the slot at once. */
export async function releaseRun(pool: pg.Pool, runId: number, owner: string): Promise<void> {
  await pool.query(`update runs set status = 'ABANDONED', finished_at = now() where id = $1 and owner = $2 and status = 'RUNNING'`, [runId, owner]);
}

export async function unitDone(pool: pg.Pool | pg.PoolClient, job: string, slot: string, unit: string): Promise<boolean> {
  const r = await pool.query(`select 1 from run_units where job = $1 and slot = $2 and unit = $3 and status in ('DONE', 'SKIPPED')`, [job, slot, unit]);
  return (r.rowCount ?? 0) > 0;
}

export async function markUnit(
  pool: pg.Pool | pg.PoolClient,
  job: string,
  slot: string,
  unit: string,
  status: 'DONE' | 'FAILED' | 'SKIPPED',
  detail: Record<string, unknown> = {},
): Promise<void> {
  await pool.query(
    `insert into run_units (job, slot, unit, status, detail) values ($1, $2, $3, $4, $5)
     on conflict (job, slot, unit) do update set status = excluded.status, detail = excluded.detail, finished_at = now()`,
    [job, slot, unit, status, JSON.stringify(detail)],
  );
}

export async function listRuns(pool: pg.Pool, opts: { job?: string; limit?: number } = {}): Promise<RunRow[]> {
  const r = await pool.query<RunRow>(
    `select * from runs where ($1::text is null or job = $1) order by started_at desc, id desc limit $2`,
    [opts.job ?? null, opts.limit ?? 50],
  );
  return r.rows;
}

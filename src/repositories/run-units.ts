// The units of a run (one per provider, or per liaison digest): recorded as done so a re-run of
// the same (job, slot) skips them. Written by the use cases a job runs (generate, the missing-file
// alert) inside their own transactions; the run ledger (src/repositories/run-ledger.ts) owns the attempts.
import type pg from 'pg';

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

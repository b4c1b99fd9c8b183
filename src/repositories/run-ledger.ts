// The run ledger: an append-only history of attempts. A (job, slot) is claimed by appending a
// RUNNING attempt, under a per-slot lock and a unique index on the live attempt, so however many
// schedulers and operators fire the same slot, one claimant runs it. A claimant heartbeats; an
// attempt whose heartbeat stopped is recorded ABANDONED and the slot may be claimed again by a
// new attempt. An attempt is written once when it ends and never rewritten (a database trigger
// refuses it); the slot's status is derived from its attempts (the run_slots view). Units (one
// per provider) are recorded as done so a re-run skips them: src/repositories/run-units.ts,
// which the jobs' use cases (generate, reports) call without depending on the scheduler.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { withTransaction } from '../db/pool.js';
import { log } from '../log.js';

export type Trigger = 'cron' | 'catch-up' | 'manual';
/**
 * DEFERRED: the attempt found its slot could not run yet (the SLA alert waiting for the day's
 * mini-MIF) and ended having done nothing; no failure, and the slot stays owed (catch-up runs it).
 */
export type RunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABANDONED' | 'DEFERRED';

export interface RunRow {
  /** The slot's status derived from all its attempts (listRuns only). */
  slot_status?: RunStatus;
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
  /** Why ops started it by hand (reprocess, republish); null for scheduled and plain manual runs. */
  reason: string | null;
  /** One provider's attempt (`generate --provider`): it decides nothing for the slot; null: the whole slot. */
  provider: string | null;
}

export const processOwner = (): string => `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

/** The lock one claim of (job, slot) at a time is taken under (for the transaction). */
const SLOT_CLAIM_LOCK = `select pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 0))`;

/**
 * Holds the claims of these (job, slot)s for the caller's transaction (no attempt can claim one
 * until it ends) and says whether any of them has a live attempt (RUNNING, heartbeat within
 * abandonAfterSeconds): what another run may be doing to the slot's files is left to it.
 */
export async function holdSlotClaims(c: pg.PoolClient, slots: readonly (readonly [job: string, slot: string])[], abandonAfterSeconds: number): Promise<{ live: boolean }> {
  for (const [job, slot] of slots) await c.query(SLOT_CLAIM_LOCK, [job, slot]);
  const r = await c.query(
    `select 1 from runs r join unnest($1::text[], $2::text[]) as s(job, slot) on r.job = s.job and r.slot = s.slot
      where r.status = 'RUNNING' and r.heartbeat_at >= now() - make_interval(secs => $3) limit 1`,
    [slots.map((x) => x[0]), slots.map((x) => x[1]), abandonAfterSeconds],
  );
  return { live: !!r.rowCount };
}

export type ClaimResult =
  | { claimed: true; run: RunRow }
  | { claimed: false; reason: 'done' | 'running'; run: RunRow };

/**
 * Claims (job, slot) by appending a RUNNING attempt. Refused while another attempt is RUNNING
 * with a live heartbeat; a RUNNING attempt whose heartbeat is older than abandonAfterSeconds is
 * recorded ABANDONED and a new attempt appended. A slot whose latest decided attempt SUCCEEDED
 * is done: claimed again only by a manual trigger (its done units are skipped, so that is safe).
 * An attempt for one `provider` holds the claim like any other, but only whole-slot attempts
 * decide whether the slot is done: the other providers' files are still owed after it.
 */
export async function claimRun(
  pool: pg.Pool,
  job: string,
  slot: string,
  owner: string,
  trigger: Trigger,
  abandonAfterSeconds: number,
  reason: string | null = null,
  provider: string | null = null,
): Promise<ClaimResult> {
  const c = await pool.connect();
  try {
    await c.query('begin');
    // One claimant at a time per slot: the check and the append below are one step.
    await c.query(SLOT_CLAIM_LOCK, [job, slot]);
    const live = await c.query<RunRow & { stale: boolean }>(
      `select *, heartbeat_at < now() - make_interval(secs => $3) as stale from runs
        where job = $1 and slot = $2 and status = 'RUNNING' for update`,
      [job, slot, abandonAfterSeconds],
    );
    const current = live.rows[0];
    if (current && !current.stale) {
      await c.query('rollback');
      const { stale: _stale, ...run } = current;
      return { claimed: false, reason: 'running', run };
    }
    if (current) {
      await c.query(`update runs set status = 'ABANDONED', finished_at = now(), error = $2 where id = $1`, [
        current.id,
        `heartbeat stopped; taken over by ${owner}`,
      ]);
    }
    const decided = await c.query<RunRow>(
      `select * from runs where job = $1 and slot = $2 and status in ('SUCCEEDED', 'FAILED') and provider is null order by id desc limit 1`,
      [job, slot],
    );
    const last = decided.rows[0];
    if (last?.status === 'SUCCEEDED' && trigger !== 'manual') {
      await c.query('commit');
      return { claimed: false, reason: 'done', run: last };
    }
    const r = await c.query<RunRow>(
      `insert into runs (job, slot, status, trigger, owner, attempt, reason, provider)
       values ($1, $2, 'RUNNING', $3, $4, (select count(*) + 1 from runs where job = $1 and slot = $2), $5, $6)
       returning *`,
      [job, slot, trigger, owner, reason, provider],
    );
    await c.query('commit');
    return { claimed: true, run: r.rows[0]! };
  } catch (err) {
    await c.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** Keeps the claim alive; calls onLost when another process has taken the run over. */
/**
 * Ends every RUNNING attempt whose heartbeat is older than abandonAfterSeconds (ABANDONED), as a
 * claim of its slot would: a slot nothing claims again (a one-off `reprocess` or `republish`
 * killed mid-way, a date slot past catch-up) would otherwise show its dead attempt as running for
 * good. A claim racing with this waits on the row and then finds it ended. Returns what it ended.
 */
export async function abandonStaleAttempts(pool: pg.Pool, owner: string, abandonAfterSeconds: number): Promise<{ id: number; job: string; slot: string }[]> {
  const r = await pool.query<{ id: string; job: string; slot: string }>(
    `update runs set status = 'ABANDONED', finished_at = now(), error = $2
      where status = 'RUNNING' and heartbeat_at < now() - make_interval(secs => $1)
      returning id, job, slot`,
    [abandonAfterSeconds, `heartbeat stopped; ended by ${owner}'s catch-up pass`],
  );
  return r.rows.map((x) => ({ id: Number(x.id), job: x.job, slot: x.slot }));
}

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
  status: 'SUCCEEDED' | 'FAILED' | 'ABANDONED' | 'DEFERRED',
  counts: Record<string, unknown>,
  error?: string,
): Promise<void> {
  // Only a RUNNING attempt ends: one taken over meanwhile keeps the ABANDONED its taker wrote.
  await pool.query(
    `update runs set status = $3, counts = $4, error = $5, finished_at = now(), heartbeat_at = now()
     where id = $1 and owner = $2 and status = 'RUNNING'`,
    [runId, owner, status, JSON.stringify(counts), error ?? null],
  );
}

/** The error of an attempt that gave its claim back at shutdown. */
export const RELEASED_AT_SHUTDOWN = 'released at shutdown';

/** Gives a claim back (graceful shutdown): another instance may take the slot at once. */
export async function releaseRun(pool: pg.Pool, runId: number, owner: string): Promise<void> {
  await pool.query(`update runs set status = 'ABANDONED', error = $3, finished_at = now() where id = $1 and owner = $2 and status = 'RUNNING'`, [
    runId,
    owner,
    RELEASED_AT_SHUTDOWN,
  ]);
}

/**
 * Attempts, newest first, each with its slot's derived status; with `before` (an attempt's id),
 * the page of attempts older than that one (started earlier, or at the same time with a lower id).
 */
export async function listRuns(pool: pg.Pool, opts: { job?: string; limit?: number; before?: number } = {}): Promise<RunRow[]> {
  // The page of attempts first, then each one's slot status (only those slots are aggregated).
  const r = await pool.query<RunRow>(
    `with page as (
       select * from runs
        where ($1::text is null or job = $1)
          and ($3::bigint is null or (started_at, id) < (select b.started_at, b.id from runs b where b.id = $3))
        order by started_at desc, id desc limit $2)
     select p.*, (select s.status from run_slots s where s.job = p.job and s.slot = p.slot) as slot_status
       from page p order by p.started_at desc, p.id desc`,
    [opts.job ?? null, opts.limit ?? 50, opts.before ?? null],
  );
  return r.rows;
}

/** Whether attempt `id` is on record (a page of `runs` starts below one). */
export async function attemptExists(pool: pg.Pool, id: number): Promise<boolean> {
  return (await pool.query('select 1 from runs where id = $1', [id])).rowCount === 1;
}

/** A slot's status derived from its attempts (undefined when it has none). */
export async function slotStatus(pool: pg.Pool, job: string, slot: string): Promise<RunStatus | undefined> {
  const r = await pool.query<{ status: RunStatus }>('select status from run_slots where job = $1 and slot = $2', [job, slot]);
  return r.rows[0]?.status;
}

/** Each slot's derived status and whether its RUNNING attempt's heartbeat is older than abandonAfterSeconds. */
export async function slotStates(pool: pg.Pool, job: string, slots: string[], abandonAfterSeconds: number): Promise<Map<string, { status: RunStatus; stale: boolean }>> {
  const r = await pool.query<{ slot: string; status: RunStatus; stale: boolean }>(
    `select slot, status, coalesce(running_heartbeat_at < now() - make_interval(secs => $3), false) as stale
       from run_slots where job = $1 and slot = any($2)`,
    [job, slots, abandonAfterSeconds],
  );
  return new Map(r.rows.map((x) => [x.slot, { status: x.status, stale: x.stale }]));
}

export interface Publication {
  provider: string;
  lob: string | null;
  status: 'PUBLISHED' | 'EMPTY';
  file: string | null;
  rows: number;
  publishedAt: Date | null;
}

/** What each attempt published (or recorded as empty), per provider unit, by attempt id. */
export async function attemptPublications(pool: pg.Pool, runIds: number[]): Promise<Map<number, Publication[]>> {
  const out = new Map<number, Publication[]>();
  if (runIds.length === 0) return out;
  const r = await pool.query<{ run_id: number; provider_code: string; lob: string | null; status: Publication['status']; file_name: string | null; row_count: number; published_at: Date | null }>(
    `select run_id, provider_code, lob, status, file_name, row_count, published_at from outbound_files
      where run_id = any($1) and status in ('PUBLISHED', 'EMPTY') order by run_id, provider_code, file_name nulls last, lob`,
    [runIds],
  );
  for (const x of r.rows) {
    const list = out.get(Number(x.run_id)) ?? [];
    list.push({ provider: x.provider_code, lob: x.lob, status: x.status, file: x.file_name, rows: x.row_count, publishedAt: x.published_at });
    out.set(Number(x.run_id), list);
  }
  return out;
}

/** A job's idle attempt: SUCCEEDED with each of these counts zero or absent (a poll that found no file). */
export interface IdleAttempts {
  job: string;
  zeroCounts: readonly string[];
}

export interface RunPurgeOptions {
  /** The jobs whose idle attempts go after `idleDays`: only jobs with one slot per fire, which catch-up never looks back at. */
  idle: readonly IdleAttempts[];
  idleDays: number;
  /** Any other ended attempt goes after this many days (BLOB_RETENTION_DAYS) ... */
  recordDays: number;
  /** ... and never sooner than a day past this (CATCH_UP_DAYS): a slot catch-up may still run keeps its attempts. */
  catchUpDays: number;
  batch?: number;
  signal?: AbortSignal;
}

/**
 * [POLICY] Retention of the run ledger, on the database's clock (the ledger's own): deletes the
 * idle attempts of `idle` jobs that ended more than `idleDays` ago, and any other ended attempt
 * that ended more than max(`recordDays`, `catchUpDays` + 1) days ago. Never a RUNNING attempt, an
 * attempt an outbound file or a submission points to, or the latest successful attempt of a job
 * (the health check's last poll). In batches, each its own transaction, the only one in which
 * the append-only trigger lets an attempt go (calaim.purge_runs, migration 0044).
 */
export async function purgeRuns(pool: pg.Pool, opts: RunPurgeOptions): Promise<{ idle: number; records: number }> {
  const batch = opts.batch ?? 5000;
  const kept = `r.status <> 'RUNNING' and r.finished_at is not null
    and not exists (select 1 from outbound_files o where o.run_id = r.id)
    and not exists (select 1 from submissions s where s.reprocess_run_id = r.id)
    and (r.status <> 'SUCCEEDED' or r.finished_at < (select max(x.finished_at) from runs x where x.job = r.job and x.status = 'SUCCEEDED'))`;
  const purge = async (where: string, params: unknown[]): Promise<number> => {
    let total = 0;
    for (;;) {
      if (opts.signal?.aborted) return total;
      const n = await withTransaction(pool, async (c) => {
        await c.query(`select set_config('calaim.purge_runs', 'on', true)`);
        return (await c.query(`delete from runs where id in (select r.id from runs r where ${kept} and ${where} limit ${batch})`, params)).rowCount ?? 0;
      });
      total += n;
      if (n < batch) return total;
    }
  };
  let idle = 0;
  for (const rule of opts.idle) {
    idle += await purge(
      `r.job = $1 and r.status = 'SUCCEEDED' and r.provider is null and r.reason is null
       and r.finished_at < now() - make_interval(days => $2)
       and not exists (select 1 from unnest($3::text[]) k where coalesce(r.counts ->> k, '0') <> '0')`,
      [rule.job, opts.idleDays, rule.zeroCounts],
    );
  }
  const records = await purge(`r.finished_at < now() - make_interval(days => $1)`, [Math.max(opts.recordDays, opts.catchUpDays + 1)]);
  return { idle, records };
}

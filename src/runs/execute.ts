// Runs one (job, slot) under the ledger: claim, heartbeat, finish. Both the scheduler and
// manual commands go through here, so a manual run and a scheduled run never overlap.
import type pg from 'pg';
import type { Config } from '../config.js';
import { errorText, log } from '../log.js';
import { claimRun, finishRun, processOwner, RELEASED_AT_SHUTDOWN, startHeartbeat, type RunRow, type Trigger } from '../repositories/run-ledger.js';

export class RunBusyError extends Error {
  /** @param abandonAfterSeconds when a claim whose process stopped is given up (its heartbeat that old) */
  constructor(public readonly run: RunRow, abandonAfterSeconds: number) {
    super(`${run.job} for ${run.slot} is already running (started ${run.started_at.toISOString()} by ${run.owner}); try again when it has finished`
      + ` (a process that stopped gives it up once its heartbeat is ${abandonAfterSeconds} s old: ABANDON_AFTER_SECONDS)`);
    this.name = 'RunBusyError';
  }
}

/**
 * Thrown by a job whose slot cannot run yet (the mini-MIF SLA alert while the day's mini-MIF is
 * still being sent): the attempt is recorded DEFERRED, not FAILED, and the slot stays owed.
 * The message says what it waits for (no PHI: it is recorded and logged).
 */
export class RunDeferredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunDeferredError';
  }
}

export interface RunContext {
  run: RunRow;
  owner: string;
  /** Aborted when the claim was lost or the process is shutting down. */
  signal: AbortSignal;
}

export type RunOutcome<T> = { status: 'ran'; run: RunRow; result: T } | { status: 'already-done'; run: RunRow };

export interface ExecuteOptions {
  trigger: Trigger;
  owner?: string;
  /** Wait for a running claimant instead of refusing. */
  waitMs?: number;
  signal?: AbortSignal;
  /** Why ops started it (recorded on the attempt). */
  reason?: string;
  /** Only this provider's units (`generate --provider`): the slot stays owed to the others. */
  provider?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function executeRun<T extends Record<string, unknown>>(
  pool: pg.Pool,
  config: Config,
  job: string,
  slot: string,
  opts: ExecuteOptions,
  work: (ctx: RunContext) => Promise<T>,
): Promise<RunOutcome<T>> {
  const owner = opts.owner ?? processOwner();
  const deadline = performance.now() + (opts.waitMs ?? 0); // elapsed time: monotonic
  let claim = await claimRun(pool, job, slot, owner, opts.trigger, config.ABANDON_AFTER_SECONDS, opts.reason ?? null, opts.provider ?? null);
  let announced = false;
  while (!claim.claimed && claim.reason === 'running' && performance.now() < deadline) {
    if (!announced) log.info({ job, slot, owner: claim.run.owner }, 'waiting for the running claimant to finish');
    announced = true;
    await sleep(1000);
    claim = await claimRun(pool, job, slot, owner, opts.trigger, config.ABANDON_AFTER_SECONDS, opts.reason ?? null, opts.provider ?? null);
  }
  if (!claim.claimed) {
    if (claim.reason === 'done') return { status: 'already-done', run: claim.run };
    throw new RunBusyError(claim.run, config.ABANDON_AFTER_SECONDS);
  }
  const ac = new AbortController();
  const onOuterAbort = () => ac.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuterAbort);
  const stopHeartbeat = startHeartbeat(pool, claim.run.id, owner, config.HEARTBEAT_SECONDS, () => {
    log.error({ job, slot }, 'run claim lost to another instance; stopping');
    ac.abort(new Error('claim lost'));
  });
  log.info({ job, slot, trigger: opts.trigger, attempt: claim.run.attempt }, 'run started');
  try {
    const result = await work({ run: claim.run, owner, signal: ac.signal });
    await finishRun(pool, claim.run.id, owner, 'SUCCEEDED', result);
    log.info({ job, slot, counts: result }, 'run succeeded');
    return { status: 'ran', run: { ...claim.run, status: 'SUCCEEDED' }, result };
  } catch (err) {
    if (err instanceof RunDeferredError && !opts.signal?.aborted) {
      await finishRun(pool, claim.run.id, owner, 'DEFERRED', {}, err.message).catch((e: Error) =>
        log.error({ job, slot, err: { message: e.message } }, 'could not record the deferred run'),
      );
      log.info({ job, slot, reason: err.message }, 'run deferred');
      throw err;
    }
    // (recorded, shown by `runs` and on /runs, and logged: a database error's quoted values masked)
    const message = errorText(err);
    // Stopped by a shutdown: the attempt gives its claim back (ABANDONED), so another instance
    // takes the slot at once; its own error is in the log.
    const released = opts.signal?.aborted === true;
    await finishRun(pool, claim.run.id, owner, released ? 'ABANDONED' : 'FAILED', {}, released ? RELEASED_AT_SHUTDOWN : message).catch((e: Error) =>
      log.error({ job, slot, err: { message: e.message } }, 'could not record the failed run'),
    );
    log.error({ job, slot, err: { message } }, 'run failed');
    throw err;
  } finally {
    stopHeartbeat();
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}

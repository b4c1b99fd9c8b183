// The run coordinator (DESIGN.md §6): turns a cron fire or a catch-up pass into (job, slot)
// claims in the run ledger and runs only what this process claimed. It knows jobs only as
// definitions handed in (the table lives in jobs/schedule.ts), so this layer never imports
// the jobs above it.
import type pg from 'pg';
import type { IsoDate } from '../../schemas/primitives.js';
import { addDays, daysBetween } from '../../schemas/primitives.js';
import { localDate, localDateTimeToInstant, localParts } from '../calendar/zone.js';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { log } from '../log.js';
import { executeRun, RunBusyError, RunDeferredError } from './execute.js';
import { abandonStaleAttempts, processOwner, releaseRun, slotStates, type RunRow, type Trigger } from '../repositories/run-ledger.js';

/**
 * How missed slots are made up (catch-up never sends a stale file):
 * - `current`: only the job's current slot, the latest one due within CATCH_UP_DAYS, if it has
 *   not succeeded. An older missed slot is superseded by it and never run (the later file carries
 *   what the missed one would have). A job with `catchUpLateDays` (digests and alerts) makes up
 *   its current slot only within that many days of the slot's date;
 * - `startup`: not caught up; run once when the scheduler starts (polling: it runs every few
 *   minutes anyway).
 */
export type CatchUpPolicy = 'current' | 'startup';

export interface JobContext {
  slot: string;
  trigger: Trigger;
  /** The scheduler clock when the run began (the wall clock unless pinned with --now). */
  now: Date;
  /** Aborted when the claim is lost or the process shuts down: stop after the current unit. */
  signal: AbortSignal;
  run: RunRow;
}

export interface JobDefinition {
  name: string;
  /** node-cron expression, evaluated in the plan time zone. */
  cron: string;
  /**
   * `date`: one slot per plan-local date (YYYY-MM-DD); `fire`: one per cron fire, the plan-local
   * fire time to the minute (YYYY-MM-DDTHH:mm) or, for a cron with a seconds field, to the second
   * (YYYY-MM-DDTHH:mm:ss).
   */
  slotKind: 'date' | 'fire';
  /** Local time of day (HH:mm) the date slot fires: a slot is due for catch-up only after it. */
  at?: string;
  /** Date jobs: whether a date is a real slot (a cron day list like 28-31 is narrowed here). */
  isSlot?: (date: IsoDate) => boolean;
  /** Date jobs: the slots in the catch-up window ending with `today` (inclusive). */
  slotsInWindow?: (today: IsoDate, days: number) => IsoDate[];
  catchUp: CatchUpPolicy;
  /** Date jobs (digests, alerts): the current slot is made up only within this many days of its date. */
  catchUpLateDays?: number;
  run: (ctx: JobContext) => Promise<Record<string, unknown>>;
}

export type RunReport =
  | { job: string; slot: string; trigger: Trigger; status: 'ran'; counts: Record<string, unknown>; ms: number }
  | { job: string; slot: string; trigger: Trigger; status: 'already-done' | 'busy' | 'skipped' | 'stopped' | 'deferred'; detail?: string }
  | { job: string; slot: string; trigger: Trigger; status: 'failed'; error: string; ms: number };

// ---------------------------------------------------------------- pure slot rules

/**
 * Whether a node-cron expression has a seconds field (six fields: second minute hour
 * day-of-month month day-of-week). Such a job can fire more than once a minute, so its fires
 * need slots to the second.
 */
export function cronHasSeconds(expression: string): boolean {
  return expression.trim().split(/\s+/).length === 6;
}

/**
 * The slot of a fire-based job fired at `instant`: the plan-local minute, or the plan-local
 * second when `seconds` (a cron that fires more than once a minute). In the repeated hour of a
 * fall-back day the second (standard-time) occurrence carries its offset, so the two 01:05
 * polls of 2026-11-01 are two slots, not one skipped as "already done".
 */
export function fireSlot(instant: Date, tz: string, seconds: boolean): string {
  const p = localParts(instant, tz);
  const base = `${p.date}T${p.time.slice(0, seconds ? 8 : 5)}`;
  const hourEarlier = localParts(new Date(instant.getTime() - 3_600_000), tz);
  const repeated = hourEarlier.date === p.date && hourEarlier.time.slice(0, 5) === p.time.slice(0, 5);
  if (!repeated) return base;
  const abs = Math.abs(p.offsetMinutes);
  const sign = p.offsetMinutes < 0 ? '-' : '+';
  return `${base}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * The slot of an operator's `poll` at `instant`: its plan-local second, marked as manual. Without
 * the mark it could be the very slot of a scheduler's poll fire (every 15 s, to the second),
 * and the operator's poll would wait for that run and then find its slot done.
 */
export const manualPollSlot = (instant: Date, tz: string): string => `${fireSlot(instant, tz, true)} manual`;

/** The slot of a fire-based job's run at `instant`, to its cron's precision. */
const slotOfJobFire = (job: Pick<JobDefinition, 'cron'>, instant: Date, tz: string): string => fireSlot(instant, tz, cronHasSeconds(job.cron));

/** The slot a cron fire at `instant` stands for, or null when that day is not a slot of the job. */
export function slotOfFire(job: Pick<JobDefinition, 'slotKind' | 'isSlot' | 'cron'>, instant: Date, tz: string): string | null {
  if (job.slotKind === 'fire') return slotOfJobFire(job, instant, tz);
  const date = localDate(instant, tz);
  return !job.isSlot || job.isSlot(date) ? date : null;
}

/** The first instant a date slot is due: its local fire time (DST gaps move forward). */
export function slotDueAt(job: Pick<JobDefinition, 'at'>, slot: IsoDate, tz: string): Date {
  return localDateTimeToInstant(slot, job.at ?? '00:00', tz);
}

/** Due date slots of a job in the catch-up window ending at `now`, oldest first. */
export function dueSlots(job: JobDefinition, now: Date, tz: string, catchUpDays: number): IsoDate[] {
  if (job.slotKind !== 'date') return [];
  const today = localDate(now, tz);
  const window = job.slotsInWindow
    ? job.slotsInWindow(today, catchUpDays)
    : Array.from({ length: catchUpDays }, (_, i) => addDays(today, i - catchUpDays + 1)).filter((d) => !job.isSlot || job.isSlot(d));
  return window.filter((slot) => slotDueAt(job, slot, tz).getTime() <= now.getTime());
}

interface LedgerState { status: RunRow['status']; stale: boolean }

/**
 * Whether a job's current slot is too old to be made up at `now`: only jobs with
 * `catchUpLateDays` (digests and alerts) age out, `catchUpLateDays` plan-local days after the
 * slot's date (1 → only on the slot's own date).
 */
export function outOfDate(job: Pick<JobDefinition, 'catchUpLateDays'>, slot: IsoDate, now: Date, tz: string): boolean {
  if (job.catchUpLateDays === undefined) return false;
  return daysBetween(slot, localDate(now, tz)) >= job.catchUpLateDays;
}

/**
 * What catch-up should run: with `current`, the latest due slot (the current one) when it has no
 * attempt, or its slot status is FAILED, ABANDONED or DEFERRED, or its running attempt stopped
 * heartbeating; older due slots never (superseded). Nothing while another instance is live on
 * one of the job's due slots (catch-up of a job is serialised across instances, so two mini-MIF
 * slots never build at once). `startup` → none.
 */
export function slotsToCatchUp(policy: CatchUpPolicy, due: string[], ledger: Map<string, LedgerState>): string[] {
  if (policy !== 'current') return [];
  const missing = (slot: string) => {
    const s = ledger.get(slot);
    return !s || s.status === 'FAILED' || s.status === 'ABANDONED' || s.status === 'DEFERRED' || (s.status === 'RUNNING' && s.stale);
  };
  const live = due.some((slot) => {
    const s = ledger.get(slot);
    return s?.status === 'RUNNING' && !s.stale;
  });
  const current = due[due.length - 1];
  return !live && current !== undefined && missing(current) ? [current] : [];
}

// ---------------------------------------------------------------- the coordinator

export interface CoordinatorOptions {
  pool: pg.Pool;
  config: Config;
  /** Ledger owner of this process's runs (default hostname:pid:random). */
  owner?: string;
  /** The scheduler clock (default: the wall clock). */
  now?: Clock;
}

interface InFlight { job: string; slot: string; promise: Promise<RunReport>; runId?: number }

export class Coordinator {
  readonly owner: string;
  readonly jobs: ReadonlyMap<string, JobDefinition>;
  private readonly pool: pg.Pool;
  private readonly config: Config;
  private readonly clock: Clock;
  private readonly stopping = new AbortController();
  private readonly inFlight = new Map<string, InFlight>();

  constructor(jobs: JobDefinition[], opts: CoordinatorOptions) {
    this.jobs = new Map(jobs.map((j) => [j.name, j]));
    this.pool = opts.pool;
    this.config = opts.config;
    this.owner = opts.owner ?? processOwner();
    this.clock = opts.now ?? systemClock;
  }

  now(): Date {
    return this.clock();
  }

  get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Runs in progress in this process. */
  running(): { job: string; slot: string }[] {
    return [...this.inFlight.values()].map(({ job, slot }) => ({ job, slot }));
  }

  private def(name: string): JobDefinition {
    const d = this.jobs.get(name);
    if (!d) throw new RangeError(`unknown job ${JSON.stringify(name)}`);
    return d;
  }

  /** The slot a cron fire of `name` at `instant` stands for (null: that day is not a slot). */
  slotOf(name: string, instant: Date): string | null {
    return slotOfFire(this.def(name), instant, this.config.PLAN_TIME_ZONE);
  }

  /** A cron fire: the slot is computed from the scheduled instant in the plan time zone. */
  async fire(name: string, instant: Date): Promise<RunReport> {
    const slot = this.slotOf(name, instant);
    if (slot === null) {
      log.debug({ job: name, date: localDate(instant, this.config.PLAN_TIME_ZONE) }, 'cron fire on a day that is not a slot; nothing to do');
      return { job: name, slot: localDate(instant, this.config.PLAN_TIME_ZONE), trigger: 'cron', status: 'skipped', detail: 'not a slot day' };
    }
    return this.runSlot(name, slot, 'cron');
  }

  /** Runs one (job, slot) under the ledger, unless this process already runs it. Never throws. */
  runSlot(name: string, slot: string, trigger: Trigger): Promise<RunReport> {
    const def = this.def(name);
    const key = `${name}\u0000${slot}`;
    const existing = this.inFlight.get(key);
    if (existing) return Promise.resolve({ job: name, slot, trigger, status: 'busy', detail: 'already running in this process' });
    if (this.stopped) return Promise.resolve({ job: name, slot, trigger, status: 'stopped' });
    const entry: InFlight = { job: name, slot, promise: Promise.resolve(undefined as unknown as RunReport) };
    entry.promise = this.execute(def, slot, trigger, entry).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, entry);
    return entry.promise;
  }

  private async execute(def: JobDefinition, slot: string, trigger: Trigger, entry: InFlight): Promise<RunReport> {
    const started = performance.now(); // the run's duration: monotonic, whatever the clock says
    const base = { job: def.name, slot, trigger };
    try {
      const out = await executeRun(this.pool, this.config, def.name, slot, { trigger, owner: this.owner, signal: this.stopping.signal }, async (ctx) => {
        entry.runId = ctx.run.id;
        return def.run({ slot, trigger, now: this.clock(), signal: ctx.signal, run: ctx.run });
      });
      if (out.status === 'already-done') return { ...base, status: 'already-done' };
      return { ...base, status: 'ran', counts: out.result, ms: Math.round(performance.now() - started) };
    } catch (err) {
      if (err instanceof RunBusyError) {
        // Schedulers side by side meet each other on every fire of a frequent job (the poll,
        // several times a minute): routine, so below info; a date slot's is worth a line.
        log[def.slotKind === 'fire' ? 'debug' : 'info']({ job: def.name, slot, trigger }, 'slot is being run by another instance');
        return { ...base, status: 'busy', detail: err.message };
      }
      if (err instanceof RunDeferredError && !this.stopped) return { ...base, status: 'deferred', detail: err.message };
      const error = (err as Error).message;
      if (this.stopped && entry.runId !== undefined) {
        // Stopped by shutdown between units: give the claim back so another instance takes it at once.
        await this.release(def.name, slot, entry.runId);
        return { ...base, status: 'stopped', detail: error };
      }
      return { ...base, status: 'failed', error, ms: Math.round(performance.now() - started) };
    }
  }

  /** Gives back this process's attempt if it is still RUNNING (one that ended keeps its outcome). */
  private async release(job: string, slot: string, runId: number): Promise<void> {
    await releaseRun(this.pool, runId, this.owner).catch((e: Error) => log.warn({ job, slot, err: { message: e.message } }, 'could not release the run'));
  }

  /** The ledger state of a job's slots. */
  private async ledger(job: string, slots: string[]): Promise<Map<string, LedgerState>> {
    return slotStates(this.pool, job, slots, this.config.ABANDON_AFTER_SECONDS);
  }

  /**
   * Reconciles the calendar against the ledger and runs each job's current slot when it is
   * missing, failed or abandoned (trigger 'catch-up'), one run at a time, jobs in table order.
   * With `startup`, jobs of the `startup` policy (the poll) run once, at the current instant's
   * slot (to their cron's precision).
   */
  async catchUp(opts: { startup?: boolean; jobs?: string[] } = {}): Promise<RunReport[]> {
    const now = this.clock();
    const tz = this.config.PLAN_TIME_ZONE;
    const reports: RunReport[] = [];
    // dead attempts no claim will ever take over are ended first (their slots then read as abandoned)
    try {
      const ended = await abandonStaleAttempts(this.pool, this.owner, this.config.ABANDON_AFTER_SECONDS);
      for (const x of ended) log.warn({ runId: x.id, job: x.job, slot: x.slot }, 'attempt whose heartbeat stopped recorded ABANDONED');
    } catch (err) {
      log.error({ err: { message: (err as Error).message } }, 'catch-up could not end attempts whose heartbeat stopped; next pass');
    }
    for (const def of this.jobs.values()) {
      if (opts.jobs && !opts.jobs.includes(def.name)) continue;
      if (this.stopped) break;
      let todo: string[];
      if (def.catchUp === 'startup') {
        todo = opts.startup ? [slotOfJobFire(def, now, tz)] : [];
      } else {
        const due = dueSlots(def, now, tz, this.config.CATCH_UP_DAYS);
        if (due.length === 0) continue;
        try {
          todo = slotsToCatchUp(def.catchUp, due, await this.ledger(def.name, due));
        } catch (err) {
          log.error({ job: def.name, err: { message: (err as Error).message } }, 'catch-up could not read the run ledger; next pass');
          continue;
        }
        const stale = todo.filter((slot) => outOfDate(def, slot, now, tz));
        if (stale.length) log.info({ job: def.name, slots: stale, lateDays: def.catchUpLateDays }, 'catch-up: missed slot is out of date; not sent');
        todo = todo.filter((slot) => !stale.includes(slot));
      }
      for (const slot of todo) {
        if (this.stopped) break;
        log.info({ job: def.name, slot }, 'catch-up: running the current slot (missed, failed or abandoned)');
        const r = await this.runSlot(def.name, slot, 'catch-up');
        reports.push(r);
        // Another instance got there first: leave the job's later slots to the next pass.
        if (r.status === 'busy') break;
      }
    }
    return reports;
  }

  /**
   * Graceful stop: no new runs; runs in progress are told to stop after their current unit
   * and given `graceMs` to do so; a run still going after that has its claim released
   * (ABANDONED), so another instance takes it over at once instead of after the heartbeat
   * timeout.
   */
  async stop(graceMs: number): Promise<{ finished: number; released: number }> {
    this.stopping.abort(new Error('scheduler shutting down'));
    const pending = [...this.inFlight.values()];
    if (pending.length === 0) return { finished: 0, released: 0 };
    log.info({ runs: pending.map((p) => `${p.job} ${p.slot}`) }, 'waiting for the current unit of running jobs');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
    const settled = await Promise.race([Promise.allSettled(pending.map((p) => p.promise)).then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (settled === 'done') return { finished: pending.length, released: 0 };
    let released = 0;
    for (const p of this.inFlight.values()) {
      if (p.runId !== undefined) {
        await releaseRun(this.pool, p.runId, this.owner).catch(() => undefined);
        released++;
      }
      log.warn({ job: p.job, slot: p.slot }, 'run did not stop in time; claim released for another instance');
    }
    return { finished: pending.length - this.inFlight.size, released };
  }
}

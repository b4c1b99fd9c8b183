// The long-running scheduler: node-cron only *triggers* (in the plan time zone); every fire
// and every catch-up pass goes through the Postgres-backed coordinator, so any number of
// scheduler processes can run side by side and each (job, slot) runs once.
import cron, { type ScheduledTask } from 'node-cron';
import type pg from 'pg';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { log } from '../log.js';
import { Coordinator, type JobDefinition, type RunReport } from './coordinator.js';

export interface SchedulerOptions {
  pool: pg.Pool;
  config: Config;
  /** How often to reconcile the calendar with the ledger (default 5 minutes). */
  catchUpIntervalMs?: number;
  /** How long a shutdown waits for running units before releasing their claims (default 30 s). */
  shutdownGraceMs?: number;
  /** The clock catch-up reads (default: the wall clock). Cron fires use their scheduled instant. */
  now?: Clock;
  owner?: string;
  /** Called with the reports of every catch-up pass and cron fire (tests, ops output). */
  onReport?: (reports: RunReport[], source: 'startup' | 'catch-up' | 'cron') => void;
}

export const DEFAULT_CATCH_UP_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_SHUTDOWN_GRACE_MS = 30_000;

const cronLogger = {
  info: (m: string) => log.debug({ source: 'node-cron' }, m),
  warn: (m: string) => log.warn({ source: 'node-cron' }, m),
  error: (m: string | Error) => log.error({ source: 'node-cron', err: { message: m instanceof Error ? m.message : m } }, 'node-cron error'),
  debug: (m: string | Error) => log.debug({ source: 'node-cron' }, m instanceof Error ? m.message : m),
};

export class Scheduler {
  readonly coordinator: Coordinator;
  private readonly opts: SchedulerOptions;
  private tasks: ScheduledTask[] = [];
  private timer: NodeJS.Timeout | undefined;
  private catchingUp: Promise<RunReport[]> | undefined;
  /** Per job, this process's cron fire still in progress (a stop waits for them). */
  private readonly firing = new Map<string, Promise<RunReport>>();
  private stopPromise: Promise<{ finished: number; released: number }> | undefined;

  constructor(readonly jobs: JobDefinition[], opts: SchedulerOptions) {
    this.opts = opts;
    this.coordinator = new Coordinator(jobs, { pool: opts.pool, config: opts.config, owner: opts.owner, now: opts.now });
    for (const j of jobs) {
      if (!cron.validate(j.cron)) throw new RangeError(`job ${j.name}: invalid cron expression ${JSON.stringify(j.cron)}`);
    }
  }

  /** Starts the cron triggers (plan time zone), runs the start-up catch-up (and the one start-up poll), then the catch-up loop. */
  async start(): Promise<RunReport[]> {
    const tz = this.opts.config.PLAN_TIME_ZONE;
    for (const j of this.jobs) {
      // No node-cron `noOverlap`: it warns on every blocked fire; trigger() skips those quietly.
      const task = cron.schedule(j.cron, (ctx) => this.trigger(j.name, ctx.date), { timezone: tz, name: `calaim-${j.name}`, logger: cronLogger });
      // Listening replaces node-cron's own warning about a missed fire.
      task.on('execution:missed', (ctx) => this.missed(j.name, ctx.date));
      this.tasks.push(task);
    }
    log.info({ jobs: this.jobs.map((j) => `${j.name} ${j.cron}`), timeZone: tz }, 'scheduler triggers started');
    // A failed start-up pass (database restarting) is logged; the loop tries again.
    const first = await this.catchUp(true).catch((err: Error) => {
      log.error({ err: { message: err.message } }, 'start-up catch-up failed; retrying at the next catch-up pass');
      return [] as RunReport[];
    });
    if (!this.coordinator.stopped) {
      const every = this.opts.catchUpIntervalMs ?? DEFAULT_CATCH_UP_INTERVAL_MS;
      this.timer = setInterval(() => {
        void this.catchUp(false).catch((err: Error) => log.error({ err: { message: err.message } }, 'catch-up pass failed'));
      }, every);
    }
    return first;
  }

  /**
   * A cron fire of `job` at its scheduled `instant`. While this process's previous fire of the
   * job still runs (a poll working through a burst for minutes, with a fire every 15 s), the
   * fire is skipped here: no ledger row and only a debug line, so an overrunning job neither
   * piles up runs nor floods the log. The skip is not reported (onReport): nothing was fired.
   */
  trigger(job: string, instant: Date): Promise<RunReport> {
    if (this.firing.has(job)) {
      const slot = this.coordinator.slotOf(job, instant) ?? '';
      log.debug({ job, slot }, 'cron fire skipped: the previous fire of the job is still running here');
      return Promise.resolve({ job, slot, trigger: 'cron', status: 'skipped', detail: 'previous fire still running' });
    }
    const p = this.coordinator.fire(job, instant).then((r) => {
      this.opts.onReport?.([r], 'cron');
      return r;
    });
    this.firing.set(job, p);
    void p.finally(() => this.firing.delete(job));
    return p;
  }

  /**
   * A fire node-cron could not make on time (the event loop was busy or the process paused).
   * While the job's previous fire still runs here, that fire would have been skipped anyway
   * (a poll reading a burst's files, 15-s fires): a debug line. Otherwise it is worth a warning.
   */
  missed(job: string, instant: Date): void {
    if (this.firing.has(job)) log.debug({ job, at: instant.toISOString() }, 'cron fire missed while the previous fire of the job runs');
    else log.warn({ job, at: instant.toISOString() }, 'cron fire missed: the process was busy or paused at its time');
  }

  /** One catch-up pass (skipped when one is already running in this process). */
  async catchUp(startup: boolean): Promise<RunReport[]> {
    if (this.catchingUp) return [];
    this.catchingUp = this.coordinator.catchUp({ startup });
    try {
      const reports = await this.catchingUp;
      this.opts.onReport?.(reports, startup ? 'startup' : 'catch-up');
      return reports;
    } finally {
      this.catchingUp = undefined;
    }
  }

  /** Stops triggers and the catch-up loop; lets running units finish (bounded) or releases their claims. */
  stop(): Promise<{ finished: number; released: number }> {
    this.stopPromise ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      for (const t of this.tasks) await t.destroy();
      this.tasks = [];
      const result = await this.coordinator.stop(this.opts.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
      // The start-up catch-up and fires resolve promptly once the coordinator has stopped.
      await Promise.race([
        Promise.allSettled([this.catchingUp, ...this.firing.values()]),
        new Promise((r) => setTimeout(r, 1000).unref()),
      ]);
      log.info(result, 'scheduler stopped');
      return result;
    })();
    return this.stopPromise;
  }
}

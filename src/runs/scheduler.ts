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
  private readonly fires = new Set<Promise<unknown>>();
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
      const task = cron.schedule(
        j.cron,
        (ctx) => {
          const p = this.coordinator.fire(j.name, ctx.date).then((r) => {
            this.opts.onReport?.([r], 'cron');
            return r;
          });
          this.fires.add(p);
          void p.finally(() => this.fires.delete(p));
          return p;
        },
        { timezone: tz, name: `calaim-${j.name}`, noOverlap: true, logger: cronLogger },
      );
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
        Promise.allSettled([this.catchingUp, ...this.fires]),
        new Promise((r) => setTimeout(r, 1000).unref()),
      ]);
      log.info(result, 'scheduler stopped');
      return result;
    })();
    return this.stopPromise;
  }
}

// What a job is: one declaration per job (jobs/<job>.ts) says what it runs, when (a cron
// expression, or a fire time and a slot rule of src/calendar), how missed slots are made up,
// and what it is for; jobs/index.ts lists them, and everything else (the cron table, the
// coordinator's definitions, the CLI's job names and help) is derived from that list.
// Declarations load nothing heavy: a job's implementation is imported when it runs, so the
// CLI's options and help list the jobs without loading exceljs, ssh2 or pg.
import type pg from 'pg';
import type { SlotRule } from '../src/calendar/slots.js';
import type { Config } from '../src/config.js';
import type { FaultPoints } from '../src/fault-points.js';
import type { CatchUpPolicy, JobContext } from '../src/runs/coordinator.js';
import type { SftpSession } from '../src/sftp/client.js';

export interface JobDeps {
  pool: pg.Pool;
  config: Config;
  /** Opens one sFTP session (the configured server, or the in-process one). */
  openSession: () => Promise<SftpSession>;
  /** Crash tests only: called at the inbound path's fault points (default: nothing). */
  faults?: FaultPoints;
  /** Tests only: awaited before each outbound file is published, to hold a run at an exact point. */
  beforePublish?: () => Promise<void>;
}

export type JobCounts = Record<string, unknown>;

/** The settings a schedule reads. */
export type ScheduleConfig = Pick<
  Config,
  'CSASF_SECOND_RUN_DAY' | 'ON_TIME_LAST_DAY' | 'RESUBMISSION_LAST_DAY' | 'CSPRTF_ON_TIME_LAST_DAY' | 'LATE_FIRST_SUBMISSION' | 'POLL_CRON' | 'CATCH_UP_ALERT_DAYS'
  | 'SWITCHES_AT'
>;

interface JobBase<N extends string> {
  name: N;
  /** One line: what a run does. */
  description: string;
  catchUp: CatchUpPolicy;
  run: (deps: JobDeps, ctx: JobContext) => Promise<JobCounts>;
}

/** One slot per plan-local date of its rule, fired at a local time of day. */
export interface DateJob<N extends string = string> extends JobBase<N> {
  slotKind: 'date';
  /**
   * Local fire time (HH:mm), or the setting it comes from (atSetting). Date jobs fire between
   * 05:00 and 08:00, and the planned switches just after midnight: never in 01:00-03:00, where a
   * spring-forward day skips an hour and a fall-back day repeats one.
   */
  at: string | ((config: ScheduleConfig) => string);
  /** The setting the fire time comes from, if any (for the help). */
  atSetting?: keyof ScheduleConfig;
  slots: (config: ScheduleConfig) => SlotRule;
  /** Digests and alerts: made up only within this many days of their slot. */
  catchUpLateDays?: (config: ScheduleConfig) => number;
}

/** One slot per cron fire: the plan-local minute, or second for a cron with a seconds field. */
export interface FireJob<N extends string = string> extends JobBase<N> {
  slotKind: 'fire';
  cron: (config: ScheduleConfig) => string;
  /** The setting the expression comes from, if any (for the help). */
  cronSetting?: keyof ScheduleConfig;
}

export type JobDeclaration<N extends string = string> = DateJob<N> | FireJob<N>;

/**
 * When a date job fires: at a local time of day (HH:mm), on the dates of its slot rule; a missed
 * slot is made up only while it is the current one (a MIF of last month is not sent late).
 */
export const firesAt = (at: DateJob['at'], slots: DateJob['slots']): Pick<DateJob, 'slotKind' | 'at' | 'slots' | 'catchUp'> => ({ slotKind: 'date', at, slots, catchUp: 'current' });

/** A date job's local fire time (HH:mm) under these settings. */
export const fireTimeOf = (job: Pick<DateJob, 'at'>, config: ScheduleConfig): string => (typeof job.at === 'string' ? job.at : job.at(config));

/** Declares a job, keeping its name a literal type (JobName is derived from the list). */
export function declareJob<const N extends string>(job: JobDeclaration<N>): JobDeclaration<N> {
  return job;
}

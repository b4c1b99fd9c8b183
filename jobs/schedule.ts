// The cron table (DESIGN.md §6): job → cron expression in the plan time zone → catch-up
// policy (the current slot only; digests and alerts only within CATCH_UP_ALERT_DAYS). Date slots fire between 06:30 and 08:00 local: never in 01:00-03:00, where a
// spring-forward day skips an hour and a fall-back day repeats one.
import type { IsoDate } from '../schemas/primitives.js';
import { catchUpSlots, isSlot, missingAlertDays, type ScheduledJob } from '../src/calendar/slots.js';
import type { Config } from '../src/config.js';
import type { CatchUpPolicy, JobDefinition } from '../src/runs/coordinator.js';
import type { JobCounts, JobDeps } from './common.js';
import { runCsasf } from './csasf.js';
import { runMif } from './mif.js';
import { runMiniMif } from './mini-mif.js';
import { runMiniMifSla } from './minimif-sla.js';
import { runRetention } from './retention.js';
import { runMissingAlert } from './missing-alert.js';
import { runPoll } from './poll.js';
import { runNotify } from './notify.js';

import { JOB_NAMES, type JobName } from './names.js';

export { JOB_NAMES, type JobName };

export interface ScheduleEntry {
  job: JobName;
  /** node-cron expression (minute hour day-of-month month day-of-week), plan time zone. */
  cron: string;
  /** Local fire time of date slots (HH:mm); catch-up treats a slot as due from then on. */
  at?: string;
  slotKind: 'date' | 'minute';
  catchUp: CatchUpPolicy;
  /** Digests and alerts: made up only within this many days of their slot (CATCH_UP_ALERT_DAYS). */
  catchUpLateDays?: number;
  description: string;
}

/** The notify job's frequency: a failed send is retried after 1, 2, 4 … 60 minutes, checked this often. */
export const NOTIFY_CRON = '*/5 * * * *';

const cronAt = (at: string, days: string): string => {
  const [h, m] = at.split(':').map(Number) as [number, number];
  return `${m} ${h} ${days} * *`;
};

/** The table, for a configuration (time zone, CSASF second day, alert days, poll frequency). */
export function scheduleTable(config: Pick<Config, 'CSASF_SECOND_RUN_DAY' | 'ON_TIME_LAST_DAY' | 'RESUBMISSION_LAST_DAY' | 'POLL_CRON'> & Partial<Pick<Config, 'CATCH_UP_ALERT_DAYS' | 'CSPRTF_ON_TIME_LAST_DAY'>>): ScheduleEntry[] {
  // The second CSASF day may not exist in a month (February): fire on the 28th-31st and let
  // isSlot pick the real day (the 29th, or the last day of a shorter month).
  const csasfDays = `15,${Math.min(config.CSASF_SECOND_RUN_DAY, 28)}-31`;
  const alertDays = config.CATCH_UP_ALERT_DAYS ?? 2;
  return [
    { job: 'mif', cron: cronAt('06:30', '15'), at: '06:30', slotKind: 'date', catchUp: 'current', description: 'monthly MIF per ECM provider and line of business' },
    { job: 'csasf', cron: cronAt('06:45', csasfDays), at: '06:45', slotKind: 'date', catchUp: 'current', description: 'CSASF per CS provider (15th and 29th / last day)' },
    { job: 'mini-mif', cron: cronAt('07:00', '*'), at: '07:00', slotKind: 'date', catchUp: 'current', description: 'daily mini-MIF of newly referred members' },
    { job: 'minimif-sla', cron: cronAt('07:15', '*'), at: '07:15', slotKind: 'date', catchUp: 'current', catchUpLateDays: alertDays, description: 'liaison alert: referrals unsent after the SLA days' },
    { job: 'missing-alert', cron: cronAt('08:00', missingAlertDays(config).join(',')), at: '08:00', slotKind: 'date', catchUp: 'current', catchUpLateDays: alertDays, description: 'liaison digest of missing, declined and rejected submissions' },
    { job: 'retention', cron: cronAt('05:30', '*'), at: '05:30', slotKind: 'date', catchUp: 'current', description: 'purge the bytes of exchanged files older than BLOB_RETENTION_DAYS' },
    { job: 'poll', cron: config.POLL_CRON, slotKind: 'minute', catchUp: 'startup', description: 'process provider uploads' },
    { job: 'notify', cron: NOTIFY_CRON, slotKind: 'minute', catchUp: 'startup', description: 'send notifications that are due (first send or a retry after a failed one)' },
  ];
}

/** The calendar job behind a date-slot entry (the minute jobs, poll and notify, have none). */
const CALENDAR: Record<Exclude<JobName, 'poll' | 'notify'>, ScheduledJob> = {
  mif: 'mif', csasf: 'csasf', 'mini-mif': 'mini-mif', 'minimif-sla': 'minimif-sla', 'missing-alert': 'missing-alert', retention: 'retention',
};

/** The job definitions the coordinator runs: the table bound to its dependencies. */
export function jobDefinitions(deps: JobDeps, only?: readonly string[]): JobDefinition[] {
  const { config } = deps;
  const runners: Record<JobName, JobDefinition['run']> = {
    mif: (ctx) => runMif(deps, ctx),
    csasf: (ctx) => runCsasf(deps, ctx),
    'mini-mif': (ctx) => runMiniMif(deps, ctx),
    'minimif-sla': (ctx) => runMiniMifSla(deps, ctx),
    'missing-alert': (ctx) => runMissingAlert(deps, ctx),
    retention: (ctx) => runRetention(deps, ctx),
    poll: (ctx): Promise<JobCounts> => runPoll(deps, ctx),
    notify: (ctx): Promise<JobCounts> => runNotify(deps, ctx),
  };
  return scheduleTable(config)
    .filter((e) => !only || only.includes(e.job))
    .map((e): JobDefinition => {
      if (e.job === 'poll' || e.job === 'notify') return { name: e.job, cron: e.cron, slotKind: 'minute', catchUp: e.catchUp, run: runners[e.job] };
      const cal = CALENDAR[e.job];
      return {
        name: e.job,
        cron: e.cron,
        at: e.at,
        slotKind: 'date',
        catchUp: e.catchUp,
        catchUpLateDays: e.catchUpLateDays,
        isSlot: (date: IsoDate) => isSlot(cal, date, config),
        slotsInWindow: (today: IsoDate, days: number) => catchUpSlots(cal, today, days, config),
        run: runners[e.job],
      };
    });
}

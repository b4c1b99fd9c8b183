// The cron table (DESIGN.md §6), derived from the job declarations (jobs/index.ts) and the
// settings: job → cron expression in the plan time zone → catch-up policy (the current slot
// only; digests and alerts only within CATCH_UP_ALERT_DAYS). A date job's cron fires on its
// slot rule's days at its local time; isSlot narrows a fire on a day that is not a slot.
import type { IsoDate } from '../schemas/primitives.js';
import { catchUpSlots, cronDaysOfMonth, describeSlotRule, isSlot } from '../src/calendar/slots.js';
import type { CatchUpPolicy, JobDefinition } from '../src/runs/coordinator.js';
import { JOBS, JOB_NAMES, type JobName } from './index.js';
import { fireTimeOf, type JobDeclaration, type JobDeps, type ScheduleConfig } from './job.js';

export { JOB_NAMES, type JobName };

export interface ScheduleEntry {
  job: JobName;
  /** node-cron expression ([second] minute hour day-of-month month day-of-week), plan time zone. */
  cron: string;
  /** Local fire time of date slots (HH:mm); catch-up treats a slot as due from then on. */
  at?: string;
  slotKind: 'date' | 'fire';
  catchUp: CatchUpPolicy;
  /** Digests and alerts: made up only within this many days of their slot (CATCH_UP_ALERT_DAYS). */
  catchUpLateDays?: number;
  description: string;
}

const cronAt = (at: string, days: string): string => {
  const [h, m] = at.split(':').map(Number) as [number, number];
  return `${m} ${h} ${days} * *`;
};

function entry(job: JobDeclaration<JobName>, config: ScheduleConfig): ScheduleEntry {
  const base = { job: job.name, catchUp: job.catchUp, description: job.description };
  if (job.slotKind === 'fire') return { ...base, cron: job.cron(config), slotKind: 'fire' };
  const late = job.catchUpLateDays?.(config);
  const at = fireTimeOf(job, config);
  return { ...base, cron: cronAt(at, cronDaysOfMonth(job.slots(config))), at, slotKind: 'date', ...(late === undefined ? {} : { catchUpLateDays: late }) };
}

/** The table, for a configuration (time zone, CSASF second day, deadline days, poll frequency). */
export function scheduleTable(config: ScheduleConfig): ScheduleEntry[] {
  return JOBS.map((job) => entry(job, config));
}

/** The job definitions the coordinator runs: the declarations bound to the settings and dependencies. */
export function jobDefinitions(deps: JobDeps, only?: readonly string[]): JobDefinition[] {
  const { config } = deps;
  return JOBS.filter((job) => !only || only.includes(job.name)).map((job): JobDefinition => {
    const e = entry(job, config);
    const run: JobDefinition['run'] = (ctx) => job.run(deps, ctx);
    if (job.slotKind === 'fire') return { name: job.name, cron: e.cron, slotKind: 'fire', catchUp: job.catchUp, run };
    const rule = job.slots(config);
    return {
      name: job.name,
      cron: e.cron,
      at: e.at,
      slotKind: 'date',
      catchUp: job.catchUp,
      catchUpLateDays: e.catchUpLateDays,
      isSlot: (date: IsoDate) => isSlot(rule, date),
      slotsInWindow: (today: IsoDate, days: number) => catchUpSlots(rule, today, days),
      run,
    };
  });
}

/** The schedule as the scheduler's --help shows it, one line per job. */
export function scheduleHelp(config: ScheduleConfig): string {
  const catchUp = (job: JobDeclaration): string =>
    job.catchUp === 'startup'
      ? 'once at start-up'
      : job.slotKind === 'date' && job.catchUpLateDays
        ? 'the current slot, within CATCH_UP_ALERT_DAYS'
        : 'the current slot (within CATCH_UP_DAYS)';
  const when = (job: JobDeclaration): string =>
    job.slotKind === 'date'
      ? `${job.atSetting ? `${job.atSetting} (${fireTimeOf(job, config)})` : fireTimeOf(job, config)} ${describeSlotRule(job.slots(config))}`
      : job.cronSetting
        ? `${job.cronSetting} (${job.cron(config)})`
        : job.cron(config);
  const rows = JOBS.map((job) => [job.name, when(job), catchUp(job)] as const);
  const w0 = Math.max(...rows.map((r) => r[0].length)) + 2;
  const w1 = Math.max(...rows.map((r) => r[1].length)) + 2;
  return rows.map(([a, b, c]) => `  ${a.padEnd(w0)}${b.padEnd(w1)}catch-up: ${c}`).join('\n');
}

// Schedule slots (spec/domain.md §2, DESIGN.md §6). A slot is a plan-local calendar date on
// which a job must run once; the run ledger claims (job, slot). Outbound files are posted on
// the scheduled day, weekend or not.
import { addDays, daysBetween, ymd, type IsoDate } from '../../schemas/primitives.js';
import type { Config } from '../config.js';
import { daysInMonth, parsePeriod, type Period } from './period.js';
import { parseIsoDate } from './zone.js';

export const SCHEDULED_JOBS = ['mif', 'csasf', 'mini-mif', 'missing-alert', 'minimif-sla', 'retention'] as const;
export type ScheduledJob = (typeof SCHEDULED_JOBS)[number];

/** Settings the slot rules read; a full Config fits. Missing values take the spec defaults. */
export type SlotConfig = Partial<Pick<Config, 'CSASF_SECOND_RUN_DAY' | 'ON_TIME_LAST_DAY' | 'RESUBMISSION_LAST_DAY' | 'CSPRTF_ON_TIME_LAST_DAY'>>;

export const MIF_DAY = 15;
export const CSASF_FIRST_DAY = 15;

/** The monthly MIF slot of a period: the 15th. */
export function mifSlot(month: Period): IsoDate {
  const { year, month: m } = parsePeriod(month);
  return ymd(year, m, MIF_DAY);
}

/**
 * The two CSASF slots of a month: the 15th and `secondDay` (default 29), or the month's
 * last day when it has no such day (February 2027 → 28th, February 2028 → 29th; a
 * setting of 30 or 31 falls back the same way).
 */
export function csasfSlotsForMonth(year: number, month: number, secondDay = 29): [IsoDate, IsoDate] {
  if (!Number.isInteger(secondDay) || secondDay <= CSASF_FIRST_DAY || secondDay > 31)
    throw new RangeError(`the second CSASF day must be 16-31, got ${secondDay}`);
  const last = daysInMonth(year, month);
  return [ymd(year, month, CSASF_FIRST_DAY), ymd(year, month, Math.min(secondDay, last))];
}

/**
 * The missing-submission alert days, in order: the day after the RTF/OTF on-time window, the
 * day after their last accepted day, and the day after the CSPRTF window (6th, 11th, and
 * 11th again by default: the days coincide). CS providers are listed only from that last one.
 */
export function missingAlertDays(cfg: SlotConfig = {}): number[] {
  const days = [(cfg.ON_TIME_LAST_DAY ?? 5) + 1, (cfg.RESUBMISSION_LAST_DAY ?? 10) + 1, (cfg.CSPRTF_ON_TIME_LAST_DAY ?? 10) + 1];
  return [...new Set(days)].sort((a, b) => a - b);
}

/** Whether `date` is a slot of `job`. */
export function isSlot(job: ScheduledJob, date: IsoDate, cfg: SlotConfig = {}): boolean {
  const { year, month, day } = parseIsoDate(date);
  switch (job) {
    case 'mif':
      return day === MIF_DAY;
    case 'csasf':
      return csasfSlotsForMonth(year, month, cfg.CSASF_SECOND_RUN_DAY ?? 29).includes(date);
    case 'missing-alert':
      return missingAlertDays(cfg).includes(day);
    case 'mini-mif':
    case 'minimif-sla':
    case 'retention':
      return true;
    default: {
      const never: never = job;
      throw new RangeError(`unknown job ${String(never)}`);
    }
  }
}

/** Every slot of `job` from `from` to `to`, both inclusive, in date order. */
export function expectedSlots(job: ScheduledJob, from: IsoDate, to: IsoDate, cfg: SlotConfig = {}): IsoDate[] {
  parseIsoDate(from);
  parseIsoDate(to);
  if (!SCHEDULED_JOBS.includes(job)) throw new RangeError(`unknown job ${String(job)}`);
  const out: IsoDate[] = [];
  const n = daysBetween(from, to);
  for (let i = 0; i <= n; i++) {
    const date = addDays(from, i);
    if (isSlot(job, date, cfg)) out.push(date);
  }
  return out;
}

/**
 * Slots a starting scheduler must make sure have run: every slot of `job` in the
 * `catchUpDays` calendar days ending with `today` (today inclusive; 35 → today and the 34
 * days before it).
 */
export function catchUpSlots(job: ScheduledJob, today: IsoDate, catchUpDays = 35, cfg: SlotConfig = {}): IsoDate[] {
  if (!Number.isInteger(catchUpDays) || catchUpDays < 1) throw new RangeError(`catchUpDays must be a whole number ≥ 1, got ${catchUpDays}`);
  return expectedSlots(job, addDays(today, -(catchUpDays - 1)), today, cfg);
}

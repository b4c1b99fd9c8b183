// Schedule slots (spec/domain.md §2, DESIGN.md §6). A slot is a plan-local calendar date on
// which a date job must run once; the run ledger claims (job, slot). Outbound files are posted
// on the scheduled day, weekend or not. This module knows rules, not jobs: each job declares
// its rule (jobs/<job>.ts), built here from the settings it depends on.
import { addDays, daysBetween, ymd, type IsoDate } from '../../schemas/primitives.js';
import { dayList, missingAlertDays, theDay, type DeadlinePolicy } from './deadlines.js';
import { daysInMonth, parsePeriod, type Period } from './period.js';
import { parseIsoDate } from './zone.js';

/** A day of the month; `orLastDay`: a month without that day has the slot on its last day instead. */
export interface MonthDay {
  day: number;
  orLastDay?: boolean;
}

/** On which dates a date job has a slot. */
export type SlotRule =
  | { every: 'day' }
  /** These days of every month (a month without one of them skips it, unless `orLastDay`). */
  | { every: 'month'; days: readonly MonthDay[] };

export const DAILY: SlotRule = Object.freeze({ every: 'day' });

export const MIF_DAY = 15;
export const CSASF_FIRST_DAY = 15;

/** The monthly MIF: the 15th. */
export const MIF_RULE: SlotRule = Object.freeze({ every: 'month', days: [{ day: MIF_DAY }] });

/**
 * The CSASF: the 15th and `secondDay` (CSASF_SECOND_RUN_DAY), or the month's last day when it
 * has no such day (February 2027 → 28th, February 2028 → 29th; a setting of 30 or 31 falls back
 * the same way).
 */
export function csasfRule(secondDay: number): SlotRule {
  if (!Number.isInteger(secondDay) || secondDay <= CSASF_FIRST_DAY || secondDay > 31)
    throw new RangeError(`the second CSASF day must be 16-31, got ${secondDay}`);
  return { every: 'month', days: [{ day: CSASF_FIRST_DAY }, { day: secondDay, orLastDay: true }] };
}

/**
 * The missing-submission digest: the day after each window of the policy closes (missingAlertDays).
 * [POLICY] A month without that day (a window closing on the 28th: no 29th in February 2027) has
 * the digest on its last day, when the window's last day is still running, rather than none at all.
 */
export function missingAlertRule(policy: Pick<DeadlinePolicy, 'onTimeLastDay' | 'resubmissionLastDay' | 'csprtfOnTimeLastDay'>): SlotRule {
  return { every: 'month', days: missingAlertDays(policy).map((day) => (day > 28 ? { day, orLastDay: true } : { day })) };
}

/** The slot dates of a rule in one month, in order. */
export function slotsOfMonth(rule: SlotRule, year: number, month: number): IsoDate[] {
  const last = daysInMonth(year, month);
  if (rule.every === 'day') return Array.from({ length: last }, (_, i) => ymd(year, month, i + 1));
  const days = rule.days.flatMap((d) => (d.day <= last ? [d.day] : d.orLastDay ? [last] : []));
  return [...new Set(days)].sort((a, b) => a - b).map((d) => ymd(year, month, d));
}

/** The monthly MIF slot of a period: the 15th. */
export function mifSlot(month: Period): IsoDate {
  const { year, month: m } = parsePeriod(month);
  return slotsOfMonth(MIF_RULE, year, m)[0]!;
}

/** The two CSASF slots of a month (see csasfRule). */
export function csasfSlotsForMonth(year: number, month: number, secondDay: number): [IsoDate, IsoDate] {
  const [first, second] = slotsOfMonth(csasfRule(secondDay), year, month);
  return [first!, second!];
}

/** Whether `date` is a slot of `rule`. */
export function isSlot(rule: SlotRule, date: IsoDate): boolean {
  const { year, month } = parseIsoDate(date);
  return rule.every === 'day' || slotsOfMonth(rule, year, month).includes(date);
}

/** Every slot of `rule` from `from` to `to`, both inclusive, in date order. */
export function expectedSlots(rule: SlotRule, from: IsoDate, to: IsoDate): IsoDate[] {
  parseIsoDate(from);
  parseIsoDate(to);
  const out: IsoDate[] = [];
  const n = daysBetween(from, to);
  for (let i = 0; i <= n; i++) {
    const date = addDays(from, i);
    if (isSlot(rule, date)) out.push(date);
  }
  return out;
}

/**
 * Slots a starting scheduler must make sure have run: every slot of `rule` in the
 * `catchUpDays` calendar days ending with `today` (today inclusive; 35 → today and the 34
 * days before it).
 */
export function catchUpSlots(rule: SlotRule, today: IsoDate, catchUpDays: number): IsoDate[] {
  if (!Number.isInteger(catchUpDays) || catchUpDays < 1) throw new RangeError(`catchUpDays must be a whole number ≥ 1, got ${catchUpDays}`);
  return expectedSlots(rule, addDays(today, -(catchUpDays - 1)), today);
}

/**
 * The day-of-month field of a cron expression that fires on every slot of `rule` (and maybe
 * more: isSlot narrows). A day a month may lack, with `orLastDay`, fires from the 28th (or from
 * that day, if earlier) through the 31st, so the month's real slot day is among the fires.
 */
export function cronDaysOfMonth(rule: SlotRule): string {
  if (rule.every === 'day') return '*';
  return rule.days.map((d) => (d.orLastDay ? `${Math.min(d.day, 28)}-31` : String(d.day))).join(',');
}

/** The rule as people say it: "daily", "on the 15th", "on the 15th and the 29th / last day", "on the 6th and the 11th". */
export function describeSlotRule(rule: SlotRule): string {
  if (rule.every === 'day') return 'daily';
  const fixed = rule.days.filter((d) => !d.orLastDay || d.day <= 28).map((d) => d.day);
  const lastDay = rule.days.filter((d) => d.orLastDay && d.day > 28).map((d) => `${theDay(d.day)} / last day`);
  return `on ${[dayList(fixed), ...lastDay].filter(Boolean).join(' and ')}`;
}

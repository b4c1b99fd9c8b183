// The deadline policy (spec/domain.md §2) and every way of saying it. The days come from the
// configuration only (ON_TIME_LAST_DAY, RESUBMISSION_LAST_DAY, CSPRTF_ON_TIME_LAST_DAY,
// LATE_FIRST_SUBMISSION: src/config.ts holds their defaults), and every message, email,
// response sheet and outbound-file note that names a deadline day renders it here, so a
// changed setting changes all of them at once.
import type { IsoDate } from '../../schemas/primitives.js';
import type { Config } from '../config.js';
import { parsePeriod, reportingPeriodLabel, type Period } from './period.js';
import { showIsoDate } from './zone.js';

export interface DeadlinePolicy {
  /** Last on-time local day of the month for RTF and OTF. */
  onTimeLastDay: number;
  /** Last local day an RTF or OTF is accepted at all. */
  resubmissionLastDay: number;
  /** A first RTF / OTF after onTimeLastDay: accepted and flagged late, or declined. */
  lateFirstSubmission: 'accept' | 'decline';
  /**
   * CSPRTF (the CS pages say "between the 5th through the 10th"): last local day it is on time;
   * a second file by then is a resubmission, a file after it is declined.
   */
  csprtfOnTimeLastDay: number;
}

/** The one policy of a configuration. */
export function deadlinePolicyFromConfig(
  config: Pick<Config, 'ON_TIME_LAST_DAY' | 'RESUBMISSION_LAST_DAY' | 'LATE_FIRST_SUBMISSION' | 'CSPRTF_ON_TIME_LAST_DAY'>,
): DeadlinePolicy {
  return {
    onTimeLastDay: config.ON_TIME_LAST_DAY,
    resubmissionLastDay: config.RESUBMISSION_LAST_DAY,
    lateFirstSubmission: config.LATE_FIRST_SUBMISSION,
    csprtfOnTimeLastDay: config.CSPRTF_ON_TIME_LAST_DAY,
  };
}

export function checkPolicy(policy: DeadlinePolicy): void {
  const { onTimeLastDay: a, resubmissionLastDay: b, csprtfOnTimeLastDay: c } = policy;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 1 || b > 28 || a > b)
    throw new RangeError(`deadline policy needs 1 ≤ onTimeLastDay (${a}) ≤ resubmissionLastDay (${b}) ≤ 28`);
  if (!Number.isInteger(c) || c < 1 || c > 28) throw new RangeError(`deadline policy needs 1 ≤ csprtfOnTimeLastDay (${c}) ≤ 28`);
}

/** The inbound file types a verdict is about (layout names). */
export type DeadlineFileType = 'RTF' | 'OTF' | 'CSPRTF';

/** The days of one file type's window in a month. */
export interface SubmissionWindow {
  /** Through this local day a file is on time. */
  onTimeLastDay: number;
  /** Through this local day a file is accepted at all (≥ onTimeLastDay); later ones are declined. */
  acceptedLastDay: number;
  /** A second file within the on-time days is a resubmission (CSPRTF), not on time again (RTF, OTF). */
  resubmissionWhileOnTime: boolean;
}

function typeWindow(policy: DeadlinePolicy, type: DeadlineFileType): SubmissionWindow {
  return type === 'CSPRTF'
    ? { onTimeLastDay: policy.csprtfOnTimeLastDay, acceptedLastDay: policy.csprtfOnTimeLastDay, resubmissionWhileOnTime: true }
    : { onTimeLastDay: policy.onTimeLastDay, acceptedLastDay: policy.resubmissionLastDay, resubmissionWhileOnTime: false };
}

export const isDeadlineType = (t: string): t is DeadlineFileType => t === 'RTF' || t === 'OTF' || t === 'CSPRTF';

/**
 * The window of a file carrying `types`. One type: its window. Several (an RTF+OTF workbook,
 * or a mixed one): the window that closes first, so no sheet is taken after its own window.
 * None known (a file not read yet, whose name suggests no type): the window that closes
 * last, so an early decline never refuses a file its own window would take; the verdict is
 * decided again once the sheets are read.
 */
export function submissionWindow(policy: DeadlinePolicy, types: readonly string[]): SubmissionWindow {
  const known = [...new Set(types.filter(isDeadlineType))];
  const windows = (known.length ? known : (['RTF', 'CSPRTF'] as const)).map((t) => typeWindow(policy, t));
  const pick = known.length ? Math.min : Math.max;
  return {
    onTimeLastDay: pick(...windows.map((w) => w.onTimeLastDay)),
    acceptedLastDay: pick(...windows.map((w) => w.acceptedLastDay)),
    resubmissionWhileOnTime: windows.every((w) => w.resubmissionWhileOnTime),
  };
}

/**
 * The days after which the missing-submission digest goes out, in order: the day after the
 * RTF/OTF on-time window, the day after their last accepted day, and the day after the CSPRTF
 * window (6th, 11th, and 11th again by default: the days coincide). CS providers are listed
 * only from that last one.
 */
export function missingAlertDays(policy: Pick<DeadlinePolicy, 'onTimeLastDay' | 'resubmissionLastDay' | 'csprtfOnTimeLastDay'>): number[] {
  const days = [policy.onTimeLastDay + 1, policy.resubmissionLastDay + 1, policy.csprtfOnTimeLastDay + 1];
  return [...new Set(days)].sort((a, b) => a - b);
}

// ---------------------------------------------------------------- wording

/** 1 → "1st", 2 → "2nd", 11 → "11th", 23 → "23rd". */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  const suffix = { 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** 5 → "the 5th". */
export const theDay = (day: number): string => `the ${ordinal(day)}`;

/** 5 → "by the 5th". */
export const byDay = (day: number): string => `by ${theDay(day)}`;

/** 6, 10 → "the 6th through the 10th"; one day → "the 10th". */
export const dayRange = (first: number, last: number): string => (first >= last ? theDay(last) : `${theDay(first)} through ${theDay(last)}`);

/** Days in order → "the 6th and the 11th", "the 6th, the 11th and the 16th". */
export function dayList(days: readonly number[]): string {
  const said = days.map(theDay);
  return said.length <= 1 ? (said[0] ?? '') : `${said.slice(0, -1).join(', ')} and ${said.at(-1)!}`;
}

/** The days of one file type's window, said the way messages say them. */
export interface WindowWording {
  /** "by the 5th": the on-time deadline. */
  onTimeBy: string;
  /** "the 6th through the 10th": the days a correction (or a late first file) is still taken; null when there are none. */
  lateDays: string | null;
  /** "the 10th": the last day a file is accepted. */
  lastAccepted: string;
}

export function windowWording(policy: DeadlinePolicy, types: readonly string[]): WindowWording {
  checkPolicy(policy);
  const w = submissionWindow(policy, types);
  return {
    onTimeBy: byDay(w.onTimeLastDay),
    lateDays: w.acceptedLastDay > w.onTimeLastDay ? dayRange(w.onTimeLastDay + 1, w.acceptedLastDay) : null,
    lastAccepted: theDay(w.acceptedLastDay),
  };
}

/**
 * When the files of `types` answering an outbound file of reporting period `period` are due,
 * with the dates written out (the window opens in the month after the period, whenever the
 * file or its email goes out: a CSASF of the 29th caught up on the 2nd, a MIF republished in
 * the next month): "for reporting period 11/2026 by 12/05/2026 (corrections through 12/10/2026)".
 */
/** Day `d` of the window that answers `period` (the month after it). */
const windowDay = (period: Period, d: number): IsoDate => {
  // (written out, not through nextPeriod: the window of the last month the calendar takes,
  // 2199-12, lies in 2200, and a board or status for that month still has to say when it closes)
  const { year, month } = parsePeriod(period);
  const [y, m] = month === 12 ? [year + 1, 1] : [year, month + 1];
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}` as IsoDate;
};

export function dueForPeriod(policy: DeadlinePolicy, types: readonly string[], period: Period): string {
  checkPolicy(policy);
  const w = submissionWindow(policy, types);
  const day = (d: number) => showIsoDate(windowDay(period, d));
  const corrections = w.acceptedLastDay > w.onTimeLastDay ? ` (corrections through ${day(w.acceptedLastDay)})` : '';
  return `for reporting period ${reportingPeriodLabel(period)} by ${day(w.onTimeLastDay)}${corrections}`;
}

/**
 * The last day a file for `period` carrying `types` is accepted, when `today` (plan-local) is
 * after it: the window closed before a file asking for one went out (a MIF or CSASF caught up
 * after a long outage). Null while the window is open.
 */
export function windowClosedBefore(policy: DeadlinePolicy, types: readonly string[], period: Period, today: IsoDate): IsoDate | null {
  const last = lastAcceptedDay(policy, types, period);
  return today > last ? last : null;
}

/** The last (plan-local) day a file for `period` carrying `types` is accepted. */
export function lastAcceptedDay(policy: DeadlinePolicy, types: readonly string[], period: Period): IsoDate {
  checkPolicy(policy);
  return windowDay(period, submissionWindow(policy, types).acceptedLastDay);
}

/**
 * The last day each program's files for `period` are accepted (ECM: RTF and OTF; CS: CSPRTF),
 * with the plan's time zone: a MIF or CSASF that went out after it asks nothing of the period.
 */
export interface AnswerWindow {
  through: Readonly<Record<'ECM' | 'CS', IsoDate>>;
  timeZone: string;
}

export function answerWindow(policy: DeadlinePolicy, period: Period, timeZone: string): AnswerWindow {
  return { through: { ECM: lastAcceptedDay(policy, ['RTF', 'OTF'], period), CS: lastAcceptedDay(policy, ['CSPRTF'], period) }, timeZone };
}

/**
 * The rule a DECLINED_LATE file broke, said for every file type, for the response's Codes sheet:
 * "An RTF or OTF is on time by the 5th and accepted through the 10th; a CSPRTF is accepted by the 10th."
 */
export function declineRule(policy: DeadlinePolicy): string {
  const ecm = windowWording(policy, ['RTF']);
  const cs = windowWording(policy, ['CSPRTF']);
  const late = !ecm.lateDays
    ? ''
    : policy.lateFirstSubmission === 'decline'
      ? `; from ${ecm.lateDays} only a corrected file is accepted`
      : ` and accepted through ${ecm.lastAccepted}`;
  return `An RTF or OTF is on time ${ecm.onTimeBy}${late}; a CSPRTF is accepted ${cs.onTimeBy}. Later files are declined.`;
}

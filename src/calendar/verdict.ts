// Deadline verdicts for inbound RTF, OTF and CSPRTF (spec/domain.md §2): received on local
// day d of month N, the file answers period N-1. RTF and OTF: d ≤ onTimeLastDay is on time; up
// to resubmissionLastDay it is a resubmission (if the provider already submitted that file
// type for the period) or late; after that it is declined. CSPRTF: d ≤ csprtfOnTimeLastDay is
// on time (a second file then is a resubmission); after that it is declined.
import type { Config } from '../config.js';
import { formatPeriod, parsePeriod, periodDay, periodForReceipt, reportingPeriodLabel, type Period } from './period.js';
import { localParts, spellDate, spellInstant } from './zone.js';

export const VERDICTS = ['ON_TIME', 'RESUBMISSION', 'LATE_ACCEPTED', 'DECLINED_LATE'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface DeadlinePolicy {
  /** Last on-time local day of the month (default 5). */
  onTimeLastDay: number;
  /** Last local day a file is accepted at all (default 10). */
  resubmissionLastDay: number;
  /** A first submission after onTimeLastDay: accept flagged late (default) or decline. */
  lateFirstSubmission: 'accept' | 'decline';
  /**
   * CSPRTF (the CS pages say "between the 5th through the 10th"): last local day it is on time
   * (default 10); a second file by then is a resubmission, a file after it is declined.
   */
  csprtfOnTimeLastDay: number;
}

export const DEFAULT_DEADLINE_POLICY: Readonly<DeadlinePolicy> = Object.freeze({
  onTimeLastDay: 5,
  resubmissionLastDay: 10,
  lateFirstSubmission: 'accept',
  csprtfOnTimeLastDay: 10,
});

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

const isDeadlineType = (t: string): t is DeadlineFileType => t === 'RTF' || t === 'OTF' || t === 'CSPRTF';

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

export interface SubmissionVerdictInput {
  receivedAt: Date;
  tz: string;
  /** The provider already has a submission of this file type for the period. */
  alreadySubmittedForPeriod: boolean;
  policy: DeadlinePolicy;
  /**
   * The file's types (its sheets' layouts, or before reading the types its name suggests):
   * the CSPRTF has its own window. Empty: not known yet (see submissionWindow).
   */
  fileTypes: readonly string[];
}

export interface SubmissionVerdict {
  verdict: Verdict;
  /** Reporting period answered: month N-1 of the local receipt month N. */
  period: Period;
  /** Local day of the receipt month. */
  day: number;
  /** false only for DECLINED_LATE: the file is not processed. */
  accepted: boolean;
}

function checkPolicy(policy: DeadlinePolicy): void {
  const { onTimeLastDay: a, resubmissionLastDay: b, csprtfOnTimeLastDay: c } = policy;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 1 || b > 28 || a > b)
    throw new RangeError(`deadline policy needs 1 ≤ onTimeLastDay (${a}) ≤ resubmissionLastDay (${b}) ≤ 28`);
  if (!Number.isInteger(c) || c < 1 || c > 28) throw new RangeError(`deadline policy needs 1 ≤ csprtfOnTimeLastDay (${c}) ≤ 28`);
}

/** The deadline verdict of one inbound RTF / OTF / CSPRTF (the CSPRTF has its own window). */
export function submissionVerdict(input: SubmissionVerdictInput): SubmissionVerdict {
  const { receivedAt, tz, alreadySubmittedForPeriod, policy } = input;
  checkPolicy(policy);
  const window = submissionWindow(policy, input.fileTypes);
  const { period, day } = periodForReceipt(receivedAt, tz);
  let verdict: Verdict;
  if (day <= window.onTimeLastDay) verdict = alreadySubmittedForPeriod && window.resubmissionWhileOnTime ? 'RESUBMISSION' : 'ON_TIME';
  else if (day <= window.acceptedLastDay) {
    if (alreadySubmittedForPeriod) verdict = 'RESUBMISSION';
    else verdict = policy.lateFirstSubmission === 'decline' ? 'DECLINED_LATE' : 'LATE_ACCEPTED';
  } else verdict = 'DECLINED_LATE';
  return { verdict, period, day, accepted: verdict !== 'DECLINED_LATE' };
}

/** 1 → "1st", 2 → "2nd", 11 → "11th", 23 → "23rd". */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  const suffix = { 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/**
 * The next submission window after an instant: the 1st through the on-time day of the
 * following month (of the file types' window, see submissionWindow).
 */
export function nextSubmissionWindow(
  receivedAt: Date,
  tz: string,
  policy: DeadlinePolicy,
  fileTypes: readonly string[],
): { period: Period; opens: string; onTimeUntil: string; acceptedUntil: string } {
  checkPolicy(policy);
  const window = submissionWindow(policy, fileTypes);
  const p = localParts(receivedAt, tz);
  const windowMonth = formatPeriod(p.year, p.month + 1); // the month the next window falls in
  return {
    period: formatPeriod(p.year, p.month), // the period the next file answers: the receipt month
    opens: periodDay(windowMonth, 1),
    onTimeUntil: periodDay(windowMonth, window.onTimeLastDay),
    acceptedUntil: periodDay(windowMonth, window.acceptedLastDay),
  };
}

/**
 * Plain text for the provider when a file is declined (verdict DECLINED_LATE). `period` is
 * the reporting period the file answered (from submissionVerdict); `fileTypes` as given to it.
 */
export function declinedMessage(period: Period, receivedAt: Date, tz: string, policy: DeadlinePolicy, fileTypes: readonly string[]): string {
  checkPolicy(policy);
  parsePeriod(period);
  const window = submissionWindow(policy, fileTypes);
  const { day } = periodForReceipt(receivedAt, tz);
  const next = nextSubmissionWindow(receivedAt, tz, policy, fileTypes);
  const received = spellInstant(receivedAt, tz);
  const label = reportingPeriodLabel(period);
  const why =
    day > window.acceptedLastDay
      ? `It arrived after the ${ordinal(window.acceptedLastDay)} of the month, the last day files for that period are accepted.`
      : `It arrived after the ${ordinal(window.onTimeLastDay)} of the month, and no file of this type had been submitted for that period; ` +
        `after the ${ordinal(window.onTimeLastDay)} the plan accepts only resubmissions (through the ${ordinal(window.acceptedLastDay)}).`;
  return [
    `Your file for reporting period ${label} was received on ${received} and has been declined: it was not processed.`,
    why,
    `Please include these updates in next month's file (reporting period ${reportingPeriodLabel(next.period)}) instead.`,
    `The next submission window opens on ${spellDate(next.opens)} and files are on time through ${spellDate(next.onTimeUntil)}.`,
  ].join(' ');
}

/** The verdict as the response's summary line says it, with the days of the file types' window. */
export function verdictLabel(verdict: Verdict, policy: DeadlinePolicy, fileTypes: readonly string[]): string {
  checkPolicy(policy);
  const w = submissionWindow(policy, fileTypes);
  const after = `from the ${ordinal(w.onTimeLastDay + 1)} through the ${ordinal(w.acceptedLastDay)}`;
  switch (verdict) {
    case 'ON_TIME':
      return `ON_TIME: received by the ${ordinal(w.onTimeLastDay)}`;
    case 'RESUBMISSION':
      return w.resubmissionWhileOnTime
        ? `RESUBMISSION: a corrected file received by the ${ordinal(w.acceptedLastDay)}`
        : `RESUBMISSION: a corrected file received ${after}`;
    case 'LATE_ACCEPTED':
      return `LATE_ACCEPTED: a first file received ${after}; accepted, flagged late`;
    case 'DECLINED_LATE':
      return 'DECLINED_LATE: not processed';
  }
}

// Deadline verdicts for inbound RTF, OTF and CSPRTF (spec/domain.md §2): received on local
// day d of month N, the file answers period N-1; d ≤ onTimeLastDay is on time; up to
// resubmissionLastDay it is a resubmission (if the provider already submitted that file
// type for the period) or late; after that it is declined.
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
}

export const DEFAULT_DEADLINE_POLICY: Readonly<DeadlinePolicy> = Object.freeze({
  onTimeLastDay: 5,
  resubmissionLastDay: 10,
  lateFirstSubmission: 'accept',
});

export function deadlinePolicyFromConfig(
  config: Pick<Config, 'ON_TIME_LAST_DAY' | 'RESUBMISSION_LAST_DAY' | 'LATE_FIRST_SUBMISSION'>,
): DeadlinePolicy {
  return {
    onTimeLastDay: config.ON_TIME_LAST_DAY,
    resubmissionLastDay: config.RESUBMISSION_LAST_DAY,
    lateFirstSubmission: config.LATE_FIRST_SUBMISSION,
  };
}

export interface SubmissionVerdictInput {
  receivedAt: Date;
  tz: string;
  /** The provider already has a submission of this file type for the period. */
  alreadySubmittedForPeriod: boolean;
  policy: DeadlinePolicy;
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
  const { onTimeLastDay: a, resubmissionLastDay: b } = policy;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 1 || b > 28 || a > b)
    throw new RangeError(`deadline policy needs 1 ≤ onTimeLastDay (${a}) ≤ resubmissionLastDay (${b}) ≤ 28`);
}

/** The deadline verdict of one inbound RTF / OTF / CSPRTF (the same windows for all three). */
export function submissionVerdict(input: SubmissionVerdictInput): SubmissionVerdict {
  const { receivedAt, tz, alreadySubmittedForPeriod, policy } = input;
  checkPolicy(policy);
  const { period, day } = periodForReceipt(receivedAt, tz);
  let verdict: Verdict;
  if (day <= policy.onTimeLastDay) verdict = 'ON_TIME';
  else if (day <= policy.resubmissionLastDay) {
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

/** The next submission window after an instant: the 1st through onTimeLastDay of the following month. */
export function nextSubmissionWindow(
  receivedAt: Date,
  tz: string,
  policy: DeadlinePolicy,
): { period: Period; opens: string; onTimeUntil: string; acceptedUntil: string } {
  checkPolicy(policy);
  const p = localParts(receivedAt, tz);
  const windowMonth = formatPeriod(p.year, p.month + 1); // the month the next window falls in
  return {
    period: formatPeriod(p.year, p.month), // the period the next file answers: the receipt month
    opens: periodDay(windowMonth, 1),
    onTimeUntil: periodDay(windowMonth, policy.onTimeLastDay),
    acceptedUntil: periodDay(windowMonth, policy.resubmissionLastDay),
  };
}

/**
 * Plain text for the provider when a file is declined (verdict DECLINED_LATE). `period` is
 * the reporting period the file answered (from submissionVerdict).
 */
export function declinedMessage(period: Period, receivedAt: Date, tz: string, policy: DeadlinePolicy): string {
  checkPolicy(policy);
  parsePeriod(period);
  const { day } = periodForReceipt(receivedAt, tz);
  const next = nextSubmissionWindow(receivedAt, tz, policy);
  const received = spellInstant(receivedAt, tz);
  const label = reportingPeriodLabel(period);
  const why =
    day > policy.resubmissionLastDay
      ? `It arrived after the ${ordinal(policy.resubmissionLastDay)} of the month, the last day files for that period are accepted.`
      : `It arrived after the ${ordinal(policy.onTimeLastDay)} of the month, and no file of this type had been submitted for that period; ` +
        `after the ${ordinal(policy.onTimeLastDay)} the plan accepts only resubmissions (through the ${ordinal(policy.resubmissionLastDay)}).`;
  return [
    `Your file for reporting period ${label} was received on ${received} and has been declined: it was not processed.`,
    why,
    `Please include these updates in next month's file (reporting period ${reportingPeriodLabel(next.period)}) instead.`,
    `The next submission window opens on ${spellDate(next.opens)} and files are on time through ${spellDate(next.onTimeUntil)}.`,
  ].join(' ');
}

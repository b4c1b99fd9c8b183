// Deadline verdicts for inbound RTF, OTF and CSPRTF (spec/domain.md §2): received on local
// day d of month N, the file answers period N-1. RTF and OTF: d ≤ onTimeLastDay is on time; up
// to resubmissionLastDay it is a resubmission (if the provider already submitted that file
// type for the period) or late; after that it is declined. CSPRTF: d ≤ csprtfOnTimeLastDay is
// on time (a second file then is a resubmission); after that it is declined.
import { checkPolicy, isDeadlineType, submissionWindow, theDay, windowWording, type DeadlinePolicy } from './deadlines.js';
import { formatPeriod, parsePeriod, periodDay, periodForReceipt, reportingPeriodLabel, type Period } from './period.js';
import { localParts, spellDate, spellInstant } from './zone.js';

export const VERDICTS = ['ON_TIME', 'RESUBMISSION', 'LATE_ACCEPTED', 'DECLINED_LATE'] as const;
export type Verdict = (typeof VERDICTS)[number];

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

/** What a DECLINED_LATE message says of one file (the catalogue's template fills them in). */
export type DeclinedParams = {
  /** The reporting period the file answered, as people write it (10/2026). */
  period: string;
  /** When it was received, in the plan's zone. */
  date: string;
  /** Why it was declined, with the days of its window. */
  reason: string;
  nextPeriod: string;
  /** The first day of the next window, and the last on-time day of it. */
  nextWindow: string;
  onTimeUntil: string;
};

/**
 * The particulars of a declined file (verdict DECLINED_LATE). `period` is the reporting period
 * the file answered (from submissionVerdict); `fileTypes` as given to it.
 */
export function declinedParams(period: Period, receivedAt: Date, tz: string, policy: DeadlinePolicy, fileTypes: readonly string[]): DeclinedParams {
  checkPolicy(policy);
  parsePeriod(period);
  const window = submissionWindow(policy, fileTypes);
  const { day } = periodForReceipt(receivedAt, tz);
  const next = nextSubmissionWindow(receivedAt, tz, policy, fileTypes);
  const reason =
    day > window.acceptedLastDay
      ? `It arrived after ${theDay(window.acceptedLastDay)} of the month, the last day files for that period are accepted.`
      : `It arrived after ${theDay(window.onTimeLastDay)} of the month, and no file of this type had been submitted for that period; ` +
        `after ${theDay(window.onTimeLastDay)} the plan accepts only resubmissions (through ${theDay(window.acceptedLastDay)}).`;
  return {
    period: reportingPeriodLabel(period),
    date: spellInstant(receivedAt, tz),
    reason,
    nextPeriod: reportingPeriodLabel(next.period),
    nextWindow: spellDate(next.opens),
    onTimeUntil: nextOnTimeUntil(receivedAt, tz, policy, fileTypes, next.onTimeUntil),
  };
}

/**
 * Until when the next window's files are on time. A file of no known type (declined by its name
 * before it was read) may be any of them: each window is said, where they differ (the window
 * that closes last, which decided the decline, would tell an RTF's sender a day it is late on).
 */
function nextOnTimeUntil(receivedAt: Date, tz: string, policy: DeadlinePolicy, fileTypes: readonly string[], window: string): string {
  if (fileTypes.some(isDeadlineType)) return spellDate(window);
  const ecm = nextSubmissionWindow(receivedAt, tz, policy, ['RTF']).onTimeUntil;
  const cs = nextSubmissionWindow(receivedAt, tz, policy, ['CSPRTF']).onTimeUntil;
  return ecm === cs ? spellDate(ecm) : `${spellDate(ecm)} for an RTF or OTF, ${spellDate(cs)} for a CSPRTF`;
}

/** The verdict as the response's summary line says it, with the days of the file types' window. */
export function verdictLabel(verdict: Verdict, policy: DeadlinePolicy, fileTypes: readonly string[]): string {
  const w = windowWording(policy, fileTypes);
  const after = `from ${w.lateDays ?? w.lastAccepted}`;
  switch (verdict) {
    case 'ON_TIME':
      return `ON_TIME: received ${w.onTimeBy}`;
    case 'RESUBMISSION':
      return submissionWindow(policy, fileTypes).resubmissionWhileOnTime
        ? `RESUBMISSION: a corrected file received by ${w.lastAccepted}`
        : `RESUBMISSION: a corrected file received ${after}`;
    case 'LATE_ACCEPTED':
      return `LATE_ACCEPTED: a first file received ${after}; accepted, flagged late`;
    case 'DECLINED_LATE':
      return 'DECLINED_LATE: not processed';
  }
}

// RTF row rules (spec/layouts.md RTF, domain.md §4.5-4.8), the cross-row key and the blank
// filled in. Pure: values in, issues out (the pure-core-no-io layer rule holds here too).
import { DISCONTINUATION_REASONS } from '../../../schemas/codes.js';
import type { ColumnKey } from '../../../schemas/layout.js';
import { daysBetween } from '../../../schemas/primitives.js';
import type { RTF } from '../../../schemas/rtf.js';
import { periodLastDay } from '../../calendar/period.js';
import type { IssueCode } from '../../validate/catalogue.js';
import { displayPeriod, notAfterReceipt, periodMatches, referralDate } from '../../validate/common-rules.js';
import type { BlankDefault, CrossRowKey, RowRule as Rule } from '../../validate/file-type.js';
import type { RowScope } from '../../validate/scope.js';

export type RtfKey = ColumnKey<typeof RTF>;
type RowRule = Rule<RtfKey>;

const reasons = Object.keys(DISCONTINUATION_REASONS).join(', ');

const indicators: RowRule = (s) => {
  for (const key of ['address', 'city', 'state', 'zip'] as const) s.require(s.get('newAddress') === true, key, 'RTF_ADDRESS_REQUIRED');
  s.require(s.get('newPhone') === true, 'phone', 'RTF_PHONE_REQUIRED');
  s.require(s.get('pofIndicator') === true, 'pof', 'RTF_POF_REQUIRED');
};

const enrolled: RowRule = (s) => {
  const enrolledStatus = s.get('ecmStatus') === '3';
  s.require(enrolledStatus, 'startDate', 'RTF_ENROLLED_NEEDS_START');
  s.require(enrolledStatus, 'lcmName', 'RTF_ENROLLED_NEEDS_LCM');
  s.require(enrolledStatus, 'lcmPhone', 'RTF_ENROLLED_NEEDS_LCM');
};

/** Enrollment End Date vs Discontinuation Date (domain §4.5). */
const endings: RowRule = (s) => {
  const start = s.str('startDate');
  const end = s.str('endDate');
  if (s.filled('endDate') && s.isBlank('startDate')) s.add('RTF_END_DATE_NEEDS_START', 'endDate');
  if (start && end && end < start) s.add('RTF_END_BEFORE_START', 'endDate');
  if (s.filled('endDate') && s.filled('discontinuationDate')) s.add('RTF_END_AND_DISCONTINUATION', 'discontinuationDate');
  if (s.filled('discontinuationDate') && s.filled('startDate')) s.add('RTF_DISCONTINUATION_WITH_START', 'discontinuationDate');
  const dated = s.filled('endDate') || s.filled('discontinuationDate');
  s.require(dated, 'discontinuationReasonCode', 'RTF_REASON_CODE_REQUIRED', { allowed: reasons });
  s.require(s.get('discontinuationReasonCode') === 'OTH', 'discontinuationReason', 'RTF_REASON_TEXT_REQUIRED');
  const declined = s.get('ecmStatus') === '4';
  s.require(declined && s.filled('startDate'), 'endDate', 'RTF_DECLINED_NEEDS_END');
  // A member never enrolled who declined is told apart from one who left only by these two
  // cells: without them the plan cannot close the assignment (domain §4.5).
  s.require(declined && s.isBlank('startDate'), 'discontinuationDate', 'RTF_DECLINED_NEEDS_DISCONTINUATION');
  s.require(declined && !dated, 'discontinuationReasonCode', 'RTF_DECLINED_NEEDS_REASON', { allowed: reasons });
};

/**
 * [POLICY] A status the enrollment dates contradict is a warning on Member ECM Status, never a
 * rejection: the spec makes neither pair an error, and rejecting the row would lose the
 * provider's dates. Status 1 or 2 (not yet enrolled) with a Start Date; status 3 (Enrolled)
 * with an End or Discontinuation Date, where a member who left is status 4 with the date (the
 * plan's ECM FAQ). Nothing allocated unless a warning is added (the bench validates 100k rows).
 */
const statusDates: RowRule = (s) => {
  const status = s.get('ecmStatus');
  if ((status === '1' || status === '2') && s.filled('startDate')) s.add('RTF_NOT_ENROLLED_WITH_START', 'ecmStatus');
  else if (status === '3') {
    // one warning names one date: both filled is RTF_END_AND_DISCONTINUATION already
    const dated = s.filled('endDate') ? 'endDate' : s.filled('discontinuationDate') ? 'discontinuationDate' : undefined;
    if (dated) s.add('RTF_ENROLLED_WITH_END', 'ecmStatus', { other: s.column(dated).label });
  }
};

const dateOrder: RowRule = (s) => {
  const start = s.str('startDate');
  const plan = s.str('carePlanDate');
  if (start && plan && plan < start) s.add('RTF_CARE_PLAN_BEFORE_START', 'carePlanDate');
  const aStart = s.str('assessmentStartedDate');
  const aDone = s.str('assessmentCompletedDate');
  if (aStart && aDone && aDone < aStart) s.add('ASSESSMENT_COMPLETED_BEFORE_STARTED', 'assessmentCompletedDate');
};

/**
 * One ECM timeline (domain §4.8): `key` is due within `limit` days of enrollment. A filled date
 * later than that is late; a blank one is overdue once the limit has passed while the member
 * was enrolled, counted to `until`: the end of the reporting period, or the End Date if earlier.
 */
function timeline(
  s: RowScope<RtfKey>,
  start: string,
  key: RtfKey,
  limit: number,
  codes: { late: IssueCode; overdue: IssueCode },
  until: { date: string; label: string } | undefined,
): void {
  const date = s.str(key);
  if (date) {
    const days = daysBetween(start, date);
    if (days > limit) s.add(codes.late, key, { days, limit });
    return;
  }
  // A filled but invalid date has its own error already: only a blank cell is overdue.
  if (!s.isBlank(key) || !until) return;
  const days = daysBetween(start, until.date);
  if (days > limit) s.add(codes.overdue, key, { days, limit, until: until.label });
}

/** Timelines are warnings for the liaison (domain §4.8). */
const timelines: RowRule = (s) => {
  const start = s.str('startDate');
  if (!start) return;
  const { ASSESSMENT_START_DAYS, ASSESSMENT_COMPLETE_DAYS, CARE_PLAN_DAYS } = s.ctx.config;
  // Offline validation knows no expected period: the row's own reporting period stands in.
  const period = s.ctx.expectedPeriod ?? s.str('reportingPeriod');
  let until: { date: string; label: string } | undefined;
  if (period) {
    const periodEnd = periodLastDay(period);
    const end = s.str('endDate');
    until = end && end < periodEnd
      ? { date: end, label: 'the ECM Enrollment End Date' }
      : { date: periodEnd, label: `the end of reporting period ${displayPeriod(period)}` };
  }
  timeline(s, start, 'assessmentStartedDate', ASSESSMENT_START_DAYS, { late: 'ASSESSMENT_START_LATE', overdue: 'ASSESSMENT_START_OVERDUE' }, until);
  timeline(s, start, 'assessmentCompletedDate', ASSESSMENT_COMPLETE_DAYS, { late: 'ASSESSMENT_COMPLETE_LATE', overdue: 'ASSESSMENT_COMPLETE_OVERDUE' }, until);
  timeline(s, start, 'carePlanDate', CARE_PLAN_DAYS, { late: 'CARE_PLAN_LATE', overdue: 'CARE_PLAN_OVERDUE' }, until);
};

export const RTF_RULES: readonly RowRule[] = [
  indicators,
  enrolled,
  endings,
  statusDates,
  dateOrder,
  timelines,
  referralDate,
  periodMatches,
  // [POLICY] The ending dates too (the layout is silent): a member cannot have left after the file
  // was sent, and the apply writes them as the assignment's end, closing it ahead of time.
  notAfterReceipt<RtfKey>([
    'startDate', 'endDate', 'discontinuationDate', 'carePlanDate', 'careConferenceDate', 'assessmentStartedDate',
    'assessmentCompletedDate', 'lastEncounterDate', 'productionDate', 'referralStatusDate',
  ]),
];

/** A member once per line of business: one file may report a member the provider has in two lines. */
export const RTF_CROSS_ROW: CrossRowKey<RtfKey> = { keys: ['cin', 'mcpId'], code: 'DUPLICATE_CIN' };

/** A blank acuity is taken as Low, with a warning. */
export const RTF_BLANK_DEFAULTS: Partial<Record<RtfKey, BlankDefault>> = { acuity: { value: 'Low', code: 'ACUITY_DEFAULTED' } };

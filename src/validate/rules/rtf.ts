// RTF row rules (spec/layouts.md RTF, domain.md §4.5-4.8).
import { DISCONTINUATION_REASONS } from '../../../schemas/codes.js';
import { daysBetween } from '../../../schemas/primitives.js';
import type { RowScope } from '../scope.js';
import { notAfterReceipt, periodMatches, referralDate, type RowRule } from './common.js';

const reasons = Object.keys(DISCONTINUATION_REASONS).join(', ');

const indicators: RowRule = (s) => {
  for (const key of ['address', 'city', 'state', 'zip']) s.require(s.get('newAddress') === true, key, 'RTF_ADDRESS_REQUIRED');
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
  s.require(s.filled('endDate') || s.filled('discontinuationDate'), 'discontinuationReasonCode', 'RTF_REASON_CODE_REQUIRED', { allowed: reasons });
  s.require(s.get('discontinuationReasonCode') === 'OTH', 'discontinuationReason', 'RTF_REASON_TEXT_REQUIRED');
  s.require(s.get('ecmStatus') === '4' && s.filled('startDate'), 'endDate', 'RTF_DECLINED_NEEDS_END');
};

const dateOrder: RowRule = (s) => {
  const start = s.str('startDate');
  const plan = s.str('carePlanDate');
  if (start && plan && plan < start) s.add('RTF_CARE_PLAN_BEFORE_START', 'carePlanDate');
  const aStart = s.str('assessmentStartedDate');
  const aDone = s.str('assessmentCompletedDate');
  if (aStart && aDone && aDone < aStart) s.add('ASSESSMENT_COMPLETED_BEFORE_STARTED', 'assessmentCompletedDate');
};

/** Timelines are warnings for the liaison (domain §4.8). */
const timelines: RowRule = (s: RowScope) => {
  const start = s.str('startDate');
  if (!start) return;
  const { ASSESSMENT_START_DAYS, ASSESSMENT_COMPLETE_DAYS } = s.ctx.config;
  const aStart = s.str('assessmentStartedDate');
  if (aStart && daysBetween(start, aStart) > ASSESSMENT_START_DAYS)
    s.add('ASSESSMENT_START_LATE', 'assessmentStartedDate', { days: daysBetween(start, aStart), limit: ASSESSMENT_START_DAYS });
  const aDone = s.str('assessmentCompletedDate');
  if (aDone && daysBetween(start, aDone) > ASSESSMENT_COMPLETE_DAYS)
    s.add('ASSESSMENT_COMPLETE_LATE', 'assessmentCompletedDate', { days: daysBetween(start, aDone), limit: ASSESSMENT_COMPLETE_DAYS });
};

export const RTF_RULES: readonly RowRule[] = [
  indicators,
  enrolled,
  endings,
  dateOrder,
  timelines,
  referralDate,
  periodMatches,
  notAfterReceipt(['startDate', 'carePlanDate', 'careConferenceDate', 'assessmentStartedDate', 'assessmentCompletedDate', 'lastEncounterDate', 'productionDate', 'referralStatusDate']),
];

// CSPRTF row rules (spec/layouts.md CSPRTF, domain.md §5) and the cross-row key. Pure.
import { DISCONTINUATION_REASONS, HOUSING_SERVICES, type CsService } from '../../../schemas/codes.js';
import type { CSPRTF } from '../../../schemas/csprtf.js';
import type { ColumnKey } from '../../../schemas/layout.js';
import { notAfterReceipt, periodMatches, referralDate } from '../../validate/common-rules.js';
import type { CrossRowKey, RowRule as Rule } from '../../validate/file-type.js';

export type CsprtfKey = ColumnKey<typeof CSPRTF>;
type RowRule = Rule<CsprtfKey>;

const byStatus: RowRule = (s) => {
  const status = s.get('engagementStatus');
  s.require(status === '2', 'outreachDate', 'CSPRTF_OUTREACH_DATE_REQUIRED');
  s.require(s.filled('outreachDate'), 'outreachMethod', 'CSPRTF_OUTREACH_METHOD_REQUIRED');
  s.require(status === '3', 'authNumber', 'CSPRTF_AUTH_NUMBER_REQUIRED');
  s.require(status === '3', 'serviceStartDate', 'CSPRTF_SERVICE_START_REQUIRED');
  s.require(status === '4', 'discontinuationReasonCode', 'CSPRTF_REASON_REQUIRED', { allowed: Object.keys(DISCONTINUATION_REASONS).join(', ') });
  s.require(status === '4' && s.filled('serviceStartDate'), 'serviceEndDate', 'CSPRTF_END_DATE_REQUIRED');
};

const serviceDates: RowRule = (s) => {
  if (s.filled('serviceEndDate') && s.isBlank('serviceStartDate')) s.add('CSPRTF_END_NEEDS_START', 'serviceEndDate');
  const start = s.str('serviceStartDate');
  const end = s.str('serviceEndDate');
  if (start && end && end < start) s.add('CSPRTF_END_BEFORE_START', 'serviceEndDate');
};

const housing: RowRule = (s) => {
  const service = s.str('serviceCode');
  // both housing columns: a Date Housed on a meal or respite row would be stored as the member's housing
  if (service && !HOUSING_SERVICES.includes(service as CsService))
    for (const key of ['housed', 'dateHoused'] as const) if (s.filled(key)) s.add('CSPRTF_HOUSED_NOT_HOUSING', key, { value: service });
  s.require(s.get('housed') === '1', 'dateHoused', 'CSPRTF_DATE_HOUSED_REQUIRED');
};

export const CSPRTF_RULES: readonly RowRule[] = [
  byStatus,
  serviceDates,
  housing,
  referralDate,
  periodMatches,
  notAfterReceipt<CsprtfKey>(['dob', 'outreachDate', 'serviceStartDate', 'dateHoused', 'productionDate', 'referralStatusDate']),
];

/** One row per member × CS service in a file. */
export const CSPRTF_CROSS_ROW: CrossRowKey<CsprtfKey> = { keys: ['cin', 'serviceCode'], code: 'DUPLICATE_CIN_SERVICE' };

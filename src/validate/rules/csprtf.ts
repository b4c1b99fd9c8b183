// CSPRTF row rules (spec/layouts.md CSPRTF, domain.md §5).
import { DISCONTINUATION_REASONS, HOUSING_SERVICES, type CsService } from '../../../schemas/codes.js';
import { notAfterReceipt, periodMatches, referralDate, type RowRule } from './common.js';

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
  if (service && s.filled('housed') && !HOUSING_SERVICES.includes(service as CsService))
    s.add('CSPRTF_HOUSED_NOT_HOUSING', 'housed', { value: service });
  s.require(s.get('housed') === '1', 'dateHoused', 'CSPRTF_DATE_HOUSED_REQUIRED');
};

export const CSPRTF_RULES: readonly RowRule[] = [
  byStatus,
  serviceDates,
  housing,
  referralDate,
  periodMatches,
  notAfterReceipt(['dob', 'outreachDate', 'dateHoused', 'productionDate', 'referralStatusDate']),
];

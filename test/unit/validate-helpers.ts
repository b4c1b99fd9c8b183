// Shared fixtures for the validation tests: a valid row per inbound layout (as cells), the
// context, and the table of rule cases each naming the issue code it must raise.
import { loadConfig } from '../../src/config.js';
import { CSPRTF, OTF, RTF, matchHeader, type HeaderMatch } from '../../schemas/index.js';
import type { Layout } from '../../schemas/layout.js';
import type { IssueCode } from '../../src/validate/catalogue.js';
import { BoundRow } from '../../src/validate/scope.js';
import { validateRow, type RowCells, type RowContext, type RowResult } from '../../src/validate/row.js';
import { FORMULA_NO_RESULT, type CellValue } from '../../src/xlsx/types.js';
import { FILE_TYPES } from '../../src/filetypes/registry.js';
import type { RowValidation } from '../../src/validate/file-type.js';

export const config = loadConfig({});
export const CTX: RowContext = { config, receivedDate: '2026-10-05', expectedPeriod: '2026-09', sheet: 'S', rowNumber: 7 };

type RowData = Record<string, CellValue>;
const d = (date: string): CellValue => ({ date });

export const BASE: Record<'RTF' | 'OTF' | 'CSPRTF', RowData> = {
  RTF: {
    mcpId: 'HN', mcpName: 'Health Net', cin: '91234567A', lastName: 'Doe', firstName: 'Jane', newAddress: 'N', homeless: 'N',
    address: null, city: null, state: null, zip: null, newPhone: 'N', phone: null, pofIndicator: 'Y', pof: '1a;3', ecmStatus: '3',
    acuity: 'Medium', startDate: d('2026-09-01'), endDate: null, carePlanDate: d('2026-09-10'), careConferenceDate: null,
    assessmentStartedDate: d('2026-09-05'), assessmentCompletedDate: d('2026-09-20'), lastEncounterDate: d('2026-09-28'),
    lcmName: 'Pat Lee', lcmPhone: '(559) 555-0123', lcmEmail: 'pat@acme.org', discontinuationDate: null, discontinuationReasonCode: null,
    discontinuationReason: null, inPerson: 2, telephonic: 3, productionDate: d('2026-10-02'), reportingPeriod: '09/2026',
    providerName: 'ACME ECM', providerNpi: '1234567893', providerTin: '12-3456789', providerPhone: null, referralStatus: null,
    referralStatusDate: null, referralClosureReason: null,
  },
  OTF: {
    mcpId: 'CV', mcpName: null, providerName: 'ACME ECM', providerNpi: 1234567893, providerTin: '123456789', clientName: 'Jane Doe',
    cin: '91234567A', providerType: '2', attemptDate: d('2026-09-03'), method: '2', successful: 'N', minutes: 15,
  },
  CSPRTF: {
    mcpId: 'HN', providerName: 'Casa CS', providerNpi: '1558598797', providerTin: '987654321', cin: '91234567A', lastName: 'Doe',
    firstName: 'Jane', dob: d('1980-02-03'), serviceCode: 'HTN', authNumber: 'A-123', engagementStatus: '3', outreachDate: null,
    outreachMethod: null, providerType: '1', serviceStartDate: d('2026-08-15'), serviceEndDate: null, discontinuationReasonCode: null,
    housed: '0', dateHoused: null, productionDate: d('2026-10-04'), reportingPeriod: '2026-09', referralStatus: 'Services Received',
    referralStatusDate: d('2026-09-15'), referralClosureReason: 'Services Received',
  },
};

export const LAYOUT_OF = { RTF, OTF, CSPRTF } as const;

/** The row as the reader would give it under the layout's canonical header. */
export function cellsOf(layout: Layout, data: RowData): CellValue[] {
  for (const k of Object.keys(data)) if (!layout.columns.some((c) => c.key === k)) throw new Error(`${layout.name} has no ${k}`);
  return layout.columns.map((c) => data[c.key] ?? null);
}

export function bound(layout: Layout, data: RowData): RowCells {
  return new BoundRow(new Map(layout.columns.map((c, index) => [c.key, index])), layout.columns.map((c) => data[c.key] ?? null));
}

export function run(name: keyof typeof BASE, patch: RowData = {}, ctx: Partial<RowContext> = {}): RowResult {
  const layout = LAYOUT_OF[name];
  const type: RowValidation = FILE_TYPES[name];
  return validateRow(type, bound(layout, { ...BASE[name], ...patch }), { ...CTX, ...ctx });
}

export function header(layout: Layout): HeaderMatch {
  const m = matchHeader(layout.columns.map((c) => c.label));
  if (!m) throw new Error(`no match for ${layout.name}`);
  return m;
}

export interface RowCase {
  name: string;
  layout: keyof typeof BASE;
  patch: RowData;
  ctx?: Partial<RowContext>;
  code: IssueCode;
  /** Column key the issue is on (omit for row-wide checks). */
  on?: string;
}

const long = (n: number) => 'x'.repeat(n);

export const ROW_CASES: RowCase[] = [
  // generic cell checks
  { name: 'Req blank', layout: 'RTF', patch: { lastName: '  ' }, code: 'REQUIRED_BLANK', on: 'lastName' },
  { name: 'Req blank (OTF minutes)', layout: 'OTF', patch: { minutes: null }, code: 'REQUIRED_BLANK', on: 'minutes' },
  { name: 'Req blank (CSPRTF service)', layout: 'CSPRTF', patch: { serviceCode: null }, code: 'REQUIRED_BLANK', on: 'serviceCode' },
  { name: '#N/A cell', layout: 'RTF', patch: { firstName: { error: '#N/A' } }, code: 'CELL_ERROR', on: 'firstName' },
  { name: 'a formula with no saved result', layout: 'OTF', patch: { minutes: FORMULA_NO_RESULT }, code: 'FORMULA_NO_RESULT', on: 'minutes' },
  { name: 'name over 60', layout: 'RTF', patch: { lastName: long(61) }, code: 'TEXT_TOO_LONG', on: 'lastName' },
  { name: 'client name over 120', layout: 'OTF', patch: { clientName: long(121) }, code: 'TEXT_TOO_LONG', on: 'clientName' },
  { name: 'reason over 200', layout: 'RTF', patch: { discontinuationReason: long(201) }, code: 'TEXT_TOO_LONG', on: 'discontinuationReason' },
  { name: 'control character', layout: 'RTF', patch: { firstName: 'Ja\u0007ne' }, code: 'TEXT_CONTROL_CHARS', on: 'firstName' },
  { name: 'CIN 8 chars', layout: 'RTF', patch: { cin: '1234567A' }, code: 'CIN_FORMAT', on: 'cin' },
  { name: 'CIN ID-card number', layout: 'OTF', patch: { cin: '91234567A12345' }, code: 'CIN_IDCARD_NUMBER', on: 'cin' },
  { name: 'CIN dummy', layout: 'CSPRTF', patch: { cin: '99999999A' }, code: 'CIN_DUMMY', on: 'cin' },
  { name: 'NPI check digit', layout: 'RTF', patch: { providerNpi: '1234567890' }, code: 'NPI_FORMAT', on: 'providerNpi' },
  { name: 'NPI length', layout: 'CSPRTF', patch: { providerNpi: 123 }, code: 'NPI_FORMAT', on: 'providerNpi' },
  { name: 'TIN', layout: 'OTF', patch: { providerTin: '12-345' }, code: 'TIN_FORMAT', on: 'providerTin' },
  { name: 'phone', layout: 'RTF', patch: { lcmPhone: '555-0123' }, code: 'PHONE_FORMAT', on: 'lcmPhone' },
  { name: 'zip', layout: 'RTF', patch: { zip: '9370' }, code: 'ZIP_FORMAT', on: 'zip' },
  { name: 'state', layout: 'RTF', patch: { state: 'California' }, code: 'STATE_FORMAT', on: 'state' },
  { name: 'email', layout: 'RTF', patch: { lcmEmail: 'pat-at-acme' }, code: 'EMAIL_FORMAT', on: 'lcmEmail' },
  { name: 'Y/N', layout: 'OTF', patch: { successful: 'maybe' }, code: 'YN_FORMAT', on: 'successful' },
  { name: 'impossible date', layout: 'RTF', patch: { carePlanDate: '02/30/2026' }, code: 'DATE_FORMAT', on: 'carePlanDate' },
  { name: 'serial 60', layout: 'CSPRTF', patch: { dob: 60 }, code: 'DATE_FORMAT', on: 'dob' },
  { name: 'date as words', layout: 'OTF', patch: { attemptDate: 'Sept 3rd' }, code: 'DATE_FORMAT', on: 'attemptDate' },
  { name: 'negative count', layout: 'RTF', patch: { inPerson: -1 }, code: 'INT_FORMAT', on: 'inPerson' },
  { name: 'fractional count', layout: 'RTF', patch: { telephonic: 2.5 }, code: 'INT_FORMAT', on: 'telephonic' },
  { name: 'count as words', layout: 'RTF', patch: { telephonic: 'two' }, code: 'INT_FORMAT', on: 'telephonic' },
  { name: 'minutes as words', layout: 'OTF', patch: { minutes: 'ten' }, code: 'MINUTES_FORMAT', on: 'minutes' },
  { name: 'count no month can hold', layout: 'RTF', patch: { inPerson: 5_000_000_000 }, code: 'INT_TOO_LARGE', on: 'inPerson' },
  { name: 'minutes past a day', layout: 'OTF', patch: { minutes: 1441 }, code: 'INT_TOO_LARGE', on: 'minutes' },
  { name: 'unknown status', layout: 'RTF', patch: { ecmStatus: '5' }, code: 'CODE_UNKNOWN', on: 'ecmStatus' },
  { name: 'unknown payer', layout: 'OTF', patch: { mcpId: 'KP' }, code: 'CODE_UNKNOWN', on: 'mcpId' },
  { name: 'unknown POF in list', layout: 'RTF', patch: { pof: '1a;12' }, code: 'CODE_UNKNOWN', on: 'pof' },
  { name: 'unknown CS service', layout: 'CSPRTF', patch: { serviceCode: 'XYZ' }, code: 'CODE_UNKNOWN', on: 'serviceCode' },
  { name: 'unknown referral status', layout: 'RTF', patch: { referralStatus: 'Maybe', referralStatusDate: { date: '2026-09-02' } }, code: 'CODE_UNKNOWN', on: 'referralStatus' },
  { name: 'unknown closure reason', layout: 'CSPRTF', patch: { referralClosureReason: 'Bored' }, code: 'CODE_UNKNOWN', on: 'referralClosureReason' },
  { name: 'unknown OTF method', layout: 'OTF', patch: { method: '3' }, code: 'CODE_UNKNOWN', on: 'method' },
  { name: 'housed yes/no text', layout: 'CSPRTF', patch: { housed: 'maybe' }, code: 'CODE_UNKNOWN', on: 'housed' },
  { name: 'period format', layout: 'RTF', patch: { reportingPeriod: '2026/09' }, code: 'PERIOD_FORMAT', on: 'reportingPeriod' },
  { name: 'period range not a month', layout: 'CSPRTF', patch: { reportingPeriod: '09/01/2026-09/15/2026' }, code: 'PERIOD_FORMAT', on: 'reportingPeriod' },
  { name: 'period mismatch', layout: 'RTF', patch: { reportingPeriod: '08/2026' }, code: 'PERIOD_MISMATCH', on: 'reportingPeriod' },
  { name: 'period mismatch CSPRTF', layout: 'CSPRTF', patch: { reportingPeriod: '2026-10' }, code: 'PERIOD_MISMATCH', on: 'reportingPeriod' },
  { name: 'encounter after receipt', layout: 'RTF', patch: { lastEncounterDate: { date: '2026-10-06' } }, code: 'DATE_AFTER_RECEIPT', on: 'lastEncounterDate' },
  { name: 'start after receipt', layout: 'RTF', patch: { startDate: { date: '2026-10-06' }, carePlanDate: null, assessmentStartedDate: null, assessmentCompletedDate: null }, code: 'DATE_AFTER_RECEIPT', on: 'startDate' },
  // a service "currently delivering" (status 3) cannot have started after the file was sent (it was accepted and stored)
  { name: 'service start after receipt', layout: 'CSPRTF', patch: { serviceStartDate: { date: '2027-05-01' } }, code: 'DATE_AFTER_RECEIPT', on: 'serviceStartDate' },
  { name: 'production after receipt', layout: 'CSPRTF', patch: { productionDate: { date: '2026-10-06' } }, code: 'DATE_AFTER_RECEIPT', on: 'productionDate' },
  { name: 'end after receipt', layout: 'RTF', patch: { ecmStatus: '4', endDate: { date: '2026-10-06' }, discontinuationReasonCode: 'DP' }, code: 'DATE_AFTER_RECEIPT', on: 'endDate' },
  { name: 'discontinuation after receipt', layout: 'RTF', patch: { ecmStatus: '4', startDate: null, carePlanDate: null, discontinuationDate: { date: '2026-10-06' }, discontinuationReasonCode: 'DP' }, code: 'DATE_AFTER_RECEIPT', on: 'discontinuationDate' },
  { name: 'future vs today offline', layout: 'RTF', patch: { careConferenceDate: { date: '2026-10-06' } }, ctx: { receivedDate: undefined, today: '2026-10-05' }, code: 'DATE_AFTER_RECEIPT', on: 'careConferenceDate' },
  { name: 'attempt after receipt', layout: 'OTF', patch: { attemptDate: { date: '2026-10-06' } }, ctx: { expectedPeriod: undefined }, code: 'DATE_AFTER_RECEIPT', on: 'attemptDate' },

  // RTF rules
  { name: 'acuity blank → Low', layout: 'RTF', patch: { acuity: null }, code: 'ACUITY_DEFAULTED', on: 'acuity' },
  { name: 'new address: street', layout: 'RTF', patch: { newAddress: 'Y', city: 'Fresno', state: 'CA', zip: '93701' }, code: 'RTF_ADDRESS_REQUIRED', on: 'address' },
  { name: 'new address: city', layout: 'RTF', patch: { newAddress: 'Yes', address: '1 Main St', state: 'CA', zip: '93701' }, code: 'RTF_ADDRESS_REQUIRED', on: 'city' },
  { name: 'new address: state', layout: 'RTF', patch: { newAddress: 'y', address: '1 Main St', city: 'Fresno', zip: '93701' }, code: 'RTF_ADDRESS_REQUIRED', on: 'state' },
  { name: 'new address: zip', layout: 'RTF', patch: { newAddress: true, address: '1 Main St', city: 'Fresno', state: 'CA' }, code: 'RTF_ADDRESS_REQUIRED', on: 'zip' },
  { name: 'new phone', layout: 'RTF', patch: { newPhone: 'Y' }, code: 'RTF_PHONE_REQUIRED', on: 'phone' },
  { name: 'POF indicator Y', layout: 'RTF', patch: { pof: null }, code: 'RTF_POF_REQUIRED', on: 'pof' },
  { name: 'enrolled needs start', layout: 'RTF', patch: { startDate: null, carePlanDate: null }, code: 'RTF_ENROLLED_NEEDS_START', on: 'startDate' },
  { name: 'enrolled needs LCM name', layout: 'RTF', patch: { lcmName: null }, code: 'RTF_ENROLLED_NEEDS_LCM', on: 'lcmName' },
  { name: 'enrolled needs LCM phone', layout: 'RTF', patch: { lcmPhone: '' }, code: 'RTF_ENROLLED_NEEDS_LCM', on: 'lcmPhone' },
  { name: 'end needs start', layout: 'RTF', patch: { ecmStatus: '4', startDate: null, carePlanDate: null, endDate: { date: '2026-09-20' }, discontinuationReasonCode: 'DP' }, code: 'RTF_END_DATE_NEEDS_START', on: 'endDate' },
  { name: 'end before start', layout: 'RTF', patch: { endDate: { date: '2026-08-31' }, discontinuationReasonCode: 'WM' }, code: 'RTF_END_BEFORE_START', on: 'endDate' },
  { name: 'end and discontinuation', layout: 'RTF', patch: { endDate: { date: '2026-09-30' }, discontinuationDate: { date: '2026-09-30' }, discontinuationReasonCode: 'WM' }, code: 'RTF_END_AND_DISCONTINUATION', on: 'discontinuationDate' },
  { name: 'discontinuation with start', layout: 'RTF', patch: { ecmStatus: '4', discontinuationDate: { date: '2026-09-30' }, endDate: { date: '2026-09-30' }, discontinuationReasonCode: 'DP' }, code: 'RTF_DISCONTINUATION_WITH_START', on: 'discontinuationDate' },
  { name: 'reason code with end', layout: 'RTF', patch: { endDate: { date: '2026-09-30' } }, code: 'RTF_REASON_CODE_REQUIRED', on: 'discontinuationReasonCode' },
  { name: 'reason code with discontinuation', layout: 'RTF', patch: { ecmStatus: '4', startDate: null, carePlanDate: null, discontinuationDate: { date: '2026-09-30' } }, code: 'RTF_REASON_CODE_REQUIRED', on: 'discontinuationReasonCode' },
  { name: 'OTH needs text', layout: 'RTF', patch: { endDate: { date: '2026-09-30' }, discontinuationReasonCode: 'oth' }, code: 'RTF_REASON_TEXT_REQUIRED', on: 'discontinuationReason' },
  { name: 'declined with start needs end', layout: 'RTF', patch: { ecmStatus: '4' }, code: 'RTF_DECLINED_NEEDS_END', on: 'endDate' },
  // a status the dates contradict: warnings on the status (the row is kept)
  { name: 'status 1 with a start date', layout: 'RTF', patch: { ecmStatus: '1' }, code: 'RTF_NOT_ENROLLED_WITH_START', on: 'ecmStatus' },
  { name: 'status 3 with an end date', layout: 'RTF', patch: { endDate: { date: '2026-09-30' }, discontinuationReasonCode: 'WM' }, code: 'RTF_ENROLLED_WITH_END', on: 'ecmStatus' },
  { name: 'care plan before start', layout: 'RTF', patch: { carePlanDate: { date: '2026-08-20' } }, code: 'RTF_CARE_PLAN_BEFORE_START', on: 'carePlanDate' },
  { name: 'assessment completed before started', layout: 'RTF', patch: { assessmentCompletedDate: { date: '2026-09-04' } }, code: 'ASSESSMENT_COMPLETED_BEFORE_STARTED', on: 'assessmentCompletedDate' },
  { name: 'assessment started late', layout: 'RTF', patch: { startDate: { date: '2026-07-01' }, assessmentStartedDate: { date: '2026-08-01' }, assessmentCompletedDate: null }, code: 'ASSESSMENT_START_LATE', on: 'assessmentStartedDate' },
  { name: 'assessment completed late', layout: 'RTF', patch: { startDate: { date: '2026-07-01' }, assessmentStartedDate: { date: '2026-07-10' }, assessmentCompletedDate: { date: '2026-08-31' } }, code: 'ASSESSMENT_COMPLETE_LATE', on: 'assessmentCompletedDate' },
  // issue 17 finding 8: the care-plan limit, overdue blanks, never-enrolled status 4
  { name: 'care plan late', layout: 'RTF', patch: { startDate: { date: '2026-06-01' }, carePlanDate: { date: '2026-09-01' }, assessmentStartedDate: { date: '2026-06-05' }, assessmentCompletedDate: { date: '2026-06-20' } }, code: 'CARE_PLAN_LATE', on: 'carePlanDate' },
  { name: 'care plan overdue and blank', layout: 'RTF', patch: { startDate: { date: '2026-06-01' }, carePlanDate: null, assessmentStartedDate: { date: '2026-06-05' }, assessmentCompletedDate: { date: '2026-06-20' } }, code: 'CARE_PLAN_OVERDUE', on: 'carePlanDate' },
  { name: 'assessment start overdue and blank', layout: 'RTF', patch: { startDate: { date: '2026-08-01' }, assessmentStartedDate: null, assessmentCompletedDate: null }, code: 'ASSESSMENT_START_OVERDUE', on: 'assessmentStartedDate' },
  { name: 'assessment completion overdue and blank', layout: 'RTF', patch: { startDate: { date: '2026-07-01' }, assessmentStartedDate: { date: '2026-07-05' }, assessmentCompletedDate: null }, code: 'ASSESSMENT_COMPLETE_OVERDUE', on: 'assessmentCompletedDate' },
  { name: 'never enrolled status 4 needs a discontinuation date', layout: 'RTF', patch: { ecmStatus: '4', startDate: null, carePlanDate: null, discontinuationReasonCode: 'DP' }, code: 'RTF_DECLINED_NEEDS_DISCONTINUATION', on: 'discontinuationDate' },
  { name: 'status 4 with no date needs a reason', layout: 'RTF', patch: { ecmStatus: '4', startDate: null, carePlanDate: null }, code: 'RTF_DECLINED_NEEDS_REASON', on: 'discontinuationReasonCode' },
  { name: 'referral status needs date (RTF)', layout: 'RTF', patch: { referralStatus: 'Accepted' }, code: 'REFERRAL_DATE_REQUIRED', on: 'referralStatusDate' },
  { name: 'referral status needs date (CSPRTF)', layout: 'CSPRTF', patch: { referralStatusDate: null }, code: 'REFERRAL_DATE_REQUIRED', on: 'referralStatusDate' },

  // OTF rules
  { name: 'fractional minutes', layout: 'OTF', patch: { minutes: 12.5 }, code: 'OTF_MINUTES_ROUNDED', on: 'minutes' },
  { name: 'fractional minutes as text', layout: 'OTF', patch: { minutes: '0.25' }, code: 'OTF_MINUTES_ROUNDED', on: 'minutes' },
  { name: 'zero minutes', layout: 'OTF', patch: { minutes: 0 }, code: 'OTF_MINUTES_TOO_SMALL', on: 'minutes' },
  { name: 'negative minutes', layout: 'OTF', patch: { minutes: '-5' }, code: 'OTF_MINUTES_TOO_SMALL', on: 'minutes' },
  { name: 'mail with other minutes than 1', layout: 'OTF', patch: { method: 'Mail', minutes: 20 }, code: 'OTF_MAIL_ONE_MINUTE', on: 'minutes' },
  { name: 'attempt before lookback', layout: 'OTF', patch: { attemptDate: { date: '2026-06-02' } }, code: 'OTF_DATE_OUTSIDE_PERIOD', on: 'attemptDate' },
  { name: 'attempt after period', layout: 'OTF', patch: { attemptDate: { date: '2026-10-01' } }, code: 'OTF_DATE_OUTSIDE_PERIOD', on: 'attemptDate' },

  // CSPRTF rules
  { name: 'status 2 needs outreach date', layout: 'CSPRTF', patch: { engagementStatus: '2' }, code: 'CSPRTF_OUTREACH_DATE_REQUIRED', on: 'outreachDate' },
  { name: 'outreach date needs method', layout: 'CSPRTF', patch: { engagementStatus: '2', outreachDate: { date: '2026-09-09' } }, code: 'CSPRTF_OUTREACH_METHOD_REQUIRED', on: 'outreachMethod' },
  { name: 'status 3 needs auth number', layout: 'CSPRTF', patch: { authNumber: null }, code: 'CSPRTF_AUTH_NUMBER_REQUIRED', on: 'authNumber' },
  { name: 'status 3 needs start', layout: 'CSPRTF', patch: { serviceStartDate: null }, code: 'CSPRTF_SERVICE_START_REQUIRED', on: 'serviceStartDate' },
  { name: 'status 4 needs reason', layout: 'CSPRTF', patch: { engagementStatus: '4', serviceEndDate: { date: '2026-09-20' } }, code: 'CSPRTF_REASON_REQUIRED', on: 'discontinuationReasonCode' },
  { name: 'status 4 started needs end', layout: 'CSPRTF', patch: { engagementStatus: '4', discontinuationReasonCode: 'SC' }, code: 'CSPRTF_END_DATE_REQUIRED', on: 'serviceEndDate' },
  { name: 'end needs start', layout: 'CSPRTF', patch: { engagementStatus: '4', discontinuationReasonCode: 'SC', serviceStartDate: null, serviceEndDate: { date: '2026-09-20' } }, code: 'CSPRTF_END_NEEDS_START', on: 'serviceEndDate' },
  { name: 'end before start', layout: 'CSPRTF', patch: { serviceEndDate: { date: '2026-08-01' } }, code: 'CSPRTF_END_BEFORE_START', on: 'serviceEndDate' },
  { name: 'housed on a non-housing service', layout: 'CSPRTF', patch: { serviceCode: 'MTM' }, code: 'CSPRTF_HOUSED_NOT_HOUSING', on: 'housed' },
  { name: 'date housed on a non-housing service', layout: 'CSPRTF', patch: { serviceCode: 'MTM', housed: null, dateHoused: { date: '2026-09-10' } }, code: 'CSPRTF_HOUSED_NOT_HOUSING', on: 'dateHoused' },
  { name: 'housed 1 needs date', layout: 'CSPRTF', patch: { housed: 1 }, code: 'CSPRTF_DATE_HOUSED_REQUIRED', on: 'dateHoused' },
];

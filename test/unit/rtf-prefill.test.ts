// The RTF sheet pre-filled on the MIF is a return form: what the provider sends back unchanged
// must pass the RTF's own rules. An ending date the plan holds for later than the reporting
// period (a planned end on the assignment extract) has not happened in the period the form
// reports on, and sent back it would be DATE_AFTER_RECEIPT (an RTF arrives after its period).
import { describe, expect, it } from 'vitest';
import { rtfPrefillRecord, type PrefillMember } from '../../src/filetypes/rtf/prefill.js';

const member = (over: Partial<PrefillMember>): PrefillMember => ({
  cin: '91000001A', last_name: 'Able', first_name: 'Ann', homeless: false,
  status: 3, enrollment_start: '2026-06-01', enrollment_end: null, discontinuation_date: null, discontinuation_reason: null, discontinuation_text: null,
  acuity: 'Low', lcm_name: 'Pat Lee', lcm_phone: '5595550100', lcm_email: null, care_plan_revised: null, care_conference: null,
  assessment_started: null, assessment_completed: null, last_encounter: null,
  ...over,
});
const ctx = { lob: 'HN', mcpName: 'Health Net', period: '11/2026', periodEnd: '2026-11-30', provider: { name: 'Acme', npi: '1234567893', tin: '123456789', phone: null } };

describe('the pre-filled RTF leaves out an ending date after the reporting period', () => {
  it.each([
    ['an end date after the period', { enrollment_end: '2027-03-05' }, 'endDate', null],
    ['an end date the day after the period', { enrollment_end: '2026-12-01' }, 'endDate', null],
    ['an end date on the period\'s last day', { enrollment_end: '2026-11-30' }, 'endDate', { date: '2026-11-30' }],
    ['an end date within the period', { enrollment_end: '2026-11-10' }, 'endDate', { date: '2026-11-10' }],
    ['a discontinuation date after the period', { status: 2, enrollment_start: null, discontinuation_date: '2027-01-15' }, 'discontinuationDate', null],
    ['a discontinuation date within the period', { status: 4, enrollment_start: null, discontinuation_date: '2026-11-20' }, 'discontinuationDate', { date: '2026-11-20' }],
  ] as const)('%s', (_name, over, key, expected) => {
    expect(rtfPrefillRecord(member(over), ctx)[key]).toEqual(expected);
  });

  it('keeps the rest of the member as the plan has it', () => {
    const r = rtfPrefillRecord(member({ enrollment_end: '2027-03-05' }), ctx);
    expect(r).toMatchObject({ ecmStatus: '3', startDate: { date: '2026-06-01' }, lcmName: 'Pat Lee', reportingPeriod: '11/2026' });
  });
});

// Spec §4 item 5 and the plan's ECM FAQ: an enrolled member who leaves is reported with status 4
// (Declined / Discontinued), the Start Date kept and the End Date given. The plan may hold status 3
// with an End Date in the period (the assignment extract ends an enrollment without a status; a
// provider's earlier RTF said so): sent back as filled, the row would draw RTF_ENROLLED_WITH_END.
describe('the pre-filled RTF reports an enrollment that ended in the period as status 4', () => {
  it.each([
    ['status 3, an end date within the period', { enrollment_end: '2026-11-10', discontinuation_reason: 'WM' }, '4'],
    ['status 3, an end date on the period\'s last day', { enrollment_end: '2026-11-30' }, '4'],
    // (the end date left out: the member is still enrolled in the period the form reports on)
    ['status 3, an end date after the period', { enrollment_end: '2026-12-01' }, '3'],
    ['status 3, no end date', {}, '3'],
    ['status 4 with its end date, as it is', { status: 4, enrollment_end: '2026-11-10' }, '4'],
    ['status 2, as it is', { status: 2, enrollment_start: null, lcm_name: null, lcm_phone: null }, '2'],
  ] as const)('%s', (_name, over, status) => {
    const r = rtfPrefillRecord(member(over), ctx);
    expect(r.ecmStatus).toBe(status);
    // the rest as the plan has it: the start kept, the end as above
    expect(r.startDate).toEqual(member(over).enrollment_start === null ? null : { date: '2026-06-01' });
  });
});


import { describe, expect, it } from 'vitest';
import type { CellValue } from '../../src/xlsx/types.js';
import { ISSUES } from '../../src/validate/catalogue.js';
import { BASE, LAYOUT_OF, ROW_CASES, config, run } from './validate-helpers.js';

describe('valid rows', () => {
  it.each(Object.keys(BASE) as (keyof typeof BASE)[])('the base %s row has no issues', (name) => {
    const r = run(name);
    expect(r.issues).toEqual([]);
    expect(r.accepted).toBe(true);
    expect(r.cin).toBe('91234567A');
  });
});

describe('every row rule raises its code', () => {
  it.each(ROW_CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const r = run(c.layout, c.patch, c.ctx);
    const label = c.on ? LAYOUT_OF[c.layout].columns.find((col) => col.key === c.on)?.label : undefined;
    const hit = r.issues.find((i) => i.code === c.code && (label === undefined || i.column === label));
    expect(hit, JSON.stringify(r.issues.map((i) => [i.code, i.column]))).toBeDefined();
    expect(hit!.severity).toBe(ISSUES[c.code].severity);
    expect(hit!.row).toBe(7);
    expect(hit!.sheet).toBe('S');
    expect(hit!.message).not.toMatch(/\{\w+\}/);
    // an error rejects the row; a warning alone does not
    if (ISSUES[c.code].severity === 'error') expect(r.accepted).toBe(false);
    else expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
  });
});

describe('rules stay quiet when their condition does not hold', () => {
  it.each([
    ['indicators N need nothing', 'RTF', { pofIndicator: 'N', pof: null }],
    ['a complete new address', 'RTF', { newAddress: 'Y', address: '1 Main St', city: 'Fresno', state: 'ca', zip: 93701 }],
    ['a new phone given', 'RTF', { newPhone: 'Y', phone: '559.555.0199' }],
    ['status 1 needs no start or LCM', 'RTF', { ecmStatus: '1', startDate: null, carePlanDate: null, lcmName: null, lcmPhone: null, assessmentStartedDate: null, assessmentCompletedDate: null }],
    ['never enrolled: discontinuation with reason', 'RTF', { ecmStatus: '4', startDate: null, carePlanDate: null, discontinuationDate: { date: '2026-09-15' }, discontinuationReasonCode: 'ue' }],
    ['enrolled then left: end + reason', 'RTF', { ecmStatus: '4', endDate: { date: '2026-09-30' }, discontinuationReasonCode: 'OTH', discontinuationReason: 'moved away' }],
    // (status 4: the member left; status 3 with an end date is RTF_ENROLLED_WITH_END)
    ['end equal to start', 'RTF', { ecmStatus: '4', endDate: { date: '2026-09-01' }, discontinuationReasonCode: 'WM' }],
    ['referral status with date', 'RTF', { referralStatus: 'pending', referralStatusDate: { date: '2026-09-02' } }],
    ['assessment on day 30 and 60', 'RTF', { startDate: { date: '2026-07-01' }, assessmentStartedDate: { date: '2026-07-31' }, assessmentCompletedDate: { date: '2026-08-30' } }],
    ['attempt on the first lookback day', 'OTF', { attemptDate: { date: '2026-06-03' } }],
    ['attempt on the last period day', 'OTF', { attemptDate: { date: '2026-09-30' } }],
    ['status 2 with outreach', 'CSPRTF', { engagementStatus: '2', outreachDate: { date: '2026-09-09' }, outreachMethod: 3, authNumber: null, serviceStartDate: null }],
    ['status 4 never started', 'CSPRTF', { engagementStatus: '4', serviceStartDate: null, discontinuationReasonCode: 'DP' }],
    ['status 4 with end and reason', 'CSPRTF', { engagementStatus: '4', serviceEndDate: { date: '2026-09-20' }, discontinuationReasonCode: 'SC' }],
    ['housed with date on a housing service', 'CSPRTF', { serviceCode: 'cts', housed: '1', dateHoused: { date: '2026-09-01' } }],
    ['non-housing service with housed blank', 'CSPRTF', { serviceCode: 'MTM', housed: null }],
  ] as const)('%s', (_, layout, patch) => {
    const r = run(layout, patch as unknown as Record<string, CellValue>);
    expect(r.issues.map((i) => i.code)).toEqual([]);
  });

  it('without an expected period, period and OTF window checks are skipped', () => {
    expect(run('RTF', { reportingPeriod: '08/2026' }, { expectedPeriod: undefined }).issues).toEqual([]);
    expect(run('OTF', { attemptDate: { date: '2026-01-02' } }, { expectedPeriod: undefined }).issues).toEqual([]);
  });

  it('without a receipt date or today, no date is "in the future"', () => {
    expect(run('RTF', { lastEncounterDate: { date: '2030-01-01' } }, { receivedDate: undefined }).issues).toEqual([]);
  });

  it('the OTF lookback is a setting', () => {
    expect(run('OTF', { attemptDate: { date: '2026-08-20' } }, { config: { ...config, OTF_LOOKBACK_DAYS: 5 } }).issues.map((i) => i.code)).toEqual(['OTF_DATE_OUTSIDE_PERIOD']);
  });

  it('assessment timelines are settings', () => {
    const r = run('RTF', {}, { config: { ...config, ASSESSMENT_START_DAYS: 1, ASSESSMENT_COMPLETE_DAYS: 5 } });
    expect(r.issues.map((i) => i.code).sort()).toEqual(['ASSESSMENT_COMPLETE_LATE', 'ASSESSMENT_START_LATE']);
    expect(r.accepted).toBe(true);
  });

  it('Referral Status values are settings', () => {
    const custom = { ...config, REFERRAL_STATUS_VALUES: ['Open', 'Closed'] };
    expect(run('RTF', { referralStatus: 'closed', referralStatusDate: { date: '2026-09-02' } }, { config: custom }).values.referralStatus).toBe('Closed');
    expect(run('RTF', { referralStatus: 'Accepted', referralStatusDate: { date: '2026-09-02' } }, { config: custom }).issues.map((i) => i.code)).toEqual(['CODE_UNKNOWN']);
  });
});

describe('issue details', () => {
  it('carries CIN, column letter and, for non-PHI columns only, the value', () => {
    const r = run('RTF', { ecmStatus: '9', lastName: 'x'.repeat(61) });
    const status = r.issues.find((i) => i.code === 'CODE_UNKNOWN')!;
    expect(status).toMatchObject({ column: 'Member ECM Status', columnLetter: 'P', cin: '91234567A', value: '9' });
    expect(status.message).toContain('1 (Pending Outreach), 2 (Currently in Outreach), 3 (Enrolled), 4 (Declined / Discontinued)');
    const name = r.issues.find((i) => i.code === 'TEXT_TOO_LONG')!;
    expect(name.value).toBeUndefined();
    expect(name.message).not.toContain('xxx');
  });

  it('a code column coded by numbers names what each number means: "Use one of: 1, 2" told the provider nothing', () => {
    const type = run('OTF', { providerType: 'Clinician' }).issues.find((i) => i.code === 'CODE_UNKNOWN')!;
    expect(type.message).toBe('Provider Type has a value that is not allowed. Use one of: 1 (Clinical staff), 2 (Non-clinical staff).');
    const status = run('CSPRTF', { engagementStatus: '5' }).issues.find((i) => i.code === 'CODE_UNKNOWN')!;
    expect(status.message).toContain('3 (Currently Delivering Service), 4 (Services Discontinued)');
    // letter codes read for themselves: the list stays short
    const service = run('CSPRTF', { serviceCode: 'XYZ' }).issues.find((i) => i.code === 'CODE_UNKNOWN')!;
    expect(service.message).toContain('Use one of: HTN, HD, HTSS,');
  });

  it('Time Spent that is not a number asks for minutes, 1 or more: "a whole number, 0 or more" contradicted OTF_MINUTES_TOO_SMALL', () => {
    const [issue] = run('OTF', { minutes: '15 min' }).issues;
    expect(issue).toMatchObject({ code: 'MINUTES_FORMAT', column: 'Time Spent Performing Outreach', severity: 'error' });
    expect(issue!.message).toBe('Time Spent Performing Outreach must be the minutes spent as a number, 1 or more (e.g. 15; a time such as 0:15 is read as 15 minutes).');
  });

  it('a row with an invalid CIN has no cin on its issues', () => {
    const r = run('RTF', { cin: 'ABC' });
    expect(r.cin).toBeUndefined();
    expect(r.issues[0]!.cin).toBeUndefined();
  });

  it('acuity defaults to Low and the row is accepted', () => {
    const r = run('RTF', { acuity: '' });
    expect(r.values.acuity).toBe('Low');
    expect(r.accepted).toBe(true);
  });

  it('minutes are rounded up', () => {
    expect(run('OTF', { minutes: 12.01 }).values.minutes).toBe(13);
    expect(run('OTF', { minutes: '0.5' }).values.minutes).toBe(1);
  });
});

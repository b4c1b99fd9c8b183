// Issue 17 finding 8, "rules left half done": the care-plan limit is a setting, a timeline
// date still blank once its limit has passed warns, and a never-enrolled status 4 row names
// its missing Discontinuation Date and reason (domain §4.5, §4.8).
import { describe, expect, it } from 'vitest';
import type { CellValue } from '../../src/xlsx/types.js';
import { ISSUES, type IssueCode } from '../../src/validate/catalogue.js';
import { config, run } from './validate-helpers.js';

const d = (date: string): CellValue => ({ date });
// Enrolled 2026-06-01; the file answers 2026-09 (period end 2026-09-30: day 121 of enrollment).
const ENROLLED = { startDate: d('2026-06-01'), carePlanDate: d('2026-06-20'), assessmentStartedDate: d('2026-06-10'), assessmentCompletedDate: d('2026-07-01') };
const codes = (r: ReturnType<typeof run>) => r.issues.map((i) => i.code).sort();

describe('finding 8.1: the care-plan timeline uses CARE_PLAN_DAYS', () => {
  it.each([
    ['care plan on day 90 is in time', { carePlanDate: d('2026-08-30') }, {}, []],
    ['care plan on day 91 is late', { carePlanDate: d('2026-08-31') }, {}, ['CARE_PLAN_LATE']],
    ['the limit is the setting', { carePlanDate: d('2026-06-20') }, { CARE_PLAN_DAYS: 10 }, ['CARE_PLAN_LATE']],
    ['a raised setting silences it', { carePlanDate: d('2026-08-31') }, { CARE_PLAN_DAYS: 120 }, []],
  ] as const)('%s', (_, patch, settings, expected) => {
    const r = run('RTF', { ...ENROLLED, ...patch }, { config: { ...config, ...settings } });
    expect(codes(r)).toEqual(expected);
    expect(r.accepted).toBe(true);
  });

  it('says how many days and what the limit was', () => {
    const hit = run('RTF', { ...ENROLLED, carePlanDate: d('2026-09-05') }).issues[0]!;
    expect(hit).toMatchObject({ code: 'CARE_PLAN_LATE', severity: 'warning', column: 'Date of Latest Care Plan Revision' });
    expect(hit.message).toContain('96 days');
    expect(hit.message).toContain('within 90');
  });
});

describe('finding 8.2: a timeline date still blank once its limit has passed warns', () => {
  type Case = [name: string, patch: Record<string, CellValue>, ctx: { expectedPeriod?: string }, expected: IssueCode[]];
  const cases: Case[] = [
    ['all blank, 121 days in: three overdue', { assessmentStartedDate: null, assessmentCompletedDate: null, carePlanDate: null }, {}, ['ASSESSMENT_COMPLETE_OVERDUE', 'ASSESSMENT_START_OVERDUE', 'CARE_PLAN_OVERDUE']],
    ['only the care plan blank', { carePlanDate: null }, {}, ['CARE_PLAN_OVERDUE']],
    ['only the completed assessment blank', { assessmentCompletedDate: null }, {}, ['ASSESSMENT_COMPLETE_OVERDUE']],
    // enrolled 2026-09-01, period end 2026-09-30: day 29, nothing due yet
    ['enrolled this period: nothing due', { startDate: d('2026-09-01'), assessmentStartedDate: null, assessmentCompletedDate: null, carePlanDate: null }, {}, []],
    // enrolled 2026-08-31: day 30 at period end is still within 30
    ['day 30 at period end: still in time', { startDate: d('2026-08-31'), assessmentStartedDate: null, assessmentCompletedDate: null, carePlanDate: null }, {}, []],
    // enrolled 2026-08-30: day 31 at period end: the assessment start is overdue, the rest not yet
    ['day 31 at period end: start overdue', { startDate: d('2026-08-30'), assessmentStartedDate: null, assessmentCompletedDate: null, carePlanDate: null }, {}, ['ASSESSMENT_START_OVERDUE']],
    // the member left on day 20: nothing fell due while enrolled
    ['left before the limit', { ecmStatus: '4', endDate: d('2026-06-20'), discontinuationReasonCode: 'DP', assessmentStartedDate: null, assessmentCompletedDate: null, carePlanDate: null }, {}, []],
    // left on day 45: the 30-day assessment start fell due while enrolled
    ['left after the first limit', { ecmStatus: '4', endDate: d('2026-07-15'), discontinuationReasonCode: 'DP', assessmentStartedDate: null, assessmentCompletedDate: null, carePlanDate: null }, {}, ['ASSESSMENT_START_OVERDUE']],
    ['no start date: no timeline', { ecmStatus: '1', startDate: null, lcmName: null, lcmPhone: null, assessmentStartedDate: null, assessmentCompletedDate: null, carePlanDate: null }, {}, []],
    // offline (no expected period): the row's own reporting period (09/2026) gives the end
    ['offline: the row\'s reporting period', { carePlanDate: null }, { expectedPeriod: undefined }, ['CARE_PLAN_OVERDUE']],
  ];
  it.each(cases)('%s', (_, patch, ctx, expected) => {
    const r = run('RTF', { ...ENROLLED, ...patch }, ctx);
    expect(codes(r)).toEqual(expected);
    expect(r.accepted).toBe(true);
    for (const i of r.issues) {
      expect(i.severity).toBe('warning');
      expect(i.message).not.toMatch(/\{\w+\}/);
    }
  });

  it('names the column, the limit and the reporting period, and follows the settings', () => {
    const hit = run('RTF', { ...ENROLLED, assessmentStartedDate: null }).issues.find((i) => i.code === 'ASSESSMENT_START_OVERDUE')!;
    expect(hit.column).toBe('Date Assessment Started');
    expect(hit.message).toContain('30 days');
    expect(hit.message).toContain('09/2026');
    const relaxed = { ...config, ASSESSMENT_START_DAYS: 200, ASSESSMENT_COMPLETE_DAYS: 200, CARE_PLAN_DAYS: 200 };
    expect(run('RTF', { ...ENROLLED, assessmentStartedDate: null, assessmentCompletedDate: null, carePlanDate: null }, { config: relaxed }).issues).toEqual([]);
  });

  it('the codes are warnings in the catalogue', () => {
    for (const c of ['CARE_PLAN_LATE', 'CARE_PLAN_OVERDUE', 'ASSESSMENT_START_OVERDUE', 'ASSESSMENT_COMPLETE_OVERDUE'] as const) expect(ISSUES[c].severity).toBe('warning');
  });
});

describe('finding 8.3: a never-enrolled status 4 row needs a Discontinuation Date and a reason', () => {
  const NEVER = { ecmStatus: '4', startDate: null, carePlanDate: null, assessmentStartedDate: null, assessmentCompletedDate: null, lcmName: null, lcmPhone: null };
  it.each([
    ['no discontinuation date', { discontinuationReasonCode: 'DP' }, [['RTF_DECLINED_NEEDS_DISCONTINUATION', 'Discontinuation Date']]],
    ['no reason code', { discontinuationDate: d('2026-09-15') }, [['RTF_REASON_CODE_REQUIRED', 'Discontinuation Reason Code']]],
    ['neither', {}, [['RTF_DECLINED_NEEDS_DISCONTINUATION', 'Discontinuation Date'], ['RTF_DECLINED_NEEDS_REASON', 'Discontinuation Reason Code']]],
  ] as const)('%s: rejected, naming what is missing', (_, patch, expected) => {
    const r = run('RTF', { ...NEVER, ...patch });
    expect(r.accepted).toBe(false);
    expect(r.issues.map((i) => [i.code, i.column]).sort()).toEqual([...expected].map((e) => [...e]).sort());
    for (const i of r.issues) expect(i.severity).toBe('error');
  });

  it('a complete never-enrolled row is accepted', () => {
    expect(run('RTF', { ...NEVER, discontinuationDate: d('2026-09-15'), discontinuationReasonCode: 'DP' }).issues).toEqual([]);
  });
});

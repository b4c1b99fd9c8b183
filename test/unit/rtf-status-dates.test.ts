// RTF ending dates and status/date pairs (spec layouts.md RTF cols 16, 18, 19, 28; domain §4.5).
// 1. An ECM Enrollment End Date or Discontinuation Date after the file's receipt date was
//    accepted, and the apply wrote it: the plan's records ended the member's assignment ahead
//    of time. It is now DATE_AFTER_RECEIPT on that column, as the Start Date already was.
// 2. A status contradicting the dates was not flagged: status 1 or 2 (not yet enrolled) with a
//    Start Date, status 3 (Enrolled) with an End or Discontinuation Date (a member who left is
//    status 4, the plan's FAQ). Warnings on the status, never rejections: the spec does not
//    make them errors, and the provider's dates must not be lost.
// Pure: rows in, issues out (validateRow through the shared fixtures), no I/O.
import { describe, expect, it } from 'vitest';
import type { CellValue } from '../../src/xlsx/types.js';
import { run } from './validate-helpers.js';

const d = (date: string): CellValue => ({ date });
// The fixtures' file is received 2026-10-05 and answers 2026-09.
const LEFT = { ecmStatus: '4', endDate: d('2026-09-30'), discontinuationReasonCode: 'DP' };
const NEVER = { ecmStatus: '4', startDate: null, carePlanDate: null, assessmentStartedDate: null, assessmentCompletedDate: null, lcmName: null, lcmPhone: null, discontinuationDate: d('2026-09-15'), discontinuationReasonCode: 'DP' };
const issuesOf = (r: ReturnType<typeof run>) => r.issues.map((i) => [i.code, i.column, i.severity]);

describe('an ending date after the file was received is rejected on its column', () => {
  type Case = [name: string, patch: Record<string, CellValue>, ctx: { receivedDate?: undefined; today?: string }, expected: [string, string][]];
  const cases: Case[] = [
    ['end date the day after receipt', { ...LEFT, endDate: d('2026-10-06') }, {}, [['DATE_AFTER_RECEIPT', 'ECM Enrollment End Date']]],
    ['end date a year ahead', { ...LEFT, endDate: d('2027-10-05') }, {}, [['DATE_AFTER_RECEIPT', 'ECM Enrollment End Date']]],
    ['discontinuation date the day after receipt', { ...NEVER, discontinuationDate: d('2026-10-06') }, {}, [['DATE_AFTER_RECEIPT', 'Discontinuation Date']]],
    // offline validation has no receipt date: today stands in, as for the other dates
    ['offline: end date after today', { ...LEFT, endDate: d('2026-10-06') }, { receivedDate: undefined, today: '2026-10-05' }, [['DATE_AFTER_RECEIPT', 'ECM Enrollment End Date']]],
    ['offline: discontinuation after today', { ...NEVER, discontinuationDate: d('2026-10-06') }, { receivedDate: undefined, today: '2026-10-05' }, [['DATE_AFTER_RECEIPT', 'Discontinuation Date']]],
  ];
  it.each(cases)('%s', (_, patch, ctx, expected) => {
    const r = run('RTF', patch, ctx);
    expect(issuesOf(r)).toEqual(expected.map(([code, column]) => [code, column, 'error']));
    expect(r.accepted).toBe(false);
    // the message names the receipt date, never a member's identity
    expect(r.issues[0]!.message).toContain('10/05/2026');
    expect(r.issues[0]!.message).not.toContain('91234567A');
  });

  it.each([
    ['end date on the receipt day', { ...LEFT, endDate: d('2026-10-05') }],
    ['discontinuation date on the receipt day', { ...NEVER, discontinuationDate: d('2026-10-05') }],
    ['end date in the period', LEFT],
    ['discontinuation date in the period', NEVER],
  ] as const)('%s is accepted', (_, patch) => {
    const r = run('RTF', patch as Record<string, CellValue>);
    expect(issuesOf(r)).toEqual([]);
    expect(r.accepted).toBe(true);
  });

  it('without a receipt date or today, an ending date is not "in the future"', () => {
    expect(run('RTF', { ...LEFT, endDate: d('2030-01-01') }, { receivedDate: undefined }).issues).toEqual([]);
  });
});

describe('a status contradicting the enrollment dates warns on the status, and the row is kept', () => {
  const STATUS = 'Member ECM Status';
  type Case = [name: string, patch: Record<string, CellValue>, expected: [code: string, column: string, severity: string][]];
  const cases: Case[] = [
    // the base row is enrolled (status 3, started 2026-09-01, LCM, assessments in time)
    ['status 1 with a start date', { ecmStatus: '1' }, [['RTF_NOT_ENROLLED_WITH_START', STATUS, 'warning']]],
    ['status 2 with a start date', { ecmStatus: '2' }, [['RTF_NOT_ENROLLED_WITH_START', STATUS, 'warning']]],
    ['status written as its meaning', { ecmStatus: 'Currently in Outreach' }, [['RTF_NOT_ENROLLED_WITH_START', STATUS, 'warning']]],
    ['status 3 with an end date', { endDate: d('2026-09-30'), discontinuationReasonCode: 'WM' }, [['RTF_ENROLLED_WITH_END', STATUS, 'warning']]],
    ['status 3 with an end date equal to the start', { endDate: d('2026-09-01'), discontinuationReasonCode: 'WM' }, [['RTF_ENROLLED_WITH_END', STATUS, 'warning']]],
  ];
  it.each(cases)('%s', (_, patch, expected) => {
    const r = run('RTF', patch);
    expect(issuesOf(r)).toEqual(expected);
    expect(r.accepted).toBe(true);
    for (const i of r.issues) {
      expect(i.message).not.toMatch(/\{\w+\}/);
      expect(i.message).not.toContain('91234567A');
    }
  });

  it('status 3 with a Discontinuation Date: the errors it already had, and the warning saying which status fits', () => {
    // a never-enrolled member discontinued but left at status 3: RTF_ENROLLED_NEEDS_START alone
    // asked for a start date, which would then be RTF_DISCONTINUATION_WITH_START
    const never = run('RTF', { ...NEVER, ecmStatus: '3', lcmName: 'Pat Lee', lcmPhone: '(559) 555-0123' });
    expect(issuesOf(never).sort()).toEqual([
      ['RTF_ENROLLED_NEEDS_START', 'ECM Enrollment Start Date', 'error'],
      ['RTF_ENROLLED_WITH_END', STATUS, 'warning'],
    ]);
    const started = run('RTF', { discontinuationDate: d('2026-09-30'), discontinuationReasonCode: 'WM' });
    expect(issuesOf(started).sort()).toEqual([
      ['RTF_DISCONTINUATION_WITH_START', 'Discontinuation Date', 'error'],
      ['RTF_ENROLLED_WITH_END', STATUS, 'warning'],
    ]);
  });

  it('the warning names the date column that is filled and the status to use', () => {
    const end = run('RTF', { endDate: d('2026-09-30'), discontinuationReasonCode: 'WM' }).issues[0]!;
    expect(end.message).toContain('ECM Enrollment End Date');
    expect(end.message).toContain('status 4');
    const disc = run('RTF', { discontinuationDate: d('2026-09-30'), discontinuationReasonCode: 'WM' }).issues.find((i) => i.code === 'RTF_ENROLLED_WITH_END')!;
    expect(disc.message).toContain('Discontinuation Date');
    const pending = run('RTF', { ecmStatus: '1' }).issues[0]!;
    expect(pending.message).toContain('ECM Enrollment Start Date');
    expect(pending.message).toContain('status 3');
  });

  it.each([
    ['status 3 with a start date only (the base row)', {}],
    ['status 1 with no dates', { ecmStatus: '1', startDate: null, carePlanDate: null, assessmentStartedDate: null, assessmentCompletedDate: null, lcmName: null, lcmPhone: null }],
    ['status 2 with no dates', { ecmStatus: '2', startDate: null, carePlanDate: null, assessmentStartedDate: null, assessmentCompletedDate: null, lcmName: null, lcmPhone: null }],
    // the plan's FAQ: a member who enrolled and left is status 4 with Start and End
    ['status 4 enrolled then left', LEFT],
    ['status 4 never enrolled', NEVER],
  ] as const)('%s: no warning', (_, patch) => {
    const r = run('RTF', patch as Record<string, CellValue>);
    expect(issuesOf(r)).toEqual([]);
    expect(r.accepted).toBe(true);
  });
});

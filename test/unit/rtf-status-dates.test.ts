// RTF ending dates and status/date pairs (spec layouts.md RTF cols 16, 18, 19, 28; domain §4.5).
// 1. An ECM Enrollment End Date or Discontinuation Date after the file's receipt date was
//    accepted, and the apply wrote it: the plan's records ended the member's assignment ahead
//    of time. It is now DATE_AFTER_RECEIPT on that column, as the Start Date already was.
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

import { describe, expect, it } from 'vitest';
import {
  catchUpSlots, csasfSlotsForMonth, expectedSlots, isSlot, mifSlot, missingAlertDays, SCHEDULED_JOBS, type ScheduledJob,
} from '../../src/calendar/index.js';
import { loadConfig } from '../../src/config.js';

describe('mifSlot', () => {
  it.each([
    ['2026-10', '2026-10-15'],
    ['2027-02', '2027-02-15'],
    ['2028-02', '2028-02-15'],
  ])('%s → %s', (m, d) => expect(mifSlot(m)).toBe(d));
});

describe('csasfSlotsForMonth', () => {
  it.each([
    [2026, 10, 29, ['2026-10-15', '2026-10-29']],
    [2026, 11, 29, ['2026-11-15', '2026-11-29']],
    [2027, 2, 29, ['2027-02-15', '2027-02-28']], // no 29th: last day
    [2028, 2, 29, ['2028-02-15', '2028-02-29']], // leap year
    [2100, 2, 29, ['2100-02-15', '2100-02-28']], // century, not leap
    [2026, 11, 31, ['2026-11-15', '2026-11-30']], // a setting of 31 falls back
    [2026, 12, 31, ['2026-12-15', '2026-12-31']],
    [2028, 2, 30, ['2028-02-15', '2028-02-29']],
    [2027, 4, 30, ['2027-04-15', '2027-04-30']],
    [2026, 10, 20, ['2026-10-15', '2026-10-20']],
  ] as const)('%i-%i second=%i → %j', (y, m, second, slots) => {
    expect(csasfSlotsForMonth(y, m, second)).toEqual(slots);
  });
  it('defaults to the 29th', () => expect(csasfSlotsForMonth(2027, 2)).toEqual(['2027-02-15', '2027-02-28']));
  it.each([15, 10, 32, 29.5])('rejects second day %d', (d) => expect(() => csasfSlotsForMonth(2026, 10, d)).toThrow(RangeError));
});

describe('expectedSlots', () => {
  const cases: [ScheduledJob, string, string, string[]][] = [
    ['mif', '2026-10-10', '2026-11-20', ['2026-10-15', '2026-11-15']],
    ['mif', '2026-10-16', '2026-11-14', []],
    ['mif', '2026-12-01', '2027-01-31', ['2026-12-15', '2027-01-15']],
    ['csasf', '2026-10-20', '2026-11-20', ['2026-10-29', '2026-11-15']],
    ['csasf', '2027-02-01', '2027-03-15', ['2027-02-15', '2027-02-28', '2027-03-15']],
    ['csasf', '2028-02-16', '2028-03-01', ['2028-02-29']],
    ['missing-alert', '2026-10-25', '2026-11-30', ['2026-11-06', '2026-11-11']],
    ['missing-alert', '2026-12-06', '2027-01-06', ['2026-12-06', '2026-12-11', '2027-01-06']],
    ['mini-mif', '2026-10-30', '2026-11-02', ['2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02']],
    ['minimif-sla', '2028-02-28', '2028-03-01', ['2028-02-28', '2028-02-29', '2028-03-01']],
    ['minimif-sla', '2027-02-28', '2027-03-01', ['2027-02-28', '2027-03-01']],
    ['mini-mif', '2026-11-01', '2026-11-01', ['2026-11-01']],
    ['mini-mif', '2026-11-02', '2026-11-01', []],
  ];
  it.each(cases)('%s %s..%s', (job, from, to, slots) => expect(expectedSlots(job, from, to)).toEqual(slots));

  it('reads the settings (a full Config fits)', () => {
    const cfg = loadConfig({ CSASF_SECOND_RUN_DAY: '30', ON_TIME_LAST_DAY: '4', RESUBMISSION_LAST_DAY: '8' });
    expect(expectedSlots('csasf', '2027-02-01', '2027-04-30', cfg)).toEqual([
      '2027-02-15', '2027-02-28', '2027-03-15', '2027-03-30', '2027-04-15', '2027-04-30',
    ]);
    // the CSPRTF window (10th by default) closes on its own day: a digest the day after it
    expect(expectedSlots('missing-alert', '2026-11-01', '2026-11-30', cfg)).toEqual(['2026-11-05', '2026-11-09', '2026-11-11']);
    expect(expectedSlots('missing-alert', '2026-11-01', '2026-11-30', { ...cfg, CSPRTF_ON_TIME_LAST_DAY: 8 })).toEqual(['2026-11-05', '2026-11-09']);
    expect(missingAlertDays()).toEqual([6, 11]);
    expect(missingAlertDays({ CSPRTF_ON_TIME_LAST_DAY: 15 })).toEqual([6, 11, 16]);
  });

  it('isSlot agrees', () => {
    expect(isSlot('mif', '2026-11-15')).toBe(true);
    expect(isSlot('mif', '2026-11-16')).toBe(false);
    expect(isSlot('csasf', '2027-02-28')).toBe(true);
    expect(isSlot('csasf', '2028-02-28')).toBe(false);
    expect(isSlot('missing-alert', '2026-11-11')).toBe(true);
    for (const job of SCHEDULED_JOBS) expect(typeof isSlot(job, '2026-11-15')).toBe('boolean');
  });

  it('rejects bad dates and jobs', () => {
    expect(() => expectedSlots('mif', '2026-02-30', '2026-03-01')).toThrow(RangeError);
    expect(() => expectedSlots('nope' as ScheduledJob, '2026-02-01', '2026-03-01')).toThrow(RangeError);
  });
});

describe('catchUpSlots', () => {
  it('a scheduler started on the 17th finds the 15th', () => {
    expect(catchUpSlots('mif', '2026-11-17')).toEqual(['2026-10-15', '2026-11-15']);
    expect(catchUpSlots('mif', '2026-11-17', 5)).toEqual(['2026-11-15']);
    expect(catchUpSlots('csasf', '2026-11-17', 5)).toEqual(['2026-11-15']);
  });
  it.each([
    // job, today, days, slots
    ['mif', '2026-11-17', 35, ['2026-10-15', '2026-11-15']], // window 2026-10-14..2026-11-17
    ['mif', '2026-11-17', 33, ['2026-11-15']], // window starts 2026-10-16
    ['mif', '2026-11-17', 34, ['2026-10-15', '2026-11-15']], // window starts 2026-10-15 (inclusive)
    ['mif', '2026-11-15', 1, ['2026-11-15']], // today inclusive
    ['mif', '2026-11-14', 35, ['2026-10-15']],
    ['csasf', '2026-11-17', 35, ['2026-10-15', '2026-10-29', '2026-11-15']],
    ['csasf', '2027-03-02', 20, ['2027-02-15', '2027-02-28']],
    ['missing-alert', '2026-11-12', 10, ['2026-11-06', '2026-11-11']],
    ['mini-mif', '2026-11-17', 3, ['2026-11-15', '2026-11-16', '2026-11-17']],
    ['minimif-sla', '2027-01-01', 2, ['2026-12-31', '2027-01-01']],
  ] as [ScheduledJob, string, number, string[]][])('%s today=%s days=%i', (job, today, days, slots) => {
    expect(catchUpSlots(job, today, days)).toEqual(slots);
  });
  it('uses the CSASF setting', () => {
    expect(catchUpSlots('csasf', '2026-11-17', 35, { CSASF_SECOND_RUN_DAY: 31 })).toEqual(['2026-10-15', '2026-10-31', '2026-11-15']);
  });
  it.each([0, -1, 1.5])('rejects catchUpDays %d', (n) => expect(() => catchUpSlots('mif', '2026-11-17', n)).toThrow(RangeError));
});

import { describe, expect, it } from 'vitest';
import {
  catchUpSlots, csasfRule, csasfSlotsForMonth, cronDaysOfMonth, DAILY, deadlinePolicyFromConfig, describeSlotRule, expectedSlots, isSlot, mifSlot,
  MIF_RULE, missingAlertDays, missingAlertRule, type SlotRule,
} from '../../src/calendar/index.js';
import { loadConfig } from '../../src/config.js';
import { programListed } from '../../src/reports/missing.js';

// The calendar knows rules, not jobs; these are the rules the jobs declare (jobs/<job>.ts), with
// the default settings.
const DEFAULTS = loadConfig({});
const POLICY = deadlinePolicyFromConfig(DEFAULTS);
const RULES = {
  mif: MIF_RULE,
  csasf: csasfRule(DEFAULTS.CSASF_SECOND_RUN_DAY),
  'missing-alert': missingAlertRule(POLICY),
  'mini-mif': DAILY,
  'minimif-sla': DAILY,
} as const satisfies Record<string, SlotRule>;
type Job = keyof typeof RULES;

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
  it('the default setting is the 29th', () => expect(csasfSlotsForMonth(2027, 2, DEFAULTS.CSASF_SECOND_RUN_DAY)).toEqual(['2027-02-15', '2027-02-28']));
  it.each([15, 10, 32, 29.5])('rejects second day %d', (d) => expect(() => csasfSlotsForMonth(2026, 10, d)).toThrow(RangeError));
});

describe('expectedSlots', () => {
  const cases: [Job, string, string, string[]][] = [
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
  it.each(cases)('%s %s..%s', (job, from, to, slots) => expect(expectedSlots(RULES[job], from, to)).toEqual(slots));

  it('reads the settings (a full Config fits)', () => {
    const cfg = loadConfig({ CSASF_SECOND_RUN_DAY: '30', ON_TIME_LAST_DAY: '4', RESUBMISSION_LAST_DAY: '8' });
    const policy = deadlinePolicyFromConfig(cfg);
    expect(expectedSlots(csasfRule(cfg.CSASF_SECOND_RUN_DAY), '2027-02-01', '2027-04-30')).toEqual([
      '2027-02-15', '2027-02-28', '2027-03-15', '2027-03-30', '2027-04-15', '2027-04-30',
    ]);
    // the CSPRTF window (10th by default) closes on its own day: a digest the day after it
    expect(expectedSlots(missingAlertRule(policy), '2026-11-01', '2026-11-30')).toEqual(['2026-11-05', '2026-11-09', '2026-11-11']);
    expect(expectedSlots(missingAlertRule({ ...policy, csprtfOnTimeLastDay: 8 }), '2026-11-01', '2026-11-30')).toEqual(['2026-11-05', '2026-11-09']);
    expect(missingAlertDays(POLICY)).toEqual([6, 11]);
    expect(missingAlertDays({ ...POLICY, csprtfOnTimeLastDay: 15 })).toEqual([6, 11, 16]);
  });

  it('isSlot agrees', () => {
    expect(isSlot(RULES.mif, '2026-11-15')).toBe(true);
    expect(isSlot(RULES.mif, '2026-11-16')).toBe(false);
    expect(isSlot(RULES.csasf, '2027-02-28')).toBe(true);
    expect(isSlot(RULES.csasf, '2028-02-28')).toBe(false);
    expect(isSlot(RULES['missing-alert'], '2026-11-11')).toBe(true);
    expect(isSlot(DAILY, '2028-02-29')).toBe(true);
    // a day some months lack, without orLastDay, is skipped in those months
    expect(isSlot({ every: 'month', days: [{ day: 29 }] }, '2027-02-28')).toBe(false);
    expect(isSlot({ every: 'month', days: [{ day: 29 }] }, '2028-02-29')).toBe(true);
  });

  it('rejects bad dates', () => {
    expect(() => expectedSlots(MIF_RULE, '2026-02-30', '2026-03-01')).toThrow(RangeError);
    expect(() => isSlot(DAILY, '2026-13-01')).toThrow(RangeError);
  });
});

describe('catchUpSlots', () => {
  it('a scheduler started on the 17th finds the 15th', () => {
    expect(catchUpSlots(RULES.mif, '2026-11-17', DEFAULTS.CATCH_UP_DAYS)).toEqual(['2026-10-15', '2026-11-15']);
    expect(catchUpSlots(RULES.mif, '2026-11-17', 5)).toEqual(['2026-11-15']);
    expect(catchUpSlots(RULES.csasf, '2026-11-17', 5)).toEqual(['2026-11-15']);
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
  ] as [Job, string, number, string[]][])('%s today=%s days=%i', (job, today, days, slots) => {
    expect(catchUpSlots(RULES[job], today, days)).toEqual(slots);
  });
  it('uses the CSASF setting', () => {
    expect(catchUpSlots(csasfRule(31), '2026-11-17', 35)).toEqual(['2026-10-15', '2026-10-31', '2026-11-15']);
  });
  it.each([0, -1, 1.5])('rejects catchUpDays %d', (n) => expect(() => catchUpSlots(MIF_RULE, '2026-11-17', n)).toThrow(RangeError));
});

describe('a rule as cron days and as words', () => {
  it.each([
    [DAILY, '*', 'daily'],
    [MIF_RULE, '15', 'on the 15th'],
    [csasfRule(29), '15,28-31', 'on the 15th and the 29th / last day'],
    [csasfRule(20), '15,20-31', 'on the 15th and the 20th'],
    [missingAlertRule(POLICY), '6,11', 'on the 6th and the 11th'],
    [missingAlertRule({ ...POLICY, csprtfOnTimeLastDay: 15 }), '6,11,16', 'on the 6th, the 11th and the 16th'],
  ] as const)('%j → %s, %s', (rule, cron, words) => {
    expect(cronDaysOfMonth(rule)).toBe(cron);
    expect(describeSlotRule(rule)).toBe(words);
  });
});

describe('missing-alert on a day a month lacks', () => {
  // Windows closing on the 28th put the digest on the 29th: a 28-day February has no such day,
  // and its digest was never sent. [POLICY] It goes out on the month's last day instead.
  const late = deadlinePolicyFromConfig(loadConfig({ ON_TIME_LAST_DAY: '28', RESUBMISSION_LAST_DAY: '28', CSPRTF_ON_TIME_LAST_DAY: '28' }));
  it.each([
    ['2027-02-01', '2027-02-28', ['2027-02-28']], // non-leap February: its last day
    ['2028-02-01', '2028-02-29', ['2028-02-29']], // leap February has the 29th
    ['2027-03-01', '2027-03-31', ['2027-03-29']],
  ])('%s..%s → %j', (from, to, slots) => expect(expectedSlots(missingAlertRule(late), from, to)).toEqual(slots));
  it('the cron fires on the month\'s last day (isSlot narrows)', () => {
    expect(cronDaysOfMonth(missingAlertRule(late))).toBe('28-31');
    expect(isSlot(missingAlertRule(late), '2027-02-28')).toBe(true);
    expect(isSlot(missingAlertRule(late), '2028-02-28')).toBe(false);
  });
  it('the days of the default policy are unchanged', () => {
    expect(expectedSlots(missingAlertRule(POLICY), '2027-02-01', '2027-02-28')).toEqual(['2027-02-06', '2027-02-11']);
  });
});

describe('programListed on a digest moved to the month\'s last day', () => {
  const cfg = loadConfig({ ON_TIME_LAST_DAY: '28', RESUBMISSION_LAST_DAY: '28', CSPRTF_ON_TIME_LAST_DAY: '28' });
  it('lists both programs on the last day of a February without a 29th', () => {
    expect(programListed(cfg, 'ECM', '2027-02-28')).toBe(true);
    expect(programListed(cfg, 'CS', '2027-02-28')).toBe(true);
  });
  it('not before its window has closed where the month has the day after', () => {
    expect(programListed(cfg, 'ECM', '2028-02-28')).toBe(false);
    expect(programListed(cfg, 'ECM', '2028-02-29')).toBe(true);
    expect(programListed(DEFAULTS, 'CS', '2027-02-10')).toBe(false);
    expect(programListed(DEFAULTS, 'CS', '2027-02-11')).toBe(true);
  });
});

// How far back the provider context looks for the switches that leave a provider the first days
// of a file's period (SWITCH_LOOKBACK_DAYS), pure: the period and the setting in, the earliest
// load instant out. test/integration/member-switch-month.test.ts reads switches through it.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { switchesSince } from '../../src/filetypes/provider-context.js';

const TZ = 'America/Los_Angeles';

describe('switchesSince (SWITCH_LOOKBACK_DAYS)', () => {
  it.each([
    // September's files: 183 days before September 1st is March 2nd, from its local midnight
    // (standard time, before the spring change of March 8th)
    ['2026-09', 183, '2026-03-02T08:00:00.000Z'],
    // 0: since the period before began (August 1st, daylight time), the bound before the setting
    ['2026-09', 0, '2026-08-01T07:00:00.000Z'],
    // anything up to the length of the month before gives that bound, never a later one
    ['2026-09', 28, '2026-08-01T07:00:00.000Z'],
    ['2026-09', 31, '2026-08-01T07:00:00.000Z'],
    ['2026-09', 32, '2026-07-31T07:00:00.000Z'],
    // February 2026 has 28 days: 28 is its first day, 29 reaches into January
    ['2026-03', 28, '2026-02-01T08:00:00.000Z'],
    ['2026-03', 29, '2026-01-31T08:00:00.000Z'],
    // across a year: January's files look back into the July before
    ['2027-01', 183, '2026-07-02T07:00:00.000Z'],
  ] as const)('period %s, %i days: switches loaded from %s on', (period, days, since) => {
    expect(switchesSince(period, days, TZ).toISOString()).toBe(since);
  });

  it('the default reaches back half a year, so it never finds fewer switches than the period before', () => {
    const days = loadConfig({}).SWITCH_LOOKBACK_DAYS;
    expect(days).toBe(183);
    for (const period of ['2026-01', '2026-03', '2026-09', '2026-12'])
      expect(switchesSince(period, days, TZ).getTime()).toBeLessThan(switchesSince(period, 0, TZ).getTime());
  });
});

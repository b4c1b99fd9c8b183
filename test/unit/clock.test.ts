import { describe, expect, it } from 'vitest';
import { fixedClock, InstantSyntaxError, parseInstant, pinnedClock, systemClock } from '../../src/clock.js';

describe('parseInstant (--now, --received-at)', () => {
  it.each([
    ['2026-12-05T09:00:00-08:00', '2026-12-05T17:00:00.000Z'],
    ['2026-12-05T17:00:00Z', '2026-12-05T17:00:00.000Z'],
    ['2026-12-05T17:00Z', '2026-12-05T17:00:00.000Z'],
    ['2026-12-05t17:00:00z', '2026-12-05T17:00:00.000Z'],
    ['2026-12-05T17:00:00.250+05:30', '2026-12-05T11:30:00.250Z'],
    ['2026-12-05T17:00:00+0530', '2026-12-05T11:30:00.000Z'],
    ['2026-12-05T17:00:00+01', '2026-12-05T16:00:00.000Z'],
    ['2026-11-01T01:30:00-07:00', '2026-11-01T08:30:00.000Z'], // fall back: the first 01:30, by its offset
    ['2026-11-01T01:30:00-08:00', '2026-11-01T09:30:00.000Z'], // the second 01:30
    ['2028-02-29T12:00:00Z', '2028-02-29T12:00:00.000Z'],
    [' 2026-12-05T17:00:00Z ', '2026-12-05T17:00:00.000Z'],
  ])('%s → %s', (value, iso) => {
    expect(parseInstant(value).toISOString()).toBe(iso);
  });

  it.each([
    ['garbage'],
    [''],
    ['2026-12-05'], // a date is not an instant
    ['2026-12-05T09:00:00'], // no zone: it would depend on the server's
    ['2026-12-05 09:00:00Z'],
    ['1764950400000'],
    ['2026-02-30T09:00:00Z'], // not rolled over to March 2
    ['2027-02-29T09:00:00Z'],
    ['2026-11-31T09:00:00Z'],
    ['2026-12-05T24:00:00Z'],
    ['2026-12-05T23:60:00Z'],
    ['2026-12-05T09:00:00+25:00'],
    ['2026-12-05T09:00:00 PST'],
    ['Sat Dec 05 2026 09:00:00 GMT-0800'],
  ])('%j is refused with the usage message', (value) => {
    expect(() => parseInstant(value)).toThrow(InstantSyntaxError);
    expect(() => parseInstant(value)).toThrow('--now takes an ISO date-time with zone, e.g. 2026-12-05T09:00:00-08:00');
  });

  it('names the option it parses', () => {
    expect(() => parseInstant('yesterday', '--received-at')).toThrow(/^--received-at takes an ISO date-time with zone, e\.g\. 2026-12-05T09:00:00-08:00$/);
  });
});

describe('clocks', () => {
  const at = new Date('2026-12-15T18:00:00Z');

  it('systemClock reads the wall clock', () => {
    const before = Date.now();
    const t = systemClock().getTime();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it('fixedClock: every reading is the instant (a fresh Date each time)', () => {
    const c = fixedClock(at);
    const a = c();
    a.setUTCFullYear(1999); // a caller mutating its reading changes nothing
    expect(c().toISOString()).toBe('2026-12-15T18:00:00.000Z');
    expect(c().toISOString()).toBe('2026-12-15T18:00:00.000Z');
  });

  it('pinnedClock: the first reading is the instant exactly, then it advances with elapsed time', () => {
    let elapsed = 5_000; // monotonic ms since some origin: only differences count
    const c = pinnedClock(at, () => elapsed);
    elapsed = 7_000; // time passing before the first reading does not count
    expect(c().toISOString()).toBe('2026-12-15T18:00:00.000Z');
    elapsed += 1_500;
    expect(c().toISOString()).toBe('2026-12-15T18:00:01.500Z');
    elapsed += 10 * 60_000;
    expect(c().toISOString()).toBe('2026-12-15T18:10:01.500Z');
  });

  it('pinnedClock never goes backwards, even if the elapsed source did', () => {
    let elapsed = 100;
    const c = pinnedClock(at, () => elapsed);
    expect(c().getTime()).toBe(at.getTime());
    elapsed = 50;
    expect(c().getTime()).toBe(at.getTime());
  });

  it('pinnedClock runs on the real monotonic clock by default', async () => {
    const c = pinnedClock(at);
    const first = c().getTime();
    expect(first).toBe(at.getTime());
    await new Promise((r) => setTimeout(r, 30));
    const later = c().getTime() - first;
    expect(later).toBeGreaterThanOrEqual(20);
    expect(later).toBeLessThan(60_000);
  });

  it('an invalid date cannot be pinned', () => {
    expect(() => pinnedClock(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => fixedClock(new Date('nope'))).toThrow(RangeError);
  });
});

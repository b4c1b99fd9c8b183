import { describe, expect, it } from 'vitest';
import { localDate, localDateTimeToInstant, localParts, spellDate, spellInstant, startOfLocalDay } from '../../src/calendar/index.js';

const LA = 'America/Los_Angeles';

describe('localDate', () => {
  it.each([
    // instant (UTC)                local date in LA   why
    ['2026-11-11T07:30:00Z', '2026-11-10', '23:30 PST on the 10th is already the 11th in UTC'],
    ['2026-11-11T08:30:00Z', '2026-11-11', '00:30 PST on the 11th'],
    ['2026-10-01T06:59:59Z', '2026-09-30', 'one second before midnight PDT'],
    ['2026-10-01T07:00:00Z', '2026-10-01', 'midnight PDT'],
    ['2027-01-01T07:59:59Z', '2026-12-31', 'New Year, one second before midnight PST'],
    ['2027-01-01T08:00:00Z', '2027-01-01', 'New Year midnight PST'],
    ['2026-03-08T09:59:59Z', '2026-03-08', 'spring forward: 01:59:59 PST'],
    ['2026-03-08T10:00:00Z', '2026-03-08', 'spring forward: 03:00 PDT'],
    ['2026-03-09T06:59:59Z', '2026-03-08', 'spring forward day ends 23:59:59 PDT'],
    ['2026-11-01T08:30:00Z', '2026-11-01', 'fall back: first 01:30 (PDT)'],
    ['2026-11-01T09:30:00Z', '2026-11-01', 'fall back: second 01:30 (PST)'],
    ['2026-11-02T07:59:59Z', '2026-11-01', 'fall back day ends 23:59:59 PST'],
    ['2028-02-29T12:00:00Z', '2028-02-29', 'leap day'],
  ])('%s → %s (%s)', (iso, expected) => {
    expect(localDate(new Date(iso), LA)).toBe(expected);
  });

  it('does not depend on the zone argument being the server zone', () => {
    expect(localDate(new Date('2026-11-11T07:30:00Z'), 'UTC')).toBe('2026-11-11');
    expect(localDate(new Date('2026-11-11T07:30:00Z'), 'Asia/Tokyo')).toBe('2026-11-11');
  });

  it('rejects an unknown zone and an invalid instant', () => {
    expect(() => localDate(new Date('2026-11-11T07:30:00Z'), 'Mars/Olympus')).toThrow(RangeError);
    expect(() => localDate(new Date('nope'), LA)).toThrow(RangeError);
  });
});

describe('localParts', () => {
  it('reads both 01:30s of the fall-back day with their offsets', () => {
    const first = localParts(new Date('2026-11-01T08:30:00Z'), LA);
    const second = localParts(new Date('2026-11-01T09:30:00Z'), LA);
    expect(first).toMatchObject({ date: '2026-11-01', time: '01:30:00', hour: 1, offsetMinutes: -420, zoneAbbreviation: 'PDT' });
    expect(second).toMatchObject({ date: '2026-11-01', time: '01:30:00', hour: 1, offsetMinutes: -480, zoneAbbreviation: 'PST' });
  });
  it('gives weekday and all fields', () => {
    expect(localParts(new Date('2026-12-01T17:04:05.678Z'), LA)).toEqual({
      year: 2026, month: 12, day: 1, hour: 9, minute: 4, second: 5, millisecond: 678, weekday: 2,
      offsetMinutes: -480, zoneAbbreviation: 'PST', date: '2026-12-01', time: '09:04:05',
    });
  });
});

describe('startOfLocalDay', () => {
  it.each([
    ['2026-11-11', '2026-11-11T08:00:00.000Z'],
    ['2026-07-04', '2026-07-04T07:00:00.000Z'],
    ['2026-03-08', '2026-03-08T08:00:00.000Z'], // spring-forward day starts in PST
    ['2026-03-09', '2026-03-09T07:00:00.000Z'],
    ['2026-11-01', '2026-11-01T07:00:00.000Z'], // fall-back day starts in PDT
    ['2026-11-02', '2026-11-02T08:00:00.000Z'],
    ['2028-02-29', '2028-02-29T08:00:00.000Z'],
  ])('%s starts at %s', (date, iso) => {
    expect(startOfLocalDay(date, LA).toISOString()).toBe(iso);
  });
  it('spring-forward day is 23 hours, fall-back day 25', () => {
    const h = (a: string, b: string) => (startOfLocalDay(b, LA).getTime() - startOfLocalDay(a, LA).getTime()) / 3_600_000;
    expect(h('2026-03-08', '2026-03-09')).toBe(23);
    expect(h('2026-11-01', '2026-11-02')).toBe(25);
    expect(h('2026-11-02', '2026-11-03')).toBe(24);
  });
  it.each(['2026-02-30', '2026-13-01', '11/01/2026', ''])('rejects %j', (d) => {
    expect(() => startOfLocalDay(d, LA)).toThrow(RangeError);
  });
});

describe('localDateTimeToInstant', () => {
  it.each([
    ['2026-11-10', '23:30', '2026-11-11T07:30:00.000Z'],
    ['2026-11-11', '00:30', '2026-11-11T08:30:00.000Z'],
    ['2026-11-05', '23:59:59', '2026-11-06T07:59:59.000Z'],
    ['2026-07-15', '06:00', '2026-07-15T13:00:00.000Z'],
    ['2026-03-08', '01:59', '2026-03-08T09:59:00.000Z'],
    ['2026-03-08', '02:30', '2026-03-08T10:30:00.000Z'], // gap: moved forward to 03:30 PDT
    ['2026-03-08', '03:00', '2026-03-08T10:00:00.000Z'],
    ['2026-11-01', '01:30', '2026-11-01T08:30:00.000Z'], // ambiguous: the first (PDT) 01:30
    ['2026-11-01', '02:00', '2026-11-01T10:00:00.000Z'],
  ])('%s %s → %s', (date, time, iso) => {
    expect(localDateTimeToInstant(date, time, LA).toISOString()).toBe(iso);
  });
  it('round-trips through localDate on DST days', () => {
    for (const [d, t] of [['2026-03-08', '12:00'], ['2026-11-01', '01:30'], ['2026-11-01', '23:59']] as const)
      expect(localDate(localDateTimeToInstant(d, t, LA), LA)).toBe(d);
  });
  it.each(['24:00', '7:00', '12:60', '12:00:61', 'noon'])('rejects time %j', (t) => {
    expect(() => localDateTimeToInstant('2026-11-01', t, LA)).toThrow(RangeError);
  });
});

describe('spelling', () => {
  it('spells dates and instants for provider messages', () => {
    expect(spellDate('2026-12-01')).toBe('12/01/2026');
    expect(spellInstant(new Date('2026-11-11T08:30:00Z'), LA)).toBe('11/11/2026 at 12:30 AM PST');
    expect(spellInstant(new Date('2026-11-01T08:30:00Z'), LA)).toBe('11/01/2026 at 1:30 AM PDT');
  });
});

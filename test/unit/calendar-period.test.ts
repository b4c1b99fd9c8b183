import { describe, expect, it } from 'vitest';
import {
  addMonths, daysInMonth, formatPeriod, isPeriod, nextPeriod, parsePeriod, parseReportingPeriodLabel, periodDay,
  periodFirstDay, periodForReceipt, periodLastDay, periodOfDate, previousPeriod, reportingPeriodLabel,
} from '../../src/calendar/index.js';

const LA = 'America/Los_Angeles';

describe('periodForReceipt', () => {
  it.each([
    // received (UTC instant)       period      day  why
    ['2026-11-11T07:30:00Z', '2026-10', 10, '23:30 PST on the 10th (the 11th in UTC)'],
    ['2026-11-11T08:30:00Z', '2026-10', 11, '00:30 PST on the 11th'],
    ['2026-11-01T07:00:00Z', '2026-10', 1, 'the 1st 00:00 PDT'],
    ['2026-11-01T06:59:59Z', '2026-09', 31, 'one second earlier is still October 31 locally'],
    ['2026-11-01T08:30:00Z', '2026-10', 1, 'fall back: first 01:30'],
    ['2026-11-01T09:30:00Z', '2026-10', 1, 'fall back: second 01:30'],
    ['2026-03-08T10:30:00Z', '2026-02', 8, 'spring forward day'],
    ['2027-01-03T18:00:00Z', '2026-12', 3, 'December → January year roll'],
    ['2027-01-01T07:59:59Z', '2026-11', 31, 'New Year in UTC, still December 31 locally'],
    ['2028-03-01T08:00:00Z', '2028-02', 1, 'leap year: March 1 answers February 2028'],
    ['2028-02-29T20:00:00Z', '2028-01', 29, 'leap day itself is day 29 of February'],
    ['2027-03-01T08:00:00Z', '2027-02', 1, 'non-leap March 1'],
  ])('%s → %s day %i (%s)', (iso, period, day) => {
    const r = periodForReceipt(new Date(iso), LA);
    expect(r.period).toBe(period);
    expect(r.day).toBe(day);
  });
  it('also gives the local receipt date', () => {
    expect(periodForReceipt(new Date('2026-11-11T07:30:00Z'), LA).localDate).toBe('2026-11-10');
  });
});

describe('period helpers', () => {
  it.each([
    ['2026-10', { year: 2026, month: 10 }],
    ['2028-02', { year: 2028, month: 2 }],
  ])('parsePeriod(%s)', (p, parts) => expect(parsePeriod(p)).toEqual(parts));
  it.each(['2026-13', '2026-00', '2026-1', '10/2026', '202610', ''])('parsePeriod rejects %j', (p) => {
    expect(() => parsePeriod(p)).toThrow(RangeError);
    expect(isPeriod(p)).toBe(false);
  });
  it.each([
    [2026, 10, '2026-10'],
    [2027, 0, '2026-12'],
    [2026, 13, '2027-01'],
    [2026, -11, '2025-01'],
  ])('formatPeriod(%i, %i) = %s', (y, m, p) => expect(formatPeriod(y, m)).toBe(p));
  it('steps months across year ends', () => {
    expect(previousPeriod('2027-01')).toBe('2026-12');
    expect(nextPeriod('2026-12')).toBe('2027-01');
    expect(addMonths('2026-10', 15)).toBe('2028-01');
    expect(addMonths('2026-10', -22)).toBe('2024-12');
  });
  it.each([
    ['2026-10', '2026-10-01', '2026-10-31', 31],
    ['2026-11', '2026-11-01', '2026-11-30', 30],
    ['2027-02', '2027-02-01', '2027-02-28', 28],
    ['2028-02', '2028-02-01', '2028-02-29', 29],
    ['2100-02', '2100-02-01', '2100-02-28', 28],
    ['2000-02', '2000-02-01', '2000-02-29', 29],
  ])('%s runs %s .. %s', (p, first, last, n) => {
    expect(periodFirstDay(p)).toBe(first);
    expect(periodLastDay(p)).toBe(last);
    const { year, month } = parsePeriod(p);
    expect(daysInMonth(year, month)).toBe(n);
  });
  it('periodDay and periodOfDate', () => {
    expect(periodDay('2028-02', 29)).toBe('2028-02-29');
    expect(() => periodDay('2027-02', 29)).toThrow(RangeError);
    expect(periodOfDate('2028-02-29')).toBe('2028-02');
    expect(periodOfDate('2027-01-03')).toBe('2027-01');
  });
});

describe('reporting period labels', () => {
  it.each([
    ['2026-10', '10/2026'],
    ['2027-01', '01/2027'],
  ])('%s is written %s', (p, label) => {
    expect(reportingPeriodLabel(p)).toBe(label);
    expect(parseReportingPeriodLabel(label)).toBe(p);
  });
  it.each([
    ['1/2027', '2027-01'],
    [' 10/2026 ', '2026-10'],
    ['10-2026', '2026-10'],
    ['2026-10', '2026-10'],
    ['202610', '2026-10'],
    ['13/2026', undefined],
    ['10/26', undefined],
    ['October 2026', undefined],
  ])('parseReportingPeriodLabel(%j) = %s', (text, p) => expect(parseReportingPeriodLabel(text)).toBe(p));
});

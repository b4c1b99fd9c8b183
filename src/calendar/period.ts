// Reporting periods (spec/domain.md §2). A period is a calendar month written 'YYYY-MM'.
// A provider file received on local day d of month N answers the MIF of month N-1.
import { isValidYmd, ymd, type IsoDate } from '../../schemas/primitives.js';
import { localParts, parseIsoDate } from './zone.js';

/** A reporting period: a calendar month, 'YYYY-MM'. */
export type Period = string;

const PERIOD_RE = /^(\d{4})-(\d{2})$/;

export function isPeriod(text: string): boolean {
  const m = PERIOD_RE.exec(text);
  return !!m && isValidYmd(Number(m[1]), Number(m[2]), 1);
}

/** 'YYYY-MM' → { year, month (1-12) }; throws RangeError on anything else. */
export function parsePeriod(period: Period): { year: number; month: number } {
  const m = PERIOD_RE.exec(period);
  if (!m || !isValidYmd(Number(m[1]), Number(m[2]), 1))
    throw new RangeError(`expected a reporting period as YYYY-MM, got ${JSON.stringify(period)}`);
  return { year: Number(m[1]), month: Number(m[2]) };
}

/** (year, month 1-12) → 'YYYY-MM'; a month outside 1-12 rolls the year (0 → December of year-1). */
export function formatPeriod(year: number, month: number): Period {
  if (!Number.isInteger(year) || !Number.isInteger(month)) throw new RangeError('year and month must be whole numbers');
  const index = year * 12 + (month - 1);
  const y = Math.floor(index / 12);
  const mo = index - y * 12 + 1;
  if (!isValidYmd(y, mo, 1)) throw new RangeError(`year ${y} is out of range`);
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}`;
}

/** The period n months after (n < 0: before) the given one. */
export function addMonths(period: Period, n: number): Period {
  const { year, month } = parsePeriod(period);
  return formatPeriod(year, month + n);
}
export const previousPeriod = (period: Period): Period => addMonths(period, -1);
export const nextPeriod = (period: Period): Period => addMonths(period, 1);

/** The period (calendar month) a date falls in: '2026-10-17' → '2026-10'. */
export function periodOfDate(date: IsoDate): Period {
  const { year, month } = parseIsoDate(date);
  return formatPeriod(year, month);
}

export function daysInMonth(year: number, month: number): number {
  for (let d = 31; d >= 28; d--) if (isValidYmd(year, month, d)) return d;
  throw new RangeError(`no such month ${year}-${month}`);
}

/** '2026-10' → '2026-10-01'. */
export function periodFirstDay(period: Period): IsoDate {
  const { year, month } = parsePeriod(period);
  return ymd(year, month, 1);
}

/** '2026-02' → '2026-02-28'; '2028-02' → '2028-02-29'. */
export function periodLastDay(period: Period): IsoDate {
  const { year, month } = parsePeriod(period);
  return ymd(year, month, daysInMonth(year, month));
}

/** Day `day` of the period's month; throws if the month has no such day. */
export function periodDay(period: Period, day: number): IsoDate {
  const { year, month } = parsePeriod(period);
  if (!isValidYmd(year, month, day)) throw new RangeError(`${period} has no day ${day}`);
  return ymd(year, month, day);
}

/** The Reporting Period as providers write it in their files: '2026-10' → '10/2026'. */
export function reportingPeriodLabel(period: Period): string {
  const { year, month } = parsePeriod(period);
  return `${String(month).padStart(2, '0')}/${String(year).padStart(4, '0')}`;
}

/**
 * A Reporting Period as written in a provider file → period, or undefined. Accepts
 * MM/YYYY, M/YYYY, MM-YYYY, YYYY-MM and YYYYMM (surrounding spaces ignored).
 */
export function parseReportingPeriodLabel(text: string): Period | undefined {
  const v = text.trim();
  let m = /^(\d{1,2})[/-](\d{4})$/.exec(v);
  if (m) return isValidYmd(Number(m[2]), Number(m[1]), 1) ? formatPeriod(Number(m[2]), Number(m[1])) : undefined;
  m = /^(\d{4})-?(\d{2})$/.exec(v);
  if (m) return isValidYmd(Number(m[1]), Number(m[2]), 1) ? formatPeriod(Number(m[1]), Number(m[2])) : undefined;
  return undefined;
}

export interface ReceiptPeriod {
  /** The reporting period the file answers: month N-1. */
  period: Period;
  /** The local day d of the receipt month N. */
  day: number;
  /** The local receipt date. */
  localDate: IsoDate;
}

/** A file received at `receivedAt` (local day d of month N) answers period N-1 (spec §2). */
export function periodForReceipt(receivedAt: Date, tz: string): ReceiptPeriod {
  const p = localParts(receivedAt, tz);
  return { period: formatPeriod(p.year, p.month - 1), day: p.day, localDate: p.date };
}

/**
 * The first day of the reporting period whose contracts decide which providers a liaison may see
 * at `now` (liaisonsWhoMaySee, src/repositories/board.ts): the period files received then answer
 * (the month before, in the plan's time zone), as the board's default month is. The web pages ask
 * it on their clock, and the mini-MIF SLA alert (which names members by CIN) on its run's clock.
 * A contract ending November 30 is in force for November, whose files are due and answered in
 * December: its liaison sees the provider through December, and not from January 1.
 */
export const accessPeriodDate = (now: Date, tz: string): string => periodFirstDay(periodForReceipt(now, tz).period);

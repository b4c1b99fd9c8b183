// CellValue → text, number, date, period. Cells arrive as the reader yields them: dates as
// {date}, Excel serial numbers or text; numbers possibly as text; error cells as {error}.
import {
  excelSerialToDate, isValidYmd, parseDateOrDateTimeText, parseDateText, ymd, type IsoDate, type Parsed,
} from '../../schemas/primitives.js';
import { isCellDate, isCellError, type CellValue } from '../xlsx/types.js';

const isInvisible = (c: number): boolean => (c >= 0x200b && c <= 0x200d) || c === 0x2060;
const INVISIBLE_EDGES = /^[\s\u200B-\u200D\u2060]+|[\s\u200B-\u200D\u2060]+$/g;

/**
 * Text trimmed of whitespace and of the zero-width characters that text pasted from a web page,
 * an email or a PDF carries at its ends (zero-width space, joiners, word joiner): not whitespace
 * to String.prototype.trim (which does take the no-break space and the byte-order mark), and
 * invisible in the cell, so a CIN ending in one was "not a valid CIN" with nothing to see.
 */
export function trimCell(s: string): string {
  const t = s.trim();
  return t.length > 0 && (isInvisible(t.charCodeAt(0)) || isInvisible(t.charCodeAt(t.length - 1))) ? t.replace(INVISIBLE_EDGES, '') : t;
}

export const isBlankCell = (v: CellValue | undefined): boolean =>
  v === null || v === undefined || (typeof v === 'string' && trimCell(v) === '');

export const isBlankRow = (cells: readonly (CellValue | undefined)[]): boolean => cells.every(isBlankCell);

/**
 * A number cell's value, a whole number when it is within a billionth of one. A formula's result
 * keeps the binary rounding of its arithmetic: minutes worked out as (13:30 - 13:15) × 1440 are
 * stored as 14.999999999999947 by Excel and 14.9999999999999 by LibreOffice, which the cell
 * shows, and the provider means, as 15. Read in full they were a fraction rounded up (to 16, or
 * 15 with a warning), or a count "not a whole number". No count or code is that close to a
 * whole number on purpose.
 */
export function cellWhole(n: number): number {
  if (Number.isInteger(n) || !Number.isFinite(n)) return n;
  const whole = Math.round(n);
  return Math.abs(n - whole) <= 1e-9 * Math.max(1, Math.abs(n)) ? whole : n;
}

/** The cell as trimmed text ('' when blank); error cells read as their code. */
export function cellText(v: CellValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return trimCell(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(cellWhole(v)) : '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (isCellDate(v)) return v.date;
  if (isCellError(v)) return v.error;
  return '';
}

/**
 * A number from a number cell or numeric text (`1,234`, ` 12.5 `); null otherwise. A comma only
 * groups thousands (`1,234,567`): a decimal comma (`1,5`, one and a half in much of the world)
 * is no number here, where dropping it read 15.
 */
export function cellNumber(v: CellValue | undefined): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? cellWhole(v) : null;
  if (typeof v !== 'string') return null;
  const t = trimCell(v);
  if (t.includes(',') && !/^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/.test(t)) return null;
  const s = t.replace(/,/g, '');
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : null;
}


/**
 * A calendar date from a date cell, an Excel serial (number or digits) or text.
 * @param date1904 the workbook counts its serials from 1904-01-01 (older Mac Excel)
 */
export function cellDate(v: CellValue | undefined, date1904 = false): Parsed<IsoDate> {
  if (isCellDate(v)) {
    // the reader's date cells are already ISO dates: checked, not rebuilt
    const d = v.date;
    if (d.length === 10 && d.charCodeAt(4) === 45 && d.charCodeAt(7) === 45) {
      const y = Number(d.slice(0, 4)), mo = Number(d.slice(5, 7)), day = Number(d.slice(8, 10));
      if (isValidYmd(y, mo, day)) return { ok: true, value: d };
    }
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(v.date);
    return m && isValidYmd(Number(m[1]), Number(m[2]), Number(m[3]))
      ? { ok: true, value: ymd(Number(m[1]), Number(m[2]), Number(m[3])) }
      : { ok: false, reason: 'not a calendar date' };
  }
  if (typeof v === 'number') return excelSerialToDate(v, date1904);
  if (typeof v === 'string') {
    const s = trimCell(v);
    if (/^\d{5}(\.\d+)?$/.test(s)) return excelSerialToDate(Number(s), date1904);
    return parseDateOrDateTimeText(s);
  }
  return { ok: false, reason: 'expected a date as MM/DD/YYYY' };
}

/** `YYYY-MM` from MM/YYYY, M/YYYY, YYYY-MM, MM/DD/YYYY-MM/DD/YYYY (one whole month), or a date cell on the 1st. */
export function cellPeriod(v: CellValue | undefined, date1904 = false): Parsed<string> {
  const bad = { ok: false as const, reason: 'expected MM/YYYY' };
  const month = (y: number, m: number): Parsed<string> =>
    y >= 2000 && y <= 2199 && m >= 1 && m <= 12 ? { ok: true, value: `${y}-${String(m).padStart(2, '0')}` } : bad;
  if (isCellDate(v) || typeof v === 'number') {
    const d = cellDate(v, date1904);
    if (!d.ok || !d.value.endsWith('-01')) return bad;
    return month(Number(d.value.slice(0, 4)), Number(d.value.slice(5, 7)));
  }
  if (typeof v !== 'string') return bad;
  const s = trimCell(v);
  let m = /^(\d{1,2})\/(\d{4})$/.exec(s);
  if (m) return month(Number(m[2]), Number(m[1]));
  m = /^(\d{4})-(\d{1,2})$/.exec(s);
  if (m) return month(Number(m[1]), Number(m[2]));
  m = /^(\d{1,2}\/\d{1,2}\/\d{4})\s*[-–]\s*(\d{1,2}\/\d{1,2}\/\d{4})$/.exec(s);
  if (m) {
    const from = parseDateText(m[1]!);
    const to = parseDateText(m[2]!);
    if (!from.ok || !to.ok || !from.value.endsWith('-01') || from.value.slice(0, 7) !== to.value.slice(0, 7)) return bad;
    const [y, mo] = [Number(from.value.slice(0, 4)), Number(from.value.slice(5, 7))];
    const last = [31, 30, 29, 28].find((d) => isValidYmd(y, mo, d))!;
    if (to.value !== ymd(y, mo, last)) return bad;
    return month(y, mo);
  }
  return bad;
}

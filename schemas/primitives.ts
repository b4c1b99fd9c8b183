// Primitive formats of spec/domain.md §3 as pure parsers. Each returns the normalised value
// or a failure with a plain-language reason; never throws.

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string; hint?: string };

/** Why a value was not one, in the words a person is told (the reason, then the hint): never the value. */
export const notParsedText = (p: { reason: string; hint?: string }): string => `${p.reason}${p.hint ? ` (${p.hint})` : ''}`;
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (reason: string, hint?: string): Parsed<never> => ({ ok: false, reason, ...(hint ? { hint } : {}) });

export const CIN_RE = /^[0-9]{8}[A-Z]$/;

export function parseCin(raw: string): Parsed<string> {
  const v = raw.trim().toUpperCase();
  if (v.length === 14 && CIN_RE.test(v.slice(0, 9)))
    return fail('this looks like the 14-character ID-card number, not the CIN', 'send only the first 9 characters');
  if (!CIN_RE.test(v)) return fail('a CIN is 8 digits followed by 1 letter, e.g. 91234567A');
  if (/^(\d)\1{7}/.test(v)) return fail('this is a placeholder CIN (all the same digit), not a real member');
  return ok(v);
}

/** Luhn check over the NPI with the 80840 prefix (card issuer prefix for US health). */
// A file carries one provider's NPI on every row: the last answer is kept.
let lastNpi = '';
let lastNpiValid = false;

export function npiCheckDigitValid(npi: string): boolean {
  if (npi === lastNpi) return lastNpiValid;
  const valid = npiLuhn(npi);
  lastNpi = npi;
  lastNpiValid = valid;
  return valid;
}

function npiLuhn(npi: string): boolean {
  if (!/^[12]\d{9}$/.test(npi)) return false;
  const digits = ('80840' + npi).split('').map(Number);
  let sum = 0;
  for (let i = digits.length - 1, alt = false; i >= 0; i--, alt = !alt) {
    let d = digits[i]!;
    if (alt) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Computes the check digit for the first 9 digits (for synthetic data). */
export function npiWithCheckDigit(first9: string): string {
  for (let d = 0; d <= 9; d++) if (npiCheckDigitValid(first9 + d)) return first9 + d;
  throw new Error('unreachable');
}

export function parseNpi(raw: string): Parsed<string> {
  const v = raw.trim();
  if (!/^\d{10}$/.test(v)) return fail('an NPI is exactly 10 digits');
  if (!/^[12]/.test(v)) return fail('an NPI starts with 1 or 2');
  if (!npiCheckDigitValid(v)) return fail('the NPI check digit is wrong: check for a typo');
  return ok(v);
}

export function parseTin(raw: string): Parsed<string> {
  const v = raw.trim();
  if (!/^\d{9}$/.test(v) && !/^\d{2}-\d{7}$/.test(v)) return fail('a TIN is 9 digits, optionally written 12-3456789');
  return ok(v.replace('-', ''));
}

export function parsePhone(raw: string): Parsed<string> {
  let d = raw.replace(/[\s().+-]/g, '');
  if (!/^\d+$/.test(d)) return fail('a phone number is 10 digits, e.g. (559) 555-0123');
  if (d.length === 11 && d.startsWith('1')) d = d.slice(1);
  if (d.length !== 10) return fail('a phone number is 10 digits, e.g. (559) 555-0123');
  return ok(d);
}

export function parseZip(raw: string): Parsed<string> {
  const v = raw.trim();
  if (!/^\d{5}(-?\d{4})?$/.test(v)) return fail('a ZIP code is 5 digits or ZIP+4 (12345-6789)');
  return ok(v.length === 9 ? `${v.slice(0, 5)}-${v.slice(5)}` : v);
}

export function parseState(raw: string): Parsed<string> {
  const v = raw.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(v)) return fail('a state is 2 letters, e.g. CA');
  return ok(v);
}

export function parseYN(raw: string): Parsed<boolean> {
  const v = raw.trim().toLowerCase();
  if (['y', 'yes', '1', 'true'].includes(v)) return ok(true);
  if (['n', 'no', '0', 'false'].includes(v)) return ok(false);
  return fail('expected Y or N');
}

/** A calendar date as ISO `YYYY-MM-DD`; never a Date object, so no zone can shift it. */
export type IsoDate = string;

export function isValidYmd(y: number, m: number, d: number): boolean {
  if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1) return false;
  const dim = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= dim;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
export const ymd = (y: number, m: number, d: number): IsoDate => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;

/** Text dates: MM/DD/YYYY, M/D/YYYY, YYYY-MM-DD (an ISO timestamp's date part is taken as written). */
export function parseDateText(raw: string): Parsed<IsoDate> {
  const v = raw.trim();
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  if (m) {
    const [mo, d, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return isValidYmd(y, mo, d) ? ok(ymd(y, mo, d)) : fail('not a real calendar date');
  }
  m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(v);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return isValidYmd(y, mo, d) ? ok(ymd(y, mo, d)) : fail('not a real calendar date');
  }
  return fail('expected a date as MM/DD/YYYY or YYYY-MM-DD');
}

/**
 * `M/D/YYYY` text followed by a time of day (`10/2/2026 2:30 PM`, `10/02/2026 00:00:00`: a date
 * kept as text by an export, or a date-time column saved to CSV): its date part, as a date cell's
 * with a time and an ISO timestamp's are taken. The time must be one a clock shows.
 */
const US_DATE_TIME = /^(\d{1,2}\/\d{1,2}\/\d{4})\s+(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?$/;

/** A text date as parseDateText reads it, or a `M/D/YYYY` date with its time of day (the date part). */
export const parseDateOrDateTimeText = (raw: string): Parsed<IsoDate> => parseDateText(US_DATE_TIME.exec(raw)?.[1] ?? raw);

/** Days from 1900-01-00 to 1904-01-01 in Excel's count (with its 1900-02-29): what a 1904-system serial lacks. */
const DAYS_1900_TO_1904 = 1462;

/**
 * A fixed-width identifier (ZIP, TIN) that Excel keeps as a number, as its "00000" (or ZIP, or
 * Text) format shows it: the digits zero-padded to the first of `widths` they fit; undefined
 * when the number is no such identifier (a fraction, negative, or longer than every width).
 * Provider workbooks and the plan's extracts read such cells alike.
 */
export function paddedDigits(n: number, widths: readonly number[]): string | undefined {
  if (!Number.isInteger(n) || n < 0) return undefined;
  const digits = String(n);
  const width = widths.find((w) => digits.length <= w);
  return width === undefined ? undefined : digits.padStart(width, '0');
}

/**
 * Excel serial → calendar date, in the 1900 system or (date1904: older Mac Excel) the 1904 one.
 * Serial 60 of the 1900 system is Excel's fictitious 1900-02-29, which is rejected rather than
 * silently moved.
 */
export function excelSerialToDate(serial: number, date1904 = false): Parsed<IsoDate> {
  if (date1904) serial += DAYS_1900_TO_1904;
  if (!Number.isFinite(serial) || serial < 1 || serial >= 2958466) return fail('not a date serial number');
  const whole = Math.floor(serial);
  if (whole === 60) return fail('1900-02-29 does not exist (an Excel artefact)');
  const days = whole > 60 ? whole - 1 : whole; // Excel counts the non-existent 1900-02-29
  const t = Date.UTC(1899, 11, 31) + days * 86_400_000;
  const dt = new Date(t);
  return ok(ymd(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate()));
}

/** Milliseconds of an ISO date at UTC midnight (row rules compare several dates per row: no split, no arrays). */
function isoUtc(date: IsoDate): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

export function addDays(date: IsoDate, n: number): IsoDate {
  const dt = new Date(isoUtc(date) + n * 86_400_000);
  return ymd(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate());
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((isoUtc(to) - isoUtc(from)) / 86_400_000);
}

/** Text limits: trim, refuse control characters, cap length. */
export function parseText(raw: string, max: number): Parsed<string> {
  const v = raw.trim();
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v)) return fail('contains control characters: retype the value');
  if (textLonger(v, max)) return fail(`is longer than ${max} characters`);
  return ok(v);
}

/**
 * Whether text holds more than `max` characters as a person (and Postgres) counts them: code
 * points, so a character outside the BMP (an emoji, a rare CJK name) is one, not its two UTF-16
 * units. Counted only when the UTF-16 length is over the limit: nothing shorter can be.
 */
export function textLonger(v: string, max: number): boolean {
  if (v.length <= max) return false;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    // a high surrogate followed by a low one is one character
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < v.length) {
      const d = v.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    if (++n > max) return true;
  }
  return false;
}

/**
 * A record number typed by a person (a submission ID on the command line, in a URL): decimal
 * digits only, 1 or more, at most Number.MAX_SAFE_INTEGER (so exact in JavaScript, and well
 * inside Postgres bigint). "1e3", "0x10", " 7" and "1.0" are refused, not read as numbers.
 */
export const MAX_RECORD_ID = Number.MAX_SAFE_INTEGER;
export function parseRecordId(raw: string): Parsed<number> {
  if (!/^\d+$/.test(raw)) return fail('a record number is written in digits only, e.g. 42');
  const n = Number(raw);
  if (n < 1 || n > MAX_RECORD_ID) return fail(`a record number is 1 to ${MAX_RECORD_ID}`);
  return ok(n);
}

export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// One cell against its column's declared type: the normalised value, or a coded problem.
import type { CodeSet } from '../../schemas/codes.js';
import { codesFor, normaliseLabel, type CodeSettings } from '../../schemas/index.js';
import type { ColumnDef } from '../../schemas/layout.js';
import {
  CIN_RE, EMAIL_RE, paddedDigits, parseCin, parseNpi, parsePhone, parseState, parseText, parseTin, textLonger, parseYN, parseZip, type Parsed,
} from '../../schemas/primitives.js';
import { isCellError, isNoResult, type CellValue } from '../xlsx/types.js';
import type { IssueCode, MessageParams } from './catalogue.js';
import { cellDate, cellNumber, cellPeriod, cellText, isBlankCell } from './cells.js';

/** A normalised cell: text, code, ISO date, `YYYY-MM` period, count, Y/N, or a code list. */
export type CellOut = string | number | boolean | string[];

export interface Problem { code: IssueCode; params?: MessageParams }
export type CellResult =
  | { kind: 'blank' }
  | { kind: 'ok'; value: CellOut; warning?: Problem }
  | { kind: 'bad'; problem: Problem };

const ok = (value: CellOut, warning?: Problem): CellResult => (warning ? { kind: 'ok', value, warning } : { kind: 'ok', value });
const bad = (code: IssueCode, params?: MessageParams): CellResult => ({ kind: 'bad', problem: params ? { code, params } : { code } });
const from = (p: Parsed<CellOut>, code: IssueCode): CellResult => (p.ok ? ok(p.value) : bad(code, { detail: p.reason }));

/** Default cap for free text without a declared max. */
export const DEFAULT_TEXT_MAX = 255;

/** Text with leading zeros restored where Excel stores the value as a number (ZIP, TIN). */
function digitsText(v: CellValue, width: number): string {
  return (typeof v === 'number' ? paddedDigits(v, [width]) : undefined) ?? cellText(v);
}

/**
 * Minutes from an elapsed time `h:mm` or `h:mm:ss` (`0:15` → 15, `0:20:30` → 20.5): how the
 * reader gives a time-formatted cell, and how a provider writes a duration as text.
 */
export function durationMinutes(text: string): number | null {
  const m = /^(\d{1,4}):([0-5]\d)(?::([0-5]\d))?$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 60 + Number(m[2]) + Number(m[3] ?? 0) / 60;
}

/**
 * The ways a code is written with or as its meaning, normalised, → the code (null: two codes
 * share the form, so it names neither). Built once per code set. Besides the meaning (`Enrolled`)
 * and the code with it (`3 - Enrolled`, drop-down text), a meaning ending in a parenthetical is
 * also written without it (`2 - Telephonic/Electronic`, `RC - Recuperative Care`, `OTH - Other`),
 * and the items the parenthetical lists name the code too, alone or after it (`Mail`, `Email`,
 * `2 - Mail`: method 2, as spec §4.9 records mail; `Medical Respite`: RC). Each alternative of a meaning listed with `/`
 * (meaningAlternatives: `Telephonic`, `Electronic`: method 2) names the code too, when no other
 * code's meaning is that alternative and no other code lists it.
 */
const MEANING_FORMS = new WeakMap<CodeSet, ReadonlyMap<string, string | null>>();
const TRAILING_PARENTHETICAL = /^(.*?)\s*\(([^()]*)\)\s*$/;

/**
 * The alternatives a meaning lists with `/` (`Telephonic/Electronic`, `Declined / Discontinued`,
 * `Medically Tailored Meals / Medically Supportive Food`), or none. A `/` with spaces around it
 * parts alternatives; one without spaces does only in a meaning of single words
 * (`Telephonic/Electronic`): inside a phrase it joins words (`children/youth`, `and/or`,
 * `Transition/Diversion to Assisted Living Facilities`), and no piece of the phrase is a name.
 */
function meaningAlternatives(meaning: string): string[] {
  const text = meaning.trim();
  if (!text.includes('/')) return [];
  if (/\s\/\s/.test(text)) return text.split(/\s+\/\s+/);
  return /\s/.test(text) ? [] : text.split('/');
}

function meaningForms(set: CodeSet): ReadonlyMap<string, string | null> {
  let forms = MEANING_FORMS.get(set);
  if (forms) return forms;
  const m = new Map<string, string | null>();
  const put = (into: Map<string, string | null>, form: string, code: string) => {
    if (form === '') return;
    const prior = into.get(form);
    into.set(form, prior === undefined || prior === code ? code : null);
  };
  /** A form alone and after its code, as a drop-down writes it (`Enrolled`, `3 - Enrolled`); false: a blank text, nothing put. */
  const putWithCode = (into: Map<string, string | null>, head: string, text: string, code: string): boolean => {
    const form = normaliseLabel(text);
    if (form === '') return false;
    put(into, form, code);
    put(into, head + form, code);
    return true;
  };
  // Alternatives of a `/` meaning, apart: a code's whole meaning (or code) outranks another
  // code's alternative, and an alternative two codes list names neither.
  const alternatives = new Map<string, string | null>();
  const codeKeys = new Set(Object.keys(set).map(normaliseLabel));
  for (const [code, meaningText] of Object.entries(set)) {
    const head = normaliseLabel(code);
    if (!putWithCode(m, head, meaningText, code)) continue;
    const p = TRAILING_PARENTHETICAL.exec(meaningText);
    if (p) {
      putWithCode(m, head, p[1]!, code);
      // each item the parenthetical lists (`Mail`, `2 - Mail`)
      for (const item of p[2]!.split(',')) putWithCode(m, head, item, code);
    }
    for (const alt of meaningAlternatives(p ? p[1]! : meaningText)) putWithCode(alternatives, head, alt, code);
  }
  for (const [form, code] of alternatives) if (!m.has(form) && !codeKeys.has(form)) m.set(form, code);
  MEANING_FORMS.set(set, (forms = m));
  return forms;
}

/**
 * [POLICY] A code or Y/N value wholly wrapped in one pair of matching quote marks, as pasted from
 * Word or an email (`“Y”`, `‘N’`, `"3"`, `'HTN'`): the value inside (trimmed), or undefined when
 * the text is not so wrapped. Pairs: `"…"`, `'…'`, `“…”`, `‘…’`; one pair only (`""Y""`, `“Y"` and
 * an empty `“”` are not unwrapped). Only code and Y/N columns call it, and only once the value as
 * typed matched nothing (the slow path): free text, names, addresses and identifiers keep their
 * quote marks. No regex and no allocation until the ends are a pair.
 */
export function unquoted(text: string): string | undefined {
  const n = text.length;
  if (n < 3) return undefined;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(n - 1);
  const close = first === 0x22 ? 0x22 : first === 0x27 ? 0x27 : first === 0x201c ? 0x201d : first === 0x2018 ? 0x2019 : -1;
  if (close !== last) return undefined;
  const inner = text.slice(1, -1).trim();
  if (inner === '' || isQuoteMark(inner.charCodeAt(0)) || isQuoteMark(inner.charCodeAt(inner.length - 1))) return undefined;
  return inner;
}
const isQuoteMark = (c: number): boolean => c === 0x22 || c === 0x27 || (c >= 0x2018 && c <= 0x201f);

export function matchCode(raw: string, column: ColumnDef, settings: CodeSettings): string | null {
  const code = matchCodeAsTyped(raw, column, settings);
  if (code !== null) return code;
  // the slow path only: a value in quotes (`"3"`, `“HTN”`) is the value inside
  const inner = unquoted(raw);
  return inner === undefined ? null : matchCodeAsTyped(inner, column, settings);
}

function matchCodeAsTyped(raw: string, column: ColumnDef, settings: CodeSettings): string | null {
  const set = codesFor(column, settings) ?? {};
  // The common case first: the code exactly as declared (a plain own-property lookup).
  if (Object.prototype.hasOwnProperty.call(set, raw)) return raw;
  const keys = Object.keys(set);
  const lower = raw.toLowerCase();
  const ci = keys.filter((k) => k.toLowerCase() === lower);
  if (column.caseInsensitive && ci.length === 1) return ci[0]!;
  // "3 - Enrolled" or "Enrolled": a code written with or as its meaning (drop-down text).
  return meaningForms(set).get(normaliseLabel(raw)) ?? null;
}

/**
 * A flag coded 1/0 (Has Member Been Housed: 1 Yes, 0 No) typed as a Y/N column is typed: Y, N,
 * Yes, No, TRUE, FALSE (a boolean cell: a checkbox, or TRUE typed in Excel), any case. "Yes" and
 * "No" already matched as the codes' meanings; Y, N and the booleans were "not allowed". The
 * code (1 or 0), or null when the column is not such a flag or the cell is no yes/no.
 */
function yesNoCode(column: ColumnDef, cell: CellValue, text: string, settings: CodeSettings): string | null {
  const set = codesFor(column, settings);
  if (!set || set['1'] !== 'Yes' || set['0'] !== 'No' || Object.keys(set).length !== 2) return null;
  const yes = typeof cell === 'boolean' ? cell : parseYN(text);
  if (typeof yes === 'boolean') return yes ? '1' : '0';
  return yes.ok ? (yes.value ? '1' : '0') : null;
}

/**
 * The allowed codes as a message lists them. Codes that are numbers say nothing by themselves
 * ("Use one of: 1, 2"), so each comes with its meaning: `1 (Clinical staff), 2 (Non-clinical staff)`.
 */
export function allowedCodes(column: ColumnDef, settings: CodeSettings): string {
  const set = codesFor(column, settings) ?? {};
  const keys = Object.keys(set);
  const numbered = keys.length > 0 && keys.every((k) => /^\d+$/.test(k) && set[k] && set[k] !== k);
  return (numbered ? keys.map((k) => `${k} (${set[k]})`) : keys).join(', ');
}

const BLANK: CellResult = Object.freeze({ kind: 'blank' });
/** Past this a whole number does not fit the database's integer columns: the bound for a count without a limit of its own. */
const INT_MAX = 2_147_483_647;

/** The 14-character Medi-Cal ID-card number: the CIN and 5 more characters. */
const isIdCardNumber = (v: string): boolean => v.length === 14 && CIN_RE.test(v.slice(0, 9));

/**
 * The member a CIN cell holding the ID-card number names (CIN_IDCARD_NUMBER): the CIN its first
 * 9 characters are, unless they are not a real one (a placeholder).
 */
export function idCardCin(cell: CellValue | undefined): string | undefined {
  if (cell === undefined || isBlankCell(cell) || isCellError(cell)) return undefined;
  const v = cellText(cell).toUpperCase();
  if (!isIdCardNumber(v)) return undefined;
  const p = parseCin(v.slice(0, 9));
  return p.ok ? p.value : undefined;
}

/** @param date1904 the workbook counts dates from 1904: a bare number in a date or period column does too */
export function parseCell(column: ColumnDef, cell: CellValue | undefined, settings: CodeSettings, date1904 = false): CellResult {
  if (cell === undefined || isBlankCell(cell)) return BLANK;
  if (isCellError(cell)) return bad(isNoResult(cell) ? 'FORMULA_NO_RESULT' : 'CELL_ERROR');
  const text = cellText(cell);
  switch (column.type) {
    case 'text': {
      const p = parseText(text, column.max ?? DEFAULT_TEXT_MAX);
      if (p.ok) return ok(p.value);
      return /control/.test(p.reason) ? bad('TEXT_CONTROL_CHARS') : bad('TEXT_TOO_LONG', { max: column.max ?? DEFAULT_TEXT_MAX });
    }
    case 'date':
      return from(cellDate(cell, date1904), 'DATE_FORMAT');
    case 'period':
      return from(cellPeriod(cell, date1904), 'PERIOD_FORMAT');
    case 'int': {
      const n = cellNumber(cell);
      if (n === null || !Number.isInteger(n) || n < 0) return bad('INT_FORMAT');
      return n > (column.max ?? INT_MAX) ? bad('INT_TOO_LARGE', { max: column.max ?? INT_MAX }) : ok(n);
    }
    case 'minutes': {
      const n = cellNumber(cell) ?? durationMinutes(text);
      if (n === null) return bad('MINUTES_FORMAT');
      if (n <= 0) return bad('OTF_MINUTES_TOO_SMALL');
      const whole = Math.ceil(n);
      if (whole > (column.max ?? INT_MAX)) return bad('INT_TOO_LARGE', { max: column.max ?? INT_MAX });
      return whole === n ? ok(n) : ok(whole, { code: 'OTF_MINUTES_ROUNDED', params: { rounded: whole } });
    }
    case 'code': {
      const yn = yesNoCode(column, cell, text, settings);
      if (yn !== null) return ok(yn);
      const code = matchCode(text, column, settings);
      if (code !== null) return ok(code);
      // a 1/0 flag typed as a quoted Y/N (`“Y”`): matchCode has tried the quoted code itself
      const inner = unquoted(text);
      const flag = inner === undefined ? null : yesNoCode(column, inner, inner, settings);
      return flag === null ? bad('CODE_UNKNOWN', { allowed: allowedCodes(column, settings) }) : ok(flag);
    }
    case 'codeList': {
      const parts = text.split(/[;,]/).map((s) => s.trim()).filter(Boolean);
      const out: string[] = [];
      for (const part of parts) {
        const code = matchCode(part, column, settings);
        if (code === null) return bad('CODE_UNKNOWN', { allowed: allowedCodes(column, settings) + ' (separate several with ;)' });
        if (!out.includes(code)) out.push(code);
      }
      return out.length ? ok(out) : BLANK;
    }
    case 'YN': {
      if (typeof cell === 'boolean') return ok(cell);
      const p = parseYN(text);
      if (p.ok) return ok(p.value);
      // the slow path only: `“Y”`, `'N'` are the Y or N inside
      const inner = unquoted(text);
      const q = inner === undefined ? p : parseYN(inner);
      return q.ok ? ok(q.value) : bad('YN_FORMAT', { detail: p.reason });
    }
    case 'CIN': {
      const v = text.toUpperCase();
      const p = parseCin(v);
      if (p.ok) return ok(p.value);
      if (isIdCardNumber(v)) return bad('CIN_IDCARD_NUMBER');
      if (CIN_RE.test(v)) return bad('CIN_DUMMY');
      return bad('CIN_FORMAT');
    }
    case 'NPI':
      return from(parseNpi(text), 'NPI_FORMAT');
    case 'TIN':
      return from(parseTin(digitsText(cell, 9)), 'TIN_FORMAT');
    case 'phone':
      return from(parsePhone(text), 'PHONE_FORMAT');
    case 'zip':
      return from(parseZip(digitsText(cell, 5)), 'ZIP_FORMAT');
    case 'state':
      return from(parseState(text), 'STATE_FORMAT');
    case 'email': {
      if (!EMAIL_RE.test(text)) return bad('EMAIL_FORMAT');
      if (textLonger(text, column.max ?? DEFAULT_TEXT_MAX)) return bad('TEXT_TOO_LONG', { max: column.max ?? DEFAULT_TEXT_MAX });
      return ok(text);
    }
  }
}

// Streaming .xlsx/.xlsm reader: yields each recognised sheet's header, then its data rows as
// plain cell values, one row at a time (memory stays flat: rows are never collected).
//
// How: yauzl gives random access to the package parts (so the order the writing application
// stored them in does not matter: Excel, LibreOffice, openpyxl and exporters all differ); the
// workbook, its relationships and styles are read first (small parts: saxes, exceljs's SAX
// parser), then the shared strings and each worksheet part, nearly all of the file, are
// inflated in large chunks (zip.ts partBytes: in libuv's threadpool, the next chunks while
// this one is scanned) and read as bytes by purpose-built scanners (shared-strings-xml.ts,
// sheet-xml.ts over xml-scan.ts), several times faster than a general SAX parser; only the
// text kept is decoded. We do not use exceljs's WorkbookReader/WorksheetReader themselves: in 4.4.0 they
// mangle multi-byte characters split across inflate chunks (ñ, é in member names), name
// sheets "Sheet1" when relationship targets are absolute (openpyxl), keep only the last run of
// inline rich text, return NaN for cached formula errors and 1/0 for boolean formulas, and
// only see worksheet parts named sheetN.xml.
//
// Macros (.xlsm vbaProject.bin), drawings, comments and every other part are never opened.
//
// Errors: any failure to read the package (bad zip, malformed XML, a part cut short, missing
// parts) is thrown as an XlsxReadError with code FILE_CORRUPT, from the generator's next();
// callers wrap their `for await` in try/catch. A worksheet cut short is found at its end, after
// the rows before the cut were yielded: callers must not act on rows before the read is done.
// Run guard.ts inspectFile first: the reader assumes its zip checks (sizes, bombs, names, DTDs)
// have passed. Exceptions thrown by the `recognise` callback are re-thrown unchanged (they are
// bugs, not bad files).
import path from 'node:path';
import { excelSerialToDate, parseDateText } from '../../schemas/primitives.js';
import { log } from '../log.js';
import { attr, localName, walk, type SaxEvent } from './sax.js';
import { SharedStringsScanner } from './shared-strings-xml.js';
import { SheetXmlScanner, type CellDecoder, type FastCells, type RawRow } from './sheet-xml.js';
import { FORMULA_NO_RESULT, type CellValue } from './types.js';
import { listParts, openZip, partBytes, partText, type OpenedZip, type ZipPart } from './zip.js';

export type LimitCode = 'FILE_TOO_MANY_ROWS' | 'FILE_TOO_MANY_COLUMNS';

export type ReadEvent<M> =
  /**
   * A sheet whose header row `recognise` accepted; `headerRow` is the Excel row number.
   * `date1904`: the workbook counts dates from 1904-01-01 (older Mac Excel), which a bare number
   * meant as a date follows too (date-formatted cells come out as dates already).
   */
  | { type: 'sheet'; name: string; headerRow: number; match: M; date1904?: boolean }
  /** A non-empty data row below the header; `cells` is 0-based by column (A = 0), at most maxColumns long. */
  | { type: 'row'; sheet: string; rowNumber: number; cells: CellValue[] }
  /**
   * End of a recognised sheet; `rows` = data rows yielded. `formulaRows`: rows below the header
   * holding nothing but formulas with no saved result (a template's rows, written by a program
   * that does not calculate), not yielded: whether they are members no one can tell.
   */
  | { type: 'sheet-end'; name: string; rows: number; formulaRows?: { count: number; first: number } }
  /** A row of the sheet that is an Excel table's Total row (Table Design, Total Row): not data, not yielded as a row. */
  | { type: 'table-total'; sheet: string; rowNumber: number }
  /** A sheet with no recognised header in its first rows (instructions, lookups), not a worksheet, or hidden (HIDDEN_REASON). */
  | { type: 'ignored-sheet'; name: string; reason: string }
  /** A size limit was hit; reading stops after this event. */
  | { type: 'limit'; sheet: string; code: LimitCode; limit: number; rowNumber: number };

export interface ReadOptions<M> {
  /** Returns a match for a header row, or null. Called on each non-empty row within the first headerSearchRows rows. */
  recognise: (cells: CellValue[]) => M | null;
  /** Most data rows per sheet. */
  maxRows: number;
  /** Most columns per row (a non-blank cell beyond it stops the read). */
  maxColumns: number;
  /** The header must be within this many rows from the top of the sheet (default 10). */
  headerSearchRows?: number;
}

export class XlsxReadError extends Error {
  readonly code: 'FILE_CORRUPT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'XlsxReadError';
    this.code = 'FILE_CORRUPT';
  }
}

/** Wraps exceptions thrown by the caller's recognise callback so they are not disguised as FILE_CORRUPT. */
class CallbackError extends Error {
  constructor(readonly inner: unknown) {
    super('recognise callback failed');
  }
}

/** Why a hidden sheet with a recognised header is not read: what the provider can do about it. */
export const HIDDEN_REASON = 'it is hidden. Unhide it (right-click a sheet tab, Unhide) if its rows belong in this file';

const PLAIN_MESSAGE = 'The workbook could not be read: it is damaged or not a real Excel file. Open it in Excel, save it as .xlsx and upload again.';

// ---------------------------------------------------------------------------------------
// Package structure: workbook, relationships, styles, shared strings

interface SheetRef { name: string; rId: string; state: string }
interface Rel { type: string; target: string; external: boolean }

interface Package {
  opened: OpenedZip;
  parts: Map<string, ZipPart>;
}

function resolveTarget(sourcePart: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(sourcePart), target));
  return joined.replace(/^\.\//, '');
}

function relsPathOf(part: string): string {
  return path.posix.join(path.posix.dirname(part), '_rels', `${path.posix.basename(part)}.rels`).replace(/^\.\//, '');
}

/** A small part read with saxes; one the package does not have is read as empty (walk would refuse it as cut short). */
async function walkPart(pkg: Package, name: string, on: (ev: SaxEvent) => void): Promise<void> {
  const part = pkg.parts.get(name.toLowerCase());
  if (part) await walk(partText(partBytes(pkg.opened, part)), on);
}

async function readRels(pkg: Package, sourcePart: string): Promise<Map<string, Rel>> {
  const rels = new Map<string, Rel>();
  const relsPath = relsPathOf(sourcePart);
  await walkPart(pkg, relsPath, (ev) => {
    if (ev.eventType !== 'opentag' || localName(ev.value.name) !== 'Relationship') return;
    const id = attr(ev.value, 'Id');
    const target = attr(ev.value, 'Target');
    if (!id || target === undefined) return;
    const external = (attr(ev.value, 'TargetMode') ?? '').toLowerCase() === 'external';
    rels.set(id, { type: attr(ev.value, 'Type') ?? '', target: external ? target : resolveTarget(sourcePart, target), external });
  });
  return rels;
}

/**
 * The rows of a worksheet that are the Total row of one of its Excel tables (`totalsRowCount`:
 * the last rows of the table's range), by Excel row number. Most sheets have no tables, and most
 * no relationships part at all.
 */
async function tableTotalRows(pkg: Package, sheetPart: string): Promise<Set<number>> {
  const rows = new Set<number>();
  if (!pkg.parts.has(relsPathOf(sheetPart).toLowerCase())) return rows;
  for (const rel of (await readRels(pkg, sheetPart)).values()) {
    if (rel.external || !rel.type.endsWith('/table')) continue;
    await walkPart(pkg, rel.target, (ev) => {
      if (ev.eventType !== 'opentag' || localName(ev.value.name) !== 'table') return;
      const count = Number(attr(ev.value, 'totalsRowCount') ?? '0');
      const last = /:\$?[A-Za-z]{1,3}\$?(\d+)$/.exec(attr(ev.value, 'ref') ?? '');
      if (!last || !Number.isInteger(count) || count < 1 || count > 10) return;
      for (let r = Number(last[1]) - count + 1; r <= Number(last[1]); r++) rows.add(r);
    });
  }
  return rows;
}

async function findWorkbookPart(pkg: Package): Promise<string> {
  const root = await readRels(pkg, '');
  for (const rel of root.values()) if (rel.type.endsWith('/officeDocument') && !rel.external) return rel.target;
  return 'xl/workbook.xml';
}

async function readWorkbookXml(pkg: Package, part: string): Promise<{ sheets: SheetRef[]; date1904: boolean }> {
  if (!pkg.parts.has(part.toLowerCase())) throw new XlsxReadError(`${PLAIN_MESSAGE} (no workbook part)`);
  const sheets: SheetRef[] = [];
  let date1904 = false;
  await walkPart(pkg, part, (ev) => {
    if (ev.eventType !== 'opentag') return;
    const n = localName(ev.value.name);
    if (n === 'sheet') {
      sheets.push({ name: attr(ev.value, 'name') ?? `Sheet${sheets.length + 1}`, rId: attr(ev.value, 'id') ?? '', state: attr(ev.value, 'state') ?? 'visible' });
    } else if (n === 'workbookPr') {
      const v = (attr(ev.value, 'date1904') ?? '').toLowerCase();
      date1904 = v === '1' || v === 'true';
    }
  });
  return { sheets, date1904 };
}

// Built-in number formats that display dates (en-US ids 14-17, 22; locale date ids 27-36, 50-58).
const BUILTIN_DATE_IDS = new Set([14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58]);
// Built-in formats that display a duration: h:mm (20), h:mm:ss (21), mm:ss (45), [h]:mm:ss (46),
// mmss.0 (47). 18 and 19 are clock times (AM/PM): not durations.
const BUILTIN_TIME_IDS = new Set([20, 21, 45, 46, 47]);

/**
 * The first section of a format code with literals, escapes, padding and brackets removed;
 * elapsed-time brackets (`[h]`, `[mm]`, `[ss]`) keep their letters, so `[h]:mm` reads as a
 * time, not as a month.
 */
function formatLetters(code: string): string {
  const f = code.split(';')[0] ?? '';
  return f
    .replace(/"[^"]*"/g, '').replace(/\\./g, '').replace(/_./g, '').replace(/\*./g, '')
    .replace(/\[(h+|m+|s+)\]/gi, '$1')
    .replace(/\[[^\]]*\]/g, '');
}

/** True for number format codes that display a calendar date (not time-only, not elapsed time). */
export function isDateFormat(code: string): boolean {
  const f = formatLetters(code);
  if (/general/i.test(f)) return false;
  return /[dy]/i.test(f) || (/m/i.test(f) && !/[hs]/i.test(f));
}

/**
 * True for number format codes that display a duration with no date: h:mm, [h]:mm, h:mm:ss,
 * mm:ss. A clock time (AM/PM, A/P) is a time of day, not a duration: false.
 */
export function isTimeFormat(code: string): boolean {
  const f = formatLetters(code);
  if (/general/i.test(f) || /AM\/PM|A\/P/i.test(f) || /[dy]/i.test(f)) return false;
  return /[hs]/i.test(f);
}

/**
 * A time-formatted cell's value (a fraction of a day) as the elapsed time it displays,
 * `h:mm` or `h:mm:ss` when it has seconds: 15/1440 → `0:15`. What the provider typed,
 * so a minutes column reads it as a duration rather than 0.0104 of a day.
 */
export function durationText(fraction: number): string {
  const total = Math.round(fraction * 86_400);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${h}:${pad(m)}${sec ? `:${pad(sec)}` : ''}`;
}

/** What a cell style's number format shows: a date, a duration, or anything else (null). */
type StyleKind = 'date' | 'time' | null;

/** For each cell style index (cellXfs), whether its number format shows a date or a duration. */
async function readStyleKinds(pkg: Package, part: string | undefined): Promise<StyleKind[]> {
  if (!part) return [];
  const customFormats = new Map<number, string>();
  const xfFormats: number[] = [];
  let inCellXfs = false;
  await walkPart(pkg, part, (ev) => {
    if (ev.eventType === 'opentag') {
      const n = localName(ev.value.name);
      if (n === 'numFmt') {
        const id = Number(attr(ev.value, 'numFmtId'));
        if (Number.isInteger(id)) customFormats.set(id, attr(ev.value, 'formatCode') ?? '');
      } else if (n === 'cellXfs') inCellXfs = true;
      else if (n === 'xf' && inCellXfs) xfFormats.push(Number(attr(ev.value, 'numFmtId') ?? '0') || 0);
    } else if (ev.eventType === 'closetag' && localName(ev.value.name) === 'cellXfs') inCellXfs = false;
  });
  return xfFormats.map((id): StyleKind => {
    const custom = customFormats.get(id);
    if (custom !== undefined) return isDateFormat(custom) ? 'date' : isTimeFormat(custom) ? 'time' : null;
    return BUILTIN_DATE_IDS.has(id) ? 'date' : BUILTIN_TIME_IDS.has(id) ? 'time' : null;
  });
}

/** The shared-string table: runs of rich text joined, phonetic guides (rPh) left out. */
async function readSharedStrings(pkg: Package, part: string | undefined): Promise<string[]> {
  const zipPart = part === undefined ? undefined : pkg.parts.get(part.toLowerCase());
  if (!zipPart) return [];
  const scanner = new SharedStringsScanner();
  for await (const chunk of partBytes(pkg.opened, zipPart)) scanner.scan(chunk);
  scanner.end();
  return scanner.strings;
}

// ---------------------------------------------------------------------------------------
// Cell values

/** OOXML escapes characters XML cannot carry as _xHHHH_ (e.g. _x000D_ for CR). */
function unescapeOoxml(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function stringValue(s: string | null | undefined): CellValue {
  if (s === null || s === undefined) return null;
  const v = unescapeOoxml(s);
  return v.length === 0 ? null : v;
}

/** The ISO date a date-formatted serial shows, or null when it is not a date. */
function serialToIsoDate(serial: number, date1904: boolean): string | null {
  // Half a second of tolerance: date-times stored a hair under midnight keep their day.
  const whole = Math.floor(serial + 0.5 / 86_400);
  const parsed = excelSerialToDate(whole, date1904);
  return parsed.ok ? parsed.value : null;
}

export interface CellContext {
  /** The shared strings as cell values (unescaped, empty → null), computed once per workbook. */
  sharedValues: readonly CellValue[];
  styleKinds: readonly StyleKind[];
  date1904: boolean;
}

/** A number cell's value: a date or a duration when its style shows one. */
function numberValue(n: number, style: number, ctx: CellContext, date: (serial: number) => CellValue): CellValue {
  const kind = ctx.styleKinds[style];
  if (kind === 'date') return date(n);
  return kind === 'time' && n >= 0 ? durationText(n) : n;
}

function cellValue(t: string, style: number, v: string | null, inline: string | null, ctx: CellContext, date: (serial: number) => CellValue): CellValue {
  switch (t) {
    case 's': {
      if (v === null) return null;
      return ctx.sharedValues[parseInt(v, 10)] ?? null;
    }
    case 'inlineStr':
      return stringValue(inline ?? v);
    case 'str':
      return stringValue(v);
    case 'e':
      return v === null || v.trim() === '' ? null : { error: v.trim() };
    case 'b':
      if (v === null || v.trim() === '') return null;
      return v.trim() === '1' || v.trim().toLowerCase() === 'true';
    case 'd': {
      if (v === null || v.trim() === '') return null;
      const p = parseDateText(v.trim().slice(0, 10));
      return p.ok ? { date: p.value } : stringValue(v);
    }
    default: {
      if (v === null || v.trim() === '') return null;
      const n = Number(v);
      if (!Number.isFinite(n)) return stringValue(v);
      return numberValue(n, style, ctx, date);
    }
  }
}

/** Most distinct date serials remembered per workbook (a column of dates repeats a few hundred days). */
const DATE_CACHE_SIZE = 10_000;

/**
 * The scanner's cell decoder and its shortcuts for one workbook: all three give the same value
 * for the same cell (test/unit/xlsx-sheet-xml-differential.test.ts compares them).
 */
export function cellDecoders(ctx: CellContext): { decode: CellDecoder } & Required<FastCells> {
  // A date's text, made once per serial: dates repeat down a column, and making each anew was
  // a Date and two strings per cell. Each cell still gets its own { date } object.
  const dates = new Map<number, string | null>();
  const date = (serial: number): CellValue => {
    let d = dates.get(serial);
    if (d === undefined) {
      d = serialToIsoDate(serial, ctx.date1904);
      if (dates.size < DATE_CACHE_SIZE) dates.set(serial, d);
    }
    return d === null ? serial : { date: d };
  };
  return {
    decode: (t, style, v, inline) => cellValue(t, style, v, inline, ctx, date),
    shared: (index) => ctx.sharedValues[index] ?? null,
    number: (n, style) => numberValue(n, style, ctx, date),
  };
}

/**
 * The rows of one worksheet part, in file order, in batches (sheet-xml.ts does the scanning). Cells beyond
 * maxColumns are never stored. Rows end at </sheetData>, but the part is inflated to its end
 * (what follows is not scanned, only its last bytes looked at): a part cut short is refused
 * (MalformedXmlError) after its last rows, so they are not taken for all of them. (A caller
 * that stops early, having found no header, reads no further.)
 */
async function* sheetRows(bytes: AsyncIterable<Buffer>, ctx: CellContext, maxColumns: number): AsyncGenerator<RawRow[]> {
  const { decode, ...fast } = cellDecoders(ctx);
  const scanner = new SheetXmlScanner(decode, maxColumns, fast);
  for await (const chunk of bytes) {
    // the rows of a chunk as one batch: one await per chunk, not per row
    const rows = scanner.scan(chunk);
    if (rows.length) yield rows;
  }
  scanner.end();
}

function isBlankRow(cells: readonly CellValue[]): boolean {
  return cells.every((c) => c === null || (typeof c === 'string' && c.trim() === '') || c === FORMULA_NO_RESULT);
}

// ---------------------------------------------------------------------------------------
// The generator

/**
 * Reads a workbook held in memory and yields, per worksheet in tab order: `sheet` (header
 * found) → `row`* → `sheet-end`, or `ignored-sheet`. Stops after a `limit` event.
 * Throws XlsxReadError (code FILE_CORRUPT) when the package cannot be read.
 */
export async function* readWorkbook<M>(input: Buffer, opts: ReadOptions<M>): AsyncGenerator<ReadEvent<M>> {
  const headerSearchRows = opts.headerSearchRows ?? 10;
  const recognise = (cells: CellValue[]): M | null => {
    try {
      return opts.recognise(cells);
    } catch (e) {
      throw new CallbackError(e);
    }
  };

  let opened: OpenedZip | undefined;
  try {
    opened = await openZip(input);
    const parts = new Map<string, ZipPart>();
    for (const p of await listParts(opened, 1_000_000)) parts.set(p.name.toLowerCase(), p);
    const pkg: Package = { opened, parts };

    const workbookPart = await findWorkbookPart(pkg);
    const { sheets, date1904 } = await readWorkbookXml(pkg, workbookPart);
    const rels = await readRels(pkg, workbookPart);
    const byType = (suffix: string) => [...rels.values()].find((r) => !r.external && r.type.endsWith(suffix))?.target;
    const styleKinds = await readStyleKinds(pkg, byType('/styles'));
    const sharedStrings = await readSharedStrings(pkg, byType('/sharedStrings'));
    const ctx: CellContext = { sharedValues: sharedStrings.map(stringValue), styleKinds, date1904 };
    log.debug({ sheets: sheets.length, sharedStrings: sharedStrings.length, date1904 }, 'xlsx reader: workbook opened');

    for (const sheet of sheets) {
      const rel = rels.get(sheet.rId);
      if (!rel || rel.external || !rel.type.endsWith('/worksheet')) {
        yield { type: 'ignored-sheet', name: sheet.name, reason: 'not a worksheet (a chart or dialog sheet)' };
        continue;
      }
      const part = parts.get(rel.target.toLowerCase());
      if (!part) throw new XlsxReadError(`${PLAIN_MESSAGE} (the sheet "${sheet.name}" is missing)`);

      // A hidden sheet is not read, though its header is recognised: what a provider hides is
      // last month's rows or a working copy, not what the file reports (and its rows were applied,
      // or rejected, unseen). Hidden sheets that are no layout (drop-down lists) stay quiet.
      const hidden = sheet.state === 'hidden' || sheet.state === 'veryHidden';
      let hiddenLayout = false;
      let match: M | null = null;
      let sawValues = false;
      const totals = hidden ? new Set<number>() : await tableTotalRows(pkg, rel.target);
      let dataRows = 0;
      let formulaRows: { count: number; first: number } | undefined;
      let stop = false;
      const rows = sheetRows(partBytes(opened, part), ctx, opts.maxColumns);
      try {
        batches: for await (const batch of rows) for (const row of batch) {
          if (match === null) {
            if (row.rowNumber > headerSearchRows) break batches;
            if (isBlankRow(row.cells)) continue;
            sawValues = true;
            match = recognise(row.cells);
            if (match === null) continue;
            if (hidden) {
              hiddenLayout = true;
              break batches;
            }
            if (row.overflow) {
              yield { type: 'limit', sheet: sheet.name, code: 'FILE_TOO_MANY_COLUMNS', limit: opts.maxColumns, rowNumber: row.rowNumber };
              stop = true;
              break batches;
            }
            yield { type: 'sheet', name: sheet.name, headerRow: row.rowNumber, match, ...(date1904 ? { date1904 } : {}) };
            continue;
          }
          if (row.overflow) {
            yield { type: 'limit', sheet: sheet.name, code: 'FILE_TOO_MANY_COLUMNS', limit: opts.maxColumns, rowNumber: row.rowNumber };
            stop = true;
            break batches;
          }
          if (totals.has(row.rowNumber)) {
            yield { type: 'table-total', sheet: sheet.name, rowNumber: row.rowNumber };
            continue;
          }
          if (isBlankRow(row.cells)) {
            if (row.cells.includes(FORMULA_NO_RESULT)) formulaRows = formulaRows ? { count: formulaRows.count + 1, first: formulaRows.first } : { count: 1, first: row.rowNumber };
            continue;
          }
          if (dataRows >= opts.maxRows) {
            yield { type: 'limit', sheet: sheet.name, code: 'FILE_TOO_MANY_ROWS', limit: opts.maxRows, rowNumber: row.rowNumber };
            stop = true;
            break batches;
          }
          dataRows++;
          yield { type: 'row', sheet: sheet.name, rowNumber: row.rowNumber, cells: row.cells };
        }
      } finally {
        await rows.return(undefined);
      }
      if (stop) return;
      if (hiddenLayout) {
        yield { type: 'ignored-sheet', name: sheet.name, reason: HIDDEN_REASON };
      } else if (match === null) {
        const reason = sawValues ? `no recognised header row in the first ${headerSearchRows} rows` : `the first ${headerSearchRows} rows are empty`;
        yield { type: 'ignored-sheet', name: sheet.name, reason };
      } else {
        yield { type: 'sheet-end', name: sheet.name, rows: dataRows, ...(formulaRows ? { formulaRows } : {}) };
      }
    }
  } catch (e) {
    if (e instanceof CallbackError) throw e.inner;
    if (e instanceof XlsxReadError) throw e;
    log.warn({ err: (e as Error).message }, 'xlsx reader: workbook unreadable');
    throw new XlsxReadError(PLAIN_MESSAGE, { cause: e });
  } finally {
    opened?.close();
  }
}

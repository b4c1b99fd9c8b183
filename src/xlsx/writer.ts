// Streaming .xlsx writer (exceljs WorkbookWriter): rows are committed as they are produced, so
// memory stays flat whatever the row count. Strings are written inline (no shared-string
// table) as <is> rich-text cells of one run: always a string cell, never a formula, whatever
// the text starts with (=, +, -, @, tab, CR). Dates are real date cells (`mm/dd/yyyy`),
// written from a Date at UTC midnight, which exceljs converts to the serial without any
// time-zone arithmetic, so the calendar date is exact.
//
// Readable by default: the header row is bold, shaded, wrapped and frozen; column widths come
// from the header's longest word, the declared width and the first SAMPLE_ROWS rows (held
// back before the header is written: a bounded chunk, whatever the file's size); text that
// outgrows its column wraps. A row can flag cells: highlighted, with the problem as a comment.
import fs from 'node:fs';
import { PassThrough, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { isCellDate, isCellError, type CellValue } from './types.js';

export interface WriteColumn {
  label: string;
  /** Width hint in characters, known before rows stream: the column is at least this wide (up to maxWidth). */
  width?: number;
  /** The widest the column gets (default MAX_WIDTH); longer text wraps. */
  maxWidth?: number;
  /** Wrap the data cells (text outgrowing the column in the first rows wraps anyway). */
  wrap?: boolean;
  type?: 'text' | 'date' | 'int' | 'number';
  /** Allowed values: a drop-down list on the column's data cells. */
  list?: readonly string[];
}

/** A data row whose flagged cells (0-based column → what is wrong) are highlighted and carry the text as a comment. */
export interface FlaggedRow {
  cells: CellValue[];
  flags: ReadonlyMap<number, string>;
}
export type WriteRow = CellValue[] | FlaggedRow;

export interface WriteSheet {
  name: string;
  columns: readonly WriteColumn[];
  rows: Iterable<WriteRow> | AsyncIterable<WriteRow>;
  /** Freeze the panes below the header row (default true). */
  freezeHeader?: boolean;
  /** Autofilter over the header row (default true). */
  autoFilter?: boolean;
  /** Rows written above the header (titles, notes). */
  preamble?: CellValue[][];
}

export const DATE_FORMAT = 'mm/dd/yyyy';
const MAX_CELL_CHARS = 32_767; // Excel's limit: longer text makes Excel refuse the file
const MAX_ROWS = 1_048_576;
const INLINE_LIST_MAX = 255; // Excel's limit on an inline list formula
const LISTS_SHEET = 'Lists';
/** Rows held back to size the columns before the header is written. */
export const SAMPLE_ROWS = 100;
const MIN_WIDTH = 6;
const MAX_WIDTH = 60;
/** Room for the cell's padding and a bold header around the characters counted. */
const WIDTH_PADDING = 2;
/** Points per line of 11-point Calibri, Excel's default row height. */
const LINE_HEIGHT = 15;
const MAX_ROW_HEIGHT = 409; // Excel's limit, in points
/** Total column width (characters) a landscape page can take when shrunk to fit, still readable. */
const FIT_TO_PAGE_WIDTH = 200;
/** A long header wraps to at most this many lines: its column widens instead. */
const HEADER_MAX_LINES = 3;
// Named fonts: a bare <b/> leaves the face to the reader, and LibreOffice then falls back to a serif.
const BASE_FONT: Partial<ExcelJS.Font> = { name: 'Calibri', size: 11, family: 2 };
const HEADER_FONT: Partial<ExcelJS.Font> = { ...BASE_FONT, bold: true };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
const HEADER_BORDER: Partial<ExcelJS.Borders> = { bottom: { style: 'thin', color: { argb: 'FF8EA9DB' } } };
/** Excel's own "Bad" cell style colours: a cell to fix. */
const FLAG_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } };
const FLAG_FONT: Partial<ExcelJS.Font> = { ...BASE_FONT, color: { argb: 'FF9C0006' } };

/** Excel sheet names: 1-31 characters, none of []:*?/\, no leading/trailing apostrophe, unique ignoring case. */
export function sanitiseSheetName(name: string, taken: Set<string> = new Set()): string {
  // eslint-disable-next-line no-control-regex
  let base = name.replace(/[[\]:*?/\\]/g, ' ').replace(/[\u0000-\u001f]/g, '').replace(/\s+/g, ' ').trim();
  base = base.replace(/^'+|'+$/g, '').trim();
  if (base.length === 0 || base.toLowerCase() === 'history') base = base.length === 0 ? 'Sheet' : `${base}_`;
  base = base.slice(0, 31).trim();
  let candidate = base;
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) {
    const suffix = ` (${i})`;
    candidate = `${base.slice(0, 31 - suffix.length).trim()}${suffix}`;
  }
  taken.add(candidate.toLowerCase());
  return candidate;
}

/** A1-style column letters for a 1-based column number. */
export function columnLetter(n: number): string {
  let s = '';
  for (let c = n; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
}

function dateFromIso(iso: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number.isNaN(d.getTime()) ? null : d;
}

type ExcelValue = ExcelJS.CellValue;

/** A plain value → what exceljs should write. Strings become one-run rich text (inline, never a formula). */
function toExcel(value: CellValue, column: WriteColumn | undefined): { value: ExcelValue; numFmt?: string } {
  if (value === null) return { value: null };
  if (typeof value === 'string') {
    const text = value.length > MAX_CELL_CHARS ? value.slice(0, MAX_CELL_CHARS) : value;
    return text.length === 0 ? { value: null } : { value: { richText: [{ text }] } };
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { value: null };
    // Identifier-like text columns (NPI, phone, CIN) stay text even when handed a number.
    if (column?.type === 'text') return { value: { richText: [{ text: String(value) }] } };
    return { value, ...(column?.type === 'int' ? { numFmt: '0' } : {}) };
  }
  if (typeof value === 'boolean') return { value };
  if (isCellDate(value)) {
    const d = dateFromIso(value.date);
    return d ? { value: d, numFmt: DATE_FORMAT } : { value: { richText: [{ text: value.date }] } };
  }
  if (isCellError(value)) return { value: { error: value.error as ExcelJS.CellErrorValue['error'] } };
  return { value: null };
}

const cellsOf = (row: WriteRow): CellValue[] => (Array.isArray(row) ? row : row.cells);

/** Characters a value takes on screen (its longest line for multi-line text). */
function displayLength(value: CellValue): number {
  if (value === null) return 0;
  if (typeof value === 'string') return Math.max(...value.split('\n').map((l) => l.length));
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).length : 0;
  if (typeof value === 'boolean') return 5;
  if (isCellDate(value)) return DATE_FORMAT.length;
  if (isCellError(value)) return value.error.length;
  return 0;
}

const longestWord = (text: string): number => Math.max(0, ...text.split(/\s+/).map((w) => w.length));

/** Lines `text` takes word-wrapped at `chars` characters a line. */
export function wrappedLines(text: string, chars: number): number {
  let lines = 0;
  for (const paragraph of text.split('\n')) {
    let line = 0;
    lines++;
    for (const word of paragraph.split(/\s+/).filter((w) => w.length > 0)) {
      const need = line === 0 ? word.length : line + 1 + word.length;
      if (need <= chars || line === 0) line = need;
      else {
        lines++;
        line = word.length;
      }
      // a word longer than a line breaks mid-word
      if (line > chars) {
        lines += Math.ceil(line / chars) - 1;
        line %= chars;
      }
    }
  }
  return Math.max(1, lines);
}

interface ColumnLayout { width: number; wrap: boolean }

/**
 * width = clamp(max(header, declared width, longest value in the sample), MIN_WIDTH, maxWidth).
 * The header wraps at word boundaries: its longest word must fit, and a long header gets room
 * for HEADER_MAX_LINES lines. A text column whose sampled values do not fit wraps them.
 */
export function layoutColumns(columns: readonly WriteColumn[], sample: readonly WriteRow[]): ColumnLayout[] {
  return columns.map((col, i) => {
    const longest = Math.max(0, ...sample.map((r) => displayLength(cellsOf(r)[i] ?? null)));
    const max = Math.max(MIN_WIDTH, col.maxWidth ?? MAX_WIDTH);
    const header = Math.max(longestWord(col.label), Math.ceil(col.label.length / HEADER_MAX_LINES)) + WIDTH_PADDING;
    const wanted = Math.max(header, col.width ?? 0, longest + WIDTH_PADDING);
    const width = Math.min(max, Math.max(MIN_WIDTH, wanted));
    return { width, wrap: col.wrap === true || longest + WIDTH_PADDING > width };
  });
}

function columnNumFmt(col: WriteColumn): string | undefined {
  switch (col.type) {
    case 'date':
      return DATE_FORMAT;
    case 'text':
      return '@';
    case 'int':
      return '0';
    default:
      return undefined;
  }
}

/** The streaming worksheet has dataValidations (written at commit) but the typings omit it. */
interface WithValidations { dataValidations: { add(range: string, validation: ExcelJS.DataValidation): void } }

/**
 * Backpressure. exceljs's worksheet stream (a StreamBuf in batch mode) writes 64 KB blocks
 * into the zip archiver's input (a readable-stream PassThrough) without waiting, so a fast
 * producer would pile the whole uncompressed sheet up in memory while deflate catches up.
 * Every few hundred rows we wait until that input has drained below MAX_PENDING_BYTES.
 */
interface PendingWritable {
  writableLength?: number;
  _writableState?: { length?: number };
  once(event: 'drain', cb: () => void): unknown;
  removeListener(event: 'drain', cb: () => void): unknown;
}
interface SheetStreamInternals { pipes?: PendingWritable[]; buffers?: unknown[] }
const DRAIN_EVERY_ROWS = 256;
const MAX_PENDING_BYTES = 1024 * 1024;

function pendingBytes(p: PendingWritable): number {
  return p.writableLength ?? p._writableState?.length ?? 0;
}

function drainOrTimeout(p: PendingWritable, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      p.removeListener('drain', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    p.once('drain', done);
  });
}

async function drained(ws: ExcelJS.Worksheet): Promise<void> {
  const s = (ws as unknown as { _stream?: SheetStreamInternals })._stream;
  if (!s) return;
  for (let spins = 0; spins < 100_000; spins++) {
    const waiting = (s.pipes ?? []).find((p) => pendingBytes(p) > MAX_PENDING_BYTES);
    if (waiting) await drainOrTimeout(waiting, 20);
    else if ((s.buffers?.length ?? 0) > 16) await new Promise<void>((resolve) => setTimeout(resolve, 1));
    else return;
  }
}

interface ListRef { sheetIndex: number; column: number; formula: string }

function inlineList(list: readonly string[]): string | null {
  if (list.some((v) => v.includes(',') || v.includes('"'))) return null;
  const joined = list.join(',');
  return joined.length <= INLINE_LIST_MAX ? `"${joined}"` : null;
}

async function* eachRow(rows: Iterable<WriteRow> | AsyncIterable<WriteRow>): AsyncGenerator<WriteRow> {
  for await (const row of rows) yield row;
}

async function writeSheets(wb: ExcelJS.stream.xlsx.WorkbookWriter, sheets: readonly WriteSheet[]): Promise<void> {
  const taken = new Set<string>([LISTS_SHEET.toLowerCase()]);
  const long: { values: readonly string[] }[] = [];
  const listRefs: ListRef[] = [];
  sheets.forEach((sheet, si) =>
    sheet.columns.forEach((col, ci) => {
      if (!col.list || col.list.length === 0) return;
      const inline = inlineList(col.list);
      if (inline) listRefs.push({ sheetIndex: si, column: ci + 1, formula: inline });
      else {
        long.push({ values: col.list });
        const letter = columnLetter(long.length);
        listRefs.push({ sheetIndex: si, column: ci + 1, formula: `${LISTS_SHEET}!$${letter}$1:$${letter}$${col.list.length}` });
      }
    }),
  );

  for (const [si, sheet] of sheets.entries()) {
    const name = sanitiseSheetName(sheet.name, taken);
    const preamble = sheet.preamble ?? [];
    const headerRow = preamble.length + 1;
    const views: Partial<ExcelJS.WorksheetView>[] =
      sheet.freezeHeader === false ? [] : [{ state: 'frozen', xSplit: 0, ySplit: headerRow, topLeftCell: `A${headerRow + 1}` }];
    // Hold back the first rows (bounded) to size the columns before anything is written.
    const rows = eachRow(sheet.rows);
    const sample: WriteRow[] = [];
    while (sample.length < SAMPLE_ROWS) {
      const next = await rows.next();
      if (next.done) break;
      sample.push(next.value);
    }
    const layout = layoutColumns(sheet.columns, sample);
    const totalWidth = layout.reduce((sum, l) => sum + l.width, 0);
    // Printed (or drawn to an image) in landscape; a narrow sheet fits one page wide, a wide
    // one keeps its size rather than shrinking to unreadable.
    const pageSetup: Partial<ExcelJS.PageSetup> = totalWidth <= FIT_TO_PAGE_WIDTH
      ? { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 }
      : { orientation: 'landscape' };
    const ws = wb.addWorksheet(name, { views: views as ExcelJS.WorksheetView[], pageSetup });
    const anyWrap = layout.some((l) => l.wrap);
    ws.columns = sheet.columns.map((col, i) => {
      const numFmt = columnNumFmt(col);
      const { width, wrap } = layout[i]!;
      // With a wrapped column in the sheet, rows grow taller: every cell then reads from the top.
      const alignment: Partial<ExcelJS.Alignment> | undefined = anyWrap ? { vertical: 'top', ...(wrap ? { wrapText: true } : {}) } : undefined;
      return { width, ...(numFmt || alignment ? { style: { ...(numFmt ? { numFmt } : {}), ...(alignment ? { alignment } : {}) } } : {}) };
    });
    const n = sheet.columns.length;
    if (sheet.autoFilter !== false && n > 0) ws.autoFilter = `A${headerRow}:${columnLetter(n)}${headerRow}`;
    for (const ref of listRefs.filter((r) => r.sheetIndex === si)) {
      const letter = columnLetter(ref.column);
      (ws as unknown as WithValidations).dataValidations.add(`${letter}${headerRow + 1}:${letter}${MAX_ROWS}`, {
        type: 'list',
        allowBlank: true,
        formulae: [ref.formula],
        showErrorMessage: true,
        errorTitle: 'Not in the list',
        error: 'Choose a value from the drop-down list.',
      });
    }

    let rowNumber = 0;
    const nextRow = (): ExcelJS.Row => {
      rowNumber++;
      if (rowNumber > MAX_ROWS) throw new Error(`sheet "${name}" has more than ${MAX_ROWS} rows`);
      return ws.getRow(rowNumber);
    };
    const put = (row: WriteRow, columns: readonly (WriteColumn | undefined)[]) => {
      const r = nextRow();
      const flags = Array.isArray(row) ? undefined : row.flags;
      // Readers do not all grow a row to fit wrapped text on opening (LibreOffice keeps the
      // default height), so a row whose wrapped text takes several lines says how tall it is.
      let lines = 1;
      if (anyWrap)
        cellsOf(row).forEach((v, i) => {
          const l = columns[i] ? layout[i] : undefined;
          if (l?.wrap && typeof v === 'string' && v.length > 0) lines = Math.max(lines, wrappedLines(v, Math.max(1, Math.floor(l.width) - WIDTH_PADDING)));
        });
      if (lines > 1) r.height = Math.min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT);
      cellsOf(row).forEach((v, i) => {
        const { value, numFmt } = toExcel(v, columns[i]);
        const flag = flags?.get(i);
        // A flagged blank (a required value left out) is still highlighted: it is the cell to fill in.
        if (value === null && flag === undefined) return;
        const cell = r.getCell(i + 1);
        cell.value = value;
        if (numFmt) cell.numFmt = numFmt;
        if (flag !== undefined) {
          cell.fill = FLAG_FILL;
          cell.font = FLAG_FONT;
          cell.note = flag;
        }
      });
      r.commit();
    };
    for (const p of preamble) put(p, []);
    const header = nextRow();
    sheet.columns.forEach((col, i) => {
      const cell = header.getCell(i + 1);
      cell.value = { richText: [{ text: col.label }] };
      cell.font = HEADER_FONT;
      cell.fill = HEADER_FILL;
      cell.border = HEADER_BORDER;
      cell.alignment = { wrapText: true, vertical: 'top' };
    });
    const lines = Math.max(1, ...sheet.columns.map((col, i) => wrappedLines(col.label, Math.max(1, Math.floor(layout[i]!.width) - WIDTH_PADDING))));
    header.height = lines * LINE_HEIGHT;
    header.commit();
    for (const row of sample) put(row, sheet.columns);
    sample.length = 0;
    for await (const row of rows) {
      put(row, sheet.columns);
      if (rowNumber % DRAIN_EVERY_ROWS === 0) await drained(ws);
    }
    ws.commit();
  }

  if (long.length > 0) {
    const ws = wb.addWorksheet(LISTS_SHEET, { state: 'hidden' });
    const height = Math.max(...long.map((l) => l.values.length));
    for (let r = 0; r < height; r++) {
      const row = ws.getRow(r + 1);
      long.forEach((l, c) => {
        const v = l.values[r];
        if (v !== undefined && v !== '') row.getCell(c + 1).value = { richText: [{ text: v }] };
      });
      row.commit();
    }
    ws.commit();
  }
}

/** Workbook properties; `created` defaults to now (it is in the file, so two writes of the same sheets differ by it). */
export interface WorkbookMeta {
  created?: Date;
}

function newWorkbook(stream: Writable | NodeJS.WritableStream, meta: WorkbookMeta = {}): ExcelJS.stream.xlsx.WorkbookWriter {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: stream as unknown as import('stream').Stream, useSharedStrings: false, useStyles: true, ...(meta.created ? { created: meta.created } : {}),
  });
  wb.creator = 'calaim-exchange';
  return wb;
}

/**
 * Writes the sheets, in order, to a file path or a writable stream. For a path, a failure
 * removes the partial file. For a stream, the caller owns it (it is ended on success).
 */
export async function writeWorkbook(target: string | NodeJS.WritableStream, sheets: readonly WriteSheet[], meta: WorkbookMeta = {}): Promise<void> {
  if (typeof target !== 'string') {
    const wb = newWorkbook(target, meta);
    await writeSheets(wb, sheets);
    await wb.commit();
    return;
  }
  const out = fs.createWriteStream(target);
  const opened = new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', reject);
  });
  try {
    await opened;
    const wb = newWorkbook(out, meta);
    await writeSheets(wb, sheets);
    await wb.commit();
    if (!out.closed) await new Promise<void>((resolve, reject) => {
      out.once('close', () => resolve());
      out.once('error', reject);
    });
  } catch (e) {
    out.destroy();
    await fs.promises.rm(target, { force: true });
    throw e;
  }
}

/** The workbook as bytes (the whole file is in memory: use writeWorkbook for large outputs). */
export async function writeWorkbookToBuffer(sheets: readonly WriteSheet[], meta: WorkbookMeta = {}): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    sink.on('end', () => resolve());
    sink.on('error', reject);
  });
  await writeWorkbook(sink, sheets, meta);
  await ended;
  return Buffer.concat(chunks);
}

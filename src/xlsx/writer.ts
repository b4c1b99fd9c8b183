// Streaming .xlsx writer (exceljs WorkbookWriter): rows are committed as they are produced, so
// memory stays flat whatever the row count. Strings are written inline (no shared-string
// table) as <is> rich-text cells of one run: always a string cell, never a formula, whatever
// the text starts with (=, +, -, @, tab, CR). Dates are real date cells (`mm/dd/yyyy`),
// written from a Date at UTC midnight, which exceljs converts to the serial without any
// time-zone arithmetic, so the calendar date is exact.
import fs from 'node:fs';
import { PassThrough, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { isCellDate, isCellError, type CellValue } from './types.js';

export interface WriteColumn {
  label: string;
  width?: number;
  type?: 'text' | 'date' | 'int' | 'number';
  /** Allowed values: a drop-down list on the column's data cells. */
  list?: readonly string[];
}

export interface WriteSheet {
  name: string;
  columns: readonly WriteColumn[];
  rows: Iterable<CellValue[]> | AsyncIterable<CellValue[]>;
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

function columnWidth(col: WriteColumn): number {
  if (col.width !== undefined) return col.width;
  return Math.min(60, Math.max(10, col.label.length + 2));
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
    const ws = wb.addWorksheet(name, { views: views as ExcelJS.WorksheetView[] });
    ws.columns = sheet.columns.map((col) => {
      const numFmt = columnNumFmt(col);
      return { width: columnWidth(col), ...(numFmt ? { style: { numFmt } } : {}) };
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
    const put = (cells: readonly CellValue[], columns: readonly (WriteColumn | undefined)[], bold = false) => {
      rowNumber++;
      if (rowNumber > MAX_ROWS) throw new Error(`sheet "${name}" has more than ${MAX_ROWS} rows`);
      const row = ws.getRow(rowNumber);
      cells.forEach((v, i) => {
        const { value, numFmt } = toExcel(v, columns[i]);
        if (value === null && !bold) return;
        const cell = row.getCell(i + 1);
        cell.value = value;
        if (numFmt) cell.numFmt = numFmt;
        if (bold) cell.font = { bold: true };
      });
      row.commit();
    };
    for (const p of preamble) put(p, []);
    put(sheet.columns.map((c) => c.label), [], true);
    for await (const cells of sheet.rows) {
      put(cells, sheet.columns);
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

function newWorkbook(stream: Writable | NodeJS.WritableStream): ExcelJS.stream.xlsx.WorkbookWriter {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: stream as unknown as import('stream').Stream, useSharedStrings: false, useStyles: true });
  wb.creator = 'calaim-exchange';
  return wb;
}

/**
 * Writes the sheets, in order, to a file path or a writable stream. For a path, a failure
 * removes the partial file. For a stream, the caller owns it (it is ended on success).
 */
export async function writeWorkbook(target: string | NodeJS.WritableStream, sheets: readonly WriteSheet[]): Promise<void> {
  if (typeof target !== 'string') {
    const wb = newWorkbook(target);
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
    const wb = newWorkbook(out);
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
export async function writeWorkbookToBuffer(sheets: readonly WriteSheet[]): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    sink.on('end', () => resolve());
    sink.on('error', reject);
  });
  await writeWorkbook(sink, sheets);
  await ended;
  return Buffer.concat(chunks);
}

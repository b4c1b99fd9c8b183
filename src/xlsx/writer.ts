// Streaming .xlsx writer of our own: each worksheet's XML is built row by row and deflated into
// the zip as it goes (zip-writer.ts), so memory stays flat whatever the row count; the parts
// around the sheets are in ooxml-parts.ts. Strings are written inline (`t="inlineStr"`, no
// shared-string table to hold in memory): always a string cell, never a formula, whatever the
// text starts with (=, +, -, @, tab, CR). Dates are real date cells (`mm/dd/yyyy`): the serial
// is counted in whole days from the ISO date, with no time-zone arithmetic, so the calendar
// date is exact.
//
// Readable by default: the header row is bold, shaded, wrapped and frozen; column widths come
// from the header's longest word, the declared width and the first SAMPLE_ROWS rows (held
// back before the sheet's <cols> is written: a bounded chunk, whatever the file's size); text
// that outgrows its column wraps. A row can flag cells: highlighted, with the problem as a
// comment (its text deflated into memory as the rows stream, added after the sheet).
//
// Why not exceljs's WorkbookWriter: building a cell object model per cell cost as much as
// everything else in a MIF run together (issue 19); this writes the same package directly.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { systemClock } from '../clock.js';
import {
  Align, COMMENTS_CLOSE, COMMENTS_OPEN, DATE_FORMAT, Fmt, HEADER_STYLE, LEGACY_DRAWING, ROOT_RELS, VML_CLOSE, WORKSHEET_OPEN,
  comment, contentTypes, coreProperties, sheetCommentRels, styleIndex, styles, tElement, vmlOpen, vmlShape, workbook, workbookRels, xmlAttr, xmlText,
} from './ooxml-parts.js';
import { isCellDate, isCellError, type CellValue } from './types.js';
import { DeflatedPart, ZipWriter, type ZipSink } from './zip-writer.js';
import { columnLetter } from './cell-ref.js';

export { DATE_FORMAT };

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
/**
 * Deflate level, chosen by measurement (README, performance): on the 100k-member MIF run,
 * level 1 writes in the least time for files about a fifth larger than level 6.
 */
export const DEFLATE_LEVEL = 1;
/** Bytes of sheet XML gathered before they go to deflate (one zlib write). */
const CHUNK_BYTES = 256 * 1024;
/** Characters of comment markup gathered before they go to deflate. */
const COMMENT_CHUNK_CHARS = 64 * 1024;
/** Days from Excel's epoch (1899-12-30, the 1900 leap-year bug included) to 1970-01-01. */
const EXCEL_EPOCH_OFFSET = 25_569;
const MAX_REMEMBERED_DATES = 50_000;
const MS_PER_DAY = 86_400_000;

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


/** The Excel serial of an ISO calendar date, or null when it is not one (2026-02-30 does not roll over to March). */
function serialOfIso(iso: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  date.setUTCFullYear(y); // Date.UTC maps years 0-99 to 1900-1999
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  const serial = date.getTime() / MS_PER_DAY + EXCEL_EPOCH_OFFSET;
  // Excel counts a 1900-02-29 that never was (serial 60): only from 1900-03-01 (61) is the serial
  // the days since 1899-12-30; before it, one fewer (1900-01-01 is 1, 1900-02-28 is 59), as the
  // reader counts them back (excelSerialToDate). Excel has no dates before 1900.
  const excel = serial < 61 ? serial - 1 : serial;
  return excel >= 1 ? excel : null;
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

function columnFmt(col: WriteColumn | undefined): Fmt {
  switch (col?.type) {
    case 'date':
      return Fmt.Date;
    case 'text':
      return Fmt.Text;
    case 'int':
      return Fmt.Int;
    default:
      return Fmt.General;
  }
}

/**
 * How a column's cells are written: the markup around each kind of value, built once per
 * sheet; index 0 of each pair is a plain cell, 1 a flagged one. A cell is then a few
 * concatenations: `open` + row number + the kind's `…` + value + its close.
 */
interface CellPlan {
  letter: string;
  /** Identifier-like text column (NPI, phone, CIN): a number handed to it is written as text. */
  text: boolean;
  /** `<c r="B` */
  open: string;
  /** `" s="N" t="inlineStr"><is>` */
  str: readonly [string, string];
  /** `" s="N"><v>` */
  num: readonly [string, string];
  /** `" s="N"><v>` with the date format */
  date: readonly [string, string];
  /** `" s="N" t="b"><v>` */
  bool: readonly [string, string];
  /** `" s="N" t="e"><v>` */
  err: readonly [string, string];
  /** `" s="N"/>`: a flagged blank */
  blank: string;
}

const sAttr = (i: number) => (i === 0 ? '' : ` s="${i}"`);

function cellPlan(index: number, col: WriteColumn | undefined, align: Align): CellPlan {
  const fmt = columnFmt(col);
  const s = [sAttr(styleIndex(fmt, align, false)), sAttr(styleIndex(fmt, align, true))] as const;
  const d = [sAttr(styleIndex(Fmt.Date, align, false)), sAttr(styleIndex(Fmt.Date, align, true))] as const;
  const pair = (f: (style: string) => string, styles: readonly [string, string] = s) => [f(styles[0]), f(styles[1])] as const;
  const letter = columnLetter(index + 1);
  return {
    letter,
    text: col?.type === 'text',
    open: `<c r="${letter}`,
    str: pair((x) => `"${x} t="inlineStr"><is>`),
    num: pair((x) => `"${x}><v>`),
    date: pair((x) => `"${x}><v>`, d),
    bool: pair((x) => `"${x} t="b"><v>`),
    err: pair((x) => `"${x} t="e"><v>`),
    blank: `"${s[1]}/>`,
  };
}

interface ListRef { sheetIndex: number; column: number; formula: string }

function inlineList(list: readonly string[]): string | null {
  if (list.some((v) => v.includes(',') || v.includes('"'))) return null;
  const joined = list.join(',');
  return joined.length <= INLINE_LIST_MAX ? `"${joined}"` : null;
}

/** Pulls rows from a sync or async iterable, awaiting only when the source is async. */
function pullerOf(rows: Iterable<WriteRow> | AsyncIterable<WriteRow>): Iterator<WriteRow> | AsyncIterator<WriteRow> {
  return Symbol.asyncIterator in rows ? rows[Symbol.asyncIterator]() : rows[Symbol.iterator]();
}

/** One sheet's comments, deflated into memory as flagged cells stream by (their text gathered into chunks first). */
class SheetComments {
  private count = 0;
  private xml?: DeflatedPart;
  private vml?: DeflatedPart;
  private xmlText = '';
  private vmlText = '';
  /** @param shapes the workbook's next VML shape id (ids run on from one sheet's drawing to the next) */
  constructor(private readonly sheet: number, private readonly level: number, private readonly shapes: { next: number }) {}

  get any(): boolean {
    return this.count > 0;
  }

  /** Adds a comment; a promise only when zlib is far behind. */
  add(ref: string, row0: number, col0: number, text: string): Promise<unknown> | undefined {
    if (this.count === 0) {
      this.xmlText = COMMENTS_OPEN;
      this.vmlText = vmlOpen(this.shapes.next);
    }
    this.xmlText += comment(ref, text);
    this.vmlText += vmlShape(this.shapes.next++, this.count, row0, col0);
    this.count++;
    return this.xmlText.length + this.vmlText.length >= COMMENT_CHUNK_CHARS ? this.flush() : undefined;
  }

  private flush(): Promise<unknown> | undefined {
    this.xml ??= new DeflatedPart(this.level);
    this.vml ??= new DeflatedPart(this.level);
    const waits = [this.xml.write(this.xmlText), this.vml.write(this.vmlText)];
    this.xmlText = this.vmlText = '';
    return waits[0] || waits[1] ? Promise.all(waits) : undefined;
  }

  async addTo(zip: ZipWriter): Promise<void> {
    if (this.count === 0) return;
    this.xmlText += COMMENTS_CLOSE;
    this.vmlText += VML_CLOSE;
    await this.flush();
    await zip.addDeflated(`xl/comments${this.sheet}.xml`, this.xml!);
    await zip.addDeflated(`xl/drawings/vmlDrawing${this.sheet}.vml`, this.vml!);
    await zip.add(`xl/worksheets/_rels/sheet${this.sheet}.xml.rels`, sheetCommentRels(this.sheet));
  }

  destroy(): void {
    this.xml?.destroy();
    this.vml?.destroy();
  }
}

/** Writes one worksheet part, row by row. */
class SheetWriter {
  // Rows are encoded into a Buffer one at a time: a row is a small string, cheap to encode,
  // where one long string concatenated from every row would cost several times more to
  // flatten and encode than to build.
  private out = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;
  private rowNumber = 0;
  private readonly extra = new Map<number, CellPlan>();
  readonly comments: SheetComments;

  constructor(
    private readonly entry: { write: (data: Buffer) => Promise<void> | undefined },
    private readonly name: string,
    private readonly plans: readonly CellPlan[],
    sheetNumber: number,
    level: number,
    shapes: { next: number },
  ) {
    this.comments = new SheetComments(sheetNumber, level, shapes);
  }

  /** Adds XML; hands a chunk on once it is full (awaiting only if zlib is far behind). */
  put(xml: string): Promise<unknown> | undefined {
    const most = xml.length * 3; // UTF-8 bytes at most for that many UTF-16 units
    if (this.pos + most <= this.out.length) {
      this.pos += this.out.write(xml, this.pos);
      return undefined;
    }
    const flushed = this.flush();
    if (most > this.out.length) {
      const direct = this.entry.write(Buffer.from(xml, 'utf8'));
      return flushed && direct ? Promise.all([flushed, direct]) : (flushed ?? direct);
    }
    this.pos += this.out.write(xml, this.pos);
    return flushed;
  }

  flush(): Promise<void> | undefined {
    if (this.pos === 0) return undefined;
    const chunk = this.out.subarray(0, this.pos);
    // a new buffer: zlib reads the old one while the next rows are encoded
    this.out = Buffer.allocUnsafe(CHUNK_BYTES);
    this.pos = 0;
    return this.entry.write(chunk);
  }

  private planFor(i: number): CellPlan {
    const p = this.plans[i];
    if (p) return p;
    let e = this.extra.get(i);
    if (!e) this.extra.set(i, (e = cellPlan(i, undefined, Align.None)));
    return e;
  }

  nextRowNumber(): number {
    this.rowNumber++;
    if (this.rowNumber > MAX_ROWS) throw new Error(`sheet "${this.name}" has more than ${MAX_ROWS} rows`);
    return this.rowNumber;
  }

  /**
   * One row: `typed` says whether the sheet's column types apply to the values (not in the
   * preamble), `height` its height in points (0: the default).
   */
  row(cells: readonly CellValue[], flags: ReadonlyMap<number, string> | undefined, typed: boolean, height: number): Promise<unknown> | undefined {
    const r = this.nextRowNumber();
    const rs = String(r);
    let xml = height > 0 ? `<row r="${rs}" ht="${height}" customHeight="1">` : `<row r="${rs}">`;
    let pending: Promise<unknown>[] | undefined;
    for (let i = 0; i < cells.length; i++) {
      const v = cells[i] ?? null;
      const flag = flags?.get(i);
      const plan = this.planFor(i);
      let f: 0 | 1 = 0;
      if (flag !== undefined) {
        f = 1;
        const p = this.comments.add(plan.letter + rs, r - 1, i, flag);
        if (p) (pending ??= []).push(p);
      }
      if (typeof v === 'string') {
        // A flagged blank (a required value left out) is still highlighted: it is the cell to fill in.
        if (v.length === 0) {
          if (f) xml += plan.open + rs + plan.blank;
        } else xml += plan.open + rs + plan.str[f] + tElement(v.length > MAX_CELL_CHARS ? v.slice(0, MAX_CELL_CHARS) : v) + '</is></c>';
      } else if (typeof v === 'number') {
        if (!Number.isFinite(v)) {
          if (f) xml += plan.open + rs + plan.blank;
        } else if (typed && plan.text) xml += plan.open + rs + plan.str[f] + '<t>' + String(v) + '</t></is></c>';
        else xml += plan.open + rs + plan.num[f] + String(v) + '</v></c>';
      } else if (v === null) {
        if (f) xml += plan.open + rs + plan.blank;
      } else if (typeof v === 'boolean') {
        xml += plan.open + rs + plan.bool[f] + (v ? '1' : '0') + '</v></c>';
      } else if (isCellDate(v)) {
        const serial = this.serial(v.date);
        xml += serial === null
          ? plan.open + rs + plan.str[f] + tElement(v.date) + '</is></c>'
          : plan.open + rs + plan.date[f] + serial + '</v></c>';
      } else if (isCellError(v)) {
        xml += plan.open + rs + plan.err[f] + xmlText(v.error) + '</v></c>';
      } else if (f) xml += plan.open + rs + plan.blank;
    }
    const done = this.put(xml + '</row>');
    if (!pending) return done;
    return Promise.all([...pending, done]);
  }

  /** Date serials by ISO date, remembered: a sheet's dates repeat (production dates, periods, starts). */
  private readonly serials = new Map<string, string | null>();
  private serial(iso: string): string | null {
    let s = this.serials.get(iso);
    if (s === undefined) {
      if (this.serials.size >= MAX_REMEMBERED_DATES) this.serials.clear();
      const n = serialOfIso(iso);
      s = n === null ? null : String(n);
      this.serials.set(iso, s);
    }
    return s;
  }

  /** The header row: every label in the header style. */
  header(labels: readonly string[], height: number): Promise<unknown> | undefined {
    const r = this.nextRowNumber();
    let xml = `<row r="${r}" ht="${height}" customHeight="1">`;
    labels.forEach((label, i) => {
      xml += label.length
        ? `${this.planFor(i).open}${r}" s="${HEADER_STYLE}" t="inlineStr"><is>${tElement(label.slice(0, MAX_CELL_CHARS))}</is></c>`
        : `${this.planFor(i).open}${r}" s="${HEADER_STYLE}"/>`;
    });
    return this.put(`${xml}</row>`);
  }

  get rows(): number {
    return this.rowNumber;
  }
}

/** The part of the worksheet before <sheetData>: print fit, frozen pane, column widths and styles. */
function sheetHead(opts: { fitToPage: boolean; frozenRow: number | null; cols: string }): string {
  const pane = opts.frozenRow === null
    ? '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    : `<sheetViews><sheetView workbookViewId="0"><pane ySplit="${opts.frozenRow}" topLeftCell="A${opts.frozenRow + 1}" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>`;
  return `${WORKSHEET_OPEN}${opts.fitToPage ? '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' : ''}${pane}<sheetFormatPr defaultRowHeight="15"/>${opts.cols}<sheetData>`;
}

const PAGE_MARGINS = '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>';

function dataValidation(sqref: string, formula: string): string {
  return `<dataValidation type="list" allowBlank="1" showErrorMessage="1" errorTitle="Not in the list" error="Choose a value from the drop-down list." sqref="${sqref}"><formula1>${xmlAttr(formula)}</formula1></dataValidation>`;
}

interface Context {
  zip: ZipWriter;
  level: number;
  /** The next comment shape id in the workbook (Excel's first is 1025: block 1). */
  shapes: { next: number };
}

async function writeSheet(ctx: Context, sheetNumber: number, name: string, sheet: WriteSheet, validations: readonly ListRef[]): Promise<boolean> {
  const preamble = sheet.preamble ?? [];
  const headerRow = preamble.length + 1;
  // Hold back the first rows (bounded) to size the columns before anything is written.
  const puller = pullerOf(sheet.rows);
  let finished = false;
  const next = async (): Promise<WriteRow | undefined> => {
    let r = puller.next();
    if (r instanceof Promise) r = await r;
    if (r.done) {
      finished = true;
      return undefined;
    }
    return r.value;
  };
  try {
    const sample: WriteRow[] = [];
    while (sample.length < SAMPLE_ROWS) {
      const row = await next();
      if (row === undefined) break;
      sample.push(row);
    }
    const layout = layoutColumns(sheet.columns, sample);
    const totalWidth = layout.reduce((sum, l) => sum + l.width, 0);
    const anyWrap = layout.some((l) => l.wrap);
    // With a wrapped column in the sheet, rows grow taller: every cell then reads from the top.
    const aligns = layout.map((l): Align => (anyWrap ? (l.wrap ? Align.TopWrap : Align.Top) : Align.None));
    const plans = sheet.columns.map((col, i) => cellPlan(i, col, aligns[i]!));
    const cols = sheet.columns.length
      ? `<cols>${sheet.columns.map((col, i) => {
        const style = styleIndex(columnFmt(col), aligns[i]!, false);
        return `<col min="${i + 1}" max="${i + 1}" width="${layout[i]!.width}"${style ? ` style="${style}"` : ''} customWidth="1"/>`;
      }).join('')}</cols>`
      : '';
    const entry = await ctx.zip.begin(`xl/worksheets/sheet${sheetNumber}.xml`);
    const w = new SheetWriter(entry, name, plans, sheetNumber, ctx.level, ctx.shapes);
    try {
      // Printed (or drawn to an image) in landscape; a narrow sheet fits one page wide, a wide
      // one keeps its size rather than shrinking to unreadable.
      const fitToPage = totalWidth <= FIT_TO_PAGE_WIDTH;
      await w.put(sheetHead({ fitToPage, frozenRow: sheet.freezeHeader === false ? null : headerRow, cols }));

      // Readers do not all grow a row to fit wrapped text on opening (LibreOffice keeps the
      // default height), so a row whose wrapped text takes several lines says how tall it is.
      const wrapChars = layout.map((l) => (l.wrap ? Math.max(1, Math.floor(l.width) - WIDTH_PADDING) : 0));
      const heightOf = (cells: readonly CellValue[]): number => {
        if (!anyWrap) return 0;
        let lines = 1;
        for (let i = 0; i < cells.length && i < wrapChars.length; i++) {
          const v = cells[i];
          if (wrapChars[i]! > 0 && typeof v === 'string' && v.length > 0) lines = Math.max(lines, wrappedLines(v, wrapChars[i]!));
        }
        return lines > 1 ? Math.min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT) : 0;
      };
      const put = (row: WriteRow) => {
        const cells = cellsOf(row);
        return w.row(cells, Array.isArray(row) ? undefined : row.flags, true, heightOf(cells));
      };

      for (const p of preamble) await w.row(p, undefined, false, 0);
      const headerLines = Math.max(1, ...sheet.columns.map((col, i) => wrappedLines(col.label, Math.max(1, Math.floor(layout[i]!.width) - WIDTH_PADDING))));
      await w.header(sheet.columns.map((c) => c.label), headerLines * LINE_HEIGHT);
      for (const row of sample) await put(row);
      sample.length = 0;
      for (;;) {
        let r = puller.next();
        if (r instanceof Promise) r = await r;
        if (r.done) {
          finished = true;
          break;
        }
        const p = put(r.value);
        if (p) await p;
      }

      const n = sheet.columns.length;
      let tail = '</sheetData>';
      if (sheet.autoFilter !== false && n > 0) tail += `<autoFilter ref="A${headerRow}:${columnLetter(n)}${headerRow}"/>`;
      if (validations.length) {
        tail += `<dataValidations count="${validations.length}">${validations.map((v) => {
          const letter = columnLetter(v.column);
          return dataValidation(`${letter}${headerRow + 1}:${letter}${MAX_ROWS}`, v.formula);
        }).join('')}</dataValidations>`;
      }
      tail += PAGE_MARGINS;
      tail += fitToPage ? '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>' : '<pageSetup orientation="landscape"/>';
      if (w.comments.any) tail += LEGACY_DRAWING;
      await w.put(`${tail}</worksheet>`);
      await w.flush();
      await entry.end();
      await w.comments.addTo(ctx.zip);
      return w.comments.any;
    } finally {
      w.comments.destroy();
    }
  } finally {
    // a source left part-read (a failure here) is closed: a database cursor is released
    if (!finished) await puller.return?.();
  }
}

/** The hidden sheet holding the drop-down lists too long to write inline, one list a column. */
async function writeListsSheet(zip: ZipWriter, sheetNumber: number, lists: readonly (readonly string[])[]): Promise<void> {
  const entry = await zip.begin(`xl/worksheets/sheet${sheetNumber}.xml`);
  let xml = `${WORKSHEET_OPEN}<sheetData>`;
  const height = Math.max(...lists.map((l) => l.length));
  const letters = lists.map((_, c) => columnLetter(c + 1));
  for (let r = 0; r < height; r++) {
    xml += `<row r="${r + 1}">`;
    lists.forEach((l, c) => {
      const v = l[r];
      if (v !== undefined && v !== '') xml += `<c r="${letters[c]}${r + 1}" t="inlineStr"><is>${tElement(v)}</is></c>`;
    });
    xml += '</row>';
  }
  await entry.write(`${xml}</sheetData></worksheet>`);
  await entry.end();
}

async function writeSheets(zip: ZipWriter, sheets: readonly WriteSheet[], created: Date, level: number): Promise<void> {
  const taken = new Set<string>([LISTS_SHEET.toLowerCase()]);
  const long: (readonly string[])[] = [];
  const listRefs: ListRef[] = [];
  sheets.forEach((sheet, si) =>
    sheet.columns.forEach((col, ci) => {
      if (!col.list || col.list.length === 0) return;
      const inline = inlineList(col.list);
      if (inline) listRefs.push({ sheetIndex: si, column: ci + 1, formula: inline });
      else {
        long.push(col.list);
        const letter = columnLetter(long.length);
        listRefs.push({ sheetIndex: si, column: ci + 1, formula: `${LISTS_SHEET}!$${letter}$1:$${letter}$${col.list.length}` });
      }
    }),
  );
  const names = sheets.map((s) => sanitiseSheetName(s.name, taken));
  const all = [...names.map((name) => ({ name, hidden: false })), ...(long.length ? [{ name: LISTS_SHEET, hidden: true }] : [])];

  // Everything known before the rows stream goes first, so a reader that takes the parts in
  // order (exceljs's streaming reader) has the workbook and styles before the sheets.
  await zip.add('_rels/.rels', ROOT_RELS);
  await zip.add('docProps/core.xml', coreProperties('calaim-exchange', created));
  await zip.add('xl/workbook.xml', workbook(all));
  await zip.add('xl/_rels/workbook.xml.rels', workbookRels(all.length));
  await zip.add('xl/styles.xml', styles());

  const withComments: number[] = [];
  const ctx: Context = { zip, level, shapes: { next: 1025 } };
  for (const [si, sheet] of sheets.entries()) {
    if (await writeSheet(ctx, si + 1, names[si]!, sheet, listRefs.filter((r) => r.sheetIndex === si))) withComments.push(si + 1);
  }
  if (long.length) await writeListsSheet(zip, sheets.length + 1, long);
  // Which sheets have comments is known only now: the content types come last.
  await zip.add('[Content_Types].xml', contentTypes(all.length, withComments));
  await zip.finish();
}

/**
 * Workbook properties; `created` is the caller's clock, and only a caller with none (a test, a
 * tool) leaves it to the system clock's now (it is in the file, so two writes of the same sheets differ by it).
 */
export interface WorkbookMeta {
  created?: Date | undefined;
  /** Deflate level 1-9 (default DEFLATE_LEVEL): for measuring the choice, not for callers. */
  deflateLevel?: number;
}

async function writeTo(sink: ZipSink, sheets: readonly WriteSheet[], meta: WorkbookMeta): Promise<void> {
  const created = meta.created ?? systemClock();
  const level = meta.deflateLevel ?? DEFLATE_LEVEL;
  const zip = new ZipWriter(sink, level, created);
  try {
    await writeSheets(zip, sheets, created, level);
  } catch (e) {
    zip.abort();
    throw e;
  }
}

/** A sink over a writable stream: waits for 'drain' when the stream asks, fails with the stream. */
function streamSink(out: NodeJS.WritableStream): { sink: ZipSink; failed: () => Error | undefined } {
  let failure: Error | undefined;
  out.on('error', (e: Error) => (failure = e));
  const sink: ZipSink = (chunk) => {
    // a promise, never a throw: the sink is called from zlib's 'data' events too
    if (failure) return Promise.reject(failure);
    if (out.write(chunk)) return undefined;
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        out.removeListener('error', fail);
        resolve();
      };
      const fail = (e: Error) => {
        out.removeListener('drain', done);
        reject(e);
      };
      out.once('drain', done);
      out.once('error', fail);
    });
  };
  return { sink, failed: () => failure };
}

function endStream(out: NodeJS.WritableStream): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}

/**
 * Writes the sheets, in order, to a file path or a writable stream. For a path, the workbook is
 * written beside it under a name of its own and renamed onto the path once whole: a file
 * already there (yesterday's report, or a path that was never ours) stays as it was until then,
 * and a failure removes only what this write made. For a stream, the caller owns it (it is
 * ended on success).
 */
export async function writeWorkbook(target: string | NodeJS.WritableStream, sheets: readonly WriteSheet[], meta: WorkbookMeta = {}): Promise<void> {
  if (typeof target !== 'string') {
    await writeTo(streamSink(target).sink, sheets, meta);
    await endStream(target);
    return;
  }
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.partial`);
  const out = fs.createWriteStream(partial, { flags: 'wx' });
  const opened = new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', reject);
  });
  try {
    await opened;
    await writeTo(streamSink(out).sink, sheets, meta);
    await new Promise<void>((resolve, reject) => {
      out.once('close', () => resolve());
      out.once('error', reject);
      out.end();
    });
    await fs.promises.rename(partial, target);
  } catch (e) {
    out.destroy();
    await fs.promises.rm(partial, { force: true });
    throw e;
  }
}

/** The workbook as bytes (the whole file is in memory: use writeWorkbook for large outputs). */
export async function writeWorkbookToBuffer(sheets: readonly WriteSheet[], meta: WorkbookMeta = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await writeTo((c) => {
    chunks.push(c);
  }, sheets, meta);
  return Buffer.concat(chunks);
}

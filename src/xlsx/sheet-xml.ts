// The worksheet part's XML, scanned for rows and cells only (xml-scan.ts reads the markup). A
// worksheet is by far the largest part of a provider file (100k rows ≈ 4M cells): the scanner
// keeps only what a row needs (row `r`; cell `r`, `t`, `s`; the text of `<v>` and of
// `<is><t>`), reads shared-string indexes and whole numbers straight from their digits, and is
// several times faster than a general SAX parser. Scanning stops at </sheetData>; what follows
// (merge cells, drawings) is never read, only the part's last bytes looked at (`end`: a part
// cut short after its rows is damaged too).
import { FORMULA_NO_RESULT, type CellValue } from './types.js';
import { El, isSpace, textOf, utf8, XmlPartScanner } from './xml-scan.js';

export { MalformedXmlError, decodeEntities } from './xml-scan.js';

export interface RawRow {
  rowNumber: number;
  cells: CellValue[];
  /** A non-blank cell lies beyond maxColumns. */
  overflow: boolean;
}

/** Turns a cell's type (`t`), style index, `<v>` text and inline-string text into a value. */
export type CellDecoder = (t: string, style: number, v: string | null, inline: string | null) => CellValue;

/**
 * Shortcuts for the two commonest cells, read without making a string: a shared-string cell
 * whose `<v>` is plain digits, and a number cell (no `t`, or `t="n"`) whose `<v>` is 1-15
 * plain digits. Each must give what the decoder gives for the same cell.
 */
export interface FastCells {
  shared?: (index: number, style: number) => CellValue;
  number?: (value: number, style: number) => CellValue;
}

const enum Capture { None, V, T }

/** 1-based column number of the cell reference in `s[from, to)` (`AB12` → 28); 0 when malformed. */
function columnAt(s: string, from: number, to: number): number {
  let col = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) col = col * 26 + (c - 64);
    else if (c >= 97 && c <= 122) col = col * 26 + (c - 96);
    else break;
    if (col > 20_000) return col;
  }
  return col;
}

/** The integer the digits at the start of `s[from, to)` spell (as parseInt would), NaN when none. */
function leadingInt(s: string, from: number, to: number): number {
  let i = from;
  while (i < to && isSpace(s.charCodeAt(i))) i++;
  let n = 0;
  const start = i;
  for (; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return i === start ? Number.NaN : n;
}

/** The value of `s[from, to)` when it is 1-15 plain digits (exact in a double), else -1. */
function digitsOnly(s: string, from: number, to: number): number {
  if (to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

/** A cell's `t`, interned for the common types (no string made per cell). */
function cellType(s: string, from: number, to: number): string {
  const len = to - from;
  if (len === 1) {
    switch (s.charCodeAt(from)) {
      case 115: return 's';
      case 110: return 'n';
      case 98: return 'b';
      case 101: return 'e';
      case 100: return 'd';
    }
  } else if (len === 3 && s.startsWith('str', from)) return 'str';
  else if (len === 9 && s.startsWith('inlineStr', from)) return 'inlineStr';
  return utf8(s.slice(from, to));
}

/**
 * Give `scan` the worksheet part's bytes in chunks (split anywhere); it returns the rows each
 * chunk completes, in file order. Cells beyond maxColumns are never stored. Then `end`: rows
 * read from a part cut short are not all of its rows.
 */
export class SheetXmlScanner extends XmlPartScanner {
  private inSheetData = false;
  private row: RawRow | null = null;
  private lastRow = 0;
  private lastCol = 0;
  private inCell = false;
  private col = 0;
  private t = 'n';
  private style = 0;
  private v: string | null = null;
  private inline: string | null = null;
  private capture = Capture.None;
  private inIs = false;
  private inPhonetic = 0;
  /** The cell holds a formula (`<f>`): with no result saved, it is FORMULA_NO_RESULT, not blank. */
  private formula = false;
  // attributes of the tag being opened (only those the state machine reads), parsed in place:
  // a 100k-row sheet has ~4M cells, and three string slices per cell were most of the garbage
  private aR: number | undefined; // row: its number; c: its 1-based column (0 when malformed)
  private aT: string | undefined;
  private aS: number | undefined;
  /** The `<v>` of a shared-string or number cell read straight from its digits (-1: not read that way), and how many digits. */
  private digits = -1;
  private digitCount = 0;
  private readonly shared: FastCells['shared'];
  private readonly number: FastCells['number'];
  private out: RawRow[] = [];

  /**
   * @param decode turns a cell into its value
   * @param fast shortcuts for shared-string and number cells whose `<v>` is plain digits (the
   *   common cases, read without making a string); other cells go through `decode`
   */
  constructor(
    private readonly decode: CellDecoder,
    private readonly maxColumns: number,
    fast: FastCells = {},
  ) {
    super();
    this.shared = fast.shared;
    this.number = fast.number;
  }

  /** Scans the next chunk of bytes; returns the rows it completed. */
  scan(bytes: Uint8Array): RawRow[] {
    const out: RawRow[] = [];
    this.out = out;
    this.feedBytes(bytes);
    return out;
  }

  protected override beginTag(el: El): boolean {
    this.aR = this.aT = this.aS = undefined;
    return el === El.C || el === El.Row;
  }

  /** Sets r, t or s of the tag being opened from `str[from, to)`. */
  protected override attribute(name: number, el: El, str: string, from: number, to: number): void {
    if (name === 114 /* r */) this.aR = el === El.Row ? leadingInt(str, from, to) : columnAt(str, from, to);
    else if (name === 115 /* s */) this.aS = leadingInt(str, from, to);
    else if (name === 116 /* t */) this.aT = cellType(str, from, to);
  }

  /**
   * The commonest cell, `<c …><v>123</v></c>` with a shared-string index or a whole number,
   * read in one go: what the tags would do one by one (open v, its digits, close v, close c).
   */
  protected override shortcut(el: El, qname: string, s: string, i: number): number {
    if (el !== El.C || qname !== 'c' || !this.inCell) return -1;
    if (!(this.t === 's' ? this.shared : this.t === 'n' && this.number)) return -1;
    if (s.charCodeAt(i) !== 60 /* < */ || s.charCodeAt(i + 1) !== 118 /* v */ || s.charCodeAt(i + 2) !== 62 /* > */) return -1;
    const from = i + 3;
    let j = from;
    let value = 0;
    for (; j < s.length && j - from <= 15; j++) {
      const c = s.charCodeAt(j);
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
    }
    if (j === from || j - from > 15 || !s.startsWith('</v></c>', j)) return -1;
    this.digits = value;
    this.digitCount = j - from;
    this.endCell();
    return j + 8;
  }

  protected override rawText(s: string, from: number, to: number): void {
    let digits: number;
    // A shared-string index or a whole number, read from its digits: no string made (most cells of a file).
    if (this.capture === Capture.V && this.v === '' && this.digits < 0 && (this.t === 's' ? this.shared : this.t === 'n' && this.number) && (digits = digitsOnly(s, from, to)) >= 0) {
      this.digits = digits;
      this.digitCount = to - from;
    } else this.text(textOf(s.slice(from, to)));
  }

  protected text(t: string): void {
    if (this.capture === Capture.V && this.digits >= 0) {
      // more text after the digits (a comment split them): back to the general path, with the digits as written
      this.v = String(this.digits).padStart(this.digitCount, '0');
      this.digits = -1;
    }
    if (this.capture === Capture.V) this.v = (this.v ?? '') + t;
    else if (this.capture === Capture.T) this.inline = (this.inline ?? '') + t;
  }

  private setCapture(c: Capture): void {
    this.capture = c;
    this.capturing = c !== Capture.None;
  }

  protected opened(el: El, selfClosing: boolean): void {
    switch (el) {
      case El.SheetData:
        this.inSheetData = !selfClosing;
        if (selfClosing) this.done = true;
        break;
      case El.Row: {
        if (!this.inSheetData) break;
        const r = this.aR;
        this.row = { rowNumber: r !== undefined && Number.isFinite(r) && r > 0 ? r : this.lastRow + 1, cells: [], overflow: false };
        this.lastCol = 0;
        if (selfClosing) this.endRow();
        break;
      }
      case El.C: {
        if (!this.row) break;
        this.inCell = true;
        let col = this.aR ?? 0;
        if (col <= 0) col = this.lastCol + 1;
        this.col = col;
        this.t = this.aT ?? 'n';
        const st = this.aS ?? 0;
        this.style = Number.isFinite(st) ? st : 0;
        this.v = null;
        this.digits = -1;
        this.inline = null;
        this.inIs = false;
        this.inPhonetic = 0;
        this.formula = false;
        if (selfClosing) this.endCell();
        break;
      }
      case El.V:
        if (this.inCell && !selfClosing) {
          this.setCapture(Capture.V);
          this.v = this.v ?? '';
        }
        break;
      case El.Is:
        if (this.inCell) {
          this.inIs = !selfClosing;
          this.inline = '';
        }
        break;
      case El.RPh:
        if (this.inIs && !selfClosing) this.inPhonetic++;
        break;
      case El.F:
        if (this.inCell) this.formula = true;
        break;
      case El.T:
        if (this.inIs && this.inPhonetic === 0 && !selfClosing) this.setCapture(Capture.T);
        break;
      default:
        break;
    }
  }

  protected closed(el: El): void {
    switch (el) {
      case El.V:
      case El.T:
        this.setCapture(Capture.None);
        break;
      case El.RPh:
        if (this.inPhonetic > 0) this.inPhonetic--;
        break;
      case El.Is:
        this.inIs = false;
        break;
      case El.C:
        this.endCell();
        break;
      case El.Row:
        this.endRow();
        break;
      case El.SheetData:
        this.inSheetData = false;
        this.done = true;
        break;
      default:
        break;
    }
  }

  private endCell(): void {
    if (this.row && this.inCell) {
      let value =
        this.digits < 0 ? this.decode(this.t, this.style, this.v, this.inline)
        : this.t === 's' ? this.shared!(this.digits, this.style)
        : this.number!(this.digits, this.style);
      // (Excel saves a formula's empty-text result as t="str" with an empty <v>: that cell is blank)
      if (value === null && this.formula && this.t !== 'str') value = FORMULA_NO_RESULT;
      if (value !== null) {
        if (this.col > this.maxColumns) this.row.overflow = true;
        else this.row.cells[this.col - 1] = value;
      }
      this.lastCol = this.col;
    }
    this.inCell = false;
    this.setCapture(Capture.None);
  }

  private endRow(): void {
    const row = this.row;
    if (!row) return;
    const cells = row.cells;
    for (let i = 0; i < cells.length; i++) if (cells[i] === undefined) cells[i] = null;
    this.out.push(row);
    this.lastRow = row.rowNumber;
    this.row = null;
  }
}

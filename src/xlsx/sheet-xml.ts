// The worksheet part's XML, scanned for rows and cells only. A worksheet is by far the largest
// part of a provider file (100k rows ≈ 4M cells), and a general SAX parser spends most of its
// time building an event object and an attribute map per tag we then mostly ignore. This
// scanner reads the same XML with indexOf and slices, keeps only what a row needs (row `r`;
// cell `r`, `t`, `s`; the text of `<v>` and of `<is><t>`), and is about 3× faster than saxes.
//
// It is not a general XML parser, but it refuses what is not well-formed in the parts it reads
// (mismatched or stray end tags, attributes without quoted values, a bare `&`, unknown
// entities, characters XML forbids) by throwing, which the reader turns into FILE_CORRUPT.
// DOCTYPE and entity declarations never get here: guard.ts rejects them before parsing
// (FILE_XML_ENTITIES); a `<!` other than a comment or CDATA is refused here too.
// Scanning stops at </sheetData>; what follows (merge cells, drawings) is never read.
import type { CellValue } from './types.js';

export interface RawRow {
  rowNumber: number;
  cells: CellValue[];
  /** A non-blank cell lies beyond maxColumns. */
  overflow: boolean;
}

/** Turns a cell's type (`t`), style index, `<v>` text and inline-string text into a value. */
export type CellDecoder = (t: string, style: number, v: string | null, inline: string | null) => CellValue;

export class MalformedXmlError extends Error {
  constructor(what: string) {
    super(`worksheet XML is not well-formed: ${what}`);
    this.name = 'MalformedXmlError';
  }
}

// Characters XML 1.0 does not allow, raw (tab, LF and CR are allowed).
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9A-Fa-f]+));|&/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function allowedCodePoint(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(ENTITY, (_m, named: string | undefined, dec: string | undefined, hex: string | undefined) => {
    if (named) return NAMED[named]!;
    if (dec !== undefined || hex !== undefined) {
      const cp = dec !== undefined ? parseInt(dec, 10) : parseInt(hex!, 16);
      if (!allowedCodePoint(cp)) throw new MalformedXmlError('a character reference to a character XML does not allow');
      return String.fromCodePoint(cp);
    }
    throw new MalformedXmlError('a bare "&" or an unknown entity');
  });
}

/** XML end-of-line handling: CR LF and a lone CR read as LF (a CR written as &#13; stays). */
const normaliseEol = (s: string) => (s.indexOf('\r') < 0 ? s : s.replace(/\r\n?/g, '\n'));

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

const enum Capture { None, V, T }

/** Elements the row state machine reacts to, by local name. */
const enum El { Other, SheetData, Row, C, V, Is, T, RPh }
function elementOf(qname: string): El {
  const colon = qname.indexOf(':');
  const local = colon < 0 ? qname : qname.slice(colon + 1);
  switch (local) {
    case 'c': return El.C;
    case 'v': return El.V;
    case 'row': return El.Row;
    case 't': return El.T;
    case 'is': return El.Is;
    case 'rPh': return El.RPh;
    case 'sheetData': return El.SheetData;
    default: return El.Other;
  }
}

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

/** The value of `s[from, to)` when it is 1-9 plain digits, else -1. */
function digitsOnly(s: string, from: number, to: number): number {
  if (to - from > 9) return -1;
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
  return s.slice(from, to);
}

/**
 * Give `scan` the worksheet part's text in chunks (split anywhere, multi-byte characters whole);
 * it returns the rows each chunk completes, in file order. Cells beyond maxColumns are never stored.
 */
export class SheetXmlScanner {
  /** True once </sheetData> was read: the caller stops feeding. */
  done = false;
  private rest = '';
  /** Open elements, innermost last: their names (for the end-tag check) and what they are. */
  private readonly stack: string[] = [];
  private readonly elements: El[] = [];
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
  // attributes of the tag being opened (only those the state machine reads), parsed in place:
  // a 100k-row sheet has ~4M cells, and three string slices per cell were most of the garbage
  private aR: number | undefined; // row: its number; c: its 1-based column (0 when malformed)
  private aT: string | undefined;
  private aS: number | undefined;
  /** The `<v>` of a shared-string cell, read straight from its digits (-1: not read that way). */
  private sharedIndex = -1;

  /**
   * @param decode turns a cell into its value
   * @param shared the value of shared string N, for cells whose `<v>` is plain digits (the
   *   common case, read without making a string); others go through `decode`
   */
  constructor(
    private readonly decode: CellDecoder,
    private readonly maxColumns: number,
    private readonly shared?: (index: number) => CellValue,
  ) {}

  private out: RawRow[] = [];

  /** Scans the next chunk; returns the rows it completed. */
  scan(chunk: string): RawRow[] {
    const out: RawRow[] = [];
    if (this.done) return out;
    this.out = out;
    this.feed(chunk);
    return out;
  }

  private feed(chunk: string): void {
    if (FORBIDDEN_CHAR.test(chunk)) throw new MalformedXmlError('a control character XML does not allow');
    const s = this.rest.length ? this.rest + chunk : chunk;
    this.rest = '';
    const n = s.length;
    let i = 0;
    while (i < n) {
      const lt = s.indexOf('<', i);
      if (lt < 0) {
        // Text up to the end of the chunk: kept whole until its end tag arrives (so an entity
        // is never split); text outside a value is dropped.
        if (this.capture !== Capture.None) this.rest = s.slice(i);
        return;
      }
      if (lt > i && this.capture !== Capture.None) {
        let index: number;
        // A shared-string cell's index, read from its digits: no string made (most cells of an Excel file).
        if (this.capture === Capture.V && this.t === 's' && this.v === '' && this.sharedIndex < 0 && this.shared && (index = digitsOnly(s, i, lt)) >= 0) this.sharedIndex = index;
        else this.text(decodeEntities(normaliseEol(s.slice(i, lt))));
      }
      if (lt + 1 >= n) return this.keep(s, lt);
      const c1 = s.charCodeAt(lt + 1);
      if (c1 === 47 /* / */) {
        const gt = s.indexOf('>', lt + 2);
        if (gt < 0) return this.keep(s, lt);
        let end = gt;
        while (end > lt + 2 && isSpace(s.charCodeAt(end - 1))) end--;
        this.close(s, lt + 2, end);
        i = gt + 1;
        if (this.done) return;
        continue;
      }
      if (c1 === 33 /* ! */) {
        if (s.startsWith('<!--', lt)) {
          const end = s.indexOf('-->', lt + 4);
          if (end < 0) return this.keep(s, lt);
          i = end + 3;
          continue;
        }
        if (s.startsWith('<![CDATA[', lt)) {
          const end = s.indexOf(']]>', lt + 9);
          if (end < 0) return this.keep(s, lt);
          if (this.capture !== Capture.None) this.text(normaliseEol(s.slice(lt + 9, end)));
          i = end + 3;
          continue;
        }
        if (n - lt < 9) return this.keep(s, lt); // a comment or CDATA start split across chunks
        throw new MalformedXmlError('a markup declaration inside the worksheet');
      }
      if (c1 === 63 /* ? */) {
        const end = s.indexOf('?>', lt + 2);
        if (end < 0) return this.keep(s, lt);
        i = end + 2;
        continue;
      }
      const next = this.openTag(s, lt);
      if (next < 0) return this.keep(s, lt);
      i = next;
    }
  }

  private keep(s: string, from: number): void {
    this.rest = s.slice(from);
  }

  /** Parses the start tag at `lt`; returns the index after it, or -1 when the chunk ends inside it. */
  private openTag(s: string, lt: number): number {
    const n = s.length;
    let k = lt + 1;
    while (k < n) {
      const c = s.charCodeAt(k);
      if (isSpace(c) || c === 47 || c === 62) break;
      k++;
    }
    if (k >= n) return -1;
    if (k === lt + 1) throw new MalformedXmlError('a "<" that starts no tag');
    const qname = k - lt === 4 && s.startsWith('row', lt + 1) ? 'row' : s.slice(lt + 1, k); // (one-letter slices are V8's cached strings)
    const el = elementOf(qname);
    const wanted = el === El.C || el === El.Row;
    this.aR = this.aT = this.aS = undefined;
    let p = k;
    for (;;) {
      while (p < n && isSpace(s.charCodeAt(p))) p++;
      if (p >= n) return -1;
      const c = s.charCodeAt(p);
      if (c === 62 /* > */) {
        this.open(el, qname, false);
        return p + 1;
      }
      if (c === 47 /* / */) {
        if (p + 1 >= n) return -1;
        if (s.charCodeAt(p + 1) !== 62) throw new MalformedXmlError('"/" inside a tag');
        this.open(el, qname, true);
        return p + 2;
      }
      const eq = s.indexOf('=', p);
      if (eq < 0) return -1;
      let nameEnd = eq;
      while (nameEnd > p && isSpace(s.charCodeAt(nameEnd - 1))) nameEnd--;
      let q = eq + 1;
      while (q < n && isSpace(s.charCodeAt(q))) q++;
      if (q >= n) return -1;
      const quote = s.charCodeAt(q);
      if (quote !== 34 && quote !== 39) throw new MalformedXmlError('an attribute value without quotes');
      const close = s.indexOf(quote === 34 ? '"' : "'", q + 1);
      if (close < 0) return -1;
      if (wanted && nameEnd - p === 1) {
        const name = s.charCodeAt(p);
        if (name === 114 || name === 116 || name === 115) {
          let from = q + 1;
          let to = close;
          for (let x = from; x < to; x++) {
            const c = s.charCodeAt(x);
            if (c === 60 /* < */) throw new MalformedXmlError('"<" inside an attribute value');
            if (c === 38 /* & */) {
              // rare: an entity in r/t/s; decode, then read the decoded text
              const decoded = decodeEntities(s.slice(from, to));
              this.attribute(name, el, decoded, 0, decoded.length);
              from = to = -1;
              break;
            }
          }
          if (from >= 0) this.attribute(name, el, s, from, to);
        }
      }
      p = close + 1;
    }
  }

  /** Sets r, t or s of the tag being opened from `str[from, to)`. */
  private attribute(name: number, el: El, str: string, from: number, to: number): void {
    if (name === 114 /* r */) this.aR = el === El.Row ? leadingInt(str, from, to) : columnAt(str, from, to);
    else if (name === 115 /* s */) this.aS = leadingInt(str, from, to);
    else this.aT = cellType(str, from, to);
  }

  private text(t: string): void {
    if (this.capture === Capture.V && this.sharedIndex >= 0) {
      // more text after the digits (a comment split them): back to the general path
      this.v = String(this.sharedIndex);
      this.sharedIndex = -1;
    }
    if (this.capture === Capture.V) this.v = (this.v ?? '') + t;
    else if (this.capture === Capture.T) this.inline = (this.inline ?? '') + t;
  }

  private open(el: El, qname: string, selfClosing: boolean): void {
    if (!selfClosing) {
      this.stack.push(qname);
      this.elements.push(el);
    }
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
        this.sharedIndex = -1;
        this.inline = null;
        this.inIs = false;
        this.inPhonetic = 0;
        if (selfClosing) this.endCell();
        break;
      }
      case El.V:
        if (this.inCell && !selfClosing) {
          this.capture = Capture.V;
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
      case El.T:
        if (this.inIs && this.inPhonetic === 0 && !selfClosing) this.capture = Capture.T;
        break;
      default:
        break;
    }
  }

  /** The end tag whose name is `s[from, to)`: it must close the innermost open element. */
  private close(s: string, from: number, to: number): void {
    const top = this.stack.pop();
    const el = this.elements.pop();
    if (top === undefined || el === undefined || to - from !== top.length || !s.startsWith(top, from)) {
      const name = s.slice(from, to);
      throw new MalformedXmlError(top === undefined ? `a stray end tag </${name}>` : `</${name}> closes <${top}>`);
    }
    switch (el) {
      case El.V:
      case El.T:
        this.capture = Capture.None;
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
      const value = this.sharedIndex >= 0 && this.shared ? this.shared(this.sharedIndex) : this.decode(this.t, this.style, this.v, this.inline);
      if (value !== null) {
        if (this.col > this.maxColumns) this.row.overflow = true;
        else this.row.cells[this.col - 1] = value;
      }
      this.lastCol = this.col;
    }
    this.inCell = false;
    this.capture = Capture.None;
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

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

/** 1-based column number of a cell reference (`AB12` → 28); 0 when malformed. */
function columnOf(ref: string): number {
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) col = col * 26 + (c - 64);
    else if (c >= 97 && c <= 122) col = col * 26 + (c - 96);
    else break;
    if (col > 20_000) return col;
  }
  return col;
}

/**
 * Give `scan` the worksheet part's text in chunks (split anywhere, multi-byte characters whole);
 * it returns the rows each chunk completes, in file order. Cells beyond maxColumns are never stored.
 */
export class SheetXmlScanner {
  /** True once </sheetData> was read: the caller stops feeding. */
  done = false;
  private rest = '';
  private readonly stack: string[] = [];
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
  // attributes of the tag being opened (only those the state machine reads)
  private aR: string | undefined;
  private aT: string | undefined;
  private aS: string | undefined;

  constructor(private readonly decode: CellDecoder, private readonly maxColumns: number) {}

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
      if (lt > i && this.capture !== Capture.None) this.text(decodeEntities(normaliseEol(s.slice(i, lt))));
      if (lt + 1 >= n) return this.keep(s, lt);
      const c1 = s.charCodeAt(lt + 1);
      if (c1 === 47 /* / */) {
        const gt = s.indexOf('>', lt + 2);
        if (gt < 0) return this.keep(s, lt);
        let end = gt;
        while (end > lt + 2 && isSpace(s.charCodeAt(end - 1))) end--;
        this.close(s.slice(lt + 2, end));
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
    const qname = s.slice(lt + 1, k);
    if (!qname.length) throw new MalformedXmlError('a "<" that starts no tag');
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
        const value = s.slice(q + 1, close);
        if (value.indexOf('<') >= 0) throw new MalformedXmlError('"<" inside an attribute value');
        if (name === 114 /* r */) this.aR = decodeEntities(value);
        else if (name === 116 /* t */) this.aT = decodeEntities(value);
        else if (name === 115 /* s */) this.aS = decodeEntities(value);
      }
      p = close + 1;
    }
  }

  private text(t: string): void {
    if (this.capture === Capture.V) this.v = (this.v ?? '') + t;
    else if (this.capture === Capture.T) this.inline = (this.inline ?? '') + t;
  }

  private open(el: El, qname: string, selfClosing: boolean): void {
    if (!selfClosing) this.stack.push(qname);
    switch (el) {
      case El.SheetData:
        this.inSheetData = !selfClosing;
        if (selfClosing) this.done = true;
        break;
      case El.Row: {
        if (!this.inSheetData) break;
        const r = parseInt(this.aR ?? '', 10);
        this.row = { rowNumber: Number.isFinite(r) && r > 0 ? r : this.lastRow + 1, cells: [], overflow: false };
        this.lastCol = 0;
        if (selfClosing) this.endRow();
        break;
      }
      case El.C: {
        if (!this.row) break;
        this.inCell = true;
        const ref = this.aR;
        let col = ref ? columnOf(ref) : this.lastCol + 1;
        if (col <= 0) col = this.lastCol + 1;
        this.col = col;
        this.t = this.aT ?? 'n';
        const st = this.aS === undefined ? 0 : parseInt(this.aS, 10);
        this.style = Number.isFinite(st) ? st : 0;
        this.v = null;
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

  private close(qname: string): void {
    const top = this.stack.pop();
    if (top !== qname) throw new MalformedXmlError(top === undefined ? `a stray end tag </${qname}>` : `</${qname}> closes <${top}>`);
    switch (elementOf(qname)) {
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
      const value = this.decode(this.t, this.style, this.v, this.inline);
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

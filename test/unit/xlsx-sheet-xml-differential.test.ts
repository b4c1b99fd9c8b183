// The worksheet scanner against a general XML parser (saxes, through exceljs's SAX layer) on
// every worksheet of every fixture workbook: Excel, LibreOffice, openpyxl, hand-built and the
// hostile ones that are still zip files. Same rows, same cells, same raw values; and where the
// XML is not well-formed, or the part was cut short, both refuse it. The scanner reads the part's bytes as the reader does
// (partBytes: our own inflate), the reference yauzl's stream of it decoded as UTF-8 text. Then
// again with the reader's own cell decoding, where the scanner takes its shortcuts (shared
// strings and whole numbers read from their digits) and the reference decodes every cell.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { localName, saxEvents } from '../../src/xlsx/sax.js';
import { SaxesParser } from 'saxes';
import { SharedStringsScanner } from '../../src/xlsx/shared-strings-xml.js';
import { SheetXmlScanner, type FastCells, type RawRow } from '../../src/xlsx/sheet-xml.js';
import { cellDecoders, type CellContext } from '../../src/xlsx/reader.js';
import { FORMULA_NO_RESULT, type CellValue } from '../../src/xlsx/types.js';
import { listParts, openPartStream, openZip, partBytes, partText } from '../../src/xlsx/zip.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
// zip bombs and non-zip files are the guard's business, not the scanner's
const SKIP = new Set(['bomb-declared-4gb.xlsx', 'bomb-deflated-whitespace.xlsx', 'csv-renamed.xlsx', 'empty-0-bytes.xlsx', 'encrypted-workbook.xlsx', 'legacy-biff8.xls']);

function workbooks(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...workbooks(p));
    else if (/\.xls[xm]?$/i.test(e.name) && !SKIP.has(e.name)) out.push(p);
  }
  return out.sort();
}

type Decode = (t: string, style: number, v: string | null, inline: string | null) => CellValue;
const SHEET_PART = /^xl\/worksheets\/[^/]+\.xml$/i;
const STRINGS_PART = /sharedStrings[^/]*\.xml$/i;
type Opened = Awaited<ReturnType<typeof openZip>>;
type Part = Awaited<ReturnType<typeof listParts>>[number];

/** `each` for every part of fixture `file` whose name `match`es (a file that is not a zip has none). */
async function eachPart(file: string, match: RegExp, each: (opened: Opened, part: Part) => Promise<void>): Promise<void> {
  const opened = await openZip(fs.readFileSync(file)).catch(() => null);
  if (!opened) return; // not a zip: nothing for either parser
  try {
    for (const part of (await listParts(opened, 10_000)).filter((p) => match.test(p.name))) await each(opened, part);
  } finally {
    opened.close();
  }
}

const raw: Decode = (t, style, v, inline) => `${t}|${style}|${v ?? '∅'}|${inline ?? '∅'}`;

// A made-up workbook context that gives every kind of value: shared strings (some blank),
// and styles that show a date, a duration or neither.
const CTX: CellContext = {
  sharedValues: Array.from({ length: 300_000 }, (_, i) => (i % 7 === 3 ? null : `shared ${i}`)),
  styleKinds: Array.from({ length: 64 }, (_, i) => [null, 'date', 'time'][i % 3] as 'date' | 'time' | null),
  date1904: false,
};

// The reference keeps its own copy of the reader's old helpers: sharing the scanner's would
// let a bug in them pass unnoticed on both sides.
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

/** The reader's previous worksheet state machine, driven by saxes events: the reference. */
async function reference(text: AsyncIterable<string>, maxColumns: number, decode: Decode): Promise<RawRow[]> {
  const rows: RawRow[] = [];
  let inSheetData = false;
  let row: RawRow | null = null;
  let lastRow = 0, lastCol = 0, inCell = false, col = 0, t = 'n', style = 0, inIs = false, inPhonetic = 0, formula = false;
  let v: string | null = null, inline: string | null = null, capture: 'v' | 't' | null = null;
  for await (const batch of saxEvents(text)) {
    for (const ev of batch) {
      if (ev.eventType === 'text') {
        if (capture === 'v') v = (v ?? '') + ev.value;
        else if (capture === 't') inline = (inline ?? '') + ev.value;
        continue;
      }
      const name = localName(ev.value.name);
      const a = ev.value.attributes;
      if (ev.eventType === 'opentag') {
        if (name === 'sheetData') inSheetData = true;
        else if (name === 'row' && inSheetData) {
          const r = parseInt(a.r ?? '', 10);
          row = { rowNumber: Number.isFinite(r) && r > 0 ? r : lastRow + 1, cells: [], overflow: false };
          lastCol = 0;
        } else if (name === 'c' && row) {
          inCell = true;
          col = a.r ? columnOf(a.r) : lastCol + 1;
          if (col <= 0) col = lastCol + 1;
          t = a.t ?? 'n';
          const s = parseInt(a.s ?? '0', 10);
          style = Number.isFinite(s) ? s : 0;
          v = inline = null;
          inIs = false;
          inPhonetic = 0;
          formula = false;
        } else if (name === 'f' && inCell) formula = true;
        else if (name === 'v' && inCell && !ev.value.isSelfClosing) {
          capture = 'v';
          v = v ?? '';
        } else if (name === 'is' && inCell) {
          inIs = true;
          inline = '';
        } else if (name === 'rPh' && inIs) inPhonetic++;
        else if (name === 't' && inIs && inPhonetic === 0 && !ev.value.isSelfClosing) capture = 't';
      } else if (name === 'v' || name === 't') capture = null;
      else if (name === 'rPh') inPhonetic = Math.max(0, inPhonetic - 1);
      else if (name === 'is') inIs = false;
      else if (name === 'c') {
        if (row && inCell) {
          let value = decode(t, style, v, inline);
          // a formula with no saved result is not blank (an empty text result, t="str", is)
          if (value === null && formula && t !== 'str') value = FORMULA_NO_RESULT;
          // a blank value neither fills its column nor overflows (the reader's rule)
          if (value !== null) {
            if (col > maxColumns) row.overflow = true;
            else row.cells[col - 1] = value;
          }
          lastCol = col;
        }
        inCell = false;
        capture = null;
      } else if (name === 'row' && row) {
        for (let i = 0; i < row.cells.length; i++) if (row.cells[i] === undefined) row.cells[i] = null;
        rows.push(row);
        lastRow = row.rowNumber;
        row = null;
      } else if (name === 'sheetData') return rows;
    }
  }
  return rows;
}

async function scanned(bytes: AsyncIterable<Buffer>, maxColumns: number, decoders: { decode: Decode } & FastCells): Promise<RawRow[]> {
  const { decode, ...fast } = decoders;
  const scanner = new SheetXmlScanner(decode, maxColumns, fast);
  const rows: RawRow[] = [];
  // as the reader does: to the part's end, which must be whole (the reference stops at
  // </sheetData>, so a cut after it is compared in test/unit/truncated-part.test.ts instead)
  for await (const chunk of bytes) rows.push(...scanner.scan(chunk));
  scanner.end();
  return rows;
}

async function outcome<T>(read: () => Promise<T[]>): Promise<{ rows?: T[]; refused?: true }> {
  try {
    return { rows: await read() };
  } catch {
    return { refused: true };
  }
}

let compared = { rows: 0, refused: 0, decoded: 0 };

describe('the worksheet scanner and a general XML parser read every fixture alike', () => {
  const files = workbooks(FIXTURES);
  it('has fixtures to compare', () => expect(files.length).toBeGreaterThan(20));

  it.each(files.map((f) => [path.relative(FIXTURES, f), f]))('%s', (_name, file) =>
    eachPart(file, SHEET_PART, async (opened, part) => {
      // maxColumns as the product uses it for the wide fixtures (columns-5000: an overflow)
      const ref = await outcome(async () => reference(partText(await openPartStream(opened, part)), 200, raw));
      const ours = await outcome(async () => scanned(partBytes(opened, part), 200, { decode: raw }));
      expect(ours, part.name).toEqual(ref);
      const refValues = await outcome(async () => reference(partText(await openPartStream(opened, part)), 200, cellDecoders(CTX).decode));
      const ourValues = await outcome(async () => scanned(partBytes(opened, part), 200, cellDecoders(CTX)));
      expect(ourValues, `${part.name}, values`).toEqual(refValues);
      compared = {
        rows: compared.rows + (ref.rows?.length ?? 0),
        refused: compared.refused + (ref.refused ? 1 : 0),
        decoded: compared.decoded + (refValues.rows?.flatMap((r) => r.cells).filter((c) => c !== null).length ?? 0),
      };
    }));

  it('compared real rows, and refusals too (the test is not vacuous)', () => {
    expect(compared.rows).toBeGreaterThan(200);
    expect(compared.decoded).toBeGreaterThan(1000);
    expect(compared.refused).toBeGreaterThanOrEqual(1); // the raw NUL and the DOCTYPE worksheets
  });
});

/**
 * The reader's previous shared-string reading, over saxes: the reference. CDATA is text (the
 * previous reader listened for text events only and dropped it; no writer we know uses it).
 */
async function referenceStrings(text: AsyncIterable<string>): Promise<string[]> {
  const table: string[] = [];
  let current: string | null = null;
  let inT = false;
  let inPhonetic = 0;
  let error: Error | undefined;
  const parser = new SaxesParser();
  parser.on('error', (e) => (error ??= e));
  const onText = (t: string) => {
    if (inT && current !== null) current += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('opentag', (tag) => {
    const n = localName(tag.name);
    if (n === 'si') current = '';
    else if (n === 't' && current !== null && inPhonetic === 0) inT = !tag.isSelfClosing;
    else if (n === 'rPh') inPhonetic++;
  });
  parser.on('closetag', (tag) => {
    const n = localName(tag.name);
    if (n === 't') inT = false;
    else if (n === 'rPh') inPhonetic--;
    else if (n === 'si') {
      table.push(current ?? '');
      current = null;
    }
  });
  for await (const chunk of text) {
    parser.write(chunk);
    if (error) throw error;
  }
  parser.close();
  if (error) throw error;
  return table;
}

async function scannedStrings(bytes: AsyncIterable<Buffer>): Promise<string[]> {
  const scanner = new SharedStringsScanner();
  for await (const chunk of bytes) scanner.scan(chunk);
  scanner.end();
  return scanner.strings;
}

let comparedStrings = { strings: 0, refused: 0 };

describe('the shared-string scanner and a general XML parser read every fixture alike', () => {
  const files = workbooks(FIXTURES);

  it.each(files.map((f) => [path.relative(FIXTURES, f), f]))('%s', (_name, file) =>
    eachPart(file, STRINGS_PART, async (opened, part) => {
      const ref = await outcome(async () => referenceStrings(partText(await openPartStream(opened, part))));
      const ours = await outcome(async () => scannedStrings(partBytes(opened, part)));
      expect(ours, part.name).toEqual(ref);
      comparedStrings = { strings: comparedStrings.strings + (ref.rows?.length ?? 0), refused: comparedStrings.refused + (ref.refused ? 1 : 0) };
    }));

  it('compared real strings (the test is not vacuous)', () => {
    expect(comparedStrings.strings).toBeGreaterThan(500);
  });

  it('reads rich text, phonetic guides, entities, CDATA, line ends and characters split across chunks alike', async () => {
    const xml = Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?>\r\n<sst xmlns="x" count="5"><si><t>Mu&#241;oz &amp; Jos\u00e9</t></si><si/>' +
        '<si><r><rPr><b/></rPr><t xml:space="preserve">a\r\nb </t></r><r><t>c\rd&#13;</t></r><rPh sb="0" eb="1"><t>\u3075\u308a</t></rPh><phoneticPr fontId="1"/></si>' +
        '<x:si><x:t>prefixed \u{1F600}</x:t></x:si><si><t><![CDATA[<cdata> & ]]>tail</t></si><si><t/></si></sst>',
      'utf8',
    );
    const expected = ['Muñoz & José', '', 'a\nb c\nd\r', 'prefixed 😀', '<cdata> & tail', ''];
    async function* whole() {
      yield xml.toString('utf8');
    }
    expect(await referenceStrings(whole())).toEqual(expected);
    for (let cut = 1; cut < xml.length; cut++) {
      const scanner = new SharedStringsScanner();
      scanner.scan(xml.subarray(0, cut));
      scanner.scan(xml.subarray(cut));
      expect(scanner.strings, `split at byte ${cut}`).toEqual(expected);
    }
  });
});

/** A part's whole bytes, as the reader inflates them. */
async function wholePart(opened: Opened, part: Part): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of partBytes(opened, part)) chunks.push(c);
  return Buffer.concat(chunks);
}

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

/** `n` cut points spread over [0, bound), and each just before one of the first rows or strings. */
function cutPoints(xml: string, bound: number, element: RegExp, n = 40): number[] {
  const at = new Set<number>();
  for (let i = 0; i < n; i++) at.add(Math.floor((i * bound) / n));
  for (const m of [...xml.slice(0, bound).matchAll(element)].slice(0, 5)) at.add(m.index);
  return [...at].sort((a, b) => a - b);
}

let comparedCuts = 0;

describe('a part cut short (zipped again whole): the scanners refuse it as a general XML parser does', () => {
  const files = workbooks(FIXTURES);

  it.each(files.map((f) => [path.relative(FIXTURES, f), f]))('%s', (_name, file) =>
    eachPart(file, new RegExp(`${SHEET_PART.source}|${STRINGS_PART.source}`, 'i'), async (opened, part) => {
      const isSheet = SHEET_PART.test(part.name);
      const bytes = await wholePart(opened, part).catch(() => null);
      if (!bytes) return; // a bomb: the guard's
      const xml = bytes.toString('latin1');
      // the reference worksheet reader stops at </sheetData>: cuts after it are not compared here
      const end = isSheet ? /<\/(?:[\w.-]+:)?sheetData\s*>|<(?:[\w.-]+:)?sheetData\s*\/>/.exec(xml) : null;
      const bound = end ? end.index + end[0].length : bytes.length;
      for (const cut of cutPoints(xml, bound, isSheet ? /<(?:[\w.-]+:)?row[\s>]/g : /<(?:[\w.-]+:)?si[\s>/]/g)) {
        const prefix = bytes.subarray(0, cut);
        const ref = isSheet
          ? await outcome(async () => reference(partText(once(prefix)), 200, raw))
          : await outcome(async () => referenceStrings(partText(once(prefix))));
        const ours = isSheet ? await outcome(async () => scanned(once(prefix), 200, { decode: raw })) : await outcome(async () => scannedStrings(once(prefix)));
        expect(ref, `${part.name} cut at byte ${cut}: the reference`).toEqual({ refused: true });
        expect(ours, `${part.name} cut at byte ${cut}`).toEqual({ refused: true });
        comparedCuts++;
      }
    }));

  it('compared cuts of real parts (the test is not vacuous)', () => {
    expect(comparedCuts).toBeGreaterThan(1000);
  });
});

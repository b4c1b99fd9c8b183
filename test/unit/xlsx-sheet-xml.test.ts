import { describe, expect, it } from 'vitest';
import { MalformedXmlError, SheetXmlScanner, decodeEntities, type RawRow } from '../../src/xlsx/sheet-xml.js';
import type { CellValue } from '../../src/xlsx/types.js';

// The decoder under test is the scanner; cells come back as "t|s|v|inline" so the test sees
// exactly what the scanner extracted.
const decode = (t: string, style: number, v: string | null, inline: string | null): CellValue => `${t}|${style}|${v ?? '∅'}|${inline ?? '∅'}`;

const bytes = (s: string) => Buffer.from(s, 'utf8');

function scanAll(chunks: (string | Buffer)[], maxColumns = 50): { rows: RawRow[]; done: boolean } {
  const scanner = new SheetXmlScanner(decode, maxColumns);
  const rows: RawRow[] = [];
  for (const c of chunks) {
    rows.push(...scanner.scan(typeof c === 'string' ? bytes(c) : c));
    if (scanner.done) break;
  }
  return { rows, done: scanner.done };
}

const SHEET = [
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n',
  '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="r"><dimension ref="A1:C3"/>',
  '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" state="frozen"/></sheetView></sheetViews>',
  '<sheetData>',
  '<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c><c r="C1" s="2" t="inlineStr"><is><t>Jos&#xE9; &amp; Mu&#241;oz</t></is></c></row>',
  // attribute order, single quotes, spaces around =, a '>' inside a value, a comment, CDATA, a PI
  "<row r='2'><c t = 'n' s='7' r='B2' x14:note='a>b'><!-- note --><v>4<![CDATA[2<]]>.5</v></c><?pi data?></row>",
  // rich inline text: runs joined, phonetic guide left out; a CR LF and a lone CR read as LF, &#13; stays CR
  '<row r="3"><c r="A3" t="inlineStr"><is><r><t xml:space="preserve">a\r\nb</t></r><r><t>c\rd&#13;</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh></is></c>',
  '<c r="B3"/><c r="C3" t="e"><v>#N/A</v></c></row>',
  // a self-closing row, a row without r, a cell without r, prefixed elements
  '<row r="4"/><row><c><v>1</v></c><c><v>2</v></c></row><x:row r="9"><x:c r="A9"><x:v>z</x:v></x:c></x:row>',
  '</sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>',
].join('');

const EXPECTED: RawRow[] = [
  { rowNumber: 1, cells: ['s|0|0|∅', null, 'inlineStr|2|∅|José & Muñoz'], overflow: false },
  { rowNumber: 2, cells: [null, 'n|7|42<.5|∅'], overflow: false },
  { rowNumber: 3, cells: ['inlineStr|0|∅|a\nbc\nd\r', 'n|0|∅|∅', 'e|0|#N/A|∅'], overflow: false },
  { rowNumber: 4, cells: [], overflow: false },
  { rowNumber: 5, cells: ['n|0|1|∅', 'n|0|2|∅'], overflow: false },
  { rowNumber: 9, cells: ['n|0|z|∅'], overflow: false },
];

describe('SheetXmlScanner', () => {
  it('reads rows, cells, values, inline rich text, entities, CDATA, comments and prefixes', () => {
    const { rows, done } = scanAll([SHEET]);
    expect(rows).toEqual(EXPECTED);
    expect(done).toBe(true);
  });

  it('gives the same rows however the bytes are split into chunks, inside a character too', () => {
    const all = bytes(SHEET);
    for (let cut = 1; cut < all.length; cut++) {
      expect(scanAll([all.subarray(0, cut), all.subarray(cut)]).rows, `split at byte ${cut}`).toEqual(EXPECTED);
    }
    const singles = [...all].map((b) => Buffer.from([b]));
    expect(scanAll(singles).rows).toEqual(EXPECTED);
  });

  it('reads chunks larger than one piece of text (values straddling the pieces)', () => {
    // cells without r: each takes the next column
    const cells = Array.from({ length: 9000 }, (_, i) => `<c t="inlineStr"><is><t>Muñoz ${i} 😀</t></is></c>`);
    const xml = `<worksheet><sheetData><row r="1">${cells.join('')}</row></sheetData></worksheet>`;
    expect(bytes(xml).length).toBeGreaterThan(5 * 64 * 1024);
    const { rows: [row] } = scanAll([xml], 10_000);
    expect(row!.cells).toEqual(Array.from({ length: 9000 }, (_, i) => `inlineStr|0|∅|Muñoz ${i} 😀`));
  });

  it('reads shared-string cells from their digits, and falls back when the digits are split or odd', () => {
    const table = ['zero', 'one', 'two', 'twelve'];
    const xml = [
      '<worksheet><sheetData><row r="1">',
      '<c r="A1" t="s"><v>1</v></c>', // plain digits: the fast path
      '<c r="B1" t="s"><v>0<!-- a comment -->3</v></c>', // split by a comment: "03" → 3
      '<c r="C1" t="s"><v> 2 </v></c>', // spaces: the general path
      '<c r="D1" t="&#115;" s="&#51;"><v>2</v></c>', // entities in t and s
      '<c r="e1" t="s"><v>99</v></c>', // lower-case column letters; an index past the table
      '</row></sheetData></worksheet>',
    ].join('');
    const general: string[] = [];
    const scanner = new SheetXmlScanner((t, style, v) => {
      general.push(`${t}|${style}|${v}`);
      return t === 's' ? (table[parseInt(v ?? '', 10)] ?? null) : v;
    }, 10, { shared: (i) => table[i] ?? null });
    for (let cut = 1; cut < xml.length; cut++) {
      const fresh = new SheetXmlScanner((t, _s, v) => (t === 's' ? (table[parseInt(v ?? '', 10)] ?? null) : v), 10, { shared: (i) => table[i] ?? null });
      const rows = [...fresh.scan(bytes(xml.slice(0, cut))), ...fresh.scan(bytes(xml.slice(cut)))];
      expect(rows[0]?.cells, `split at ${cut}`).toEqual(['one', 'twelve', 'two', 'two'] /* E1: past the table, blank */);
    }
    expect(scanner.scan(bytes(xml))[0]!.cells).toEqual(['one', 'twelve', 'two', 'two'] /* E1: past the table, blank */);
    expect(general).toEqual(['s|0|03', 's|0| 2 ']);
  });

  it('stops at </sheetData>: what follows is never read, even if broken', () => {
    const { rows, done } = scanAll(['<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData><broken & </worksheet'], 5);
    expect(rows).toHaveLength(1);
    expect(done).toBe(true);
  });

  it('marks a row with a value beyond maxColumns and never stores it', () => {
    const { rows } = scanAll(['<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c><c r="ZZ1"><v>2</v></c></row></sheetData></worksheet>'], 3);
    expect(rows).toEqual([{ rowNumber: 1, cells: ['n|0|1|∅'], overflow: true }]);
  });

  it.each([
    ['a mismatched end tag', '<worksheet><sheetData><row r="1"><c r="A1"><v>1</c></row></sheetData></worksheet>'],
    ['a stray end tag', '</row><worksheet><sheetData></sheetData></worksheet>'],
    ['a bare ampersand', '<worksheet><sheetData><row r="1"><c r="A1" t="str"><v>a & b</v></c></row></sheetData></worksheet>'],
    ['an unknown entity', '<worksheet><sheetData><row r="1"><c r="A1" t="str"><v>&xxe;</v></c></row></sheetData></worksheet>'],
    ['a reference to NUL', '<worksheet><sheetData><row r="1"><c r="A1" t="str"><v>&#0;</v></c></row></sheetData></worksheet>'],
    ['a raw control character', '<worksheet><sheetData><row r="1"><c r="A1" t="str"><v>a\u0001b</v></c></row></sheetData></worksheet>'],
    ['an unquoted attribute', '<worksheet><sheetData><row r=1></row></sheetData></worksheet>'],
    ['a DOCTYPE', '<!DOCTYPE worksheet [<!ENTITY x "y">]><worksheet><sheetData></sheetData></worksheet>'],
    ['a "<" in an attribute value', '<worksheet><sheetData><row r="1<"></row></sheetData></worksheet>'],
  ])('refuses %s', (_what, xml) => {
    expect(() => scanAll([xml])).toThrow(MalformedXmlError);
  });

  it('refuses U+FFFE and U+FFFF raw, wherever the chunks split their bytes', () => {
    for (const ch of ['\uFFFE', '\uFFFF']) {
      const xml = bytes(`<worksheet><sheetData><row r="1"><c r="A1" t="str"><v>a${ch}b</v></c></row></sheetData></worksheet>`);
      for (let cut = 1; cut < xml.length; cut++) expect(() => scanAll([xml.subarray(0, cut), xml.subarray(cut)]), `split at byte ${cut}`).toThrow(MalformedXmlError);
      expect(() => scanAll([...xml].map((b) => Buffer.from([b])))).toThrow(MalformedXmlError);
    }
    // the same bytes' neighbours are ordinary characters
    expect(scanAll([bytes('<worksheet><sheetData><row r="1"><c r="A1" t="str"><v>\uFFFD\uFFEF\uEFBF</v></c></row></sheetData></worksheet>')]).rows[0]!.cells).toEqual(['str|0|\uFFFD\uFFEF\uEFBF|∅']);
  });

  it('decodes the five named entities and numeric references', () => {
    expect(decodeEntities('&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x1F600;')).toBe('<>&"\'AB😀');
    expect(decodeEntities('plain')).toBe('plain');
  });
});

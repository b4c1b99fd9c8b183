// A workbook whose XML part was cut short (a copy or an upload stopped part way, then zipped
// again, so the zip itself is whole) is a damaged file: FILE_CORRUPT, never the rows before
// the cut accepted as if they were all of it. Each part is cut here and the package re-zipped
// valid, so only the reader's end-of-part check can tell.
import { describe, expect, it } from 'vitest';
import { RTF } from '../../schemas/index.js';
import { loadConfig } from '../../src/config.js';
import { INBOUND_TYPES } from '../../src/filetypes/registry.js';
import { validateFile } from '../../src/validate/file.js';
import { readWorkbook, XlsxReadError } from '../../src/xlsx/reader.js';
import { MalformedXmlError, SheetXmlScanner } from '../../src/xlsx/sheet-xml.js';
import type { CellValue } from '../../src/xlsx/types.js';
import { writeWorkbookToBuffer } from '../../src/xlsx/writer.js';
import { inl, minimalParts, tinyZip, type TinyEntry } from '../fixtures/tiny-zip.js';
import { partsOf, withPartEdited } from '../helpers/workbook.js';
import { BASE, cellsOf } from './validate-helpers.js';

const SHEET = 'xl/worksheets/sheet1.xml';
const ROWS = 69; // a header and 68 data rows
const STRINGS = ['Alpha', 'Bravo', 'Charlie'];

/** A one-sheet workbook: a header, then shared-string, number and inline-string cells on every row. */
function parts(): TinyEntry[] {
  let xml = `<row r="1">${inl('A1', 'Name')}${inl('B1', 'Count')}${inl('C1', 'Note')}</row>`;
  for (let r = 2; r <= ROWS; r++) xml += `<row r="${r}"><c r="A${r}" t="s"><v>${r % 3}</v></c><c r="B${r}"><v>${r}</v></c>${inl(`C${r}`, `Member ${r}`)}</row>`;
  return minimalParts(xml, { sharedStrings: STRINGS });
}

const textOf = (entries: TinyEntry[], name: string): string => String(entries.find((p) => p.name === name)!.data);

/** The package with part `name` replaced by `data`, zipped again (deflated: a valid zip). */
function withPart(entries: TinyEntry[], name: string, data: string): Buffer {
  return tinyZip(entries.map((p) => ({ ...p, method: 8 as const, data: p.name === name ? data : p.data })));
}

/** `xml` cut just before (or, with `after`, just after) the first `marker` in it. */
function cutAt(xml: string, marker: string, after = false): string {
  const at = xml.indexOf(marker);
  if (at < 0) throw new Error(`no ${marker} in the part`);
  return xml.slice(0, after ? at + marker.length : at);
}

const recognise = (cells: CellValue[]) => (cells[0] === 'Name' ? true : null);

/** What the reader made of the workbook: its data rows, or the error it stopped with. */
async function read(bytes: Buffer): Promise<{ rows: CellValue[][]; error?: unknown }> {
  const rows: CellValue[][] = [];
  try {
    for await (const ev of readWorkbook(bytes, { recognise, maxRows: 10_000, maxColumns: 50 })) if (ev.type === 'row') rows.push(ev.cells);
  } catch (error) {
    return { rows, error };
  }
  return { rows };
}

async function expectCorrupt(bytes: Buffer, what: string): Promise<void> {
  const { rows, error } = await read(bytes);
  expect(error, `${what}: read ${rows.length} rows and no error`).toBeInstanceOf(XlsxReadError);
  expect((error as XlsxReadError).code).toBe('FILE_CORRUPT');
  // plain language, and no cell value of the file in it
  expect((error as Error).message).toMatch(/could not be read: it is damaged/);
  for (const v of [...STRINGS, 'Member', 'Name']) expect((error as Error).message).not.toContain(v);
}

describe('a worksheet part cut short', () => {
  const entries = parts();
  const sheet = textOf(entries, SHEET);

  it('(the whole workbook reads every row: the control)', async () => {
    const { rows, error } = await read(withPart(entries, SHEET, sheet));
    expect(error).toBeUndefined();
    expect(rows).toHaveLength(ROWS - 1);
    expect(rows[0]).toEqual(['Charlie', 2, 'Member 2']);
  });

  it('is FILE_CORRUPT when cut just before a row (where 9 of 68 rows were read and accepted)', async () => {
    await expectCorrupt(withPart(entries, SHEET, cutAt(sheet, '<row r="11"')), 'cut before row 11');
  });

  it('is FILE_CORRUPT when cut inside a tag', async () => {
    await expectCorrupt(withPart(entries, SHEET, cutAt(sheet, '<c r="C33" t="inl', true)), 'cut inside <c>');
    await expectCorrupt(withPart(entries, SHEET, cutAt(sheet, '<row r="34"', true)), 'cut inside <row>');
    await expectCorrupt(withPart(entries, SHEET, cutAt(sheet, '</row><row r="35">', true).slice(0, -14)), 'cut inside </row>');
  });

  it('is FILE_CORRUPT when cut inside a cell\'s text', async () => {
    await expectCorrupt(withPart(entries, SHEET, cutAt(sheet, '<t>Member 40', true).slice(0, -3)), 'cut inside <t>');
    await expectCorrupt(withPart(entries, SHEET, cutAt(sheet, '<v>41', true).slice(0, -1)), 'cut inside <v>');
  });

  it('is FILE_CORRUPT when cut after </sheetData>, before </worksheet>', async () => {
    await expectCorrupt(withPart(entries, SHEET, cutAt(sheet, '</sheetData>', true)), 'cut after </sheetData>');
    await expectCorrupt(withPart(entries, SHEET, `${cutAt(sheet, '</sheetData>', true)}<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></works`), 'cut inside </worksheet>');
    await expectCorrupt(withPart(entries, SHEET, `${cutAt(sheet, '</sheetData>', true)}<pageMargins left="0.7" right="0.7"`), 'cut inside a tag after </sheetData>');
    await expectCorrupt(withPart(entries, SHEET, `${cutAt(sheet, '</sheetData>', true)}<!-- a comment`), 'cut inside a comment after </sheetData>');
  });

  it('is FILE_CORRUPT when cut inside a comment or CDATA, or empty', async () => {
    await expectCorrupt(withPart(entries, SHEET, `${cutAt(sheet, '<row r="50"')}<!-- a note`), 'cut inside a comment');
    await expectCorrupt(withPart(entries, SHEET, `${cutAt(sheet, '<v>50', true).slice(0, -2)}<![CDATA[5`), 'cut inside CDATA');
    await expectCorrupt(withPart(entries, SHEET, ''), 'an empty part');
    await expectCorrupt(withPart(entries, SHEET, '<?xml version="1.0" encoding="UTF-8"?>\r\n'), 'a declaration and no element');
  });

  it('is FILE_CORRUPT wherever it is cut (every byte of a small sheet); whole, with what may follow its root, it reads', async () => {
    const small = '<?xml version="1.0" encoding="UTF-8"?>\r\n<x:worksheet xmlns:x="x"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Name</x:t></x:is></x:c></x:row>' +
      '<x:row r="2"><x:c r="A2" t="s"><x:v>1</x:v></x:c><x:c r="B2"><x:v>7</x:v></x:c></x:row></x:sheetData><x:pageMargins left="0.7"/></x:worksheet>';
    for (let cut = 0; cut < small.length; cut++) await expectCorrupt(withPart(entries, SHEET, small.slice(0, cut)), `cut at ${cut}`);
    for (const whole of [small, `${small}\r\n`, `${small}<!-- written by a tool --><?pi x?>\n`]) {
      const { rows, error } = await read(withPart(entries, SHEET, whole));
      expect(error).toBeUndefined();
      expect(rows).toEqual([['Bravo', 7]]);
    }
  });
});

describe('a shared-string part cut short', () => {
  const entries = parts();
  const sst = textOf(entries, 'xl/sharedStrings.xml');

  it('is FILE_CORRUPT, where the strings after the cut were read as blank cells', async () => {
    await expectCorrupt(withPart(entries, 'xl/sharedStrings.xml', cutAt(sst, '<si><t>Charlie')), 'cut before a string');
    await expectCorrupt(withPart(entries, 'xl/sharedStrings.xml', cutAt(sst, '<t>Charlie', true).slice(0, -3)), 'cut inside a string');
    await expectCorrupt(withPart(entries, 'xl/sharedStrings.xml', cutAt(sst, '</sst>')), 'cut before </sst>');
  });
});

describe('a small part (workbook, relationships, styles) cut short', () => {
  it('workbook.xml cut after its first sheet is FILE_CORRUPT, where the sheets after the cut were never read', async () => {
    const bytes = await writeWorkbookToBuffer([
      { name: 'One', columns: [{ label: 'Name' }], rows: [['a']] },
      { name: 'Two', columns: [{ label: 'Name' }], rows: [['b'], ['c']] },
    ]);
    expect((await read(await withPartEdited(bytes, 'xl/workbook.xml', (xml) => xml))).rows).toHaveLength(3);
    const workbook = (await partsOf(bytes)).get('xl/workbook.xml')!;
    const second = workbook.indexOf('<sheet ', workbook.indexOf('<sheet ') + 1);
    expect(second).toBeGreaterThan(0);
    await expectCorrupt(await withPartEdited(bytes, 'xl/workbook.xml', (xml) => xml.slice(0, second)), 'workbook.xml cut before its second sheet');
    await expectCorrupt(await withPartEdited(bytes, 'xl/workbook.xml', (xml) => xml.slice(0, xml.lastIndexOf('</workbook>'))), 'workbook.xml cut before </workbook>');
    for (const name of ['xl/_rels/workbook.xml.rels', '_rels/.rels', 'xl/styles.xml']) {
      await expectCorrupt(await withPartEdited(bytes, name, (xml) => xml.slice(0, xml.length - 3)), `${name} cut 3 bytes short`);
      await expectCorrupt(await withPartEdited(bytes, name, (xml) => xml.slice(0, Math.floor(xml.length / 2))), `${name} cut in half`);
    }
  });

  it('a relationships or styles part that is absent is still read as none (only one cut short is refused)', async () => {
    const entries = parts().filter((p) => p.name !== '_rels/.rels');
    const { rows, error } = await read(tinyZip(entries));
    expect(error).toBeUndefined();
    expect(rows).toHaveLength(ROWS - 1);
  });
});

describe('validateFile on an RTF whose worksheet was cut before row 11', () => {
  it('is REJECTED with FILE_CORRUPT, not ACCEPTED with the rows before the cut', async () => {
    const config = loadConfig({});
    const rows = Array.from({ length: ROWS - 1 }, (_, i) => cellsOf(RTF, { ...BASE.RTF, cin: `9${String(1234500 + i).padStart(7, '0')}A` }));
    const bytes = await writeWorkbookToBuffer([{ name: 'RTF', columns: RTF.columns.map((c) => ({ label: c.label })), rows }]);
    const opts = { limits: config, types: INBOUND_TYPES.types, context: { config, receivedDate: '2026-10-05', expectedPeriod: '2026-09' } };

    const whole = await validateFile(await withPartEdited(bytes, SHEET, (xml) => xml), 'RTF_ACME_202609.xlsx', opts);
    expect(whole).toMatchObject({ outcome: 'ACCEPTED', rowsRead: ROWS - 1, fileErrors: [] });

    const cut = await validateFile(await withPartEdited(bytes, SHEET, (xml) => cutAt(xml, '<row r="11"')), 'RTF_ACME_202609.xlsx', opts);
    expect(cut.outcome).toBe('REJECTED');
    expect(cut.rowsAccepted).toBe(0);
    expect(cut.fileErrors.map((e) => e.code)).toEqual(['FILE_CORRUPT']);
    const message = cut.fileErrors[0]!.message;
    expect(message).toMatch(/damaged/);
    for (const v of ['91234500A', BASE.RTF.lastName as string, BASE.RTF.firstName as string]) expect(message).not.toContain(v);
  });
});

describe('how a worksheet ends after </sheetData> (not scanned: only its last bytes are looked at), however its chunks split', () => {
  const ROWS_XML = '<?xml version="1.0"?>\n<x:worksheet xmlns:x="x"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row></x:sheetData>';
  /** Scans `xml` split at `cuts` (and byte by byte), then ends it: whether it was accepted, each way. */
  function accepted(xml: string): boolean[] {
    const bytes = Buffer.from(xml, 'utf8');
    const ways: Buffer[][] = [[...bytes].map((b) => Buffer.from([b]))];
    for (let cut = ROWS_XML.length - 20; cut < bytes.length; cut++) ways.push([bytes.subarray(0, cut), bytes.subarray(cut)]);
    ways.push([bytes.subarray(0, ROWS_XML.length), Buffer.from(' '.repeat(600)), bytes.subarray(ROWS_XML.length)]);
    return ways.map((chunks) => {
      const scanner = new SheetXmlScanner((_t, _s, v) => v, 5);
      for (const c of chunks) scanner.scan(c);
      try {
        scanner.end();
        return true;
      } catch (e) {
        expect(e).toBeInstanceOf(MalformedXmlError);
        return false;
      }
    });
  }

  it.each([
    ['its end tag', '</x:worksheet>'],
    ['its end tag with spaces before ">"', '<x:mergeCells count="1"/></x:worksheet \t\r\n>'],
    ['spaces after it', `</x:worksheet>${' '.repeat(400)}\r\n`],
    ['comments and processing instructions after it', '</x:worksheet>\n<!-- saved by a tool --> <?pi data?>\n'],
    ['what follows </sheetData> broken, when it ends whole (it is never read)', '<broken & </x:worksheet>'],
  ])('accepts %s', (_what, tail) => {
    expect(accepted(ROWS_XML + tail).every(Boolean)).toBe(true);
  });

  it.each([
    ['nothing after </sheetData>', ''],
    ['a cut inside the end tag', '</x:works'],
    ['a cut before ">"', '</x:worksheet'],
    ['spaces inside the name', '</x:work sheet>'],
    ['another end tag', '</x:sheetData>'],
    ['a cut inside a comment after it', '</x:worksheet><!-- saved by'],
    ['a comment longer than what is kept of the end', `</x:worksheet><!-- ${'x'.repeat(300)} -->`],
    ['a cut inside a following element', '<x:pageMargins left="0.7"/><x:pageSetup orientation="'],
  ])('refuses %s', (_what, tail) => {
    expect(accepted(ROWS_XML + tail).some(Boolean)).toBe(false);
  });
});

describe('an attribute without a value (the scanner\'s header says it refuses one)', () => {
  const scan = (xml: string, cut: number) => {
    const scanner = new SheetXmlScanner((_t, _s, v, inline) => v ?? inline, 50);
    const bytes = Buffer.from(xml, 'utf8');
    const rows = [...scanner.scan(bytes.subarray(0, cut)), ...scanner.scan(bytes.subarray(cut))];
    scanner.end();
    return rows;
  };
  const sheet = (cell: string) => `<worksheet><sheetData><row r="5">${cell}</row></sheetData></worksheet>`;

  it.each([
    ['a name with no "=" before the next attribute', '<c r="D5" Foo t="inlineStr"><is><t>x</t></is></c>'],
    ['a name with no "=" before ">"', '<c r="D5" Foo><v>1</v></c>'],
    ['a name with no "=" before "/>"', '<c r="D5" Foo/>'],
    ['a value with no name', '<c ="D5"><v>1</v></c>'],
  ])('refuses %s, wherever the chunks split', (_what, cell) => {
    const xml = sheet(cell);
    for (let cut = 0; cut <= xml.length; cut++) expect(() => scan(xml, cut), `split at ${cut}`).toThrow(MalformedXmlError);
  });

  it('still reads spaces around "=", single quotes and ">" inside a value', () => {
    expect(scan(sheet(`<c t = 'inlineStr' r ='D5' x14:note='a>b'><is><t>x</t></is></c>`), 10)).toEqual([{ rowNumber: 5, cells: [null, null, null, 'x'], overflow: false }]);
  });

  it('makes the workbook FILE_CORRUPT', async () => {
    const entries = parts();
    const xml = textOf(entries, SHEET).replace('<c r="C20" t="inlineStr">', '<c r="C20" Foo t="inlineStr">');
    await expectCorrupt(withPart(entries, SHEET, xml), 'Foo without a value');
  });
});

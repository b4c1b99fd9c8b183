import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/xlsx/guard.js';
import { readWorkbook, type ReadEvent } from '../../src/xlsx/reader.js';
import type { CellValue } from '../../src/xlsx/types.js';
import { columnLetter } from '../../src/xlsx/cell-ref.js';
import { SAMPLE_ROWS, layoutColumns, sanitiseSheetName, wrappedLines, writeWorkbook, writeWorkbookToBuffer, type WriteSheet } from '../../src/xlsx/writer.js';
import { convertWithLibreOffice } from '../helpers/render.js';
import { openpyxlLook, partsOf } from '../helpers/workbook.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xlsx-writer-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));


async function readBack(bytes: Buffer, headerFirst: string): Promise<ReadEvent<true>[]> {
  const events: ReadEvent<true>[] = [];
  for await (const e of readWorkbook(bytes, { recognise: (c) => (c[0] === headerFirst ? true : null), maxRows: 1000, maxColumns: 50 })) events.push(e);
  return events;
}

const TRICKY = ['=SUM(A1:A2)', '+1+1', '-2+3', '@SUM(1)', '\t=1+1', '\r=1+1', '=HYPERLINK("http://x.example","y")', "'quoted", '0012345'];

const SHEET: WriteSheet = {
  name: 'RTF',
  columns: [
    { label: 'Member Client Index Number (CIN)', type: 'text', width: 14 },
    { label: 'ECM Enrollment Start Date', type: 'date' },
    { label: 'In Person', type: 'int' },
    { label: 'Member Acuity Level', list: ['Low', 'Medium', 'High'] },
    { label: 'Discontinuation Reason Code', list: Array.from({ length: 60 }, (_, i) => `CODE_${i}_WITH_A_LONG_NAME`) },
    { label: 'Notes' },
  ],
  rows: [
    ['91234567A', { date: '2026-11-03' }, 2, 'High', null, 'José Muñoz'],
    ['92345678B', { date: '2024-02-29' }, 0, 'Low', 'CODE_1_WITH_A_LONG_NAME', true],
    ['93456789C', { date: '1999-12-31' }, 1.5, null, null, { error: '#N/A' }],
    [1558598797, { date: '2026-01-01' }, null, null, null, null],
    ...TRICKY.map((t): CellValue[] => ['94567890D', null, null, null, null, t]),
  ],
};

/** Text a cell may hold that XML, Excel or a reader could mangle. */
const HOSTILE = [
  '=1+2', '+x', '-y', '@z', '=HYPERLINK("http://x.example","y")',
  '\tleading tab', 'trailing tab\t', '  two spaces around  ', ' ',
  'CR LF\r\nin the middle', 'bare CR\rhere', '\r\nstarts with CR LF', 'line 1\nline 2\n',
  'José Muñoz, Nguyễn Văn Anh, 李小龙, emoji 😀, math 𝔘',
  '<b>bold?</b> & &amp; "quoted" \'apostrophe\' ]]> <!-- -->',
  'control \u0001 \u0008 \u000B \u000C \u001F chars', 'not characters: \uFFFE \uFFFF',
  'literal _x0041_ and _x005F_ and _X0041_ and _x00_',
  'x'.repeat(40_000), // past Excel's 32,767: cut there
  'word '.repeat(2_000),
];
const HOSTILE_SHEET: WriteSheet = {
  name: 'A&B <"x"> \'s',
  columns: [{ label: 'Id' }, { label: 'Text' }, { label: 'Blank' }, { label: 'After' }, { label: 'Broken' }],
  rows: [...HOSTILE.map((t, i): CellValue[] => [String(i), t]), [String(HOSTILE.length), null, '', 'after blanks', 'a\uD800b']],
};

/** Flagged cells: a blank one (a required value left out) and one holding text that is not a date. */
const FLAGGED_SHEET: WriteSheet = {
  name: 'Fix',
  columns: [{ label: 'CIN', type: 'text' }, { label: 'Start', type: 'date' }, { label: 'Note' }],
  rows: [
    { cells: [null, { date: '2026-11-03' }, 'ok'], flags: new Map([[0, 'CIN is required & <must> be "filled".\nSee the Errors sheet.']]) },
    { cells: ['91234567A', { date: '2026-13-45' }, null], flags: new Map([[1, 'Not a date']]) },
  ],
};

describe('writeWorkbookToBuffer: round trip through our reader', () => {
  it('dates, numbers, booleans, errors come back exactly; formula-like text stays text', async () => {
    const bytes = await writeWorkbookToBuffer([SHEET]);
    const ev = await readBack(bytes, 'Member Client Index Number (CIN)');
    const rows = ev.filter((e) => e.type === 'row').map((e) => (e.type === 'row' ? e.cells : []));
    expect(rows.slice(0, 4)).toEqual([
      ['91234567A', { date: '2026-11-03' }, 2, 'High', null, 'José Muñoz'],
      ['92345678B', { date: '2024-02-29' }, 0, 'Low', 'CODE_1_WITH_A_LONG_NAME', true],
      ['93456789C', { date: '1999-12-31' }, 1.5, null, null, { error: '#N/A' }],
      ['1558598797', { date: '2026-01-01' }], // a number in a text column is written as text
    ]);
    expect(rows.slice(4).map((r) => r[5])).toEqual(TRICKY); // a CR too: written as &#13;, which XML's end-of-line rule leaves alone
    expect(ev.filter((e) => e.type === 'ignored-sheet').map((e) => e.type === 'ignored-sheet' && e.name)).toEqual(['Lists']);
  });

  it('text comes back exactly, whatever it holds: formula starts, tabs, CR/LF, unicode, markup, control characters, _xHHHH_, long text', async () => {
    const bytes = await writeWorkbookToBuffer([HOSTILE_SHEET]);
    const ev = await readBack(bytes, 'Id');
    expect(ev[0]).toMatchObject({ type: 'sheet', name: 'A&B <"x"> \'s' });
    const rows = ev.filter((e) => e.type === 'row').map((e) => (e.type === 'row' ? e.cells : []));
    const texts = rows.slice(0, HOSTILE.length).map((r) => r[1]);
    // compared one by one, so a failure names the text rather than printing all of it
    HOSTILE.forEach((t, i) => expect(texts[i] === t.slice(0, 32_767), `text ${i} (${JSON.stringify(t.slice(0, 40))})`).toBe(true));
    expect(rows.map((r) => r[0])).toEqual([...HOSTILE.map((_, i) => String(i)), String(HOSTILE.length)]);
    // empty cells between values stay empty; a lone surrogate (not Unicode) becomes U+FFFD
    expect(rows.at(-1)).toEqual([String(HOSTILE.length), null, null, 'after blanks', 'a\uFFFDb']);
    expect(await inspectFile(bytes, 'hostile.xlsx', { maxFileBytes: 1e7, maxUncompressedBytes: 1e8, maxZipEntries: 100 })).toBeNull();
  });

  it('writes inline strings, never formulas, a frozen bold header, an autofilter and drop-downs', async () => {
    const bytes = await writeWorkbookToBuffer([{ ...SHEET, preamble: [['Acme Health: RTF template'], []] }]);
    const parts = await partsOf(bytes);
    expect([...parts.keys()].some((n) => /sharedStrings/i.test(n))).toBe(false);
    const sheet = parts.get('xl/worksheets/sheet1.xml')!;
    expect(sheet).not.toMatch(/<f[ >]/);
    expect(sheet).not.toMatch(/t="s"/);
    expect(sheet).toContain('<c r="F8" t="inlineStr"><is><t>=SUM(A1:A2)</t></is></c>');
    expect(sheet).toMatch(/<pane ySplit="3" topLeftCell="A4" activePane="bottomLeft" state="frozen"\/>/);
    expect(sheet).toMatch(/<autoFilter ref="A3:F3"\/>/);
    expect(sheet).toMatch(/sqref="D4:D1048576"><formula1>&quot;Low,Medium,High&quot;<\/formula1>/);
    expect(sheet).toMatch(/sqref="E4:E1048576"><formula1>Lists!\$A\$1:\$A\$60<\/formula1>/);
    expect(parts.get('xl/workbook.xml')).toMatch(/name="Lists" state="hidden"/);
    const styles = parts.get('xl/styles.xml')!;
    expect(styles).toMatch(/formatCode="mm\/dd\/yyyy"/);
    expect(styles).toMatch(/<b\/>/);
    const ev = await readBack(bytes, 'Member Client Index Number (CIN)');
    expect(ev[0]).toMatchObject({ type: 'sheet', headerRow: 3 });
    expect(await inspectFile(bytes, 'RTF_TEMPLATE.xlsx', { maxFileBytes: 1e7, maxUncompressedBytes: 1e8, maxZipEntries: 100 })).toBeNull();
  });

  it('freezeHeader and autoFilter can be turned off', async () => {
    const bytes = await writeWorkbookToBuffer([{ name: 'A', columns: [{ label: 'x' }], rows: [], freezeHeader: false, autoFilter: false }]);
    const sheet = (await partsOf(bytes)).get('xl/worksheets/sheet1.xml')!;
    expect(sheet).not.toMatch(/state="frozen"/);
    expect(sheet).not.toMatch(/autoFilter/);
  });
});

describe('writeWorkbook to a path', () => {
  it('streams async rows to a file, several sheets with sanitised names', async () => {
    async function* rows(): AsyncGenerator<CellValue[]> {
      for (let i = 0; i < 2000; i++) yield [`9${String(i).padStart(7, '0')}A`, { date: '2026-10-01' }];
    }
    const file = path.join(tmp, 'out.xlsx');
    await writeWorkbook(file, [
      { name: 'MIF: HN/ECM [Nov]', columns: [{ label: 'CIN' }, { label: 'Date', type: 'date' }], rows: rows() },
      { name: 'mif  hn ecm  nov ', columns: [{ label: 'CIN' }], rows: [['x']] },
    ]);
    const bytes = fs.readFileSync(file);
    const names: string[] = [];
    let n = 0;
    for await (const e of readWorkbook(bytes, { recognise: (c) => (c[0] === 'CIN' ? true : null), maxRows: 5000, maxColumns: 5 })) {
      if (e.type === 'sheet') names.push(e.name);
      if (e.type === 'row') n++;
    }
    expect(names).toEqual(['MIF HN ECM Nov', 'mif hn ecm nov (2)']);
    expect(n).toBe(2001);
  });

  it('rejects with the error of a stream that fails part-way, and stops pulling rows', async () => {
    let writes = 0;
    const out = new Writable({
      write(_chunk, _encoding, callback) {
        writes++;
        callback(writes === 12 ? new Error('disk full') : null);
      },
    });
    out.on('error', () => undefined);
    let pulled = 0;
    function* rows(): Generator<CellValue[]> {
      for (let i = 0; i < 200_000; i++) {
        pulled++;
        yield [`${i} ${(i * 7919) % 100_003} ${'x'.repeat(i % 50)}`];
      }
    }
    await expect(writeWorkbook(out, [{ name: 'S', columns: [{ label: 'x' }], rows: rows() }])).rejects.toThrow('disk full');
    expect(pulled).toBeLessThan(200_000);
  });

  it('removes the partial file when the rows fail', async () => {
    const file = path.join(tmp, 'broken.xlsx');
    function* rows(): Generator<CellValue[]> {
      yield ['a'];
      throw new Error('query failed');
    }
    await expect(writeWorkbook(file, [{ name: 'S', columns: [{ label: 'x' }], rows: rows() }])).rejects.toThrow('query failed');
    expect(fs.existsSync(file)).toBe(false);
  });

  it('leaves a file already at the path as it was when the write fails (a report written again, a path that is not ours)', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'again-'));
    const file = path.join(dir, 'report.xlsx');
    fs.writeFileSync(file, 'the report of yesterday');
    function* rows(): Generator<CellValue[]> {
      yield ['a'];
      throw new Error('query failed');
    }
    await expect(writeWorkbook(file, [{ name: 'S', columns: [{ label: 'x' }], rows: rows() }])).rejects.toThrow('query failed');
    expect(fs.readFileSync(file, 'utf8')).toBe('the report of yesterday');
    // and nothing of the failed write is left beside it
    expect(fs.readdirSync(dir)).toEqual(['report.xlsx']);
  });

  it('replaces a file already at the path only once the new one is whole', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'replace-'));
    const file = path.join(dir, 'report.xlsx');
    fs.writeFileSync(file, 'the report of yesterday');
    let seenDuringWrite: string | undefined;
    function* rows(): Generator<CellValue[]> {
      yield ['a'];
      seenDuringWrite = fs.readFileSync(file, 'utf8');
      yield ['b'];
    }
    await writeWorkbook(file, [{ name: 'S', columns: [{ label: 'x' }], rows: rows() }]);
    expect(seenDuringWrite).toBe('the report of yesterday');
    expect(fs.readFileSync(file).subarray(0, 2).toString('latin1')).toBe('PK');
    expect(fs.readdirSync(dir)).toEqual(['report.xlsx']);
  });
});

describe('sanitiseSheetName / columnLetter', () => {
  it('follows Excel rules', () => {
    const taken = new Set<string>();
    expect(sanitiseSheetName('RTF', taken)).toBe('RTF');
    expect(sanitiseSheetName('rtf', taken)).toBe('rtf (2)');
    expect(sanitiseSheetName('a/b\\c?d*e[f]g:h', taken)).toBe('a b c d e f g h');
    expect(sanitiseSheetName('x'.repeat(40), taken)).toHaveLength(31);
    expect(sanitiseSheetName('x'.repeat(40), taken)).toBe(`${'x'.repeat(27)} (2)`);
    expect(sanitiseSheetName("'quoted'", taken)).toBe('quoted');
    expect(sanitiseSheetName('  ', taken)).toBe('Sheet');
    expect(sanitiseSheetName('History', taken)).toBe('History_');
  });
  it('column letters', () => {
    expect([1, 26, 27, 52, 703, 16384].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AZ', 'AAA', 'XFD']);
  });
});

// openpyxl is an independent reader: the dates must be the same calendar dates there too.
const PY = '/usr/bin/python3';
const hasOpenpyxl = fs.existsSync(PY) && spawnSync(PY, ['-c', 'import openpyxl'], { stdio: 'ignore' }).status === 0;

// CI installs openpyxl: there a missing reader must fail, never skip.
describe.skipIf(!hasOpenpyxl && !process.env.CI)('read back with openpyxl', () => {
  it('sees real date cells with the same calendar dates, text cells, frozen header, validations, hidden Lists', async () => {
    const file = path.join(tmp, 'openpyxl.xlsx');
    fs.writeFileSync(file, await writeWorkbookToBuffer([SHEET]));
    const script = `
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb['RTF']
out = {
  'dates': [ws.cell(row=r, column=2).value.strftime('%Y-%m-%d') for r in range(2, 6)],
  'date_fmt': ws['B2'].number_format,
  'is_date': ws['B2'].is_date,
  'tricky': [[ws.cell(row=r, column=6).data_type, ws.cell(row=r, column=6).value] for r in range(6, 6 + ${TRICKY.length})],
  'freeze': ws.freeze_panes,
  'filter': ws.auto_filter.ref,
  'bold': ws['A1'].font.b,
  'validations': sorted([[str(dv.sqref), dv.type, dv.formula1] for dv in ws.data_validations.dataValidation]),
  'lists_state': wb['Lists'].sheet_state,
  'cin': [ws['A5'].data_type, ws['A5'].value],
}
print(json.dumps(out))
`;
    const r = spawnSync(PY, ['-c', script, file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out.dates).toEqual(['2026-11-03', '2024-02-29', '1999-12-31', '2026-01-01']);
    expect(out.date_fmt).toBe('mm/dd/yyyy');
    expect(out.is_date).toBe(true);
    expect((out.tricky as [string, string][]).map(([t]) => t)).toEqual(TRICKY.map(() => 's'));
    expect((out.tricky as [string, string][]).map(([, v]) => v)).toEqual(TRICKY);
    expect(out.freeze).toBe('A2');
    expect(out.filter).toBe('A1:F1');
    expect(out.bold).toBe(true);
    expect(out.validations).toEqual([
      ['D2:D1048576', 'list', '"Low,Medium,High"'],
      ['E2:E1048576', 'list', 'Lists!$A$1:$A$60'],
    ]);
    expect(out.lists_state).toBe('hidden');
    expect(out.cin).toEqual(['s', '1558598797']);
  });

  it('sees flagged cells highlighted with their comment, other cells plain, and text as written', async () => {
    const file = path.join(tmp, 'openpyxl-flags.xlsx');
    fs.writeFileSync(file, await writeWorkbookToBuffer([FLAGGED_SHEET, HOSTILE_SHEET]));
    const [fix, hostile] = openpyxlLook(file, 100);
    expect(fix!.freeze).toBe('A2');
    expect(fix!.rows[0]!.map((c) => [c.v, c.bold, c.fill])).toEqual([['CIN', true, 'FFDDEBF7'], ['Start', true, 'FFDDEBF7'], ['Note', true, 'FFDDEBF7']]);
    expect(fix!.rows[1]!.map((c) => [c.v, c.fill, c.comment])).toEqual([
      [null, 'FFFFC7CE', 'CIN is required & <must> be "filled".\nSee the Errors sheet.'],
      [{ date: '2026-11-03' }, null, null],
      ['ok', null, null],
    ]);
    expect(fix!.rows[2]!.map((c) => [c.v, c.fill, c.comment])).toEqual([
      ['91234567A', null, null],
      ['2026-13-45', 'FFFFC7CE', 'Not a date'], // not a calendar date: kept as the text given
      [null, null, null],
    ]);
    // openpyxl leaves OOXML's _xHHHH_ escapes undecoded: the texts without them must read as written
    const texts = hostile!.rows.slice(1, HOSTILE.length + 1).map((r) => r[1]!);
    HOSTILE.forEach((t, i) => {
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|_x[0-9A-Fa-f]{4}_/.test(t)) return;
      expect(texts[i]!.t, `text ${i}`).toBe('s');
      expect(texts[i]!.v === t.slice(0, 32_767), `text ${i} (${JSON.stringify(t.slice(0, 40))})`).toBe(true);
    });
  });
});

// LibreOffice opens the workbook and saves it again as .xlsx; openpyxl then reads LibreOffice's
// copy: what LibreOffice understood of ours (text, dates, comments, drop-downs) is in it.
describe('opened by LibreOffice', () => {
  it('keeps text as text (never a formula), dates as dates, the comments on flagged cells and the drop-down lists', async () => {
    const ours = path.join(tmp, 'for-libreoffice.xlsx');
    fs.writeFileSync(ours, await writeWorkbookToBuffer([SHEET, FLAGGED_SHEET]));
    const [copy] = await convertWithLibreOffice([ours], path.join(tmp, 'libreoffice'), 'xlsx', 'xlsx');
    const look = openpyxlLook(copy!, 100);
    const rtf = look.find((s) => s.title === 'RTF')!;
    expect(rtf.rows[0]![0]!.v).toBe('Member Client Index Number (CIN)');
    expect(rtf.rows.slice(1, 5).map((r) => r[1]!.v)).toEqual([{ date: '2026-11-03' }, { date: '2024-02-29' }, { date: '1999-12-31' }, { date: '2026-01-01' }]);
    expect(rtf.rows.slice(5).map((r) => [r[5]!.t, r[5]!.v])).toEqual(TRICKY.map((t) => ['s', t]));
    expect(rtf.rows[4]![0]).toMatchObject({ t: 's', v: '1558598797' });
    const fix = look.find((s) => s.title === 'Fix')!;
    expect(fix.rows[1]![0]).toMatchObject({ fill: 'FFFFC7CE', comment: expect.stringContaining('CIN is required & <must> be "filled".') });
    expect(fix.rows[2]![1]).toMatchObject({ fill: 'FFFFC7CE', comment: 'Not a date' });
    expect(look.map((s) => s.title)).toEqual(['RTF', 'Fix', 'Lists']);
    const r = spawnSync(PY, ['-c', `
import json, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])['RTF']
print(json.dumps(sorted([dv.type, dv.formula1, str(dv.sqref).split(':')[0]] for dv in ws.data_validations.dataValidation)))
`, copy!], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([['list', '"Low,Medium,High"', 'D2'], ['list', expect.stringMatching(/Lists.*\$A\$1:\$A\$60/), 'E2']]);
  }, 300_000);
});

describe('readable layout', () => {
  it('sizes a column from its header\'s longest word, its declared width and the sampled values, within bounds', () => {
    const [narrow, declared, sampled, capped, wrapped] = layoutColumns(
      [{ label: 'Row' }, { label: 'Member CIN', width: 20 }, { label: 'Code' }, { label: 'Message', maxWidth: 30 }, { label: 'Notes', wrap: true }],
      [[1, null, 'RTF_ENROLLED_NEEDS_START', 'x'.repeat(100), 'short'], { cells: [2, 'a', 'b', 'c', 'd'], flags: new Map() }],
    );
    expect(narrow).toEqual({ width: 6, wrap: false }); // the minimum
    expect(declared).toEqual({ width: 20, wrap: false });
    expect(sampled).toEqual({ width: 'RTF_ENROLLED_NEEDS_START'.length + 2, wrap: false });
    expect(capped).toEqual({ width: 30, wrap: true }); // too long for its maximum: wraps
    expect(wrapped!.wrap).toBe(true);
    // a long header gets room for three lines at most
    const [long] = layoutColumns([{ label: 'Member Information Return Transmission File Production Date' }], []);
    expect(wrappedLines('Member Information Return Transmission File Production Date', long!.width - 2)).toBeLessThanOrEqual(3);
  });

  it('counts word-wrapped lines', () => {
    expect(wrappedLines('', 10)).toBe(1);
    expect(wrappedLines('Declined (Late) Files', 10)).toBe(3);
    expect(wrappedLines('one\ntwo three', 20)).toBe(2);
    expect(wrappedLines('x'.repeat(25), 10)).toBe(3);
  });

  it('holds back only the first rows: the rest stream after the header, in order', async () => {
    let pulled = 0;
    let pulledBeforeSecondSheet = 0;
    function* rows(): Generator<CellValue[]> {
      for (let i = 0; i < SAMPLE_ROWS * 5; i++) {
        pulled++;
        yield [i];
      }
    }
    function* second(): Generator<CellValue[]> {
      pulledBeforeSecondSheet = pulled;
      yield ['x'];
    }
    const bytes = await writeWorkbookToBuffer([
      { name: 'A', columns: [{ label: 'N', type: 'int' }], rows: rows() },
      { name: 'B', columns: [{ label: 'N' }], rows: second() },
    ]);
    expect(pulledBeforeSecondSheet).toBe(SAMPLE_ROWS * 5);
    const back = (await readBack(bytes, 'N')).filter((e) => e.type === 'row' && e.sheet === 'A').map((e) => (e.type === 'row' ? e.cells[0] : null));
    expect(back).toEqual(Array.from({ length: SAMPLE_ROWS * 5 }, (_, i) => i));
  });

  it('styles the header and flags cells with a fill and a comment (comments part, VML drawing, relationships, content types)', async () => {
    const bytes = await writeWorkbookToBuffer([
      { name: 'Fix', columns: [{ label: 'CIN' }, { label: 'Errors' }], rows: [{ cells: [null, 'CIN is required'], flags: new Map([[0, 'CIN is required and is blank. Fill it in.']]) }, ['91234567A', null]] },
    ]);
    const parts = await partsOf(bytes);
    const sheet = parts.get('xl/worksheets/sheet1.xml')!;
    expect(sheet).toMatch(/<row r="1"[^>]* ht="\d+(\.\d+)?" customHeight="1"/);
    expect(sheet).toMatch(/<legacyDrawing r:id="rId\d+"\/>/);
    expect(sheet).toContain('<c r="A2" s='); // the blank flagged cell is written, to be highlighted
    expect(parts.get('xl/comments1.xml')).toContain('<comment ref="A2"');
    expect(parts.get('xl/comments1.xml')).toContain('CIN is required and is blank. Fill it in.');
    expect(parts.get('xl/drawings/vmlDrawing1.vml')).toContain('<x:Row>1</x:Row>');
    expect(parts.get('xl/worksheets/_rels/sheet1.xml.rels')).toMatch(/comments1\.xml[\s\S]*vmlDrawing1\.vml|vmlDrawing1\.vml[\s\S]*comments1\.xml/);
    const types = parts.get('[Content_Types].xml')!;
    expect(types).toContain('PartName="/xl/comments1.xml"');
    expect(types).toContain('Extension="vml"');
    const styles = parts.get('xl/styles.xml')!;
    expect(styles).toContain('FFDDEBF7'); // header shade
    expect(styles).toContain('FFFFC7CE'); // flagged cell
    expect(styles).toMatch(/wrapText="1"/);
  });
});

describe('many flagged cells', () => {
  it('every comment is in the comments part and in the drawing, in row order', async () => {
    const n = 3000;
    const bytes = await writeWorkbookToBuffer([{
      name: 'Fix',
      columns: [{ label: 'CIN' }, { label: 'Errors' }],
      rows: Array.from({ length: n }, (_, i) => ({ cells: [null, `row ${i}`], flags: new Map([[0, `CIN is required on row ${i + 2} & <nothing> else`]]) })),
    }]);
    const parts = await partsOf(bytes);
    const refs = [...parts.get('xl/comments1.xml')!.matchAll(/<comment ref="([A-Z]+\d+)"/g)].map((m) => m[1]);
    expect(refs).toEqual(Array.from({ length: n }, (_, i) => `A${i + 2}`));
    expect(parts.get('xl/comments1.xml')).toContain(`CIN is required on row ${n + 1} &amp; &lt;nothing&gt; else</t>`);
    expect(parts.get('xl/comments1.xml')!.endsWith('</commentList></comments>')).toBe(true);
    const rows = [...parts.get('xl/drawings/vmlDrawing1.vml')!.matchAll(/<x:Row>(\d+)<\/x:Row>/g)].map((m) => Number(m[1]));
    expect(rows).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // shape ids unique across the workbook's drawings: a second sheet's run on from the first's
    const second = await writeWorkbookToBuffer([
      { name: 'A', columns: [{ label: 'x' }], rows: Array.from({ length: 1500 }, () => ({ cells: ['v'], flags: new Map([[0, 'f']]) })) },
      { name: 'B', columns: [{ label: 'x' }], rows: [{ cells: ['v'], flags: new Map([[0, 'f']]) }] },
    ]);
    const drawings = await partsOf(second);
    const ids = ['xl/drawings/vmlDrawing1.vml', 'xl/drawings/vmlDrawing2.vml'].flatMap((d) => [...drawings.get(d)!.matchAll(/<v:shape id="_x0000_s(\d+)"/g)].map((m) => Number(m[1])));
    expect(ids).toEqual(Array.from({ length: 1501 }, (_, i) => 1025 + i));
    expect(drawings.get('xl/drawings/vmlDrawing2.vml')).toContain('data="2"'); // its first shape, 2525, is in block 2
  });
});

describe('each test workbook is its own file', () => {
  // CI saw "a resubmission after the earlier ones" answered as the earlier file (ON_TIME): two
  // builds of the same rows within one second were byte-identical, so the second upload was
  // taken for the first one. The helper's workbooks now differ by their creation time.
  it('two builds of the same rows, back to back, are different bytes', async () => {
    const { csprtf, csprtfRow } = await import('../helpers/provider-files.js');
    const [a, b] = [await csprtf([csprtfRow()]), await csprtf([csprtfRow()])];
    expect(a.equals(b)).toBe(false);
  });

  it('writes the given creation time into the workbook', async () => {
    const bytes = await writeWorkbookToBuffer([SHEET], { created: new Date('2026-03-04T05:06:07Z') });
    expect((await partsOf(bytes)).get('docProps/core.xml')).toContain('2026-03-04T05:06:07Z');
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDateFormat, readWorkbook, XlsxReadError, type ReadEvent, type ReadOptions } from '../../src/xlsx/reader.js';
import { FORMULA_NO_RESULT, type CellValue } from '../../src/xlsx/types.js';
import { writeWorkbookToBuffer } from '../../src/xlsx/writer.js';
import { ACME_ROWS } from '../fixtures/generate.js';
import { CSPRTF_LABELS, OTF_LABELS, RTF_LABELS } from '../fixtures/labels.js';
import { inl, minimalParts, tinyZip } from '../fixtures/tiny-zip.js';

const FIX = path.resolve(import.meta.dirname, '../fixtures');
const fixture = (name: string) => fs.readFileSync(path.join(FIX, name));

// A simple recogniser: a row is a header when at least 4 of its cells are labels of one
// layout (the real one lives in schemas/ and matches ignoring case, spaces and punctuation).
type Layout = 'RTF' | 'OTF' | 'CSPRTF';
const SETS: [Layout, Set<string>][] = [
  ['OTF', new Set(OTF_LABELS.filter((l) => !RTF_LABELS.includes(l as never)))],
  ['CSPRTF', new Set(CSPRTF_LABELS.filter((l) => !RTF_LABELS.includes(l as never)))],
  ['RTF', new Set(RTF_LABELS.filter((l) => !OTF_LABELS.includes(l as never)))],
];
interface Match { layout: Layout; columns: (string | null)[] }
function recognise(cells: CellValue[]): Match | null {
  const labels = cells.map((c) => (typeof c === 'string' ? c.trim() : null));
  for (const [layout, set] of SETS) {
    if (labels.filter((l) => l !== null && set.has(l)).length >= 3) return { layout, columns: labels };
  }
  return null;
}

async function readAll(bytes: Buffer, opts: Partial<ReadOptions<Match>> = {}): Promise<ReadEvent<Match>[]> {
  const events: ReadEvent<Match>[] = [];
  for await (const ev of readWorkbook(bytes, { recognise, maxRows: 100_000, maxColumns: 200, ...opts })) events.push(ev);
  return events;
}

/** Rows of one sheet as records keyed by header label. */
function records(events: ReadEvent<Match>[], sheet: string): Record<string, CellValue>[] {
  const head = events.find((e) => e.type === 'sheet' && e.name === sheet);
  if (!head || head.type !== 'sheet') throw new Error(`no sheet ${sheet}`);
  return events
    .filter((e): e is Extract<ReadEvent<Match>, { type: 'row' }> => e.type === 'row' && e.sheet === sheet)
    .map((e) => {
      const rec: Record<string, CellValue> = { _row: e.rowNumber };
      head.match.columns.forEach((label, i) => {
        if (label) rec[label] = e.cells[i] ?? null;
      });
      return rec;
    });
}

const summary = (events: ReadEvent<Match>[]) =>
  events.filter((e) => e.type !== 'row').map((e) => {
    switch (e.type) {
      case 'sheet':
        return `sheet ${e.name} ${e.match.layout} @${e.headerRow}`;
      case 'sheet-end':
        return `end ${e.name} ${e.rows}`;
      case 'ignored-sheet':
        return `ignored ${e.name}`;
      case 'table-total':
        return `total ${e.sheet} @${e.rowNumber}`;
      default:
        return `limit ${e.code}`;
    }
  });

describe('readWorkbook: exceljs-written fixture (our writer, inline strings)', () => {
  it('RTF_ACMEHEALTH_202611.xlsx yields every cell as a plain value', async () => {
    const ev = await readAll(fixture('RTF_ACMEHEALTH_202611.xlsx'));
    expect(summary(ev)).toEqual(['sheet RTF RTF @1', 'end RTF 3']);
    const rows = ev.filter((e) => e.type === 'row');
    expect(rows.map((r) => r.type === 'row' && r.rowNumber)).toEqual([2, 3, 4]);
    rows.forEach((r, i) => {
      if (r.type !== 'row') return;
      // trailing blanks are not materialised; everything else is exactly what was written
      const expected = [...ACME_ROWS[i]!];
      while (expected.length && expected[expected.length - 1] === null) expected.pop();
      expect(r.cells).toEqual(expected);
    });
    const recs = records(ev, 'RTF');
    expect(recs[1]!['Discontinuation Reason']).toBe('=HYPERLINK("http://evil.example","click")');
    expect(recs[0]!['Member Last Name']).toBe('Muñoz');
  });
});

describe('readWorkbook: openpyxl fixture (inline strings, header on row 3)', () => {
  it('finds the header below the title rows and keeps extra/reordered columns by position', async () => {
    const ev = await readAll(fixture('RTF_SUNRISECARE_202611.xlsx'));
    expect(summary(ev)).toEqual(['sheet RTF Oct 2026 RTF @3', 'end RTF Oct 2026 3']);
    const head = ev[0]!;
    expect(head.type === 'sheet' && head.match.columns[3]).toBe('Notes (internal)');
    const [r4, r5, r7] = records(ev, 'RTF Oct 2026');
    expect(r4).toMatchObject({
      _row: 4,
      'Member Client Index Number (CIN)': '91234567A',
      'Member Last Name': 'Peña',
      'Member First Name': 'María José',
      'Notes (internal)': 'called twice',
      'ECM Enrollment Start Date': { date: '2026-09-15' }, // date cell
      'ECM Enrollment End Date': 46326, // serial number in a General cell stays a number
      'Member Information Return Transmission File Production Date': '11/03/2026', // text date stays text
      'Date of Most Recent Care Conference': '2026-10-15',
      'ECM Lead Care Manager Email': 'ana.pena@sunrise.example', // hyperlink → its text
      'In Person': FORMULA_NO_RESULT, // openpyxl writes formulas without a cached value: not blank, no value either
      'Telephonic/Video': 3,
      'Member Phone Number': 5595550123,
      'ECM Provider Tax ID Number (TIN)': '12-3456789',
      'Member Homelessness Indicator': true,
    });
    expect(r5).toMatchObject({
      _row: 5,
      'ECM Enrollment Start Date': { date: '2026-10-01' }, // d-mmm-yy format
      'Member Information Return Transmission File Production Date': '1/5/2026',
      'Date of Most Recent Care Conference': { date: '2026-10-20' }, // date-time 14:30: the calendar date
      'Member Homelessness Indicator': false,
      'Discontinuation Reason': { error: '#N/A' }, // error cell
      'Member Acuity Level': null,
    });
    expect(r7).toMatchObject({ _row: 7, 'Member Client Index Number (CIN)': '93456789C', 'Member Acuity Level': 'Low' }); // blank row 6 skipped
  });
});

describe('readWorkbook: LibreOffice fixtures (shared strings after the sheet, cached formulas)', () => {
  it('RTF_SUNRISECARE_202611_LIBREOFFICE.xlsx: shared strings resolved, formula results, #N/A from a formula', async () => {
    const ev = await readAll(fixture('RTF_SUNRISECARE_202611_LIBREOFFICE.xlsx'));
    expect(summary(ev)).toEqual(['sheet RTF Oct 2026 RTF @3', 'end RTF Oct 2026 3']);
    const [r4, r5] = records(ev, 'RTF Oct 2026');
    expect(r4).toMatchObject({
      'Member Last Name': 'Peña',
      'ECM Enrollment Start Date': { date: '2026-09-15' },
      'ECM Enrollment End Date': 46326,
      'Member Information Return Transmission File Production Date': '11/03/2026',
      'ECM Lead Care Manager Email': 'ana.pena@sunrise.example',
      'In Person': 2, // =1+1, cached
      'Discontinuation Reason': 'Moved away', // =CONCATENATE(...), cached string
      'Member Homelessness Indicator': true,
    });
    expect(r5).toMatchObject({ 'In Person': { error: '#N/A' }, 'Date of Most Recent Care Conference': { date: '2026-10-20' } });
    for (const e of ev) if (e.type === 'row') for (const c of e.cells) expect(typeof c === 'object' && c !== null && 'sharedString' in c).toBe(false);
  });

  it('RTF_LOSANGELESFQHC_202611.xlsx: 3000 rows of accented text are never mangled at chunk boundaries', async () => {
    const FIRST = ['José', 'María', 'Ñandú', 'Íñigo', 'Zoë', 'François', 'Łucja', 'Dũng', 'Søren', 'Renée'];
    const LAST = ['Muñoz', 'Peña', 'Gómez', 'Núñez', 'Ibáñez', 'Güell', 'Çelik', 'Đặng', 'Østergård', 'Šimić'];
    const ev = await readAll(fixture('RTF_LOSANGELESFQHC_202611.xlsx'));
    const rows = ev.filter((e) => e.type === 'row');
    expect(rows).toHaveLength(3000);
    rows.forEach((r, i) => {
      if (r.type !== 'row') return;
      expect(r.cells).toEqual([
        `9${String(i).padStart(7, '0')}A`,
        `${LAST[i % 10]}-${LAST[(i * 7) % 10]} ${String(i).padStart(4, '0')}`,
        `${FIRST[i % 10]} ${FIRST[Math.floor(i / 10) % 10]}`,
        '2',
        'Low',
        `Se mudó; señal débil — ${'ñéíóúÑÉ'.repeat(6)} ${i}`,
      ]);
    });
  });

  it('OTF_DESERTCARE_202611.xlsx: a CSV saved by LibreOffice (dates became date cells, numbers numbers)', async () => {
    const ev = await readAll(fixture('OTF_DESERTCARE_202611.xlsx'));
    expect(summary(ev)).toEqual(['sheet OTF_DESERTCARE_202611 OTF @1', 'end OTF_DESERTCARE_202611 2']);
    const [a, b] = records(ev, 'OTF_DESERTCARE_202611');
    expect(a).toMatchObject({
      'Client Name': 'Reyes, Carmen',
      'ECM Provider National Provider Identifier (NPI)': 1437825213,
      'Date of Outreach Attempt': { date: '2026-11-03' },
      'Time Spent Performing Outreach': 15,
    });
    expect(b!['Date of Outreach Attempt']).toEqual({ date: '2026-10-28' });
  });
});

describe('readWorkbook: multi-sheet workbooks', () => {
  for (const file of ['RTF_OTF_VALLEYCLINIC_202611.xlsx', 'RTF_VALLEYCLINIC_202611.xlsm']) {
    it(`${file}: yields the RTF and OTF tabs, ignores Instructions and Lookups with a reason`, async () => {
      const ev = await readAll(fixture(file));
      expect(summary(ev)).toEqual([
        'ignored Instructions', 'sheet RTF RTF @1', 'end RTF 2', 'sheet OTF OTF @2', 'end OTF 2', 'ignored Lookups',
      ]);
      const ignored = ev.find((e) => e.type === 'ignored-sheet');
      expect(ignored?.type === 'ignored-sheet' && ignored.reason).toMatch(/no recognised header row in the first 10 rows/);
      expect(records(ev, 'RTF')[1]).toMatchObject({ 'Member Client Index Number (CIN)': '95678901E', 'In Person': 1 });
      expect(records(ev, 'OTF')).toEqual([
        expect.objectContaining({ _row: 3, 'Date of Outreach Attempt': { date: '2026-10-02' }, 'Time Spent Performing Outreach': 15, 'Outreach Attempt Successful': 'N' }),
        expect.objectContaining({ _row: 4, 'Date of Outreach Attempt': { date: '2026-10-09' }, 'Time Spent Performing Outreach': 30.5 }),
      ]);
    });
  }
});

describe('readWorkbook: unusual packages', () => {
  it('CSPRTF_HOPEHOUSING_202611.xlsx: prefixed XML, odd part names and order, rich text, phonetics, custom date formats', async () => {
    const ev = await readAll(fixture('CSPRTF_HOPEHOUSING_202611.xlsx'));
    expect(summary(ev)).toEqual(['sheet CSPRTF & notes CSPRTF @1', 'end CSPRTF & notes 2']);
    const rows = ev.filter((e) => e.type === 'row');
    expect(rows[0]).toEqual({
      type: 'row', sheet: 'CSPRTF & notes', rowNumber: 2,
      cells: ['HN', 'Hope Housing', '1558598797', '12-3456789', '96789012F', 'Rodríguez', 'HTN', '3',
        { date: '2026-09-15' }, { date: '2026-10-05' }, { date: '2026-11-03' }, '10/2026'],
    });
    expect(rows[1]).toEqual({
      type: 'row', sheet: 'CSPRTF & notes', rowNumber: 4,
      cells: ['HN', 'Line one\r\nLine two', null, null, null, '山田', null, null, null, null, null, '10/2026'],
    });
  });

  it('OTF_RIVERSIDEECM_202611.xlsx: an Excel table\'s Total row is its own event, never a row', async () => {
    const ev = await readAll(fixture('OTF_RIVERSIDEECM_202611.xlsx'));
    expect(summary(ev)).toEqual(['sheet OTF OTF @1', 'total OTF @5', 'end OTF 3']);
  });

  it('OTF_MACCLINIC_202611.xlsx: 1904 date system', async () => {
    const ev = await readAll(fixture('OTF_MACCLINIC_202611.xlsx'));
    expect(records(ev, 'OTF')[0]!['Date of Outreach Attempt']).toEqual({ date: '2026-10-30' });
  });

  it('styled blank cells far to the right do not count; values beyond maxColumns stop the read', async () => {
    const header = ['Client Name', 'Date of Outreach Attempt', 'Outreach Attempt Method', 'Provider Type'].map((l, i) => inl(`${'ABCD'[i]}1`, l)).join('');
    const styledBlank = `<row r="2">${inl('A2', 'Ana')}<c r="XFD2" s="0"/></row>`;
    const ok = await readAll(tinyZip(minimalParts(`<row r="1">${header}</row>${styledBlank}`)), { maxColumns: 10 });
    expect(ok.find((e) => e.type === 'row')).toEqual({ type: 'row', sheet: 'Data', rowNumber: 2, cells: ['Ana'] });
    const wide = `<row r="2">${inl('A2', 'Ana')}<c r="XFD2"><v>1</v></c></row><row r="3">${inl('A3', 'never read')}</row>`;
    const ev = await readAll(tinyZip(minimalParts(`<row r="1">${header}</row>${wide}`)), { maxColumns: 10 });
    expect(ev.map((e) => e.type)).toEqual(['sheet', 'limit']);
    expect(ev[1]).toEqual({ type: 'limit', sheet: 'Data', code: 'FILE_TOO_MANY_COLUMNS', limit: 10, rowNumber: 2 });
  });

  it('stops with FILE_TOO_MANY_ROWS after maxRows data rows', async () => {
    const bytes = await writeWorkbookToBuffer([
      { name: 'OTF', columns: OTF_LABELS.map((label) => ({ label })), rows: Array.from({ length: 6 }, (_, i) => [`row ${i}`]) },
    ]);
    const ev = await readAll(bytes, { maxRows: 4 });
    expect(ev.map((e) => e.type)).toEqual(['sheet', 'row', 'row', 'row', 'row', 'limit']);
    expect(ev[5]).toEqual({ type: 'limit', sheet: 'OTF', code: 'FILE_TOO_MANY_ROWS', limit: 4, rowNumber: 6 });
  });

  it('a header below row 10 is not looked for (the sheet is ignored); headerSearchRows widens it', async () => {
    const rows = Array.from({ length: 11 }, (_, i) => `<row r="${i + 1}">${inl(`A${i + 1}`, `note ${i}`)}</row>`).join('');
    const header = ['Client Name', 'Date of Outreach Attempt', 'Outreach Attempt Method'].map((l, i) => inl(`${'ABC'[i]}12`, l)).join('');
    const bytes = tinyZip(minimalParts(`${rows}<row r="12">${header}</row><row r="13">${inl('A13', 'x')}</row>`));
    expect(summary(await readAll(bytes))).toEqual(['ignored Data']);
    expect(summary(await readAll(bytes, { headerSearchRows: 12 }))).toEqual(['sheet Data OTF @12', 'end Data 1']);
    const empty = await readAll(tinyZip(minimalParts('')));
    expect(empty).toEqual([{ type: 'ignored-sheet', name: 'Data', reason: 'the first 10 rows are empty' }]);
  });

  it('shared strings, booleans, error and cells without references in a minimal package', async () => {
    const sheet = `<row r="1"><c r="A1" t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row>`
      + `<row r="2"><c t="s"><v>3</v></c><c t="b"><v>0</v></c><c t="e"><v>#DIV/0!</v></c><c/><c t="n"><v>-1.5</v></c><c t="str"><f>A1</f><v>  </v></c></row>`
      + `<row r="3"><c r="A3" t="s"><v>4</v></c></row>`;
    const ev = await readAll(tinyZip(minimalParts(sheet, { sharedStrings: ['Client Name', 'Date of Outreach Attempt', 'Outreach Attempt Method', 'a &amp; b', '   '] })));
    expect(ev.filter((e) => e.type === 'row')).toEqual([{ type: 'row', sheet: 'Data', rowNumber: 2, cells: ['a & b', false, { error: '#DIV/0!' }, null, -1.5, '  '] }]);
  });

  it('can be abandoned early without hanging', async () => {
    const it = readWorkbook(fixture('RTF_LOSANGELESFQHC_202611.xlsx'), { recognise, maxRows: 10_000, maxColumns: 50 });
    let n = 0;
    for await (const e of it) if (e.type === 'row' && ++n === 5) break;
    expect(n).toBe(5);
  });
});

describe('readWorkbook: errors', () => {
  it('throws XlsxReadError FILE_CORRUPT for a non-zip, a truncated zip and malformed sheet XML', async () => {
    const cases = [
      Buffer.from('not a zip at all'),
      fixture('RTF_ACMEHEALTH_202611.xlsx').subarray(0, 3000),
      tinyZip(minimalParts('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></row></sheetData>')),
      tinyZip(minimalParts('<row r="1"></row>').filter((p) => p.name !== 'xl/workbook.xml')),
    ];
    for (const bytes of cases) {
      const err = await readAll(bytes).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(XlsxReadError);
      expect((err as XlsxReadError).code).toBe('FILE_CORRUPT');
      expect((err as XlsxReadError).message).toMatch(/could not be read/);
    }
  });

  it('re-throws exceptions of the recognise callback unchanged', async () => {
    const boom = new Error('bug in recognise');
    const err = await (async () => {
      for await (const _ of readWorkbook(fixture('RTF_ACMEHEALTH_202611.xlsx'), { recognise: () => { throw boom; }, maxRows: 10, maxColumns: 10 })) { /* drain */ }
    })().then(() => null, (e: unknown) => e);
    expect(err).toBe(boom);
  });
});

describe('isDateFormat', () => {
  it.each([
    ['mm/dd/yyyy', true], ['m/d/yy', true], ['d-mmm-yy', true], ['[$-409]mmmm d, yyyy;@', true], ['yyyy-mm-dd hh:mm', true],
    ['General', false], ['0.00', false], ['h:mm', false], ['[h]:mm', false], ['[h]:mm:ss', false], ['#,##0 "days"', false], ['@', false], ['0%', false],
  ])('%s → %s', (f, want) => expect(isDateFormat(f)).toBe(want));
});

// A date in January or February 1900 (01/01/1900 is the classic placeholder for an unknown date
// of birth in member extracts) is Excel serial 1 to 59: Excel counts a 1900-02-29 that never was,
// so only from 1900-03-01 (serial 61) is the serial the days since 1899-12-30. Written as days
// since 1899-12-30, 01/01/1900 was serial 2, which Excel, LibreOffice, openpyxl and our own
// reader all show as 01/02/1900: a MIF or CSASF gave such a member a date of birth a day late.
import { describe, expect, it } from 'vitest';
import { excelSerialToDate } from '../../schemas/primitives.js';
import { readWorkbook, type ReadEvent } from '../../src/xlsx/reader.js';
import { writeWorkbookToBuffer, type WriteSheet } from '../../src/xlsx/writer.js';
import { partsOf } from '../helpers/workbook.js';

const DATES = ['1900-01-01', '1900-01-31', '1900-02-28', '1900-03-01', '1980-02-14'];
const SHEET: WriteSheet = { name: 'MIF', columns: [{ label: 'Member Date of Birth', type: 'date' }], rows: DATES.map((d) => [{ date: d }]) };

describe('dates before 1900-03-01 in written workbooks', () => {
  it('are written with the serial Excel gives them (1 for 01/01/1900, 59 for 02/28/1900, 61 for 03/01/1900)', async () => {
    const bytes = await writeWorkbookToBuffer([SHEET]);
    const sheet = [...(await partsOf(bytes)).entries()].find(([name]) => name === 'xl/worksheets/sheet1.xml')![1];
    const serials = [...sheet.matchAll(/<c r="A(\d+)"[^>]*><v>(\d+)<\/v><\/c>/g)].filter((m) => m[1] !== '1').map((m) => Number(m[2]));
    expect(serials).toEqual([1, 31, 59, 61, 29265]);
    // and each serial is the date it was written for, as the reader of provider files counts it
    expect(serials.map((s) => excelSerialToDate(s))).toEqual(DATES.map((d) => ({ ok: true, value: d })));
  });

  it('come back as the same calendar dates through our reader', async () => {
    const bytes = await writeWorkbookToBuffer([SHEET]);
    const events: ReadEvent<true>[] = [];
    for await (const e of readWorkbook(bytes, { recognise: (c) => (c[0] === 'Member Date of Birth' ? true : null), maxRows: 100, maxColumns: 5 })) events.push(e);
    const rows = events.flatMap((e) => (e.type === 'row' ? [e.cells[0]] : []));
    expect(rows).toEqual(DATES.map((d) => ({ date: d })));
  });
});

// Inbound workbooks as providers' office staff make them: each case is a real file (written by
// LibreOffice or openpyxl: test/fixtures/openpyxl_fixtures.py) or one written here the way
// Excel writes it, validated from bytes as the poll does, and the values the plan keeps are
// the ones the provider typed.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CSPRTF, OTF, RTF } from '../../schemas/index.js';
import { loadConfig } from '../../src/config.js';
import { INBOUND_TYPES } from '../../src/filetypes/registry.js';
import { liaisonText, unreadResponseEmail } from '../../src/ingest/pipeline.js';
import { responseSheets } from '../../src/reports/response.js';
import type { RowValues } from '../../src/validate/scope.js';
import { validateFile, type FileValidation } from '../../src/validate/file.js';
import { isCellDate, type CellValue } from '../../src/xlsx/types.js';
import { writeWorkbookToBuffer, type WriteRow } from '../../src/xlsx/writer.js';
import { inl, minimalParts, tinyZip } from '../fixtures/tiny-zip.js';
import { BASE, cellsOf } from './validate-helpers.js';

const config = loadConfig({});
const fixture = (name: string) => fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures', name));

/** Validates as the November files are validated on December 3. */
async function validate(bytes: Buffer, name: string, period = '2026-11', receivedDate = '2026-12-03') {
  const rows: { sheet: string; rowNumber: number; values: RowValues }[] = [];
  const v = await validateFile(bytes, name, {
    limits: config, types: INBOUND_TYPES.types, context: { config, receivedDate, expectedPeriod: period },
    onRow: (row) => void rows.push({ sheet: row.sheet, rowNumber: row.rowNumber, values: row.values }),
  });
  return { v, rows };
}
const codesOf = (v: FileValidation) => [...v.fileErrors, ...v.issues].map((i) => `${i.row ?? '-'} ${i.code}`);

describe('numbers a formula worked out carry binary rounding the cell does not show', () => {
  it('OTF_PALMCLINIC_202611.xlsx (LibreOffice): minutes from =(end-start)*1440 are the whole minutes shown, no rounding warning', async () => {
    const { v, rows } = await validate(fixture('OTF_PALMCLINIC_202611.xlsx'), 'OTF_PALMCLINIC_202611.xlsx');
    expect(v.rowsAccepted).toBe(5);
    expect(rows.map((r) => r.values.minutes)).toEqual([30, 15, 15, 20, 45]);
    expect(codesOf(v).filter((c) => !c.endsWith('COLUMN_UNKNOWN'))).toEqual([]);
    expect(v.outcome).toBe('ACCEPTED_WITH_WARNINGS'); // the two helper columns (Start Time, End Time) only
  });

  it('as Excel writes them (17 digits): 15.000000000000027 minutes is 15, not 16; 2.0000000000000004 visits is 2; 20.5 still rounds up', async () => {
    const otf = (cin: string, minutes: CellValue) => cellsOf(OTF, { ...BASE.OTF, cin, minutes });
    const rtf = (cin: string, inPerson: CellValue) => cellsOf(RTF, { ...BASE.RTF, cin, inPerson });
    const bytes = await writeWorkbookToBuffer([
      { name: 'OTF', columns: OTF.columns.map((c) => ({ label: c.label })), rows: [otf('91234567A', 15.000000000000027), otf('92345678B', 14.999999999999947), otf('93456789C', 20.5)] },
      { name: 'RTF', columns: RTF.columns.map((c) => ({ label: c.label })), rows: [rtf('91234567A', 2.0000000000000004), rtf('92345678B', 0.30000000000000004 * 10)] },
    ]);
    const { v, rows } = await validate(bytes, 'RTF_OTF_ACME_202609.xlsx', '2026-09', '2026-10-05');
    expect(codesOf(v)).toEqual(['4 OTF_MINUTES_ROUNDED']);
    expect(rows.map((r) => r.values.minutes ?? r.values.inPerson)).toEqual([15, 15, 21, 2, 3]);
  });
});

describe('a yes/no column coded 1/0 takes what a Y/N column takes', () => {
  it('Has Member Been Housed typed Y, N, yes, TRUE or FALSE (a real boolean cell) reads as 1 or 0, as "Yes" already did', async () => {
    const typed: CellValue[] = ['Y', 'N', 'y', 'no', true, false, 'TRUE', 'Yes', 1, '0'];
    const cins = ['91234567A', '92345678B', '93456789C', '94567890D', '95678901E', '96789012F', '97890123G', '98901234H', '91357913J', '92468024K'];
    const bytes = await writeWorkbookToBuffer([{
      name: 'CSPRTF', columns: CSPRTF.columns.map((c) => ({ label: c.label })),
      rows: typed.map((housed, i) => cellsOf(CSPRTF, { ...BASE.CSPRTF, cin: cins[i]!, housed, dateHoused: { date: '2026-09-02' } })),
    }]);
    const { v, rows } = await validate(bytes, 'CSPRTF_CASACS_202609.xlsx', '2026-09', '2026-10-05');
    expect(codesOf(v)).toEqual([]);
    expect(rows.map((r) => r.values.housed)).toEqual(['1', '0', '1', '0', '1', '0', '1', '1', '1', '0']);
  });

  it('a value that is neither is still refused, naming the codes', async () => {
    const bytes = await writeWorkbookToBuffer([{
      name: 'CSPRTF', columns: CSPRTF.columns.map((c) => ({ label: c.label })),
      rows: [cellsOf(CSPRTF, { ...BASE.CSPRTF, housed: 'maybe' })],
    }]);
    const { v } = await validate(bytes, 'CSPRTF_CASACS_202609.xlsx', '2026-09', '2026-10-05');
    expect(v.issues.map((i) => [i.code, i.column, i.message])).toEqual([['CODE_UNKNOWN', 'Has Member Been Housed', expect.stringContaining('Use one of: 0 (No), 1 (Yes).')]]);
  });
});

describe('RTF_BAYVIEWECM_202611.xlsx (openpyxl): a tracker kept by hand', () => {
  const file = 'RTF_BAYVIEWECM_202611.xlsx';

  it('the header repeated above a second block of members is skipped with a note, not rejected as a member row', async () => {
    const { v, rows } = await validate(fixture(file), file);
    const sheet = v.sheets.find((s) => s.name === 'RTF')!;
    expect(sheet).toMatchObject({ headerRow: 3, rowsRead: 4, rowsAccepted: 4, rowsRejected: 0 });
    expect(rows.filter((r) => r.sheet === 'RTF').map((r) => r.rowNumber)).toEqual([4, 5, 7, 8]);
    const notes = v.issues.filter((i) => i.sheet === 'RTF');
    expect(notes.map((i) => [i.row, i.code, i.severity])).toEqual([[6, 'HEADER_REPEATED', 'info']]);
    expect(notes[0]!.message).toBe('This row repeats the RTF header row (row 3) and was skipped: it is not a member row.');
  });

  it('a row the autofilter hides is still read (it is the provider\'s data)', async () => {
    const { rows } = await validate(fixture(file), file);
    expect(rows.find((r) => r.rowNumber === 5)?.values.cin).toBe('92345678B');
  });

  it('a hidden sheet (last month\'s rows) is not read: nothing of it applied or rejected, a note names it', async () => {
    const { v } = await validate(fixture(file), file);
    expect(v.sheets.map((s) => s.name)).toEqual(['RTF']);
    expect(v.issues.filter((i) => i.sheet === 'RTF Oct 2026').map((i) => [i.code, i.message])).toEqual([
      ['SHEET_IGNORED', 'Sheet "RTF Oct 2026" was ignored: it is hidden. Unhide it (right-click a sheet tab, Unhide) if its rows belong in this file.'],
    ]);
    expect(v).toMatchObject({ outcome: 'ACCEPTED', rowsRead: 4, rowsAccepted: 4, rowsRejected: 0, fileErrors: [] });
  });
});

describe('a file rejected whole says to send the whole file again, not the fix sheet alone', () => {
  // The RTF tab is fine but one row; the OTF tab lost its Time Spent column: nothing is applied,
  // all 4 rows are rejected, and the fix sheet lists the 1 row with an error of its own. Sent
  // back alone (as the email told), the 2 good RTF rows and the OTF row never arrived.
  async function rejectedWhole() {
    const otfLabels = OTF.columns.filter((c) => c.key !== 'minutes');
    const bytes = await writeWorkbookToBuffer([
      { name: 'RTF', columns: RTF.columns.map((c) => ({ label: c.label })), rows: [
        cellsOf(RTF, { ...BASE.RTF, cin: '91234567A' }), cellsOf(RTF, { ...BASE.RTF, cin: '92345678B' }), cellsOf(RTF, { ...BASE.RTF, cin: '93456789C', inPerson: 'two' }),
      ] },
      { name: 'OTF', columns: otfLabels.map((c) => ({ label: c.label })), rows: [otfLabels.map((c) => (BASE.OTF[c.key] ?? null))] },
    ]);
    return (await validate(bytes, 'RTF_OTF_ACME_202609.xlsx', '2026-09', '2026-10-05')).v;
  }

  it('the response Summary says nothing was applied and the whole file is to be uploaded again', async () => {
    const v = await rejectedWhole();
    expect(v).toMatchObject({ outcome: 'REJECTED', rowsRead: 4, rowsRejected: 4 });
    expect(v.rejectedRows.size).toBe(1);
    const summary = [...(responseSheets(v)[0]!.rows as Iterable<WriteRow>)].map((r) => (Array.isArray(r) ? r : r.cells));
    expect(summary).toContainEqual(['What to do', 'Nothing in this file was applied. Fix what the file errors above say and upload the whole file again: the rejected rows sheet lists only the rows with errors of their own.']);
  });

  it('the email of a file rejected unread (too large) says to upload the whole file again, not to fix a "Rejected rows" sheet it has none of', () => {
    const body = unreadResponseEmail(config, {
      provider: 'ACME', providerName: 'Acme', file: 'RTF_ACME_202611.xlsx', receivedAt: new Date('2026-12-03T17:00:00Z'), submissionId: 7,
      responseName: 'RTF_ACME_202611_response.xlsx', fileError: { code: 'FILE_TOO_LARGE', message: 'The file is larger than the 1 MB allowed.' },
    });
    expect(body).toContain('Corrected files for 11/2026 are accepted through 12/10/2026: fix what the file errors say and upload the whole file again (nothing of this file was applied).');
    expect(body).not.toContain('Rejected rows');
  });
});

describe('values pasted from a web page or a PDF carry invisible characters at their ends', () => {
  it('a zero-width space, word joiner or byte-order mark before or after a CIN, NPI, date or name is not part of the value', async () => {
    const zw = (s: string) => `\u200B${s}\u200B`;
    const bytes = await writeWorkbookToBuffer([{
      name: 'RTF', columns: RTF.columns.map((c) => ({ label: c.label })), rows: [
        cellsOf(RTF, { ...BASE.RTF, cin: '91234567A\u200B', lastName: 'Doe\u2060', providerNpi: '\uFEFF1234567893' }),
        cellsOf(RTF, { ...BASE.RTF, cin: zw('92345678b'), productionDate: zw('10/02/2026'), inPerson: zw('2'), reportingPeriod: zw('09/2026'), mcpName: '\u200B' }),
        cellsOf(RTF, { ...BASE.RTF, cin: '\u00A093456789C\u00A0' }),
      ],
    }]);
    const { v, rows } = await validate(bytes, 'RTF_ACME_202609.xlsx', '2026-09', '2026-10-05');
    expect(codesOf(v)).toEqual([]);
    expect(rows.map((r) => [r.values.cin, r.values.lastName, r.values.providerNpi, r.values.productionDate, r.values.inPerson, r.values.mcpName])).toEqual([
      ['91234567A', 'Doe', '1234567893', '2026-10-02', 2, 'Health Net'],
      ['92345678B', 'Doe', '1234567893', '2026-10-02', 2, undefined],
      ['93456789C', 'Doe', '1234567893', '2026-10-02', 2, 'Health Net'],
    ]);
  });
});

describe('the email about a file accepted with warnings only', () => {
  it('gives the deadline for corrections without sending the provider to a "Rejected rows" sheet the response does not have', () => {
    const body = liaisonText({
      file: 'OTF_ACME_202611.xlsx', sha256: '', outcome: 'ACCEPTED_WITH_WARNINGS', verdict: 'ON_TIME', period: '2026-11', rowsRead: 2, rowsAccepted: 2, rowsRejected: 0,
      warnings: 1, sheets: [], fileErrors: [], report: null, provider: 'ACME', submissionId: 3, responseName: 'OTF_ACME_202611_RESPONSE.xlsx',
      issues: [{ sheet: 'OTF', row: 3, column: null, columnLetter: null, code: 'OTF_DUPLICATE_ATTEMPT', severity: 'warning', message: '' }],
    }, 'Acme', { fixUntil: '12/10/2026' });
    expect(body).toContain('Corrections for 11/2026 are accepted through 12/10/2026: send the rows you correct (a row sent again replaces the one sent before).');
    expect(body).not.toContain('Rejected rows');
  });
});

describe('the email about a file of several layouts with rejected rows', () => {
  it('names the fix sheet the response has ("Rejected RTF rows"), not a "Rejected rows" sheet it does not have', () => {
    const body = liaisonText({
      file: 'ACME_202611.xlsx', sha256: '', outcome: 'PARTIALLY_ACCEPTED', verdict: 'ON_TIME', period: '2026-11', rowsRead: 3, rowsAccepted: 2, rowsRejected: 1,
      warnings: 0, fileErrors: [], report: null, provider: 'ACME', submissionId: 3, responseName: 'ACME_202611_RESPONSE.xlsx',
      sheets: [
        { name: 'RTF', layout: 'RTF', rowsRead: 2, rowsAccepted: 1, rowsRejected: 1, warnings: 0 },
        { name: 'OTF', layout: 'OTF', rowsRead: 1, rowsAccepted: 1, rowsRejected: 0, warnings: 0 },
      ],
      issues: [{ sheet: 'RTF', row: 3, column: 'Member ECM Status', columnLetter: 'P', code: 'CODE_UNKNOWN', severity: 'error', message: '' }],
    }, 'Acme', { fixUntil: '12/10/2026' });
    expect(body).toContain('fix the "Rejected RTF rows" sheet of the response and upload it.');
    expect(body).not.toContain('"Rejected rows"');
  });
});

describe('a date written as text with its time of day', () => {
  it('"10/02/2026 14:30", "10/2/2026 2:30 PM" and "10/02/2026 00:00:00" are that calendar date, as a date cell with a time is and "2026-10-02 14:30" already was', async () => {
    const texts = ['10/02/2026 14:30', '10/2/2026 2:30 PM', '10/02/2026 00:00:00', '10/2/2026 11:59:59 pm', '2026-10-02 14:30'];
    const cins = ['91234567A', '92345678B', '93456789C', '94567890D', '95678901E'];
    const bytes = await writeWorkbookToBuffer([{
      name: 'RTF', columns: RTF.columns.map((c) => ({ label: c.label })),
      rows: texts.map((productionDate, i) => cellsOf(RTF, { ...BASE.RTF, cin: cins[i]!, productionDate })),
    }]);
    const { v, rows } = await validate(bytes, 'RTF_ACME_202609.xlsx', '2026-09', '2026-10-05');
    expect(codesOf(v)).toEqual([]);
    expect(rows.map((r) => r.values.productionDate)).toEqual(texts.map(() => '2026-10-02'));
  });

  it('a time that is not one, or a date that is not real, is still DATE_FORMAT', async () => {
    const bytes = await writeWorkbookToBuffer([{
      name: 'RTF', columns: RTF.columns.map((c) => ({ label: c.label })),
      rows: [cellsOf(RTF, { ...BASE.RTF, productionDate: '10/02/2026 25:99' }), cellsOf(RTF, { ...BASE.RTF, cin: '92345678B', productionDate: '02/30/2026 10:00' })],
    }]);
    const { v } = await validate(bytes, 'RTF_ACME_202609.xlsx', '2026-09', '2026-10-05');
    expect(codesOf(v)).toEqual(['2 DATE_FORMAT', '3 DATE_FORMAT']);
  });
});

describe('the response fix sheet, corrected and sent back', () => {
  it('with its Errors column deleted once the errors are fixed, the Sheet and Row helpers are still the plan\'s own: ACCEPTED, no unknown-column warnings', async () => {
    const sent = await writeWorkbookToBuffer([{
      name: 'RTF', columns: RTF.columns.map((c) => ({ label: c.label })),
      rows: [cellsOf(RTF, { ...BASE.RTF }), cellsOf(RTF, { ...BASE.RTF, cin: '92345678B', zip: '9372', newAddress: 'Y', address: '1 Main St', city: 'Fresno', state: 'CA' })],
    }]);
    const { v } = await validate(sent, 'RTF_ACME_202609.xlsx', '2026-09', '2026-10-05');
    expect(v.outcome).toBe('PARTIALLY_ACCEPTED');
    // the fix sheet as the response has it, read back; the provider fixes the ZIP and deletes the Errors column
    const fix = responseSheets(v).find((s) => s.name === 'Rejected rows')!;
    const labels = fix.columns.map((c) => c.label);
    const zip = labels.indexOf('Member Residential Zip');
    const rows = [...(fix.rows as Iterable<WriteRow>)].map((r) => (Array.isArray(r) ? r : r.cells).slice(0, -1));
    expect(rows).toHaveLength(1);
    rows[0]![zip] = '93721';
    const corrected = await writeWorkbookToBuffer([{ name: 'Rejected rows', columns: fix.columns.slice(0, -1), rows }]);
    const again = await validate(corrected, 'RTF_ACME_202609_RESPONSE_fixed.xlsx', '2026-09', '2026-10-06');
    expect(codesOf(again.v)).toEqual([]);
    expect(again.v).toMatchObject({ outcome: 'ACCEPTED', rowsRead: 1, rowsAccepted: 1 });
    expect(again.rows[0]!.values).toMatchObject({ cin: '92345678B', zip: '93721' });
  });
});


// Workbooks written here part by part, for what no writer at hand makes: a cell is a value, or
// the XML inside its <c> (a formula and what was saved of its result).
type RawCell = CellValue | { xml: string; t?: string };
const xmlCell = (ref: string, v: RawCell): string =>
  v === null ? ''
  : typeof v === 'object' && 'xml' in v ? `<c r="${ref}"${v.t ? ` t="${v.t}"` : ''}>${v.xml}</c>`
  : typeof v === 'number' ? `<c r="${ref}"><v>${v}</v></c>`
  : isCellDate(v) ? inl(ref, `${v.date.slice(5, 7)}/${v.date.slice(8, 10)}/${v.date.slice(0, 4)}`)
  : inl(ref, String(v));
const sheetXml = (rows: RawCell[][]) =>
  rows.map((cells, r) => `<row r="${r + 1}">${cells.map((v, i) => xmlCell(`${String.fromCharCode(65 + i)}${r + 1}`, v)).join('')}</row>`).join('');
const workbook = (rows: RawCell[][], date1904 = false) =>
  tinyZip(minimalParts(sheetXml(rows)).map((p) => p.name === 'xl/workbook.xml' && date1904 ? { ...p, data: String(p.data).replace('<sheets>', '<workbookPr date1904="1"/><sheets>') } : p));

describe('a bare number in a date column of a workbook kept in the 1904 date system (older Mac Excel)', () => {
  // The cell's number counts days from 1904-01-01 there, not from 1900: read the 1900 way, every
  // such date came out 4 years and a day early, and was accepted.
  // 2026-10-30: 46325 days in the 1900 system, 44863 in the 1904 one
  const rows = (serial: number | string) => [OTF.columns.map((c) => c.label), cellsOf(OTF, { ...BASE.OTF, attemptDate: serial })];

  it('is that many days from 1904-01-01, as the workbook\'s own date cells are', async () => {
    const { v, rows: read } = await validate(workbook(rows(44863), true), 'OTF_MACCLINIC_202610.xlsx', '2026-10', '2026-11-03');
    expect(codesOf(v)).toEqual([]);
    expect(read[0]!.values.attemptDate).toBe('2026-10-30');
    const typed = await validate(workbook(rows('44863'), true), 'OTF_MACCLINIC_202610.xlsx', '2026-10', '2026-11-03');
    expect(typed.rows[0]!.values.attemptDate).toBe('2026-10-30');
  });

  it('and from 1900 in every other workbook, as before', async () => {
    const { v, rows: read } = await validate(workbook(rows(46325), false), 'OTF_ACME_202610.xlsx', '2026-10', '2026-11-03');
    expect(codesOf(v)).toEqual([]);
    expect(read[0]!.values.attemptDate).toBe('2026-10-30');
  });
});

describe('a formula whose result was never saved (a file written by a script: openpyxl writes <f> and an empty <v>)', () => {
  // Excel shows the value once it calculates; the file holds none. Read as blank, a required
  // cell was "blank" and an optional one dropped without a word.
  const otf = (cin: string, over: Record<string, RawCell> = {}): RawCell[] => {
    const cells: RawCell[] = cellsOf(OTF, { ...BASE.OTF, cin });
    for (const [key, v] of Object.entries(over)) cells[OTF.columns.findIndex((c) => c.key === key)] = v;
    return cells;
  };
  const unsaved = { xml: '<f>A2&amp;""</f><v></v>' };
  const file = workbook([
    OTF.columns.map((c) => c.label),
    otf('91234567A', { mcpName: unsaved }),
    otf('92345678B', { minutes: { xml: '<f>30/2</f><v></v>' } }),
    // Excel's own: a formula whose saved result is the empty string is a blank cell
    otf('93456789C', { mcpName: { xml: '<f>IF(1=1,"","x")</f><v></v>', t: 'str' } }),
    otf('94567890D', { minutes: { xml: '<f>10+5</f><v>15</v>' } }),
    // a template's rows below the data: formulas and nothing else
    ...[6, 7, 8].map(() => [unsaved, null, null, null, null, { xml: '<f>B2</f>' }, unsaved]),
  ]);

  it('in a member row is an error naming the cell and what to do, whether the column is required or not', async () => {
    const { v, rows } = await validate(file, 'OTF_SCRIPTED_202609.xlsx', '2026-09', '2026-10-05');
    const byRow = (n: number) => v.issues.filter((i) => i.row === n);
    expect(byRow(2).map((i) => `${i.code} ${i.column}`)).toEqual(['FORMULA_NO_RESULT MCP Name']);
    expect(byRow(3).map((i) => `${i.code} ${i.column}`)).toEqual(['FORMULA_NO_RESULT Time Spent Performing Outreach']);
    expect(byRow(2)[0]!.message).toMatch(/formula whose result was never saved.*Open the file in Excel or LibreOffice and save it/);
    expect(rows.filter((r) => r.rowNumber <= 5).map((r) => [r.rowNumber, r.values.minutes])).toEqual([[2, 15], [3, undefined], [4, 15], [5, 15]]);
    expect(v.rowsAccepted).toBe(2);
    expect(v.rowsRejected).toBe(2);
    // the fix sheet gives the cell back blank, for the value to be typed in
    const fix = responseSheets(v).find((s) => s.name === 'Rejected rows')!;
    const fixRows = [...(fix.rows as Iterable<WriteRow>)].map((r) => (Array.isArray(r) ? r : r.cells));
    const at = (label: string) => 2 + OTF.columns.findIndex((c) => c.label === label);
    expect(fixRows.map((r) => [r[1], r[at('MCP Name')], r[at('Time Spent Performing Outreach')]])).toEqual([[2, null, 15], [3, null, null]]);
  });

  it('rows holding nothing but such formulas are not read as members, and a warning says how many and from where', async () => {
    const { v } = await validate(file, 'OTF_SCRIPTED_202609.xlsx', '2026-09', '2026-10-05');
    expect(v.rowsRead).toBe(4);
    const w = v.issues.filter((i) => i.code === 'FORMULA_ROWS_UNREAD');
    expect(w).toHaveLength(1);
    expect(w[0]!.severity).toBe('warning');
    expect(w[0]!.message).toMatch(/^3 rows, from row 6, hold only formulas whose results were never saved/);
  });
});

describe('OTF_RIVERSIDEECM_202611.xlsx (openpyxl): the attempts kept as an Excel table with its Total row shown', () => {
  // The Total row (a "Total" label and sums below the last attempt) is part of the table, not an
  // attempt: read as one, it was a rejected row of blank required cells and the file only
  // PARTIALLY_ACCEPTED.
  it('the Total row is not read as a member row; a note names it; the attempts are accepted', async () => {
    const { v, rows } = await validate(fixture('OTF_RIVERSIDEECM_202611.xlsx'), 'OTF_RIVERSIDEECM_202611.xlsx');
    expect(rows.map((r) => r.rowNumber)).toEqual([2, 3, 4]);
    expect(v.rowsRead).toBe(3);
    expect(v.rowsAccepted).toBe(3);
    expect(codesOf(v)).toEqual(['5 TABLE_TOTAL_ROW']);
    expect(v.issues[0]!.severity).toBe('info');
    expect(v.outcome).toBe('ACCEPTED');
  });
});

// End to end without a database: a provider workbook written by the xlsx writer, validated
// from bytes, and the response workbook read back through the reader.
import { describe, expect, it } from 'vitest';
import { OTF, RTF } from '../../schemas/index.js';
import { responseSheets, responseToBuffer, sortIssues } from '../../src/reports/response.js';
import { validateFile, type FileValidation } from '../../src/validate/file.js';
import { makeIssue } from '../../src/validate/issues.js';
import { readWorkbook } from '../../src/xlsx/reader.js';
import type { CellValue } from '../../src/xlsx/types.js';
import { writeWorkbookToBuffer } from '../../src/xlsx/writer.js';
import { columnLetter } from '../../src/xlsx/cell-ref.js';
import { partsOf } from '../helpers/workbook.js';
import { BASE, CTX, cellsOf, config } from './validate-helpers.js';
import { FILE_TYPES, INBOUND_TYPES } from '../../src/filetypes/registry.js';

const rtf = (patch: Record<string, CellValue> = {}) => cellsOf(RTF, { ...BASE.RTF, ...patch });
const otf = (patch: Record<string, CellValue> = {}) => cellsOf(OTF, { ...BASE.OTF, ...patch });
const INJECTION = '=HYPERLINK("http://evil.example","click")';

async function providerFile(): Promise<Buffer> {
  return writeWorkbookToBuffer([
    { name: 'Instructions', columns: [{ label: 'How to fill in this file' }], rows: [['One row per member.']] },
    {
      name: 'RTF',
      preamble: [['ACME ECM: Return Transmission File'], []],
      columns: RTF.columns.map((c) => ({ label: c.key === 'providerNpi' ? 'ECM Provider NPI' : c.label })),
      rows: [
        rtf(),
        rtf({ cin: '91234567A12345', ecmStatus: '9', mcpName: INJECTION }),
        rtf({ cin: '92345678B', acuity: null, lastName: '+SUM(1)' }),
      ],
    },
    { name: 'OTF', columns: OTF.columns.map((c) => ({ label: c.label })), rows: [otf({ minutes: 12.5 }), otf({ minutes: 12.5 })] },
  ]);
}

async function readBack(bytes: Buffer): Promise<Map<string, CellValue[][]>> {
  const sheets = new Map<string, CellValue[][]>();
  const firsts = ['Item', 'Sheet', 'Code', 'File'];
  for await (const ev of readWorkbook(bytes, { recognise: (cells) => (firsts.includes(String(cells[0])) ? cells : null), maxRows: 10_000, maxColumns: 100 })) {
    if (ev.type === 'sheet') sheets.set(ev.name, [ev.match]);
    if (ev.type === 'row') sheets.get(ev.sheet)!.push(ev.cells);
  }
  return sheets;
}

const limits = config;
const context = { config, receivedDate: CTX.receivedDate!, expectedPeriod: CTX.expectedPeriod! };

describe('validateFile + response workbook', () => {
  let result: FileValidation;

  it('validates a two-tab workbook with a header on row 3 and an alias', async () => {
    const bytes = await providerFile();
    result = await validateFile(bytes, 'RTF_ACME_202609.xlsx', { limits, context, types: INBOUND_TYPES.types });
    expect(result).toMatchObject({ file: 'RTF_ACME_202609.xlsx', size: bytes.length, rowsRead: 5, rowsAccepted: 4, rowsRejected: 1, outcome: 'PARTIALLY_ACCEPTED' });
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.sheets.map((s) => [s.name, s.layout, s.headerRow])).toEqual([['RTF', 'RTF', 3], ['OTF', 'OTF', 1]]);
    const rejected = result.issues.filter((i) => i.severity === 'error');
    expect(rejected.map((i) => [i.row, i.columnLetter, i.code])).toEqual([[5, 'C', 'CIN_IDCARD_NUMBER'], [5, 'P', 'CODE_UNKNOWN']]);
    expect(result.countsByCode).toMatchObject({ SHEET_IGNORED: 1, ACUITY_DEFAULTED: 1, OTF_MINUTES_ROUNDED: 2, OTF_DUPLICATE_ATTEMPT: 1 });
  });

  it('--type restricts the layouts recognised', async () => {
    const r = await validateFile(await providerFile(), 'x.xlsx', { limits, context, types: [FILE_TYPES.OTF] });
    expect(r.sheets.map((s) => s.name)).toEqual(['OTF']);
    expect(r.countsByCode.SHEET_IGNORED).toBe(2);
  });

  it('a guard failure is a file error and the file is REJECTED', async () => {
    const r = await validateFile(Buffer.from('CIN,Name\n91234567A,Doe\n'), 'rtf.xlsx', { limits, context, types: INBOUND_TYPES.types });
    expect(r.fileErrors.map((e) => e.code)).toEqual(['FILE_CSV']);
    expect(r).toMatchObject({ outcome: 'REJECTED', rowsRead: 0 });
    const empty = await validateFile(Buffer.alloc(0), 'rtf.xlsx', { limits, context, types: INBOUND_TYPES.types });
    expect(empty.fileErrors.map((e) => e.code)).toEqual(['FILE_EMPTY']);
  });

  it('a workbook with no recognised sheet is REJECTED', async () => {
    const bytes = await writeWorkbookToBuffer([{ name: 'Sheet1', columns: [{ label: 'Hello' }], rows: [['x']] }]);
    const r = await validateFile(bytes, 'x.xlsx', { limits, context, types: INBOUND_TYPES.types });
    expect(r.fileErrors.map((e) => e.code)).toEqual(['NO_LAYOUT_MATCHED']);
    expect(r.outcome).toBe('REJECTED');
  });

  it('builds the response: Summary, Errors, Rejected rows (only layouts with some), Codes, Code sets', async () => {
    const bytes = await responseToBuffer(result, { extra: [['Verdict', 'ON_TIME'], ['Period', '09/2026']], codeSettings: config });
    const back = await readBack(bytes);
    expect([...back.keys()]).toEqual(['Summary', 'Errors', 'Rejected RTF rows', 'Codes', 'Code sets']);

    const summary = new Map(back.get('Summary')!.slice(1).map((r) => [r[0], r[1]]));
    expect(summary.get('Outcome')).toBe('PARTIALLY_ACCEPTED');
    expect(summary.get('Rows read')).toBe(5);
    expect(summary.get('Rows accepted')).toBe(4);
    expect(summary.get('Rows rejected')).toBe(1);
    expect(summary.get('SHA-256')).toBe(result.sha256);
    expect(summary.get('Layouts recognised')).toBe('RTF, OTF');
    expect(summary.get('Verdict')).toBe('ON_TIME');
    expect(summary.get('Count of OTF_MINUTES_ROUNDED')).toBe(2);

    const errors = back.get('Errors')!;
    expect(errors[0]).toEqual(['Sheet', 'Row', 'Column', 'Cell', 'Member CIN', 'Severity', 'Code', 'Message', 'Value']);
    const rows = errors.slice(1);
    // file-wide notes first, then by sheet order, row, column
    expect(rows.map((r) => [r[0], r[1], r[6]])).toEqual([
      ['Instructions', null, 'SHEET_IGNORED'],
      ['RTF', 5, 'CIN_IDCARD_NUMBER'],
      ['RTF', 5, 'CODE_UNKNOWN'],
      ['RTF', 6, 'ACUITY_DEFAULTED'],
      ['OTF', 2, 'OTF_MINUTES_ROUNDED'],
      ['OTF', 3, 'OTF_DUPLICATE_ATTEMPT'],
      ['OTF', 3, 'OTF_MINUTES_ROUNDED'],
    ]);
    const status = rows.find((r) => r[6] === 'CODE_UNKNOWN')!;
    expect(status[3]).toBe('P5');
    expect(status[8]).toBe('9'); // not PHI: the value is shown
    const cin = rows.find((r) => r[6] === 'CIN_IDCARD_NUMBER')!;
    expect(cin[8] ?? null).toBeNull(); // PHI: never shown
    expect(rows.some((r) => r.includes('91234567A12345'))).toBe(false);

    const rej = back.get('Rejected RTF rows')!;
    expect(rej[0]).toEqual(['Sheet', 'Row', ...RTF.columns.map((c) => c.label), 'Errors']);
    expect(rej).toHaveLength(2);
    const cells = rej[1]!;
    expect(cells.slice(0, 2)).toEqual(['RTF', 5]);
    expect(cells[2 + 1]).toBe(INJECTION); // formula-like text comes back as text, not a formula
    expect(cells[2 + 2]).toBe('91234567A12345');
    expect(String(cells.at(-1))).toContain('ID-card');
    expect(back.has('Rejected OTF rows')).toBe(false); // every OTF row was accepted

    const codes = back.get('Codes')!;
    expect(codes.some((r) => r[0] === 'CIN_IDCARD_NUMBER' && String(r[3]).includes('first 9 characters'))).toBe(true);
    const sets = back.get('Code sets')!;
    expect(sets.some((r) => r[1] === 'Member ECM Status' && r[2] === '3' && r[3] === 'Enrolled')).toBe(true);
    expect(sets.some((r) => r[1] === 'Referral Status' && r[2] === 'Services Received')).toBe(true);
  });

  it('coded columns of the rejected rows get drop-down lists', () => {
    const rejected = responseSheets(result, { codeSettings: config }).find((s) => s.name === 'Rejected RTF rows')!;
    const byLabel = new Map(rejected.columns.map((c) => [c.label, c]));
    expect(byLabel.get('Member ECM Status')?.list).toEqual(['1', '2', '3', '4']);
    expect(byLabel.get('Member Acuity Level')?.list).toEqual(['Low', 'Medium', 'High']);
    expect(byLabel.get('Member POF Indicator')?.list).toEqual(['Y', 'N']);
    expect(byLabel.get('Referral Status')?.list).toEqual(config.REFERRAL_STATUS_VALUES);
    // (no column format: a date cell keeps its own, a value in error is shown as sent)
    expect(byLabel.get('ECM Enrollment Start Date')?.type).toBeUndefined();
    expect(byLabel.get('Member Last Name')?.list).toBeUndefined();
  });

  it('a single layout gets one "Rejected rows" sheet; a capped list is noted on the Summary', () => {
    const one = { ...result, layouts: ['RTF' as const], rejectedRows: { byLayout: result.rejectedRows.byLayout, omitted: 7, cap: 1 } };
    const sheets = responseSheets(one);
    expect(sheets.map((s) => s.name)).toEqual(['Summary', 'Errors', 'Rejected rows', 'Codes', 'Code sets']);
    const summary = [...(sheets[0]!.rows as Iterable<CellValue[]>)];
    // a count is a number cell (README: counts sum and sort), the cap in the label
    expect(summary).toContainEqual(['Rejected rows not listed (the list stops at 1)', 7]);
  });

  it('sortIssues orders by sheet, row and column letter (AA after Z)', () => {
    const at = (sheet: string | null, row: number | null, columnIndex: number | null) => makeIssue('REQUIRED_BLANK', { sheet, row, columnIndex });
    const sorted = sortIssues([at('B', 2, 26), at('A', 9, 0), at('B', 2, 25), at(null, null, null), at('B', 1, 3)], ['A', 'B']);
    expect(sorted.map((i) => [i.sheet, i.row, i.columnLetter])).toEqual([[null, null, null], ['A', 9, 'A'], ['B', 1, 'D'], ['B', 2, 'Z'], ['B', 2, 'AA']]);
  });

  it('a rejected file still gets a response', async () => {
    const r = await validateFile(Buffer.alloc(0), 'rtf.xlsx', { limits, context, types: INBOUND_TYPES.types });
    const back = await readBack(await responseToBuffer(r));
    const summary = new Map(back.get('Summary')!.slice(1).map((x) => [x[0], x[1]]));
    expect(summary.get('Outcome')).toBe('REJECTED');
    expect(summary.get('File error FILE_EMPTY')).toMatch(/empty/);
  });
});

describe('the fix sheet shows what the provider typed', () => {
  /** The number format code (numFmtId) a cell of a sheet is shown with. */
  function numFmtOf(parts: Map<string, string>, sheetXml: string, ref: string): number {
    const cell = new RegExp(`<c r="${ref}"([^>]*)>`).exec(parts.get(sheetXml)!);
    expect(cell, ref).not.toBeNull();
    const s = Number(/ s="(\d+)"/.exec(cell![1]!)?.[1] ?? 0);
    const xfs = /<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(parts.get('xl/styles.xml')!)![1]!.match(/<xf [^>]*>/g)!;
    return Number(/numFmtId="(\d+)"/.exec(xfs[s]!)![1]);
  }

  it('a number in error is not rounded or turned into a date by the column\'s format (2.5 encounters stays 2.5)', async () => {
    const bytes = await writeWorkbookToBuffer([{ name: 'RTF', columns: RTF.columns.map((c) => ({ label: c.label })), rows: [rtf({ inPerson: 2.5, startDate: 20260901 })] }]);
    const r = await validateFile(bytes, 'RTF_ACME_202609.xlsx', { limits, context, types: INBOUND_TYPES.types });
    expect(r.issues.filter((i) => i.severity === 'error').map((i) => i.column)).toEqual(expect.arrayContaining(['In Person', 'ECM Enrollment Start Date']));
    const parts = await partsOf(await responseToBuffer(r));
    // Summary, Errors, Rejected rows: the fix sheet is the third; Sheet and Row come before the layout's columns
    const col = (label: string) => columnLetter(3 + RTF.columns.findIndex((c) => c.label === label));
    // General (0), not "0" (1: shown as 3) nor the date format (shown as ########)
    expect(numFmtOf(parts, 'xl/worksheets/sheet3.xml', `${col('In Person')}2`)).toBe(0);
    expect(numFmtOf(parts, 'xl/worksheets/sheet3.xml', `${col('ECM Enrollment Start Date')}2`)).toBe(0);
  });
});

describe('past the issue cap', () => {
  // The note that rejected rows were left off the fix sheet is itself an issue: past the issue
  // cap (DEFAULT_ISSUE_CAP, 200,000) it was counted among "Issues not listed" and left off the
  // Errors sheet, where the provider reads why their rows are missing.
  it('the Errors sheet still says that rejected rows were not listed, and how many', async () => {
    const bytes = await writeWorkbookToBuffer([{
      name: 'RTF', columns: RTF.columns.map((c) => ({ label: c.label })),
      rows: [rtf({ cin: 'x1' }), rtf({ cin: 'x2' }), rtf({ cin: 'x3' }), rtf({ cin: 'x4' })],
    }]);
    const r = await validateFile(bytes, 'RTF_ACME_202609.xlsx', { limits, context, types: INBOUND_TYPES.types, issueCap: 2, rejectedRowCap: 1 });
    expect(r.rowsRejected).toBe(4);
    expect(r.issuesOmitted).toBeGreaterThan(0);
    const back = await readBack(await responseToBuffer(r, { codeSettings: config }));
    const notes = back.get('Errors')!.slice(1).filter((row) => row[6] === 'ROWS_NOT_LISTED');
    expect(notes.map((row) => row[7])).toEqual(['3 more rejected rows are not listed on the rejected rows sheet (the list stops at 1); the Errors sheet lists their errors.']);
    const summary = new Map(back.get('Summary')!.slice(1).map((row) => [row[0], row[1]]));
    expect(summary.get('Rejected rows not listed (the list stops at 1)')).toBe(3);
    expect(summary.get('Issues not listed')).toBe(r.issuesOmitted);
  });
});

import { describe, expect, it } from 'vitest';
import { CSPRTF, MIF, OTF, RTF, matchHeader, type HeaderMatch } from '../../schemas/index.js';
import type { Layout } from '../../schemas/layout.js';
import { CODES, ISSUES, ISSUE_CODES, formatMessage, type IssueCode } from '../../src/validate/catalogue.js';
import { computeOutcome } from '../../src/validate/outcome.js';
import { makeIssue } from '../../src/validate/issues.js';
import { WorkbookValidator, type WorkbookEvent, type WorkbookValidationOptions } from '../../src/validate/workbook.js';
import { FILE_ERROR_CODES } from '../../src/xlsx/guard.js';
import type { CellValue } from '../../src/xlsx/types.js';
import { BASE, CTX, ROW_CASES, cellsOf } from './validate-helpers.js';
import { FILE_TYPES, INBOUND_TYPES } from '../../src/filetypes/registry.js';

const ctx = { config: CTX.config, receivedDate: CTX.receivedDate!, expectedPeriod: CTX.expectedPeriod! };
const labels = (l: Layout) => l.columns.map((c) => c.label);
const sheet = (name: string, layout: Layout, header: CellValue[] = labels(layout), headerRow = 1): WorkbookEvent => ({
  type: 'sheet', name, headerRow, match: matchHeader(header, [layout, MIF]) as HeaderMatch,
});
const row = (name: string, rowNumber: number, cells: CellValue[]): WorkbookEvent => ({ type: 'row', sheet: name, rowNumber, cells });
const rtfRow = (patch: Record<string, CellValue> = {}) => cellsOf(RTF, { ...BASE.RTF, ...patch });
const otfRow = (patch: Record<string, CellValue> = {}) => cellsOf(OTF, { ...BASE.OTF, ...patch });
const csRow = (patch: Record<string, CellValue> = {}) => cellsOf(CSPRTF, { ...BASE.CSPRTF, ...patch });

async function validate(events: WorkbookEvent[], opts: Partial<WorkbookValidationOptions> = {}) {
  const v = new WorkbookValidator({ context: ctx, types: INBOUND_TYPES.types, ...opts });
  for (const ev of events) await v.handle(ev);
  return v.finish();
}
const codes = (r: Awaited<ReturnType<typeof validate>>) => [...r.fileErrors, ...r.issues].map((i) => i.code);

interface WorkbookCase { name: string; events: WorkbookEvent[]; opts?: Partial<WorkbookValidationOptions>; code: IssueCode }

const WORKBOOK_CASES: WorkbookCase[] = [
  { name: 'duplicate CIN in an RTF', code: 'DUPLICATE_CIN', events: [sheet('RTF', RTF), row('RTF', 2, rtfRow()), row('RTF', 5, rtfRow())] },
  { name: 'duplicate CIN × service in a CSPRTF', code: 'DUPLICATE_CIN_SERVICE', events: [sheet('CS', CSPRTF), row('CS', 2, csRow()), row('CS', 3, csRow({ serviceCode: 'htn' }))] },
  { name: 'exact repeat of an OTF attempt', code: 'OTF_DUPLICATE_ATTEMPT', events: [sheet('OTF', OTF), row('OTF', 2, otfRow()), row('OTF', 3, otfRow({ successful: 'Y' }))] },
  { name: 'an OTF attempt again with other minutes', code: 'OTF_ATTEMPT_MINUTES_DIFFER', events: [sheet('OTF', OTF), row('OTF', 2, otfRow()), row('OTF', 3, otfRow({ minutes: 16 }))] },
  { name: 'missing Req columns', code: 'SHEET_MISSING_COLUMNS', events: [sheet('RTF', RTF, labels(RTF).filter((l) => l !== 'In Person')), row('RTF', 2, rtfRow())] },
  { name: 'header but no rows', code: 'SHEET_NO_DATA_ROWS', events: [sheet('RTF', RTF)] },
  { name: 'an empty sheet beside a full one', code: 'SHEET_EMPTY', events: [sheet('RTF', RTF), row('RTF', 2, rtfRow()), sheet('OTF', OTF)] },
  { name: 'an instructions sheet', code: 'SHEET_IGNORED', events: [{ type: 'ignored-sheet', name: 'Read me', reason: 'no recognised header row' }, sheet('RTF', RTF), row('RTF', 2, rtfRow())] },
  { name: 'an extra column', code: 'COLUMN_UNKNOWN', events: [sheet('RTF', RTF, [...labels(RTF), 'Notes']), row('RTF', 2, rtfRow())] },
  { name: 'a repeated column', code: 'COLUMN_DUPLICATE', events: [sheet('RTF', RTF, [...labels(RTF), 'CIN']), row('RTF', 2, rtfRow())] },
  { name: 'the header again below the first rows', code: 'HEADER_REPEATED', events: [sheet('RTF', RTF), row('RTF', 2, rtfRow()), row('RTF', 3, labels(RTF)), row('RTF', 4, rtfRow({ cin: '92345678B' }))] },
  { name: 'rows of formulas with no saved result below the members', code: 'FORMULA_ROWS_UNREAD', events: [sheet('RTF', RTF), row('RTF', 2, rtfRow()), { type: 'sheet-end', name: 'RTF', rows: 1, formulaRows: { count: 40, first: 3 } }] },
  { name: 'an Excel table\'s Total row', code: 'TABLE_TOTAL_ROW', events: [sheet('OTF', OTF), row('OTF', 2, otfRow()), { type: 'table-total', sheet: 'OTF', rowNumber: 3 }] },
  { name: 'no sheet recognised', code: 'NO_LAYOUT_MATCHED', events: [{ type: 'ignored-sheet', name: 'Sheet1', reason: 'no recognised header row' }] },
  { name: 'rejected rows beyond the cap', code: 'ROWS_NOT_LISTED', opts: { rejectedRowCap: 1 }, events: [sheet('RTF', RTF), row('RTF', 2, rtfRow({ cin: 'x' })), row('RTF', 3, rtfRow({ cin: 'y' }))] },
  { name: 'too many rows', code: 'FILE_TOO_MANY_ROWS', events: [sheet('RTF', RTF), row('RTF', 2, rtfRow()), { type: 'limit', sheet: 'RTF', code: 'FILE_TOO_MANY_ROWS', limit: 1, rowNumber: 3 }] },
  { name: 'too many columns', code: 'FILE_TOO_MANY_COLUMNS', events: [{ type: 'limit', sheet: 'RTF', code: 'FILE_TOO_MANY_COLUMNS', limit: 200, rowNumber: 1 }] },
];

describe('workbook-level codes', () => {
  it.each(WORKBOOK_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const r = await validate(c.events, c.opts);
    expect(codes(r)).toContain(c.code);
    expect(r.rowsAccepted + r.rowsRejected).toBe(r.rowsRead);
    if (ISSUES[c.code].severity === 'error' && ISSUES[c.code].scope !== 'row') {
      expect(r.outcome).toBe('REJECTED');
      expect(r.rowsAccepted).toBe(0);
    }
  });
});

describe('the catalogue', () => {
  // Codes raised outside src/validate: the guard/reader (file checks) and the ingest pipeline.
  const ELSEWHERE: IssueCode[] = [...FILE_ERROR_CODES, 'DUPLICATE_FILE', 'DECLINED_LATE',
    // the poll giving up on an upload it keeps failing on, src/ingest/give-up.ts (test/integration/ingest-answers.test.ts)
    'FILE_NOT_PROCESSED',
    // (... and on an upload the provider made unreadable to the plan: test/integration/ingest-answers.test.ts, test/e2e/production-topology.test.ts)
    'FILE_UNREADABLE',
    // database context rules, src/ingest/context-rules.ts (tested in test/integration/ingest*.test.ts)
    'PROVIDER_NPI_MISMATCH', 'PROVIDER_TIN_MISMATCH', 'LOB_NOT_CONTRACTED', 'MEMBER_NOT_ASSIGNED', 'NAME_MISMATCH', 'DOB_MISMATCH',
    // (the provider's own member under another line: test/integration/ingest.test.ts)
    'ECM_LOB_MISMATCH',
    // (an NPI or TIN the plan replaced within PREVIOUS_IDENTITY_DAYS: test/unit/provider-identity.test.ts, test/integration/provider-identity.test.ts)
    'PROVIDER_NPI_PREVIOUS', 'PROVIDER_TIN_PREVIOUS',
    // (a member assigned elsewhere since the MIF: test/integration/member-months-ingest.test.ts)
    'MEMBER_REASSIGNED', 'MEMBER_REASSIGNED_COUNTED',
    // (a member whose eligibility with the plan ended before the period: test/integration/member-eligibility-end.test.ts)
    'MEMBER_NOT_ELIGIBLE',
    // (a member the plan moved to another line of business before the period, LOB_SWITCH: test/integration/member-line-switch.test.ts)
    'MEMBER_LEFT_LINE',
    'NOT_ON_CSASF', 'CS_LOB_MISMATCH', 'AUTH_NOT_APPROVED', 'AUTH_NUMBER_MISMATCH', 'SERVICE_OUTSIDE_AUTH', 'UE_OUTREACH_INSUFFICIENT',
    'PAST_ENROLLMENT_NOT_REPORTED', 'CASELOAD_HIGH'];

  it('every code is raised by a tested rule here, or by the modules that own it', () => {
    const covered = new Set<string>([...ROW_CASES.map((c) => c.code), ...WORKBOOK_CASES.map((c) => c.code), ...ELSEWHERE]);
    expect(ISSUE_CODES.filter((c) => !covered.has(c))).toEqual([]);
  });
  it('has every file-level code the brief and the guard name', () => {
    for (const c of [...FILE_ERROR_CODES, 'FILE_TOO_MANY_ROWS', 'FILE_TOO_MANY_COLUMNS', 'NO_LAYOUT_MATCHED', 'SHEET_MISSING_COLUMNS', 'SHEET_NO_DATA_ROWS',
      'SHEET_IGNORED', 'COLUMN_UNKNOWN', 'DUPLICATE_FILE', 'DECLINED_LATE', 'PERIOD_MISMATCH'])
      expect(ISSUES, c).toHaveProperty(c);
    expect(ISSUES.SHEET_IGNORED.severity).toBe('info');
    expect(ISSUES.COLUMN_UNKNOWN.severity).toBe('warning');
    expect(CODES.CIN_FORMAT).toBe('CIN_FORMAT');
  });
  it('messages are plain sentences that fill their placeholders', () => {
    for (const code of ISSUE_CODES) expect(ISSUES[code].message, code).toMatch(/\.$/);
    expect(formatMessage('TEXT_TOO_LONG', { column: 'Member Last Name', max: 60 })).toBe('Member Last Name is longer than 60 characters. Shorten it.');
    expect(formatMessage('REQUIRED_BLANK')).toBe(' is required and is blank. Fill it in.');
  });
});

describe('streaming validation', () => {
  it('flags the later duplicate and names the earlier row, across sheets too', async () => {
    const r = await validate([sheet('RTF', RTF), row('RTF', 2, rtfRow()), row('RTF', 3, rtfRow({ cin: '92345678B' })), sheet('RTF2', RTF), row('RTF2', 4, rtfRow())]);
    const dup = r.issues.filter((i) => i.code === 'DUPLICATE_CIN');
    expect(dup).toHaveLength(1);
    expect(dup[0]).toMatchObject({ sheet: 'RTF2', row: 4, column: 'Member Client Index Number (CIN)', columnLetter: 'C', cin: '91234567A' });
    expect(dup[0]!.message).toContain('row 2 of sheet "RTF"');
    expect(r).toMatchObject({ rowsRead: 3, rowsAccepted: 2, rowsRejected: 1, outcome: 'PARTIALLY_ACCEPTED' });
  });

  it('a member once per line of business: another line is no duplicate, the same line again is, whichever sheet and line came first', async () => {
    const cv = { mcpId: 'CV', mcpName: 'CalViva Health' };
    const r = await validate([
      sheet('RTF', RTF), row('RTF', 2, rtfRow()), row('RTF', 3, rtfRow(cv)), row('RTF', 4, rtfRow({ cin: '92345678B', ...cv })),
      sheet('RTF2', RTF), row('RTF2', 2, rtfRow({ cin: '92345678B', ...cv })), row('RTF2', 3, rtfRow(cv)), row('RTF2', 4, rtfRow({ cin: '92345678B' })), row('RTF2', 5, rtfRow()),
    ]);
    const dup = r.issues.filter((i) => i.code === 'DUPLICATE_CIN').map((i) => [i.sheet, i.row, i.message.match(/row \d+( of sheet "\w+")?/)![0]]);
    expect(dup).toEqual([['RTF2', 2, 'row 4 of sheet "RTF"'], ['RTF2', 3, 'row 3 of sheet "RTF"'], ['RTF2', 5, 'row 2 of sheet "RTF"']]);
  });

  it('a key is taken only by a row that was accepted: the provider\'s corrected row after a rejected one is no duplicate; a true duplicate still is', async () => {
    const dups = (r: Awaited<ReturnType<typeof validate>>, code: IssueCode) =>
      r.issues.filter((i) => i.code === code).map((i) => [i.row, i.message.match(/row \d+/)![0]]);
    // a CSPRTF row rejected for its own error (an unknown engagement status), then the row again, put right
    const cs = await validate([sheet('CS', CSPRTF), row('CS', 2, csRow({ engagementStatus: '9' })), row('CS', 3, csRow()), row('CS', 4, csRow())]);
    expect(dups(cs, 'DUPLICATE_CIN_SERVICE')).toEqual([[4, 'row 3']]);
    expect(cs).toMatchObject({ rowsRead: 3, rowsAccepted: 1, rowsRejected: 2 });
    // the same in an RTF (a member once per line of business)
    const rtf = await validate([sheet('RTF', RTF), row('RTF', 2, rtfRow({ ecmStatus: '9' })), row('RTF', 3, rtfRow()), row('RTF', 4, rtfRow())]);
    expect(dups(rtf, 'DUPLICATE_CIN')).toEqual([[4, 'row 3']]);
    expect(rtf).toMatchObject({ rowsRead: 3, rowsAccepted: 1, rowsRejected: 2 });
    // a row a context rule (after the cross-row check) rejects takes no key either
    const refused = await validate([sheet('CS', CSPRTF), row('CS', 2, csRow()), row('CS', 3, csRow())], {
      contextRules: ({ rowNumber }) => (rowNumber === 2 ? [makeIssue('NOT_ON_CSASF', { sheet: 'CS', row: 2 })] : []),
    });
    expect(dups(refused, 'DUPLICATE_CIN_SERVICE')).toEqual([]);
    expect(refused).toMatchObject({ rowsAccepted: 1, rowsRejected: 1 });
  });

  it('the same CIN with another CS service is not a duplicate; OTF double entry is only a warning', async () => {
    const r = await validate([sheet('CS', CSPRTF), row('CS', 2, csRow()), row('CS', 3, csRow({ serviceCode: 'HD', housed: null })), sheet('OTF', OTF), row('OTF', 2, otfRow()), row('OTF', 3, otfRow())]);
    expect(codes(r)).toEqual(['OTF_DUPLICATE_ATTEMPT']);
    expect(r).toMatchObject({ rowsRead: 4, rowsAccepted: 4, rowsRejected: 0, warnings: 1, outcome: 'ACCEPTED_WITH_WARNINGS' });
    expect(r.layouts).toEqual(['CSPRTF', 'OTF']);
  });

  it('an OTF attempt (member, date, method) again with other minutes is rejected, naming the row that holds it; another date or method is another attempt', async () => {
    // (accepted, the later row replaced the earlier one in the merge by key, and the earlier one silently stopped counting)
    const r = await validate([
      sheet('OTF', OTF), row('OTF', 2, otfRow()), row('OTF', 3, otfRow({ minutes: 16 })), row('OTF', 4, otfRow({ method: '1', minutes: 16 })),
      row('OTF', 5, otfRow({ attemptDate: { date: '2026-09-04' }, minutes: 16 })), row('OTF', 6, otfRow({ minutes: 16 })),
    ]);
    expect(r.issues.map((i) => [i.row, i.code, i.severity, i.message.match(/^Row \d+/)![0]])).toEqual([
      [3, 'OTF_ATTEMPT_MINUTES_DIFFER', 'error', 'Row 2'],
      [6, 'OTF_ATTEMPT_MINUTES_DIFFER', 'error', 'Row 2'],
    ]);
    expect(r).toMatchObject({ rowsRead: 5, rowsAccepted: 3, rowsRejected: 2, outcome: 'PARTIALLY_ACCEPTED' });
    // the first row holding the attempt rejected for its own error takes no key: the later row is the file's
    const first = await validate([sheet('OTF', OTF), row('OTF', 2, otfRow({ successful: 'maybe' })), row('OTF', 3, otfRow({ minutes: 16 }))]);
    expect(first.issues.map((i) => [i.row, i.code])).toEqual([[2, 'YN_FORMAT']]);
  });

  it('works with columns in another order, extra columns and a header lower down', async () => {
    const header: CellValue[] = ['Notes', ...[...labels(OTF)].reverse()];
    const cells = ['call back', ...[...otfRow()].reverse()];
    const r = await validate([sheet('OTF', OTF, header, 3), row('OTF', 4, cells)]);
    expect(r.sheets[0]).toMatchObject({ headerRow: 3, rowsRead: 1, rowsAccepted: 1 });
    expect(r.issues.map((i) => [i.code, i.row, i.columnLetter])).toEqual([['COLUMN_UNKNOWN', 3, 'A']]);
  });

  it('skips blank rows and ignores rows of unknown sheets', async () => {
    const r = await validate([sheet('RTF', RTF), row('RTF', 2, [null, '  ']), row('Other', 3, rtfRow()), row('RTF', 4, rtfRow())]);
    expect(r.rowsRead).toBe(1);
  });

  it('hands each validated row to onRow', async () => {
    const seen: [number, boolean, unknown][] = [];
    await validate([sheet('RTF', RTF), row('RTF', 2, rtfRow()), row('RTF', 3, rtfRow({ cin: '92345678B', ecmStatus: '7' }))], {
      onRow: (r) => void seen.push([r.rowNumber, r.accepted, r.values.ecmStatus]),
    });
    expect(seen).toEqual([[2, true, '3'], [3, false, undefined]]); // an invalid cell has no value
  });

  it('collects the rejected rows in layout order with their errors', async () => {
    const r = await validate([sheet('RTF', RTF, [...labels(RTF)].reverse()), row('RTF', 2, [...rtfRow({ lastName: null })].reverse())]);
    const kept = r.rejectedRows.byLayout.get('RTF')!;
    expect(kept).toHaveLength(1);
    expect(kept[0]!.cells).toEqual(rtfRow({ lastName: null }));
    expect(kept[0]!.errors).toContain('Member Last Name is required');
  });

  it('keeps issues up to a cap but counts all', async () => {
    const r = await validate([sheet('RTF', RTF), row('RTF', 2, rtfRow({ acuity: null })), row('RTF', 3, rtfRow({ cin: '92345678B', acuity: null }))], { issueCap: 1 });
    expect(r.issues).toHaveLength(1);
    expect(r.issuesOmitted).toBe(1);
    expect(r.countsByCode.ACUITY_DEFAULTED).toBe(2);
    expect(r.warnings).toBe(2);
  });

  it('a sheet error rejects every row of the file, including other sheets', async () => {
    const r = await validate([sheet('OTF', OTF), row('OTF', 2, otfRow()), sheet('RTF', RTF, labels(RTF).filter((l) => l !== 'Telephonic/Video')), row('RTF', 2, rtfRow())]);
    expect(r.fileErrors.map((e) => [e.code, e.sheet])).toEqual([['SHEET_MISSING_COLUMNS', 'RTF']]);
    expect(r.fileErrors[0]!.message).toContain('Telephonic/Video');
    expect(r.sheets.map((s) => [s.name, s.rowsRead, s.rowsAccepted, s.rowsRejected])).toEqual([['OTF', 1, 0, 1], ['RTF', 1, 0, 1]]);
    expect(r.outcome).toBe('REJECTED');
  });

  it('the recognise callback honours the types option', () => {
    const v = new WorkbookValidator({ context: ctx, types: [FILE_TYPES.OTF] });
    expect(v.recognise(labels(RTF))).toBeNull();
    expect(v.recognise(labels(OTF))?.layout).toBe(OTF);
  });
});

describe('outcome', () => {
  it.each([
    [{ fileErrors: 0, rowsRead: 10, rowsRejected: 0, warnings: 0 }, 'ACCEPTED'],
    [{ fileErrors: 0, rowsRead: 10, rowsRejected: 0, warnings: 3 }, 'ACCEPTED_WITH_WARNINGS'],
    [{ fileErrors: 0, rowsRead: 10, rowsRejected: 4, warnings: 0 }, 'PARTIALLY_ACCEPTED'],
    [{ fileErrors: 0, rowsRead: 10, rowsRejected: 10, warnings: 0 }, 'REJECTED'],
    [{ fileErrors: 1, rowsRead: 10, rowsRejected: 0, warnings: 0 }, 'REJECTED'],
    [{ fileErrors: 0, rowsRead: 0, rowsRejected: 0, warnings: 0 }, 'REJECTED'],
  ] as const)('%j → %s', (counts, outcome) => {
    expect(computeOutcome(counts)).toBe(outcome);
  });
  it('refuses impossible counts', () => {
    expect(() => computeOutcome({ fileErrors: 0, rowsRead: 1, rowsRejected: 2, warnings: 0 })).toThrow();
  });
});

describe('rejected rows beyond the fix sheet\'s cap', () => {
  it('the note (read on the Errors sheet) names the rejected rows sheet they are missing from, not "this sheet"', async () => {
    const r = await validate([sheet('RTF', RTF), row('RTF', 2, rtfRow({ cin: 'x' })), row('RTF', 3, rtfRow({ cin: 'y' }))], { rejectedRowCap: 1 });
    const note = r.issues.find((i) => i.code === 'ROWS_NOT_LISTED')!;
    expect(note.message).toBe('1 more rejected rows are not listed on the rejected rows sheet (the list stops at 1); the Errors sheet lists their errors.');
  });
});

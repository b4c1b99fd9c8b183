// The response workbook a provider gets back for an inbound file: Summary, Errors, the
// rejected rows in the layout's own columns (fix them and send them again), the issue
// codes and the code sets. Streams through the xlsx writer; the caller hands over only
// the rejected rows it kept (bounded), never the whole file.
import { codesFor, layoutByName, type CodeSettings } from '../../schemas/index.js';
import { FIX_SHEET_COLUMNS, type ColumnDef, type Layout } from '../../schemas/layout.js';
import { declineRule, type DeadlinePolicy } from '../calendar/deadlines.js';
import { showIsoDate } from '../calendar/zone.js';
import { codeMeaning, ISSUES, ISSUE_CODES, type IssueCode, type MessageParams } from '../validate/catalogue.js';
import type { Issue } from '../validate/issues.js';
import type { RejectedRow, RejectedRowCollector } from '../validate/rejected.js';
import type { WorkbookValidation } from '../validate/workbook.js';
import { writeWorkbook, writeWorkbookToBuffer, type WriteColumn, type WriteRow, type WriteSheet } from '../xlsx/writer.js';
import { isCellError, isNoResult, type CellValue } from '../xlsx/types.js';

/** What the response needs of a validation (FileValidation satisfies it). */
export type ResponseInput = Pick<
  WorkbookValidation,
  'outcome' | 'layouts' | 'rowsRead' | 'rowsAccepted' | 'rowsRejected' | 'warnings' | 'sheets' | 'fileErrors' | 'issues'
> & {
  file: string;
  size: number;
  sha256: string;
  issuesOmitted?: number;
  countsByCode: Partial<Record<string, number>>;
  rejectedRows?: Pick<RejectedRowCollector, 'byLayout' | 'omitted' | 'cap'>;
};

export interface ResponseOptions {
  /** Extra Summary lines from the caller: verdict, period, superseded submission, diff... */
  extra?: readonly (readonly [string, string])[];
  /** Allowed values of configured code columns (referral status), for drop-downs. */
  codeSettings?: CodeSettings;
  /** When the response was produced, as people read it (MM/DD/YYYY ...), shown on the Summary. */
  generatedAt?: string;
  /** The same instant on the caller's clock: the workbook's own created time (else the system clock's). */
  created?: Date;
  /** The layout of a file type read (default: the layouts of schemas/); the ingest passes its registry's. */
  layoutOf?: (name: string) => Layout | undefined;
  /** The deadline policy in force: the Codes sheet says the deadline days with it. */
  deadlines?: DeadlinePolicy;
}

/** File errors the provider answers by sending nothing again (declined, a repeat) or that are the plan's own. */
const NOT_RESENT = new Set(['DECLINED_LATE', 'DUPLICATE_FILE', 'FILE_NOT_PROCESSED']);

/**
 * A file rejected whole (a file or sheet error): nothing of it was applied, and the rejected rows
 * sheet lists only the rows with errors of their own, so sent back alone (as a partly accepted
 * file's is) the file's other rows would never arrive. Null when the file was not rejected
 * whole, or there is nothing to send again.
 */
export function wholeFileAdvice(r: Pick<ResponseInput, 'fileErrors' | 'rejectedRows'>): string | null {
  if (r.fileErrors.length === 0 || r.fileErrors.some((e) => NOT_RESENT.has(e.code))) return null;
  const listed = [...(r.rejectedRows?.byLayout.values() ?? [])].some((rows) => rows.length > 0);
  return `Nothing in this file was applied. Fix what the file errors above say and upload the whole file again${listed ? ': the rejected rows sheet lists only the rows with errors of their own.' : '.'}`;
}

/** Counts stay numbers (a number cell sums and sorts); everything else is text. */
const kv = (label: string, value: string | number): CellValue[] => [label, value];

function summarySheet(r: ResponseInput, o: ResponseOptions): WriteSheet {
  const rows: CellValue[][] = [
    kv('File', r.file),
    kv('Size (bytes)', r.size),
    kv('SHA-256', r.sha256),
    kv('Outcome', r.outcome),
    kv('Layouts recognised', r.layouts.join(', ') || 'none'),
    kv('Rows read', r.rowsRead),
    kv('Rows accepted', r.rowsAccepted),
    kv('Rows rejected', r.rowsRejected),
    kv('Warnings', r.warnings),
  ];
  if (o.generatedAt) rows.push(kv('Response produced', o.generatedAt));
  for (const s of r.sheets)
    rows.push(kv(`Sheet "${s.name}" (${s.layout})`, `header on row ${s.headerRow}; ${s.rowsRead} read, ${s.rowsAccepted} accepted, ${s.rowsRejected} rejected, ${s.warnings} warnings`));
  for (const e of r.fileErrors) rows.push(kv(`File error ${e.code}`, e.message));
  const advice = wholeFileAdvice(r);
  if (advice) rows.push(kv('What to do', advice));
  for (const [label, value] of o.extra ?? []) rows.push(kv(label, value));
  for (const code of Object.keys(r.countsByCode).sort()) rows.push(kv(`Count of ${code}`, r.countsByCode[code] ?? 0));
  // (the count a number cell as every other count, the cap in the label)
  if (r.rejectedRows?.omitted) rows.push(kv(`Rejected rows not listed (the list stops at ${r.rejectedRows.cap})`, r.rejectedRows.omitted));
  if (r.issuesOmitted) rows.push(kv('Issues not listed', r.issuesOmitted));
  return { name: 'Summary', columns: [{ label: 'Item', width: 24, maxWidth: 40 }, { label: 'Value', width: 40, maxWidth: 90, wrap: true }], rows };
}

const letterIndex = (l: string | null): number => (l ? [...l].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) : 0);

/** Sorted by sheet (file order), row, then column; file-wide issues and notes on unread sheets first. */
export function sortIssues(issues: readonly Issue[], sheetOrder: readonly string[]): Issue[] {
  const sheetIdx = (s: string | null) => (s === null ? -1 : sheetOrder.indexOf(s));
  return [...issues].sort(
    (a, b) => sheetIdx(a.sheet) - sheetIdx(b.sheet) || (a.row ?? 0) - (b.row ?? 0) || letterIndex(a.columnLetter) - letterIndex(b.columnLetter),
  );
}

export const NO_PROBLEMS = 'No problems found';

/** One line per issue; a file without any says so in one line rather than leaving an empty sheet. */
function errorsSheet(r: ResponseInput): WriteSheet {
  const issues = sortIssues([...r.fileErrors, ...r.issues], r.sheets.map((s) => s.name));
  const rows: CellValue[][] = issues.map((i) => [
    i.sheet, i.row, i.column, i.columnLetter && i.row !== null ? `${i.columnLetter}${i.row}` : i.columnLetter, i.cin ?? null,
    i.severity, i.code, i.message, i.value === undefined ? null : showIsoDate(i.value),
  ]);
  if (rows.length === 0) rows.push([null, null, null, null, null, null, null, NO_PROBLEMS, null]);
  return {
    name: 'Errors',
    columns: [
      { label: 'Sheet', width: 10 }, { label: 'Row', width: 6, type: 'int' }, { label: 'Column', width: 16, maxWidth: 34 }, { label: 'Cell', width: 6 },
      { label: 'Member CIN', width: 11 }, { label: 'Severity', width: 9 }, { label: 'Code', width: 16, maxWidth: 34 },
      { label: 'Message', width: 60, maxWidth: 80, wrap: true }, { label: 'Value', width: 10, maxWidth: 30 },
    ],
    rows,
  };
}

/**
 * The layout's columns on the fix sheet carry no number format: a cell there is what the
 * provider sent, often the very value in error, and a column format would show it as something
 * else (2.5 encounters as 3 under a whole-number format, 20260901 in a date column as ########).
 * Date cells keep the date format of their own.
 */
function writeColumn(c: ColumnDef, settings: CodeSettings | undefined): WriteColumn {
  const out: WriteColumn = { label: c.label, ...(c.width ? { width: c.width } : {}) };
  if (c.type === 'code') {
    const set = settings ? codesFor(c, settings) : c.codes;
    if (set) out.list = Object.keys(set);
  } else if (c.type === 'YN') out.list = ['Y', 'N'];
  return out;
}

/**
 * Error cells go back as their text (#N/A): the provider sees what it sent. A formula with no
 * saved result goes back blank, for the value to be typed in (its comment says why).
 */
const plain = (v: CellValue): CellValue => (isNoResult(v) ? null : isCellError(v) ? v.error : v);

/** The rejected row as the provider sent it; each cell in error highlighted, its messages as the cell's comment. */
function fixRow(row: RejectedRow): WriteRow {
  const before = 2; // the Sheet and Row columns
  const flags = new Map<number, string>();
  for (const [index, messages] of row.cellErrors) flags.set(before + index, messages.join('\n'));
  return { cells: [row.sheet, row.row, ...row.cells.map(plain), row.errors], flags };
}

/** A fix sheet's name: "Rejected rows", or "Rejected RTF rows" ... when the file has several layouts (the email names it too). */
export const rejectedSheetName = (layout: string, layoutCount: number): string => (layoutCount > 1 ? `Rejected ${layout} rows` : 'Rejected rows');

/** Per layout with rejected rows (a fully accepted file gets none): the rows to fix and send again. */
function rejectedSheets(r: ResponseInput, o: ResponseOptions): WriteSheet[] {
  const byLayout: ReadonlyMap<string, readonly RejectedRow[]> = r.rejectedRows?.byLayout ?? new Map();
  const names = r.layouts.length ? r.layouts : [...byLayout.keys()];
  const layoutOf = o.layoutOf ?? layoutByName;
  const layouts = names.map(layoutOf).filter((l): l is Layout => l !== undefined);
  const withRows = layouts.filter((l) => (byLayout.get(l.name)?.length ?? 0) > 0);
  return withRows.map((layout) => ({
    name: rejectedSheetName(layout.name, layouts.length),
    columns: [
      { label: FIX_SHEET_COLUMNS.sheet, width: 8 }, { label: FIX_SHEET_COLUMNS.row, width: 6, type: 'int' as const },
      ...layout.columns.map((c) => writeColumn(c, o.codeSettings)),
      { label: FIX_SHEET_COLUMNS.errors, width: 60, maxWidth: 80, wrap: true },
    ],
    rows: (byLayout.get(layout.name) ?? []).map(fixRow),
    freezeHeader: true,
    autoFilter: true,
  }));
}

/** What the Codes sheet can say for certain about a code, beyond its template. */
function knownParams(code: IssueCode, o: ResponseOptions): MessageParams {
  if (code !== 'DECLINED_LATE') return {};
  return { reason: o.deadlines ? declineRule(o.deadlines) : 'It arrived after the last day files for its period are accepted.' };
}

function codesSheet(o: ResponseOptions): WriteSheet {
  return {
    name: 'Codes',
    columns: [{ label: 'Code', width: 20, maxWidth: 34 }, { label: 'Severity', width: 9 }, { label: 'Applies to', width: 8 }, { label: 'Meaning and how to fix', width: 60, maxWidth: 90, wrap: true }],
    rows: ISSUE_CODES.map((code) => [code, ISSUES[code].severity, ISSUES[code].scope, codeMeaning(code, knownParams(code, o))]),
  };
}

/** Allowed values per coded column of the layouts read; none (nothing recognised) leaves no sheet. */
function codeSetsSheet(r: ResponseInput, o: ResponseOptions): WriteSheet[] {
  const rows: CellValue[][] = [];
  for (const name of r.layouts) {
    const layout = (o.layoutOf ?? layoutByName)(name);
    for (const c of layout?.columns ?? []) {
      if (c.type !== 'code' && c.type !== 'codeList') continue;
      const set = o.codeSettings ? codesFor(c, o.codeSettings) : c.codes;
      for (const [code, meaning] of Object.entries(set ?? {})) rows.push([name, c.label, code, meaning]);
    }
  }
  if (rows.length === 0) return [];
  return [{
    name: 'Code sets',
    columns: [{ label: 'File', width: 6 }, { label: 'Column', width: 20, maxWidth: 40 }, { label: 'Code', width: 8, maxWidth: 30 }, { label: 'Meaning', width: 30, maxWidth: 70, wrap: true }],
    rows,
  }];
}

/** The response's sheets, in order. */
export function responseSheets(r: ResponseInput, o: ResponseOptions = {}): WriteSheet[] {
  return [summarySheet(r, o), errorsSheet(r), ...rejectedSheets(r, o), codesSheet(o), ...codeSetsSheet(r, o)].map((s) => ({ freezeHeader: true, ...s }));
}

export async function writeResponse(target: string | NodeJS.WritableStream, r: ResponseInput, o: ResponseOptions = {}): Promise<void> {
  await writeWorkbook(target, responseSheets(r, o), { created: o.created });
}

export async function responseToBuffer(r: ResponseInput, o: ResponseOptions = {}): Promise<Buffer> {
  return writeWorkbookToBuffer(responseSheets(r, o), { created: o.created });
}

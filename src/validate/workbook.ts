// Validation of a whole workbook, driven by the reader's event stream (sheet, row,
// ignored-sheet, sheet-end). Streaming: per row it keeps only counters, cross-row keys,
// issues (capped) and rejected rows (capped). The ingest pipeline feeds events and may
// act on each validated row through `onRow`; the final outcome comes from `finish()`.
import { matchHeader, normaliseLabel, type HeaderMatch } from '../../schemas/index.js';
import { FIX_SHEET_COLUMNS, type ColumnDef, type Layout } from '../../schemas/layout.js';
import type { CellValue } from '../xlsx/types.js';
import { ISSUES, type IssueCode, type MessageParams } from './catalogue.js';
import { isBlankRow } from './cells.js';
import { CrossRowChecker } from './cross-row.js';
import type { RowValidation } from './file-type.js';
import { makeIssue, type Issue } from './issues.js';
import { computeOutcome, type Outcome } from './outcome.js';
import { DEFAULT_REJECTED_ROW_CAP, RejectedRowCollector } from './rejected.js';
import { bindRow, validateRow, type RowContext } from './row.js';
import type { RowCells, RowValues } from './scope.js';

/** The reader's events (src/xlsx/reader.ts), structurally. */
export type WorkbookEvent =
  | { type: 'sheet'; name: string; headerRow: number; match: HeaderMatch; date1904?: boolean }
  | { type: 'row'; sheet: string; rowNumber: number; cells: CellValue[] }
  | { type: 'ignored-sheet'; name: string; reason: string }
  | { type: 'table-total'; sheet: string; rowNumber: number }
  | { type: 'sheet-end'; name: string; rows: number; formulaRows?: { count: number; first: number } }
  | { type: 'limit'; sheet: string; code: 'FILE_TOO_MANY_ROWS' | 'FILE_TOO_MANY_COLUMNS'; limit: number; rowNumber: number };

export interface SheetSummary {
  name: string;
  layout: string;
  headerRow: number;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  warnings: number;
}

export interface ValidatedRow {
  sheet: string;
  layout: Layout;
  rowNumber: number;
  values: RowValues;
  /** The values in the layout's column order, when the validator has them so (`inOrder[i]` is `values[layout.columns[i].key]`). */
  inOrder?: readonly unknown[];
  issues: Issue[];
  /** Row-level verdict; nothing is applied unless the file's outcome is not REJECTED. */
  accepted: boolean;
  cin?: string;
  cells: RowCells;
}

export interface WorkbookValidationOptions {
  /**
   * The file types recognised, each with its layout and rules (src/filetypes: the registry's
   * `types`). A sheet is read only as one of these.
   */
  types: readonly RowValidation[];
  context: Omit<RowContext, 'sheet' | 'rowNumber'>;
  onRow?: (row: ValidatedRow) => void | Promise<void>;
  /**
   * Rules that need more than the row (the database context of the submitting provider): run
   * after the row and cross-row rules, before the row's verdict, so they can reject it.
   */
  contextRules?: (row: { sheet: string; layout: Layout; rowNumber: number; values: RowValues; cin?: string; cells: RowCells; issues: readonly Issue[] }) => Issue[];
  rejectedRowCap?: number;
  /** Row issues kept for the response; counts stay exact beyond it. */
  issueCap?: number;
}

export interface WorkbookValidation {
  outcome: Outcome;
  layouts: string[];
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  /** Warning-severity issues (rows and sheets). */
  warnings: number;
  sheets: SheetSummary[];
  /** File- and sheet-level errors: any of them rejects the whole file. */
  fileErrors: Issue[];
  /** Everything else, in file order: row issues, sheet warnings and notes. */
  issues: Issue[];
  /** Issues not kept past issueCap. */
  issuesOmitted: number;
  countsByCode: Partial<Record<IssueCode, number>>;
  rejectedRows: RejectedRowCollector;
}

export const DEFAULT_ISSUE_CAP = 200_000;

interface SheetState { summary: SheetSummary; match: HeaderMatch; type: RowValidation; checker: CrossRowChecker; broken: boolean; probe: HeaderProbe | null }

/**
 * The cheap first test of whether a data row is the header again (a second block of members
 * pasted below the first with its own header): the header's column whose titles are the
 * longest. Few of its values are that long, and a member's never reads as one of its titles.
 */
interface HeaderProbe { index: number; minLength: number; labels: ReadonlySet<string> }

function headerProbe(match: HeaderMatch): HeaderProbe | null {
  let best: HeaderProbe | null = null;
  match.columns.forEach((column: ColumnDef | null, index) => {
    if (!column) return;
    const labels = new Set([column.label, ...(column.aliases ?? [])].map(normaliseLabel));
    const minLength = Math.min(...[...labels].map((l) => l.length));
    if (!best || minLength > best.minLength) best = { index, minLength, labels };
  });
  return best;
}

function looksLikeHeader(probe: HeaderProbe, cells: readonly CellValue[]): boolean {
  const cell = cells[probe.index];
  // (a normalised label is never longer than the text it came from: most rows stop here)
  return typeof cell === 'string' && cell.length >= probe.minLength && probe.labels.has(normaliseLabel(cell));
}

export class WorkbookValidator {
  readonly layouts: readonly Layout[];
  private readonly types: ReadonlyMap<Layout, RowValidation>;
  private readonly sheets = new Map<string, SheetState>();
  private readonly checkers = new Map<string, CrossRowChecker>();
  private readonly fileErrors: Issue[] = [];
  private readonly issues: Issue[] = [];
  private issuesOmitted = 0;
  private warnings = 0;
  private readonly counts: Partial<Record<IssueCode, number>> = {};
  private readonly rejected: RejectedRowCollector;
  private readonly issueCap: number;
  /**
   * The row rules' context, its sheet and row number set for each row: one object reused, as
   * nothing keeps it past its row (spreading a new one per row was ~4% of a large file's ingest).
   */
  private readonly rowContext: RowContext;

  constructor(private readonly opts: WorkbookValidationOptions) {
    this.rowContext = { ...opts.context, sheet: '', rowNumber: 0 };
    this.types = new Map(opts.types.map((t) => [t.layout, t]));
    this.layouts = opts.types.map((t) => t.layout);
    this.rejected = new RejectedRowCollector(opts.rejectedRowCap ?? DEFAULT_REJECTED_ROW_CAP);
    this.issueCap = opts.issueCap ?? DEFAULT_ISSUE_CAP;
  }

  /** The reader's `recognise` callback. */
  readonly recognise = (cells: CellValue[]): HeaderMatch | null => matchHeader(cells, this.layouts);

  /** Records an issue found outside the row rules (the reader's file errors, a late verdict...). */
  addIssue(issue: Issue): void {
    this.counts[issue.code] = (this.counts[issue.code] ?? 0) + 1;
    if (issue.severity === 'warning') this.warnings++;
    if (issue.severity === 'error' && ISSUES[issue.code].scope !== 'row') {
      this.fileErrors.push(issue);
      return;
    }
    // A file-wide note (one per file: ROWS_NOT_LISTED) is kept past the cap: it says what the
    // response leaves out, and it comes last, when a large bad file has filled the list
    if (this.issues.length < this.issueCap || ISSUES[issue.code].scope === 'file') this.issues.push(issue);
    else this.issuesOmitted++;
  }

  addFileError(code: IssueCode, params: MessageParams = {}, sheet: string | null = null): void {
    this.addIssue(makeIssue(code, { sheet }, params));
  }

  /** Takes one reader event; returns a promise only when `onRow` returned one (await it then). */
  handle(ev: WorkbookEvent): void | Promise<void> {
    switch (ev.type) {
      case 'sheet':
        // (one workbook, one date system: every sheet's event says the same)
        this.rowContext.date1904 = ev.date1904 === true;
        return this.startSheet(ev.name, ev.headerRow, ev.match);
      case 'ignored-sheet':
        return this.addIssue(makeIssue('SHEET_IGNORED', { sheet: ev.name }, { detail: ev.reason }));
      case 'row':
        return this.row(ev.sheet, ev.rowNumber, ev.cells);
      case 'table-total':
        return this.addIssue(makeIssue('TABLE_TOTAL_ROW', { sheet: ev.sheet, row: ev.rowNumber }));
      case 'sheet-end':
        if (ev.formulaRows)
          this.addIssue(makeIssue('FORMULA_ROWS_UNREAD', { sheet: ev.name }, { count: ev.formulaRows.count, row: ev.formulaRows.first }));
        return;
      case 'limit':
        return this.addFileError(ev.code, { limit: ev.limit }, ev.sheet);
    }
  }

  private startSheet(name: string, headerRow: number, match: HeaderMatch): void {
    const layout = match.layout;
    const type = this.types.get(layout);
    // (the header is matched against these types' layouts only: another is a bug, never a skip)
    if (!type) throw new Error(`sheet recognised as ${layout.name}, which is not a file type handed to the validator`);
    let checker = this.checkers.get(layout.name);
    if (!checker) this.checkers.set(layout.name, (checker = new CrossRowChecker(layout, type.crossRow)));
    const summary: SheetSummary = { name, layout: layout.name, headerRow, rowsRead: 0, rowsAccepted: 0, rowsRejected: 0, warnings: 0 };
    const broken = match.missingRequired.length > 0;
    this.sheets.set(name, { summary, match, type, checker, broken, probe: headerProbe(match) });
    if (broken)
      this.addFileError('SHEET_MISSING_COLUMNS', { layout: layout.name, detail: match.missingRequired.map((c) => c.label).join('; ') }, name);
    const helpers = fixSheetHelpers(match.unknown);
    for (const u of match.unknown)
      if (!helpers.has(u.index)) this.addIssue(makeIssue('COLUMN_UNKNOWN', { sheet: name, row: headerRow, columnIndex: u.index, value: u.label }, { layout: layout.name }));
    for (const d of match.duplicates)
      this.addIssue(makeIssue('COLUMN_DUPLICATE', { sheet: name, row: headerRow, column: d.column.label, columnIndex: d.index, value: d.label }));
  }

  private row(sheet: string, rowNumber: number, cells: CellValue[]): void | Promise<void> {
    const state = this.sheets.get(sheet);
    if (!state || isBlankRow(cells)) return;
    const { summary, match, checker } = state;
    if (state.probe && looksLikeHeader(state.probe, cells) && matchHeader(cells, this.layouts)?.layout === match.layout) {
      // the header again, above a second block: not a member row (it was 30-odd errors and a rejected row)
      this.addIssue(makeIssue('HEADER_REPEATED', { sheet, row: rowNumber }, { layout: match.layout.name, headerRow: summary.headerRow }));
      return;
    }
    summary.rowsRead++;
    if (state.broken) {
      summary.rowsRejected++;
      return;
    }
    const layout = match.layout;
    const bound = bindRow(match, cells);
    const ctx = this.rowContext;
    ctx.sheet = sheet;
    ctx.rowNumber = rowNumber;
    const result = validateRow(state.type, bound, ctx);
    const issues = result.issues; // the row's own array: later checks add to it
    for (const i of checker.check(sheet, rowNumber, result.values, bound)) issues.push(i);
    if (this.opts.contextRules)
      for (const i of this.opts.contextRules({ sheet, layout, rowNumber, values: result.values, cells: bound, issues, ...(result.cin ? { cin: result.cin } : {}) })) issues.push(i);
    // (a member named only by an ID-card number: the later checks' issues name it too)
    if (result.member && !result.cin) for (const i of issues) i.cin ??= result.member;
    const accepted = !issues.some((i) => i.severity === 'error');
    for (const issue of issues) {
      this.addIssue(issue);
      if (issue.severity === 'warning') summary.warnings++;
    }
    if (accepted) {
      summary.rowsAccepted++;
      checker.accept();
    } else {
      summary.rowsRejected++;
      this.rejected.add(layout, sheet, rowNumber, bound, issues);
    }
    if (this.opts.onRow) {
      const row: ValidatedRow = { sheet, layout, rowNumber, values: result.values, inOrder: result.inOrder, issues, accepted, cells: bound };
      if (result.cin) row.cin = result.cin;
      return this.opts.onRow(row);
    }
  }

  finish(): WorkbookValidation {
    const states = [...this.sheets.values()];
    const sheets = states.map((s) => s.summary);
    const rowsRead = sheets.reduce((n, s) => n + s.rowsRead, 0);
    if (this.fileErrors.length === 0) {
      if (sheets.length === 0) this.addFileError('NO_LAYOUT_MATCHED', { expected: this.layouts.map((l) => l.name).join(', ') });
      else
        for (const { summary: s, type } of states)
          if (s.rowsRead === 0)
            this.addIssue(makeIssue(rowsRead === 0 ? 'SHEET_NO_DATA_ROWS' : 'SHEET_EMPTY', { sheet: s.name }, { layout: s.layout, unit: type.unit }));
    }
    if (this.rejected.omitted > 0)
      this.addIssue(makeIssue('ROWS_NOT_LISTED', {}, { count: this.rejected.omitted, limit: this.rejected.cap }));
    // A file-level error rejects every row: nothing of the file is applied.
    if (this.fileErrors.length > 0)
      for (const s of sheets) {
        s.rowsRejected = s.rowsRead;
        s.rowsAccepted = 0;
      }
    const rowsRejected = sheets.reduce((n, s) => n + s.rowsRejected, 0);
    return {
      outcome: computeOutcome({ fileErrors: this.fileErrors.length, rowsRead, rowsRejected, warnings: this.warnings }),
      layouts: [...new Set(sheets.map((s) => s.layout))],
      rowsRead,
      rowsAccepted: rowsRead - rowsRejected,
      rowsRejected,
      warnings: this.warnings,
      sheets,
      fileErrors: this.fileErrors,
      issues: this.issues,
      issuesOmitted: this.issuesOmitted,
      countsByCode: this.counts,
      rejectedRows: this.rejected,
    };
  }
}

/**
 * The unknown columns that are the response fix sheet's own helpers, by index: Sheet and Row
 * both present, with Errors if it is still there (a provider who has fixed the errors often
 * deletes their column; its Sheet and Row were then "not a column", a warning on a clean file).
 */
function fixSheetHelpers(unknown: readonly { index: number; label: string }[]): Set<number> {
  const label = (u: { label: string }) => u.label.trim().toLowerCase();
  const [sheet, row, errors] = [FIX_SHEET_COLUMNS.sheet, FIX_SHEET_COLUMNS.row, FIX_SHEET_COLUMNS.errors].map((l) => l.toLowerCase());
  if (!unknown.some((u) => label(u) === sheet) || !unknown.some((u) => label(u) === row)) return new Set();
  return new Set(unknown.filter((u) => [sheet, row, errors].includes(label(u))).map((u) => u.index));
}

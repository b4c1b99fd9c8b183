// Issue objects: where (sheet, Excel row, column), what (code, severity) and the message.
import { columnLetter as letters } from '../xlsx/cell-ref.js';
import { formatMessage, severityOf, type IssueCode, type MessageParams, type Severity } from './catalogue.js';

export interface Issue {
  sheet: string | null;
  /** Excel row number as the provider sees it; null for file- and sheet-wide issues. */
  row: number | null;
  /** Canonical column label; null when the issue is not about one column. */
  column: string | null;
  columnLetter: string | null;
  code: IssueCode;
  severity: Severity;
  message: string;
  /** The member's CIN when the row has a valid one. */
  cin?: string;
  /** The offending cell as text, only for columns that do not hold PHI. */
  value?: string;
}

/** 0-based column index → Excel letters (0 → A, 26 → AA). */
export const columnLetter = (index: number): string => letters(index + 1);

export interface IssueWhere { sheet?: string | null; row?: number | null; column?: string | null; columnIndex?: number | null; cin?: string; value?: string }

export function makeIssue(code: IssueCode, where: IssueWhere = {}, params: MessageParams = {}): Issue {
  const issue: Issue = {
    sheet: where.sheet ?? null,
    row: where.row ?? null,
    column: where.column ?? null,
    columnLetter: where.columnIndex === undefined || where.columnIndex === null ? null : columnLetter(where.columnIndex),
    code,
    severity: severityOf(code),
    message: formatMessage(code, { column: where.column ?? undefined, value: where.value, sheet: where.sheet ?? undefined, ...params }),
  };
  if (where.cin) issue.cin = where.cin;
  if (where.value !== undefined) issue.value = where.value;
  return issue;
}

export const isError = (i: { severity: Severity }): boolean => i.severity === 'error';

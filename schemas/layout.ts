// The shape of a file layout declaration. Each of the five layouts (RTF, OTF, CSPRTF, MIF,
// CSASF) is declared once with these types; readers, validators, writers, templates and
// fixtures derive from the declaration.
import type { CodeSet } from './codes.js';

export type LayoutName = 'RTF' | 'OTF' | 'CSPRTF' | 'MIF' | 'CSASF';
export type InboundLayoutName = 'RTF' | 'OTF' | 'CSPRTF';

export type ColumnType =
  | 'text' | 'date' | 'int' | 'minutes' | 'code' | 'codeList' | 'YN' | 'CIN' | 'NPI' | 'TIN'
  | 'phone' | 'zip' | 'state' | 'email' | 'period';

export type Requiredness = 'req' | 'cond' | 'opt';

export interface ColumnDef {
  /** Stable key used in code and in normalised row objects (camelCase). */
  key: string;
  /** Canonical label, as written in our files and shown to providers. */
  label: string;
  /** Other labels providers use for the same column. */
  aliases?: readonly string[];
  req: Requiredness;
  type: ColumnType;
  /** Maximum text length. */
  max?: number;
  /** Allowed values for code / codeList columns. */
  codes?: CodeSet;
  /** Codes match ignoring case (e.g. acuity `low`). */
  caseInsensitive?: boolean;
  /** Plain-language rule shown in templates and the Codes sheet. */
  rule?: string;
  /** Column width in characters for writers. */
  width?: number;
  /** Holds PHI: never echoed in liaison reports or logs. */
  phi?: boolean;
}

export interface Layout {
  name: LayoutName;
  title: string;
  /** Sheet name used when we write this layout. */
  sheetName: string;
  direction: 'inbound' | 'outbound';
  columns: readonly ColumnDef[];
}

/**
 * The helper columns of the response's fix sheet ("Rejected rows": where each row came from,
 * and what was wrong). The fix sheet is meant to be corrected and sent back as it is, so a
 * sheet carrying all three reads them as the plan's own helpers, never as unknown columns.
 */
export const FIX_SHEET_COLUMNS = { sheet: 'Sheet', row: 'Row', errors: 'Errors' } as const;

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

export interface ColumnDef<K extends string = string> {
  /** Stable key used in code and in normalised row objects (camelCase). */
  key: K;
  /** Canonical label, as written in our files and shown to providers. */
  label: string;
  /** Other labels providers use for the same column. */
  aliases?: readonly string[];
  req: Requiredness;
  type: ColumnType;
  /** Maximum text length; for int and minutes columns, the largest value (a row error past it). */
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

/**
 * A layout declaration. `K` is the union of its column keys and `N` its name, both inferred from
 * the declaration (see `layout()`), so code naming a column of a given layout (a rule, an apply
 * statement, a prefill) is checked by the compiler: a misspelt key does not compile.
 */
export interface Layout<K extends string = string, N extends string = string> {
  name: N;
  title: string;
  /** Sheet name used when we write this layout. */
  sheetName: string;
  direction: 'inbound' | 'outbound';
  columns: readonly ColumnDef<K>[];
}

/** The column keys of a layout declaration: `ColumnKey<typeof RTF>` is `'mcpId' | 'cin' | ...`. */
export type ColumnKey<L> = L extends Layout<infer K, string> ? K : never;

/** Declares a layout, keeping its column keys and name as literal types. */
export function layout<const N extends string, K extends string>(declaration: Layout<K, N>): Layout<K, N> {
  return declaration;
}

/**
 * The helper columns of the response's fix sheet ("Rejected rows": where each row came from,
 * and what was wrong). The fix sheet is meant to be corrected and sent back as it is, so a
 * sheet carrying Sheet and Row (Errors too, or deleted once fixed) reads them as the plan's own
 * helpers, never as unknown columns.
 */
export const FIX_SHEET_COLUMNS = { sheet: 'Sheet', row: 'Row', errors: 'Errors' } as const;

// What validation needs to know of a file type: its layout, its row rules, the blanks it fills
// in, the key no two of its rows may share, and what one row stands for. The file types
// themselves (src/filetypes) declare these with everything else about the type; validation is
// handed them, so it stays pure and knows no type by name.
import type { Layout } from '../../schemas/layout.js';
import type { IssueCode } from './catalogue.js';
import type { RowCells, RowScope } from './scope.js';
import type { CellOut } from './types.js';

/** One row rule; `K` the keys it reads (a typo does not compile). */
export type RowRule<K extends string = string> = (s: RowScope<K>) => void;

/** A Req column whose blank is replaced by a default with a warning (RTF acuity → Low). */
export interface BlankDefault { value: string; code: IssueCode }

/**
 * A cell recorded as a set value whatever the provider typed in it, when the row's other cells
 * say so (OTF: an attempt by mail is 1 minute, spec §4.9). Decided before the cell is read: what
 * it holds then does not matter, so its blank is not "required" and a bad value is no error.
 * `code` is the warning when the cell did not already hold the value.
 */
export interface SetCell { when: (cells: RowCells) => boolean; value: CellOut; code: IssueCode }

/**
 * Rows of one file may not share this key (RTF: one row per CIN); applied row by row while
 * streaming, keeping only the keys of earlier rows. `same`: a repeat whose further columns hold
 * the same values too is that issue instead (OTF: an attempt repeated with other minutes is
 * `code`, an error; with the same minutes a possible double entry, a warning).
 */
export interface CrossRowKey<K extends string = string> { keys: readonly K[]; code: IssueCode; same?: { keys: readonly K[]; code: IssueCode } }

export interface RowValidation<K extends string = string, N extends string = string> {
  readonly layout: Layout<K, N>;
  readonly rules: readonly RowRule<K>[];
  readonly blankDefaults?: Readonly<Partial<Record<K, BlankDefault>>>;
  readonly setCells?: Readonly<Partial<Record<K, SetCell>>>;
  readonly crossRow: CrossRowKey<K>;
  /** What one row stands for, in the provider's words ("member", "outreach attempt"). */
  readonly unit: string;
}

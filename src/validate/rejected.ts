// The rejected rows a response lists back to the provider, in the layout's column order.
// Bounded: past the cap only a count is kept, so a huge bad file never sits in memory.
import type { Layout } from '../../schemas/layout.js';
import type { CellValue } from '../xlsx/types.js';
import type { Issue } from './issues.js';
import type { RowCells } from './scope.js';

export const DEFAULT_REJECTED_ROW_CAP = 50_000;

export interface RejectedRow {
  sheet: string;
  row: number;
  /** The provider's cells, one per column of the layout (absent columns are null). */
  cells: CellValue[];
  /** The row's error messages, joined. */
  errors: string;
  /** Error messages per cell: index into the layout's columns → the messages of the issues on that cell. */
  cellErrors: Map<number, string[]>;
}

export class RejectedRowCollector {
  readonly byLayout = new Map<string, RejectedRow[]>();
  /** Rejected rows past the cap (counted, not kept). */
  omitted = 0;
  private kept = 0;

  constructor(readonly cap: number = DEFAULT_REJECTED_ROW_CAP) {}

  add(layout: Layout, sheet: string, row: number, cells: RowCells, issues: readonly Issue[]): void {
    if (this.kept >= this.cap) {
      this.omitted++;
      return;
    }
    this.kept++;
    const list = this.byLayout.get(layout.name) ?? [];
    this.byLayout.set(layout.name, list);
    const errors = issues.filter((i) => i.severity === 'error');
    const cellErrors = new Map<number, string[]>();
    for (const e of errors) {
      const index = e.column === null ? -1 : layout.columns.findIndex((c) => c.label === e.column);
      if (index >= 0) cellErrors.set(index, [...(cellErrors.get(index) ?? []), e.message]);
    }
    list.push({
      sheet,
      row,
      cells: layout.columns.map((c) => cells.get(c.key)?.value ?? null),
      errors: errors.map((i) => i.message).join(' | '),
      cellErrors,
    });
  }

  get size(): number {
    return this.kept;
  }
}

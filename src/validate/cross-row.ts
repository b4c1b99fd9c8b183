// Rules across the rows of one file, applied row by row while streaming: only the keys of
// earlier rows are kept, never the rows. Each file type declares its key (src/filetypes).
import type { Layout } from '../../schemas/layout.js';
import type { CrossRowKey } from './file-type.js';
import { makeIssue, type Issue } from './issues.js';
import type { RowCells } from './scope.js';
import type { CellOut } from './types.js';

/** One per file type per file (several sheets of the same type share it). */
export class CrossRowChecker {
  private readonly seen = new Map<string, { sheet: string; row: number }>();

  constructor(readonly layout: Layout, private readonly rule: CrossRowKey) {}

  /** Issues for this row given the rows before it; remembers its key. */
  check(sheet: string, row: number, values: Readonly<Record<string, CellOut | null>>, cells: RowCells): Issue[] {
    const parts = this.rule.keys.map((k) => values[k]);
    if (parts.some((p) => p === null || p === undefined)) return [];
    const key = parts.map(String).join('\u0000');
    const first = this.seen.get(key);
    if (!first) {
      this.seen.set(key, { sheet, row });
      return [];
    }
    const cinColumn = this.layout.columns.find((c) => c.key === 'cin');
    const cin = typeof values.cin === 'string' ? values.cin : undefined;
    return [
      makeIssue(
        this.rule.code,
        { sheet, row, column: cinColumn?.label ?? null, columnIndex: cells.get('cin')?.index ?? null, ...(cin ? { cin } : {}) },
        { row: first.sheet === sheet ? String(first.row) : `${first.row} of sheet "${first.sheet}"` },
      ),
    ];
  }
}

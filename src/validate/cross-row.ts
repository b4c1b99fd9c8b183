// Rules across the rows of one file, applied row by row while streaming: only the keys of
// earlier rows are kept, never the rows. RTF: one row per CIN; CSPRTF: one row per CIN ×
// service; OTF: an exact repeat of an attempt is a possible double entry (warning).
import type { Layout, LayoutName } from '../../schemas/layout.js';
import type { IssueCode } from './catalogue.js';
import { makeIssue, type Issue } from './issues.js';
import type { RowCells } from './scope.js';
import type { CellOut } from './types.js';

interface KeyRule { keys: readonly string[]; code: IssueCode }

export const CROSS_ROW_RULES: Partial<Record<LayoutName, KeyRule>> = {
  RTF: { keys: ['cin'], code: 'DUPLICATE_CIN' },
  CSPRTF: { keys: ['cin', 'serviceCode'], code: 'DUPLICATE_CIN_SERVICE' },
  OTF: { keys: ['cin', 'attemptDate', 'method', 'minutes'], code: 'OTF_DUPLICATE_ATTEMPT' },
};

/** One per layout per file (several sheets of the same layout share it). */
export class CrossRowChecker {
  private readonly seen = new Map<string, { sheet: string; row: number }>();
  private readonly rule: KeyRule | undefined;

  constructor(readonly layout: Layout) {
    this.rule = CROSS_ROW_RULES[layout.name];
  }

  /** Issues for this row given the rows before it; remembers its key. */
  check(sheet: string, row: number, values: Readonly<Record<string, CellOut | null>>, cells: RowCells): Issue[] {
    if (!this.rule) return [];
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

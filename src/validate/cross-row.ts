// Rules across the rows of one file, applied row by row while streaming: only the keys of
// earlier accepted rows are kept, never the rows. Each file type declares its key (src/filetypes).
import type { Layout } from '../../schemas/layout.js';
import type { CrossRowKey } from './file-type.js';
import { makeIssue, type Issue } from './issues.js';
import type { RowCells, RowValues } from './scope.js';

/** `same`: the row's values of the key's `same` columns (empty without them). */
interface Seen { sheet: string; row: number; rest: string; same: string }

/** One per file type per file (several sheets of the same type share it). */
export class CrossRowChecker {
  /**
   * Keys accepted, by their first part (the CIN): a file's rows are mostly one per member, and the
   * CIN string is the reader's own, so the map holds no new string for them. The value is the
   * row number alone when the key's other parts, its `same` values and the sheet are the file's
   * first ones (a file is mostly one sheet and one line: no object per row), else a Seen. A
   * second key of the same member (another line, another attempt) is kept whole in `others`. At
   * 200k rows a joined key and an object per row were 25 MB more.
   */
  private readonly seen = new Map<string, number | Seen>();
  private readonly others = new Map<string, Seen>();
  private common: { sheet: string; rest: string; same: string } | undefined;

  /**
   * The key of the row just checked, until its verdict: only a row that is accepted takes its
   * key (accept). A rejected row is not in the file for the plan, so the provider's corrected
   * row after it is no duplicate (and staging still holds each key accepted once per file:
   * uniquePerFile). Fields, not an object: no allocation per row.
   */
  private pendingHead: string | undefined;
  private pendingRest = '';
  private pendingSame = '';
  private pendingSheet = '';
  private pendingRow = 0;
  private pendingOther = false;

  constructor(readonly layout: Layout, private readonly rule: CrossRowKey) {}

  /** Issues for this row given the accepted rows before it; its key is taken only by accept(). */
  check(sheet: string, row: number, values: Readonly<RowValues>, cells: RowCells): Issue[] {
    this.pendingHead = undefined;
    const keys = this.rule.keys;
    const h = values[keys[0]!];
    if (h === null || h === undefined) return [];
    let rest = '';
    for (let i = 1; i < keys.length; i++) {
      const p = values[keys[i]!];
      if (p === null || p === undefined) return [];
      rest = i === 1 ? String(p) : `${rest}\u0000${String(p)}`;
    }
    let same = '';
    for (const k of this.rule.same?.keys ?? []) {
      const p = values[k];
      if (p === null || p === undefined) return [];
      same = `${same}\u0000${String(p)}`;
    }
    const head = String(h);
    const prior = this.seen.get(head);
    let first: Seen | undefined;
    if (prior !== undefined) {
      const common = this.common!;
      first = typeof prior === 'number' ? { sheet: common.sheet, row: prior, rest: common.rest, same: common.same } : prior;
      if (first.rest !== rest) first = this.others.get(`${head}\u0000${rest}`);
    }
    if (!first) {
      this.pendingHead = head;
      this.pendingRest = rest;
      this.pendingSame = same;
      this.pendingSheet = sheet;
      this.pendingRow = row;
      this.pendingOther = prior !== undefined;
      return [];
    }
    const cinColumn = this.layout.columns.find((c) => c.key === 'cin');
    const cin = typeof values.cin === 'string' ? values.cin : undefined;
    // (the same values in the `same` columns too: that issue, else the key's)
    const code = this.rule.same && first.same === same ? this.rule.same.code : this.rule.code;
    return [
      makeIssue(
        code,
        { sheet, row, column: cinColumn?.label ?? null, columnIndex: cells.get('cin')?.index ?? null, ...(cin ? { cin } : {}) },
        { row: first.sheet === sheet ? String(first.row) : `${first.row} of sheet "${first.sheet}"` },
      ),
    ];
  }

  /** The row just checked was accepted: its key is taken, and a later row with it is a duplicate. */
  accept(): void {
    const head = this.pendingHead;
    if (head === undefined) return;
    this.pendingHead = undefined;
    const { pendingSheet: sheet, pendingRow: row, pendingRest: rest, pendingSame: same } = this;
    if (this.pendingOther) {
      this.others.set(`${head}\u0000${rest}`, { sheet, row, rest, same });
      return;
    }
    const common = (this.common ??= { sheet, rest, same });
    this.seen.set(head, common.sheet === sheet && common.rest === rest && common.same === same ? row : { sheet, row, rest, same });
  }
}

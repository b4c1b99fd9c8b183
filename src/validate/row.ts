// One data row against its layout: types and code sets of every cell, Req blanks, the cells its
// type sets (OTF mail: 1 minute), then the layout's row rules. Pure: the same cells and context always give the same result.
import type { HeaderMatch } from '../../schemas/index.js';
import type { CellValue } from '../xlsx/types.js';
import type { BlankDefault, RowValidation, SetCell } from './file-type.js';
import { isError, type Issue } from './issues.js';
import { BoundRow, RowScope, valuesOf, type ColumnIndex, type LayoutPositions, type RowCells, type RowContext, type RowValues } from './scope.js';
import { idCardCin, parseCell, type CellOut } from './types.js';

export type { RowCells, RowContext };

export interface RowResult {
  /** Normalised values by column key, every column of the layout; a blank or invalid cell holds undefined (the staged JSON has null there). */
  values: RowValues;
  /** The same values in the layout's column order: `inOrder[i]` is `values[layout.columns[i].key]` (staging writes it as is). */
  inOrder: readonly (CellOut | undefined)[];
  issues: Issue[];
  /** No error-severity issue. */
  accepted: boolean;
  /** The member's CIN when valid. */
  cin?: string;
  /**
   * The member the row's issues name: its CIN, or the CIN its ID-card number starts with (the
   * row is rejected, but its correction is that member's row).
   */
  member?: string;
}

const headers = new WeakMap<readonly (unknown | null)[], { index: ColumnIndex; inLayout: LayoutPositions }>();

/**
 * Pairs a data row's cells with the columns its header named. Built once per header: the key →
 * index map, and where each of the layout's columns is (validation reads every column of every
 * row by position, not by a key lookup per cell).
 */
export function bindRow(match: Pick<HeaderMatch, 'columns' | 'layout'>, cells: readonly CellValue[]): RowCells {
  let header = headers.get(match.columns);
  if (!header) {
    const index = new Map<string, number>();
    match.columns.forEach((column, i) => {
      if (column) index.set(column.key, i);
    });
    const positions = Int32Array.from(match.layout.columns, (c) => index.get(c.key) ?? -1);
    headers.set(match.columns, (header = { index, inLayout: { layout: match.layout, positions } }));
  }
  return new BoundRow(header.index, cells, header.inLayout);
}

/** A file type's cells it sets and blank defaults, by column position (looked up once, not per cell). */
interface TypePlan { sets: readonly (SetCell | undefined)[]; defaults: readonly (BlankDefault | undefined)[] }
const plans = new WeakMap<object, TypePlan>();
function planOf<K extends string>(type: RowValidation<K>): TypePlan {
  let plan = plans.get(type);
  if (!plan) {
    const keys = type.layout.columns.map((c) => c.key as K);
    plans.set(type, (plan = { sets: keys.map((k) => type.setCells?.[k]), defaults: keys.map((k) => type.blankDefaults?.[k]) }));
  }
  return plan;
}

/** One row of a file type: the type's layout gives the cells' types, its rules the rest. */
export function validateRow<K extends string>(type: RowValidation<K>, cells: RowCells, ctx: RowContext): RowResult {
  const { layout, rules } = type;
  const s = new RowScope<K>(layout, cells, ctx);
  const { sets, defaults } = planOf(type);
  const columns = layout.columns;
  const positions = cells instanceof BoundRow ? cells.positionsIn(layout) : undefined;
  const inOrder = new Array<CellOut | undefined>(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    const cell = positions ? (cells as BoundRow).at(positions[i]!) : cells.value(column.key);
    const r = parseCell(column, cell, ctx.config, ctx.date1904);
    const set = sets[i];
    if (set?.when(cells)) {
      inOrder[i] = set.value;
      // a cell that already says the value (`1`, `1.0`, `0:01`) needs no word
      if (r.kind !== 'ok' || r.value !== set.value || r.warning) s.add(set.code, column.key, r.kind === 'blank' ? { value: 'blank' } : {});
      continue;
    }
    if (r.kind === 'blank') {
      const dflt = defaults[i];
      if (dflt) {
        inOrder[i] = dflt.value;
        s.add(dflt.code, column.key);
        continue;
      }
      s.markBlank(column.key);
      if (column.req === 'req') s.add('REQUIRED_BLANK', column.key);
    } else if (r.kind === 'bad') s.add(r.problem.code, column.key, r.problem.params);
    else {
      inOrder[i] = r.value;
      if (r.warning) s.add(r.warning.code, column.key, r.warning.params);
    }
  }
  s.values = valuesOf(layout, inOrder);
  const cin = typeof s.values.cin === 'string' ? s.values.cin : undefined;
  const member = cin ?? (s.issues.some((i) => i.code === 'CIN_IDCARD_NUMBER') ? idCardCin(cells.value('cin')) : undefined);
  for (const rule of rules) rule(s);
  if (member) for (const issue of s.issues) issue.cin = member;
  const result: RowResult = { values: s.values, inOrder, issues: s.issues, accepted: !s.issues.some(isError) };
  if (cin) result.cin = cin;
  if (member) result.member = member;
  return result;
}

// The working state of one row under validation: normalised values, which cells were blank,
// and the issues found so far. Row rules read values and add issues through it.
import type { CodeSettings } from '../../schemas/index.js';
import type { ColumnDef, Layout } from '../../schemas/layout.js';
import type { IsoDate } from '../../schemas/primitives.js';
import { showIsoDate } from '../calendar/zone.js';
import type { Config } from '../config.js';
import type { CellValue } from '../xlsx/types.js';
import type { IssueCode, MessageParams } from './catalogue.js';
import { cellText } from './cells.js';
import { makeIssue, type Issue } from './issues.js';
import type { CellOut } from './types.js';

/** The settings row validation reads (a full Config satisfies it). */
export type ValidationSettings = CodeSettings &
  Pick<Config, 'OTF_LOOKBACK_DAYS' | 'ASSESSMENT_START_DAYS' | 'ASSESSMENT_COMPLETE_DAYS' | 'CARE_PLAN_DAYS'>;

export interface RowContext {
  config: ValidationSettings;
  /** Local date the file was received: no date may be after it. */
  receivedDate?: IsoDate;
  /** Used instead of receivedDate when that is unknown (offline validation: today). */
  today?: IsoDate;
  /** `YYYY-MM`: the period the file must report. */
  expectedPeriod?: string;
  /** The workbook counts dates from 1904 (the reader's `date1904`): a bare number in a date column follows it. */
  date1904?: boolean;
  /** Where the row is, for the issues: sheet name and Excel row number. */
  sheet?: string;
  rowNumber?: number;
}

/** A row's cells by column key, with the 0-based cell index each came from. */
export interface RowCells {
  /** The cell and where it is; undefined when the sheet has no such column. */
  get(key: string): { value: CellValue; index: number } | undefined;
  /** Just the cell's value (no allocation: called for every column of every row). */
  value(key: string): CellValue | undefined;
}

/** Column key → 0-based cell index, for one header row. */
export type ColumnIndex = ReadonlyMap<string, number>;

/** Where a header put each of its layout's columns: their cell indexes in layout order, -1 where the sheet lacks one. */
export interface LayoutPositions { layout: Layout; positions: Int32Array }

/** A data row seen through its header: a view over the reader's cell array, nothing copied. */
export class BoundRow implements RowCells {
  /** @param inLayout the header's positions too (bindRow): without them, cells are found by key only */
  constructor(private readonly columns: ColumnIndex, private readonly cells: readonly CellValue[], private readonly inLayout?: LayoutPositions) {}
  /** Where each of `layout`'s columns is in the row, when the header was matched to it (see LayoutPositions). */
  positionsIn(layout: Layout): Int32Array | undefined {
    return this.inLayout?.layout === layout ? this.inLayout.positions : undefined;
  }
  /** The cell at a position from positionsIn() (undefined at -1, as value() for a column not in the sheet). */
  at(index: number): CellValue | undefined {
    return index < 0 ? undefined : (this.cells[index] ?? null);
  }
  get(key: string): { value: CellValue; index: number } | undefined {
    const index = this.columns.get(key);
    return index === undefined ? undefined : { value: this.cells[index] ?? null, index };
  }
  value(key: string): CellValue | undefined {
    const index = this.columns.get(key);
    return index === undefined ? undefined : (this.cells[index] ?? null);
  }
}

/** A row's normalised values by column key: every column of its layout, undefined where the cell is blank or invalid. */
export type RowValues = Record<string, CellOut | null | undefined>;

const NO_VALUES: RowValues = Object.freeze({});

/**
 * Each layout's maker of a row's values object from its values in column order: one object
 * literal with the layout's keys, generated once per layout from its declaration (never from
 * input), so every row's object has one shape made in one step. Storing the values key by key
 * into a copy of an empty object of that shape (what it replaces) cost ~6% more of the Node
 * work of a 100k-row ingest (bench case B1, farm-bench, 10 pairs), and stays the way where a
 * hardened Node refuses to compile code at run time (--disallow-code-generation-from-strings).
 */
const makers = new WeakMap<Layout, (v: readonly unknown[]) => RowValues>();
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
export function valuesOf(layout: Layout, inOrder: readonly (CellOut | null | undefined)[]): RowValues {
  let make = makers.get(layout);
  if (!make) {
    // (a plain identifier only: a key such as __proto__ would set the object's prototype in a literal)
    const bad = layout.columns.find((c) => !PLAIN_KEY.test(c.key) || c.key === '__proto__');
    if (bad) throw new Error(`${layout.name}: column key ${JSON.stringify(bad.key)} is not a plain identifier`);
    make = literalMaker(layout) ?? keyedMaker(layout);
    makers.set(layout, make);
  }
  return make(inOrder);
}

function literalMaker(layout: Layout): ((v: readonly unknown[]) => RowValues) | undefined {
  try {
    return new Function('v', `return { ${layout.columns.map((c, i) => `${c.key}: v[${i}]`).join(', ')} };`) as (v: readonly unknown[]) => RowValues;
  } catch (err) {
    if (err instanceof EvalError) return undefined; // code generation disallowed
    throw err;
  }
}

function keyedMaker(layout: Layout): (v: readonly unknown[]) => RowValues {
  // (Object.fromEntries builds the empty object with fast properties, and a spread copies its shape)
  const empty: Readonly<RowValues> = Object.fromEntries(layout.columns.map((c) => [c.key, undefined]));
  const keys = layout.columns.map((c) => c.key);
  return (v) => {
    const out: RowValues = { ...empty };
    for (let i = 0; i < keys.length; i++) out[keys[i]!] = v[i] as CellOut | undefined;
    return out;
  };
}

/**
 * `K` is the layout's column keys (ColumnKey of its declaration): a rule naming a column the
 * layout does not have does not compile. (The keys are taken as method parameters only, so a
 * rule written for a few keys, `RowRule<'reportingPeriod'>`, serves every layout that has them.)
 */
export class RowScope<K extends string = string> {
  /** Set once every cell is read (validateRow), before the row rules run. */
  values: RowValues = NO_VALUES;
  readonly issues: Issue[] = [];
  /** Keys of blank cells (a short list: cheaper per row than a Set). */
  private readonly blanks: string[] = [];
  cin: string | undefined;

  constructor(readonly layout: Layout, readonly cells: RowCells, readonly ctx: RowContext) {}

  column(key: K): ColumnDef {
    const c = this.layout.columns.find((col) => col.key === key);
    if (!c) throw new Error(`${this.layout.name} has no column ${key}`);
    return c;
  }

  markBlank(key: K): void {
    this.blanks.push(key);
  }
  /** Blank in the file, or the column is absent from the sheet. */
  isBlank(key: K): boolean {
    return this.blanks.includes(key);
  }
  filled(key: K): boolean {
    return !this.blanks.includes(key);
  }

  /** The valid normalised value, or undefined (blank or invalid). */
  get(key: K): CellOut | undefined {
    return this.values[key] ?? undefined;
  }
  str(key: K): string | undefined {
    const v = this.get(key);
    return typeof v === 'string' ? v : undefined;
  }

  /** Adds a coded issue on a column (or the row when key is null). */
  add(code: IssueCode, key: K | null, params: MessageParams = {}): void {
    const column = key === null ? null : this.column(key);
    const cell = key === null ? undefined : this.cells.get(key);
    const raw = cell ? cellText(cell.value) : '';
    this.issues.push(
      makeIssue(
        code,
        {
          sheet: this.ctx.sheet ?? this.layout.sheetName,
          row: this.ctx.rowNumber ?? null,
          column: column?.label ?? null,
          columnIndex: cell?.index ?? null,
          ...(column && !column.phi && raw !== '' ? { value: raw } : {}),
        },
        // The message shows a date as people write it; the issue keeps the value as read.
        column && !column.phi && raw !== '' ? { value: showIsoDate(raw), ...params } : params,
      ),
    );
  }

  /** When `condition` holds and the column is blank, adds `code` on it. */
  require(condition: boolean, key: K, code: IssueCode, params: MessageParams = {}): void {
    if (condition && this.isBlank(key)) this.add(code, key, params);
  }
}

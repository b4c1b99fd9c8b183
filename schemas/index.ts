// The layout registry and header recognition. Every sheet of an inbound workbook is
// recognised by its header row (spec/layouts.md): labels match ignoring case, spaces and
// punctuation, through each column's aliases; column order is free.
import type { CellValue } from './cells.js';
import type { CodeSet } from './codes.js';
import { CSASF } from './csasf.js';
import { CSPRTF } from './csprtf.js';
import type { ColumnDef, InboundLayoutName, Layout, LayoutName } from './layout.js';
import { MIF } from './mif.js';
import { OTF } from './otf.js';
import { RTF } from './rtf.js';

export { RTF, OTF, CSPRTF, MIF, CSASF };
export type { ColumnDef, Layout, LayoutName, InboundLayoutName };

export const LAYOUTS: readonly Layout[] = [RTF, OTF, CSPRTF, MIF, CSASF];
export const INBOUND_LAYOUTS: readonly Layout[] = LAYOUTS.filter((l) => l.direction === 'inbound');

export function layoutByName(name: string): Layout | undefined {
  const n = name.trim().toUpperCase();
  return LAYOUTS.find((l) => l.name === n);
}

/** Columns whose allowed values are settings, not a fixed table (config variable names). */
export const CONFIGURED_CODES = {
  referralStatus: 'REFERRAL_STATUS_VALUES',
  referralClosureReason: 'REFERRAL_CLOSURE_REASONS',
} as const;
export type CodeSettings = { readonly [K in (typeof CONFIGURED_CODES)[keyof typeof CONFIGURED_CODES]]: readonly string[] };

/** The allowed values of a code column: its table, or the configured list. */
export function codesFor(column: ColumnDef, settings: CodeSettings): CodeSet | undefined {
  if (column.codes) return column.codes;
  const setting = (CONFIGURED_CODES as Record<string, keyof CodeSettings>)[column.key];
  if (!setting) return undefined;
  const values = settings[setting];
  let set = CONFIGURED_SETS.get(values);
  if (!set) CONFIGURED_SETS.set(values, (set = Object.fromEntries(values.map((v) => [v, v]))));
  return set;
}
/** Configured code lists as code sets, built once per list (codesFor runs for every cell). */
const CONFIGURED_SETS = new WeakMap<readonly string[], CodeSet>();

/** Lower-case letters and digits only: `ECM Provider NPI` ≡ `ecm_provider-npi`. */
export function normaliseLabel(s: string): string {
  return s.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** label/alias (normalised) → column, per layout; a clash inside a layout is a declaration bug. */
const LABEL_INDEX = new Map<Layout, Map<string, ColumnDef>>();
function labelIndex(layout: Layout): Map<string, ColumnDef> {
  let index = LABEL_INDEX.get(layout);
  if (index) return index;
  index = new Map();
  for (const c of layout.columns) {
    for (const label of [c.label, ...(c.aliases ?? [])]) {
      const key = normaliseLabel(label);
      const prior = index.get(key);
      if (prior && prior !== c) throw new Error(`${layout.name}: label "${label}" names both ${prior.key} and ${c.key}`);
      index.set(key, c);
    }
  }
  LABEL_INDEX.set(layout, index);
  return index;
}

export interface HeaderMatch {
  layout: Layout;
  /** The column each cell of the header row names, by 0-based cell index; null: not a column. */
  columns: (ColumnDef | null)[];
  /** Req columns absent from the header: the sheet is rejected. */
  missingRequired: ColumnDef[];
  /** Non-blank header cells that name no column of the layout (ignored, a warning). */
  unknown: { index: number; label: string }[];
  /** Header cells naming a column already named further left (ignored, a warning). */
  duplicates: { index: number; label: string; column: ColumnDef }[];
  /** Share of the layout's Req columns present, 0-1. */
  score: number;
}

/** A header qualifies for a layout when it names at least this share of its Req columns. */
export const MIN_REQUIRED_SHARE = 0.6;

const labelOf = (cell: CellValue | undefined): string => (typeof cell === 'string' ? cell.trim() : typeof cell === 'number' ? String(cell) : '');

function matchOne(cells: readonly CellValue[], layout: Layout): (HeaderMatch & { fit: number }) | null {
  const index = labelIndex(layout);
  const columns: (ColumnDef | null)[] = [];
  const unknown: HeaderMatch['unknown'] = [];
  const duplicates: HeaderMatch['duplicates'] = [];
  const seen = new Set<ColumnDef>();
  let labelled = 0;
  cells.forEach((cell, i) => {
    const label = labelOf(cell);
    columns[i] = null;
    if (!label) return;
    labelled++;
    const c = index.get(normaliseLabel(label));
    if (!c) unknown.push({ index: i, label });
    else if (seen.has(c)) duplicates.push({ index: i, label, column: c });
    else {
      seen.add(c);
      columns[i] = c;
    }
  });
  const required = layout.columns.filter((c) => c.req === 'req');
  const missingRequired = required.filter((c) => !seen.has(c));
  const score = required.length ? (required.length - missingRequired.length) / required.length : 0;
  if (seen.size < 3 || score < MIN_REQUIRED_SHARE) return null;
  // Jaccard overlap of header labels and layout columns: the best-fitting layout wins, so a
  // returned MIF sheet is recognised as the MIF (and ignored), not as an RTF missing columns.
  const fit = seen.size / (layout.columns.length + labelled - seen.size);
  return { layout, columns, missingRequired, unknown, duplicates, score, fit };
}

/**
 * Recognises a header row. Every layout competes; the best fit is returned when it is one of
 * `layouts` (the inbound layouts by default), otherwise null (the sheet is not ours to read).
 */
export function matchHeader(cells: readonly CellValue[], layouts: readonly Layout[] = INBOUND_LAYOUTS): HeaderMatch | null {
  let best: (HeaderMatch & { fit: number }) | null = null;
  for (const layout of new Set([...LAYOUTS, ...layouts])) {
    const m = matchOne(cells, layout);
    if (m && (!best || m.fit > best.fit || (m.fit === best.fit && m.score > best.score))) best = m;
  }
  if (!best || !layouts.includes(best.layout)) return null;
  const { fit: _fit, ...match } = best;
  return match;
}

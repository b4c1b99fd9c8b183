// A layout declaration → a sheet for the writer: columns, widths, types and drop-down lists
// all come from schemas/, so the written file and the reader agree by construction.
import type { ColumnDef, Layout } from '../../schemas/layout.js';
import type { CellValue } from '../xlsx/types.js';
import type { WriteColumn, WriteSheet } from '../xlsx/writer.js';

export function writeColumn(c: ColumnDef, opts: { lists?: boolean; listFor?: (c: ColumnDef) => readonly string[] | undefined } = {}): WriteColumn {
  const type: WriteColumn['type'] = c.type === 'date' ? 'date' : c.type === 'int' || c.type === 'minutes' ? 'int' : 'text';
  const list = opts.lists ? (opts.listFor?.(c) ?? (c.codes && c.type === 'code' ? Object.keys(c.codes) : undefined)) : undefined;
  return { label: c.label, width: c.width, type, ...(list ? { list } : {}) };
}

/** Records keyed by column key → rows in the layout's column order. */
export function* rowsInLayoutOrder(layout: Layout, records: Iterable<Record<string, CellValue>>): Generator<CellValue[]> {
  for (const r of records) yield layout.columns.map((c) => r[c.key] ?? null);
}

export function layoutSheet(
  layout: Layout,
  records: Iterable<Record<string, CellValue>>,
  opts: { name?: string; lists?: boolean; listFor?: (c: ColumnDef) => readonly string[] | undefined } = {},
): WriteSheet {
  return {
    name: opts.name ?? layout.sheetName,
    columns: layout.columns.map((c) => writeColumn(c, opts)),
    rows: rowsInLayoutOrder(layout, records),
    freezeHeader: true,
    autoFilter: true,
  };
}

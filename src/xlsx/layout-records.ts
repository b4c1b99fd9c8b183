// A whole (small) workbook as records keyed by each recognised layout's column keys: for the
// demo's simulated providers and the tests. Inbound files go through the validator instead.
import { LAYOUTS, matchHeader, type HeaderMatch } from '../../schemas/index.js';
import type { Layout } from '../../schemas/layout.js';
import { readWorkbook } from './reader.js';
import type { CellValue } from './types.js';

export type LayoutRecords = Record<string, { layout: Layout; rows: Record<string, CellValue>[] }>;

export async function readLayoutRecords(bytes: Buffer, layouts: readonly Layout[] = LAYOUTS): Promise<LayoutRecords> {
  const out: LayoutRecords = {};
  const matches = new Map<string, HeaderMatch>();
  for await (const ev of readWorkbook(bytes, { recognise: (cells) => matchHeader(cells, layouts), maxRows: 1_000_000, maxColumns: 500 })) {
    if (ev.type === 'sheet') {
      matches.set(ev.name, ev.match);
      out[ev.name] = { layout: ev.match.layout, rows: [] };
    } else if (ev.type === 'row') {
      const m = matches.get(ev.sheet)!;
      const rec: Record<string, CellValue> = {};
      m.columns.forEach((c, i) => {
        if (c) rec[c.key] = ev.cells[i] ?? null;
      });
      out[ev.sheet]!.rows.push(rec);
    }
  }
  return out;
}

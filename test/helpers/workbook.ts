// Reading a workbook back in tests: with our streaming reader (records by column key) and
// with a different reader, openpyxl, through Debian's /usr/bin/python3.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { readLayoutRecords } from '../../src/xlsx/layout-records.js';
import type { CellValue } from '../../src/xlsx/types.js';
import { listParts, openPartStream, openZip, partText } from '../../src/xlsx/zip.js';
import { tinyZip } from '../fixtures/tiny-zip.js';

/** Every part of a workbook package as text, by name (the XML the writer wrote, read back). */
export async function partsOf(bytes: Buffer): Promise<Map<string, string>> {
  const zip = await openZip(bytes);
  try {
    const out = new Map<string, string>();
    for (const p of await listParts(zip)) {
      let s = '';
      for await (const chunk of partText(await openPartStream(zip, p))) s += chunk;
      out.set(p.name, s);
    }
    return out;
  } finally {
    zip.close();
  }
}

/** The package with part `name` made over by `edit` (a cut, a replacement), zipped again: a valid zip around it. */
export async function withPartEdited(bytes: Buffer, name: string, edit: (xml: string) => string): Promise<Buffer> {
  const parts = await partsOf(bytes);
  return tinyZip([...parts].map(([n, data]) => ({ name: n, data: n === name ? edit(data) : data, method: 8 as const })));
}

export type Records = Record<string, Record<string, CellValue>[]>;

/** Every recognised sheet's rows as records keyed by the layout's column keys. */
export async function readRecords(file: string | Buffer): Promise<Records> {
  const recs = await readLayoutRecords(typeof file === 'string' ? fs.readFileSync(file) : file);
  return Object.fromEntries(Object.entries(recs).map(([name, s]) => [name, s.rows]));
}

export const OPENPYXL = '/usr/bin/python3';
/**
 * Every sheet of a workbook as openpyxl sees it: `cell` is a Python expression of `c` (the
 * value with valuesOnly, else the openpyxl cell) giving what to report for each cell.
 */
export function openpyxlSheets<T>(file: string, opts: { valuesOnly: boolean; cell: string }): Record<string, T[][]> {
  const script = `
import json, sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
out = {}
for ws in wb.worksheets:
    out[ws.title] = [[${opts.cell} for c in row] for row in ws.iter_rows(values_only=${opts.valuesOnly ? 'True' : 'False'})]
print(json.dumps(out))
`;
  return JSON.parse(execFileSync(OPENPYXL, ['-c', script, file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }));
}

/** openpyxl's view: per sheet, rows of values; dates as {date} when openpyxl saw a real date cell. */
export function readWithOpenpyxl(file: string): Record<string, unknown[][]> {
  return openpyxlSheets(file, { valuesOnly: true, cell: "{'date': c.date().isoformat()} if isinstance(c, datetime.datetime) else c" });
}

/** How one cell looks to openpyxl: value, type, and the styling a reader sees. */
export interface LookCell { v: unknown; t: string; wrap: boolean; fill: string | null; bold: boolean; comment: string | null }
export interface LookSheet {
  title: string;
  /** Top-left cell of the scrollable pane (A2 = frozen below row 1), or null. */
  freeze: string | null;
  /** Column widths by letter (openpyxl's default when the file sets none). */
  widths: Record<string, number>;
  /** Row heights set by the file, by row number. */
  heights: Record<string, number>;
  rows: LookCell[][];
}

/** Every sheet with its styles and comments as openpyxl (a different reader) loads them; rows up to `maxRows`. */
export function openpyxlLook(file: string, maxRows = 200): LookSheet[] {
  const script = `
import json, sys, datetime, openpyxl
from openpyxl.utils import get_column_letter
wb = openpyxl.load_workbook(sys.argv[1])
out = []
for ws in wb.worksheets:
    widths = {}
    for key, dim in ws.column_dimensions.items():
        if dim.width:
            for i in range(dim.min or 1, (dim.max or dim.min or 1) + 1):
                widths[get_column_letter(i)] = dim.width
    heights = {str(k): d.height for k, d in ws.row_dimensions.items() if d.height}
    def look(c):
        v = c.value
        if isinstance(v, (datetime.datetime, datetime.date)):
            v = {'date': v.date().isoformat() if isinstance(v, datetime.datetime) else v.isoformat()}
        fill = c.fill.fgColor.rgb if c.fill is not None and c.fill.fill_type == 'solid' else None
        return {'v': v, 't': c.data_type, 'wrap': bool(c.alignment.wrap_text), 'fill': fill if isinstance(fill, str) else None,
                'bold': bool(c.font.b), 'comment': c.comment.text if c.comment else None}
    rows = [[look(c) for c in row] for row in ws.iter_rows(max_row=min(ws.max_row, int(sys.argv[2])))]
    out.append({'title': ws.title, 'freeze': ws.freeze_panes, 'widths': widths, 'heights': heights, 'rows': rows})
print(json.dumps(out))
`;
  return JSON.parse(execFileSync(OPENPYXL, ['-c', script, file, String(maxRows)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }));
}

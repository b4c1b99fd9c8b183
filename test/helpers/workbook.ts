// Reading a workbook back in tests: with our streaming reader (records by column key) and
// with a different reader, openpyxl, through Debian's /usr/bin/python3.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { readLayoutRecords } from '../../src/xlsx/layout-records.js';
import type { CellValue } from '../../src/xlsx/types.js';

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

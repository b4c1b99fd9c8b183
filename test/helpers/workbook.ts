// Reading a workbook back in tests: with our streaming reader (records by column key) and
// with a different reader, openpyxl, through Debian's /usr/bin/python3.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { LAYOUTS, matchHeader, type HeaderMatch } from '../../schemas/index.js';
import { readWorkbook } from '../../src/xlsx/reader.js';
import type { CellValue } from '../../src/xlsx/types.js';

export type Records = Record<string, Record<string, CellValue>[]>;

/** Every recognised sheet's rows as records keyed by the layout's column keys. */
export async function readRecords(file: string | Buffer): Promise<Records> {
  const bytes = typeof file === 'string' ? fs.readFileSync(file) : file;
  const out: Records = {};
  const matches = new Map<string, HeaderMatch>();
  for await (const ev of readWorkbook(bytes, { recognise: (cells) => matchHeader(cells, LAYOUTS), maxRows: 1_000_000, maxColumns: 200 })) {
    if (ev.type === 'sheet') {
      matches.set(ev.name, ev.match);
      out[ev.name] = [];
    } else if (ev.type === 'row') {
      const m = matches.get(ev.sheet)!;
      const rec: Record<string, CellValue> = {};
      m.columns.forEach((c, i) => {
        if (c) rec[c.key] = ev.cells[i] ?? null;
      });
      out[ev.sheet]!.push(rec);
    }
  }
  return out;
}

export const OPENPYXL = '/usr/bin/python3';
export function hasOpenpyxl(): boolean {
  try {
    execFileSync(OPENPYXL, ['-c', 'import openpyxl'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** openpyxl's view: per sheet, rows of values; dates as {date} when openpyxl saw a real date cell. */
export function readWithOpenpyxl(file: string): Record<string, unknown[][]> {
  const script = `
import json, sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
out = {}
for ws in wb.worksheets:
    rows = []
    for row in ws.iter_rows(values_only=True):
        rows.append([{'date': v.date().isoformat()} if isinstance(v, datetime.datetime) else v for v in row])
    out[ws.title] = rows
print(json.dumps(out))
`;
  return JSON.parse(execFileSync(OPENPYXL, ['-c', script, file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }));
}

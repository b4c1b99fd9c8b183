// Case D's reference: exceljs's streaming WorkbookWriter writing the same rows into the same
// workbooks (per provider: the MIF sheet and the pre-filled RTF sheet, same columns, dates as
// date cells), each into memory as generate does, with no database and no sFTP. D writes with
// our own writer (src/xlsx/writer.ts); ratios.D_over_bareWrite = D / this (issue 19: ≤ 0.4).
// exceljs stays here, as the yardstick. The rows are built before the clock starts.
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Layout } from '../../schemas/layout.js';
import { isCellDate, type CellValue } from '../../src/xlsx/types.js';
import { caseArgs, runCase, timed } from '../lib/child.js';
import { mifSheets } from '../lib/mif-sheets.js';
import { MIF_MEMBERS_PER_PROVIDER, MIF_PROVIDERS } from '../lib/seed.js';

type Plain = string | number | boolean | Date | null;
const plain = (v: CellValue): Plain => (isCellDate(v) ? new Date(`${v.date}T00:00:00Z`) : typeof v === 'object' && v !== null ? null : v);

function sheets(i: number): { layout: Layout; rows: Plain[][] }[] {
  return mifSheets(i).map(({ layout, records }) => ({ layout, rows: records.map((r) => layout.columns.map((c) => plain(r[c.key] ?? null))) }));
}

async function writeOne(data: { layout: Layout; rows: Plain[][] }[]): Promise<number> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve) => sink.on('end', () => resolve()));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useSharedStrings: false, useStyles: true });
  for (const s of data) {
    const ws = wb.addWorksheet(s.layout.sheetName);
    ws.columns = s.layout.columns.map((c) => ({ width: c.width ?? 16, ...(c.type === 'date' ? { style: { numFmt: 'mm/dd/yyyy' } } : {}) }));
    ws.addRow(s.layout.columns.map((c) => c.label)).commit();
    for (const r of s.rows) ws.addRow(r).commit();
    ws.commit();
  }
  await wb.commit();
  await ended;
  return Buffer.concat(chunks).length;
}

runCase(async () => {
  caseArgs<Record<string, never>>();
  const all = Array.from({ length: MIF_PROVIDERS }, (_, i) => sheets(i));
  const { value: bytes, seconds, cpuSeconds } = await timed(async () => {
    let total = 0;
    for (const data of all) total += await writeOne(data);
    return total;
  });
  return { rows: MIF_PROVIDERS * MIF_MEMBERS_PER_PROVIDER, seconds, cpuSeconds, extra: { bytes } };
});

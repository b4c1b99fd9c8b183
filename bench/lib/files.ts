// The benchmark's input files, written the way Excel writes them: strings in a shared-string
// table (<c t="s">), dates as numbers with a date number format, counts as numbers. Written
// with exceljs's streaming WorkbookWriter (useSharedStrings: true), NOT with our writer (which
// writes inline strings, the less common form in what providers send).
import ExcelJS from 'exceljs';
import { OTF, RTF } from '../../schemas/index.js';
import type { Layout } from '../../schemas/layout.js';
import { assignment, member, otfRow, rtfRow, type BenchMember, type BenchProvider } from './data.js';

export interface RtfFileSpec {
  path: string;
  provider: BenchProvider;
  /** Global index of the provider's first member. */
  firstMember: number;
  rows: number;
  /** Written into the workbook's properties: another file of the same rows (its own bytes, so not a duplicate upload), as a correction re-sent whole is. */
  lastModifiedBy?: string;
}

export const writeRtfFile = (spec: RtfFileSpec): Promise<void> => writeLayoutFile(RTF, spec, rtfRow);

/** An OTF: one outreach attempt per row for the provider's members from `firstMember` on. */
export const writeOtfFile = (spec: RtfFileSpec): Promise<void> => writeLayoutFile(OTF, spec, otfRow);

async function writeLayoutFile(
  layout: Layout,
  spec: RtfFileSpec,
  rowOf: (p: BenchProvider, k: number, m: BenchMember, a: ReturnType<typeof assignment>) => (string | number | Date | null)[],
): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: spec.path, useSharedStrings: true, useStyles: true });
  wb.creator = 'Microsoft Excel';
  if (spec.lastModifiedBy) wb.lastModifiedBy = spec.lastModifiedBy;
  const ws = wb.addWorksheet(layout.sheetName);
  const dateCols = new Set(layout.columns.flatMap((c, i) => (c.type === 'date' ? [i + 1] : [])));
  ws.columns = layout.columns.map((c) => ({ width: c.width ?? 16 }));
  const header = ws.getRow(1);
  layout.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.label;
    cell.font = { bold: true };
  });
  header.commit();
  for (let k = 0; k < spec.rows; k++) {
    const values = rowOf(spec.provider, k, member(spec.firstMember + k), assignment(k, spec.provider.lobs));
    const row = ws.getRow(k + 2);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      const cell = row.getCell(i + 1);
      cell.value = v;
      if (dateCols.has(i + 1)) cell.numFmt = 'mm/dd/yyyy';
    }
    row.commit();
  }
  ws.commit();
  await wb.commit();
}

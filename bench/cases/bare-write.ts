// Case D's floor: exceljs's streaming WorkbookWriter writing the same rows into the same
// workbooks (per provider: the MIF sheet and the pre-filled RTF sheet, same columns, dates as
// date cells), each into memory as generate does, with no database, no sFTP and none of our
// writer's per-cell work. The rows are built before the clock starts.
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { MIF, RTF } from '../../schemas/index.js';
import type { Layout } from '../../schemas/layout.js';
import { FILE_TYPES } from '../../src/filetypes/registry.js';
import { mifRecord, type MifMember, type ProviderRow } from '../../src/generate/rows.js';
import { isCellDate, type CellValue } from '../../src/xlsx/types.js';
import { caseArgs, runCase, timed } from '../lib/child.js';
import { member } from '../lib/data.js';
import { MIF_FIRST_MEMBER, MIF_MEMBERS_PER_PROVIDER, MIF_PROVIDERS, mifAssignment, mifProvider } from '../lib/seed.js';

type Plain = string | number | boolean | Date | null;
const plain = (v: CellValue): Plain => (isCellDate(v) ? new Date(`${v.date}T00:00:00Z`) : typeof v === 'object' && v !== null ? null : v);

function sheets(i: number): { layout: Layout; rows: Plain[][] }[] {
  const p = mifProvider(i);
  const prow: ProviderRow = { provider_code: p.code, npi: p.npi, tin: p.tin, name: p.name, phone: p.phone, contact_email: null, liaison_email: null, sftp_folder: p.code };
  const ctx = { lob: 'HN', mcpName: 'Health Net', kind: 'MONTHLY' as const, productionDate: '2026-11-15', period: '11/2026', provider: prow };
  const members: MifMember[] = Array.from({ length: MIF_MEMBERS_PER_PROVIDER }, (_, k) => {
    const m = member(MIF_FIRST_MEMBER + i * MIF_MEMBERS_PER_PROVIDER + k);
    const a = mifAssignment(k);
    return {
      cin: m.cin, mcp_member_id: m.mcpMemberId, last_name: m.lastName, first_name: m.firstName, dob: m.dob, gender: m.gender, language: m.language,
      address: m.address, city: m.city, state: m.state, zip: m.zip, phone: m.phone, homeless: m.homeless, pof: [], status: a.status,
      enrollment_start: a.enrollmentStart, enrollment_end: null, discontinuation_date: null, discontinuation_reason: null, acuity: a.acuity,
      lcm_name: a.lcmName, lcm_phone: a.lcmPhone, lcm_email: null, care_plan_revised: null, care_conference: null, assessment_started: null,
      assessment_completed: null, last_encounter: null, referral_id: null, referral_approved: null,
    };
  });
  const toRows = (layout: Layout, recs: Record<string, CellValue>[]) => recs.map((r) => layout.columns.map((c) => plain(r[c.key] ?? null)));
  return [
    { layout: MIF, rows: toRows(MIF, members.map((m) => mifRecord(m, ctx))) },
    { layout: RTF, rows: toRows(RTF, members.map((m) => FILE_TYPES.RTF.prefill(m, ctx))) },
  ];
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

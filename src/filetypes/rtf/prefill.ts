// The RTF sheet of the MIF workbook, pre-filled from the same member: what the plan knows now,
// so the provider only updates what changed. Counts start at 0; the provider sets its
// production date. The assignment's part comes from the one mapping (assignment.ts).
import type { CellValue } from '../../../schemas/cells.js';
import { assignmentCells, type AssignmentRow } from './assignment.js';
import type { RtfKey } from './rules.js';

export interface PrefillMember extends AssignmentRow {
  cin: string;
  last_name: string;
  first_name: string;
  /** null: unknown (upsertMembers), a blank cell */
  homeless: boolean | null;
}

export interface PrefillContext {
  lob: string;
  mcpName: string;
  /** The reporting period as the RTF writes it (`11/2026`). */
  period: string;
  /** Its last day (YYYY-MM-DD). */
  periodEnd: string;
  provider: { name: string; npi: string; tin: string; phone: string | null };
}

export function rtfPrefillRecord(m: PrefillMember, ctx: PrefillContext): Partial<Record<RtfKey, CellValue>> {
  // The assignment's cells are added to this one object, not spread into a new literal: a spread
  // of ~15 computed keys followed by 17 more made each record a slow dictionary-mode object
  // (MIF generation for 100k members spent ~1.4 s of CPU here).
  const out = assignmentCells(m);
  // An ending date the plan holds for after the period (a planned end on the assignment extract)
  // has not happened in the period this form reports on; sent back as filled, the row would be
  // rejected for it (DATE_AFTER_RECEIPT: an RTF arrives after its period). The MIF sheet shows it.
  if (m.enrollment_end !== null && String(m.enrollment_end) > ctx.periodEnd) out.endDate = null;
  if (m.discontinuation_date !== null && String(m.discontinuation_date) > ctx.periodEnd) out.discontinuationDate = null;
  // [POLICY] An enrollment that ended in the period is reported with status 4, Start and End
  // kept (spec §4 item 5, the plan's ECM FAQ), though the plan may hold status 3 with the End
  // Date (the assignment extract ends an enrollment without a status; an earlier RTF said so):
  // sent back as filled it would draw RTF_ENROLLED_WITH_END. The MIF sheet shows status 3.
  if (out.ecmStatus === '3' && out.endDate) out.ecmStatus = '4';
  out.mcpId = ctx.lob;
  out.mcpName = ctx.mcpName;
  out.cin = m.cin;
  out.lastName = m.last_name;
  out.firstName = m.first_name;
  out.newAddress = 'N';
  out.homeless = m.homeless === null ? null : m.homeless ? 'Y' : 'N';
  out.newPhone = 'N';
  out.pofIndicator = 'N';
  out.inPerson = 0;
  out.telephonic = 0;
  out.productionDate = null;
  out.reportingPeriod = ctx.period;
  out.providerName = ctx.provider.name;
  out.providerNpi = ctx.provider.npi;
  out.providerTin = ctx.provider.tin;
  out.providerPhone = ctx.provider.phone;
  return out;
}

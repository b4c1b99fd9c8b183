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
  homeless: boolean;
}

export interface PrefillContext {
  lob: string;
  mcpName: string;
  period: string;
  provider: { name: string; npi: string; tin: string; phone: string | null };
}

export function rtfPrefillRecord(m: PrefillMember, ctx: PrefillContext): Partial<Record<RtfKey, CellValue>> {
  return {
    ...assignmentCells(m),
    mcpId: ctx.lob,
    mcpName: ctx.mcpName,
    cin: m.cin,
    lastName: m.last_name,
    firstName: m.first_name,
    newAddress: 'N',
    homeless: m.homeless ? 'Y' : 'N',
    newPhone: 'N',
    pofIndicator: 'N',
    inPerson: 0,
    telephonic: 0,
    productionDate: null,
    reportingPeriod: ctx.period,
    providerName: ctx.provider.name,
    providerNpi: ctx.provider.npi,
    providerTin: ctx.provider.tin,
    providerPhone: ctx.provider.phone,
  };
}

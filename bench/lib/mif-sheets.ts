// The rows of case D's workbooks without the database: per provider, the MIF sheet and the
// pre-filled RTF sheet of its 1,000 members, as records keyed by column key. For the bare
// writes (bare-write.ts: exceljs; deflate-levels.ts: ours) that D is compared with.
import { MIF, RTF } from '../../schemas/index.js';
import type { Layout } from '../../schemas/layout.js';
import { FILE_TYPES } from '../../src/filetypes/registry.js';
import { mifRecord, type MifMember, type ProviderRow } from '../../src/generate/rows.js';
import type { CellValue } from '../../src/xlsx/types.js';
import { member } from './data.js';
import { MIF_FIRST_MEMBER, MIF_MEMBERS_PER_PROVIDER, mifAssignment, mifProvider } from './seed.js';

export function mifSheets(i: number): { layout: Layout; records: Record<string, CellValue>[] }[] {
  const p = mifProvider(i);
  const prow: ProviderRow = { provider_code: p.code, npi: p.npi, tin: p.tin, name: p.name, phone: p.phone, sftp_folder: p.code, contracts: [] };
  const ctx = { lob: 'HN', mcpName: 'Health Net', kind: 'MONTHLY' as const, productionDate: '2026-11-15', period: '11/2026', periodEnd: '2026-11-30', provider: prow };
  const members: MifMember[] = Array.from({ length: MIF_MEMBERS_PER_PROVIDER }, (_, k) => {
    const m = member(MIF_FIRST_MEMBER + i * MIF_MEMBERS_PER_PROVIDER + k);
    const a = mifAssignment(k);
    return {
      cin: m.cin, mcp_member_id: m.mcpMemberId, last_name: m.lastName, first_name: m.firstName, dob: m.dob, gender: m.gender, language: m.language,
      address: m.address, city: m.city, state: m.state, zip: m.zip, phone: m.phone, homeless: m.homeless, pcp_name: null, pcp_npi: null, pof: [], status: a.status,
      enrollment_start: a.enrollmentStart, enrollment_end: null, discontinuation_date: null, discontinuation_reason: null, discontinuation_text: null, acuity: a.acuity,
      lcm_name: a.lcmName, lcm_phone: a.lcmPhone, lcm_email: null, care_plan_revised: null, care_conference: null, assessment_started: null,
      assessment_completed: null, last_encounter: null, referral_id: null, referral_approved: null,
    };
  });
  return [
    { layout: MIF, records: members.map((m) => mifRecord(m, ctx)) },
    { layout: RTF, records: members.map((m) => FILE_TYPES.RTF.prefill(m, ctx)) },
  ];
}

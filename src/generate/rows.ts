// What each outbound file carries, as records keyed by the layout's column keys. Only the
// records here: who goes on a file is read by src/repositories (ecm-assignments.ts,
// cs-authorizations.ts), the workbook shape comes from schemas/, publishing from run.ts.
import { CS_SERVICES } from '../../schemas/codes.js';
import type { IsoDate } from '../../schemas/primitives.js';
import type { CsasfRow } from '../repositories/cs-authorizations.js';
import type { MifMember } from '../repositories/ecm-assignments.js';
import type { OutboundProvider } from '../repositories/providers.js';
import type { CellValue } from '../xlsx/types.js';

export type { CsasfRow, MifMember };
/** A provider as its outbound files name it. */
export type ProviderRow = OutboundProvider;

export type Rec = Record<string, CellValue>;
const d = (v: string | null): CellValue => (v ? { date: v } : null);
/** A Y/N cell; null (unknown, see upsertMembers) stays blank rather than saying N. */
const yn = (v: boolean | null): CellValue => (v === null ? null : v ? 'Y' : 'N');

export interface MifContext { lob: string; mcpName: string; kind: 'MONTHLY' | 'MINI'; productionDate: IsoDate; period: string; provider: ProviderRow }

/** The MIF layout's record for one member. */
export function mifRecord(m: MifMember, ctx: MifContext): Rec {
  return {
    mcpId: ctx.lob,
    mcpName: ctx.mcpName,
    mifType: ctx.kind,
    productionDate: d(ctx.productionDate),
    reportingPeriod: ctx.period,
    cin: m.cin,
    mcpMemberId: m.mcp_member_id,
    lastName: m.last_name,
    firstName: m.first_name,
    dob: d(m.dob),
    gender: m.gender,
    language: m.language,
    address: m.address,
    city: m.city,
    state: m.state,
    zip: m.zip,
    phone: m.phone,
    homeless: yn(m.homeless),
    pof: m.pof.length ? m.pof.join(';') : null,
    ecmStatus: String(m.status),
    referralApprovalDate: d(m.referral_approved),
    startDate: d(m.enrollment_start),
    endDate: d(m.enrollment_end),
    acuity: m.acuity,
    lcmName: m.lcm_name,
    lcmPhone: m.lcm_phone,
    // (text cells: the NPI's type in the layout; a string keeps it exact for Excel)
    pcpName: m.pcp_name,
    pcpNpi: m.pcp_npi,
    providerName: ctx.provider.name,
    providerNpi: ctx.provider.npi,
    providerTin: ctx.provider.tin,
  };
}

export function csasfRecord(a: CsasfRow, ctx: { mcpName: (lob: string) => string; productionDate: IsoDate; provider: ProviderRow }): Rec {
  return {
    mcpId: a.lob,
    mcpName: ctx.mcpName(a.lob),
    productionDate: d(ctx.productionDate),
    providerName: ctx.provider.name,
    providerNpi: ctx.provider.npi,
    providerTin: ctx.provider.tin,
    cin: a.cin,
    mcpMemberId: a.mcp_member_id,
    lastName: a.last_name,
    firstName: a.first_name,
    dob: d(a.dob),
    gender: a.gender,
    address: a.address,
    city: a.city,
    zip: a.zip,
    county: a.county,
    phone: a.phone,
    language: a.language,
    serviceCode: a.service_code,
    serviceName: CS_SERVICES[a.service_code as keyof typeof CS_SERVICES] ?? a.service_code,
    recordType: a.record_type,
    authStatus: a.auth_status,
    authNumber: a.auth_number,
    authStart: d(a.auth_start),
    authEnd: d(a.auth_end),
    requestDate: d(a.requested_date),
    decisionDate: d(a.decision_date),
    referringOrg: a.referring_org,
    assignedDate: d(a.assigned_date),
  };
}

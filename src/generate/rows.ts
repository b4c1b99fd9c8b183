// What each outbound file carries, as records keyed by the layout's column keys. Only
// queries here: the workbook shape comes from schemas/, publishing from publish.ts.
import type pg from 'pg';
import { CS_SERVICES } from '../../schemas/codes.js';
import type { IsoDate } from '../../schemas/primitives.js';
import type { CellValue } from '../xlsx/types.js';

export type Rec = Record<string, CellValue>;
const d = (v: string | null): CellValue => (v ? { date: v } : null);

export interface ProviderRow {
  provider_code: string;
  npi: string;
  tin: string;
  name: string;
  phone: string | null;
  contact_email: string | null;
  liaison_email: string | null;
  sftp_folder: string;
}

export async function providersFor(pool: pg.Pool, program: 'ECM' | 'CS', only?: string): Promise<(ProviderRow & { lobs: string[] })[]> {
  const r = await pool.query<ProviderRow & { lobs: string[] }>(
    `select p.provider_code, p.npi, p.tin, p.name, p.phone, p.contact_email, p.liaison_email, p.sftp_folder,
            array_agg(c.lob order by array_position(array['HN','CV','CHPIV'], c.lob)) as lobs
       from providers p join provider_contracts c using (provider_code)
      where c.program = $1 and p.active and ($2::text is null or p.provider_code = $2)
      group by p.provider_code order by p.provider_code`,
    [program, only ?? null],
  );
  return r.rows;
}

export interface MifMember {
  cin: string;
  mcp_member_id: string | null;
  last_name: string;
  first_name: string;
  dob: string;
  gender: string;
  language: string | null;
  address: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  phone: string | null;
  homeless: boolean;
  pof: string[];
  status: number;
  enrollment_start: string | null;
  enrollment_end: string | null;
  discontinuation_date: string | null;
  discontinuation_reason: string | null;
  acuity: string | null;
  lcm_name: string | null;
  lcm_phone: string | null;
  lcm_email: string | null;
  care_plan_revised: string | null;
  care_conference: string | null;
  assessment_started: string | null;
  assessment_completed: string | null;
  last_encounter: string | null;
  referral_id: string | null;
  referral_approved: string | null;
}

const MEMBER_COLUMNS = `m.cin, m.mcp_member_id, m.last_name, m.first_name, m.dob, m.gender, m.language, m.address, m.city, m.state,
  m.zip, m.phone, m.homeless, a.pof, a.status, a.enrollment_start, a.enrollment_end, a.discontinuation_date, a.discontinuation_reason,
  a.acuity, a.lcm_name, a.lcm_phone, a.lcm_email, a.care_plan_revised, a.care_conference, a.assessment_started, a.assessment_completed,
  a.last_encounter`;

/**
 * Monthly MIF: members assigned to the provider in this line of business on the slot date who
 * are pending outreach (1), in outreach (2) or enrolled (3) and not disenrolled before the
 * reporting month began. Assignment fields carry the provider's latest accepted RTF.
 */
export async function mifMembers(pool: pg.Pool, provider: string, lob: string, slot: IsoDate, periodStart: IsoDate): Promise<MifMember[]> {
  const r = await pool.query<MifMember>(
    `select ${MEMBER_COLUMNS}, null::text as referral_id, null::text as referral_approved
       from ecm_assignments a join members m using (cin)
      where a.provider_code = $1 and a.lob = $2 and a.assigned_date <= $3
        and (a.status in (1, 2) or (a.status = 3 and (a.enrollment_end is null or a.enrollment_end >= $4)))
      order by m.last_name, m.first_name, m.cin`,
    [provider, lob, slot, periodStart],
  );
  return r.rows;
}

/**
 * mini-MIF: referrals to the provider approved at least minDays before the slot that have not
 * gone out on any MIF or mini-MIF this provider received.
 */
export async function miniMifMembers(pool: pg.Pool, provider: string, lob: string, slot: IsoDate, minDays: number): Promise<MifMember[]> {
  const r = await pool.query<MifMember>(
    `select ${MEMBER_COLUMNS}, f.referral_id, f.approved_date as referral_approved
       from ecm_referrals f
       join members m on m.cin = f.cin
       join ecm_assignments a on a.cin = f.cin and a.lob = f.lob and a.provider_code = f.provider_code
      where f.provider_code = $1 and f.lob = $2 and f.mini_mif_file_id is null
        and f.approved_date <= ($3::date - $4::int)
        and not exists (
          select 1 from outbound_file_rows r join outbound_files o on o.id = r.outbound_file_id
           where o.provider_code = f.provider_code and o.kind in ('MIF', 'MINIMIF') and o.status = 'PUBLISHED'
             and r.cin = f.cin and o.slot >= f.approved_date)
      order by f.approved_date, m.last_name, m.cin`,
    [provider, lob, slot, minDays],
  );
  return r.rows;
}

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
    homeless: m.homeless ? 'Y' : 'N',
    pof: m.pof.length ? m.pof.join(';') : null,
    ecmStatus: String(m.status),
    referralApprovalDate: d(m.referral_approved),
    startDate: d(m.enrollment_start),
    endDate: d(m.enrollment_end),
    acuity: m.acuity,
    lcmName: m.lcm_name,
    lcmPhone: m.lcm_phone,
    pcpName: null,
    pcpNpi: null,
    providerName: ctx.provider.name,
    providerNpi: ctx.provider.npi,
    providerTin: ctx.provider.tin,
  };
}

export interface CsasfRow {
  cin: string;
  lob: string;
  mcp_member_id: string | null;
  last_name: string;
  first_name: string;
  dob: string;
  gender: string;
  address: string | null;
  city: string | null;
  zip: string | null;
  county: string | null;
  phone: string | null;
  language: string | null;
  service_code: string;
  record_type: string;
  auth_status: string | null;
  auth_number: string | null;
  auth_start: string | null;
  auth_end: string | null;
  requested_date: string | null;
  decision_date: string | null;
  referring_org: string | null;
  assigned_date: string | null;
}

/**
 * CSASF: cumulative and rolling. Every member x service assigned to or authorized for the
 * provider whose current authorization episode is not resolved: an episode is resolved when
 * the provider reports services discontinued or completed (status 4) for it on an accepted
 * CSPRTF, or a newer authorization supersedes it; a denial/expiry also rolls off once older
 * than closedRetentionDays. A new authorization after a resolved one is a new, open episode:
 * the pair is back, with its new number.
 */
export async function csasfRows(pool: pg.Pool, provider: string, slot: IsoDate, closedRetentionDays: number): Promise<CsasfRow[]> {
  const r = await pool.query<CsasfRow>(
    `select a.cin, a.lob, m.mcp_member_id, m.last_name, m.first_name, m.dob, m.gender, m.address, m.city, m.zip, m.county, m.phone,
            m.language, a.service_code, a.record_type, a.auth_status, a.auth_number, a.auth_start, a.auth_end, a.requested_date,
            a.decision_date, a.referring_org, a.assigned_date
       from cs_authorizations a join members m using (cin)
      where a.provider_code = $1 and not a.resolved
        and coalesce(a.assigned_date, a.decision_date, a.requested_date, a.auth_start, $2::date) <= $2::date
        and not (a.auth_status in ('Denied', 'Expired')
                 and coalesce(a.auth_end, a.decision_date, $2::date) < ($2::date - $3::int))
      order by m.last_name, m.first_name, a.cin, a.service_code`,
    [provider, slot, closedRetentionDays],
  );
  return r.rows;
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

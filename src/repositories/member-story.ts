// One member's story as ops look it up (calaim-exchange member show): the member record, the ECM
// assignments with their lineage, planned and not-applied switches, referrals, CS authorization
// episodes, the provider rows that named the member and the outbound rows that carried them.
// Read-only; every list by the member's CIN through an index, newest first, at most `limit`
// (each read asks for one more, so the caller can say the list was cut). The lists may be asked
// for only some providers' parts (`providers`: the member page of a liaison, who sees only the
// providers they may see): then the limit, and whether the list was cut, are of those parts
// alone, and the other providers' rows are never read out of the database; null: every
// provider's. Nothing here may need an index on the ingest's per-row path (migration 0056): the
// accepted staged rows and the assignment lineage are reached only through current_rows' key and
// the plan's changes' index.
import type pg from 'pg';
import { RTF } from '../../schemas/rtf.js';
import { assignmentInLine, type CurrentAssignment, type PendingSwitch, type SwitchNotApplied } from './ecm-assignments.js';
import { memberEligible, type MemberFields } from './members.js';
import { stagedColumns } from './staged-columns.js';

/** An RTF row's columns where it is staged (the layout's column order). */
const rtf = stagedColumns(RTF, 'r.data');

type Db = pg.Pool | pg.PoolClient;

/** A list read to `limit`, and whether there was more. */
export interface Bounded<T> { items: T[]; cut: boolean }

const bounded = <T>(rows: T[], limit: number): Bounded<T> => ({ items: rows.slice(0, limit), cut: rows.length > limit });

/** Only these providers' parts of a list (their codes), or null: every provider's. */
export type ProviderScope = readonly string[] | null;

/** The member record as it stands, and what the members extract last said of the contact details (migration 0039). */
export interface MemberRecord extends MemberFields {
  county: string | null;
  eligibility_end: string | null;
  /** Whether the member is eligible with the plan on the day asked about (memberEligible). */
  eligible: boolean;
  /** { address: [address, city, state, zip], phone, homeless } as the extract last gave them; null: loaded before 0039. */
  upstream_contact: { address?: (string | null)[]; phone?: string | null; homeless?: boolean | null } | null;
  updated_at: Date;
}

export async function memberRecord(db: Db, cin: string, day: string): Promise<MemberRecord | undefined> {
  return (await db.query<MemberRecord>(
    `select cin, mcp_member_id, last_name, first_name, dob, gender, language, county, address, city, state, zip, phone, homeless,
            pcp_name, pcp_npi, eligibility_end, ${memberEligible('m', '$2::date')} as eligible, upstream_contact, updated_at
       from members m where cin = $1`,
    [cin, day],
  )).rows[0];
}

/** A member's assignment in one line as it stands, with the file that last reported on it and the provider's outreach attempts counting. */
export interface StoryAssignment extends Pick<CurrentAssignment,
  'id' | 'lob' | 'provider_code' | 'assigned_date' | 'status' | 'enrollment_start' | 'enrollment_end' | 'discontinuation_date' | 'acuity' | 'lcm_name' | 'plan_end'
  | 'last_submission_id' | 'reported_at'> {
  discontinuation_reason: string | null;
  plan_ended_at: Date | null;
  /** Whether the plan still holds the member in the line on the day asked about (assignmentInLine). */
  held: boolean;
  last_row_number: number | null;
  reported_by: string | null;
  reported_file: string | null;
  /** OTF attempts of the member with this provider in this line that count (current_outreach_attempts). */
  outreach_attempts: number;
  last_outreach: string | null;
}

export async function memberAssignments(db: Db, cin: string, day: string): Promise<StoryAssignment[]> {
  return (await db.query<StoryAssignment>(
    `select a.id, a.lob, a.provider_code, a.assigned_date, a.status, a.enrollment_start, a.enrollment_end, a.discontinuation_date,
            a.discontinuation_reason, a.acuity, a.lcm_name, a.plan_end, a.plan_ended_at, ${assignmentInLine('a', '$2::date')} as held,
            a.last_submission_id, a.last_row_number, u.provider_code as reported_by, u.received_at as reported_at, u.original_name as reported_file,
            o.n as outreach_attempts, o.last as last_outreach
       from ecm_assignments a
       left join submissions u on u.id = a.last_submission_id
       cross join lateral (select count(*)::int as n, max(x.attempt_date) as last from current_outreach_attempts x
                            where x.provider_code = a.provider_code and x.cin = a.cin and x.lob = a.lob) o
      where a.cin = $1`,
    [cin, day],
  )).rows;
}

/** The member's planned switches (ecm_assignment_pending: one per line at most). */
export type StoryPendingSwitch = Omit<PendingSwitch, 'cin' | 'extract'>;

export async function memberPendingSwitches(db: Db, cin: string): Promise<StoryPendingSwitch[]> {
  return (await db.query<StoryPendingSwitch>(
    'select lob, provider_code, assigned_date, row_number, file_name, loaded_at from ecm_assignment_pending where cin = $1', [cin],
  )).rows;
}

/** A planned switch of the member its day's run did not apply (ecm_switches_not_applied). */
export type StorySwitchNotApplied = Omit<SwitchNotApplied, 'id' | 'cin'>;

/** (with `providers`: the switches from or to one of them) */
export async function memberSwitchesNotApplied(db: Db, cin: string, limit: number, providers: ProviderScope = null): Promise<Bounded<StorySwitchNotApplied>> {
  return bounded((await db.query<StorySwitchNotApplied>(
    `select lob, from_provider, to_provider, assigned_date, row_number, file_name, loaded_at, reason, checked_at
       from ecm_switches_not_applied
      where cin = $1 and ($3::text[] is null or to_provider = any($3) or from_provider = any($3))
      order by checked_at desc, id desc limit $2`,
    [cin, limit + 1, providers],
  )).rows, limit);
}

/** An assignment's image (ecm_assignments' row as jsonb: dates YYYY-MM-DD, instants ISO). */
export type AssignmentImage = Record<string, unknown> & {
  provider_code: string; status: number; assigned_date: string; upstream_values: Record<string, unknown> | null;
  upstream_field_as_of: Record<string, string> | null; upstream_as_of: string | null; episode_started_at: string | null;
  plan_end: string | null; plan_ended_at: string | null;
};

/**
 * One change the plan made to an assignment (ecm_assignment_changes: the extract, a referral, a
 * line switch) with the image of the assignment before it. row_number: the extract's row.
 */
export interface LineageRow {
  id: number;
  assignment_id: number;
  source: 'REFERRAL' | 'ASSIGNMENT_IMPORT' | 'LINE_SWITCH';
  row_number: number;
  referral_id: string | null;
  moved: boolean;
  /** The database's clock when the change was written (not a command's --now). */
  changed_at: Date;
  before: AssignmentImage;
}

/**
 * The newest changes the plan made to each of these assignments (at most limit + 1 each: one
 * more says the history was cut), newest first, through 0048's index on the plan's changes
 * (assignment_id, id) WHERE source <> 'RTF'. The RTFs' changes are not read (no index reaches
 * them by assignment, and none may be added on the ingest's path): their steps are the member's
 * counting RTF rows (memberRtfReports).
 */
export async function assignmentLineage(db: Db, assignmentIds: readonly number[], limit: number): Promise<Map<number, LineageRow[]>> {
  const rows = (await db.query<LineageRow>(
    `select c.id, c.assignment_id, c.source, c.row_number, c.referral_id, c.moved, c.changed_at, to_jsonb(c.before) as before
       from unnest($1::bigint[]) as a(id)
       cross join lateral (select * from ecm_assignment_changes x where x.assignment_id = a.id and x.source <> 'RTF' order by x.id desc limit $2) c
      order by c.assignment_id, c.id desc`,
    [assignmentIds, limit + 1],
  )).rows;
  const out = new Map<number, LineageRow[]>(assignmentIds.map((id) => [id, []]));
  for (const r of rows) out.get(r.assignment_id)!.push(r);
  return out;
}

/**
 * The member's current rows (the rows that count, one per key: domain §6), through
 * current_rows' primary key (provider_code, layout, lob, period, row_key) alone, of the providers
 * whose files can hold them: a row counts only for a member its provider held, as the context
 * rules decide (MEMBER_NOT_ASSIGNED, NOT_ON_CSASF), so only these providers' (type, line, period)
 * groups are walked, never the plan's (ten years of 300 providers are 144,000 groups: 2.2 s a
 * read; `npx tsx bench/member-story.ts`):
 * - ECM: the member's assignments as they stand, and as they stood before each of the plan's
 *   changes (their lineage: every move of an assignment to another provider is one), and the
 *   providers sent the member on a MIF or mini-MIF (a member on the provider's latest MIF counts,
 *   also once the plan moved them) or referred them;
 * - CS: the providers of the member's authorizations, and those sent the member on a CSASF.
 * The walk is a skip scan of each provider's groups (one index descent each: a few dozen a year),
 * each group probed for the member's keys (row_key: the CIN for an RTF, the CIN and `|`... for a
 * CSPRTF or OTF; the database's collation is C, so they sort between the CIN and the CIN followed
 * by `}`). No index by CIN: current_rows is written per accepted row by every ingest's merge.
 * Parameters: $1 the CIN; $3 the providers asked about (null: every provider).
 */
const MEMBER_CURRENT_ROWS = `recursive held_by as materialized (
       -- (each branch from the member's key; a lateral read per row found, "offset 0" keeping it
       -- one: the planner may otherwise join a whole small table; deduplicated once, below)
       select a.provider_code from ecm_assignments a where a.cin = $1::bpchar
       union all
       select x.provider_code from ecm_assignments a cross join lateral (
         select (c.before).provider_code from ecm_assignment_changes c where c.assignment_id = a.id and c.source <> 'RTF' offset 0) x
        where a.cin = $1::bpchar
       union all
       select o.provider_code from outbound_file_rows r cross join lateral (
         select o.provider_code from outbound_files o where o.id = r.outbound_file_id offset 0) o
        where r.cin = $1::bpchar
       union all
       select provider_code from ecm_referrals where cin = $1::bpchar
       union all
       select provider_code from cs_authorizations where cin = $1::bpchar
     ), grp as (
       select distinct h.provider_code, ''::text as layout, ''::text as lob, '-infinity'::date as period from held_by h
        where $3::text[] is null or h.provider_code = any($3)
       union all
       -- (the next group of the whole key, then kept only while it is the same provider's: a
       -- descent positioned by the row comparison alone; with the provider's equality beside it,
       -- the scan started at the provider's first entry and read its rows up to the next group)
       select n.provider_code, n.layout, n.lob, n.period from grp g cross join lateral (
         select c.provider_code, c.layout, c.lob, c.period from current_rows c
          where (c.provider_code, c.layout, c.lob, c.period) > (g.provider_code, g.layout, g.lob, g.period)
          order by c.provider_code, c.layout, c.lob, c.period limit 1) n
        where n.provider_code = g.provider_code
     ), mine as (
       select c.* from grp g cross join lateral (
         select c.* from current_rows c
          where c.provider_code = g.provider_code and c.layout = g.layout and c.lob = g.lob and c.period = g.period
            and c.row_key >= $1::text and c.row_key < $1::text || '}'
            and (c.row_key = $1::text or left(c.row_key, 10) = $1::text || '|')) c
        where g.layout <> ''
     )`;

/** What a counting RTF row of the member reported (the status and dates the provider gave), for the assignment's history. */
export interface RtfReport {
  lob: string;
  provider_code: string;
  period: string;
  submission_id: number;
  sheet_name: string;
  row_number: number;
  received_at: Date;
  status: string | null;
  enrollment_start: string | null;
  enrollment_end: string | null;
  discontinuation_date: string | null;
  discontinuation_reason: string | null;
}

/**
 * The member's RTF rows that count (one per provider, line and period), newest first, at most
 * limit + 1: the RTF steps of the assignments' histories, as the provider reported them (the
 * lineage's image before each is not read: see assignmentLineage).
 */
export async function memberRtfReports(db: Db, cin: string, limit: number, providers: ProviderScope = null): Promise<RtfReport[]> {
  return (await db.query<RtfReport>(
    `with ${MEMBER_CURRENT_ROWS}
     select m.lob, m.provider_code, to_char(m.period, 'YYYY-MM') as period, u.id as submission_id, ss.sheet_name, m.row_number, u.received_at,
            ${rtf.text('ecmStatus')} as status, ${rtf.text('startDate')} as enrollment_start, ${rtf.text('endDate')} as enrollment_end,
            ${rtf.text('discontinuationDate')} as discontinuation_date, ${rtf.text('discontinuationReasonCode')} as discontinuation_reason
       from mine m
       join submission_rows r on r.sheet_id = m.sheet_id and r.row_number = m.row_number
       join submission_sheets ss on ss.id = m.sheet_id
       join submissions u on u.id = ss.submission_id
      where m.layout = 'RTF' and m.row_key = $1::text and ($3::text[] is null or m.provider_code = any($3))
      order by u.received_at desc, u.id desc, ss.id desc, m.row_number desc limit $2`,
    [cin, limit + 1, providers],
  )).rows;
}

/** The current row of each of these assignments as an image (the version after their newest change). */
export async function assignmentImages(db: Db, ids: readonly number[]): Promise<Map<number, AssignmentImage>> {
  const r = await db.query<{ id: number; image: AssignmentImage }>('select id, to_jsonb(a) as image from ecm_assignments a where id = any($1)', [ids]);
  return new Map(r.rows.map((x) => [x.id, x.image]));
}

/** A referral of the member, the MIF or mini-MIF that sent it and a conflict that kept it from applying. */
export interface StoryReferral {
  referral_id: string;
  provider_code: string;
  lob: string;
  approved_date: string;
  episode_started_at: Date | null;
  sla_alerted_at: Date | null;
  sent_file: string | null;
  sent_kind: string | null;
  sent_slot: string | null;
  conflict_provider: string | null;
  conflict_resolved_at: Date | null;
}

export async function memberReferrals(db: Db, cin: string, limit: number, providers: ProviderScope = null): Promise<Bounded<StoryReferral>> {
  return bounded((await db.query<StoryReferral>(
    `select f.referral_id, f.provider_code, f.lob, f.approved_date, f.episode_started_at, f.sla_alerted_at,
            o.file_name as sent_file, o.kind as sent_kind, o.slot as sent_slot, k.current_provider as conflict_provider, k.resolved_at as conflict_resolved_at
       from ecm_referrals f
       left join outbound_files o on o.id = f.mini_mif_file_id
       left join ecm_referral_conflicts k on k.referral_id = f.referral_id
      where f.cin = $1 and ($3::text[] is null or f.provider_code = any($3))
      order by f.approved_date desc, f.created_at desc, f.referral_id desc limit $2`,
    [cin, limit + 1, providers],
  )).rows, limit);
}

/** A CS authorization episode of the member, with the provider's latest CSPRTF report on the pair (cs_engagements). */
export interface StoryCsAuthorization {
  id: number;
  service_code: string;
  provider_code: string;
  lob: string;
  record_type: string;
  auth_status: string | null;
  auth_number: string | null;
  auth_start: string | null;
  auth_end: string | null;
  assigned_date: string | null;
  resolved: boolean;
  resolved_reason: string | null;
  resolved_at: Date | null;
  resolved_submission_id: number | null;
  engagement_status: number | null;
  engagement_submission_id: number | null;
  engagement_row: number | null;
}

export async function memberCsAuthorizations(db: Db, cin: string, limit: number, providers: ProviderScope = null): Promise<Bounded<StoryCsAuthorization>> {
  return bounded((await db.query<StoryCsAuthorization>(
    `select a.id, a.service_code, a.provider_code, a.lob, a.record_type, a.auth_status, a.auth_number, a.auth_start, a.auth_end, a.assigned_date,
            a.resolved, a.resolved_reason, a.resolved_at, rs.submission_id as resolved_submission_id,
            e.status as engagement_status, es.submission_id as engagement_submission_id, e.row_number as engagement_row
       from cs_authorizations a
       left join submission_sheets rs on rs.id = a.resolved_sheet_id
       -- (the provider's report is on the pair, not on an episode: shown with the pair's open episode, or its latest)
       left join cs_engagements e on e.cin = a.cin and e.service_code = a.service_code and e.provider_code = a.provider_code
             and a.id = (select max(b.id) from cs_authorizations b where b.cin = a.cin and b.service_code = a.service_code and b.provider_code = a.provider_code)
       left join submission_sheets es on es.id = e.sheet_id
      where a.cin = $1 and ($3::text[] is null or a.provider_code = any($3))
      order by a.id desc limit $2`,
    [cin, limit + 1, providers],
  )).rows, limit);
}

/**
 * A row of a provider's file that named the member (submission_rows), its issues, and whether it
 * is the row that counts for its key (current_rows): the rows that count, and the rejected rows.
 * An accepted row that no longer counts (a later row of its key replaced it, or a later file
 * held the key) is not listed: no index reaches accepted staged rows by CIN (none may be added
 * on the ingest's path); `submission show ID` lists a file's rows.
 */
export interface StoryProviderRow {
  submission_id: number;
  provider_code: string;
  original_name: string;
  received_at: Date;
  verdict: string | null;
  outcome: string | null;
  layout: string;
  sheet_name: string;
  period: string | null;
  row_number: number;
  lob: string | null;
  service_code: string | null;
  attempt_date: string | null;
  accepted: boolean;
  counts: boolean;
  issues: { code: string; severity: string; column: string | null }[];
}

/** (with `providers`: the rows of their files) */
export async function memberProviderRows(db: Db, cin: string, limit: number, providers: ProviderScope = null): Promise<Bounded<StoryProviderRow>> {
  return bounded((await db.query<StoryProviderRow>(
    `with ${MEMBER_CURRENT_ROWS}, picked as (
       select m.sheet_id, m.row_number, true as counts from mine m
       union all
       -- (the rejected rows: migration 0056's partial index, rejected rows only)
       select r.sheet_id, r.row_number, false from submission_rows r where r.cin = $1::bpchar and not r.accepted
     )
     select u.id as submission_id, u.provider_code, u.original_name, u.received_at, u.verdict, u.outcome,
            ss.layout, ss.sheet_name, to_char(ss.period, 'YYYY-MM') as period, r.row_number,
            v.d->>'mcpId' as lob, r.service_code, case when ss.layout = 'OTF' then v.d->>'attemptDate' end as attempt_date, r.accepted,
            p.counts,
            coalesce((select json_agg(json_build_object('code', i.code, 'severity', i.severity, 'column', i.column_label) order by i.id)
                        from submission_issues i where i.submission_id = u.id and i.sheet_name = ss.sheet_name and i.row_number = r.row_number), '[]') as issues
       from picked p
       join submission_rows r on r.sheet_id = p.sheet_id and r.row_number = p.row_number
       join submission_sheets ss on ss.id = r.sheet_id
       join submissions u on u.id = ss.submission_id
       cross join lateral (select submission_row_object(ss.columns, r.data) as d) v
      where $3::text[] is null or u.provider_code = any($3)
      order by u.received_at desc, u.id desc, ss.id desc, r.row_number desc limit $2`,
    [cin, limit + 1, providers],
  )).rows, limit);
}

/** A row of an outbound file (MIF, mini-MIF, CSASF) that carried the member (outbound_file_rows). */
export interface StoryOutboundRow {
  id: number;
  kind: string;
  provider_code: string;
  lob: string | null;
  slot: string;
  status: string;
  file_name: string | null;
  published_at: Date | null;
  replaced_at: Date | null;
  row_number: number;
  ecm_status: number | null;
  service_code: string | null;
  auth_number: string | null;
  referral_id: string | null;
}

/** (with `providers`: the files sent to them) */
export async function memberOutboundRows(db: Db, cin: string, limit: number, providers: ProviderScope = null): Promise<Bounded<StoryOutboundRow>> {
  return bounded((await db.query<StoryOutboundRow>(
    `select o.id, o.kind, o.provider_code, o.lob, o.slot, o.status, o.file_name, o.published_at, o.replaced_at,
            r.row_number, r.ecm_status, r.service_code, r.auth_number, r.referral_id
       from outbound_file_rows r join outbound_files o on o.id = r.outbound_file_id
      where r.cin = $1 and ($3::text[] is null or o.provider_code = any($3))
      order by o.slot desc, o.id desc, r.row_number desc limit $2`,
    [cin, limit + 1, providers],
  )).rows, limit);
}

// ECM assignments as the plan's extracts change them (src/import/ecm.ts decides, per row, what
// happens): the members' current assignments, the assignment extract's writes (with lineage),
// approved referrals, the referrals refused for a conflict, and the new episodes referrals start.
// The provider's RTF writes the same table through its apply statement (src/filetypes/rtf/apply.ts).
import type pg from 'pg';
import type { IsoDate } from '../../schemas/primitives.js';
import type { UpstreamRow } from '../../schemas/upstream.js';
import { withTransaction } from '../db/pool.js';
import { CONTRACT_LIAISON } from './providers.js';
import { memberEligible, type MemberFields } from './members.js';
import { notEnded, notEndedOn } from './last-day.js';

type Db = pg.Pool | pg.PoolClient;

/** The fields the extract carries that the provider also reports on its RTF. */
export const PROVIDER_FIELDS = ['status', 'enrollment_start', 'enrollment_end', 'acuity', 'lcm_name', 'lcm_phone', 'pof'] as const;
export type ProviderField = (typeof PROVIDER_FIELDS)[number];
/** Those fields as one text each (pof: its codes sorted, `;`-joined): as stored in upstream_values. */
export type ProviderValues = Record<ProviderField, string | null>;
/** Who holds the assignment: only the extract (or a referral's new episode) says it. */
export const WHO_FIELDS = ['provider_code', 'assigned_date'] as const;
/** Every field of the extract that lands on the assignment, as upstream_values keeps it. */
export const EXTRACT_FIELDS = [...WHO_FIELDS, ...PROVIDER_FIELDS] as const;
export type ExtractField = (typeof EXTRACT_FIELDS)[number];
export type ExtractValues = Record<ExtractField, string | null>;

/** What only the provider reports (nothing in the extract): a switch to another provider starts without it. */
const PROVIDER_ONLY_FIELDS = [
  'lcm_email', 'care_plan_revised', 'care_conference', 'assessment_started', 'assessment_completed', 'last_encounter', 'in_person_count',
  'telephonic_count', 'referral_status', 'referral_status_date', 'referral_closure_reason', 'last_submission_id', 'last_row_number',
] as const;
const DISCONTINUATION_FIELDS = ['discontinuation_date', 'discontinuation_reason', 'discontinuation_text'] as const;

/**
 * The update of an assignment by the extract (src.action): 'update' takes the fields in src.take
 * and keeps the others as they are (what the provider reported); 'switch' starts a new episode
 * with the extract's fields and nothing reported before: another provider's, or the same
 * provider's from a later date after its reports ended the assignment.
 */
const takes = (f: ExtractField) => `(src.action = 'switch' or '${f}' = any(src.take))`;
const ASSIGNMENT_SET = [
  ...EXTRACT_FIELDS.map((f) => `${f} = case when ${takes(f)} then src.${f} else prev.${f} end`),
  // an enrollment the extract now gives replaces a discontinuation (the two exclude each other), and
  // so does a status of outreach or enrollment (1-3) it now gives: left, the member was open under
  // that status on the MIF and ended for the referral rule (isOpenEcm) at once
  ...DISCONTINUATION_FIELDS.map((f) => `${f} = case when src.action = 'switch' or (${takes('enrollment_start')} and src.enrollment_start is not null)
    or (${takes('status')} and src.status between 1 and 3) then null else prev.${f} end`),
  ...PROVIDER_ONLY_FIELDS.map((f) => `${f} = case when src.action = 'switch' then null else prev.${f} end`),
].join(',\n           ');

/**
 * [POLICY LOB_SWITCH] Whether the assignment `a` (an ecm_assignments alias) still holds its member
 * in its line of business on `day` (the SQL of a date): the plan has not ended it before that
 * day (plan_end, its last day in the line: the member moved to another of the plan's lines,
 * endOtherLines; none: open-ended). The one place the rule is written; what the provider
 * reported (status, enrollment end, discontinuation) is read beside it as before:
 * - on a day: a MIF or mini-MIF carries the member only when held on its slot's day
 *   (mifMembers, miniMifMembers), and a referral is overdue only while its member is held in
 *   the line on the alert's day (overdueReferrals);
 * - for a reporting period: held on the period's first day. An RTF or OTF row about a member its
 *   provider's assignment no longer holds for the file's period is accepted with MEMBER_LEFT_LINE,
 *   and an RTF does not owe that member (leftLineMembers, the provider context); the caseload
 *   warning counts members held on the period's first day (caseloadsOver);
 * - on a referral's approval day: the referral conflict check (isOpenEcm, its twin in memory).
 */
export const assignmentInLine = (a: string, day: string): string => notEndedOn(`${a}.plan_end`, day);

/** assignmentInLine of an assignment read into memory, on `day` (YYYY-MM-DD). */
export const inLineOn = (a: { plan_end: string | null }, day: string): boolean => notEnded(a.plan_end, day);

/** A member's assignment in one line of business, with when the provider last reported on it. */
export interface CurrentAssignment {
  id: number;
  cin: string;
  lob: string;
  provider_code: string;
  assigned_date: string;
  status: number;
  enrollment_start: string | null;
  enrollment_end: string | null;
  discontinuation_date: string | null;
  /** The plan's end of the assignment in its line (its last day: assignmentInLine); null: none. */
  plan_end: string | null;
  acuity: string | null;
  lcm_name: string | null;
  lcm_phone: string | null;
  pof: string[];
  upstream_values: Partial<ExtractValues> | null;
  upstream_as_of: Date | null;
  /** Per field of upstream_values, since when the extract has said it (ISO instants). */
  upstream_field_as_of: Partial<Record<ExtractField, string>> | null;
  /** When a referral last started a new episode on it (null: none since the extract switched it). */
  episode_started_at: Date | null;
  last_submission_id: number | null;
  /** Receipt time of the submission that last reported on it (null: never reported). */
  reported_at: Date | null;
}

/** The assignments (every line of business) of these members. */
export async function currentAssignments(db: Db, cins: readonly string[]): Promise<CurrentAssignment[]> {
  return (await db.query<CurrentAssignment>(
    `select a.id, a.cin, a.lob, a.provider_code, a.assigned_date, a.status, a.enrollment_start, a.enrollment_end, a.discontinuation_date, a.plan_end, a.acuity,
            a.lcm_name, a.lcm_phone, a.pof, a.upstream_values, a.upstream_as_of, a.upstream_field_as_of, a.episode_started_at,
            a.last_submission_id, u.received_at as reported_at
       from ecm_assignments a left join submissions u on u.id = a.last_submission_id
      where a.cin = any($1)`,
    [cins],
  )).rows;
}

// Who goes on a provider's MIF and mini-MIF (src/generate), and the referrals those files carry:
// marked sent once a published file carried the member, or alerted on when overdue (src/reports).

/** A member as a MIF carries it: demographics, the assignment (with the provider's latest accepted RTF) and, on a mini-MIF, the referral. */
export interface MifMember extends MemberFields {
  pof: string[];
  status: number;
  enrollment_start: string | null;
  enrollment_end: string | null;
  discontinuation_date: string | null;
  discontinuation_reason: string | null;
  discontinuation_text: string | null;
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
  m.zip, m.phone, m.homeless, m.pcp_name, m.pcp_npi, a.pof, a.status, a.enrollment_start, a.enrollment_end, a.discontinuation_date, a.discontinuation_reason,
  a.discontinuation_text, a.acuity, a.lcm_name, a.lcm_phone, a.lcm_email, a.care_plan_revised, a.care_conference, a.assessment_started,
  a.assessment_completed, a.last_encounter`;

/**
 * Monthly MIF: members assigned to the provider in this line of business on the slot date who
 * are pending outreach (1), in outreach (2) or enrolled (3) and not disenrolled before the
 * reporting month began (periodStart). A member who was enrolled (a start date) and leaves
 * during the month or later is still enrolled then, whatever status carries the end date: a
 * provider reports an enrolled member who leaves as status 4 with Start and End (spec §4.5), so
 * that member stays (with status 4, as reported) until the month after the End Date, and is
 * owed on the RTF like an enrolled one. Status 4 without a start (never enrolled, discontinued)
 * or without an end is not on it. Only members eligible with the plan on the slot's day
 * (memberEligible) and still in the line on it (assignmentInLine: not moved to another line).
 */
export async function mifMembers(db: Db, provider: string, lob: string, slot: IsoDate, periodStart: IsoDate): Promise<MifMember[]> {
  const r = await db.query<MifMember>(
    // (a: the member's assignment with the provider as it stands, or as it stood before the
    // extract moved it to another provider from a date after the slot: one row per member and
    // line. A switch the extract dates after its load is applied on its day (applyDueSwitches),
    // so this is a MIF republished for a slot before that day once it came, or a switch loaded
    // before migration 0054, applied at import: without it the member would be on neither
    // provider's MIF; the row as it was is the move's lineage. The row as it stood is the latest of
    // its lineage dated on or before the slot: the one before the move, or before an extract that
    // dates the member again after the slot (moved back to the provider that held them, from a
    // later date than that provider's own); whoever it names, the member's provider before them
    // all or the current one, dated again. An RTF's image is not a move's: what a provider
    // reported is in the next move's.)
    `with a as (
       select * from ecm_assignments where provider_code = $1 and lob = $2
       union all
       select x.* from ecm_assignments cur
        cross join lateral (select (ch.before).* from ecm_assignment_changes ch
                             where ch.assignment_id = cur.id and ch.source <> 'RTF' and (ch.before).assigned_date <= $3
                             order by ch.id desc limit 1) x
        where cur.lob = $2 and cur.assigned_date > $3 and x.provider_code = $1
     )
     select ${MEMBER_COLUMNS}, null::text as referral_id, null::text as referral_approved
       from a join members m using (cin)
      where a.assigned_date <= $3 and ${memberEligible('m', '$3::date')} and ${assignmentInLine('a', '$3::date')}
        and (a.status in (1, 2)
             or (a.status = 3 and (a.enrollment_end is null or a.enrollment_end >= $4))
             or (a.status = 4 and a.enrollment_start is not null and a.enrollment_end >= $4))
      order by m.last_name, m.first_name, m.cin`,
    [provider, lob, slot, periodStart],
  );
  return r.rows;
}

/**
 * A published MIF or mini-MIF `o` (its rows `r`) that sent referral `f`: the provider's file of
 * the referral's line of business (a member on its HN MIF was not sent a CV referral), dated on
 * or after the approval, carrying the member, and whose read of its members saw the referral's
 * episode: a re-referral's member was on earlier files with the ended episode, which did not
 * tell the provider of this one, and so was a file whose members were read while the referral
 * import was still open. (The snapshot the members were read in against the transaction that
 * started the episode: exact. Rows from before migration 0031 have neither: the file recorded
 * after the episode started.) A referral that started no episode (the member was open with the
 * provider already) is sent by any such file.
 */
const CARRIED = `o.provider_code = f.provider_code and o.lob = f.lob and o.kind in ('MIF', 'MINIMIF') and o.status = 'PUBLISHED'
  and r.cin = f.cin and o.slot >= f.approved_date
  and (f.episode_started_at is null
       or case when f.episode_xid is not null and o.members_snapshot is not null then pg_visible_in_snapshot(f.episode_xid, o.members_snapshot)
               else o.created_at >= f.episode_started_at end)`;

/**
 * A MIF's or mini-MIF's members read in one snapshot, and that snapshot (recorded with the file:
 * which referral episodes it saw, CARRIED).
 */
export async function readMembersInSnapshot(pool: pg.Pool, read: (c: pg.PoolClient) => Promise<MifMember[]>): Promise<{ members: MifMember[]; snapshot: string }> {
  // (repeatable read: the snapshot taken by the first statement is the one every read uses)
  return withTransaction(pool, async (c) => {
    const snapshot = (await c.query<{ s: string }>('select pg_current_snapshot()::text as s')).rows[0]!.s;
    return { members: await read(c), snapshot };
  }, { snapshot: true });
}

/**
 * mini-MIF: referrals to the provider approved at least minDays before the slot that have not
 * gone out on a MIF or mini-MIF this provider received (CARRIED), of members eligible with the
 * plan on the slot's day (memberEligible: a referral of a member whose eligibility ended is not sent)
 * whose assignment in the line still holds them on that day (assignmentInLine: not moved to another line).
 * A republish of the slot's mini-MIF (`republishing`) also carries the referrals an earlier
 * version of that same file sent: they are marked sent, and a new version without them would
 * replace the file with nothing.
 */
export async function miniMifMembers(db: Db, provider: string, lob: string, slot: IsoDate, minDays: number, republishing = false): Promise<MifMember[]> {
  const r = await db.query<MifMember>(
    // One row per member, however many of its referrals are due (two in one extract, or one
    // referring the member again before the first was sent): the file is one row per member, as
    // the RTF it pre-fills must be. Its approval date is the one that assigned the member, else
    // the latest; every due referral is marked sent by the file that carried the member (CARRIED).
    `select * from (
       select distinct on (f.cin) ${MEMBER_COLUMNS}, f.referral_id, f.approved_date as referral_approved
         from ecm_referrals f
         join members m on m.cin = f.cin
         join ecm_assignments a on a.cin = f.cin and a.lob = f.lob and a.provider_code = f.provider_code
        where f.provider_code = $1 and f.lob = $2 and ${memberEligible('m', '$3::date')} and ${assignmentInLine('a', '$3::date')}
          and f.approved_date <= ($3::date - $4::int)
          and ((f.mini_mif_file_id is null
                and not exists (select 1 from outbound_file_rows r join outbound_files o on o.id = r.outbound_file_id where ${CARRIED}))
               or ($5::boolean and f.mini_mif_file_id in (
                     select o.id from outbound_files o where o.kind = 'MINIMIF' and o.provider_code = $1 and o.lob = $2 and o.slot = $3::date)))
        order by f.cin, f.approved_date = a.assigned_date desc, f.approved_date desc, f.referral_id
     ) x
     order by referral_approved, last_name, cin`,
    [provider, lob, slot, minDays, republishing],
  );
  return r.rows;
}

/**
 * The provider's referrals in the line, approved by the slot and not yet sent, that the
 * just-published file `fileId` carried (CARRIED): sent on it (the mini-MIF 5-10 day rule). A
 * file an earlier attempt built before a referral's episode started is not this referral's.
 */
export async function markReferralsSentOn(db: Db, fileId: number, provider: string, lob: string | null, slot: IsoDate): Promise<void> {
  await db.query(
    `update ecm_referrals f set mini_mif_file_id = $1
      where f.provider_code = $2 and f.lob = $3 and f.mini_mif_file_id is null and f.approved_date <= $4
        and exists (select 1 from outbound_files o join outbound_file_rows r on r.outbound_file_id = o.id where o.id = $1 and ${CARRIED})`,
    [fileId, provider, lob, slot],
  );
}

/**
 * A referral counts as sent once a published MIF or mini-MIF sent it (CARRIED: e.g. the
 * referral, approved before the 15th, was loaded after the monthly MIF that carried the member
 * already open with the provider in its line): marked with the earliest such file. Returns how
 * many were marked.
 */
export async function markReferralsCarried(db: Db): Promise<number> {
  const r = await db.query(
    `update ecm_referrals f set mini_mif_file_id = (
         select o.id from outbound_files o join outbound_file_rows r on r.outbound_file_id = o.id where ${CARRIED} order by o.slot, o.id limit 1)
      where f.mini_mif_file_id is null
        and exists (select 1 from outbound_files o join outbound_file_rows r on r.outbound_file_id = o.id where ${CARRIED})`,
  );
  return r.rowCount ?? 0;
}

/** A provider's referrals not sent in time, oldest approval first, with the liaison of their line. */
export interface OverdueReferrals {
  provider_code: string;
  liaison_email: string | null;
  /**
   * eligible: whether the member is eligible with the plan on the slot's day (else no mini-MIF may carry the referral: memberEligible).
   * sent: the plan-local day the file that sent the referral went out, when that was after its SLA days (null: not sent yet).
   */
  referrals: { id: string; cin: string; approved: string; lob: string; eligible: boolean; sent: string | null }[];
}

/**
 * Per provider (by code) and liaison: referrals not alerted on yet, approved `days` or more before
 * the slot, and either not sent, whose member has not since been assigned to another provider in the line, nor
 * moved to another line by the slot (assignmentInLine), or sent late: by a file that went out
 * (plan-local day, `tz`) more than `days` after the approval, on or after `lateSince` (a file
 * caught up after an outage, whose alert day the scheduler missed). The liaison is the one of the provider's ECM contract in the
 * referral's line (the provider's own when the contract names none, or there is no contract in
 * that line), compared case-insensitively: the line's liaison, to whom the alert goes while they may
 * see the provider (miniMifSlaAlert asks liaisonsWhoMaySee, src/repositories/board.ts: the rows name
 * members by CIN).
 */
export async function overdueReferrals(db: Db, slot: IsoDate, days: number, tz: string, lateSince: IsoDate): Promise<OverdueReferrals[]> {
  const r = await db.query<OverdueReferrals>(
    `select f.provider_code, min(${CONTRACT_LIAISON}) as liaison_email,
            json_agg(json_build_object('id', f.referral_id, 'cin', f.cin, 'approved', f.approved_date, 'lob', f.lob, 'eligible', ${memberEligible('m', '$1::date')},
                                       'sent', to_char(s.sent, 'YYYY-MM-DD'))
                     order by f.approved_date, f.referral_id) as referrals
       from ecm_referrals f join providers p using (provider_code)
       left join members m on m.cin = f.cin
       left join provider_contracts c on c.provider_code = f.provider_code and c.lob = f.lob and c.program = 'ECM'
       left join lateral (select (o.published_at at time zone $3)::date as sent from outbound_files o where o.id = f.mini_mif_file_id) s on true
      where f.sla_alerted_at is null and f.approved_date <= ($1::date - $2::int)
        and ((f.mini_mif_file_id is null
              -- a member since moved to another provider (the assignment extract), or to another line
              -- (assignmentInLine), is on no mini-MIF of this one's from then (miniMifMembers): nothing is overdue to it
              and not exists (select 1 from ecm_assignments a where a.cin = f.cin and a.lob = f.lob
                                and (a.provider_code <> f.provider_code or not ${assignmentInLine('a', '$1::date')})))
             or (s.sent > f.approved_date + $2::int and s.sent >= $4::date))
      group by f.provider_code, lower(${CONTRACT_LIAISON}) order by f.provider_code, 2`,
    [slot, days, tz, lateSince],
  );
  return r.rows;
}

/** These referrals were alerted on (at `now`): an alert is raised once per referral. */
export async function markReferralsAlerted(db: Db, referralIds: readonly string[], now: Date): Promise<void> {
  await db.query(`update ecm_referrals set sla_alerted_at = $2 where referral_id = any($1)`, [referralIds, now]);
}

/** A row of the assignment extract and what it does to the member's assignment (see ASSIGNMENT_SET). */
export interface AssignmentExtractWrite {
  /** The file's row number, recorded in the lineage. */
  row: number;
  /** 'plan': a switch to another provider from a day still to come, held in ecm_assignment_pending until then (the assignment unchanged). */
  action: 'insert' | 'switch' | 'update' | 'plan';
  /** 'update': the fields the extract's values replace; the others stay as they are (none: the extract still names the provider a referral's episode replaced). */
  take: ExtractField[];
  /** The assignment it changes (null for an insert). */
  id: number | null;
  cin: string;
  lob: string;
  provider_code: string;
  status: number;
  assigned_date: string;
  pof: string[];
  enrollment_start: string | null;
  enrollment_end: string | null;
  acuity: string | null;
  lcm_name: string | null;
  lcm_phone: string | null;
  upstream_values: ExtractValues;
  /** Since when the extract says these values (ISO instant): the latest of field_as_of. */
  as_of: string;
  /** Per field, since when the extract says its value (ISO instants). */
  field_as_of: Record<ExtractField, string>;
  /** 'plan': the row's fields as the import read them, checked again on its day (PendingSwitch.extract). */
  extract?: Record<string, unknown>;
  /** 'plan': the extract's file name (what the liaisons are told if the switch is not applied on its day). */
  file_name?: string | null;
}

/** An extract row that takes the assignment back into its line: a switch or a new assigned date after the plan's end of it. */
const REOPENS = `(prev.plan_end is not null and src.assigned_date > prev.plan_end and ${takes('assigned_date')})`;

/**
 * The assignment extract's rows in four statements: the planned switches (held until their day;
 * the same row again keeps when it was first said), the planned switches the other rows end (a
 * row that applies now is the plan's latest word on the member's line: a switch from today or
 * before replaces the planned one, and the member listed with the provider that holds them
 * cancels it), the changes to existing assignments (a lineage row for each that changed; a
 * switch settles the referral conflicts it answers), then the new assignments.
 */
export async function applyAssignmentExtract(db: Db, rows: readonly AssignmentExtractWrite[], now: Date): Promise<void> {
  const payload = JSON.stringify(rows);
  await db.query(
    `/* import ecm-assignments: planned switches */
     insert into ecm_assignment_pending as p (cin, lob, provider_code, assigned_date, extract, row_number, loaded_at, file_name)
     select cin, lob, provider_code, assigned_date, extract, row, $2, file_name
       from jsonb_to_recordset($1::jsonb) as x(action text, row int, cin char(9), lob text, provider_code text, assigned_date date, extract jsonb, file_name text)
      where action = 'plan'
     on conflict (cin, lob) do update set provider_code = excluded.provider_code, assigned_date = excluded.assigned_date, extract = excluded.extract,
       row_number = excluded.row_number, loaded_at = case when p.extract = excluded.extract then p.loaded_at else excluded.loaded_at end,
       file_name = excluded.file_name`,
    [payload, now],
  );
  await db.query(
    `/* import ecm-assignments: planned switches ended */
     delete from ecm_assignment_pending p using jsonb_to_recordset($1::jsonb) as x(action text, cin char(9), lob text)
      where x.action <> 'plan' and p.cin = x.cin and p.lob = x.lob`,
    [payload],
  );
  await db.query(
    `/* import ecm-assignments: existing assignments, lineage */ with src as materialized (
       select * from jsonb_to_recordset($1::jsonb) as x(row int, action text, id bigint, cin char(9), lob text, provider_code text, status smallint,
         assigned_date date, pof text[], enrollment_start date, enrollment_end date, acuity text, lcm_name text, lcm_phone text,
         upstream_values jsonb, as_of timestamptz, field_as_of jsonb, take text[])
        where action in ('switch', 'update')
     ), upd as (
       update ecm_assignments a set
         ${ASSIGNMENT_SET},
         upstream_values = src.upstream_values,
         upstream_as_of = src.as_of,
         upstream_field_as_of = src.field_as_of,
         -- a switch ends the referral's episode: the row holds what the extract said
         episode_started_at = case when src.action = 'switch' then null else prev.episode_started_at end,
         -- the member back in the line (a move back: the extract assigns it again from a day after
         -- the plan ended it) holds it again; an older row of the line (its assigned date on or
         -- before that end) leaves the end as it is
         plan_end = case when ${REOPENS} then null else prev.plan_end end,
         plan_ended_at = case when ${REOPENS} then null else prev.plan_ended_at end,
         updated_at = now()
       from src join ecm_assignments prev on prev.id = src.id
       where a.id = prev.id
       returning a.id, src.row, prev as before,
         (prev.provider_code, prev.assigned_date, prev.status, prev.pof, prev.enrollment_start, prev.enrollment_end, prev.acuity,
          prev.lcm_name, prev.lcm_phone, prev.discontinuation_date, prev.plan_end)
           is distinct from
         (a.provider_code, a.assigned_date, a.status, a.pof, a.enrollment_start, a.enrollment_end, a.acuity, a.lcm_name, a.lcm_phone,
          a.discontinuation_date, a.plan_end) as changed,
         -- (the provider context looks for moves among these: migration 0049)
         a.provider_code is distinct from prev.provider_code as moved
     ), switched as (
       -- a referral refused because the member was with another provider is settled once the extract moves the member
       update ecm_referral_conflicts k set resolved_at = $2
         from src where src.action = 'switch' and k.cin = src.cin and k.lob = src.lob and k.referred_provider = src.provider_code and k.resolved_at is null
     )
     insert into ecm_assignment_changes (assignment_id, sheet_id, row_number, before, source, moved)
     select upd.id, null, upd.row, upd.before, 'ASSIGNMENT_IMPORT', upd.moved from upd where upd.changed`,
    [payload, now],
  );
  await db.query(
    `/* import ecm-assignments: new assignments */
     insert into ecm_assignments (cin, lob, provider_code, status, assigned_date, pof, enrollment_start, enrollment_end, acuity, lcm_name, lcm_phone,
       upstream_values, upstream_as_of, upstream_field_as_of)
     select cin, lob, provider_code, status, assigned_date, coalesce(pof, '{}'), enrollment_start, enrollment_end, acuity, lcm_name, lcm_phone,
            upstream_values, as_of, field_as_of
       from jsonb_to_recordset($1::jsonb) as x(action text, cin text, lob text, provider_code text, status smallint, assigned_date date, pof text[],
         enrollment_start date, enrollment_end date, acuity text, lcm_name text, lcm_phone text, upstream_values jsonb, as_of timestamptz, field_as_of jsonb)
      where action = 'insert'
     on conflict (cin, lob) do nothing`,
    [payload],
  );
}

/** A switch an assignment extract planned: the member another provider's in the line from `assigned_date`, a day after the extract was loaded. */
export interface PendingSwitch {
  cin: string;
  lob: string;
  provider_code: string;
  assigned_date: string;
  /** The extract's row as the import read it (its fields, parsed), checked and applied again on its day. */
  extract: Record<string, unknown>;
  row_number: number;
  /** Since when the extract has said it (the import that first gave this row). */
  loaded_at: Date;
  /** The file whose row row_number is: the latest import that gave it (null: planned before migration 0055). */
  file_name: string | null;
}

/** The planned switches of these members, by member and line. */
export async function pendingSwitches(db: Db, cins: readonly string[]): Promise<Map<string, Pick<PendingSwitch, 'provider_code' | 'assigned_date'>>> {
  const r = await db.query<PendingSwitch>('select cin, lob, provider_code, assigned_date from ecm_assignment_pending where cin = any($1)', [cins]);
  return new Map(r.rows.map((p) => [`${p.cin}|${p.lob}`, { provider_code: p.provider_code, assigned_date: p.assigned_date }]));
}

/** Whether a planned switch is due on `day` (on or after its assigned date). */
export async function anySwitchDue(db: Db, day: IsoDate): Promise<boolean> {
  return (await db.query('select 1 from ecm_assignment_pending where assigned_date <= $1 limit 1', [day])).rowCount! > 0;
}

/**
 * The planned switches due on `day`, taken off the table (in the caller's transaction, which
 * applies them): in the order they were loaded, then by row. A second taker in another
 * transaction waits for this one, then finds them gone.
 */
export async function takeDueSwitches(db: Db, day: IsoDate): Promise<PendingSwitch[]> {
  return (await db.query<PendingSwitch>(
    `delete from ecm_assignment_pending where assigned_date <= $1
     returning cin, lob, provider_code, assigned_date, extract, row_number, loaded_at, file_name`,
    [day],
  )).rows.sort((a, b) => a.loaded_at.getTime() - b.loaded_at.getTime() || a.row_number - b.row_number);
}

/** A planned switch its day's run did not apply (ecm_switches_not_applied, migration 0055). */
export interface SwitchNotApplied {
  id: number;
  /** PHI: for ops (the CLI), never logged or emailed. */
  cin: string;
  lob: string;
  /** Who kept the member (null: no assignment in the line). */
  from_provider: string | null;
  to_provider: string;
  /** The planned day. */
  assigned_date: string;
  row_number: number;
  file_name: string | null;
  loaded_at: Date;
  /** Plain words, never a member's data. */
  reason: string;
  /** The run that checked it on its day. */
  checked_at: Date;
}

/** Records the switches not applied (in the caller's transaction, the one that took them off the plan); returns them with their ids. */
export async function recordSwitchesNotApplied(db: Db, items: readonly Omit<SwitchNotApplied, 'id' | 'checked_at'>[], now: Date): Promise<SwitchNotApplied[]> {
  if (!items.length) return [];
  return (await db.query<SwitchNotApplied>(
    `insert into ecm_switches_not_applied (cin, lob, from_provider, to_provider, assigned_date, row_number, file_name, loaded_at, reason, checked_at)
     select cin, lob, from_provider, to_provider, assigned_date, row_number, file_name, loaded_at, reason, $2
       from jsonb_to_recordset($1::jsonb) as x(cin char(9), lob text, from_provider text, to_provider text, assigned_date date, row_number int,
         file_name text, loaded_at timestamptz, reason text)
     returning id::int, cin, lob, from_provider, to_provider, assigned_date, row_number, file_name, loaded_at, reason, checked_at`,
    [JSON.stringify(items), now],
  )).rows.sort((a, b) => a.id - b.id);
}

/** A planned switch still to come, with who holds the member until then (the CLI's `switches`). */
export type PlannedSwitch = Omit<PendingSwitch, 'extract'> & { from_provider: string | null };

/** The planned switches, soonest first (then by member), at most `limit`. */
export async function listPlannedSwitches(db: Db, limit: number): Promise<PlannedSwitch[]> {
  return (await db.query<PlannedSwitch>(
    `select p.cin, p.lob, a.provider_code as from_provider, p.provider_code, p.assigned_date, p.row_number, p.file_name, p.loaded_at
       from ecm_assignment_pending p left join ecm_assignments a on a.cin = p.cin and a.lob = p.lob
      order by p.assigned_date, p.cin, p.lob limit $1`,
    [limit],
  )).rows;
}

/** The switches not applied on their day, the latest checked first, at most `limit`. */
export async function listSwitchesNotApplied(db: Db, limit: number): Promise<SwitchNotApplied[]> {
  return (await db.query<SwitchNotApplied>(
    `select id::int, cin, lob, from_provider, to_provider, assigned_date, row_number, file_name, loaded_at, reason, checked_at
       from ecm_switches_not_applied order by checked_at desc, id desc limit $1`,
    [limit],
  )).rows;
}

/** An extract row that opened or moved a member's assignment in `lob` from `assigned_date`, and the lines the same file lists the member in. */
export interface LineOpened {
  row: number;
  cin: string;
  lob: string;
  assigned_date: string;
  /** Every line the file lists the member in (rejected rows included: the plan still lists the member there). */
  listed: string[];
}

/** An assignment the plan ended because the member joined another line (endOtherLines). */
export interface LineEnded {
  id: number;
  row: number;
  cin: string;
  lob: string;
  provider_code: string;
  joined: string;
  plan_end: string;
}

/**
 * [POLICY LOB_SWITCH=end-other-lines] A member is enrolled in one of the plan's lines at a time.
 * For each line an extract row opened or moved (`opened`: an insert, a switch, a move back), the
 * member's open assignment (status 1-3, no enrollment end or discontinuation, not ended by the
 * plan) in another line the file does not list, assigned before the row's assigned date, ends
 * from the plan's side: plan_end the day before that date (its last day in its line), plan_ended_at
 * the import's clock; what the provider reported stays as reported (no status 4, no enrollment
 * end invented). Of two openings in one file the earlier date ends it. Lineage: the assignment as
 * it was, with the row that ended it (source LINE_SWITCH). Returns the assignments ended (none on a
 * re-import: an ended assignment is not open).
 */
export async function endOtherLines(db: Db, opened: readonly LineOpened[], now: Date): Promise<LineEnded[]> {
  if (!opened.length) return [];
  return (await db.query<LineEnded>(
    `/* import ecm-assignments: line switches, lineage */ with src as materialized (
       select * from jsonb_to_recordset($1::jsonb) as x(row int, cin char(9), lob text, assigned_date date, listed text[])
     ), ending as (
       select distinct on (o.id) o.id, src.row, src.lob as joined, src.assigned_date
         from src join ecm_assignments o on o.cin = src.cin and o.lob <> src.lob and not (o.lob = any(src.listed))
        -- (open on the day the member joins the other line, as isOpenEcm asks: an enrollment
        -- end planned after that day has not happened, and the member would be in two lines)
        where o.status between 1 and 3 and ${notEndedOn('o.enrollment_end', 'src.assigned_date')} and ${notEndedOn('o.discontinuation_date', 'src.assigned_date')} and o.plan_end is null
          and o.assigned_date < src.assigned_date
        order by o.id, src.assigned_date, src.row
     ), upd as (
       update ecm_assignments a set plan_end = e.assigned_date - 1, plan_ended_at = $2, updated_at = now()
         from ending e join ecm_assignments prev on prev.id = e.id
        where a.id = prev.id
       returning a.id, a.cin, a.lob, a.provider_code, a.plan_end, e.row, e.joined, prev as before
     ), lineage as (
       insert into ecm_assignment_changes (assignment_id, sheet_id, row_number, before, source)
       select id, null, row, before, 'LINE_SWITCH' from upd
     )
     select id::int, row, cin, lob, provider_code, joined, plan_end from upd order by row, lob`,
    [JSON.stringify(opened), now],
  )).rows;
}

/** A planned switch called off because the extract put its member in another line (cancelPlannedInLinesLeft). */
export interface PlannedSwitchLeft {
  /** The row that opened the other line. */
  row: number;
  lob: string;
  joined: string;
  provider_code: string;
  assigned_date: string;
}

/**
 * [POLICY LOB_SWITCH=end-other-lines] The planned switches (ecm_assignment_pending) of a member an
 * extract row opened or moved in a line (`opened`), in each other line the file does not list:
 * deleted, and returned with the row. The file is the plan's latest word on the member's lines:
 * it puts them in the line opened and no longer in that one (whose open assignment endOtherLines
 * ends), so the move an earlier extract planned there will not happen; applied on its day, it
 * took the member back into the line they left (the plan's end undone, or a new episode there).
 */
export async function cancelPlannedInLinesLeft(db: Db, opened: readonly LineOpened[]): Promise<PlannedSwitchLeft[]> {
  if (!opened.length) return [];
  return (await db.query<PlannedSwitchLeft>(
    `/* import ecm-assignments: planned switches of lines left */ with src as materialized (
       select * from jsonb_to_recordset($1::jsonb) as x(row int, cin char(9), lob text, assigned_date date, listed text[])
     ), left_line as (
       select distinct on (p.cin, p.lob) p.cin, p.lob, src.row, src.lob as joined
         from src join ecm_assignment_pending p on p.cin = src.cin and p.lob <> src.lob and not (p.lob = any(src.listed))
        order by p.cin, p.lob, src.assigned_date, src.row
     )
     delete from ecm_assignment_pending p using left_line l where p.cin = l.cin and p.lob = l.lob
     returning l.row, p.lob, l.joined, p.provider_code, p.assigned_date`,
    [JSON.stringify(opened)],
  )).rows.sort((a, b) => a.row - b.row || a.lob.localeCompare(b.lob));
}

/** Which of these referral ids are on record already (a re-import changes no assignment), with whom each refers where. */
export async function knownReferralIds(db: Db, ids: readonly string[]): Promise<Map<string, { cin: string; provider_code: string; lob: string }>> {
  const r = await db.query<{ referral_id: string; cin: string; provider_code: string; lob: string }>(
    'select referral_id, cin, provider_code, lob from ecm_referrals where referral_id = any($1)', [ids]);
  return new Map(r.rows.map(({ referral_id, ...x }) => [referral_id, x]));
}

/** An approved referral not applied because the member has an open assignment with another provider. */
export interface ReferralConflictRecord {
  referral_id: string;
  cin: string;
  lob: string;
  current_provider: string;
  referred_provider: string;
  approved_date: string;
}

/** Recorded (or recorded again, unresolved) until the extract moves the member or a new episode starts. */
export async function recordReferralConflicts(db: Db, conflicts: readonly ReferralConflictRecord[], now: Date): Promise<void> {
  await db.query(
    `insert into ecm_referral_conflicts (referral_id, cin, lob, current_provider, referred_provider, approved_date, detected_at)
     select referral_id, cin, lob, current_provider, referred_provider, approved_date, $2
       from jsonb_to_recordset($1::jsonb) as x(referral_id text, cin text, lob text, current_provider text, referred_provider text, approved_date date)
     on conflict (referral_id) do update set cin = excluded.cin, lob = excluded.lob, current_provider = excluded.current_provider,
       referred_provider = excluded.referred_provider, approved_date = excluded.approved_date, detected_at = excluded.detected_at, resolved_at = null`,
    [JSON.stringify(conflicts), now],
  );
}

/** The referrals as the extract gives them, by referral id. */
export async function upsertReferrals(db: Db, rows: readonly UpstreamRow<'referrals'>[]): Promise<void> {
  await db.query(
    `insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date)
     select referral_id, cin, provider_code, lob, approved_date
       from jsonb_to_recordset($1::jsonb) as x(referral_id text, cin text, provider_code text, lob text, approved_date date)
     on conflict (referral_id) do update set cin = excluded.cin, provider_code = excluded.provider_code,
       lob = excluded.lob, approved_date = excluded.approved_date`,
    [JSON.stringify(rows)],
  );
}

/** A referral of the extract and whether it starts a new episode ('episode') or changes no assignment ('keep'). */
export interface ReferralWrite {
  row: number;
  action: 'episode' | 'keep';
  referral_id: string;
  cin: string;
  provider_code: string;
  lob: string;
  approved_date: string;
}

/**
 * The new episodes: the member's assignment in the line goes to the referred provider, status 1
 * from the approval date, the old episode's reports cleared (kept in the lineage), the referral's
 * conflict settled, when it started recorded (an extract repeating what it said before does not
 * undo it); a member with no assignment in the line gets one. The latest approval of the
 * file wins when it carries two new referrals for one member and line (to one provider: the
 * import makes a later one to another a conflict). Each referral records
 * when its episode started (ecm_referrals.episode_started_at: which MIF carried it).
 */
export async function startReferralEpisodes(db: Db, rows: readonly ReferralWrite[], now: Date): Promise<void> {
  await db.query(
    `/* import referrals: new episodes, lineage */ with src as materialized (
       select distinct on (cin, lob) * from jsonb_to_recordset($1::jsonb)
         as x(row int, action text, referral_id text, cin char(9), provider_code text, lob text, approved_date date)
        where action = 'episode'
        order by cin, lob, approved_date desc, row desc
     ), upd as (
       update ecm_assignments a set provider_code = src.provider_code, status = 1, assigned_date = src.approved_date,
         enrollment_start = null, enrollment_end = null, discontinuation_date = null, discontinuation_reason = null, discontinuation_text = null,
         acuity = null, lcm_name = null, lcm_phone = null, lcm_email = null, care_plan_revised = null, care_conference = null,
         assessment_started = null, assessment_completed = null, last_encounter = null, in_person_count = null, telephonic_count = null,
         referral_status = null, referral_status_date = null, referral_closure_reason = null,
         last_submission_id = null, last_row_number = null, episode_started_at = $2, plan_end = null, plan_ended_at = null, updated_at = now()
       from src join ecm_assignments prev on prev.cin = src.cin and prev.lob = src.lob
       where a.id = prev.id
       returning a.id, src.row, src.referral_id, prev as before, a.provider_code is distinct from prev.provider_code as moved
     ), lineage as (
       -- (a new episode with another provider moves the assignment: migration 0049)
       insert into ecm_assignment_changes (assignment_id, sheet_id, row_number, before, source, referral_id, moved)
       select id, null, row, before, 'REFERRAL', referral_id, moved from upd
     ), settled as (
       update ecm_referral_conflicts k set resolved_at = $2 from src where k.referral_id = src.referral_id and k.resolved_at is null
     ), stamped as (
       -- a file whose members were read before this transaction committed carried the old
       -- episode, not these referrals (CARRIED: the transaction, against the file's snapshot;
       -- the time, for files recorded before their snapshots were)
       update ecm_referrals f set episode_started_at = clock_timestamp(), episode_xid = pg_current_xact_id()
         from jsonb_to_recordset($1::jsonb) as x(action text, referral_id text)
        where x.action = 'episode' and f.referral_id = x.referral_id
     )
     insert into ecm_assignments (cin, lob, provider_code, status, assigned_date, episode_started_at)
     select cin, lob, provider_code, 1, approved_date, $2 from src
      where not exists (select 1 from ecm_assignments a where a.cin = src.cin and a.lob = src.lob)
     on conflict (cin, lob) do nothing`,
    [JSON.stringify(rows), now],
  );
}

// The provider context an inbound file is checked against (src/ingest/context.ts): its
// contracts, the members it was sent, the latest CSASF's rows and its outreach so far, read once
// per submission so the row rules run in memory. Each read is as of the file's receipt: an
// outbound file published after the upload is not what the provider was answering.
import type pg from 'pg';
import type { IsoDate } from '../../schemas/primitives.js';
import { eachRow } from '../db/each-row.js';
import { csasfRowLob } from './cs-authorizations.js';
import { assignmentInLine } from './ecm-assignments.js';
import { memberEligible } from './members.js';
import { contractInForce } from './providers.js';

type Db = pg.Pool | pg.PoolClient;

export interface ProviderContractsRow { provider_code: string; npi: string; tin: string; name: string; sftp_folder: string; ecm: string[]; cs: string[] }

/**
 * The provider with the lines of business of its ECM and CS contracts in force for the reporting
 * period of `periodDate` (its first day: contractInForce); undefined: no such provider. A row of
 * a line whose contract ended before the period is LOB_NOT_CONTRACTED, as one never contracted.
 */
export async function providerWithContracts(db: Db, code: string, periodDate: IsoDate): Promise<ProviderContractsRow | undefined> {
  const r = await db.query<ProviderContractsRow>(
    `select p.provider_code, p.npi, p.tin, p.name, p.sftp_folder,
            coalesce(array_agg(c.lob) filter (where c.program = 'ECM'), '{}') as ecm,
            coalesce(array_agg(c.lob) filter (where c.program = 'CS'), '{}') as cs
       from providers p left join provider_contracts c on c.provider_code = p.provider_code and ${contractInForce('c', '$2::date')}
      where p.provider_code = $1 group by p.provider_code`,
    [code, periodDate],
  );
  return r.rows[0];
}

export interface ReplacedIdentityRow { npi: string; tin: string; replaced_at: Date }

/**
 * The NPI and TIN pairs the provider had and the plan replaced at `since` or later (migration
 * 0035: provider_identities, kept by triggers on providers), most recent first. A handful of rows.
 */
export async function replacedIdentities(db: Db, code: string, since: Date): Promise<ReplacedIdentityRow[]> {
  return (await db.query<ReplacedIdentityRow>(
    `select npi, tin, valid_to as replaced_at from provider_identities
      where provider_code = $1 and valid_to is not null and valid_to >= $2 order by valid_to desc`,
    [code, since],
  )).rows;
}

export interface EcmMemberRow {
  cin: string; lob: string; status: number; last_name: string; first_name: string; lcm_name: string | null; on_mif: boolean; enrolled_on_mif: boolean; reassigned: boolean;
  /** The member's last eligible day when not eligible with the plan for the file's period (memberEligible, from its first day); null: eligible. */
  eligibility_end: string | null;
}

/**
 * The member `cin` names (the SQL of a CIN) looked up by its key, with its last eligible day when
 * not eligible on `day` (memberEligible; null otherwise); no row: no such member. A lateral
 * subquery with a limit is never flattened into a join: as a plain join the planner, guessing
 * the provider's rows from the average provider's, may hash the plan's whole members table
 * instead, and every file of every provider pays for the reads that use it.
 */
const memberByKey = (cin: string, day: string) => `lateral (select m.last_name, m.first_name,
          case when not ${memberEligible('m', day)} then m.eligibility_end end as eligibility_end
          from members m where m.cin = ${cin} limit 1)`;

/**
 * The latest MIF of each line published to the provider by the receipt: one row (id, lob) per
 * line. What the provider was last sent, for every read of its ECM members.
 */
const latestMifs = (provider: string, receivedAt: string) => `select distinct on (lob) id, lob from outbound_files
        where provider_code = ${provider} and kind = 'MIF' and status = 'PUBLISHED' and published_at <= ${receivedAt}
        order by lob, slot desc, id desc`;

/**
 * [POLICY] The assignments the provider ($1) held on some day of the file's period ($3 to $4,
 * its first and last days) before the plan moved them to another provider (domain §4 item 4a: "a switch happens only through
 * the plan's assignment extract"; or a referral after the episode ended), that it holds no
 * longer: one row per member and line, as the provider had it (status, care manager). A
 * switch dated inside the period and loaded before that period's MIF leaves the member off the
 * provider's latest MIF, yet the provider worked with the member in the period's first days
 * and reports them (ecmMembers flags them `reassigned`).
 *
 * "Held on some day" is read from the assignment's dates, not from when the change was loaded:
 * the provider held it from its own assigned date (the lineage's `before`, the whole row before
 * the change) through the day before the assigned date of the row that replaced it (the next
 * lineage row's `before`, or the assignment as it stands), and no later than the plan's end of
 * it in the line (plan_end). So a switch loaded during the period but dated before it (a
 * retroactive extract) leaves the provider no day of it, and one dated inside the period counts
 * whenever it was loaded. `changed_at` (when it was loaded) only bounds the search ($5): the
 * provider's moves (the changes that left an assignment with another provider, `moved`) loaded
 * since SWITCH_LOOKBACK_DAYS before the period (switchesSince: at least since the period before
 * began). A switch an extract dates after its load is applied, and recorded, on its day
 * (applyDueSwitches), so it is always found; the lookback finds those loaded before migration
 * 0054, applied at import, that an extract dated months ahead into the period; the partial
 * index of migration 0049 reads just those, never the lineage of every RTF nor the extracts'
 * other changes.
 */
const HELD_IN_PERIOD = `(
  -- (materialized: the provider's few recent changes lead, through their index; left to the
  -- planner, a small table was read from the other side, all other providers' assignments)
  -- (its condition as migration 0049's partial index is declared, "where moved", so the read
  -- stays on it)
  with moved as materialized (
    select c.id, c.assignment_id, c.before from ecm_assignment_changes c
     where c.moved and (c.before).provider_code = $1 and c.changed_at >= $5
  )
  select distinct on (x.cin, x.lob) x.cin, x.lob, x.status, x.lcm_name
    from (
      select (c.before).cin, (c.before).lob, (c.before).status, (c.before).lcm_name, (c.before).assigned_date as held_from, (c.before).plan_end,
             coalesce((n.before).provider_code, cur.provider_code) as next_provider,
             coalesce((n.before).assigned_date, cur.assigned_date) as next_from
        from moved c
        join ecm_assignments cur on cur.id = c.assignment_id and cur.provider_code <> $1
        -- the assignment right after the change: the next change's image of it (only RTFs, which
        -- move nothing, come between), or the row as it stands
        left join lateral (select n.before from ecm_assignment_changes n
                            where n.assignment_id = c.assignment_id and n.source <> 'RTF' and n.id > c.id
                            order by n.id limit 1) n on true
    ) x
   where x.next_provider <> $1 and x.held_from <= $4::date and x.next_from > $3::date and (x.plan_end is null or x.plan_end >= $3::date)
   order by x.cin, x.lob, x.next_from desc
)`;

/** The reporting period a file answers (its first and last days) and how far back its switches are looked for. */
export interface ContextPeriod {
  start: IsoDate;
  end: IsoDate;
  /** The earliest load (ecm_assignment_changes.changed_at) of a switch read (HELD_IN_PERIOD): switchesSince, SWITCH_LOOKBACK_DAYS. */
  switchesSince: Date;
}

/**
 * The provider's ECM members, per line of business: those assigned to it, flagged when on the
 * latest MIF of their line (and enrolled on it: status 3, or status 4, which a monthly MIF
 * carries only for a member enrolled in its month who left, mifMembers), plus those only on
 * that MIF: a member with no assignment in the line now is still reported on as sent; one
 * whose assignment in the line another provider holds now is flagged `reassigned` (its rows
 * count or are rejected by REASSIGNED_MEMBER_ROWS). Plus, flagged `reassigned` too, those on
 * neither whose assignment the provider held on some day of the file's period before the plan
 * moved it to another provider (HELD_IN_PERIOD). One result: a large provider's members are
 * parsed once, not twice.
 *
 * Each row also says whether the member is eligible with the plan for the file's period
 * (`eligibility_end`; endedMembers says it of the provider's other members, its referred and
 * authorized ones): these are most of the provider's members, and reading them a second time
 * for that doubled a large provider's read of them for every file. Each member is looked up by
 * its key (memberByKey), so the read stays bounded by the provider's members.
 */
const ECM_MEMBERS = `with latest as (${latestMifs('$1', '$2')}), mif as (
       select r.cin, l.lob, r.ecm_status from latest l join outbound_file_rows r on r.outbound_file_id = l.id
     ), assigned as (
       select a.cin, a.lob, a.status, a.lcm_name from ecm_assignments a where a.provider_code = $1
     )
     -- each assignment of the provider, and each member of its latest MIFs it holds in that line
     -- no longer, in one pass over both (one hash full join: finding the second kind apart, as
     -- the MIF's rows with no assignment, sorted both sides again on disk, a quarter of the
     -- read: 0.37 against 0.28 s at the bench's provider of 100k members)
     select x.cin, x.lob, x.status, m.last_name, m.first_name, x.lcm_name, x.on_mif, x.enrolled_on_mif, x.reassigned, m.eligibility_end
       from (select coalesce(a.cin, f.cin) as cin, coalesce(a.lob, f.lob) as lob, coalesce(a.status, coalesce(f.ecm_status, 1)::smallint) as status, a.lcm_name,
                    f.cin is not null as on_mif, coalesce(f.ecm_status in (3, 4), false) as enrolled_on_mif,
                    case when a.cin is null then exists (select 1 from ecm_assignments o where o.cin = f.cin and o.lob = f.lob) else false end as reassigned
               from assigned a full join mif f on f.cin = a.cin and f.lob = a.lob) x
      cross join ${memberByKey('x.cin', '$3::date')} m
     union all
     select h.cin, h.lob, h.status, m.last_name, m.first_name, h.lcm_name, false, false, true, m.eligibility_end
       from ${HELD_IN_PERIOD} h cross join ${memberByKey('h.cin', '$3::date')} m
      where not exists (select 1 from mif f where f.cin = h.cin and f.lob = h.lob)`;
const ecmMembersParams = (code: string, receivedAt: Date, period: ContextPeriod) => [code, receivedAt, period.start, period.end, period.switchesSince];

/** The rows of that read, collected (eachEcmMember hands them over as they arrive instead). */
export async function ecmMembers(db: Db, code: string, receivedAt: Date, period: ContextPeriod): Promise<EcmMemberRow[]> {
  return (await db.query<EcmMemberRow>(ECM_MEMBERS, ecmMembersParams(code, receivedAt, period))).rows;
}

/** ecmMembers, each row handed to `each` as it arrives (eachRow): the provider context packs them as they come. */
export async function eachEcmMember(pool: pg.Pool, code: string, receivedAt: Date, period: ContextPeriod, each: (row: EcmMemberRow) => void): Promise<number> {
  return eachRow(pool, ECM_MEMBERS, ecmMembersParams(code, receivedAt, period), each);
}

export interface CsasfRow {
  cin: string; service_code: string; lob: string | null; auth_status: string | null; auth_number: string | null; auth_start: string | null; auth_end: string | null;
  /**
   * The start of the unbroken chain of the provider's approved authorizations of the pair that a
   * later one superseded (renewals, each reaching the next one's start), when before auth_start.
   */
  served_from: string | null;
  last_name: string; first_name: string; dob: string;
}

/**
 * The rows of the latest CSASF published to the provider, each with the line of business of its
 * authorization episode; and, for a member that CSASF left out because the member was not
 * eligible with the plan on its slot's day (memberEligible), the member's rows on the latest
 * CSASF that carried them: the provider may still report the last services or their end
 * (accepted with MEMBER_NOT_ELIGIBLE), not NOT_ON_CSASF. Few: only members whose eligibility ended.
 * Those are looked for among the provider's own CS members (its authorizations), each looked up
 * by its key, never among the plan's ended members: every file of every provider pays for this
 * read, and the plan's ended members grow by hundreds of thousands a year.
 * Each row also says from when the provider has been authorized for the pair without a new
 * referral (served_from): a re-authorization supersedes the one it renews (src/import/cs.ts), and
 * services that began under that one go on under the new number. [POLICY] Only without a break:
 * an authorization after a lapse (a day with none in force) is a new one (domain §5 item 1), and
 * services begun before the lapse were not delivered under it.
 */
export async function latestCsasfRows(db: Db, code: string, receivedAt: Date): Promise<CsasfRow[]> {
  return (await db.query<CsasfRow>(
    `with sent as (
       select id, slot from outbound_files where provider_code = $1 and kind = 'CSASF' and status = 'PUBLISHED' and published_at <= $2
     ), latest as (
       select id, slot from sent order by slot desc, id desc limit 1
     ), mine as (
       -- the provider's CS members: a CSASF carries only the provider's own authorizations
       -- (csasfRows), never deleted nor handed to another provider, so they name every member
       -- an older CSASF carried; read through their provider index, never the plan's members
       select distinct a.cin from cs_authorizations a where a.provider_code = $1
     ), ended as (
       -- each looked up by its key (a lateral subquery with a limit is never flattened into a
       -- join): as a plain join the planner may hash the plan's whole members table instead
       select mine.cin, l.id as latest_id from latest l cross join mine
        cross join lateral (select 1 from members m
                             where m.cin = mine.cin and m.eligibility_end is not null and not ${memberEligible('m', 'l.slot')} limit 1) e
        where not exists (select 1 from outbound_file_rows x where x.outbound_file_id = l.id and x.cin = mine.cin)
     ), rows as (
       select r.* from latest l join outbound_file_rows r on r.outbound_file_id = l.id
       union all
       select * from (
         select distinct on (r.cin, r.service_code) r.*
           from ended e join outbound_file_rows r on r.cin = e.cin join sent s on s.id = r.outbound_file_id and s.id <> e.latest_id
          order by r.cin, r.service_code, s.slot desc, s.id desc) ended
     )
     select r.cin, r.service_code, a.lob, r.auth_status, r.auth_number, r.auth_start, r.auth_end,
            -- back from the row's start, each superseded authorization reaching the day before
            -- the chain's start so far (contiguous or overlapping; no end: open-ended); one after
            -- a lapse is not reached, and its services do not go on under the row's number
            (with recursive chain(s) as (
               select r.auth_start
               union
               select p.auth_start from chain c join cs_authorizations p
                 on p.cin = r.cin and p.service_code = r.service_code and p.provider_code = $1
                and p.auth_status = 'Approved' and p.resolved_reason = 'SUPERSEDED' and p.auth_start < c.s
                and (p.auth_end is null or p.auth_end >= c.s - 1)
             ) select min(s) from chain where s < r.auth_start) as served_from,
            m.last_name, m.first_name, m.dob
       from rows r
       -- by its key too (cin is members' key: the inner join it was), for the same reason
       cross join lateral (select m.last_name, m.first_name, m.dob from members m where m.cin = r.cin limit 1) m
       left join lateral ${csasfRowLob('r', '$1')} a on true`,
    [code, receivedAt],
  )).rows;
}

/** A member's attempts as their keys, `date|method` (OutreachAttempts: their methods and first and last days follow from them). */
export interface OutreachRow { cin: string; attempts: string[] }

/**
 * The provider's outreach so far, by member (an attempt in two periods' OTFs is two current rows:
 * the distinct date × method counts once), in the member's current episode with the provider:
 * an attempt dated before the assignment's assigned date in its line (the outreach of an earlier
 * episode, before a re-referral or a switch back to the provider) does not count towards the
 * unable-to-engage check of this one. An attempt of a line the provider holds no assignment in
 * (the member since assigned elsewhere) counts as before.
 */
export async function outreachHistory(db: Db, code: string): Promise<OutreachRow[]> {
  return (await db.query<OutreachRow>(
    `select a.cin, array_agg(distinct a.attempt_date::text || '|' || a.method) as attempts
       from current_outreach_attempts a
       left join ecm_assignments e on e.cin = a.cin and e.lob = a.lob and e.provider_code = a.provider_code
      where a.provider_code = $1 and (e.assigned_date is null or a.attempt_date >= e.assigned_date)
      group by a.cin`,
    [code],
  )).rows;
}

/** Whether any CSASF was published to the provider (an empty one has no rows to tell). */
export async function csasfPublished(db: Db, code: string, receivedAt: Date): Promise<boolean> {
  return (await db.query(`select 1 from outbound_files where provider_code = $1 and kind = 'CSASF' and status = 'PUBLISHED' and published_at <= $2 limit 1`, [code, receivedAt])).rowCount! > 0;
}

export interface EndedMemberRow { cin: string; eligibility_end: string }

/**
 * The provider's referred and authorized members (its ecm_referrals and cs_authorizations) not
 * eligible with the plan for the file's reporting period (from its first day: memberEligible),
 * each with its last eligible day. Only members whose eligibility ended: the rows about them
 * are accepted with MEMBER_NOT_ELIGIBLE and an RTF does not owe them.
 *
 * The context's other members (assigned to the provider, on the latest MIF of a line published
 * to it by the receipt, or held by it on some day of the period before the plan moved them
 * away: HELD_IN_PERIOD) are ecmMembers' rows, which say the same of each (eligibility_end):
 * read here again, a large provider's members were read twice for every file. The context's
 * `ineligible` is both (src/ingest/context.ts, ineligibleMembers); a member both referred and
 * assigned is in both, with the same day. A member the plan moved away before the period (not
 * held in it) is not among ecmMembers' rows: the row about them is MEMBER_NOT_ASSIGNED.
 *
 * The read starts from the provider's referrals and authorizations (through their provider
 * indexes, 0001), each member looked up by its key (memberByKey), never from the plan's
 * members: every file of every provider pays for it, and the plan's ended members grow by
 * hundreds of thousands a year.
 *
 * [POLICY] Older files no longer count, nor files never published: a CSASF's rows are the
 * provider's authorizations (never deleted nor handed to another provider), so the
 * authorizations already name every member an older CSASF carried (whose rows latestCsasfRows
 * still reads); a mini-MIF's are its referrals. A member only on an older MIF is in no read of
 * the context (no assignment, not on the latest MIF, not held): the row about them is rejected
 * (MEMBER_NOT_ASSIGNED) and no RTF owes them, so a warning that the row "is accepted" would
 * only contradict it. Reading every row of every file ever sent grew with the provider's years.
 */
export async function endedMembers(db: Db, code: string, periodDate: IsoDate): Promise<EndedMemberRow[]> {
  return (await db.query<EndedMemberRow>(
    `with mine as (
       select f.cin from ecm_referrals f where f.provider_code = $1
       union select a.cin from cs_authorizations a where a.provider_code = $1
     )
     select mine.cin, m.eligibility_end from mine cross join ${memberByKey('mine.cin', '$2::date')} m
      where m.eligibility_end is not null`,
    [code, periodDate],
  )).rows;
}

export interface LeftLineRow { cin: string; lob: string; plan_end: string }

/**
 * [POLICY LOB_SWITCH] The provider's ECM assignments that no longer hold their member in their
 * line for the reporting period of `periodDate` (its first day: assignmentInLine): the plan moved
 * the member to another of its lines before it. Each with its last day in the line. The rows
 * about them (that line) are accepted with MEMBER_LEFT_LINE, and an RTF does not owe them.
 */
export async function leftLineMembers(db: Db, code: string, periodDate: IsoDate): Promise<LeftLineRow[]> {
  return (await db.query<LeftLineRow>(
    `select a.cin, a.lob, a.plan_end from ecm_assignments a
      where a.provider_code = $1 and a.plan_end is not null and not ${assignmentInLine('a', '$2::date')}`,
    [code, periodDate],
  )).rows;
}

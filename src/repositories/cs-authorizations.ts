// CS authorizations as the plan's extract changes them (src/import/cs.ts decides, per row, which
// episode a row updates or whether it opens one): the episodes of member x service pairs, the
// assignments refused because the pair is with another provider, and the writes.
import type pg from 'pg';
import type { IsoDate } from '../../schemas/primitives.js';
import type { UpstreamRow } from '../../schemas/upstream.js';
import { contractInForce } from './providers.js';
import { memberEligible } from './members.js';

type Db = pg.Pool | pg.PoolClient;

/** One authorization episode of a member and CS service (auth_key: its number, '' without one). */
export interface CsEpisode {
  id: number; cin: string; service_code: string; provider_code: string; auth_key: string; auth_status: string | null; auth_end: string | null;
  assigned_date: string | null; resolved: boolean;
}

/** Every episode (open or resolved, any service) of these members. */
export async function csEpisodes(db: Db, cins: readonly string[]): Promise<CsEpisode[]> {
  return (await db.query<CsEpisode>(
    `select id, cin, service_code, provider_code, auth_key, auth_status, auth_end, assigned_date, resolved from cs_authorizations where cin = any($1)`,
    [cins],
  )).rows;
}

/** A member x service as a provider's CSASF carries it: demographics and the current authorization episode. */
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

/** Whether the authorization `a` has started by the slot ($2): no start date counts as started. */
const STARTED = (a: string) => `coalesce(${a}.auth_start, $2::date) <= $2::date`;
/** When the episode `o` starts: its authorization's start, else the day it was assigned. */
const STARTS = (o: string) => `coalesce(${o}.auth_start, ${o}.assigned_date)`;

/**
 * `s` is an episode the open episode `o` superseded that the CSASF of `s`'s provider still
 * shows on the slot ($2): an approved authorization that has not ended on the slot, while
 * - `o` (a re-authorization, or another provider's authorization from the day after `s` ends)
 *   starts after the slot, or is a request still pending, and `s` is in force on the slot, or
 *   not started yet with `o` starting after it ends (a renewal approved early: shown before `s`
 *   starts, the renewal would go out, then `s`, then the renewal again; one starting before `s`
 *   ends replaces it, and `s`, never in force, is not shown); or
 * - `o` is the same provider's re-authorization denied, and `s` is in force or not started yet:
 *   a refused renewal takes nothing away from the approved authorization, the member is still
 *   authorized and the provider delivers, and reports delivering, service under it (domain §5
 *   item 3). Not started yet, it is the one the provider is to deliver under, shown as any
 *   decided future authorization is: were the denial shown until then, the provider would see
 *   it, then the approval, then the denial again.
 */
const SHOWN_UNTIL_SUCCESSOR_STARTS = `s.cin = o.cin and s.service_code = o.service_code and s.id < o.id
  and not o.resolved and s.resolved and s.resolved_reason = 'SUPERSEDED' and s.auth_status = 'Approved' and s.auth_end >= $2::date
  and (((${STARTS('o')} > $2::date or o.auth_status = 'Pending') and (${STARTED('s')} or ${STARTS('o')} > s.auth_end))
       or (o.auth_status = 'Denied' and o.provider_code = s.provider_code))`;

/**
 * The end of the approved authorization the denied episode `a` superseded, of the same provider
 * (its pair's episode just before it: the one open when the denial was loaded), or null. Until
 * that end the CSASF shows the approved one instead (SHOWN_UNTIL_SUCCESSOR_STARTS), so the
 * provider first sees the denial the day after: its retention counts from then, not from a
 * decision date months earlier that would drop it before it was ever sent.
 */
const DENIAL_HIDDEN_UNTIL = `(select case when p.provider_code = a.provider_code and p.auth_status = 'Approved' and p.resolved_reason = 'SUPERSEDED' then p.auth_end end
    from cs_authorizations p where p.cin = a.cin and p.service_code = a.service_code and p.id < a.id order by p.id desc limit 1)`;

/**
 * CSASF (src/generate): cumulative and rolling. Every member x service assigned to or authorized
 * for the provider whose current authorization episode is not resolved: an episode is resolved
 * when the provider reports services discontinued or completed (status 4) for it on an accepted
 * CSPRTF, or a newer authorization supersedes it; a denial/expiry also rolls off once older
 * than closedRetentionDays. A denial is aged from its decision date, not from the period it
 * was requested for: a denial decided after that period ended must still reach the provider,
 * and one for a period ending next year must not stay for months. (Without a decision date it
 * is not aged: the plan never said when it was decided, and a denial the provider never saw is
 * worse than one it sees until it resolves it.) A denied re-authorization of the provider's
 * approved authorization that has not ended (in force, or not started yet) waits behind it
 * (SHOWN_UNTIL_SUCCESSOR_STARTS) and is aged from that authorization's end, when it is first
 * shown (DENIAL_HIDDEN_UNTIL). An expiry
 * is aged from its end date, and an authorization whose end date has passed before the slot is
 * an expiry whatever status the extract left on it (Approved, Pending: the plan's extract does
 * not always say Expired), shown as Expired (the provider can no longer report delivering
 * service on it). A new authorization after a resolved one is a new, open episode: the pair is
 * back, with its new number. Only the lines whose CS contract with the provider is in force on the slot's day
 * (contractInForce): no member of a line whose contract ended goes out; and only members eligible
 * with the plan on the slot's day (memberEligible).
 */
export async function csasfRows(db: Db, provider: string, slot: IsoDate, closedRetentionDays: number): Promise<CsasfRow[]> {
  const r = await db.query<CsasfRow>(
    `with shown as (
       -- each pair's open episode, or, while that one has not started, the approved one it
       -- superseded that is still in force on the slot (a re-authorization loaded early, or a
       -- hand-over to another provider: the provider reports on the authorization it delivers
       -- under; the new provider's file has its own from the start); behind a denial, also one
       -- not started yet
       select o.* from cs_authorizations o
        where o.provider_code = $1 and not o.resolved
          and not exists (select 1 from cs_authorizations s where s.provider_code = o.provider_code and ${SHOWN_UNTIL_SUCCESSOR_STARTS})
       union all
       (select distinct on (s.cin, s.service_code) s.* from cs_authorizations s
         where s.provider_code = $1 and exists (select 1 from cs_authorizations o where ${SHOWN_UNTIL_SUCCESSOR_STARTS})
         -- the one in force before one not started yet: behind a denial both may wait (a renewal
         -- approved early, then the next one denied), and the provider delivers under the first
         order by s.cin, s.service_code, ${STARTED('s')} desc, s.id desc)
     )
     select a.cin, a.lob, m.mcp_member_id, m.last_name, m.first_name, m.dob, m.gender, m.address, m.city, m.zip, m.county, m.phone,
            m.language, a.service_code, a.record_type,
            case when a.auth_status in ('Approved', 'Pending') and a.auth_end < $2::date then 'Expired' else a.auth_status end as auth_status,
            a.auth_number, a.auth_start, a.auth_end, a.requested_date,
            a.decision_date, a.referring_org, a.assigned_date
       from shown a join members m using (cin)
      where ${memberEligible('m', '$2::date')}
        and exists (select 1 from provider_contracts c where c.provider_code = a.provider_code and c.lob = a.lob and c.program = 'CS'
                       and ${contractInForce('c', '$2::date')})
        and coalesce(a.assigned_date, a.decision_date, a.requested_date, a.auth_start, $2::date) <= $2::date
        -- the date it closed on (none: open, or a denial never dated; a denial behind an approved
        -- authorization in force or not started yet, that one's end), at most closedRetentionDays ago
        and coalesce(case when a.auth_status = 'Denied' and a.decision_date is not null then greatest(a.decision_date, ${DENIAL_HIDDEN_UNTIL})
                          when a.auth_status = 'Denied' then null
                          when a.auth_status = 'Expired' then coalesce(a.auth_end, a.decision_date)
                          when a.auth_status in ('Approved', 'Pending') and a.auth_end < $2::date then a.auth_end end,
                     $2::date) >= ($2::date - $3::int)
      order by m.last_name, m.first_name, a.cin, a.service_code`,
    [provider, slot, closedRetentionDays],
  );
  return r.rows;
}

export interface OpenRefusal { cin: string; service_code: string; owner_provider: string }

/**
 * The refusals of this provider still in force (refused for a pair another provider holds), by
 * member and service: its CSASF run and email list them. A refusal is over once the pair is this
 * provider's (the holder's authorization ended and the plan gave it to them) or no longer the
 * holder's: listed after that, it told the provider a member it now serves was someone else's.
 */
export async function openRefusalsOf(db: Db, provider: string): Promise<OpenRefusal[]> {
  return (await db.query<OpenRefusal>(
    `select x.cin, x.service_code, x.owner_provider from cs_assignment_conflicts x
      where x.refused_provider = $1 and x.resolved_at is null
        and exists (select 1 from cs_authorizations a where a.cin = x.cin and a.service_code = x.service_code and a.provider_code = x.owner_provider and not a.resolved)
        and not exists (select 1 from cs_authorizations a where a.cin = x.cin and a.service_code = x.service_code and a.provider_code = $1 and not a.resolved)
      order by x.cin, x.service_code`,
    [provider],
  )).rows;
}

/** A second provider refused for a member and service: owner keeps it, refused does not get it. */
export interface CsAssignmentConflict { cin: string; service: string; owner: string; refused: string }

/**
 * Recorded (or recorded again, unresolved) so the CSASF run shows it until someone resolves it.
 * A conflict whose owner is not a provider on file is left out (the table refers to providers).
 */
export async function recordCsAssignmentConflicts(db: Db, conflicts: readonly CsAssignmentConflict[], now: Date): Promise<void> {
  await db.query(
    `insert into cs_assignment_conflicts (cin, service_code, owner_provider, refused_provider, source, detected_at)
     select cin, service, owner, refused, 'import', $2 from jsonb_to_recordset($1::jsonb) as x(cin text, service text, owner text, refused text)
      where exists (select 1 from providers p where p.provider_code = x.owner)
     on conflict (cin, service_code, refused_provider) do update set owner_provider = excluded.owner_provider, detected_at = excluded.detected_at, resolved_at = null`,
    [JSON.stringify(conflicts), now],
  );
}

/**
 * A row of the extract (its fields; a blank one is absent, written as null) and what it does:
 * updates episode id, or inserts one (closing supersedes first).
 */
export type CsAuthorizationWrite = UpstreamRow<'cs-authorizations'> & { action: 'update' | 'insert'; id: number | null; supersedes: number | null };

/**
 * The line of business of a CSASF row (`row`: an outbound_file_rows alias; `provider`: the SQL
 * of the provider it was sent to), as a lateral subquery yielding `lob`: the authorization
 * episode the row carried (by its number), else the pair's open or latest one with that
 * provider. A CSASF row keeps no line of its own: the CSPRTF's checks (latestCsasfRows) and
 * the lines owed for a period (owedLines) both read it so.
 */
export const csasfRowLob = (row: string, provider: string): string =>
  `(select a.lob from cs_authorizations a
     where a.cin = ${row}.cin and a.service_code = ${row}.service_code and a.provider_code = ${provider}
     order by a.auth_key = coalesce(${row}.auth_number, '') desc, a.resolved, a.id desc limit 1)`;

const WRITE_COLUMNS = `action text, id bigint, supersedes bigint, cin text, service_code text, provider_code text, lob text, record_type text,
  auth_status text, auth_number text, auth_start date, auth_end date, requested_date date, decision_date date, assigned_date date, referring_org text`;

/**
 * Three statements in this order: the superseded episodes close first, so the new ones can open
 * (one open episode per pair); then the updates in place; then the new episodes.
 */
export async function applyCsAuthorizations(db: Db, rows: readonly CsAuthorizationWrite[], now: Date): Promise<void> {
  const payload = JSON.stringify(rows);
  await db.query(
    `update cs_authorizations a set resolved = true, resolved_reason = 'SUPERSEDED', resolved_at = $2, updated_at = now()
       from jsonb_to_recordset($1::jsonb) as x(${WRITE_COLUMNS})
      where x.supersedes = a.id and not a.resolved`,
    [payload, now],
  );
  await db.query(
    `update cs_authorizations a set lob = x.lob, record_type = x.record_type, auth_status = x.auth_status, auth_number = x.auth_number,
       auth_start = x.auth_start, auth_end = x.auth_end, requested_date = x.requested_date, decision_date = x.decision_date,
       assigned_date = x.assigned_date, referring_org = x.referring_org, updated_at = now()
       from jsonb_to_recordset($1::jsonb) as x(${WRITE_COLUMNS})
      where x.action = 'update' and a.id = x.id`,
    [payload],
  );
  await db.query(
    `insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end,
       requested_date, decision_date, assigned_date, referring_org)
     select cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end,
            requested_date, decision_date, assigned_date, referring_org
       from jsonb_to_recordset($1::jsonb) as x(${WRITE_COLUMNS})
      where x.action = 'insert'`,
    [payload],
  );
}

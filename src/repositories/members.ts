// Members as the plan's member extract gives them (src/import): the upsert by CIN, and which CINs
// are on file (a row of another extract naming an unknown member is refused, not written).
import type pg from 'pg';
import type { UpstreamRow } from '../../schemas/upstream.js';
import { notEndedOn } from './last-day.js';

type Db = pg.Pool | pg.PoolClient;

/**
 * The extract's contact details as one JSON value per group (x: the recordset's alias), as
 * upstream_contact keeps them: the address (with city, state and zip), the phone, homelessness
 * (null: the extract left it blank).
 */
const UPSTREAM_CONTACT = `jsonb_build_object('address', jsonb_build_array(x.address, x.city, x.state, x.zip), 'phone', to_jsonb(x.phone),
  'homeless', to_jsonb(x.homeless))`;

/** A contact group the extract gives news of: it says something else than last time (or nothing is known of last time). */
const contactNews = (group: 'address' | 'phone' | 'homeless') =>
  `(members.upstream_contact is null or members.upstream_contact->'${group}' is distinct from excluded.upstream_contact->'${group}')`;

/**
 * The extract is the source of truth for a member's demographics: every field is replaced, but
 * the contact details a provider reports on its RTF (address, phone, homelessness: applyRtf)
 * only by news [POLICY]: a group (the address with city, state and zip; the phone; homelessness)
 * the extract repeats as it gave it last time keeps what the member record has, which is the
 * provider's report when one came since; a group the extract changes is taken.
 *
 * A blank homelessness is unknown, not "not homeless" [POLICY]: a new member's is null (the MIF
 * leaves it blank), a member on file keeps what the record has, and what the extract last said
 * of it stays what it last said (a blank says nothing, so the value after it is news only if it
 * differs from the one before it).
 *
 * `ends`: the extract has the eligibility_end column. Then each row's eligibility_end is the
 * member's last eligible day, a blank one none (eligible, open-ended: a re-enrollment re-opens an
 * ended eligibility). Without the column the extract says nothing of eligibility: a new member
 * is eligible, one on file keeps its end. A member missing from an extract keeps its end too.
 *
 * `pcpName`, `pcpNpi`: the extract has the pcp_name, pcp_npi column (each on its own). Then each
 * row's cell is the member's primary care physician's name or NPI (the MIF's Member PCP Name and
 * NPI), a blank one none (not known: the MIF leaves it blank). Without the column a new member
 * has none and one on file keeps what is on file.
 */
export async function upsertMembers(
  db: Db, rows: readonly UpstreamRow<'members'>[], opts: { ends: boolean; pcpName: boolean; pcpNpi: boolean },
): Promise<void> {
  await db.query(
    `insert into members (cin, mcp_member_id, last_name, first_name, dob, gender, language, address, city, state, zip, phone, county, homeless, eligibility_end,
       pcp_name, pcp_npi, upstream_contact)
     select cin, mcp_member_id, last_name, first_name, dob, coalesce(gender, 'U'), language, address, city, state, zip, phone, county, homeless,
            case when $2 then eligibility_end end, case when $3 then pcp_name end, case when $4 then pcp_npi end, ${UPSTREAM_CONTACT}
       from jsonb_to_recordset($1::jsonb) as x(cin text, mcp_member_id text, last_name text, first_name text, dob date, gender text,
         language text, address text, city text, state text, zip text, phone text, county text, homeless boolean, eligibility_end date,
         pcp_name text, pcp_npi text)
     on conflict (cin) do update set mcp_member_id = excluded.mcp_member_id, last_name = excluded.last_name,
       first_name = excluded.first_name, dob = excluded.dob, gender = excluded.gender, language = excluded.language,
       address = case when ${contactNews('address')} then excluded.address else members.address end,
       city = case when ${contactNews('address')} then excluded.city else members.city end,
       state = case when ${contactNews('address')} then excluded.state else members.state end,
       zip = case when ${contactNews('address')} then excluded.zip else members.zip end,
       phone = case when ${contactNews('phone')} then excluded.phone else members.phone end,
       county = excluded.county,
       homeless = case when excluded.homeless is not null and ${contactNews('homeless')} then excluded.homeless else members.homeless end,
       upstream_contact = case when excluded.homeless is null and members.upstream_contact ? 'homeless'
         then jsonb_set(excluded.upstream_contact, '{homeless}', members.upstream_contact->'homeless') else excluded.upstream_contact end,
       eligibility_end = case when $2 then excluded.eligibility_end else members.eligibility_end end,
       pcp_name = case when $3 then excluded.pcp_name else members.pcp_name end,
       pcp_npi = case when $4 then excluded.pcp_npi else members.pcp_npi end, updated_at = now()`,
    [JSON.stringify(rows), opts.ends, opts.pcpName, opts.pcpNpi],
  );
}

/**
 * [POLICY] Whether the member `m` (a members alias) is eligible with the plan on `day` (the SQL
 * of a date): eligibility has not ended before that day (eligibility_end is the last eligible
 * day; none: open-ended). The one place the rule is written:
 * - on a day: a MIF, mini-MIF or CSASF carries only members eligible on its slot's day
 *   (mifMembers, miniMifMembers, csasfRows): no PHI of a member the plan no longer covers, and
 *   the MIF of the month eligibility ends in still carries the member when its slot is on or
 *   before the last day;
 * - for a reporting period: eligible on the period's first day. A row of an RTF, OTF or CSPRTF
 *   about a member not eligible for the file's period is accepted with MEMBER_NOT_ELIGIBLE, and
 *   an RTF does not owe that member (endedMembers, the provider context).
 */
export const memberEligible = (m: string, day: string): string => notEndedOn(`${m}.eligibility_end`, day);

/** Which of these CINs are members on file. */
export async function existingCins(db: Db, cins: readonly string[]): Promise<Set<string>> {
  const r = await db.query<{ cin: string }>('select cin from members where cin = any($1)', [cins]);
  return new Set(r.rows.map((x) => x.cin));
}

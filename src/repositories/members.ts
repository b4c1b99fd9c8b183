// Members as the plan's member extract gives them (src/import): the upsert by CIN, and which CINs
// are on file (a row of another extract naming an unknown member is refused, not written).
import type pg from 'pg';
import { UPSTREAM, type UpstreamRow } from '../../schemas/upstream.js';
import { notEndedOn } from './last-day.js';

/** A member as the plan's members extract gives them (and providers' RTFs update: contact details, homeless), with their primary care physician. */
export interface MemberFields {
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
  homeless: boolean | null;
  /** The member's primary care physician (members extract's pcp_name, pcp_npi); null: not known. */
  pcp_name: string | null;
  pcp_npi: string | null;
}

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
 * The optional columns (UPSTREAM.members.optionalColumns: eligibility_end, pcp_name, pcp_npi),
 * each on its own: when the extract's header has the column (`header`), each row's cell is taken,
 * a blank one clearing what is on file (eligibility_end: the member's last eligible day, blank
 * none, so a re-enrollment re-opens an ended eligibility; pcp_name, pcp_npi: the member's primary
 * care physician on the MIF, blank not known). Without the column the extract says nothing of
 * it: a new member has none (eligible, no PCP), one on file keeps what is on file. A member
 * missing from an extract keeps them too.
 */
export async function upsertMembers(db: Db, rows: readonly UpstreamRow<'members'>[], header: readonly string[]): Promise<void> {
  // $2, $3, …: whether the header has each optional column
  const optional = UPSTREAM.members.optionalColumns.map((col, i) => ({ col, has: `$${i + 2}` }));
  await db.query(
    `insert into members (cin, mcp_member_id, last_name, first_name, dob, gender, language, address, city, state, zip, phone, county, homeless,
       ${optional.map((o) => o.col).join(', ')}, upstream_contact)
     select cin, mcp_member_id, last_name, first_name, dob, coalesce(gender, 'U'), language, address, city, state, zip, phone, county, homeless,
            ${optional.map((o) => `case when ${o.has} then ${o.col} end`).join(', ')}, ${UPSTREAM_CONTACT}
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
       ${optional.map((o) => `${o.col} = case when ${o.has} then excluded.${o.col} else members.${o.col} end`).join(', ')}, updated_at = now()`,
    [JSON.stringify(rows), ...optional.map((o) => header.includes(o.col))],
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
 *   an RTF does not owe that member (the provider context's `ineligible`: ecmMembers' rows and
 *   endedMembers).
 */
export const memberEligible = (m: string, day: string): string => notEndedOn(`${m}.eligibility_end`, day);

/** Which of these CINs are members on file. */
export async function existingCins(db: Db, cins: readonly string[]): Promise<Set<string>> {
  const r = await db.query<{ cin: string }>('select cin from members where cin = any($1)', [cins]);
  return new Set(r.rows.map((x) => x.cin));
}

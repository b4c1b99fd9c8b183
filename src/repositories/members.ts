// Members as the plan's member extract gives them (src/import): the upsert by CIN, and which CINs
// are on file (a row of another extract naming an unknown member is refused, not written).
import type pg from 'pg';
import type { UpstreamRow } from '../../schemas/upstream.js';

type Db = pg.Pool | pg.PoolClient;

/** The extract is the source of truth for a member's demographics: every field is replaced. */
export async function upsertMembers(db: Db, rows: readonly UpstreamRow<'members'>[]): Promise<void> {
  await db.query(
    `insert into members (cin, mcp_member_id, last_name, first_name, dob, gender, language, address, city, state, zip, phone, county, homeless)
     select cin, mcp_member_id, last_name, first_name, dob, coalesce(gender, 'U'), language, address, city, state, zip, phone, county, coalesce(homeless, false)
       from jsonb_to_recordset($1::jsonb) as x(cin text, mcp_member_id text, last_name text, first_name text, dob date, gender text,
         language text, address text, city text, state text, zip text, phone text, county text, homeless boolean)
     on conflict (cin) do update set mcp_member_id = excluded.mcp_member_id, last_name = excluded.last_name,
       first_name = excluded.first_name, dob = excluded.dob, gender = excluded.gender, language = excluded.language,
       address = excluded.address, city = excluded.city, state = excluded.state, zip = excluded.zip, phone = excluded.phone,
       county = excluded.county, homeless = excluded.homeless, updated_at = now()`,
    [JSON.stringify(rows)],
  );
}

/** Which of these CINs are members on file. */
export async function existingCins(db: Db, cins: readonly string[]): Promise<Set<string>> {
  const r = await db.query<{ cin: string }>('select cin from members where cin = any($1)', [cins]);
  return new Set(r.rows.map((x) => x.cin));
}

// CS authorizations as the plan's extract changes them (src/import/cs.ts decides, per row, which
// episode a row updates or whether it opens one): the episodes of member x service pairs, the
// assignments refused because the pair is with another provider, and the writes.
import type pg from 'pg';
import type { UpstreamRow } from '../../schemas/upstream.js';

type Db = pg.Pool | pg.PoolClient;

/** One authorization episode of a member and CS service (auth_key: its number, '' without one). */
export interface CsEpisode { id: number; cin: string; service_code: string; provider_code: string; auth_key: string; auth_status: string | null; resolved: boolean }

/** Every episode (open or resolved, any service) of these members. */
export async function csEpisodes(db: Db, cins: readonly string[]): Promise<CsEpisode[]> {
  return (await db.query<CsEpisode>(
    `select id, cin, service_code, provider_code, auth_key, auth_status, resolved from cs_authorizations where cin = any($1)`,
    [cins],
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

// The access log (HIPAA access accounting): who saw, or asked for and was refused, which
// provider's and submission's member data, and when. Append-only (a trigger refuses UPDATE,
// DELETE and TRUNCATE); `calaim-exchange audit access` prints it.
import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;

export interface AccessEntry {
  userId: number;
  email: string;
  at: Date;
  provider: string | null;
  submission: number | null;
  /** What was asked for: submission, original, response, provider, ... */
  page: string;
  denied: boolean;
}

export async function recordAccess(db: Queryable, e: AccessEntry): Promise<void> {
  await db.query(
    'insert into access_log (user_id, email, at, provider_code, submission_id, page, denied) values ($1, $2, $3, $4, $5, $6, $7)',
    [e.userId, e.email, e.at, e.provider, e.submission, e.page, e.denied],
  );
}

export async function listAccess(db: Queryable, f: { since?: Date; email?: string; limit: number }): Promise<(AccessEntry & { id: number })[]> {
  const r = await db.query<{ id: number; user_id: number; email: string; at: Date; provider_code: string | null; submission_id: number | null; page: string; denied: boolean }>(
    `select id, user_id, email, at, provider_code, submission_id, page, denied from access_log
      where ($1::timestamptz is null or at >= $1) and ($2::text is null or email = lower($2))
      order by at, id limit $3`,
    [f.since ?? null, f.email ?? null, f.limit],
  );
  return r.rows.map((x) => ({
    id: Number(x.id), userId: Number(x.user_id), email: x.email, at: x.at, provider: x.provider_code,
    submission: x.submission_id === null ? null : Number(x.submission_id), page: x.page, denied: x.denied,
  }));
}

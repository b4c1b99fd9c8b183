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

/**
 * The entries matching the filters, oldest first: all of them, or with `limit` the newest
 * `limit` (the newest are what an auditor looks for; taking the oldest first and cutting there
 * silently dropped the latest views once the log outgrew the limit). `total` is how many match,
 * so a caller can say the list was cut and by how much.
 */
export async function listAccess(db: Queryable, f: { since?: Date; email?: string; limit?: number }): Promise<{ entries: (AccessEntry & { id: number })[]; total: number }> {
  const r = await db.query<{ id: number; user_id: number; email: string; at: Date; provider_code: string | null; submission_id: number | null; page: string; denied: boolean; total: number }>(
    `select * from (
       select id, user_id, email, at, provider_code, submission_id, page, denied, count(*) over ()::int as total from access_log
        where ($1::timestamptz is null or at >= $1) and ($2::text is null or email = lower($2))
        order by at desc, id desc limit $3) newest
      order by at, id`,
    [f.since ?? null, f.email ?? null, f.limit ?? null],
  );
  return {
    // (limit is at least 1: no row means no entry matched)
    total: r.rows[0]?.total ?? 0,
    entries: r.rows.map((x) => ({
      id: Number(x.id), userId: Number(x.user_id), email: x.email, at: x.at, provider: x.provider_code,
      submission: x.submission_id === null ? null : Number(x.submission_id), page: x.page, denied: x.denied,
    })),
  };
}


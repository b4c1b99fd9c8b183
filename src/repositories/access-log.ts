// The access log (HIPAA access accounting): who saw, or asked for and was refused, which
// provider's and submission's member data, or which member's story (the member page), and when. Append-only (a trigger refuses UPDATE,
// DELETE and TRUNCATE); `calaim-exchange audit access` prints it.
import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;

export interface AccessEntry {
  userId: number;
  email: string;
  at: Date;
  provider: string | null;
  submission: number | null;
  /**
   * The member whose story was shown or asked for (the member page: migration 0057), as a
   * normalised CIN; null for the other pages, and for a value asked for that is no CIN.
   */
  member?: string | null;
  /** What was asked for: submission, original, response, provider, member, ... */
  page: string;
  denied: boolean;
}

export async function recordAccess(db: Queryable, e: AccessEntry): Promise<void> {
  await db.query(
    'insert into access_log (user_id, email, at, provider_code, submission_id, member_cin, page, denied) values ($1, $2, $3, $4, $5, $6, $7, $8)',
    [e.userId, e.email, e.at, e.provider, e.submission, e.member ?? null, e.page, e.denied],
  );
}

/**
 * The entries matching the filters, oldest first: all of them, or with `limit` the newest
 * `limit` (the newest are what an auditor looks for; taking the oldest first and cutting there
 * silently dropped the latest views once the log outgrew the limit). `total` is how many match,
 * so a caller can say the list was cut and by how much.
 */
export async function listAccess(db: Queryable, f: { since?: Date; email?: string; member?: string; limit?: number }): Promise<{ entries: (AccessEntry & { id: number; member: string | null })[]; total: number }> {
  const r = await db.query<{ id: number; user_id: number; email: string; at: Date; provider_code: string | null; submission_id: number | null; member_cin: string | null; page: string; denied: boolean; total: number }>(
    `select * from (
       select id, user_id, email, at, provider_code, submission_id, member_cin, page, denied, count(*) over ()::int as total from access_log
        where ($1::timestamptz is null or at >= $1) and ($2::text is null or email = lower($2)) and ($4::bpchar is null or member_cin = $4::bpchar)
        order by at desc, id desc limit $3) newest
      order by at, id`,
    [f.since ?? null, f.email ?? null, f.limit ?? null, f.member ?? null],
  );
  return {
    // (limit is at least 1: no row means no entry matched)
    total: r.rows[0]?.total ?? 0,
    entries: r.rows.map((x) => ({
      id: Number(x.id), userId: Number(x.user_id), email: x.email, at: x.at, provider: x.provider_code,
      submission: x.submission_id === null ? null : Number(x.submission_id), member: x.member_cin, page: x.page, denied: x.denied,
    })),
  };
}


// The poll's units of work: one claim row per provider folder (migration 0019). Any number of
// pollers share the providers; each folder is handled by one poller at a time. Expiry and the
// pass marks are on the database's clock (now()): these are agreements between processes,
// not business time (`poll --now` pins that to a past slot).
import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;

/**
 * The start of a poll pass on the database's clock, kept as Postgres prints it: a folder
 * released after it was polled during this pass. (A JavaScript Date would drop the
 * microseconds, and a folder released a few microseconds before the pass began would look
 * polled during it.)
 */
export type PassMark = string & { readonly passMark: unique symbol };

/** Makes sure every provider polled has its claim row; returns the pass's start mark. */
export async function startPass(db: Queryable, providers: string[]): Promise<PassMark> {
  await db.query('INSERT INTO poll_claims (provider_code) SELECT unnest($1::text[]) ON CONFLICT (provider_code) DO NOTHING', [providers]);
  return (await db.query<{ at: string }>('SELECT now()::text AS at')).rows[0]!.at as PassMark;
}

/**
 * Claims one folder among `among` that nobody holds (or whose holder stopped renewing: its
 * claim expired) and that no poller finished since `polledBefore`; first by provider code. Rows
 * another poller is claiming at this very moment are skipped, not waited for (SKIP LOCKED), and
 * the claim is committed at once: it holds until released or expired. Null when there is none left.
 */
export async function claimNext(db: Queryable, holder: string, seconds: number, among: string[], polledBefore: PassMark): Promise<string | null> {
  return claimFirst(db, holder, seconds, among, '(polled_at IS NULL OR polled_at < $4::timestamptz)', polledBefore);
}

/**
 * The claim of claimNext and claimSettled: the first free folder among `among` (by provider
 * code) that `where` admits, given `param` as $4; `set` is what the claim sets besides its holder
 * and expiry. Both are code, never input.
 */
async function claimFirst(db: Queryable, holder: string, seconds: number, among: string[], where: string, param: unknown, set = ''): Promise<string | null> {
  const r = await db.query<{ provider_code: string }>(
    `WITH next AS (
       SELECT provider_code FROM poll_claims
        WHERE provider_code = ANY($1::text[]) AND (holder IS NULL OR expires_at < now()) AND ${where}
        ORDER BY provider_code LIMIT 1
        FOR UPDATE SKIP LOCKED)
     UPDATE poll_claims c SET holder = $2, taken_at = now(), expires_at = now() + make_interval(secs => $3)${set}
       FROM next WHERE c.provider_code = next.provider_code
     RETURNING c.provider_code`,
    [among, holder, seconds, param],
  );
  return r.rows[0]?.provider_code ?? null;
}

/**
 * Extends a claim; false when it is no longer ours (it expired and another poller took it). On a
 * transaction's client it also fences that transaction: the row stays locked until it ends, so
 * the claim cannot be taken over before it commits (src/ingest/fence.ts). (The clock, not now():
 * in a long ingest transaction now() is when it began, and would shorten the claim; never
 * shortened either way.)
 */
export async function renewClaim(db: Queryable, provider: string, holder: string, seconds: number): Promise<boolean> {
  const r = await db.query(
    `UPDATE poll_claims SET expires_at = greatest(expires_at, clock_timestamp() + make_interval(secs => $3)) WHERE provider_code = $1 AND holder = $2`,
    [provider, holder, seconds],
  );
  return (r.rowCount ?? 0) === 1;
}

/**
 * Gives a folder back (only if it is still ours), marked as polled now. `settlingUntil`: uploads
 * were still arriving there, and will have held still for the window at that time (the poll's
 * clock); any poller's recheck may then list the folder again (claimSettled). Null: nothing was
 * arriving, and an earlier poller's mark is cleared with it.
 */
export async function releaseClaim(db: Queryable, provider: string, holder: string, settlingUntil: Date | null = null): Promise<void> {
  await db.query(
    `UPDATE poll_claims SET holder = NULL, expires_at = '-infinity', polled_at = now(), settling_until = $3 WHERE provider_code = $1 AND holder = $2`,
    [provider, holder, settlingUntil],
  );
}

/**
 * The earliest time a folder among `among` where a poller saw uploads still arriving will be
 * ripe for a recheck (see claimSettled), among those no poller holds; null when there is none.
 */
export async function nextSettling(db: Queryable, among: string[]): Promise<Date | null> {
  return (await db.query<{ at: Date | null }>(
    `SELECT min(settling_until) AS at FROM poll_claims WHERE provider_code = ANY($1::text[]) AND (holder IS NULL OR expires_at < now())`,
    [among],
  )).rows[0]?.at ?? null;
}

/**
 * The recheck's claim: one folder among `among` where a poller (this one or another) saw uploads
 * arriving whose window has passed by `at` (the poll's clock), free as in claimNext; its mark is
 * cleared as it is claimed, so each sighting is listed again once. Null when none is left.
 */
export async function claimSettled(db: Queryable, holder: string, seconds: number, among: string[], at: Date): Promise<string | null> {
  return claimFirst(db, holder, seconds, among, 'settling_until <= $4', at, ', settling_until = NULL');
}

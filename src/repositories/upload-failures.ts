// Uploads the poll failed to process, counted per upload as listed (migration 0030): the poll
// gives up on one after INGEST_GIVE_UP_AFTER failures in a row and answers it.
import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;

export interface UploadKey { provider: string; path: string; size: number; mtime: Date | null }

/**
 * One more failure of this upload (the first, when the upload under that path changed since):
 * the number of failures in a row, this one included.
 */
export async function recordUploadFailure(db: Queryable, u: UploadKey, error: string, at: Date): Promise<number> {
  const r = await db.query<{ failures: number }>(
    `insert into upload_failures (provider_code, upload_path, size, mtime, failures, first_failed_at, last_failed_at, last_error)
     values ($1, $2, $3, $4, 1, $5, $5, $6)
     on conflict (provider_code, upload_path) do update set
       failures = case when (upload_failures.size, upload_failures.mtime) is not distinct from (excluded.size, excluded.mtime) then upload_failures.failures + 1 else 1 end,
       first_failed_at = case when (upload_failures.size, upload_failures.mtime) is not distinct from (excluded.size, excluded.mtime) then upload_failures.first_failed_at else excluded.first_failed_at end,
       size = excluded.size, mtime = excluded.mtime, last_failed_at = excluded.last_failed_at, last_error = excluded.last_error
     returning failures`,
    [u.provider, u.path, u.size, u.mtime, at, error],
  );
  return r.rows[0]!.failures;
}

/** The upload was processed (or answered as given up): its failures are over. */
export async function clearUploadFailures(db: Queryable, provider: string, path: string): Promise<void> {
  await db.query('delete from upload_failures where provider_code = $1 and upload_path = $2', [provider, path]);
}

// The immutable copy of every file sent or received, keyed by content hash.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { systemClock } from '../clock.js';

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Keeps the bytes of a file sent or received. The same bytes exchanged again (a provider asked to
 * send a purged file again, a workbook returned unchanged) are kept BLOB_RETENTION_DAYS from this
 * exchange: stored again if retention had purged them, and never purged on the first one's date.
 */
export async function putBlob(c: pg.Pool | pg.PoolClient, bytes: Buffer, hash = sha256(bytes)): Promise<string> {
  await c.query(
    `insert into file_blobs (sha256, size, bytes) values ($1, $2, $3)
     on conflict (sha256) do update
       set bytes = case when file_blobs.purged_at is null then file_blobs.bytes else excluded.bytes end,
           purged_at = null, created_at = greatest(file_blobs.created_at, excluded.created_at)`,
    [hash, bytes.length, bytes],
  );
  return hash;
}

export async function getBlob(c: pg.Pool | pg.PoolClient, hash: string): Promise<Buffer | undefined> {
  const r = await c.query<{ bytes: Buffer }>('select bytes from file_blobs where sha256 = $1 and purged_at is null', [hash]);
  return r.rows[0]?.bytes;
}

/** Which of these hashes still have their bytes (retention purges old ones). */
export async function storedBlobs(c: pg.Pool | pg.PoolClient, hashes: string[]): Promise<Set<string>> {
  const r = await c.query<{ sha256: string }>('select sha256 from file_blobs where sha256 = any($1) and purged_at is null', [hashes]);
  return new Set(r.rows.map((x) => x.sha256));
}

/**
 * Purges the bytes of files older than `days` (BLOB_RETENTION_DAYS); hashes, sizes and the
 * submissions and outbound files that point to them are kept. Bytes still to be published (an
 * interrupted run's recorded file) or answered (a submission not RESPONDED) wait until they are,
 * however old. Returns how many were purged.
 */
export async function purgeBlobs(c: pg.Pool | pg.PoolClient, days: number, now: Date = systemClock()): Promise<{ purged: number; bytes: number }> {
  const r = await c.query<{ purged: number; bytes: string | null }>(
    `with waiting as ( -- bytes still to go out or to be read again: purged, they would be published empty
       select sha256 from outbound_files where status = 'PENDING'
       union all select sha256 from submissions where state <> 'RESPONDED'
       union all select response_sha256 from submissions where state <> 'RESPONDED'),
     p as (
       update file_blobs set bytes = '\\x'::bytea, purged_at = $2
        where purged_at is null and created_at < $2::timestamptz - make_interval(days => $1)
          and not exists (select 1 from waiting w where w.sha256 = file_blobs.sha256)
        returning size)
     select count(*)::int purged, sum(size)::text bytes from p`,
    [days, now],
  );
  return { purged: r.rows[0]!.purged, bytes: Number(r.rows[0]!.bytes ?? 0) };
}

// What the poller saw, per remote folder: the last listing time, and per file its size and
// mtime, the first listing where this version was present, the last listing where it was
// absent, and since when it has been stable. Feeds the stability check and the receipt-time
// clamp (spec/domain.md §2).
import pg from 'pg';
import { withTransaction } from './pool.js';

export type Queryable = pg.Pool | pg.PoolClient;

export interface PollFile {
  folder: string;
  name: string;
  size: number;
  mtime: Date;
  /** First listing at which this version (size, mtime) was present. */
  firstSeenAt: Date;
  /** Last listing at which this version was absent; null when the folder had never been listed. */
  lastAbsentAt: Date | null;
  /** Listing time since which size and mtime have not changed. */
  stableSince: Date;
  lastSeenAt: Date;
  /** Set when this version was answered but could not be moved: it is not taken again. */
  quarantinedAt: Date | null;
}

export interface ListedFile {
  name: string;
  size: number;
  mtime: Date;
}

export interface ListingOutcome {
  /** The folder's last listing time before this one (null: first listing ever). */
  previousListedAt: Date | null;
  /** State of every listed file after this listing, with whether it was unchanged since an earlier listing. */
  files: (PollFile & { unchanged: boolean })[];
}

interface Row {
  folder: string;
  name: string;
  size: number | string;
  mtime: Date;
  first_seen_at: Date;
  last_absent_at: Date | null;
  stable_since: Date;
  last_seen_at: Date;
  quarantined_at?: Date | null;
}

function fromRow(r: Row): PollFile {
  return {
    folder: r.folder,
    name: r.name,
    size: Number(r.size),
    mtime: r.mtime,
    firstSeenAt: r.first_seen_at,
    lastAbsentAt: r.last_absent_at,
    stableSince: r.stable_since,
    lastSeenAt: r.last_seen_at,
    quarantinedAt: r.quarantined_at ?? null,
  };
}

/** A Pool gets its own transaction; a PoolClient is used as is (the caller owns the transaction). */
function inTransaction<T>(db: Queryable, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return db instanceof pg.Pool ? withTransaction(db, fn) : fn(db);
}

export async function getLastListedAt(db: Queryable, folder: string): Promise<Date | null> {
  const r = await db.query<{ last_listed_at: Date | null }>('SELECT last_listed_at FROM poll_folders WHERE folder = $1', [folder]);
  return r.rows[0]?.last_listed_at ?? null;
}

export async function listPollFiles(db: Queryable, folder: string): Promise<PollFile[]> {
  const r = await db.query<Row>('SELECT * FROM poll_files WHERE folder = $1 ORDER BY name', [folder]);
  return r.rows.map(fromRow);
}

export async function getPollFile(db: Queryable, folder: string, name: string): Promise<PollFile | null> {
  const r = await db.query<Row>('SELECT * FROM poll_files WHERE folder = $1 AND name = $2', [folder, name]);
  return r.rows[0] ? fromRow(r.rows[0]) : null;
}

/**
 * Records one listing of `folder` taken at `now`: new files and changed versions start a new
 * observation (first seen = now, last absent = the previous listing); unchanged files keep
 * theirs; files no longer listed are forgotten. Serialised per folder (row lock).
 */
export async function recordListing(db: Queryable, folder: string, now: Date, present: ListedFile[]): Promise<ListingOutcome> {
  return inTransaction(db, async (c) => {
    await c.query('INSERT INTO poll_folders (folder) VALUES ($1) ON CONFLICT (folder) DO NOTHING', [folder]);
    const f = await c.query<{ last_listed_at: Date | null }>('SELECT last_listed_at FROM poll_folders WHERE folder = $1 FOR UPDATE', [folder]);
    const previousListedAt = f.rows[0]?.last_listed_at ?? null;
    // The last listing where a newly seen version was absent: the previous one. Kept as listed
    // even when it is later than this one (two pollers whose clocks disagree, a clock stepped
    // back): dropped, it left the mtime with no lower bound, and a forged one passed; kept, the
    // receipt clamp sees the bounds disagree and trusts the first listing that saw the file
    // (src/calendar/receipt.ts). The same instant (a clock pinned by tests or --now) is no bound.
    const lastAbsent = previousListedAt && previousListedAt.getTime() !== now.getTime() ? previousListedAt : null;
    const existing = new Map((await listPollFiles(c, folder)).map((p) => [p.name, p]));
    const files: ListingOutcome['files'] = [];
    for (const item of present) {
      const old = existing.get(item.name);
      if (old && old.size === item.size && old.mtime.getTime() === item.mtime.getTime()) {
        await c.query('UPDATE poll_files SET last_seen_at = $3 WHERE folder = $1 AND name = $2', [folder, item.name, now]);
        files.push({ ...old, lastSeenAt: now, unchanged: true });
        continue;
      }
      const row = await c.query<Row>(
        `INSERT INTO poll_files (folder, name, size, mtime, first_seen_at, last_absent_at, stable_since, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $5, $5)
         ON CONFLICT (folder, name) DO UPDATE SET size = EXCLUDED.size, mtime = EXCLUDED.mtime,
           first_seen_at = EXCLUDED.first_seen_at, last_absent_at = EXCLUDED.last_absent_at,
           stable_since = EXCLUDED.stable_since, last_seen_at = EXCLUDED.last_seen_at,
           quarantined_at = NULL, quarantined_submission_id = NULL
         RETURNING *`,
        [folder, item.name, item.size, item.mtime, now, lastAbsent],
      );
      files.push({ ...fromRow(row.rows[0] as Row), unchanged: false });
    }
    const names = present.map((p) => p.name);
    await c.query('DELETE FROM poll_files WHERE folder = $1 AND NOT (name = ANY($2::text[]))', [folder, names]);
    await c.query(
      `UPDATE poll_folders SET last_listed_at = GREATEST(coalesce(last_listed_at, $2), $2), updated_at = now() WHERE folder = $1`,
      [folder, now],
    );
    return { previousListedAt, files };
  });
}

/**
 * The version of a file a poll state row must be about (size, mtime), so a step about one
 * version never touches what the poll knows of a newer one uploaded under the same name; null:
 * whichever version is recorded (a submission from before the version was kept).
 */
export type FileVersion = { size: number; mtime: Date } | null;

/**
 * Marks the listed version of a file as answered but unmovable (see submissions.upload_disposition):
 * scans leave it alone until its size or mtime changes (a new version is taken afresh).
 */
export async function quarantineFile(db: Queryable, folder: string, name: string, version: FileVersion, submissionId: number, at: Date): Promise<void> {
  await db.query(
    `UPDATE poll_files SET quarantined_at = $3, quarantined_submission_id = $4 WHERE folder = $1 AND name = $2
        AND ($5::bigint IS NULL OR (size = $5 AND mtime = $6))`,
    [folder, name, at, submissionId, version?.size ?? null, version?.mtime ?? null],
  );
}

/**
 * Forgets a file once it has been taken (moved away), so a later file of the same name starts
 * afresh; only that version: a newer one already listed keeps its own state (first seen, last
 * absent: its receipt time).
 */
export async function forgetFile(db: Queryable, folder: string, name: string, version: FileVersion): Promise<void> {
  await db.query('DELETE FROM poll_files WHERE folder = $1 AND name = $2 AND ($3::bigint IS NULL OR (size = $3 AND mtime = $4))', [folder, name, version?.size ?? null, version?.mtime ?? null]);
}

// The outbound files (MIF, mini-MIF, CSASF) as src/generate records them: one row per version of
// a provider's (and line of business's) file for a slot, the rows it carried (what a provider's
// answer is checked against), and the steps of a version: recorded PENDING (or EMPTY), PUBLISHED
// once on the server, replaced by a republished one. Who goes on a file is read from the
// assignments and authorizations (ecm-assignments.ts, cs-authorizations.ts).
import type pg from 'pg';
import type { IsoDate } from '../../schemas/primitives.js';
import { copyIn, copyLine } from '../db/copy.js';

type Db = pg.Pool | pg.PoolClient;

/** The outbound kind as stored (outbound_files.kind). */
export type OutboundKindCode = 'MIF' | 'MINIMIF' | 'CSASF';

/** Names of the provider's files starting with `stem` that are recorded or out (a failed one frees its name). */
export async function takenFileNames(db: Db, provider: string, stem: string): Promise<Set<string>> {
  const taken = await db.query<{ file_name: string }>(
    `select file_name from outbound_files where provider_code = $1 and file_name like $2 and status in ('PENDING', 'PUBLISHED')`,
    [provider, `${stem}%`],
  );
  return new Set(taken.rows.map((r) => r.file_name));
}

/**
 * A recorded version takes another name before it is published (its name is held on the server
 * by something else): committed before anything goes out under the new name, so an attempt
 * that stops then publishes it there, never under both.
 */
export async function renamePendingFile(db: Db, id: number, fileName: string): Promise<void> {
  const r = await db.query(`update outbound_files set file_name = $2 where id = $1 and status = 'PENDING'`, [id, fileName]);
  if (r.rowCount !== 1) throw new Error(`outbound file ${id} is no longer PENDING: not renamed`);
}

/** A unit's current version: recorded and not yet confirmed (PENDING), out (PUBLISHED), or out with no rows (EMPTY). */
export interface CurrentVersion {
  id: number;
  status: string;
  file_name: string | null;
  remote_path: string | null;
  sha256: string | null;
  row_count: number;
  /** The file name of the version this one replaces (a republish; null: none, or it had no rows). */
  replaces_file: string | null;
}

/** The unit's (kind, slot, provider, line of business; null lob: a CSASF) version not replaced by a later one, if any. */
export async function currentVersion(db: Db, kind: OutboundKindCode, slot: IsoDate, provider: string, lob: string | null): Promise<CurrentVersion | undefined> {
  const prior = await db.query<CurrentVersion>(
    `select id, status, file_name, remote_path, sha256, row_count,
            (select x.file_name from outbound_files x where x.id = outbound_files.replaces_id) as replaces_file
       from outbound_files
      where kind = $1 and slot = $2 and provider_code = $3 and coalesce(lob, '') = coalesce($4, '') and status in ('PENDING', 'PUBLISHED', 'EMPTY')
        and replaced_at is null`,
    [kind, slot, provider, lob],
  );
  return prior.rows[0];
}

/** Whether the provider has any current version of the kind for the slot (republish needs one to replace). */
export async function hasCurrentVersion(db: Db, kind: OutboundKindCode, slot: IsoDate, provider: string): Promise<boolean> {
  const r = await db.query(
    `select 1 from outbound_files
      where kind = $1 and slot = $2 and provider_code = $3 and status in ('PENDING', 'PUBLISHED', 'EMPTY') and replaced_at is null limit 1`,
    [kind, slot, provider],
  );
  return !!r.rowCount;
}

/**
 * The bytes a PENDING version was recorded with, as stored (a purged blob reads as no bytes):
 * an interrupted run's file is published as it was recorded, never rebuilt.
 */
export async function recordedBytes(db: Db, sha256: string | null): Promise<Buffer> {
  return (await db.query<{ bytes: Buffer }>('select bytes from file_blobs where sha256 = $1', [sha256])).rows[0]!.bytes;
}

/** What every new version records: its unit, the run attempt, and the version it replaces (republish) with why. */
export interface NewVersion {
  kind: OutboundKindCode;
  job: string;
  slot: IsoDate;
  provider: string;
  lob: string | null;
  runId: number | null;
  replacesId: number | null;
  reason: string | null;
}

/** A unit with nothing to send (no file goes out): recorded EMPTY so a re-run does not build it again. */
export async function recordEmptyFile(db: Db, v: NewVersion): Promise<void> {
  await db.query(`insert into outbound_files (kind, job, slot, provider_code, lob, status, row_count, run_id, replaces_id, reason) values ($1, $2, $3, $4, $5, 'EMPTY', 0, $6, $7, $8)`, [
    v.kind, v.job, v.slot, v.provider, v.lob, v.runId, v.replacesId, v.reason,
  ]);
}

/** One row of a file: the member (and for a CSASF the service and authorization) on Excel row `n`. */
export interface OutboundFileRow {
  n: number;
  cin: string;
  service_code: string | null;
  auth_status: string | null;
  auth_number: string | null;
  auth_start: string | null;
  auth_end: string | null;
  ecm_status: number | null;
  referral_id: string | null;
}

/**
 * A built file recorded PENDING before it is published, with its bytes' hash and the rows it
 * carries (run inside the caller's transaction, with the blob): returns its id.
 */
export async function recordPendingFile(
  db: pg.PoolClient,
  v: NewVersion & { fileName: string; sha256: string; reportingPeriod: IsoDate; membersSnapshot?: string | null },
  rows: readonly OutboundFileRow[],
): Promise<number> {
  const r = await db.query<{ id: number }>(
    `insert into outbound_files (kind, job, slot, provider_code, lob, status, file_name, sha256, row_count, reporting_period, run_id, replaces_id, reason, members_snapshot)
     values ($1, $2, $3, $4, $5, 'PENDING', $6, $7, $8, $9, $10, $11, $12, $13::pg_snapshot) returning id`,
    [v.kind, v.job, v.slot, v.provider, v.lob, v.fileName, v.sha256, rows.length, v.reportingPeriod, v.runId, v.replacesId, v.reason, v.membersSnapshot ?? null],
  );
  const fileId = r.rows[0]!.id;
  // by COPY, as staged rows are: a large provider's MIF carries tens of thousands of members
  if (rows.length) {
    const lines = rows.map((x) => `${copyLine([fileId, x.n, x.cin, x.service_code, x.auth_status, x.auth_number, x.auth_start, x.auth_end, x.ecm_status, x.referral_id])}\n`);
    await copyIn(db, `copy outbound_file_rows (outbound_file_id, row_number, cin, service_code, auth_status, auth_number, auth_start, auth_end, ecm_status, referral_id) from stdin`,
      Buffer.from(lines.join(''), 'utf8'));
  }
  return fileId;
}

/** The version steps aside for its replacement (in the replacement's transaction); already replaced: nothing. */
export async function markReplaced(db: Db, id: number, at: Date): Promise<void> {
  await db.query(`update outbound_files set replaced_at = $2 where id = $1 and replaced_at is null`, [id, at]);
}

/**
 * The file is on the server: PUBLISHED at `at` (the run's clock: uploads' receipt times are
 * compared with it), and it belongs to the attempt that published it (runId; null keeps the recorded one).
 */
export async function markPublished(db: Db, id: number, remotePath: string, runId: number | null, at: Date): Promise<void> {
  await db.query(`update outbound_files set status = 'PUBLISHED', remote_path = $2, published_at = $4, run_id = coalesce($3, run_id) where id = $1`, [
    id, remotePath, runId, at,
  ]);
}

/** A version an interrupted attempt recorded for an earlier slot of the unit and never published. */
export interface SupersededVersion {
  id: number;
  slot: IsoDate;
  file_name: string | null;
}

/**
 * The unit's (kind, provider, line of business; null lob: a CSASF) versions still PENDING for
 * slots before `slot`: a run of `slot` supersedes them (catch-up never resumes an older slot, and
 * what they carried is on this slot's file: a referral counts as sent only once a PUBLISHED file
 * carried it), oldest first.
 */
export async function supersededPending(db: Db, kind: OutboundKindCode, slot: IsoDate, provider: string, lob: string | null): Promise<SupersededVersion[]> {
  const r = await db.query<SupersededVersion>(
    `select id, to_char(slot, 'YYYY-MM-DD') as slot, file_name from outbound_files
      where kind = $1 and slot < $2 and provider_code = $3 and coalesce(lob, '') = coalesce($4, '') and status = 'PENDING' and replaced_at is null
      order by slot, id`,
    [kind, slot, provider, lob],
  );
  return r.rows.map((x) => ({ ...x, id: Number(x.id) }));
}

/**
 * A PENDING version that will never go out is closed: FAILED, with why (`error`), so it is no
 * longer its slot's current version (a later run of that slot builds afresh), and its bytes are
 * no longer kept as still to go out. Returns whether it was still PENDING.
 */
export async function closeUnpublished(db: Db, id: number, error: string): Promise<boolean> {
  const r = await db.query(`update outbound_files set status = 'FAILED', error = $2 where id = $1 and status = 'PENDING'`, [id, error]);
  return r.rowCount === 1;
}

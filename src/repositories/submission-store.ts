// What the inbound pipeline (src/ingest/pipeline.ts) writes and reads inside its one
// transaction: the submission row, its sheets, staged rows and issues, and the look-ups its
// verdict and response need. Every function runs on the caller's client, so it is part of that
// transaction; none commits. After the commit, the answering steps (src/ingest/respond.ts) are
// recorded one statement each, on the pool (the end of this file). The read side for
// operations is ./submissions.ts.
import type pg from 'pg';
import { LOB_CODES } from '../../schemas/codes.js';
import { copyIn } from '../db/copy.js';
import { sheetLines } from './sheet-lines.js';
import { assignmentInLine } from './ecm-assignments.js';
import { notEndedOn } from './last-day.js';

type Client = pg.PoolClient;
type Queryable = pg.Pool | pg.PoolClient;

export async function begin(c: Client): Promise<void> {
  await c.query('BEGIN');
}

/**
 * A batch's statements (its file type's apply, the merge by key) name the rows they touch by key,
 * a few thousand at most, in tables that only grow: they look each one up. Left to its cost
 * model, once submission_rows has statistics (any production database), Postgres hashed whole
 * tables instead, for every batch: every member and assignment read to apply 2,000 RTF rows (the
 * apply of 100k rows 2.5 → 4.9-7.4 s; test/integration/ingest-plans.test.ts). `defaultPlans`
 * gives the rest of the transaction its usual plans back.
 */
export async function lookupPlans(c: Client): Promise<void> {
  await c.query('SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off');
}
export async function defaultPlans(c: Client): Promise<void> {
  await c.query('RESET enable_hashjoin; RESET enable_mergejoin');
}
export async function commit(c: Client): Promise<void> {
  await c.query('COMMIT');
}
export async function rollback(c: Client): Promise<void> {
  await c.query('ROLLBACK');
}
export async function savepoint(c: Client, name: 'before_rows'): Promise<void> {
  await c.query(`savepoint ${name}`);
}
export async function rollbackToSavepoint(c: Client, name: 'before_rows'): Promise<void> {
  await c.query(`rollback to savepoint ${name}`);
}

/** One submission at a time per provider (until the transaction ends): two pollers never race on the same upload. */
export async function lockProviderSubmissions(c: Client, provider: string): Promise<void> {
  await c.query('select pg_advisory_xact_lock(hashtext($1))', [`ingest:${provider}`]);
}

/** Which upload a submission answers: where it came from, and for an sFTP upload its path and version. */
export interface UploadIdentity {
  source: string;
  /** The remote path it was taken from (sFTP); null for a local file or a stored file reprocessed. */
  uploadPath: string | null;
  /** The server's modification time of the version taken (sFTP); null: not part of the identity. */
  serverMtime: Date | null;
  /** The submission an ops reprocess answers again; null for a provider's upload. */
  reprocessOf: number | null;
}

/**
 * The same upload, applied by an attempt that stopped before it responded: the same bytes from
 * the same source, path (and for an sFTP upload the same version) and, for an ops reprocess, of
 * the same submission. The bytes alone are not enough: another upload with the same bytes
 * (another name, or the same name uploaded again) is a submission of its own, a copy of the
 * first, answered on its own; resuming the first for it would answer the first as the second
 * and leave the second unanswered. A provider's upload never resumes an ops reprocess, nor the reverse.
 */
export async function appliedUnanswered(c: Client, provider: string, sha: string, upload: UploadIdentity): Promise<number | undefined> {
  const r = await c.query<{ id: number }>(
    `select id from submissions where provider_code = $1 and sha256 = $2 and state = 'APPLIED' and source = $3
        and upload_path is not distinct from $4 and ($5::timestamptz is null or server_mtime = $5) and reprocess_of is not distinct from $6
      order by id limit 1`,
    [provider, sha, upload.source, upload.uploadPath, upload.serverMtime, upload.reprocessOf],
  );
  return r.rows[0] ? Number(r.rows[0].id) : undefined;
}

/**
 * The first file with these bytes that was READ (a duplicate is a copy of one): a file declined
 * as late was not, and the same bytes sent again in a later window are read then (migration 0010).
 */
export async function firstReadCopy(c: Client, provider: string, sha: string): Promise<{ id: number; receivedAt: Date } | undefined> {
  const r = await c.query<{ id: number; received_at: Date }>(
    `select id, received_at from submissions where provider_code = $1 and sha256 = $2 and duplicate_of is null and reprocess_of is null
        and verdict is distinct from 'DECLINED_LATE' order by id limit 1`,
    [provider, sha],
  );
  const x = r.rows[0];
  return x ? { id: Number(x.id), receivedAt: x.received_at } : undefined;
}

export async function nextSubmissionId(c: Client): Promise<number> {
  return Number((await c.query<{ id: number }>(`select nextval('submissions_id_seq') as id`)).rows[0]!.id);
}

export interface NewSubmission {
  id: number;
  provider: string;
  originalName: string;
  sha256: string;
  size: number;
  receivedAt: Date;
  serverMtime: Date | null;
  firstSeenAt: Date | null;
  lastAbsentAt: Date | null;
  source: string;
  /** First day of the reporting period (YYYY-MM-01). */
  period: string;
  duplicateOf: number | null;
  uploadPath: string | null;
  reprocessOf: number | null;
  reprocessReason: string | null;
  reprocessRunId: number | null;
}

export async function insertSubmission(c: Client, s: NewSubmission): Promise<void> {
  await c.query(
    `insert into submissions (id, provider_code, original_name, sha256, size, received_at, server_mtime, first_seen_at, last_absent_at, source, period, duplicate_of, upload_path,
        reprocess_of, reprocess_reason, reprocess_run_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
    [s.id, s.provider, s.originalName.slice(0, 500), s.sha256, s.size, s.receivedAt, s.serverMtime, s.firstSeenAt, s.lastAbsentAt, s.source, s.period,
      s.duplicateOf, s.uploadPath, s.reprocessOf, s.reprocessReason, s.reprocessRunId],
  );
}

export async function insertSheet(c: Client, s: { submissionId: number; name: string; layout: string; provider: string; period: string; columns: readonly string[] }): Promise<number> {
  const r = await c.query<{ id: number }>(
    `insert into submission_sheets (submission_id, sheet_name, layout, provider_code, period, columns) values ($1, $2, $3, $4, $5, $6) returning id`,
    [s.submissionId, s.name, s.layout, s.provider, s.period, s.columns],
  );
  return Number(r.rows[0]!.id);
}

/**
 * A batch of staged rows: COPY text-format lines of (sheet_id, row_number, cin, service_code,
 * accepted, data). COPY feeds the rows straight into the table: no statement parses the batch
 * as one JSON document and takes it apart again (jsonb_to_recordset), which was the larger
 * part of staging's Postgres time.
 */
export async function stageRows(c: Client, lines: Buffer): Promise<void> {
  await copyIn(c, `copy submission_rows (sheet_id, row_number, cin, service_code, accepted, data) from stdin`, lines);
}

/** A rejected file applies nothing: its staged rows are kept for the record, none accepted. */
export async function rejectStagedRows(c: Client, sheetIds: number[]): Promise<void> {
  await c.query(`update submission_rows set accepted = false where sheet_id = any($1)`, [sheetIds]);
}

/** Which of these row keys of a file type an earlier file of the period reported, as `key|lob` (they count: corrections merge). */
export async function reportedEarlier(c: Client, provider: string, layout: string, period: string, rowKeys: readonly string[], submissionId: number): Promise<Set<string>> {
  const r = await c.query<{ row_key: string; lob: string }>(
    // (every line named, so the primary key (provider, layout, lob, period, row_key) finds each
    // key asked for: without the line, its third column, the read went through every row the
    // provider has of the type, 100k at the end of a 100k-row file's transaction)
    `select row_key, lob from current_rows
      where provider_code = $1 and layout = $5 and lob = any($6) and period = $2 and row_key = any($3) and submission_id <> $4`,
    [provider, period, rowKeys, submissionId, layout, LOB_CODES],
  );
  return new Set(r.rows.map((x) => `${x.row_key}|${x.lob}`));
}

/**
 * The (file type, line of business) pairs earlier files of the period carried, as `type|lob`
 * (a sheet of unknown lines as `type|*`, a sheet with no rows not at all: sheetLines): not
 * copies, not declined, not this submission or the ones it answers again.
 */
export async function earlierTypeLines(c: Client, provider: string, period: string, types: readonly string[], submissionId: number, chain: readonly number[]): Promise<Set<string>> {
  const r = await c.query<{ layout: string; lob: string }>(
    `select distinct s.layout, l.lob from submission_sheets s join submissions u on u.id = s.submission_id
       cross join lateral unnest(${sheetLines('s')}) as l(lob)
      where s.provider_code = $1 and s.period = $2 and s.layout = any($3) and s.submission_id <> $4 and s.submission_id <> all($5::bigint[])
        and u.duplicate_of is null and u.verdict is distinct from 'DECLINED_LATE'`,
    [provider, period, types, submissionId, chain],
  );
  return new Set(r.rows.map((x) => `${x.layout}|${x.lob}`));
}

export async function markSheetApplied(c: Client, sheetId: number): Promise<void> {
  await c.query(`update submission_sheets set applied = true where id = $1`, [sheetId]);
}

export async function submissionNames(c: Queryable, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const r = await c.query<{ id: number; original_name: string }>(`select id, original_name from submissions where id = any($1)`, [ids]);
  return new Map(r.rows.map((x) => [Number(x.id), x.original_name]));
}

/**
 * The latest earlier sheet of the same type, period and a shared line that was read: what a
 * correction is compared with, applied or not (a file REJECTED whole has the errors its
 * correction fixes). A copy or a file declined as late was not read: it has no errors of its
 * own, and the file before it is the one compared with.
 */
export async function previousSheet(
  c: Client, provider: string, layout: string, period: string, lobs: readonly string[], exceptSubmission: number,
): Promise<{ sheetId: number; submissionId: number; name: string; receivedAt: Date } | null> {
  const r = await c.query<{ id: number; submission_id: number; original_name: string; received_at: Date }>(
    `select s.id, s.submission_id, u.original_name, u.received_at from submission_sheets s join submissions u on u.id = s.submission_id
      where s.provider_code = $1 and s.layout = $2 and s.period = $3 and s.submission_id <> $4
        and u.duplicate_of is null and u.verdict is distinct from 'DECLINED_LATE'
        and ${sheetLines('s')} && ($5::text[] || '*'::text)
      order by u.received_at desc, s.id desc limit 1`,
    [provider, layout, period, exceptSubmission, lobs],
  );
  const p = r.rows[0];
  return p ? { sheetId: Number(p.id), submissionId: Number(p.submission_id), name: p.original_name, receivedAt: p.received_at } : null;
}

export interface EarlierError { cin: string | null; row_number: number | null; column_label: string | null; code: string; resent: boolean }

/**
 * The errors of an earlier sheet, each with whether it was sent again in the new sheet: a row's,
 * if its member was; the sheet's own (a missing column), always: the new sheet is the sheet again.
 */
export async function earlierSheetErrors(c: Client, oldSheetId: number, newSheetId: number): Promise<EarlierError[]> {
  const errors = (await c.query<Omit<EarlierError, 'resent'>>(
    `select i.cin, i.row_number, i.column_label, i.code
       from submission_issues i join submission_sheets s on s.submission_id = i.submission_id and s.sheet_name = i.sheet_name
      where s.id = $1 and i.severity = 'error'`,
    [oldSheetId],
  )).rows;
  const cins = [...new Set(errors.flatMap((e) => (e.row_number !== null && e.cin !== null ? [e.cin] : [])))];
  // The new sheet's rows read once, each CIN looked up among the errors' (a parameter's "= any",
  // hashed by Postgres). Joined in one statement, with statistics of submission_rows from before
  // both sheets (a correction minutes after the first file), every error was compared with every
  // row of the new sheet: 15 s for 1,500 errors and 100k rows (test/integration/earlier-errors-read.test.ts).
  const sent = cins.length
    ? new Set((await c.query<{ cin: string }>(
      'select distinct r.cin from submission_rows r where r.sheet_id = $1 and r.cin = any($2::bpchar[])', [newSheetId, cins],
    )).rows.map((r) => r.cin))
    : new Set<string>();
  return errors.map((e) => ({ ...e, resent: e.row_number === null || (e.cin !== null && sent.has(e.cin)) }));
}

/**
 * Lead care managers of the provider with more enrolled members than the limit, counting the
 * members enrolled on the reporting period's first day (`periodDate`: an enrollment end on or
 * after it, a planned end included, has not happened yet) whose assignments still hold them in
 * their line that day (assignmentInLine: a member the plan moved to another line is no one's
 * caseload here).
 */
export async function caseloadsOver(c: Client, provider: string, limit: number, periodDate: string): Promise<{ lcmName: string; members: number }[]> {
  const r = await c.query<{ lcm_name: string; n: number }>(
    `select lcm_name, count(*)::int n from ecm_assignments a
      where provider_code = $1 and status = 3 and ${notEndedOn('a.enrollment_end', '$3::date')} and lcm_name is not null and ${assignmentInLine('a', '$3::date')}
      group by lcm_name having count(*) > $2 order by lcm_name`,
    [provider, limit, periodDate],
  );
  return r.rows.map((x) => ({ lcmName: x.lcm_name, members: x.n }));
}

export interface IssueRecord { sheet: string | null; row: number | null; column: string | null; code: string; severity: string; message: string; cin: string | null }

export async function insertIssues(c: Client, submissionId: number, issues: readonly IssueRecord[]): Promise<void> {
  if (!issues.length) return;
  await c.query(
    `insert into submission_issues (submission_id, sheet_name, row_number, column_label, code, severity, message, cin)
     select $1, sheet, row, col, code, severity, message, cin from jsonb_to_recordset($2::jsonb)
       as x(sheet text, row int, col text, code text, severity text, message text, cin text)`,
    [submissionId, JSON.stringify(issues.map((i) => ({ sheet: i.sheet, row: i.row, col: i.column, code: i.code, severity: i.severity, message: i.message, cin: i.cin })))],
  );
}

export interface Counts { rowsRead: number; rowsAccepted: number; rowsRejected: number; warnings: number }

export async function updateSheetCounts(c: Client, sheetId: number, counts: Counts, lobs: readonly string[]): Promise<void> {
  await c.query(`update submission_sheets set rows_read = $2, rows_accepted = $3, rows_rejected = $4, warnings = $5, lobs = $6 where id = $1`,
    [sheetId, counts.rowsRead, counts.rowsAccepted, counts.rowsRejected, counts.warnings, lobs]);
}

/**
 * The submission answered: its outcome, counts, stored response and the email about it (sent
 * as written here, whichever poll finishes the answer); state APPLIED until respond.ts has
 * published, moved and notified.
 */
export async function markApplied(
  c: Client,
  submissionId: number,
  r: Counts & { fileTypes: readonly string[]; verdict: string | null; outcome: string; responseName: string; responseSha256: string; responseEmail: string },
): Promise<void> {
  await c.query(
    `update submissions set file_types = $2, verdict = $3, outcome = $4, state = 'APPLIED', rows_read = $5, rows_accepted = $6,
       rows_rejected = $7, warnings = $8, response_name = $9, response_sha256 = $10, response_email = $11 where id = $1`,
    [submissionId, r.fileTypes, r.verdict, r.outcome, r.rowsRead, r.rowsAccepted, r.rowsRejected, r.warnings, r.responseName, r.responseSha256, r.responseEmail],
  );
}

export interface StoredSubmission {
  submission: {
    original_name: string; sha256: string; outcome: string; verdict: string | null; period: string | Date | null; rows_read: number; rows_accepted: number;
    rows_rejected: number; warnings: number; provider_code: string; response_name: string; response_bytes: Buffer;
    /** Null for a submission answered before migration 0028. */
    response_email: string | null;
    provider_name: string;
  };
  sheets: { sheet_name: string; layout: string; rows_read: number; rows_accepted: number; rows_rejected: number; warnings: number }[];
  issues: { sheet_name: string | null; row_number: number | null; column_label: string | null; code: string; severity: string; message: string; cin: string | null }[];
}

/** A submission already applied, with its stored response, sheets and issues (to answer it again after a crash). */
export async function storedSubmission(db: Queryable, submissionId: number): Promise<StoredSubmission> {
  const submission = (await db.query<StoredSubmission['submission']>(
    `select s.*, b.bytes as response_bytes, p.name as provider_name from submissions s join file_blobs b on b.sha256 = s.response_sha256
       join providers p on p.provider_code = s.provider_code where s.id = $1`, [submissionId],
  )).rows[0]!;
  const sheets = (await db.query<StoredSubmission['sheets'][number]>(
    `select sheet_name, layout, rows_read, rows_accepted, rows_rejected, warnings from submission_sheets where submission_id = $1 order by id`, [submissionId],
  )).rows;
  const issues = (await db.query<StoredSubmission['issues'][number]>(
    `select sheet_name, row_number, column_label, code, severity, message, cin from submission_issues where submission_id = $1 order by id`, [submissionId],
  )).rows;
  return { submission, sheets, issues };
}

// The answering steps after the commit (migration 0012): each recorded on the submission when
// done, so a poll interrupted anywhere is finished by the next one, every step exactly once.

/** Where the upload ended up: moved to processed/ or failed/, no longer there, or left in place (unmovable). */
export type Disposition = 'processed' | 'failed' | 'gone' | 'quarantined';

export interface AnswerProgress {
  state: string;
  response_published_at: Date | null;
  moved_to: string | null;
  moved_at: Date | null;
  upload_disposition: Disposition | null;
  notified_at: Date | null;
}

export async function answerProgress(db: Queryable, id: number): Promise<AnswerProgress> {
  return (await db.query<AnswerProgress>(`select state, response_published_at, moved_to, moved_at, upload_disposition, notified_at from submissions where id = $1`, [id])).rows[0]!;
}

/** The response is in the provider's downloads/: a count of polls that could not publish it is over (when ops were told stays). */
export async function markResponsePublished(db: Queryable, id: number, at: Date): Promise<void> {
  await db.query(
    `update submissions set response_published_at = $2, response_failures = 0, response_first_failed_at = null, response_last_failed_at = null, response_last_error = null
      where id = $1`,
    [id, at],
  );
}

/**
 * One more poll that could not publish the submission's response (migration 0036): the polls in
 * a row so far, this one included, and when ops were told of it (null: not yet).
 * @param error masked (errorText): no cell values
 */
export async function recordResponseFailure(db: Queryable, id: number, error: string, at: Date): Promise<{ failures: number; alertedAt: Date | null }> {
  const r = await db.query<{ response_failures: number; response_alerted_at: Date | null }>(
    `update submissions set response_failures = response_failures + 1, response_first_failed_at = coalesce(response_first_failed_at, $2),
            response_last_failed_at = $2, response_last_error = $3
      where id = $1 returning response_failures, response_alerted_at`,
    [id, at, error],
  );
  const row = r.rows[0]!;
  return { failures: row.response_failures, alertedAt: row.response_alerted_at };
}

/** Ops were told that the response is not delivered (once per submission: an earlier time stands). */
export async function markResponseAlerted(db: Queryable, id: number, at: Date): Promise<void> {
  await db.query(`update submissions set response_alerted_at = coalesce(response_alerted_at, $2) where id = $1`, [id, at]);
}

/** Records where the upload is to be moved, unless a target was recorded already: returns the one that stands. */
export async function chooseMoveTarget(db: Queryable, id: number, target: string, uploadPath: string): Promise<string> {
  return (await db.query<{ moved_to: string }>(
    `update submissions set moved_to = coalesce(moved_to, $2), upload_path = coalesce(upload_path, $3) where id = $1 returning moved_to`,
    [id, target, uploadPath],
  )).rows[0]!.moved_to;
}

export async function markMoved(db: Queryable, id: number, at: Date, disposition: Disposition, reason: string | null): Promise<void> {
  await db.query(`update submissions set moved_at = $2, upload_disposition = $3, quarantine_reason = $4 where id = $1`, [id, at, disposition, reason]);
}

export async function markNotified(db: Queryable, id: number, at: Date): Promise<void> {
  await db.query(`update submissions set notified_at = $2 where id = $1`, [id, at]);
}

export async function markResponded(db: Queryable, id: number): Promise<void> {
  await db.query(`update submissions set state = 'RESPONDED' where id = $1`, [id]);
}

/** The sources of the submissions a poll answers when an earlier attempt stopped before answering (finishUnanswered). */
export const POLL_FINISHES = ['sftp', 'reprocess'] as const;

/**
 * The provider's submissions applied but not yet answered, oldest first, of these sources: its
 * sFTP uploads (a poll stopped after its commit) and the ops reprocesses of its files (a
 * `reprocess` stopped after its commit: its answer goes to the provider's downloads/ too; it has
 * no upload). A poll finishes both; a local `ingest FILE` is answered by that command, not by a poll.
 */
export async function unansweredSubmissions<S extends 'sftp' | 'reprocess'>(
  db: Queryable, provider: string, sources: readonly S[],
): Promise<{ id: number; source: S; original_name: string; upload_path: string | null; size: number; server_mtime: Date | null }[]> {
  const r = await db.query<{ id: string; source: S; original_name: string; upload_path: string | null; size: string; server_mtime: Date | null }>(
    `select id, source, original_name, upload_path, size, server_mtime from submissions
      where provider_code = $1 and state = 'APPLIED' and source = any($2) order by id`,
    [provider, sources],
  );
  return r.rows.map((x) => ({ ...x, id: Number(x.id), size: Number(x.size) }));
}

/**
 * The providers other than `listed` (those a poll lists: active, with a contract) that have a
 * submission applied but not answered (unansweredSubmissions), by code; with `only`, that one
 * at most. An inactive provider's folder is not polled, yet a `reprocess` of its last files
 * (ops read them again after a contract ended) that stopped after its commit, or an upload
 * applied just before the provider was made inactive, still owes its answer: a poll finishes
 * those too (src/ingest/poll.ts). Cheap on every poll: the partial index on APPLIED submissions.
 */
export async function unansweredUnlisted(db: Queryable, listed: readonly string[], only?: string): Promise<{ provider_code: string; sftp_folder: string }[]> {
  return (await db.query<{ provider_code: string; sftp_folder: string }>(
    `select p.provider_code, p.sftp_folder from providers p
      where p.provider_code <> all($1::text[]) and ($2::text is null or p.provider_code = $2)
        and exists (select 1 from submissions s where s.provider_code = p.provider_code and s.state = 'APPLIED' and s.source = any($3))
      order by 1`,
    [listed, only ?? null, POLL_FINISHES],
  )).rows;
}

/** The provider's sFTP uploads applied but not yet answered (unansweredSubmissions): what an upload in uploads/ may already be. */
export const unansweredSftpSubmissions = (db: Queryable, provider: string) => unansweredSubmissions(db, provider, ['sftp'] as const);

export interface UnreadSubmission {
  id: number;
  provider: string;
  originalName: string;
  size: number;
  receivedAt: Date;
  serverMtime: Date | null;
  firstSeenAt: Date | null;
  lastAbsentAt: Date | null;
  responseName: string;
  responseSha256: string;
  responseEmail: string;
  uploadPath: string;
}

/**
 * A file refused before its bytes were read: the submission, REJECTED and APPLIED (answered like
 * any other from here); its one file-level error is an issue row (insertIssues). On the caller's
 * transaction client.
 */
export async function insertUnreadSubmission(c: Client, s: UnreadSubmission): Promise<void> {
  await c.query(
    `insert into submissions (id, provider_code, original_name, sha256, size, received_at, server_mtime, first_seen_at, last_absent_at, outcome, state, response_name, response_sha256,
        response_email, upload_path)
       values ($1, $2, $3, null, $4, $5, $6, $7, $8, 'REJECTED', 'APPLIED', $9, $10, $11, $12)`,
    [s.id, s.provider, s.originalName.slice(0, 500), s.size, s.receivedAt, s.serverMtime, s.firstSeenAt, s.lastAbsentAt, s.responseName, s.responseSha256, s.responseEmail, s.uploadPath],
  );
}

/**
 * Each recognised sheet of a submission and the lines it stands for (sheetLines: its rows' lines,
 * '*' when they named none it could tell, none when it had no rows): what its response is about.
 */
export async function submissionSheetLines(db: Queryable, submissionId: number): Promise<{ layout: string; lines: string[] }[]> {
  return (await db.query<{ layout: string; lines: string[] }>(
    `select ss.layout, ${sheetLines('ss')} as lines from submission_sheets ss where ss.submission_id = $1 order by ss.id`, [submissionId])).rows;
}

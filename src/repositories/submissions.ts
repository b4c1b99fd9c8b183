// Submissions as operations look them up: every received file (rejected and declined ones
// included), one submission's sheets, lineage and issues. Read-only queries; the pipeline
// writes these tables.
import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;

export interface SubmissionFilter {
  provider?: string;
  /** First day of the reporting period (YYYY-MM-01). */
  period?: string;
  type?: string;
  outcome?: string;
  verdict?: string;
  /** Received at or after. */
  since?: Date;
  limit: number;
}

export interface SubmissionSummary {
  id: number;
  provider: string;
  file: string;
  receivedAt: Date;
  period: string | null;
  types: string[];
  verdict: string | null;
  outcome: string | null;
  state: string;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  warnings: number;
  duplicateOf: number | null;
  /** The submission this one answered again (`reprocess`), null for a provider's upload. */
  reprocessOf: number | null;
  response: string | null;
}

interface SummaryRow {
  id: number; provider_code: string; original_name: string; received_at: Date; period: string | null; types: string[];
  verdict: string | null; outcome: string | null; state: string; rows_read: number; rows_accepted: number; rows_rejected: number;
  warnings: number; duplicate_of: number | null; reprocess_of: number | null; response_name: string | null;
}

/**
 * The file types of submission `alias`: its recognised sheets' layouts, or, when none was read
 * (declined, rejected whole), the types its name or content suggested. One expression for every
 * report that groups files by type.
 */
export const submissionTypesSql = (alias: string): string =>
  `coalesce(nullif(array(select distinct ss.layout from submission_sheets ss where ss.submission_id = ${alias}.id order by 1), '{}'), ${alias}.file_types)`;

/**
 * Whether submission `alias` was answered again by `reprocess` (a later submission names it in
 * reprocess_of, committed with everything it applied). The new attempt replaces it: a report
 * that counts files or shows the latest answer leaves the old one out, or a reprocessed file
 * (which keeps its receipt time) is counted twice and can tie with its own new answer.
 */
export const answeredAgainSql = (alias: string): string =>
  `exists (select 1 from submissions again where again.reprocess_of = ${alias}.id)`;

const SUMMARY_COLUMNS = `s.id, s.provider_code, s.original_name, s.received_at, to_char(s.period, 'YYYY-MM') as period,
  ${submissionTypesSql('s')} as types,
  s.verdict, s.outcome, s.state, s.rows_read, s.rows_accepted, s.rows_rejected, s.warnings, s.duplicate_of, s.reprocess_of, s.response_name`;

const toSummary = (r: SummaryRow): SubmissionSummary => ({
  id: r.id, provider: r.provider_code, file: r.original_name, receivedAt: r.received_at, period: r.period, types: r.types,
  verdict: r.verdict, outcome: r.outcome, state: r.state, rowsRead: r.rows_read, rowsAccepted: r.rows_accepted,
  rowsRejected: r.rows_rejected, warnings: r.warnings, duplicateOf: r.duplicate_of, reprocessOf: r.reprocess_of, response: r.response_name,
});

/** Newest first; every filter optional. */
export async function listSubmissions(db: Queryable, f: SubmissionFilter): Promise<SubmissionSummary[]> {
  const r = await db.query<SummaryRow>(
    `select ${SUMMARY_COLUMNS}
       from submissions s
      where ($1::text is null or s.provider_code = $1)
        and ($2::date is null or s.period = $2)
        and ($3::text is null or $3 = any(s.file_types) or exists (select 1 from submission_sheets ss where ss.submission_id = s.id and ss.layout = $3))
        and ($4::text is null or s.outcome = $4)
        and ($5::text is null or s.verdict = $5)
        and ($7::timestamptz is null or s.received_at >= $7)
      order by s.received_at desc, s.id desc
      limit $6`,
    [f.provider ?? null, f.period ?? null, f.type ?? null, f.outcome ?? null, f.verdict ?? null, f.limit, f.since ?? null],
  );
  return r.rows.map(toSummary);
}

export interface SheetDetail {
  name: string;
  layout: string;
  period: string | null;
  applied: boolean;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  warnings: number;
  /** The submission whose sheet this one replaced, and the one that replaced it. */
  supersedes: number | null;
  supersededBy: number | null;
}

export interface IssueGroup { code: string; severity: string; count: number; rows: number[]; message: string }

export interface SubmissionDetail extends SubmissionSummary {
  size: number;
  sha256: string | null;
  source: string;
  serverMtime: Date | null;
  sheets: SheetDetail[];
  fileIssues: { code: string; severity: string; message: string }[];
  issues: IssueGroup[];
  duplicates: number[];
  /** Why ops read it again (reprocessed submissions). */
  reprocessReason: string | null;
  /** The submission that answered this one again, if any. */
  reprocessedBy: number | null;
  /** Where the response went: the provider's downloads/ folder (sFTP) or a local folder (`ingest`). */
  responsePublishedAt: Date | null;
  /** The emails about this submission's response (notification outbox). */
  emails: { id: number; to: string[]; status: string; sentAt: Date | null }[];
  /**
   * The response is not delivered yet: publishing it to the provider's downloads/ failed at this
   * many polls in a row (migration 0036), the first and last of them, the last error (masked),
   * and when ops were emailed (RESPONSE_UNDELIVERED_ALERT_AFTER; null: not yet). Null when no
   * poll failed to publish it (or it is published).
   */
  responseUndelivered: { failures: number; firstFailedAt: Date; lastFailedAt: Date; lastError: string; opsAlertedAt: Date | null } | null;
  /**
   * Where the upload went once answered (a poll's file; null for a file `ingest` read or a
   * reprocess): moved to processed/ or failed/ (movedTo), gone from uploads/ before the move, or
   * quarantined in uploads/ (the server refused the move: quarantineReason; ops move or remove it
   * by hand). Disposition null: not moved yet (the next poll moves it).
   */
  upload: { disposition: string | null; movedTo: string | null; movedAt: Date | null; quarantineReason: string | null } | null;
}

export async function findSubmission(db: Queryable, id: number): Promise<SubmissionDetail | undefined> {
  const head = await db.query<SummaryRow & { size: number; sha256: string | null; source: string; server_mtime: Date | null; reprocess_reason: string | null;
    reprocessed_by: number | null; response_published_at: Date | null; response_failures: number; response_first_failed_at: Date | null;
    response_last_failed_at: Date | null; response_last_error: string | null; response_alerted_at: Date | null;
    upload_disposition: string | null; moved_to: string | null; moved_at: Date | null; quarantine_reason: string | null }>(
    `select ${SUMMARY_COLUMNS}, s.size, s.sha256, s.source, s.server_mtime, s.reprocess_reason, s.response_published_at,
            s.response_failures, s.response_first_failed_at, s.response_last_failed_at, s.response_last_error, s.response_alerted_at,
            s.upload_disposition, s.moved_to, s.moved_at, s.quarantine_reason,
            (select n.id from submissions n where n.reprocess_of = s.id) as reprocessed_by
       from submissions s where s.id = $1`,
    [id],
  );
  const h = head.rows[0];
  if (!h) return undefined;
  const [sheets, fileIssues, issues, dups, emails] = await Promise.all([
    db.query<{ sheet_name: string; layout: string; period: string | null; applied: boolean; rows_read: number; rows_accepted: number; rows_rejected: number; warnings: number; supersedes: number | null; superseded_by: number | null }>(
      `select ss.sheet_name, ss.layout, to_char(ss.period, 'YYYY-MM') as period, ss.applied, ss.rows_read, ss.rows_accepted, ss.rows_rejected, ss.warnings,
              (select o.submission_id from submission_sheets o where o.id = ss.supersedes_id) as supersedes,
              (select o.submission_id from submission_sheets o where o.id = ss.superseded_by) as superseded_by
         from submission_sheets ss where ss.submission_id = $1 order by ss.id`,
      [id],
    ),
    db.query<{ code: string; severity: string; message: string }>(
      `select code, severity, message from submission_issues where submission_id = $1 and row_number is null order by id`,
      [id],
    ),
    // Row issues grouped by code: the message of the first occurrence stands for the group.
    db.query<{ code: string; severity: string; n: number; rows: number[]; message: string }>(
      `select code, severity, count(*)::int as n, (array_agg(row_number order by row_number))[1:20] as rows,
              (array_agg(message order by row_number))[1] as message
         from submission_issues where submission_id = $1 and row_number is not null
        group by code, severity order by severity, n desc, code`,
      [id],
    ),
    db.query<{ id: number }>(`select id from submissions where duplicate_of = $1 order by id`, [id]),
    db.query<{ id: number; recipients: string[]; status: string; sent_at: Date | null }>(
      `select id, recipients, status, sent_at from notifications where dedupe_key = 'submission-response:' || $1::text order by id`,
      [id],
    ),
  ]);
  return {
    ...toSummary(h),
    size: h.size,
    sha256: h.sha256,
    source: h.source,
    serverMtime: h.server_mtime,
    sheets: sheets.rows.map((s) => ({
      name: s.sheet_name, layout: s.layout, period: s.period, applied: s.applied, rowsRead: s.rows_read, rowsAccepted: s.rows_accepted,
      rowsRejected: s.rows_rejected, warnings: s.warnings, supersedes: s.supersedes, supersededBy: s.superseded_by,
    })),
    fileIssues: fileIssues.rows,
    issues: issues.rows.map((i) => ({ code: i.code, severity: i.severity, count: i.n, rows: i.rows, message: i.message })),
    duplicates: dups.rows.map((d) => d.id),
    reprocessReason: h.reprocess_reason,
    reprocessedBy: h.reprocessed_by,
    responsePublishedAt: h.response_published_at,
    emails: emails.rows.map((e) => ({ id: Number(e.id), to: e.recipients, status: e.status, sentAt: e.sent_at })),
    responseUndelivered: h.response_failures > 0
      ? { failures: h.response_failures, firstFailedAt: h.response_first_failed_at!, lastFailedAt: h.response_last_failed_at!, lastError: h.response_last_error ?? '', opsAlertedAt: h.response_alerted_at }
      : null,
    upload: h.source === 'sftp'
      ? { disposition: h.upload_disposition, movedTo: h.moved_to, movedAt: h.moved_at, quarantineReason: h.quarantine_reason }
      : null,
  };
}

/** What `reprocess` needs to know of a submission before it reads the stored file again. */
export interface ReprocessCandidate {
  id: number;
  provider: string;
  file: string;
  sha256: string | null;
  receivedAt: Date;
  serverMtime: Date | null;
  firstSeenAt: Date | null;
  lastAbsentAt: Date | null;
  state: string;
  /** How it was taken: `sftp` (a poll), `cli` (`ingest FILE`), `reprocess`. */
  source: string;
  verdict: string | null;
  duplicateOf: number | null;
  /** Its bytes are still stored (retention may have dropped them). */
  stored: boolean;
  /** Some of its rows were applied (and still count unless replaced). */
  applied: boolean;
  /** The submission that already answered it again, and how far that one got. */
  reprocessedBy: { id: number; state: string } | null;
  /** A later submission whose rows replaced (or now stand in place of) this one's. */
  replacedBy: number | null;
  /** It and the submissions it answered again in turn, newest first. */
  chain: number[];
}

export async function reprocessCandidate(db: Queryable, id: number): Promise<ReprocessCandidate | undefined> {
  const r = await db.query<{
    id: number; provider_code: string; original_name: string; sha256: string | null; received_at: Date; server_mtime: Date | null; first_seen_at: Date | null;
    last_absent_at: Date | null; state: string; source: string; verdict: string | null; duplicate_of: number | null; stored: boolean; applied: boolean;
    reprocessed_by: number | null; reprocessed_state: string | null; replaced_by: number | null; chain: number[];
  }>(
    `select s.id, s.provider_code, s.original_name, s.sha256, s.received_at, s.server_mtime, s.first_seen_at, s.last_absent_at, s.state, s.source, s.verdict, s.duplicate_of,
            exists (select 1 from file_blobs b where b.sha256 = s.sha256 and b.purged_at is null) as stored,
            exists (select 1 from submission_sheets ss where ss.submission_id = s.id and ss.applied) as applied,
            n.id as reprocessed_by, n.state as reprocessed_state,
            coalesce(
              (select min(o.submission_id) from submission_sheets ss join submission_sheets o on o.id = ss.superseded_by
                where ss.submission_id = s.id and o.submission_id <> s.id),
              (select min(o.submission_id) from submission_sheets o join submissions u on u.id = o.submission_id
                where o.provider_code = s.provider_code and o.period = s.period and o.applied and o.superseded_by is null
                  and u.received_at > s.received_at and o.submission_id <> s.id
                  and (cardinality(${submissionTypesSql('s')}) = 0 or o.layout = any(${submissionTypesSql('s')})))
            ) as replaced_by,
            (with recursive up(id, of) as (
               select s.id, s.reprocess_of
               union all
               select p.id, p.reprocess_of from submissions p join up on p.id = up.of)
             select array_agg(id order by id desc) from up) as chain
       from submissions s left join submissions n on n.reprocess_of = s.id
      where s.id = $1`,
    [id],
  );
  const x = r.rows[0];
  if (!x) return undefined;
  return {
    id: Number(x.id), provider: x.provider_code, file: x.original_name, sha256: x.sha256, receivedAt: x.received_at, serverMtime: x.server_mtime,
    firstSeenAt: x.first_seen_at, lastAbsentAt: x.last_absent_at, state: x.state, source: x.source, verdict: x.verdict, duplicateOf: x.duplicate_of === null ? null : Number(x.duplicate_of),
    stored: x.stored, applied: x.applied,
    reprocessedBy: x.reprocessed_by === null ? null : { id: Number(x.reprocessed_by), state: x.reprocessed_state! },
    replacedBy: x.replaced_by === null ? null : Number(x.replaced_by), chain: x.chain.map(Number),
  };
}

/** The stored files of a submission: what the provider sent and the response the plan wrote. */
export interface SubmissionFiles {
  provider: string;
  original: { name: string; sha256: string };
  response: { name: string; sha256: string } | null;
}

export async function submissionFiles(db: Queryable, id: number): Promise<SubmissionFiles | undefined> {
  const r = await db.query<{ provider_code: string; original_name: string; sha256: string; response_name: string | null; response_sha256: string | null }>(
    'select provider_code, original_name, sha256, response_name, response_sha256 from submissions where id = $1',
    [id],
  );
  const x = r.rows[0];
  if (!x) return undefined;
  return {
    provider: x.provider_code,
    original: { name: x.original_name, sha256: x.sha256 },
    response: x.response_name && x.response_sha256 ? { name: x.response_name, sha256: x.response_sha256 } : null,
  };
}

/** One row's issue, with the member it is about: member data, for the submission page only. */
export interface IssueRow {
  sheet: string | null;
  row: number;
  column: string | null;
  code: string;
  severity: string;
  message: string;
  cin: string | null;
  /**
   * "Last, First" when the CIN is a member of the submitting provider's: assigned to it (ECM,
   * any status), with a CS authorization or referral with it, or on a MIF, mini-MIF or CSASF it
   * was sent. The plan's record of anyone else's member is never shown (a provider's file can
   * name any CIN; whoever may see the provider may not see that member).
   */
  member: string | null;
  /** The CIN is on record but not a member of the submitting provider's. */
  otherProvidersMember: boolean;
}

export async function submissionIssueRows(db: Queryable, id: number, limit: number): Promise<{ rows: IssueRow[]; total: number }> {
  const [rows, total] = await Promise.all([
    db.query<{ sheet_name: string | null; row_number: number; column_label: string | null; code: string; severity: string; message: string; cin: string | null; member: string | null; other: boolean }>(
      `select i.sheet_name, i.row_number, i.column_label, i.code, i.severity, i.message, i.cin,
              case when mine then m.last_name || ', ' || m.first_name end as member, m.cin is not null and not mine as other
         from submission_issues i join submissions s on s.id = i.submission_id
         left join members m on m.cin = i.cin
         cross join lateral (select m.cin is not null and (
             exists (select 1 from ecm_assignments a where a.cin = m.cin and a.provider_code = s.provider_code)
             or exists (select 1 from cs_authorizations c where c.cin = m.cin and c.provider_code = s.provider_code)
             or exists (select 1 from outbound_file_rows r join outbound_files o on o.id = r.outbound_file_id
                         where r.cin = m.cin and o.provider_code = s.provider_code and o.status = 'PUBLISHED')) as mine) p
        where i.submission_id = $1 and i.row_number is not null
        order by i.row_number, i.id limit $2`,
      [id, limit],
    ),
    db.query<{ n: number }>('select count(*)::int n from submission_issues where submission_id = $1 and row_number is not null', [id]),
  ]);
  return {
    rows: rows.rows.map((x) => ({ sheet: x.sheet_name, row: x.row_number, column: x.column_label, code: x.code, severity: x.severity, message: x.message, cin: x.cin, member: x.member, otherProvidersMember: x.other })),
    total: total.rows[0]!.n,
  };
}

// What /metrics and /healthz read from Postgres: a few aggregate queries, so every scheduler
// process scraped reports the same numbers (the ledger, submissions and outbox are shared).
// Counts and provider codes only: no file names, no member data.
import type pg from 'pg';
import { providerFolders } from '../sftp/pickup.js';

type Db = pg.Pool | pg.PoolClient;

export interface MetricsSnapshot {
  /** Run attempts in the ledger, by job and status. */
  runs: { job: string; status: string; count: number }[];
  /** Inbound files by outcome; NONE: not decided yet (being processed). Duplicates count as their own files. */
  submissions: { outcome: string; count: number }[];
  rows: { read: number; accepted: number; rejected: number };
  /** Every provider the poll lists, with when its uploads folder was last listed (null: never). */
  pollFolders: { provider: string; lastListedAt: Date | null }[];
  /** Notification outbox by status. */
  notifications: { status: string; count: number }[];
  lastPollSuccessAt: Date | null;
}

/** End of the latest successful attempt of a job (any process), or null. */
export async function lastSuccessfulRun(db: Db, job: string): Promise<Date | null> {
  // runs_job_slot_idx does not lead with status; the ledger is small enough per job for this
  // to stay a cheap scan of one job's attempts.
  const r = await db.query<{ at: Date | null }>(`select max(finished_at) as at from runs where job = $1 and status = 'SUCCEEDED'`, [job]);
  return r.rows[0]?.at ?? null;
}

/** The providers the poll lists (active, with a contract), each with its uploads folder's last listing. */
export async function providerPollTimes(db: Db, sftpRoot: string): Promise<MetricsSnapshot['pollFolders']> {
  const providers = (
    await db.query<{ provider_code: string; sftp_folder: string }>(
      `select provider_code, sftp_folder from providers p
        where active and exists (select 1 from provider_contracts c where c.provider_code = p.provider_code) order by provider_code`,
    )
  ).rows;
  // The folder names as the poll computes them (SFTP_ROOT joined with the provider's folder).
  const folderOf = new Map<string, string>();
  for (const p of providers) {
    try {
      folderOf.set(p.provider_code, providerFolders(sftpRoot, p.sftp_folder).uploads);
    } catch {
      // a folder the poll refuses is never listed: reported as never polled
    }
  }
  const listed = new Map(
    (await db.query<{ folder: string; last_listed_at: Date | null }>('select folder, last_listed_at from poll_folders where folder = any($1::text[])', [[...folderOf.values()]])).rows.map(
      (r) => [r.folder, r.last_listed_at],
    ),
  );
  return providers.map((p) => {
    const folder = folderOf.get(p.provider_code);
    return { provider: p.provider_code, lastListedAt: (folder !== undefined ? listed.get(folder) : undefined) ?? null };
  });
}

export async function metricsSnapshot(db: Db, sftpRoot: string): Promise<MetricsSnapshot> {
  const runs = await db.query<{ job: string; status: string; count: number }>('select job, status, count(*)::int as count from runs group by job, status order by job, status');
  const subs = await db.query<{ outcome: string; count: number; read: number; accepted: number; rejected: number }>(
    `select coalesce(outcome, 'NONE') as outcome, count(*)::int as count,
            sum(rows_read)::bigint as read, sum(rows_accepted)::bigint as accepted, sum(rows_rejected)::bigint as rejected
       from submissions group by 1 order by 1`,
  );
  const notifications = await db.query<{ status: string; count: number }>('select status, count(*)::int as count from notifications group by status order by status');
  const pollFolders = await providerPollTimes(db, sftpRoot);
  const lastPollSuccessAt = await lastSuccessfulRun(db, 'poll');
  const rows = { read: 0, accepted: 0, rejected: 0 };
  for (const s of subs.rows) {
    rows.read += Number(s.read);
    rows.accepted += Number(s.accepted);
    rows.rejected += Number(s.rejected);
  }
  return {
    runs: runs.rows,
    submissions: subs.rows.map((s) => ({ outcome: s.outcome, count: s.count })),
    rows,
    pollFolders,
    notifications: notifications.rows,
    lastPollSuccessAt,
  };
}

export interface ExchangeTotals {
  /** Inbound files by outcome ('none': not decided yet). */
  submissions: { outcome: string; count: number }[];
  outboundPublished: number;
  notifications: number;
}

/** What the exchange has done so far, in three counts: the demo's closing summary. */
export async function exchangeTotals(db: Db): Promise<ExchangeTotals> {
  const submissions = (await db.query<{ outcome: string; count: number }>(`select coalesce(outcome, 'none') as outcome, count(*)::int as count from submissions group by 1`)).rows;
  const outboundPublished = (await db.query<{ n: number }>(`select count(*)::int n from outbound_files where status = 'PUBLISHED'`)).rows[0]!.n;
  const notifications = (await db.query<{ n: number }>(`select count(*)::int n from notifications`)).rows[0]!.n;
  return { submissions, outboundPublished, notifications };
}

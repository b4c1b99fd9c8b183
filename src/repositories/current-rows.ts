// Corrections merge by business key (spec §6): the current row of each key within provider ×
// line of business × file type × period, and the lineage between sheets the merge leaves. What
// to merge and how to count it is src/ingest/apply.ts's; these are its statements, each run on
// the submission's transaction client (none commits). The merge is on the hot path of a large
// file's ingest: one statement per batch of staged rows, whatever the batch's size.
import type pg from 'pg';

type Client = pg.PoolClient;

/**
 * A file type's business key as SQL expressions over a staged row `r` (submission_rows): the
 * file type's mergeKey (src/filetypes/types.ts), which is code, never input.
 */
export interface KeyExpressions {
  key: string;
  lob: string;
  /** The cross-row check rejects a repeated key: no de-duplication needed. */
  uniquePerFile: boolean;
}

/** One batch of a sheet's accepted rows, merged into the current rows of its period. */
export interface MergeBatch {
  sheetId: number;
  provider: string;
  layout: string;
  /** First day of the reporting period (YYYY-MM-01). */
  period: string;
  submissionId: number;
  /** The batch's rows: row_number between from and to. */
  from: number;
  to: number;
  receivedAt: Date;
  /** Lines of business a row may carry: a row of another is not merged. */
  lobs: readonly string[];
}

/**
 * Rows of one line of business the statement touched, by the submission whose row had the key
 * before (null: new key), and whether the row took the key: not when a file received after this
 * one holds it (its row stands, and this one does not count).
 */
export interface MergedCount { lob: string; prev: number | null; taken: boolean; n: number }

const batchArgs = (b: MergeBatch) => [b.sheetId, b.provider, b.layout, b.period, b.submissionId, b.from, b.to, b.receivedAt, b.lobs];

/** Rows of a line replace-line removed, by earlier submission. */
export interface DroppedCount { lob: string; prev: number; n: number }

/**
 * OTF_CORRECTIONS=replace-line, once the sheet is merged whole: the earlier rows still counting
 * in every line the sheet carries stop counting (withdrawn). The keys the sheet sent again are
 * its own rows by then (mergeByKey replaced them, as updated), and the rows of files received
 * after it stay: a file received earlier never takes a key back from a later one. Run at the end,
 * not per batch: a key sent again only in a later batch of the file would otherwise be counted
 * withdrawn, then added. Returns what was removed, by line and earlier submission.
 */
export async function dropLinesCarried(c: Client, k: KeyExpressions, b: MergeBatch): Promise<DroppedCount[]> {
  return (await c.query<DroppedCount>(
    `with gone as (
         delete from current_rows c where c.provider_code = $2 and c.layout = $3 and c.period = $4 and c.submission_id <> $5
            and (c.received_at, c.submission_id) < ($8, $5)
            and c.lob = any($9) and c.lob in (select distinct ${k.lob} from submission_rows r where r.sheet_id = $1 and r.accepted and r.row_number between $6 and $7)
         returning c.lob, c.submission_id)
       select g.lob, g.submission_id as prev, count(*)::int n from gone g group by 1, 2`,
    batchArgs(b),
  )).rows;
}

/**
 * OTF_CORRECTIONS=replace-line, a file answered after one received later: the lines the batch
 * carries that a later file replaced already, with the batch's rows in each. That file's list
 * of the line stands whole; none of this batch's rows of the line count.
 */
export async function linesHeldByLater(c: Client, k: KeyExpressions, b: MergeBatch): Promise<{ lob: string; n: number }[]> {
  const args = batchArgs(b).slice(0, 8);
  // The batch's lines first, each looked up once: as one statement's "exists" per staged row,
  // with statistics of submission_rows from before the batch (a correction minutes after the
  // first file), the look-up ran once per row and read the period's every row of the type each
  // time, the line only a filter: 50M rows a batch of 5,000 (test/integration/answer-reads-fresh.test.ts).
  const held = (await c.query<{ lob: string }>(
    `select l.lob from (select distinct ${k.lob} as lob from submission_rows r
                         where r.sheet_id = $1 and r.row_number between $6 and $7 and r.accepted and r.cin is not null) l
      where exists (select 1 from current_rows c where c.provider_code = $2 and c.layout = $3 and c.period = $4 and c.lob = l.lob
                      and (c.received_at, c.submission_id) > ($8, $5))`,
    args,
  )).rows.map((x) => x.lob);
  if (!held.length) return [];
  return (await c.query<{ lob: string; n: number }>(
    `select ${k.lob} as lob, count(distinct ${k.key})::int n from submission_rows r
      where r.sheet_id = $1 and r.row_number between $2 and $3 and r.accepted and r.cin is not null and ${k.lob} = any($4::text[])
      group by 1`,
    [b.sheetId, b.from, b.to, held],
  )).rows;
}

/**
 * Whether the period has current rows for this file type, in the lines of business the merge
 * works in (as mergeByKey's `lobs`): rows of other files, or of an earlier sheet of the same file
 * (a key that sheet merged must not be counted as added again). Naming the lines lets the key's
 * index reach the period: without them (lob is the key's third column) a provider's first file
 * of a period read every row the provider ever counted.
 */
export async function periodHasRows(c: Client, provider: string, layout: string, period: string, lobs: readonly string[]): Promise<boolean> {
  return (await c.query(
    `select 1 from current_rows where provider_code = $1 and layout = $2 and lob = any($4) and period = $3 limit 1`,
    [provider, layout, period, lobs],
  )).rowCount! > 0;
}

/**
 * Each accepted row of the batch becomes the current row of its key (the latest in receipt
 * order: a file received earlier never takes a key back from a later one). `earlier`: whether
 * the period may hold any of the batch's keys already (periodHasRows, or an earlier batch of the
 * sheet); without them the statement skips the look-up of which file each key came from, and a
 * key once per file is a plain insert.
 */
export async function mergeByKey(c: Client, k: KeyExpressions, b: MergeBatch, earlier: boolean): Promise<MergedCount[]> {
  // (a key accepted once per line per file by the cross-row check, an RTF member: no sort for it)
  const src = k.uniquePerFile
    ? `select ${k.lob} as lob, ${k.key} as k, r.row_number from submission_rows r
        where r.sheet_id = $1 and r.row_number between $6 and $7 and r.accepted and r.cin is not null and ${k.lob} = any($9)`
    : `select distinct on (lob, k) lob, k, row_number from (
         select ${k.lob} as lob, ${k.key} as k, r.row_number from submission_rows r
          where r.sheet_id = $1 and r.row_number between $6 and $7 and r.accepted and r.cin is not null) x
        where lob = any($9) and k is not null
        -- the same key twice in one sheet (an attempt entered twice): the last row stands, once
        order by lob, k, row_number desc`;
  const upsert = `insert into current_rows (provider_code, layout, lob, period, row_key, sheet_id, row_number, submission_id, received_at)
       select $2, $3, lob, $4, k, $1, row_number, $5, $8 from src
       on conflict (provider_code, layout, lob, period, row_key) do update
         set sheet_id = excluded.sheet_id, row_number = excluded.row_number, submission_id = excluded.submission_id, received_at = excluded.received_at
         where (current_rows.received_at, current_rows.submission_id) <= (excluded.received_at, excluded.submission_id)`;
  return (await c.query<MergedCount>(
    earlier
      ? `/* merge ${b.layout} rows by key */ with src as materialized (${src}), prev as (
           -- each key's row before the upsert (the statement's one snapshot), and whether the
           -- upsert takes the key: its condition, on that row (a file received later holds it)
           select s.lob, c.submission_id as prev, c.submission_id is null or (c.received_at, c.submission_id) <= ($8, $5) as taken from src s
             -- (a look-up of the whole key per key, "limit 1" keeping it one: as a plain join, with
             -- statistics from before the earlier file's rows, e.g. a correction minutes after it,
             -- the period's rows were read once and every key compared with every row, 5 s a batch)
             left join lateral (select c.submission_id, c.received_at from current_rows c
                                 where c.provider_code = $2 and c.layout = $3 and c.period = $4 and c.lob = s.lob and c.row_key = s.k limit 1) c on true
         ), up as (${upsert})
         -- (the upsert runs whole though nothing reads it. Its output joined back to the keys, two
         -- CTEs nothing indexes, was a nested loop of every key against every key under the
         -- batch's look-up plans: 25M comparisons a batch of 5,000, a 100k-row correction 90 s)
         select p.lob, p.prev, p.taken, count(*)::int as n from prev p
          group by 1, 2, 3 order by 1, 2 nulls first, 3`
      : `/* merge ${b.layout} rows by key (first file) */ with src as (${src}), up as (${
        // a key once per file and no other file has rows: nothing can conflict, and a plain
        // insert skips the speculative insertion of ON CONFLICT
        k.uniquePerFile ? upsert.slice(0, upsert.indexOf(' on conflict')) : upsert} returning lob)
         select lob, null::bigint as prev, true as taken, count(*)::int as n from up group by lob`,
    batchArgs(b),
  )).rows;
}

/** Current rows of other submissions in these lines of the period, by line: the earlier rows a sheet kept. */
export async function otherRowsByLine(c: Client, provider: string, layout: string, period: string, lobs: readonly string[], submissionId: number): Promise<{ lob: string; n: number }[]> {
  return (await c.query<{ lob: string; n: number }>(
    `select lob, count(*)::int n from current_rows where provider_code = $1 and layout = $2 and period = $3 and lob = any($4) and submission_id <> $5 group by lob`,
    [provider, layout, period, lobs, submissionId],
  )).rows;
}

/**
 * The lineage `submission show` reads: the sheet supersedes the latest sheet of this type of
 * `fromSubmission`, and each earlier applied sheet of `updatedFrom` none of whose rows count any
 * more is superseded by it.
 */
export async function recordSupersession(
  c: Client,
  s: { sheetId: number; provider: string; layout: string; period: string; submissionId: number; fromSubmission: number; updatedFrom: readonly number[] },
): Promise<void> {
  await c.query(
    `update submission_sheets set supersedes_id = (select id from submission_sheets where submission_id = $2 and layout = $3 order by id desc limit 1) where id = $1`,
    [s.sheetId, s.fromSubmission, s.layout],
  );
  await c.query(
    `update submission_sheets s set superseded_by = $1
          where s.provider_code = $2 and s.layout = $3 and s.period = $4 and s.applied and s.superseded_by is null and s.submission_id <> $5
            and s.submission_id = any($6) and not exists (select 1 from current_rows c where c.sheet_id = s.id)`,
    [s.sheetId, s.provider, s.layout, s.period, s.submissionId, s.updatedFrom],
  );
}

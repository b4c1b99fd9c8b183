// Corrections merge by business key (spec §6): after a sheet's rows are applied (its file
// type's apply statement, src/filetypes/<type>/apply.ts), each accepted row becomes the current
// row of its key. Set-based, inside the submission's transaction, batch by batch.
import type pg from 'pg';
import { LINES_OF_BUSINESS } from '../../schemas/codes.js';
import { ALL_ROWS, type FileTypeDefinition, type RowRange } from '../filetypes/types.js';

/** What merging one sheet did, per line of business. */
export interface MergeStats {
  lob: string;
  /** Keys this sheet carried that an earlier file had: the earlier rows stop counting. */
  updated: number;
  /** ... per earlier submission. */
  updatedFrom: { submissionId: number; rows: number }[];
  /** Keys new for the period. */
  added: number;
  /** Earlier rows of the same line and period this sheet did not carry: they keep counting. */
  kept: number;
}

/** One sheet's merge, accumulated batch by batch (mergeRange) and finished once (finishMerge). */
export interface MergeTally {
  byLob: Map<string, MergeStats>;
  /**
   * Whether the period has rows of other files: asked once per sheet (nothing else writes the
   * provider's rows meanwhile: the ingest holds the provider's lock).
   */
  earlier?: boolean;
}
export const newTally = (): MergeTally => ({ byLob: new Map() });

const LOB_CODES = Object.keys(LINES_OF_BUSINESS);

type MergeSheet = { id: number; type: Pick<FileTypeDefinition, 'name' | 'mergeKey'>; submissionId: number; receivedAt: Date };

/**
 * Corrections merge by business key: within provider × line of business × file type × period,
 * each accepted row of the sheet becomes the current row of its key (the latest in receipt
 * order: a file received earlier never takes a key back from a later one), new keys are added,
 * and earlier rows the sheet does not carry keep counting. Runs per batch of staged rows, while
 * the next batch is read (as the apply statements do); `finishMerge` then counts what was kept.
 */
export async function mergeRange(
  c: pg.PoolClient,
  sheet: MergeSheet,
  provider: string,
  period: string,
  tally: MergeTally,
  opts: { replaceLine?: boolean; range?: RowRange } = {},
): Promise<void> {
  const k = sheet.type.mergeKey;
  const layout = sheet.type.name;
  const range = opts.range ?? ALL_ROWS;
  const args = [sheet.id, provider, layout, period, sheet.submissionId, range.from, range.to, sheet.receivedAt, LOB_CODES];
  // OTF_CORRECTIONS=replace-line: the earlier rows of every line this batch carries stop
  // counting first (reported as updated: they were replaced); this file's own rows stay
  const replaced = opts.replaceLine
    ? (await c.query<{ lob: string; prev: number; n: number }>(
      `with gone as (
         delete from current_rows c where c.provider_code = $2 and c.layout = $3 and c.period = $4 and c.submission_id <> $5
            and c.lob in (select distinct ${k.lob} from submission_rows r where r.sheet_id = $1 and r.accepted and r.row_number between $6 and $7)
         returning c.lob, c.submission_id)
       select lob, submission_id as prev, count(*)::int n from gone group by 1, 2`,
      args.slice(0, 7),
    )).rows
    : [];
  // Which earlier file each key came from is looked up only when the period has rows of other
  // files at all: a first file (the large case) is a plain insert.
  tally.earlier ??= (await c.query(
    `select 1 from current_rows where provider_code = $1 and layout = $2 and period = $3 and submission_id <> $4 limit 1`,
    [provider, layout, period, sheet.submissionId],
  )).rowCount! > 0;
  // (a key accepted once per file by the cross-row check, an RTF member: no sort for it)
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
  const r = await c.query<{ lob: string; prev: number | null; n: number }>(
    tally.earlier
      ? `/* merge ${layout} rows by key */ with src as materialized (${src}), prev as (
           select s.lob, c.submission_id as prev from src s
             left join current_rows c on c.provider_code = $2 and c.layout = $3 and c.period = $4 and c.lob = s.lob and c.row_key = s.k
         ), up as (${upsert} returning 1)
         select lob, prev, count(*)::int as n from prev group by lob, prev order by lob, prev nulls first`
      : `/* merge ${layout} rows by key (first file) */ with src as (${src}), up as (${
        // a key once per file and no other file has rows: nothing can conflict, and a plain
        // insert skips the speculative insertion of ON CONFLICT
        k.uniquePerFile ? upsert.slice(0, upsert.indexOf(' on conflict')) : upsert} returning lob)
         select lob, null::bigint as prev, count(*)::int as n from up group by lob`,
    args,
  );
  for (const x of [...replaced, ...r.rows]) {
    const m = tally.byLob.get(x.lob) ?? { lob: x.lob, updated: 0, updatedFrom: [], added: 0, kept: 0 };
    const prev = x.prev === null ? null : Number(x.prev);
    if (prev === null || prev === sheet.submissionId) m.added += x.n; // (or an earlier tab of the same file had the key)
    else {
      m.updated += x.n;
      const from = m.updatedFrom.find((f) => f.submissionId === prev);
      if (from) from.rows += x.n;
      else m.updatedFrom.push({ submissionId: prev, rows: x.n });
    }
    tally.byLob.set(x.lob, m);
  }
}

/** After the sheet's last batch: the earlier rows kept, and the lineage `submission show` reads. */
export async function finishMerge(c: pg.PoolClient, sheet: MergeSheet, provider: string, period: string, tally: MergeTally): Promise<MergeStats[]> {
  const byLob = tally.byLob;
  if (byLob.size) {
    const kept = await c.query<{ lob: string; n: number }>(
      `select lob, count(*)::int n from current_rows where provider_code = $1 and layout = $2 and period = $3 and lob = any($4) and submission_id <> $5 group by lob`,
      [provider, sheet.type.name, period, [...byLob.keys()], sheet.submissionId],
    );
    for (const x of kept.rows) byLob.get(x.lob)!.kept = x.n;
    // lineage: the sheet most of its updated rows came from; a sheet none of whose rows count
    // any more is replaced whole
    const from = [...byLob.values()].flatMap((m) => m.updatedFrom).sort((a, b) => b.rows - a.rows)[0];
    if (from) {
      await c.query(
        `update submission_sheets set supersedes_id = (select id from submission_sheets where submission_id = $2 and layout = $3 order by id desc limit 1) where id = $1`,
        [sheet.id, from.submissionId, sheet.type.name],
      );
      await c.query(
        `update submission_sheets s set superseded_by = $1
          where s.provider_code = $2 and s.layout = $3 and s.period = $4 and s.applied and s.superseded_by is null and s.submission_id <> $5
            and s.submission_id = any($6) and not exists (select 1 from current_rows c where c.sheet_id = s.id)`,
        [sheet.id, provider, sheet.type.name, period, sheet.submissionId, [...byLob.values()].flatMap((m) => m.updatedFrom.map((f) => f.submissionId))],
      );
    }
  }
  return [...byLob.values()].sort((a, b) => a.lob.localeCompare(b.lob));
}

/** The latest earlier applied sheet of the same type, period and a shared line: what a correction is compared with. */
export async function previousSheet(
  c: pg.PoolClient, provider: string, layout: string, period: string, lobs: readonly string[], exceptSubmission: number,
): Promise<{ sheetId: number; submissionId: number; name: string; receivedAt: Date } | null> {
  const r = await c.query<{ id: number; submission_id: number; original_name: string; received_at: Date }>(
    `select s.id, s.submission_id, u.original_name, u.received_at from submission_sheets s join submissions u on u.id = s.submission_id
      where s.provider_code = $1 and s.layout = $2 and s.period = $3 and s.applied and s.submission_id <> $4
        and (s.lobs = '{}' or s.lobs && $5::text[])
      order by u.received_at desc, s.id desc limit 1`,
    [provider, layout, period, exceptSubmission, lobs],
  );
  const p = r.rows[0];
  return p ? { sheetId: Number(p.id), submissionId: Number(p.submission_id), name: p.original_name, receivedAt: p.received_at } : null;
}

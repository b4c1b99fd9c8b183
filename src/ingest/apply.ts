// Corrections merge by business key (spec §6): after a sheet's rows are applied (its file
// type's apply statement, src/filetypes/<type>/apply.ts), each accepted row becomes the current
// row of its key. Set-based, inside the submission's transaction, batch by batch.
import type pg from 'pg';
import { LINES_OF_BUSINESS } from '../../schemas/codes.js';
import { ALL_ROWS, type FileTypeDefinition, type RowRange } from '../filetypes/types.js';
import { dropLinesCarried, mergeByKey, otherRowsByLine, periodHasOtherRows, recordSupersession, type MergeBatch } from '../repositories/current-rows.js';

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
  const batch: MergeBatch = {
    sheetId: sheet.id, provider, layout, period, submissionId: sheet.submissionId, from: range.from, to: range.to, receivedAt: sheet.receivedAt, lobs: LOB_CODES,
  };
  // OTF_CORRECTIONS=replace-line: the earlier rows of every line this batch carries stop
  // counting first (reported as updated: they were replaced); this file's own rows stay
  const replaced = opts.replaceLine ? await dropLinesCarried(c, k, batch) : [];
  // Which earlier file each key came from is looked up only when the period has rows of other
  // files at all: a first file (the large case) is a plain insert.
  tally.earlier ??= await periodHasOtherRows(c, provider, layout, period, sheet.submissionId, batch.lobs);
  const merged = await mergeByKey(c, k, batch, tally.earlier);
  for (const x of [...replaced, ...merged]) {
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
    for (const x of await otherRowsByLine(c, provider, sheet.type.name, period, [...byLob.keys()], sheet.submissionId)) byLob.get(x.lob)!.kept = x.n;
    // lineage: the sheet most of its updated rows came from; a sheet none of whose rows count
    // any more is replaced whole
    const from = [...byLob.values()].flatMap((m) => m.updatedFrom).sort((a, b) => b.rows - a.rows)[0];
    if (from) {
      await recordSupersession(c, {
        sheetId: sheet.id, provider, layout: sheet.type.name, period, submissionId: sheet.submissionId, fromSubmission: from.submissionId,
        updatedFrom: [...byLob.values()].flatMap((m) => m.updatedFrom.map((f) => f.submissionId)),
      });
    }
  }
  return [...byLob.values()].sort((a, b) => a.lob.localeCompare(b.lob));
}

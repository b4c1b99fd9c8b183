// Corrections merge by business key (spec §6): after a sheet's rows are applied (its file
// type's apply statement, src/filetypes/<type>/apply.ts), each accepted row becomes the current
// row of its key. Set-based, inside the submission's transaction, batch by batch.
import type pg from 'pg';
import { LOB_CODES } from '../../schemas/codes.js';
import { ALL_ROWS, type FileTypeDefinition, type RowRange } from '../filetypes/types.js';
import { dropLinesCarried, mergeByKey, otherRowsByLine, periodHasRows, recordSupersession, type MergeBatch } from '../repositories/current-rows.js';

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
   * Whether the period may hold keys of this sheet already: asked once per sheet (nothing else
   * writes the provider's rows meanwhile: the ingest holds the provider's lock), and true once a
   * batch of a type whose key may repeat in a file merged rows.
   */
  earlier?: boolean;
}
export const newTally = (): MergeTally => ({ byLob: new Map() });

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
  // Which earlier file each key came from is looked up only when the period has rows at all: a
  // first file (the large case) is a plain insert.
  tally.earlier ??= await periodHasRows(c, provider, layout, period, batch.lobs);
  const merged = await mergeByKey(c, k, batch, tally.earlier);
  // An attempt sent twice may fall in two batches: the later one must see that this file holds
  // the key already. A key once per file (an RTF member) cannot, and keeps the plain insert.
  if (!k.uniquePerFile && merged.length) tally.earlier = true;
  for (const x of [...replaced, ...merged]) {
    const m = tally.byLob.get(x.lob) ?? { lob: x.lob, updated: 0, updatedFrom: [], added: 0, kept: 0 };
    tally.byLob.set(x.lob, m);
    const prev = x.prev === null ? null : Number(x.prev);
    // an earlier batch or tab of this file counted the key already: the same row sent twice counts once
    if (prev === sheet.submissionId) continue;
    if (prev === null) m.added += x.n;
    else {
      m.updated += x.n;
      const from = m.updatedFrom.find((f) => f.submissionId === prev);
      if (from) from.rows += x.n;
      else m.updatedFrom.push({ submissionId: prev, rows: x.n });
    }
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

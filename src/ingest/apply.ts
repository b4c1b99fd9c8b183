// Corrections merge by business key (spec §6): after a sheet's rows are applied (its file
// type's apply statement, src/filetypes/<type>/apply.ts), each accepted row becomes the current
// row of its key. Set-based, inside the submission's transaction, batch by batch.
import type pg from 'pg';
import { LOB_CODES } from '../../schemas/codes.js';
import { ALL_ROWS, type FileTypeDefinition, type RowRange } from '../filetypes/types.js';
import { dropLinesCarried, linesHeldByLater, mergeByKey, otherRowsByLine, periodHasRows, recordSupersession, type MergeBatch } from '../repositories/current-rows.js';

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
  /**
   * OTF_CORRECTIONS=replace-line: earlier rows of a line this sheet carries whose key it did not
   * send again: they stop counting (withdrawn), per earlier submission.
   */
  withdrawn: number;
  withdrawnFrom: { submissionId: number; rows: number }[];
  /**
   * Keys this sheet carried that a file received after it already reports (a file answered out
   * of its receipt order): that file's rows stand, and these rows do not count.
   */
  heldByLater: number;
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
  /**
   * OTF_CORRECTIONS=replace-line: the lines a file received after this one replaced already
   * (their rows here do not count, and nothing of theirs is withdrawn); set once a batch merged.
   */
  replaceLine?: { heldLines: Set<string> };
}
export const newTally = (): MergeTally => ({ byLob: new Map() });

const statsOf = (tally: MergeTally, lob: string): MergeStats =>
  tally.byLob.get(lob) ?? tally.byLob.set(lob, { lob, updated: 0, updatedFrom: [], added: 0, kept: 0, withdrawn: 0, withdrawnFrom: [], heldByLater: 0 }).get(lob)!;

type MergeSheet = { id: number; type: Pick<FileTypeDefinition, 'name' | 'mergeKey'>; submissionId: number; receivedAt: Date };

/** The sheet's rows in `range`, in the lines of business a later file does not hold (replace-line). */
const batchOf = (sheet: MergeSheet, provider: string, period: string, range: RowRange, tally: MergeTally): MergeBatch => {
  const held = tally.replaceLine?.heldLines;
  return {
    sheetId: sheet.id, provider, layout: sheet.type.name, period, submissionId: sheet.submissionId, from: range.from, to: range.to, receivedAt: sheet.receivedAt,
    lobs: held?.size ? LOB_CODES.filter((l) => !held.has(l)) : LOB_CODES,
  };
};

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
  // OTF_CORRECTIONS=replace-line: a line a file received after this one replaced keeps that
  // file's list (this batch's rows of it do not count). The earlier rows of the other lines
  // this sheet carries are merged with as usual (a key sent again is updated) and withdrawn
  // once the sheet is read whole (finishMerge).
  if (opts.replaceLine) {
    const heldLines = (tally.replaceLine ??= { heldLines: new Set() }).heldLines;
    for (const h of await linesHeldByLater(c, k, batchOf(sheet, provider, period, range, tally))) {
      statsOf(tally, h.lob).heldByLater += h.n;
      heldLines.add(h.lob);
    }
  }
  const batch = batchOf(sheet, provider, period, range, tally);
  // Which earlier file each key came from is looked up only when the period has rows at all: a
  // first file (the large case) is a plain insert.
  tally.earlier ??= await periodHasRows(c, provider, layout, period, batch.lobs);
  const merged = await mergeByKey(c, k, batch, tally.earlier);
  // An attempt sent twice may fall in two batches: the later one must see that this file holds
  // the key already. A key once per file (an RTF member) cannot, and keeps the plain insert.
  if (!k.uniquePerFile && merged.length) tally.earlier = true;
  for (const x of merged) {
    const m = statsOf(tally, x.lob);
    const prev = x.prev === null ? null : Number(x.prev);
    if (!x.taken) m.heldByLater += x.n;
    // an earlier batch or tab of this file counted the key already: the same row sent twice counts once
    else if (prev === sheet.submissionId) continue;
    else if (prev === null) m.added += x.n;
    else {
      m.updated += x.n;
      addFrom(m.updatedFrom, prev, x.n);
    }
  }
}

function addFrom(list: { submissionId: number; rows: number }[], submissionId: number, rows: number): void {
  const from = list.find((f) => f.submissionId === submissionId);
  if (from) from.rows += rows;
  else list.push({ submissionId, rows });
}

/** After the sheet's last batch: the earlier rows kept, and the lineage `submission show` reads. */
export async function finishMerge(c: pg.PoolClient, sheet: MergeSheet, provider: string, period: string, tally: MergeTally): Promise<MergeStats[]> {
  const byLob = tally.byLob;
  if (tally.replaceLine) {
    for (const x of await dropLinesCarried(c, sheet.type.mergeKey, batchOf(sheet, provider, period, ALL_ROWS, tally))) {
      const m = statsOf(tally, x.lob);
      m.withdrawn += x.n;
      addFrom(m.withdrawnFrom, Number(x.prev), x.n);
    }
  }
  if (byLob.size) {
    for (const x of await otherRowsByLine(c, provider, sheet.type.name, period, [...byLob.keys()], sheet.submissionId)) byLob.get(x.lob)!.kept = x.n;
    // lineage: the sheet most of the rows it replaced (updated or withdrew) came from; a sheet
    // none of whose rows count any more is replaced whole
    const replaced = [...byLob.values()].flatMap((m) => [...m.updatedFrom, ...m.withdrawnFrom]);
    const from = [...replaced].sort((a, b) => b.rows - a.rows)[0];
    if (from) {
      await recordSupersession(c, {
        sheetId: sheet.id, provider, layout: sheet.type.name, period, submissionId: sheet.submissionId, fromSubmission: from.submissionId,
        updatedFrom: replaced.map((f) => f.submissionId),
      });
    }
  }
  return [...byLob.values()].sort((a, b) => a.lob.localeCompare(b.lob));
}

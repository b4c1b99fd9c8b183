// An upstream extract whose rows apply in an order of their own (approved referrals: approval
// order, then row order) is staged here as it is read, a batch at a time, and read back in that
// order, a batch at a time: the import holds no more than a batch of the file's rows, however large
// the file, where it held them all to sort them (src/import/upstream.ts).
//
// The table is the import transaction's own (temporary, dropped at its end: commit or rollback),
// so nothing of it outlives the import or is seen by another session.
import type pg from 'pg';
import { copyIn, copyLine } from '../db/copy.js';

/** A valid row of the file: its row number, the key it applies in the order of, and its parsed fields. */
export interface StagedRow {
  row: number;
  key: string;
  data: Record<string, unknown>;
}

const TABLE = 'upstream_staged_rows';
const CURSOR = 'upstream_staged_in_order';

/** The transaction's staging table, empty. Once per import: the table is dropped when the transaction ends. */
export async function openUpstreamStaging(c: pg.PoolClient): Promise<void> {
  // (key collate "C": compared byte by byte, as the applier's order key is meant: ISO dates sort as days)
  await c.query(`create temporary table ${TABLE} (row int not null, key text collate "C" not null, data json not null) on commit drop`);
}

/** A batch of rows added to the staging table (one COPY). */
export async function stageUpstreamRows(c: pg.PoolClient, rows: readonly StagedRow[]): Promise<void> {
  if (!rows.length) return;
  let text = '';
  for (const r of rows) text += `${copyLine([r.row, r.key, JSON.stringify(r.data)])}\n`;
  await copyIn(c, `copy ${TABLE} (row, key, data) from stdin`, Buffer.from(text, 'utf8'));
}

/**
 * The staged rows in key order, then row order, `batch` at a time (a cursor of the transaction:
 * Postgres sorts them, spilling to disk as it needs, never this process). The consumer may write
 * between batches on the same client (savepoints included): the cursor was opened before them.
 */
export async function* stagedUpstreamRows(c: pg.PoolClient, batch: number): AsyncGenerator<StagedRow[]> {
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`batch must be a positive whole number: ${batch}`);
  await c.query(`declare ${CURSOR} no scroll cursor for select row, key, data from ${TABLE} order by key, row`);
  for (;;) {
    const r = await c.query<StagedRow>(`fetch forward ${batch} from ${CURSOR}`);
    if (!r.rows.length) break;
    yield r.rows;
  }
  // (an import that stops early leaves it open: the cursor closes with the transaction)
  await c.query(`close ${CURSOR}`);
}

// A correction merged by key (spec §6): a provider sends its whole RTF again before the 10th, and
// each batch of its rows takes the keys the first file's rows held. The batch's statements run
// under lookupPlans (no hash or merge join: src/repositories/submission-store.ts), so every join
// in them must be a look-up by key. The merge's count of what each key replaced joined two of its
// own CTEs (the keys' earlier rows and the upsert's output), which nothing indexes: a nested loop
// of every key against every key, 25M comparisons a batch of 5,000, and a 100k-row correction
// took 90 s to ingest where the first file took 7 (69 s of it in the merge). Here the merge's
// plan reads each key a bounded number of times, whatever the batch's size, and its counts are
// right. EXPLAIN ANALYZE row counts, never timings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RTF } from '../../schemas/rtf.js';
import { RTF_MERGE_KEY } from '../../src/filetypes/rtf/apply.js';
import { OTF_MERGE_KEY } from '../../src/filetypes/otf/apply.js';
import { OTF } from '../../schemas/otf.js';
import { linesHeldByLater, mergeByKey, type MergeBatch } from '../../src/repositories/current-rows.js';
import { stagedKeys } from '../../src/repositories/staged-columns.js';
import { stagingLine } from '../../src/ingest/pipeline.js';
import { StagingBuffer } from '../../src/ingest/staging-buffer.js';
import { stageRows } from '../../src/repositories/submission-store.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { explainBatch, inRolledBackBatch, nodes, rowsExamined, type PlanNode } from '../helpers/explain.js';

const ROWS = 3000;
const cin = (i: number) => `${String(10_000_000 + i).padStart(8, '0')}A`;
let db: TestDb;
/** Sheet ids: the first file's and the correction's, per layout. */
const sheets: Record<string, { first: number; correction: number; submission: number }> = {};
const RECEIVED = { first: new Date('2026-12-02T18:00:00Z'), correction: new Date('2026-12-04T18:00:00Z') };

beforeAll(async () => {
  db = await createTestDb();
  const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
  await q(`insert into providers (provider_code, npi, tin, name, sftp_folder) values ('BIGECM', '1234567893', '123456789', 'Big ECM', 'BIGECM')`);
  await q(`insert into file_blobs (sha256, size, bytes) select repeat('a', 63) || i, 1, '\\x00' from generate_series(0, 3) i`);
  // current_rows' statistics say it is empty (vacuumed so, as a new database's is), and stay so
  // until the tests below analyze it: a correction may come minutes after the first file, before
  // autovacuum has looked at the rows that file added
  await q('alter table current_rows set (autovacuum_enabled = off)');
  await q('vacuum analyze current_rows');
  const c = await db.pool.connect();
  try {
    let blob = 0;
    for (const [layout, keys, values] of [
      ['RTF', stagedKeys(RTF), (i: number) => ({ mcpId: 'HN', cin: cin(i), ecmStatus: '2' })],
      ['OTF', stagedKeys(OTF), (i: number) => ({ mcpId: 'HN', cin: cin(i), attemptDate: '2026-11-04', method: 1 })],
    ] as const) {
      const ids: number[] = [];
      for (const which of ['first', 'correction'] as const) {
        const s = await q(`insert into submissions (provider_code, original_name, sha256, size, received_at, period, source)
                           values ('BIGECM', $1, repeat('a', 63) || $2, 1, $3, date '2026-11-01', 'cli') returning id`,
        [`${layout}_BIGECM_202611_${which}.xlsx`, blob++, RECEIVED[which]]);
        const sheet = await q(`insert into submission_sheets (submission_id, sheet_name, layout, provider_code, period, columns)
                               values ($1, $2, $2, 'BIGECM', date '2026-11-01', $3) returning id`, [s.rows[0].id, layout, keys]);
        ids.push(Number(sheet.rows[0].id), Number(s.rows[0].id));
        const buf = new StagingBuffer();
        for (let i = 0; i < ROWS; i++) buf.add(stagingLine(ids.at(-2)!, keys, { rowNumber: i + 2, cin: cin(i), accepted: true, values: values(i) }));
        await stageRows(c, buf.take()!);
      }
      sheets[layout] = { first: ids[0]!, correction: ids[2]!, submission: ids[3]! };
      // the first file's rows count
      await q(`insert into current_rows (provider_code, layout, lob, period, row_key, sheet_id, row_number, submission_id, received_at)
               select 'BIGECM', $2, 'HN', date '2026-11-01', ${layout === 'RTF' ? RTF_MERGE_KEY.key : OTF_MERGE_KEY.key}, r.sheet_id, r.row_number, $3, $4
                 from submission_rows r where r.sheet_id = $1`, [ids[0], layout, ids[1], RECEIVED.first]);
    }
  } finally {
    c.release();
  }
  await q('analyze submission_rows');
}, 120_000);
afterAll(async () => db?.drop());

/** The correction's batch of every row (earlier rows in the period). */
const correctionBatch = (layout: 'RTF' | 'OTF'): MergeBatch => {
  const s = sheets[layout]!;
  return { sheetId: s.correction, provider: 'BIGECM', layout, period: '2026-11-01', submissionId: s.submission, from: 2, to: ROWS + 1, receivedAt: RECEIVED.correction, lobs: ['HN', 'CV', 'CHPIV'] };
};

/** What `run` returns, and the plan of the statement it sends, each run as a batch, rolled back. */
async function explained<T>(run: (c: import('pg').PoolClient) => Promise<T>): Promise<{ plan: PlanNode; value: T }> {
  const plans = await explainBatch(db.pool, run);
  return { plan: plans.at(-1)!.plan, value: await inRolledBackBatch(db.pool, run) };
}

const mergeCorrection = (layout: 'RTF' | 'OTF') =>
  explained((c) => mergeByKey(c, layout === 'RTF' ? RTF_MERGE_KEY : OTF_MERGE_KEY, correctionBatch(layout), true)).then((x) => ({ plan: x.plan, counts: x.value }));

for (const stats of ['before', 'after'] as const) {
  describe(`a correction merged by key, batch by batch, ${stats} the first file's rows are analyzed`, () => {
    beforeAll(async () => {
      if (stats === 'after') await db.pool.query('analyze current_rows');
    });

    for (const layout of ['RTF', 'OTF'] as const) {
      it(`${layout}: every key of the batch replaces the first file's row, counted once`, async () => {
        const { counts } = await mergeCorrection(layout);
        expect(counts).toEqual([{ lob: 'HN', prev: sheets[layout]!.submission - 1, taken: true, n: ROWS }]);
      });

      it(`${layout}: the plan reads each key a bounded number of times, not every key for every key`, async () => {
        const { plan } = await mergeCorrection(layout);
        // (the quadratic plans examined ROWS x ROWS = 9M rows; a look-up per key, a few per key)
        expect(rowsExamined(nodes(plan))).toBeLessThanOrEqual(20 * ROWS);
      });
    }

    it('OTF_CORRECTIONS=replace-line: which lines a later file holds is asked per line, not by every row of the batch of every row of the line', async () => {
      const { plan, value } = await explained((c) => linesHeldByLater(c, OTF_MERGE_KEY, correctionBatch('OTF')));
      expect(value).toEqual([]);
      expect(rowsExamined(nodes(plan))).toBeLessThanOrEqual(20 * ROWS);
    });
  });
}

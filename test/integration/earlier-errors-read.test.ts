// earlierSheetErrors (src/repositories/submission-store.ts): once a correction is read, which of
// the earlier file's errors it sent the member of again (the response's "fixed" and "still
// missing" counts). It runs in the file's transaction, after the last batch, with statistics of
// submission_rows from before both files (a correction minutes after the first file): the
// earlier errors joined to the new sheet's CINs were planned as a nested loop, every error against
// every row of the new sheet, 15 s for 1,500 errors and 100k rows (bench case B2). Here it reads
// the new sheet's rows once: at most a few rows examined per row and per error, whatever the
// statistics. EXPLAIN ANALYZE row counts, never timings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RTF } from '../../schemas/rtf.js';
import { stagingLine } from '../../src/ingest/pipeline.js';
import { StagingBuffer } from '../../src/ingest/staging-buffer.js';
import { earlierSheetErrors } from '../../src/repositories/submission-store.js';
import { stagedKeys } from '../../src/repositories/staged-columns.js';
import { stageRows } from '../../src/repositories/submission-store.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { explainingClient, nodes, rowsExamined } from '../helpers/explain.js';

const ROWS = 20_000;
const ERRORS = 1000;
const cin = (i: number) => `${String(10_000_000 + i).padStart(8, '0')}A`;
let db: TestDb;
const sheet = { old: 0, new: 0 };

beforeAll(async () => {
  db = await createTestDb();
  const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
  for (const t of ['submission_rows', 'submission_issues']) await q(`alter table ${t} set (autovacuum_enabled = off)`);
  await q('vacuum analyze submission_rows, submission_issues');
  await q(`insert into providers (provider_code, npi, tin, name, sftp_folder) values ('BIGECM', '1234567893', '123456789', 'Big ECM', 'BIGECM')`);
  await q(`insert into file_blobs (sha256, size, bytes) select repeat('a', 63) || i, 1, '\\x00' from generate_series(0, 1) i`);
  const keys = stagedKeys(RTF);
  const c = await db.pool.connect();
  try {
    for (const which of ['old', 'new'] as const) {
      const s = await c.query(`insert into submissions (provider_code, original_name, sha256, size, received_at, period, source)
                               values ('BIGECM', $1, repeat('a', 63) || $2, 1, now(), date '2026-11-01', 'cli') returning id`, [`RTF_BIGECM_202611_${which}.xlsx`, which === 'old' ? 0 : 1]);
      sheet[which] = Number((await c.query(`insert into submission_sheets (submission_id, sheet_name, layout, provider_code, period, columns)
                                            values ($1, 'RTF', 'RTF', 'BIGECM', date '2026-11-01', $2) returning id`, [s.rows[0].id, keys])).rows[0].id);
      const buf = new StagingBuffer();
      for (let i = 0; i < ROWS; i++) buf.add(stagingLine(sheet[which], keys, { rowNumber: i + 2, cin: cin(i), accepted: which === 'new' || i >= ERRORS, values: { mcpId: 'HN', cin: cin(i) } }));
      await stageRows(c, buf.take()!);
      // the first file's errors: one a row for its first ERRORS members (the correction leaves out every other one), and one of the sheet's own
      if (which === 'old')
        await c.query(`insert into submission_issues (submission_id, sheet_name, row_number, column_label, code, severity, cin, message)
                       select $1::bigint, 'RTF', g + 2, 'Phone', 'PHONE_INVALID', 'error', lpad((10000000 + g)::text, 8, '0') || 'A', 'x' from generate_series(0, ${ERRORS - 1}) g
                       union all select $1::bigint, 'RTF', null, null, 'MISSING_COLUMN', 'error', null, 'x'`, [s.rows[0].id]);
    }
    // the correction sends every other member of the errors again
    await c.query(`delete from submission_rows where sheet_id = $1 and row_number - 2 < ${ERRORS} and (row_number - 2) % 2 = 1`, [sheet.new]);
  } finally {
    c.release();
  }
}, 120_000);
afterAll(async () => db?.drop());

describe('the earlier file\'s errors a correction sent again', () => {
  it('are each marked resent or not', async () => {
    const c = await db.pool.connect();
    try {
      const errors = await earlierSheetErrors(c, sheet.old, sheet.new);
      expect(errors).toHaveLength(ERRORS + 1);
      expect(errors.filter((e) => e.resent)).toHaveLength(ERRORS / 2 + 1);
      expect(errors.find((e) => e.code === 'MISSING_COLUMN')?.resent).toBe(true);
      expect(errors.find((e) => e.cin === cin(1))?.resent).toBe(false);
      expect(errors.find((e) => e.cin === cin(2))?.resent).toBe(true);
    } finally {
      c.release();
    }
  });

  it(`read with statistics from before both sheets: the new sheet's ${ROWS} rows once, not once per error`, async () => {
    const c = await db.pool.connect();
    // every statement explained as it runs, and run (read-only) for the next one's input
    const { client, plans } = explainingClient(c, { rows: true });
    try {
      await earlierSheetErrors(client, sheet.old, sheet.new);
    } finally {
      c.release();
    }
    expect(plans.length).toBeGreaterThan(0);
    // (the nested loop examined ERRORS x ROWS = 20M rows)
    expect(plans.reduce((s, p) => s + rowsExamined(nodes(p.plan)), 0)).toBeLessThanOrEqual(5 * (ROWS + ERRORS));
  });
});

// The plans of a batch's apply statements in a database shaped like production's: 100k members
// assigned to one provider, and submission_rows with statistics (any database that has taken a
// file). A batch names 2,000 members by key; Postgres must look them up, not read every member
// and assignment for each batch. With its default random_page_cost (4, a disk seek) it priced the
// 2,000 index look-ups above a whole-table scan and hash join: RTF apply at 100k rows took
// 4.9-7.4 s instead of 2.5 s (and, on a plan with millions of members, each batch would read them
// all). The statements of every batch are held to look-ups (no hash or merge join): the staging
// of a file (src/ingest/sheet-writer.ts) runs each batch's apply and merge under lookupPlans.
// The merge's first question (has the period rows already?) is asked of current_rows
// by its key too: a provider's first file of a month must not read every row it counted before.
// (The test applies a batch of the sheet the statistics were taken on, as the estimates of a
// production database make it: a sheet staged in the test itself would be estimated at one row.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RTF } from '../../schemas/rtf.js';
import { applyRtf } from '../../src/filetypes/rtf/apply.js';
import { stagedKeys } from '../../src/repositories/staged-columns.js';
import { stagingLine } from '../../src/ingest/pipeline.js';
import { StagingBuffer } from '../../src/ingest/staging-buffer.js';
import { LINES_OF_BUSINESS } from '../../schemas/codes.js';
import { periodHasRows } from '../../src/repositories/current-rows.js';
import { begin, commit, lookupPlans, stageRows } from '../../src/repositories/submission-store.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { inRolledBackBatch } from '../helpers/explain.js';

const MEMBERS = 100_000;
const LOBS = Object.keys(LINES_OF_BUSINESS);
const BATCH = 2000;
const cin = (i: number) => `${String(10_000_000 + i).padStart(8, '0')}A`;

let db: TestDb;
let sheetId: number;
beforeAll(async () => {
  db = await createTestDb();
  const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
  await q(`insert into providers (provider_code, npi, tin, name, phone, contact_email, liaison_email, sftp_folder)
           values ('BIGECM', '1234567893', '123456789', 'Big ECM', '5555550100', 'big@provider.example', 'liaison@plan.example', 'BIGECM')`);
  await q(`insert into provider_contracts (provider_code, lob, program) values ('BIGECM', 'HN', 'ECM')`);
  await q(`insert into members (cin, last_name, first_name, dob)
           select (10000000 + g)::text || 'A', 'Member', 'Test', date '1980-01-01' from generate_series(0, $1 - 1) g`, [MEMBERS]);
  await q(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date)
           select (10000000 + g)::text || 'A', 'HN', 'BIGECM', 2, date '2026-10-01' from generate_series(0, $1 - 1) g`, [MEMBERS]);
  await q(`insert into file_blobs (sha256, size, bytes) values (repeat('a', 64), 1, '\\x00')`);
  const s = await q(`insert into submissions (provider_code, original_name, sha256, size, received_at, period, source)
                     values ('BIGECM', 'RTF_BIGECM_202611.xlsx', repeat('a', 64), 1, now(), date '2026-11-01', 'cli') returning id`);
  const sheet = await q(`insert into submission_sheets (submission_id, sheet_name, layout, provider_code, period, columns)
                         values ($1, 'RTF', 'RTF', 'BIGECM', date '2026-11-01', $2) returning id`, [s.rows[0].id, stagedKeys(RTF)]);
  sheetId = Number(sheet.rows[0].id);
  // the file's rows, staged as the ingest stages them: every member once, in batches
  const keys = stagedKeys(RTF);
  const c = await db.pool.connect();
  try {
    const buf = new StagingBuffer();
    for (let i = 0; i < MEMBERS; i++) {
      buf.add(stagingLine(sheetId, keys, {
        rowNumber: i + 2, cin: cin(i), accepted: true,
        values: { mcpId: 'HN', cin: cin(i), lastName: 'Member', firstName: 'Test', homeless: false, ecmStatus: '2', acuity: 'Low', inPerson: 0, telephonic: 1 },
      }));
      if (buf.rows === BATCH) await stageRows(c, buf.take()!);
    }
  } finally {
    c.release();
  }
  // last month's file counts: each member is a current row of the period before
  await q(`insert into current_rows (provider_code, layout, lob, period, row_key, sheet_id, row_number, submission_id, received_at)
           select 'BIGECM', 'RTF', 'HN', date '2026-10-01', r.cin, r.sheet_id, r.row_number, $2, now() from submission_rows r where r.sheet_id = $1`,
  [sheetId, s.rows[0].id]);
  // as in production: every table the statements read has statistics
  await q('analyze members, ecm_assignments, submission_rows, current_rows');
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

describe('a batch applied in the submission\'s transaction', () => {
  it('looks its members and assignments up by key: no scan of either table', async () => {
    await inRolledBackBatch(db.pool, async (c) => {
      const applied = await applyRtf(c, sheetId, 'BIGECM', { from: 2 + BATCH, to: 1 + 2 * BATCH });
      expect(applied).toBe(BATCH);
      const scans = await c.query<{ relname: string; seq_scan: number }>(
        `select relname, seq_scan::int from pg_stat_xact_user_tables where relname in ('members', 'ecm_assignments') order by relname`,
      );
      expect(scans.rows).toEqual([{ relname: 'ecm_assignments', seq_scan: 0 }, { relname: 'members', seq_scan: 0 }]);
    });
  }, 60_000);

  it('asks whether the period has rows of other files by key, whatever the provider has counted before', async () => {
    await inRolledBackBatch(db.pool, async (c) => {
      // the first file of a period (the large case): nothing of the period counts yet, while
      // every earlier period's rows do; a scan would read them all to say so
      expect(await periodHasRows(c, 'BIGECM', 'RTF', '2026-11-01', LOBS)).toBe(false);
      expect(await periodHasRows(c, 'BIGECM', 'OTF', '2026-10-01', LOBS)).toBe(false);
      const scans = await c.query<{ seq_scan: number }>(`select seq_scan::int from pg_stat_xact_user_tables where relname = 'current_rows'`);
      expect(scans.rows).toEqual([{ seq_scan: 0 }]);
      expect(await periodHasRows(c, 'BIGECM', 'RTF', '2026-10-01', LOBS)).toBe(true);
    });
  }, 60_000);

  // (last: it commits, where the tests above roll back)
  it('rewrites each assignment in place, the first month and the next: no new index entries, no page moves', async () => {
    // A provider's whole RTF rewrites all its members' assignments in one transaction, and a
    // page's old versions cannot be pruned until it commits: an update stays on its page (a HOT
    // update, with no entry in any index) only if the page kept room for a new version of every
    // row on it, and no indexed column changed. Every member's status changes here.
    const c = await db.pool.connect();
    const range = { from: 2 + 3 * BATCH, to: 1 + 4 * BATCH };
    const month = async (): Promise<{ updated: number; inPlace: number }> => {
      // (the view also counts what earlier transactions of the session have not yet reported)
      const counts = async () => (await c.query<{ updated: number; inPlace: number }>(
        `select n_tup_upd::int updated, n_tup_hot_upd::int "inPlace" from pg_stat_xact_user_tables where relname = 'ecm_assignments'`,
      )).rows[0]!;
      await begin(c);
      await lookupPlans(c);
      const before = await counts();
      expect(await applyRtf(c, sheetId, 'BIGECM', range)).toBe(BATCH);
      const after = await counts();
      await commit(c);
      return { updated: after.updated - before.updated, inPlace: after.inPlace - before.inPlace };
    };
    try {
      await c.query(`update ecm_assignments set status = 1 where provider_code = 'BIGECM'`);
      // (a month on, autovacuum has cleared the dead versions the set-up left)
      await c.query('vacuum ecm_assignments');
      expect(await month()).toEqual({ updated: BATCH, inPlace: BATCH });
      await c.query(`update ecm_assignments set status = 1 where cin between $1 and $2`, [cin(3 * BATCH), cin(4 * BATCH - 1)]);
      await c.query('vacuum ecm_assignments');
      expect(await month()).toEqual({ updated: BATCH, inPlace: BATCH });
    } finally {
      c.release();
    }
  }, 60_000);
});

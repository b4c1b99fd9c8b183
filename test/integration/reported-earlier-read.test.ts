// reportedEarlier (src/repositories/submission-store.ts): at the end of every RTF's read, which of
// the enrolled members the file left out an earlier file of the period reported (they count:
// corrections merge). It runs inside the file's transaction, after its last batch, so it is on
// every ingest's critical path; it must read the rows of the members it asks about, not every
// row the provider has for the period. EXPLAIN ANALYZE row counts, never timings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportedEarlier } from '../../src/repositories/submission-store.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { explainRead, nodes, rowsExamined } from '../helpers/explain.js';

let db: TestDb;
const ROWS = 20000;
const cin = (g: number) => `${String(g).padStart(8, '0')}A`;

beforeAll(async () => {
  db = await createTestDb();
  await db.pool.query(`insert into providers (provider_code, npi, tin, name, sftp_folder) values ('BIGECM', '1234567893', '123456789', 'Big ECM', 'BIGECM')`);
  // BIGECM's November RTF rows that count: its earlier file (submission 1) in two lines, and the
  // file being read (submission 2)
  await db.pool.query(
    `insert into current_rows (provider_code, layout, lob, period, row_key, sheet_id, row_number, submission_id, received_at)
     select 'BIGECM', 'RTF', case when g % 2 = 0 then 'HN' else 'CV' end, date '2026-11-01', lpad(g::text, 8, '0') || 'A',
            case when g <= ${ROWS} - 100 then 1 else 2 end, g + 1, case when g <= ${ROWS} - 100 then 1 else 2 end, timestamptz '2026-12-03 18:00Z'
       from generate_series(1, ${ROWS}) g`);
  await db.pool.query('analyze current_rows');
});
afterAll(async () => db?.drop());

describe('reportedEarlier', () => {
  const asked = [cin(7), cin(8), cin(ROWS - 5), '99999999Z'];

  it('names the asked members an earlier file reported, in their line', async () => {
    const c = await db.pool.connect();
    try {
      expect([...(await reportedEarlier(c, 'BIGECM', 'RTF', '2026-11-01', asked, 2))].sort()).toEqual([`${cin(7)}|CV`, `${cin(8)}|HN`]);
    } finally {
      c.release();
    }
  });

  it(`reads the rows of the members asked about, not the provider's ${ROWS} rows of the period`, async () => {
    const plan = await explainRead(db.pool, (p) => reportedEarlier(p as never, 'BIGECM', 'RTF', '2026-11-01', asked, 2));
    const rows = nodes(plan!).filter((n) => n['Relation Name'] === 'current_rows' || n['Node Type'].startsWith('Index'));
    expect(rows.length).toBeGreaterThan(0);
    expect(rowsExamined(rows)).toBeLessThanOrEqual(asked.length * 3);
  });
});

// A batch's apply statements in a database whose statistics predate its rows: the extracts
// loaded the plan's members and assignments minutes ago (a new plan, a new provider's caseload)
// and autovacuum has not yet looked at them, and the provider's first file comes in. The batch's
// statements run under lookupPlans (no hash or merge join: src/repositories/submission-store.ts),
// so each must look the batch's members up by key; a plan that reads a table once and compares
// every row of the batch with every row of it (the merge by key did, until d99c0be: 9M rows for
// 3,000 keys) is quadratic in the file. Here every statement of each file type's apply, run on a
// batch of BATCH rows against MEMBERS members, examines at most a few rows per row of the batch.
// EXPLAIN ANALYZE row counts, never timings.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSPRTF } from '../../schemas/csprtf.js';
import { OTF } from '../../schemas/otf.js';
import { RTF } from '../../schemas/rtf.js';
import { applyCsprtf } from '../../src/filetypes/csprtf/apply.js';
import { applyOtf } from '../../src/filetypes/otf/apply.js';
import { applyRtf } from '../../src/filetypes/rtf/apply.js';
import { stagingLine } from '../../src/ingest/pipeline.js';
import { StagingBuffer } from '../../src/ingest/staging-buffer.js';
import { stagedKeys } from '../../src/repositories/staged-columns.js';
import { stageRows } from '../../src/repositories/submission-store.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { explainBatch, nodes, rowsExamined } from '../helpers/explain.js';

const MEMBERS = 10_000;
const BATCH = 1000;
const cin = (i: number) => `${String(10_000_000 + i).padStart(8, '0')}A`;
const TABLES = ['members', 'ecm_assignments', 'cs_authorizations', 'cs_engagements', 'outreach_attempts', 'outbound_files', 'outbound_file_rows', 'submission_rows', 'submission_sheets', 'submissions', 'current_rows'];

let db: TestDb;
const sheetIds: Record<string, number> = {};

beforeAll(async () => {
  db = await createTestDb();
  const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
  // statistics of empty tables, kept: no autovacuum until the tests end
  for (const t of TABLES) await q(`alter table ${t} set (autovacuum_enabled = off)`);
  await q(`vacuum analyze ${TABLES.join(', ')}`);
  for (const [code, program] of [['BIGECM', 'ECM'], ['BIGCS', 'CS']] as const) {
    await q(`insert into providers (provider_code, npi, tin, name, sftp_folder) values ($1, '1234567893', '123456789', $1, $1)`, [code]);
    await q(`insert into provider_contracts (provider_code, lob, program) values ($1, 'HN', $2)`, [code, program]);
  }
  await q(`insert into members (cin, last_name, first_name, dob, homeless) select (10000000 + g)::text || 'A', 'Member', 'Test', date '1980-01-01', false from generate_series(0, $1 - 1) g`, [MEMBERS]);
  await q(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) select (10000000 + g)::text || 'A', 'HN', 'BIGECM', 2, date '2026-10-01' from generate_series(0, $1 - 1) g`, [MEMBERS]);
  await q(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_start, auth_end)
           select (10000000 + g)::text || 'A', 'HTN', 'BIGCS', 'HN', 'AUTHORIZED', 'Approved', date '2026-10-01', date '2027-03-31' from generate_series(0, $1 - 1) g`, [MEMBERS]);
  await q(`insert into file_blobs (sha256, size, bytes) select repeat('a', 63) || i, 1, '\\x00' from generate_series(0, 2) i`);
  const c = await db.pool.connect();
  try {
    for (const [i, [layout, keys, provider, values]] of ([
      ['RTF', stagedKeys(RTF), 'BIGECM', (k: number) => ({ mcpId: 'HN', cin: cin(k), lastName: 'Member', firstName: 'Test', newAddress: k % 10 === 3, address: '1 Main St', city: 'Fresno', state: 'CA', zip: '93721', homeless: k % 7 === 0, ecmStatus: '2', acuity: 'Low' })],
      ['OTF', stagedKeys(OTF), 'BIGECM', (k: number) => ({ mcpId: 'HN', cin: cin(k), attemptDate: '2026-11-04', method: 1, successful: true, minutes: 10, providerType: 1 })],
      ['CSPRTF', stagedKeys(CSPRTF), 'BIGCS', (k: number) => ({ mcpId: 'HN', cin: cin(k), serviceCode: 'HTN', authNumber: `A-${k}`, engagementStatus: k % 2 === 0 ? '4' : '3', discontinuationReasonCode: k % 2 === 0 ? 'SC' : undefined })],
    ] as const).entries()) {
      const s = await c.query(`insert into submissions (provider_code, original_name, sha256, size, received_at, period, source)
                               values ($1, $2, repeat('a', 63) || $3, 1, '2026-12-03T18:00:00Z', date '2026-11-01', 'cli') returning id`, [provider, `${layout}_${provider}_202611.xlsx`, i]);
      const sheet = await c.query(`insert into submission_sheets (submission_id, sheet_name, layout, provider_code, period, columns)
                                   values ($1, $2, $2, $3, date '2026-11-01', $4) returning id`, [s.rows[0].id, layout, provider, keys]);
      sheetIds[layout] = Number(sheet.rows[0].id);
      const buf = new StagingBuffer();
      for (let k = 0; k < MEMBERS; k++) buf.add(stagingLine(sheetIds[layout]!, keys, { rowNumber: k + 2, cin: cin(k), accepted: true, values: values(k) as never }));
      await stageRows(c, buf.take()!);
    }
  } finally {
    c.release();
  }
}, 120_000);
afterAll(async () => db?.drop());

describe(`a batch of ${BATCH} rows applied while the statistics predate the ${MEMBERS} members`, () => {
  const range = { from: 2 + BATCH, to: 1 + 2 * BATCH };
  for (const [layout, apply] of [
    ['RTF', (c: pg.PoolClient) => applyRtf(c, sheetIds.RTF!, 'BIGECM', range)],
    ['OTF', (c: pg.PoolClient) => applyOtf(c, sheetIds.OTF!, 'BIGECM', range)],
    ['CSPRTF', (c: pg.PoolClient) => applyCsprtf(c, sheetIds.CSPRTF!, 'BIGCS', range)],
  ] as const) {
    it(`${layout}: each statement looks the batch's members up, never every member for every row`, async () => {
      const plans = await explainBatch(db.pool, apply);
      expect(plans.length).toBeGreaterThan(0);
      // (a quadratic plan examines BATCH x MEMBERS = 10M rows)
      expect(plans.map((p) => ({ sql: p.sql, examined: rowsExamined(nodes(p.plan)) })).filter((p) => p.examined > 30 * BATCH)).toEqual([]);
    });
  }
});

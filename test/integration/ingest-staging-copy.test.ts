// The staged rows reach Postgres through COPY (text format): what the validator produced is what
// the table holds, whatever a provider typed (quotes, backslashes, tabs, newlines, non-ASCII).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagingLine } from '../../src/ingest/pipeline.js';
import { StagingBuffer } from '../../src/ingest/staging-buffer.js';
import { stageRows } from '../../src/repositories/submission-store.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.drop();
});

describe('stageRows (COPY)', () => {
  it('stores every field as validated, and a second batch from the other buffer as well', async () => {
    const c = await db.pool.connect();
    try {
      // the real table's columns and types, without the submission and sheet it would belong to
      await c.query('drop table if exists pg_temp.submission_rows; create temp table submission_rows (like public.submission_rows including all)');
      const keys = ['cin', 'lastName', 'pof', 'homeless', 'serviceCode'];
      const tricky = 'O"Brien \\N \\ \t\n\r José 😀 \u2028';
      const b = new StagingBuffer(16);
      b.add(stagingLine(5, keys, { rowNumber: 1, cin: '91000001A', accepted: true, values: { cin: '91000001A', lastName: tricky, pof: ['A', 'B'], homeless: true, serviceCode: 'X\\\t' } }));
      b.add(stagingLine(5, keys, { rowNumber: 2, cin: undefined, accepted: false, values: {} }));
      await stageRows(c, b.take()!);
      b.add(stagingLine(5, keys, { rowNumber: 3, cin: '91000003C', accepted: true, values: { lastName: '\\N' } }));
      await stageRows(c, b.take()!);
      const r = await c.query('select sheet_id::int, row_number, cin, service_code, accepted, data from submission_rows order by row_number');
      expect(r.rows).toEqual([
        { sheet_id: 5, row_number: 1, cin: '91000001A', service_code: 'X\\\t', accepted: true, data: ['91000001A', tricky, ['A', 'B'], true, 'X\\\t'] },
        { sheet_id: 5, row_number: 2, cin: null, service_code: null, accepted: false, data: [null, null, null, null, null] },
        { sheet_id: 5, row_number: 3, cin: '91000003C', service_code: null, accepted: true, data: [null, '\\N', null, null, null] },
      ]);
    } finally {
      c.release();
    }
  });

  it('a COPY that fails rejects with the database error, and the client stays usable', async () => {
    const c = await db.pool.connect();
    try {
      await c.query('drop table if exists pg_temp.submission_rows; create temp table submission_rows (like public.submission_rows including all)');
      const b = new StagingBuffer();
      b.add(stagingLine(5, ['cin'], { rowNumber: 1, cin: undefined, accepted: true, values: {} }));
      b.add(stagingLine(5, ['cin'], { rowNumber: 1, cin: undefined, accepted: true, values: {} }));
      await expect(stageRows(c, b.take()!)).rejects.toThrow(/duplicate key/);
      expect((await c.query('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      c.release();
    }
  });
});

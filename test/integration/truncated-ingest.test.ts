// A provider's upload whose worksheet part was cut short (zipped again: a valid zip) through the
// real inbound pipeline (ingestFile, one transaction, real Postgres): rejected FILE_CORRUPT with
// nothing applied, where the valid row before the cut was applied and the file answered
// PARTIALLY_ACCEPTED. The cut is only found at the part's end, after the rows before it were
// read: this is the check that none of them is kept.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { member, rtfValues, rtfWorkbook } from '../fixtures/hostile/generate.js';
import { appliedState } from '../fixtures/hostile/support.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { seedPlan } from '../helpers/plan.js';
import { withPartEdited } from '../helpers/workbook.js';

const SHEET = 'xl/worksheets/sheet1.xml';
const RECEIVED = new Date('2026-12-03T18:00:00Z');
let db: TestDb;
let dataDir: string;
let config: Config;

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'truncated-ingest-'));
  config = loadConfig({ DATA_DIR: dataDir });
});
afterAll(async () => {
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** ACME's valid row for 91000001A on row 2, then rows of members not ACME's (rejected) down to row 20. */
function upload(): Buffer {
  const others = Array.from({ length: 18 }, (_, i) => rtfValues(member(`9200${String(i).padStart(4, '0')}X`, `Other${i}`, 'Ona')));
  return rtfWorkbook([rtfValues(), ...others]);
}

const cutBefore = (bytes: Buffer, marker: string): Promise<Buffer> => withPartEdited(bytes, SHEET, (xml) => xml.slice(0, xml.indexOf(marker)));

describe('an RTF whose worksheet part was cut before row 11, through ingest', () => {
  it('is REJECTED with FILE_CORRUPT and applies nothing, not the valid row before the cut', async () => {
    const before = await appliedState(db.pool);
    const done = await ingestFile({ pool: db.pool, config }, { provider: 'ACME', originalName: 'RTF_ACME_202611.xlsx', bytes: await cutBefore(upload(), '<row r="11"'), receivedAt: RECEIVED, source: 'cli' });
    expect(done.document.outcome).toBe('REJECTED');
    expect(done.document.fileErrors.map((e) => e.code)).toEqual(['FILE_CORRUPT']);
    expect(done.document.fileErrors[0]!.message).not.toMatch(/9100000|Alpha|Other\d/);
    expect(done.document.rowsAccepted).toBe(0);
    expect(await appliedState(db.pool)).toEqual(before);
    const accepted = await db.pool.query(
      'select r.row_number from submission_rows r join submission_sheets s on s.id = r.sheet_id where s.submission_id = $1 and r.accepted', [done.submissionId]);
    expect(accepted.rowCount).toBe(0);
  });

  it('(the same file whole is PARTIALLY_ACCEPTED, its valid row applied: the control)', async () => {
    const done = await ingestFile({ pool: db.pool, config }, { provider: 'ACME', originalName: 'RTF_ACME_202611.xlsx', bytes: upload(), receivedAt: RECEIVED, source: 'cli' });
    expect(done.document).toMatchObject({ outcome: 'PARTIALLY_ACCEPTED', rowsRead: 19, rowsAccepted: 1, fileErrors: [] });
  });
});

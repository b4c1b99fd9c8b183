// A file is never republished ahead of its day: checkRepublish (behind `republish` and the web
// page's republish form) refuses a slot after today, even one a file was already published for
// (as `generate --date` with a future date did before it was refused: December's MIF sent in
// November). Republished there, it would be built again from November's records.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { checkRepublish, generate, RepublishRefused } from '../../src/generate/run.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSftp, type TestSftp } from '../helpers/dev-sftp.js';
import { seedPlan } from '../helpers/plan.js';

let db: TestDb;
let sftp: TestSftp;
let dataDir: string;
let deps: Parameters<typeof generate>[2];

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  sftp = await startTestSftp(['ACME', 'RIVAL', 'HOMEWAY', 'MEALS']);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-republish-future-'));
  deps = { pool: db.pool, config: loadConfig({ DATA_DIR: dataDir }), openSession: () => sftp.openSession() };
});
afterAll(async () => {
  await sftp?.stop();
  await db?.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('republish of a slot after today', () => {
  it('is refused, naming the slot and today, even when a file was published for it; allowed from its day on', async () => {
    const r = await generate('mif', { date: '2026-12-15', provider: 'ACME', now: new Date('2026-12-15T06:30:00-08:00') }, deps);
    expect(r.published).toBeGreaterThan(0);
    const refused = checkRepublish(db.pool, 'mif', '2026-12-15', 'ACME', '2026-11-20');
    await expect(refused).rejects.toBeInstanceOf(RepublishRefused);
    await expect(refused).rejects.toThrow('the mif slot 2026-12-15 is in the future (today is 2026-11-20 in the plan time zone): a file is republished only once its day has come');
    await expect(checkRepublish(db.pool, 'mif', '2026-12-15', 'ACME', '2026-12-15')).resolves.toBeUndefined();
    await expect(checkRepublish(db.pool, 'mif', '2026-12-15', 'ACME', '2026-12-16')).resolves.toBeUndefined();
  });

  it('a future slot nothing was published for is refused as in the future, not "use generate" (which refuses it too)', async () => {
    await expect(checkRepublish(db.pool, 'mif', '2027-01-15', 'ACME', '2026-12-20')).rejects.toThrow(/^the mif slot 2027-01-15 is in the future/);
  });
});

// The inbound pipeline's edges, over a real Postgres and the sFTP server (the month of
// scenarios through the CLI is test/e2e/ingest-month.test.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSPRTF, OTF } from '../../schemas/index.js';
import { loadConfig } from '../../src/config.js';
import { generate } from '../../src/generate/run.js';
import { pollOnce } from '../../src/ingest/poll.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSftp, type TestSftp } from '../helpers/dev-sftp.js';
import { seedCsAuthorizations, seedPlan } from '../helpers/plan.js';
import { csprtfRow, enrolledRow, otfRow, rtf, rtfRow, workbook } from '../helpers/provider-files.js';
import { onSlotDay } from '../helpers/world.js';

let db: TestDb;
let sftp: TestSftp;
let dataDir: string;
let config: ReturnType<typeof loadConfig>;

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  await seedCsAuthorizations(db.pool);
  sftp = await startTestSftp(['ACME', 'RIVAL', 'HOMEWAY', 'MEALS']);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-ingest-'));
  config = loadConfig({ DATA_DIR: dataDir, SFTP_STABLE_SECONDS: '0', CASELOAD_WARN_LIMIT: '1' });
  const deps = { pool: db.pool, config, openSession: () => sftp.openSession() };
  // What the providers answer: the November MIFs and CSASF.
  await generate('mif', onSlotDay('2026-11-15'), deps);
  await generate('csasf', onSlotDay('2026-11-15'), deps);
});
afterAll(async () => {
  await sftp.stop();
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const one = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows[0];
/** A provider's file taken by `ingest` on December 2. */
const ingestDec2 = async (provider: string, originalName: string, bytes: Buffer) => {
  const { ingestFile } = await import('../../src/ingest/pipeline.js');
  return ingestFile({ pool: db.pool, config }, { provider, originalName, bytes, receivedAt: new Date('2026-12-02T17:00:00Z'), source: 'cli' });
};

describe('CSPRTF against a provider that never received a CSASF', () => {
  it('rejects every row: nothing to report on yet', async () => {
    await db.pool.query(`insert into providers (provider_code, npi, tin, name, sftp_folder) values ('NEWCS', '1245319599', '222333444', 'New CS', 'NEWCS')`);
    await db.pool.query(`insert into provider_contracts values ('NEWCS', 'HN', 'CS')`);
    const done = await ingestDec2('NEWCS', 'CSPRTF_NEWCS_202611.xlsx', await workbook([[CSPRTF, [csprtfRow({}, { code: 'NEWCS', npi: '1245319599', tin: '222333444', name: 'New CS' })]]]));
    expect(done.document).toMatchObject({ outcome: 'REJECTED', rowsRead: 1, rowsRejected: 1 });
    expect(done.document.issues.find((i) => i.code === 'NOT_ON_CSASF')!.message).toMatch(/no CSASF has been sent to you yet/);
  });
});

describe('CSPRTF row reported under another line of business than its authorization', () => {
  it('is rejected with CS_LOB_MISMATCH and nothing of it is stored; the row under the right line is applied', async () => {
    // 91000004D's RC authorization (approved, on the CSASF) is under CV; HOMEWAY contracts CS for HN and CV.
    const done = await ingestDec2('HOMEWAY', 'CSPRTF_HOMEWAY_202611.xlsx', await workbook([[CSPRTF, [
      csprtfRow(),
      csprtfRow({ mcpId: 'HN', cin: '91000004D', lastName: 'Delta', firstName: 'Dee', serviceCode: 'RC' }),
    ]]]));
    expect(done.document).toMatchObject({ rowsRead: 2, rowsAccepted: 1, rowsRejected: 1 });
    const issue = done.document.issues.find((i) => i.code === 'CS_LOB_MISMATCH');
    expect(issue).toMatchObject({ row: 3, severity: 'error', column: 'Primary Payer (MCP) Identifier' });
    expect(issue!.message).toMatch(/HN .*CV/);
    expect(issue!.message).not.toMatch(/Delta|Dee|91000004D/);
    expect(await one(`select count(*)::int n from cs_engagements where cin = '91000004D' and service_code = 'RC'`)).toEqual({ n: 0 });
    expect(await one(`select lob from cs_engagements where cin = '91000001A' and service_code = 'HTN'`)).toEqual({ lob: 'HN' });
  });
});

describe('an RTF or OTF row about the provider\'s own member under another line of business', () => {
  it('is rejected with ECM_LOB_MISMATCH saying which line to enter, not "submit a referral first"', async () => {
    // 91000002B is ACME's in Health Net only; ACME contracts ECM in HN and CV
    const done = await ingestDec2('ACME', 'OTF_ACME_202611_lines.xlsx', await workbook([[OTF, [
      otfRow({ cin: '91000002B', clientName: 'Ben Bravo' }),
      otfRow({ cin: '91000002B', clientName: 'Ben Bravo', mcpId: 'CV', mcpName: 'CalViva Health', attemptDate: { date: '2026-11-06' } }),
    ]]]));
    expect(done.document).toMatchObject({ rowsRead: 2, rowsAccepted: 1, rowsRejected: 1 });
    const issue = done.document.issues.find((i) => i.row === 3);
    expect(issue).toMatchObject({ code: 'ECM_LOB_MISMATCH', severity: 'error', column: 'Primary Payer (MCP) Identifier' });
    expect(issue!.message).toMatch(/CV .*HN/);
    expect(issue!.message).not.toMatch(/referral|Bravo|Ben|91000002B/);
  });
});

describe('one poller per provider folder', () => {
  /** Every provider's folder claimed by `holder` until `expires` (an SQL interval from now). */
  const holdAll = (holder: string, expires: string) =>
    db.pool.query(`insert into poll_claims (provider_code, holder, expires_at) select provider_code, $1, now() + $2::interval from providers
                   on conflict (provider_code) do update set holder = excluded.holder, expires_at = excluded.expires_at`, [holder, expires]);

  it('a poll while other pollers hold every folder does nothing and says why', async () => {
    await holdAll('another process', '1 minute');
    try {
      const r = await pollOnce({ pool: db.pool, config, openSession: () => sftp.openSession() }, { now: new Date('2026-12-20T17:00:00Z') });
      expect(r).toMatchObject({ skipped: 'another poll is in progress', files: 0, byProvider: [] });
    } finally {
      await db.pool.query(`update poll_claims set holder = null, expires_at = '-infinity'`);
    }
  });

  it('claims their holder stopped renewing (expired) are taken by the next poll, and released when it is done', async () => {
    await holdAll('a crashed process', '-1 second');
    const r = await pollOnce({ pool: db.pool, config, openSession: () => sftp.openSession() }, { now: new Date('2026-12-20T17:00:00Z') });
    expect(r.skipped).toBeUndefined();
    const all = await db.pool.query(`select provider_code from providers p where active and exists (select 1 from provider_contracts c where c.provider_code = p.provider_code) order by 1`);
    expect(r.byProvider.map((p) => p.provider)).toEqual(all.rows.map((x) => x.provider_code));
    expect(await one(`select count(*)::int n from poll_claims where holder is not null`)).toEqual({ n: 0 });
  });
});

describe('a file found REJECTED after its first rows were applied', () => {
  it('is rolled back to before its rows and re-staged as rejected: nothing applied', async () => {
    const { ingestFile } = await import('../../src/ingest/pipeline.js');
    const before = (await db.pool.query(`select cin, status, acuity, updated_at from ecm_assignments order by cin`)).rows;
    const changes = await one(`select count(*)::int n from ecm_assignment_changes`);
    const small = loadConfig({ DATA_DIR: dataDir, MAX_ROWS: '2' });
    const done = await ingestFile({ pool: db.pool, config: small }, {
      provider: 'ACME', originalName: 'RTF_ACME_202611_big.xlsx', receivedAt: new Date('2026-12-09T18:00:00Z'), source: 'cli',
      bytes: await rtf([rtfRow({ acuity: 'High' }), enrolledRow({ acuity: 'Medium' }), rtfRow({ cin: '91000006F', lastName: 'Foxtrot', firstName: 'Fay' })]),
    });
    expect(done.document.outcome).toBe('REJECTED');
    expect(done.document.fileErrors.map((e) => e.code)).toEqual(['FILE_TOO_MANY_ROWS']);
    expect((await db.pool.query(`select cin, status, acuity, updated_at from ecm_assignments order by cin`)).rows).toEqual(before);
    expect(await one(`select count(*)::int n from ecm_assignment_changes`)).toEqual(changes);
    const rows = await one(`select count(*)::int n, bool_or(accepted) any_accepted from submission_rows r join submission_sheets s on s.id = r.sheet_id where s.submission_id = $1`, [done.submissionId]);
    expect(rows).toEqual({ n: 2, any_accepted: false });
    expect(await one(`select applied from submission_sheets where submission_id = $1`, [done.submissionId])).toEqual({ applied: false });
  });
});

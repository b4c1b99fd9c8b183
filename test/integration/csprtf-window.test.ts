// Issue 17 finding 8.5, the CSPRTF window: the CS pages say the CSPRTF is submitted "between
// the 5th through the 10th" (domain §2). A first CSPRTF on days 6-10 was labelled late and the
// digest after the 5th listed CS providers as missing. Now: days 1..CSPRTF_ON_TIME_LAST_DAY on
// time (a second file a resubmission), later declined; CS providers listed only after that.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSPRTF, RTF } from '../../schemas/index.js';
import { deadlinePolicyFromConfig, missingAlertDays } from '../../src/calendar/deadlines.js';
import type { Config } from '../../src/config.js';
import { generate } from '../../src/generate/run.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { findMissingSubmissions } from '../../src/reports/missing.js';
import type { TestDb } from '../helpers/db.js';
import { P } from '../helpers/plan.js';
import { closePlanWorld, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';
import { csprtfRow, rtfRow, workbook } from '../helpers/provider-files.js';
import { readWithOpenpyxl } from '../helpers/workbook.js';

let db: TestDb;
let dataDir: string;
let config: Config;
let world: PlanWorld;

beforeAll(async () => {
  world = await openPlanWorld('csprtf-window', { csAuthorizations: true, settings: { SFTP_STABLE_SECONDS: '0' } });
  ({ db, dataDir, config } = world);
  await generate('mif', onSlotDay('2026-11-15'), world.deps);
  await generate('csasf', onSlotDay('2026-11-15'), world.deps);
});
afterAll(() => closePlanWorld(world));

/** Local noon (PST) on a December 2026 day, or the given UTC instant. */
const dec = (day: number, utc = `2026-12-${String(day).padStart(2, '0')}T20:00:00Z`) => new Date(utc);
const homeway = () => workbook([[CSPRTF, [csprtfRow()]]]);
const meals = () => workbook([[CSPRTF, [csprtfRow({ cin: '91000005E', lastName: 'Echo', firstName: 'Ed', serviceCode: 'MTM' }, P.CS2)]]]);
const ingest = (cfg: Config, provider: string, originalName: string, bytes: Buffer, receivedAt: Date) =>
  ingestFile({ pool: db.pool, config: cfg }, { provider, originalName, bytes, receivedAt, source: 'cli' });

/** The response's Summary sheet as item → value. */
function summary(bytes: Buffer): Record<string, unknown> {
  const file = path.join(dataDir, `summary-${Math.random().toString(36).slice(2)}.xlsx`);
  fs.writeFileSync(file, bytes);
  return Object.fromEntries((readWithOpenpyxl(file).Summary ?? []).slice(1).map((row) => [row[0], row[1]]));
}

describe('the missing-submission digest lists a CS provider only after the CSPRTF window closes', () => {
  // (before any November file arrives)
  it('the 6th: ECM providers are missing, CS providers are not listed yet', async () => {
    const rows = await findMissingSubmissions(db.pool, config, '2026-12-06');
    expect(rows.map((r) => [r.providerCode, r.program, r.missing])).toEqual([['ACME', 'ECM', ['RTF', 'OTF']], ['RIVAL', 'ECM', ['RTF', 'OTF']]]);
  });

  it('the 11th (after the 10th): CS providers without a CSPRTF are listed', async () => {
    const rows = await findMissingSubmissions(db.pool, config, '2026-12-11');
    expect(rows.filter((r) => r.program === 'CS').map((r) => [r.providerCode, r.missing])).toEqual([['HOMEWAY', ['CSPRTF']], ['MEALS', ['CSPRTF']]]);
  });

  it('follows CSPRTF_ON_TIME_LAST_DAY, and the digest runs the day after it', async () => {
    const late = { ...config, CSPRTF_ON_TIME_LAST_DAY: 15 };
    expect((await findMissingSubmissions(db.pool, late, '2026-12-11')).filter((r) => r.program === 'CS')).toEqual([]);
    expect((await findMissingSubmissions(db.pool, late, '2026-12-16')).filter((r) => r.program === 'CS').map((r) => r.providerCode)).toEqual(['HOMEWAY', 'MEALS']);
    expect(missingAlertDays(deadlinePolicyFromConfig(late))).toEqual([6, 11, 16]);
    expect(missingAlertDays(deadlinePolicyFromConfig(config))).toEqual([6, 11]);
  });
});

describe('CSPRTF verdicts', () => {
  it('a first CSPRTF on the 7th is on time, and the response says by the 10th', async () => {
    const r = await ingest(config, 'HOMEWAY', 'CSPRTF_HOMEWAY_202611.xlsx', await homeway(), dec(7));
    expect(r.document).toMatchObject({ verdict: 'ON_TIME', period: '2026-11', rowsAccepted: 1 });
    expect(summary(r.response.bytes)['Deadline verdict']).toBe('ON_TIME: received by the 10th');
  });

  it('a second CSPRTF on the 9th is a resubmission', async () => {
    const r = await ingest(config, 'HOMEWAY', 'CSPRTF_HOMEWAY_202611_v2.xlsx', await workbook([[CSPRTF, [csprtfRow({ outreachDate: { date: '2026-11-12' } })]]]), dec(9));
    expect(r.document).toMatchObject({ verdict: 'RESUBMISSION', rowsAccepted: 1 });
    expect(summary(r.response.bytes)['Deadline verdict']).toBe('RESUBMISSION: a corrected file received by the 10th');
  });

  it('the 10th at 23:59 plan time is still on time; 00:30 on the 11th is declined unread, naming the 10th', async () => {
    const onTime = await ingest(config, 'MEALS', 'CSPRTF_MEALS_202611.xlsx', await meals(), dec(10, '2026-12-11T07:59:00Z'));
    expect(onTime.document.verdict).toBe('ON_TIME');
    const r = await ingest(config, 'MEALS', 'CSPRTF_MEALS_202611_late.xlsx', await workbook([[CSPRTF, [csprtfRow({ cin: '91000005E', serviceCode: 'MTM', engagementStatus: '1', outreachDate: null, outreachMethod: null }, P.CS2)]]]), dec(11, '2026-12-11T08:30:00Z'));
    expect(r.document).toMatchObject({ verdict: 'DECLINED_LATE', outcome: 'REJECTED', rowsRead: 0 });
    const msg = r.document.fileErrors.find((e) => e.code === 'DECLINED_LATE')!.message;
    expect(msg).toContain('after the 10th of the month');
    expect(msg).toContain('files are on time through 01/10/2027');
  });

  it('the RTF keeps its window: a first RTF on the 7th is late', async () => {
    const r = await ingest(config, 'ACME', 'RTF_ACME_202611.xlsx', await workbook([[RTF, [rtfRow()]]]), dec(7));
    expect(r.document.verdict).toBe('LATE_ACCEPTED');
    expect(summary(r.response.bytes)['Deadline verdict']).toBe('LATE_ACCEPTED: a first file received from the 6th through the 10th; accepted, flagged late');
  });
});

describe('a CSPRTF window later than the RTF one (CSPRTF_ON_TIME_LAST_DAY=15)', () => {
  let late: Config;
  beforeAll(() => {
    late = { ...config, CSPRTF_ON_TIME_LAST_DAY: 15 };
  });

  it('a CSPRTF-named file on the 12th is not declined before it is read: on time (a resubmission after the earlier ones)', async () => {
    const r = await ingest(late, 'MEALS', 'CSPRTF_MEALS_202611_dec12.xlsx', await meals(), dec(12));
    expect(r.document).toMatchObject({ verdict: 'RESUBMISSION', rowsAccepted: 1 });
    expect(summary(r.response.bytes)['Deadline verdict']).toBe('RESUBMISSION: a corrected file received by the 15th');
  });

  it('a file whose name says nothing is read, then decided by its sheets: a CSPRTF is taken, an RTF declined and nothing applied', async () => {
    const cs = await ingest(late, 'HOMEWAY', 'november.xlsx', await homeway(), dec(13));
    expect(cs.document).toMatchObject({ verdict: 'RESUBMISSION', rowsAccepted: 1 });
    const before = (await db.pool.query(`select status from ecm_assignments where cin = '91000004D'`)).rows[0];
    const ecm = await ingest(late, 'ACME', 'november-update.xlsx', await workbook([[RTF, [rtfRow({ cin: '91000004D', mcpId: 'CV', lastName: 'Delta', firstName: 'Dee', ecmStatus: '1' })]]]), dec(13));
    expect(ecm.document).toMatchObject({ verdict: 'DECLINED_LATE', outcome: 'REJECTED', rowsAccepted: 0 });
    expect(ecm.document.fileErrors.find((e) => e.code === 'DECLINED_LATE')!.message).toContain('after the 10th of the month');
    expect((await db.pool.query(`select status from ecm_assignments where cin = '91000004D'`)).rows[0]).toEqual(before);
  });
});

describe('every deadline day is said from the settings (ON_TIME_LAST_DAY=7, RESUBMISSION_LAST_DAY=12)', () => {
  let moved: Config;
  beforeAll(() => {
    moved = { ...config, ON_TIME_LAST_DAY: 7, RESUBMISSION_LAST_DAY: 12, CSPRTF_ON_TIME_LAST_DAY: 9 };
  });
  /** Every sheet of a response, read back with openpyxl. */
  const sheetsOf = (bytes: Buffer) => {
    const file = path.join(dataDir, `response-${Math.random().toString(36).slice(2)}.xlsx`);
    fs.writeFileSync(file, bytes);
    return readWithOpenpyxl(file);
  };

  it('a corrected RTF on the 8th: the verdict names the 8th through the 12th', async () => {
    const r = await ingest(moved, 'ACME', 'RTF_ACME_202611_v2.xlsx', await workbook([[RTF, [rtfRow()]]]), dec(8));
    expect(r.document.verdict).toBe('RESUBMISSION');
    expect(summary(r.response.bytes)['Deadline verdict']).toBe('RESUBMISSION: a corrected file received from the 8th through the 12th');
  });

  it('an RTF on the 13th is declined naming the 12th, and the response shows no placeholder, its Codes sheet the configured days', async () => {
    const r = await ingest(moved, 'ACME', 'RTF_ACME_202611_v3.xlsx', await workbook([[RTF, [rtfRow()]]]), dec(13));
    expect(r.document.verdict).toBe('DECLINED_LATE');
    const msg = r.document.fileErrors.find((e) => e.code === 'DECLINED_LATE')!.message;
    expect(msg).toContain('It arrived after the 12th of the month, the last day files for that period are accepted.');
    expect(msg).toContain('files are on time through 01/07/2027');
    expect(msg).not.toMatch(/[{}]|10th|5th/);

    const sheets = sheetsOf(r.response.bytes);
    const placeholders = Object.entries(sheets).flatMap(([name, rows]) =>
      rows.flatMap((row) => row.filter((cell) => typeof cell === 'string' && /\{\w*\}/.test(cell)).map((cell) => `${name}: ${String(cell)}`)));
    expect(placeholders).toEqual([]);
    const codes = sheets.Codes!;
    const declined = String(codes.find((row) => row[0] === 'DECLINED_LATE')![3]);
    expect(declined).toContain('An RTF or OTF is on time by the 7th and accepted through the 12th; a CSPRTF is accepted by the 9th.');
    expect(declined).not.toMatch(/10th|5th/);
    // a template's column reads as "the column"
    expect(codes.find((row) => row[0] === 'REQUIRED_BLANK')![3]).toBe('The column is required and is blank. Fill it in.');
  });
});

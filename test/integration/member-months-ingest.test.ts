// A member's story across files, inbound side (issue "Member state across months", findings 1
// and 2): lines of business are submissions of their own, and corrections merge by business
// key: a later file updates the rows it carries and adds new ones, and what it does not carry
// keeps counting. The response's fix sheet, corrected and sent back as it is, is such a file.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTF, RTF } from '../../schemas/index.js';
import { loadConfig } from '../../src/config.js';
import { generate } from '../../src/generate/run.js';
import { ingestFile, type Ingested } from '../../src/ingest/pipeline.js';
import { STAGE_BATCH } from '../../src/ingest/sheet-writer.js';
import { importUpstream } from '../../src/import/upstream.js';
import { findMissingSubmissions } from '../../src/reports/missing.js';
import type { TestDb } from '../helpers/db.js';
import { closePlanWorld, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';
import { OPENPYXL, readRecords, readWithOpenpyxl } from '../helpers/workbook.js';
import { enrolledRow, otf, otfRow, rtf, rtfRow, workbook } from '../helpers/provider-files.js';

let db: TestDb;
let dataDir: string;
let config: ReturnType<typeof loadConfig>;

const d = (date: string) => ({ date });
const at = (day: number) => new Date(`2026-12-${String(day).padStart(2, '0')}T17:00:00Z`);
const send = (provider: string, name: string, bytes: Buffer, day: number): Promise<Ingested> =>
  ingestFile({ pool: db.pool, config }, { provider, originalName: name, bytes, receivedAt: at(day), source: 'cli' });
/** A cell filled in by hand, in the column whose header starts with `header`; the workbook saved again. */
function fillCell(bytes: Buffer, sheet: string, header: string, row: number, value: string): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-fix-'));
  const file = path.join(dir, 'in.xlsx');
  fs.writeFileSync(file, bytes);
  execFileSync(OPENPYXL, ['-c', `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb[sys.argv[2]]
col = next(c.column for c in ws[1] if isinstance(c.value, str) and c.value.startswith(sys.argv[3]))
ws.cell(row=int(sys.argv[4]), column=col).value = sys.argv[5]
wb.save(sys.argv[1])`, file, sheet, header, String(row), value]);
  const out = fs.readFileSync(file);
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

/** Every sheet's values, read by openpyxl. */
function openpyxlRead(bytes: Buffer): Record<string, unknown[][]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-read-'));
  const file = path.join(dir, 'r.xlsx');
  fs.writeFileSync(file, bytes);
  try {
    return readWithOpenpyxl(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const attempts = async (provider: string, lob: string) =>
  (await db.pool.query<{ n: number }>(`select count(*)::int n from current_outreach_attempts where provider_code = $1 and lob = $2`, [provider, lob])).rows[0]!.n;

let world: PlanWorld;
beforeAll(async () => {
  world = await openPlanWorld('months', { settings: { SFTP_STABLE_SECONDS: '0' } });
  ({ db, dataDir, config } = world);
  await generate('mif', onSlotDay('2026-11-15'), world.deps);
});
afterAll(() => closePlanWorld(world));

describe('finding 1: lines of business are submissions of their own', () => {
  it('an HN RTF and OTF on the 2nd and a CV RTF and OTF on the 7th: the CV files are first files (late), and the HN attempts keep counting', async () => {
    const hnRtf = await send('ACME', 'RTF_ACME_HN_202611.xlsx', await rtf([rtfRow(), enrolledRow()]), 2);
    const hnOtf = await send('ACME', 'OTF_ACME_HN_202611.xlsx', await otf([
      otfRow(), otfRow({ attemptDate: d('2026-11-12'), method: '1', minutes: 30 }), otfRow({ attemptDate: d('2026-11-19'), minutes: 5 }),
    ]), 2);
    expect([hnRtf.document.verdict, hnOtf.document.verdict]).toEqual(['ON_TIME', 'ON_TIME']);
    // the digest on the 6th can say that one line is missing
    const digest = await findMissingSubmissions(db.pool, config, '2026-12-06');
    expect(digest.find((r) => r.providerCode === 'ACME')).toMatchObject({ missing: [], missingLines: [{ type: 'RTF', lob: 'CV' }, { type: 'OTF', lob: 'CV' }] });
    const cvRow = { cin: '91000004D', mcpId: 'CV', mcpName: 'CalViva Health', lastName: 'Delta', firstName: 'Dee', clientName: 'Dee Delta' };
    const cvRtf = await send('ACME', 'RTF_ACME_CV_202611.xlsx', await rtf([rtfRow(cvRow)]), 7);
    const cvOtf = await send('ACME', 'OTF_ACME_CV_202611.xlsx', await otf([otfRow(cvRow), otfRow({ ...cvRow, attemptDate: d('2026-11-20') })]), 7);
    // not RESUBMISSION: nothing had come for CalViva
    expect([cvRtf.document.verdict, cvOtf.document.verdict]).toEqual(['LATE_ACCEPTED', 'LATE_ACCEPTED']);
    expect(cvRtf.document.supersedes).toBeUndefined();
    expect(cvOtf.document.supersedes).toBeUndefined();
    expect(await attempts('ACME', 'HN')).toBe(3);
    expect(await attempts('ACME', 'CV')).toBe(2);
    // each line's rows count on their own
    const counting = await db.pool.query(`select layout, lob, count(*)::int n from current_rows where provider_code = 'ACME' group by 1, 2 order by 1, 2`);
    expect(counting.rows).toEqual([
      { layout: 'OTF', lob: 'CV', n: 2 }, { layout: 'OTF', lob: 'HN', n: 3 }, { layout: 'RTF', lob: 'CV', n: 1 }, { layout: 'RTF', lob: 'HN', n: 2 },
    ]);
    // an HN correction on the 8th is a resubmission of HN only
    const hnAgain = await send('ACME', 'RTF_ACME_HN_202611_v2.xlsx', await rtf([rtfRow({ acuity: 'Medium' })]), 8);
    expect(hnAgain.document.verdict).toBe('RESUBMISSION');
    expect(hnAgain.document.merge).toEqual([expect.objectContaining({ layout: 'RTF', lob: 'HN', updated: 1, added: 0, kept: 1 })]);
  });

  it('a tab with a header and no rows, next to an RTF, is no OTF submission of any line: the OTF is still missing, and the first OTF is a first file', async () => {
    // December's files (ACME's November ones are above)
    const jan = (day: number) => new Date(`2027-01-0${day}T17:00:00Z`);
    const december = { reportingPeriod: '12/2026', productionDate: d('2027-01-02') };
    const both = await ingestFile({ pool: db.pool, config }, {
      provider: 'ACME', originalName: 'ACME_202612.xlsx', bytes: await workbook([[RTF, [rtfRow(december), enrolledRow(december)]], [OTF, []]]), receivedAt: jan(3), source: 'cli',
    });
    expect(both.document).toMatchObject({ verdict: 'ON_TIME', outcome: 'ACCEPTED' });
    expect(both.document.sheets.map((s) => [s.layout, s.rowsRead])).toEqual([['RTF', 2], ['OTF', 0]]);
    const digest = await findMissingSubmissions(db.pool, config, '2027-01-06');
    expect(digest.find((r) => r.providerCode === 'ACME')).toMatchObject({ missing: ['OTF'], missingLines: [{ type: 'RTF', lob: 'CV' }] });
    const firstOtf = await ingestFile({ pool: db.pool, config }, {
      provider: 'ACME', originalName: 'OTF_ACME_202612.xlsx', bytes: await otf([otfRow({ attemptDate: d('2026-12-04') })]), receivedAt: jan(7), source: 'cli',
    });
    expect(firstOtf.document.verdict).toBe('LATE_ACCEPTED');
    const acme = async () => (await findMissingSubmissions(db.pool, config, '2027-01-08')).find((r) => r.providerCode === 'ACME');
    expect(await acme()).toMatchObject({ missing: [], missingLines: [{ type: 'RTF', lob: 'CV' }, { type: 'OTF', lob: 'CV' }] });
    // a sheet with rows recorded before lines were (no lines) still stands for every line
    await db.pool.query(`update submission_sheets set lobs = '{}' where submission_id = $1`, [firstOtf.submissionId]);
    expect(await acme()).toMatchObject({ missing: [], missingLines: [{ type: 'RTF', lob: 'CV' }] });
  });
});

describe('a line or a type whose rows were all rejected is still owed', () => {
  it('the digest lists the RTF of the line with no accepted row, and the OTF whose every row was rejected', async () => {
    // February 2027's files, on March 2nd: HN rows accepted, the one CV row and the one OTF row rejected
    const feb = { reportingPeriod: '02/2027', productionDate: d('2027-03-02') };
    const r = await ingestFile({ pool: db.pool, config }, {
      provider: 'ACME', originalName: 'ACME_RTF_OTF_202702.xlsx', receivedAt: new Date('2027-03-02T17:00:00Z'), source: 'cli',
      bytes: await workbook([
        [RTF, [rtfRow(feb), rtfRow({ ...feb, mcpId: 'CV', mcpName: 'CalViva Health' })]],
        [OTF, [otfRow({ cin: '91000005E', clientName: 'Ed Echo', attemptDate: d('2027-02-10') })]],
      ]),
    });
    expect(r.document).toMatchObject({ outcome: 'PARTIALLY_ACCEPTED', rowsAccepted: 1, rowsRejected: 2 });
    // (the CV row is Ann's, ACME's Health Net member: the line is the mistake)
    expect(r.document.issues.filter((i) => i.severity === 'error').map((i) => [i.sheet, i.code])).toEqual([['RTF', 'ECM_LOB_MISMATCH'], ['OTF', 'MEMBER_NOT_ASSIGNED']]);
    const acme = (await findMissingSubmissions(db.pool, config, '2027-03-06')).find((x) => x.providerCode === 'ACME');
    expect(acme).toMatchObject({ missing: ['OTF'], missingLines: [{ type: 'RTF', lob: 'CV' }] });
  });
});

describe("finding 2: following the response's own advice keeps the earlier rows", () => {
  it("the fix sheet, corrected and sent back as it is, adds the fixed row and keeps the accepted ones; its helper columns are not 'unknown'", async () => {
    // RIVAL: one member in HN; make two more so the story has accepted rows to keep
    await db.pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) values ('91000007G', 'HN', 'RIVAL', 1, '2026-09-01'), ('91000008H', 'HN', 'RIVAL', 1, '2026-09-01')`);
    const rival = { code: 'RIVAL', npi: '1987654328', tin: '987654321', name: 'Rival Care Partners' };
    const first = await send('RIVAL', 'RTF_RIVAL_202611.xlsx', await rtf([
      rtfRow({ cin: '91000005E', lastName: 'Echo', firstName: 'Ed' }, rival),
      rtfRow({ cin: '91000007G', lastName: 'Golf', firstName: 'Gil' }, rival),
      // enrolled without its start date: rejected
      rtfRow({ cin: '91000008H', lastName: 'Hotel', firstName: 'Hana', ecmStatus: '3', lcmName: 'Kim Ng', lcmPhone: '5595553000' }, rival),
    ]), 2);
    expect(first.document).toMatchObject({ outcome: 'PARTIALLY_ACCEPTED', rowsRead: 3, rowsAccepted: 2, rowsRejected: 1 });

    // the provider opens the response in a spreadsheet program, fills the start date on
    // "Rejected rows" and sends the workbook back (openpyxl stands in for the program)
    const fixed = fillCell(first.response.bytes, 'Rejected rows', 'ECM Enrollment Start Date', 2, '11/03/2026');
    const second = await send('RIVAL', 'RTF_RIVAL_202611_fixed.xlsx', fixed, 7);

    expect(second.document).toMatchObject({ outcome: 'ACCEPTED', verdict: 'RESUBMISSION', rowsRead: 1, rowsAccepted: 1 });
    expect(second.document.issues.map((i) => i.code)).not.toContain('COLUMN_UNKNOWN');
    expect(second.document.merge).toEqual([expect.objectContaining({ layout: 'RTF', lob: 'HN', updated: 0, added: 1, kept: 2 })]);
    expect(second.document.diff).toMatchObject({ fixed: 1, stillFailing: 0, new: 0 });
    // three members now reported for November, the first file's two still counting
    const rtfRows = await db.pool.query(`select row_key, submission_id from current_rows where provider_code = 'RIVAL' and layout = 'RTF' order by row_key`);
    expect(rtfRows.rows.map((r) => [r.row_key, Number(r.submission_id)])).toEqual([
      ['91000005E', first.submissionId], ['91000007G', first.submissionId], ['91000008H', second.submissionId],
    ]);
    expect((await db.pool.query(`select status, enrollment_start from ecm_assignments where cin = '91000008H' and provider_code = 'RIVAL'`)).rows[0])
      .toMatchObject({ status: 3 });
    // the Summary says so in words
    const summary = JSON.stringify(openpyxlRead(second.response.bytes).Summary);
    expect(summary).toMatch(/Rows now counting \(RTF HN\)/);
    expect(summary).toMatch(/0 updated, 1 added, 2 kept from earlier files/);
  });

  it('an OTF correction of one attempt updates that attempt and keeps the other four; the same attempt twice counts once', async () => {
    const rival = { code: 'RIVAL', npi: '1987654328', tin: '987654321', name: 'Rival Care Partners' };
    const row = (date: string, method: string, minutes = 10) => otfRow({ cin: '91000005E', clientName: 'Ed Echo', attemptDate: d(date), method, minutes }, rival);
    const five = await send('RIVAL', 'OTF_RIVAL_202611.xlsx', await otf([
      row('2026-11-02', '2'), row('2026-11-06', '1'), row('2026-11-09', '2'), row('2026-11-16', '2'), row('2026-11-23', '1'), row('2026-11-23', '1'),
    ]), 3);
    expect(five.document.rowsAccepted).toBe(6);
    expect(await attempts('RIVAL', 'HN')).toBe(5); // the double entry counts once
    const one = await send('RIVAL', 'OTF_RIVAL_202611_fix.xlsx', await otf([row('2026-11-09', '2', 25)]), 8);
    expect(one.document.merge).toEqual([expect.objectContaining({ layout: 'OTF', lob: 'HN', updated: 1, added: 0, kept: 4 })]);
    expect(await attempts('RIVAL', 'HN')).toBe(5);
    const minutes = await db.pool.query(`select minutes from current_outreach_attempts where provider_code = 'RIVAL' and attempt_date = '2026-11-09'`);
    expect(minutes.rows).toEqual([{ minutes: 25 }]);
  });
});

describe('OTF_CORRECTIONS=replace-line: how a provider withdraws an attempt', () => {
  it("a later OTF replaces every earlier attempt of the line it carries, and only that line's", async () => {
    const replace = loadConfig({ DATA_DIR: dataDir, SFTP_STABLE_SECONDS: '0', OTF_CORRECTIONS: 'replace-line' });
    const cvRow = { cin: '91000004D', mcpId: 'CV', mcpName: 'CalViva Health', clientName: 'Dee Delta' };
    expect(await attempts('ACME', 'CV')).toBe(2);
    const hn = await attempts('ACME', 'HN');
    const done = await ingestFile({ pool: db.pool, config: replace }, {
      provider: 'ACME', originalName: 'OTF_ACME_CV_202611_full.xlsx', bytes: await otf([otfRow({ ...cvRow, attemptDate: d('2026-11-20') })]), receivedAt: at(9), source: 'cli',
    });
    // of the two earlier attempts, the one sent again (the 20th) is updated and the other
    // withdrawn: one row counts, and the response says so
    expect(done.document.merge).toEqual([expect.objectContaining({ lob: 'CV', updated: 1, added: 0, kept: 0, withdrawn: 1, heldByLater: 0 })]);
    expect(await attempts('ACME', 'CV')).toBe(1);
    expect(await attempts('ACME', 'HN')).toBe(hn);
    const summary = JSON.stringify(openpyxlRead(done.response.bytes).Summary);
    expect(summary).toMatch(/1: 1 updated \(replacing 1 from OTF_ACME_CV_202611\.xlsx \(submission \d+\)\), 0 added, 0 kept from earlier files; 1 earlier row\(s\) withdrawn \(1 from OTF_ACME_CV_202611\.xlsx \(submission \d+\)\): this file replaced their line/);
    // the whole line again, that attempt with its minutes corrected and one more: the attempt
    // sent again is updated, the new one added, nothing withdrawn
    const again = await ingestFile({ pool: db.pool, config: replace }, {
      provider: 'ACME', originalName: 'OTF_ACME_CV_202611_full2.xlsx', receivedAt: at(10), source: 'cli',
      bytes: await otf([otfRow({ ...cvRow, attemptDate: d('2026-11-20'), minutes: 40 }), otfRow({ ...cvRow, attemptDate: d('2026-11-24') })]),
    });
    expect(again.document.merge).toEqual([expect.objectContaining({ lob: 'CV', updated: 1, updatedFrom: [{ submissionId: done.submissionId, rows: 1 }], added: 1, kept: 0, withdrawn: 0 })]);
    expect(await attempts('ACME', 'CV')).toBe(2);
    // a whole-line file received before that one but answered after it (a retry) replaces
    // nothing of it: the later list of the line stands whole, and none of this file's rows count
    const late = await ingestFile({ pool: db.pool, config: replace }, {
      provider: 'ACME', originalName: 'OTF_ACME_CV_202611_full1b.xlsx', receivedAt: new Date('2026-12-09T18:00:00Z'), source: 'cli',
      bytes: await otf([otfRow({ ...cvRow, attemptDate: d('2026-11-20'), minutes: 5 }), otfRow({ ...cvRow, attemptDate: d('2026-11-27') })]),
    });
    expect(late.document.merge).toEqual([expect.objectContaining({ lob: 'CV', updated: 0, added: 0, kept: 2, withdrawn: 0, heldByLater: 2 })]);
    const cv = await db.pool.query(`select attempt_date::text, minutes from current_outreach_attempts where provider_code = 'ACME' and lob = 'CV' order by 1`);
    expect(cv.rows).toEqual([{ attempt_date: '2026-11-20', minutes: 40 }, { attempt_date: '2026-11-24', minutes: 10 }]);
  });

  it('an attempt sent again further down a long file (a later batch of its rows) is updated, not withdrawn and added', async () => {
    const replace = loadConfig({ DATA_DIR: dataDir, SFTP_STABLE_SECONDS: '0', OTF_CORRECTIONS: 'replace-line' });
    const cvRow = { cin: '91000004D', mcpId: 'CV', mcpName: 'CalViva Health', clientName: 'Dee Delta' };
    // the line's two attempts again: the 24th first, the 20th only after 5,000 rows of members
    // the provider does not have (rejected), in the file's second batch of staged rows
    const nobody = otfRow({ ...cvRow, cin: '99999999Z' });
    const rows = [otfRow({ ...cvRow, attemptDate: d('2026-11-24') }), ...Array.from({ length: STAGE_BATCH }, () => nobody), otfRow({ ...cvRow, attemptDate: d('2026-11-20'), minutes: 45 })];
    const long = await ingestFile({ pool: db.pool, config: replace }, {
      provider: 'ACME', originalName: 'OTF_ACME_CV_202611_full3.xlsx', bytes: await otf(rows), receivedAt: new Date('2026-12-10T18:00:00Z'), source: 'cli',
    });
    expect(long.document.rowsRejected).toBe(STAGE_BATCH);
    expect(long.document.merge).toEqual([expect.objectContaining({ lob: 'CV', updated: 2, added: 0, kept: 0, withdrawn: 0, withdrawnFrom: [], heldByLater: 0 })]);
    const cv = await db.pool.query(`select attempt_date::text, minutes from current_outreach_attempts where provider_code = 'ACME' and lob = 'CV' order by 1`);
    expect(cv.rows).toEqual([{ attempt_date: '2026-11-20', minutes: 45 }, { attempt_date: '2026-11-24', minutes: 10 }]);
  }, 60_000);
});

describe('a file answered after one received later (a retry): what it says it did is what it did', () => {
  it('its key the later file holds does not count and is not reported as updated; the later file is not replaced', async () => {
    const rival = { code: 'RIVAL', npi: '1987654328', tin: '987654321', name: 'Rival Care Partners' };
    const row = (cin: string, lastName: string, firstName: string, acuity: string) => rtfRow({ cin, lastName, firstName, acuity }, rival);
    const counting = async () => (await db.pool.query(
      `select row_key, submission_id::int s from current_rows where provider_code = 'RIVAL' and layout = 'RTF' and period = '2026-11-01' order by row_key`)).rows.map((r) => [r.row_key, r.s]);
    const before = new Map((await counting()).map(([k, s]) => [k, s]));
    expect([...before.keys()]).toEqual(['91000005E', '91000007G', '91000008H']);
    // received on the 10th, answered first
    const later = await send('RIVAL', 'RTF_RIVAL_202611_b.xlsx', await rtf([row('91000005E', 'Echo', 'Ed', 'Medium'), row('91000007G', 'Golf', 'Gil', 'Medium')]), 10);
    expect(later.document.merge).toEqual([expect.objectContaining({ lob: 'HN', updated: 2, added: 0, kept: 1, heldByLater: 0 })]);
    // received on the 9th, answered after it
    const earlier = await send('RIVAL', 'RTF_RIVAL_202611_a.xlsx', await rtf([row('91000005E', 'Echo', 'Ed', 'Low'), row('91000008H', 'Hotel', 'Hana', 'Low')]), 9);
    expect(await counting()).toEqual([['91000005E', later.submissionId], ['91000007G', later.submissionId], ['91000008H', earlier.submissionId]]);
    // three rows count: its 8H (updated from the file it replaced), and the later file's two
    expect(earlier.document.merge).toEqual([expect.objectContaining({
      lob: 'HN', updated: 1, updatedFrom: [{ submissionId: before.get('91000008H'), rows: 1 }], added: 0, kept: 2, heldByLater: 1,
    })]);
    expect(JSON.stringify(openpyxlRead(earlier.response.bytes).Summary))
      .toMatch(/3: 1 updated \(replacing 1 from RTF_RIVAL_202611_fixed\.xlsx \(submission \d+\)\), 0 added, 2 kept from earlier files; 1 row\(s\) of this file not counting: a file received after it reports the same key/);
    expect(earlier.liaisonSummary).toContain('RTF HN: 1 row(s) updated, 0 added, 2 kept from earlier files; 1 row(s) of this file not counting: a file received after it reports the same key.');
    // the member's assignment keeps the later file's report
    expect((await db.pool.query(`select acuity from ecm_assignments where cin = '91000005E' and provider_code = 'RIVAL'`)).rows).toEqual([{ acuity: 'Medium' }]);
    // lineage: the earlier-received file replaced the sheet its 8H came from, never the later file's
    const sheets = await db.pool.query(
      `select s.submission_id::int id, s.supersedes_id, s.superseded_by, (select submission_id::int from submission_sheets x where x.id = s.supersedes_id) supersedes
         from submission_sheets s where s.submission_id = any($1)`, [[later.submissionId, earlier.submissionId]]);
    const byId = new Map(sheets.rows.map((r) => [r.id, r]));
    expect(byId.get(earlier.submissionId)!.supersedes).toBe(before.get('91000008H'));
    expect(byId.get(later.submissionId)!.superseded_by).toBeNull();
  });
});


describe('a member with the same provider in two lines of business', () => {
  const ivy = { cin: '91000009J', lastName: 'India', firstName: 'Ivy', clientName: 'Ivy India' };
  const cv = { mcpId: 'CV', mcpName: 'CalViva Health' };
  const acuity = async () =>
    (await db.pool.query(`select lob, status, acuity from ecm_assignments where cin = '91000009J' order by lob`)).rows;
  const ivyIssues = (r: Ingested, code: string) => r.document.issues.filter((i) => i.cin === ivy.cin && i.code === code);

  it("is reported in each line, in a file per line or in one file, and each line's row updates that line's assignment", async () => {
    await db.pool.query(`insert into members (cin, mcp_member_id, last_name, first_name, dob, gender) values ('91000009J', 'M9', 'India', 'Ivy', '1970-01-01', 'F')`);
    await db.pool.query(
      `insert into ecm_assignments (cin, lob, provider_code, status, assigned_date, enrollment_start, lcm_name, lcm_phone)
       values ('91000009J', 'HN', 'ACME', 3, '2026-08-01', '2026-08-15', 'Pat Lee', '5595552000'),
              ('91000009J', 'CV', 'ACME', 3, '2026-08-01', '2026-08-15', 'Pat Lee', '5595552000')`,
    );
    const enrolled = ivy;
    const hn = await send('ACME', 'RTF_ACME_HN_202611_ivy.xlsx', await rtf([enrolledRow({ ...enrolled, acuity: 'High' })]), 9);
    const cvOnly = await send('ACME', 'RTF_ACME_CV_202611_ivy.xlsx', await rtf([enrolledRow({ ...enrolled, ...cv, acuity: 'Medium' })]), 9);
    expect([hn, cvOnly].map((r) => r.document.issues.filter((i) => i.severity === "error").map((i) => i.code))).toEqual([[], []]);
    expect(ivyIssues(hn, 'MEMBER_NOT_ASSIGNED')).toEqual([]);
    expect(ivyIssues(cvOnly, 'MEMBER_NOT_ASSIGNED')).toEqual([]);
    expect(await acuity()).toEqual([{ lob: 'CV', status: 3, acuity: 'Medium' }, { lob: 'HN', status: 3, acuity: 'High' }]);
    // one file with a row per line: neither row is a duplicate of the other
    const both = await send('ACME', 'RTF_ACME_202611_ivy_both.xlsx', await rtf([
      enrolledRow({ ...enrolled, acuity: 'Low' }), enrolledRow({ ...enrolled, ...cv, acuity: 'High' }),
    ]), 9);
    expect(both.document).toMatchObject({ rowsRead: 2, rowsAccepted: 2, rowsRejected: 0 });
    expect(await acuity()).toEqual([{ lob: 'CV', status: 3, acuity: 'High' }, { lob: 'HN', status: 3, acuity: 'Low' }]);
    // the same member twice in one line is still a duplicate
    const twice = await send('ACME', 'RTF_ACME_202611_ivy_twice.xlsx', await rtf([enrolledRow(enrolled), enrolledRow({ ...enrolled, acuity: 'Medium' })]), 9);
    expect(ivyIssues(twice, 'DUPLICATE_CIN')).toHaveLength(1);
  });

  it('enrolled on the MIF of both lines and reported in one: the other line is "past enrollment not reported"', async () => {
    await generate('mif', { ...onSlotDay('2026-12-15'), provider: 'ACME' }, world.deps);
    const dec = { reportingPeriod: '12/2026', productionDate: d('2027-01-02') };
    const jan = (day: number) => new Date(`2027-01-0${day}T17:00:00Z`);
    const enrolled = { ...ivy, ...dec };
    const hnOnly = await ingestFile({ pool: db.pool, config }, {
      provider: 'ACME', originalName: 'RTF_ACME_HN_202612_ivy.xlsx', bytes: await rtf([enrolledRow(enrolled)]), receivedAt: jan(4), source: 'cli',
    });
    expect(hnOnly.document.issues.filter((i) => i.severity === 'error').map((i) => i.code)).toEqual([]);
    // the file carries HN only: only HN's enrolled members are owed, so Ivy's CV enrollment waits for a CV file
    expect(ivyIssues(hnOnly, 'PAST_ENROLLMENT_NOT_REPORTED')).toEqual([]);
    const mixed = await ingestFile({ pool: db.pool, config }, {
      provider: 'ACME', originalName: 'RTF_ACME_202612_ivy_mixed.xlsx', receivedAt: jan(5), source: 'cli',
      bytes: await rtf([enrolledRow(dec), rtfRow({ ...cv, ...dec, cin: '91000004D', lastName: 'Delta', firstName: 'Dee', clientName: 'Dee Delta' })]),
    });
    // a file carrying both lines owes Ivy in CV (reported in HN by the earlier file, which still counts)
    expect(ivyIssues(mixed, 'PAST_ENROLLMENT_NOT_REPORTED')).toHaveLength(1);
  });
});

describe('a member the plan assigned to another provider after the MIF (REASSIGNED_MEMBER_ROWS)', () => {
  // January 2027: ACME's MIF of the 15th lists Ben (91000002B) enrolled in HN; on the 20th the
  // plan's extract gives Ben's HN assignment to RIVAL; ACME's January files come in February.
  const jan = { reportingPeriod: '01/2027', productionDate: d('2027-02-02') };
  const feb = (day: number) => new Date(`2027-02-0${day}T17:00:00Z`);
  const ben = (r: Ingested, code: string) => r.document.issues.filter((i) => i.cin === '91000002B' && i.code === code);
  const benHn = async () => (await db.pool.query(`select provider_code, status, acuity, last_submission_id from ecm_assignments where cin = '91000002B' and lob = 'HN'`)).rows[0];
  const benCounts = async () => (await db.pool.query(`select c.layout, count(*)::int n from current_rows c join submission_rows r on r.sheet_id = c.sheet_id and r.row_number = c.row_number
      where c.provider_code = 'ACME' and c.period = '2027-01-01' and r.cin = '91000002B' group by 1 order by 1`)).rows;
  const file = (cfg: typeof config, name: string, bytes: Buffer, day: number) =>
    ingestFile({ pool: db.pool, config: cfg }, { provider: 'ACME', originalName: name, bytes, receivedAt: feb(day), source: 'cli' });
  const benOtf = () => otf([otfRow({ cin: '91000002B', clientName: 'Ben Bravo', attemptDate: d('2027-01-12') })]);
  let before: unknown;

  it('reject: the old provider\'s rows about the member are rejected saying why, and the member is not owed on its RTF', async () => {
    const reject = { ...config, REASSIGNED_MEMBER_ROWS: 'reject' as const };
    await generate('mif', { ...onSlotDay('2027-01-15'), provider: 'ACME' }, world.deps);
    const extract = path.join(dataDir, 'ecm-assignments_switch_ben.csv');
    fs.writeFileSync(extract, 'cin,provider_code,lob,status,assigned_date,pof,enrollment_start,enrollment_end,acuity,lcm_name,lcm_phone\n91000002B,RIVAL,HN,1,2027-01-20,,,,,,\n');
    expect(await importUpstream(db.pool, 'ecm-assignments', extract, { config, now: new Date('2027-01-20T16:00:00Z') })).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    before = await benHn();
    expect(before).toMatchObject({ provider_code: 'RIVAL', status: 1 });

    const without = await file(reject, 'RTF_ACME_HN_202701.xlsx', await rtf([rtfRow(jan)]), 2);
    expect(without.document.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(ben(without, 'PAST_ENROLLMENT_NOT_REPORTED')).toEqual([]);

    const withBen = await file(reject, 'RTF_ACME_HN_202701_v2.xlsx', await rtf([rtfRow(jan), enrolledRow({ ...jan, acuity: 'Low' })]), 3);
    expect(withBen.document).toMatchObject({ outcome: 'PARTIALLY_ACCEPTED', rowsAccepted: 1, rowsRejected: 1 });
    const [issue] = ben(withBen, 'MEMBER_REASSIGNED');
    expect(issue).toMatchObject({ severity: 'error', row: 3, column: 'Member Client Index Number (CIN)' });
    expect(issue!.message).toMatch(/another ECM provider for HN: the row is not accepted/);
    expect(issue!.message).not.toMatch(/91000002B|Bravo|RIVAL/);
    const otfFile = await file(reject, 'OTF_ACME_HN_202701.xlsx', await benOtf(), 3);
    expect(otfFile.document).toMatchObject({ outcome: 'REJECTED', rowsRejected: 1 });
    expect(ben(otfFile, 'MEMBER_REASSIGNED')).toHaveLength(1);
    expect(await benHn()).toEqual(before);
    expect(await benCounts()).toEqual([]);
  });

  it('count (the default): the rows count for the period with a warning, change nothing of the member, and the member is owed as sent', async () => {
    const without = await file(config, 'RTF_ACME_HN_202701_v3.xlsx', await rtf([rtfRow(jan)]), 4);
    expect(ben(without, 'PAST_ENROLLMENT_NOT_REPORTED')).toHaveLength(1);

    const withBen = await file(config, 'RTF_ACME_HN_202701_v4.xlsx', await rtf([rtfRow(jan), enrolledRow({ ...jan, acuity: 'Low' })]), 5);
    expect(withBen.document).toMatchObject({ outcome: 'ACCEPTED_WITH_WARNINGS', rowsAccepted: 2, rowsRejected: 0 });
    const [issue] = ben(withBen, 'MEMBER_REASSIGNED_COUNTED');
    expect(issue).toMatchObject({ severity: 'warning', row: 3 });
    expect(issue!.message).toMatch(/counts for this reporting period.*changes nothing/);
    expect(issue!.message).not.toMatch(/91000002B|Bravo|RIVAL/);
    const otfFile = await file(config, 'OTF_ACME_HN_202701_v2.xlsx', await benOtf(), 5);
    expect(otfFile.document).toMatchObject({ outcome: 'ACCEPTED_WITH_WARNINGS', rowsAccepted: 1 });
    expect(ben(otfFile, 'MEMBER_REASSIGNED_COUNTED')).toHaveLength(1);
    // RIVAL's member is as the extract left it; ACME's report of the month counts for ACME
    expect(await benHn()).toEqual(before);
    expect(await benCounts()).toEqual([{ layout: 'OTF', n: 1 }, { layout: 'RTF', n: 1 }]);
  });
});

describe('an enrolled member who leaves during the month (status 4 with Start and End, spec §4.5) stays on the MIF until the month after', () => {
  let w: PlanWorld;
  beforeAll(async () => {
    w = await openPlanWorld('leaving', { settings: { SFTP_STABLE_SECONDS: '0' } });
  });
  afterAll(() => closePlanWorld(w));
  const mifOf = async (slot: string) => {
    const r = await generate('mif', { ...onSlotDay(slot), provider: 'ACME' }, w.deps);
    const file = r.units.find((u) => u.lob === 'HN')!.file!;
    return (await readRecords(path.join(w.sftp.root, 'ACME', 'downloads', file))).MIF!
      .map((x) => [x.cin, x.ecmStatus, (x.endDate as { date: string } | null | undefined)?.date ?? null]);
  };

  it('on the MIF of the month it ends in as reported (status 4, like status 3), owed on that month\'s RTF, off the next MIF', async () => {
    // what an accepted RTF applies: Ben reports leaving on December 20th (status 4, Start and
    // End), Fay the same with status 3
    await w.db.pool.query(`update ecm_assignments set status = 4, enrollment_start = '2026-08-15', enrollment_end = '2026-12-20' where cin = '91000002B' and lob = 'HN'`);
    await w.db.pool.query(`update ecm_assignments set status = 3, enrollment_end = '2026-12-20' where cin = '91000006F' and lob = 'HN'`);
    expect(await mifOf('2026-12-15')).toEqual([['91000001A', '1', null], ['91000002B', '4', '2026-12-20'], ['91000006F', '3', '2026-12-20']]);
    // the December RTF that leaves both out is told they are owed
    const december = { reportingPeriod: '12/2026', productionDate: d('2027-01-02') };
    const r = await ingestFile({ pool: w.db.pool, config: w.config }, {
      provider: 'ACME', originalName: 'RTF_ACME_HN_202612.xlsx', bytes: await rtf([rtfRow(december)]), receivedAt: new Date('2027-01-03T17:00:00Z'), source: 'cli',
    });
    expect(r.document.issues.filter((i) => i.code === 'PAST_ENROLLMENT_NOT_REPORTED').map((i) => i.cin).sort()).toEqual(['91000002B', '91000006F']);
    // January's MIF: both left before it began (Ann as that RTF reported her)
    expect(await mifOf('2027-01-15')).toEqual([['91000001A', '2', null]]);
  });
});

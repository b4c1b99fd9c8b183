// `status`, the month board, the missing-submission digest and the provider chart answer the
// same question ("what does this provider owe for the period, and what came?") and must agree:
// a reprocessed file is replaced by its new answer everywhere; a line with rows counting is in
// an accepted state whatever later files were refused; a file read and then declined is
// DECLINED; and a line the plan sent no members for owes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadlinePolicyFromConfig } from '../../src/calendar/deadlines.js';
import { generate } from '../../src/generate/run.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { checkReprocess } from '../../src/ingest/reprocess.js';
import { findMissingSubmissions, EXPECTED_TYPES } from '../../src/reports/missing.js';
import { providerTrend } from '../../src/repositories/board.js';
import { owedLines, periodStatus } from '../../src/repositories/status.js';
import { reprocessAsRun } from '../../src/runs/manual.js';
import { boardRows, type BoardRow } from '../../src/web/board.js';
import type { Viewer } from '../../src/web/layout.js';
import { P } from '../helpers/plan.js';
import { csprtf, csprtfRow, otf, otfRow, rtf, rtfRow } from '../helpers/provider-files.js';
import { answerUpload, closePlanWorld, onSlotDay, openPlanWorld, type PlanWorld, windowOf } from '../helpers/world.js';

const OPS: Viewer = { userId: 1, email: 'ops@plan.example', role: 'ops', csrf: '' };
const CV_ROW = { mcpId: 'CV', mcpName: 'CalViva Health', cin: '91000004D', lastName: 'Delta', firstName: 'Dee', clientName: 'Dee Delta' };

const answer = answerUpload;

const statusOf = async (w: PlanWorld, provider: string, type: string) =>
  (await periodStatus(w.db.pool, '2026-11-01', EXPECTED_TYPES, windowOf(w, '2026-11'))).find((r) => r.provider === provider && r.fileType === type);
const digestOf = async (w: PlanWorld, slot: string, provider: string) =>
  (await findMissingSubmissions(w.db.pool, w.config, slot as `${number}-${number}-${number}`)).find((r) => r.providerCode === provider);
const boardOf = async (w: PlanWorld): Promise<BoardRow[]> => (await boardRows(w.db.pool, OPS, '2026-11', {}, w.config.PLAN_TIME_ZONE, new Date('2026-12-06T16:00:00Z'), deadlinePolicyFromConfig(w.config))).rows;
const cell = (rows: BoardRow[], provider: string, lob: string, col: string) => rows.find((r) => r.provider === provider && r.lob === lob)?.cells[col];

describe('a file answered again by `reprocess` is replaced by the new answer, not added to', () => {
  let w: PlanWorld;
  beforeAll(async () => {
    w = await openPlanWorld('status-reprocess');
    await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
  });
  afterAll(() => closePlanWorld(w));

  it('status, board, digest and chart show the reprocessed answer once: accepted, linking to it', async () => {
    const pool = w.db.pool;
    // ACME's CalViva contract loaded late: its one-row CV RTF is rejected, then reprocessed
    await pool.query(`delete from provider_contracts where provider_code = 'ACME' and lob = 'CV'`);
    const first = await answer(w, 'ACME', 'RTF_ACME_202611.xlsx', await rtf([rtfRow(CV_ROW)]), '2026-12-02T17:00:00Z');
    expect(first.document.outcome).toBe('REJECTED');
    await pool.query(`insert into provider_contracts values ('ACME', 'CV', 'ECM')`);
    const c = await checkReprocess(pool, first.submissionId);
    const { result } = await reprocessAsRun({ pool, config: w.config, openSession: () => w.sftp.openSession(), now: () => new Date('2026-12-03T17:00:00Z') }, c, 'contract loaded late');
    const second = result.done.submissionId;
    expect(result.done.document.outcome).toBe('ACCEPTED');

    expect(await statusOf(w, 'ACME', 'RTF')).toMatchObject({
      state: 'ACCEPTED', submissions: 1, outcome: 'ACCEPTED', lastSubmissionId: second, rejectedFiles: 0, declinedFiles: 0,
    });
    const acme = await digestOf(w, '2026-12-06', 'ACME');
    expect(acme).toMatchObject({ missing: ['OTF'], missingLines: [{ type: 'RTF', lob: 'HN' }], rejected: {}, declined: {}, files: [] });
    const board = await boardOf(w);
    expect(cell(board, 'ACME', 'CV', 'RTF')).toMatchObject({ state: 'on-time', count: 1, href: `/submissions/${second}` });
    expect(cell(board, 'ACME', 'CV', 'RTF')!.detail).not.toMatch(/refused/);
    expect(cell(board, 'ACME', 'HN', 'RTF')).toMatchObject({ state: 'missing', count: 1, href: `/submissions/${second}` });
    expect(await providerTrend(pool, 'ACME', '2026-01-01')).toEqual([{ period: '2026-11', accepted: 1, rejected: 0 }]);
  });
});

describe('a type with rows counting for the period is accepted, whatever later files were refused', () => {
  let w: PlanWorld;
  beforeAll(async () => {
    w = await openPlanWorld('status-counting');
    await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
  });
  afterAll(() => closePlanWorld(w));

  it('an RTF accepted on the 2nd, then a correction with every row rejected; an OTF accepted, then an unreadable file', async () => {
    const onTime = await answer(w, 'ACME', 'RTF_ACME_202611.xlsx', await rtf([rtfRow()]), '2026-12-02T17:00:00Z');
    const fix = await answer(w, 'ACME', 'RTF_ACME_202611_fix.xlsx', await rtf([rtfRow({ ecmStatus: '9' })]), '2026-12-07T17:00:00Z');
    expect([onTime.document.verdict, fix.document.verdict, fix.document.outcome]).toEqual(['ON_TIME', 'RESUBMISSION', 'REJECTED']);
    const otfOnTime = await answer(w, 'ACME', 'OTF_ACME_202611.xlsx', await otf([otfRow()]), '2026-12-02T17:00:00Z');
    const csv = await answer(w, 'ACME', 'OTF_ACME_202611_fix.xlsx', Buffer.from('cin,date\n91000001A,2026-11-05\n'), '2026-12-07T17:00:00Z');
    expect(csv.document.outcome).toBe('REJECTED');

    // the 2nd's rows still count: accepted, on time as that file's verdict says; the latest
    // file (the refused correction) stays what lastFile names, and the refused files are counted
    expect(await statusOf(w, 'ACME', 'RTF')).toMatchObject({
      state: 'ACCEPTED', acceptedVerdict: 'ON_TIME', acceptedSubmissionId: onTime.submissionId,
      verdict: 'RESUBMISSION', outcome: 'REJECTED', lastSubmissionId: fix.submissionId, submissions: 2, rejectedFiles: 2,
    });
    expect(await statusOf(w, 'ACME', 'OTF')).toMatchObject({ state: 'ACCEPTED', acceptedVerdict: 'ON_TIME', acceptedSubmissionId: otfOnTime.submissionId, rejectedFiles: 1 });
    const board = await boardOf(w);
    const hnRtf = cell(board, 'ACME', 'HN', 'RTF')!;
    expect(hnRtf).toMatchObject({ state: 'on-time', count: 2 });
    expect(hnRtf.detail).toMatch(/refused files: 2 rejected, 0 declined/);
    expect(cell(board, 'ACME', 'HN', 'OTF')).toMatchObject({ state: 'on-time' });
    // the digest agrees: nothing of HN missing, the refused files listed
    const acme = await digestOf(w, '2026-12-11', 'ACME');
    expect(acme).toMatchObject({ missing: [], missingLines: [{ type: 'RTF', lob: 'CV' }, { type: 'OTF', lob: 'CV' }], rejected: { RTF: 1, unrecognised: 1 } });
  });

  it('REJECTED only when nothing counts: a first file whose every row was rejected', async () => {
    await answer(w, 'RIVAL', 'RTF_RIVAL_202611.xlsx', await rtf([rtfRow({ cin: '91000005E', lastName: 'Echo', firstName: 'Ed', ecmStatus: '9' })]), '2026-12-02T17:00:00Z');
    expect(await statusOf(w, 'RIVAL', 'RTF')).toMatchObject({ state: 'REJECTED', acceptedVerdict: null, acceptedSubmissionId: null, rejectedFiles: 1 });
    expect(cell(await boardOf(w), 'RIVAL', 'HN', 'RTF')).toMatchObject({ state: 'rejected' });
  });
});

describe('a file read and then declined as late is DECLINED, not REJECTED', () => {
  let w: PlanWorld;
  beforeAll(async () => {
    w = await openPlanWorld('status-declined', { settings: { LATE_FIRST_SUBMISSION: 'decline' } });
    await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
  });
  afterAll(() => closePlanWorld(w));

  it('a first RTF on the 7th (LATE_FIRST_SUBMISSION=decline): status DECLINED, the board declined', async () => {
    const late = await answer(w, 'ACME', 'RTF_ACME_202611.xlsx', await rtf([rtfRow()]), '2026-12-07T17:00:00Z');
    // read (its sheet is recorded), then declined
    expect([late.document.verdict, late.document.rowsRead]).toEqual(['DECLINED_LATE', 1]);
    expect(await statusOf(w, 'ACME', 'RTF')).toMatchObject({ state: 'DECLINED', verdict: 'DECLINED_LATE', declinedFiles: 1, rejectedFiles: 0 });
    expect(cell(await boardOf(w), 'ACME', 'HN', 'RTF')).toMatchObject({ state: 'declined', href: `/submissions/${late.submissionId}` });
    expect(await digestOf(w, '2026-12-11', 'ACME')).toMatchObject({ missing: ['RTF', 'OTF'], declined: { RTF: 1 } });
  });
});

describe('a line is owed only when the plan sent the provider members of it for the period', () => {
  let w: PlanWorld;
  beforeAll(async () => {
    w = await openPlanWorld('status-owed', { csAuthorizations: true });
    const pool = w.db.pool;
    // contracted before the files went out: RIVAL's CalViva MIF is header-only, and MEALS's
    // CSASF lists only its Health Net member
    await pool.query(`insert into provider_contracts values ('RIVAL', 'CV', 'ECM'), ('MEALS', 'CV', 'CS')`);
    await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
    await generate('csasf', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
    // contracted after: NEWCO was sent no MIF at all
    await pool.query(`insert into providers (provider_code, npi, tin, name, phone, contact_email, liaison_email, sftp_folder)
      values ('NEWCO', '1111111111', '222333444', 'New Care Co', '5595550500', 'ops@newco.example', 'liaison@plan.example', 'NEWCO')`);
    await pool.query(`insert into provider_contracts values ('NEWCO', 'HN', 'ECM')`);
  });
  afterAll(() => closePlanWorld(w));

  it('the digest and the board owe nothing of a line with no members sent (no MIF, a header-only MIF, no CSASF row of the line)', async () => {
    const mifs = await w.db.pool.query(`select provider_code, lob, row_count > 0 as members from outbound_files where kind = 'MIF' and status = 'PUBLISHED' order by 1, 2`);
    expect(mifs.rows).toEqual([
      { provider_code: 'ACME', lob: 'CV', members: true }, { provider_code: 'ACME', lob: 'HN', members: true },
      { provider_code: 'RIVAL', lob: 'CV', members: false }, { provider_code: 'RIVAL', lob: 'HN', members: true },
    ]);
    // RIVAL and MEALS send what they were sent members of (Health Net); ACME and HOMEWAY nothing
    const echo = { cin: '91000005E', lastName: 'Echo', firstName: 'Ed', clientName: 'Ed Echo' };
    for (const [name, bytes] of [['RTF_RIVAL_202611.xlsx', await rtf([rtfRow(echo, P.ECM2)])], ['OTF_RIVAL_202611.xlsx', await otf([otfRow(echo, P.ECM2)])]] as const)
      expect((await answer(w, 'RIVAL', name, bytes, '2026-12-02T17:00:00Z')).document.outcome).toMatch(/^ACCEPTED/);
    const meals = await answer(w, 'MEALS', 'CSPRTF_MEALS_202611.xlsx', await csprtf([csprtfRow({ ...echo, serviceCode: 'MTM' }, P.CS2)]), '2026-12-02T17:00:00Z');
    expect(meals.document.outcome).toMatch(/^ACCEPTED/);

    const digest = await findMissingSubmissions(w.db.pool, w.config, '2026-12-11');
    expect(digest.map((r) => [r.providerCode, r.program, r.missing, r.missingLines])).toEqual([
      ['ACME', 'ECM', ['RTF', 'OTF'], []],
      ['HOMEWAY', 'CS', ['CSPRTF'], []],
    ]);
    const board = await boardOf(w);
    // not owed: no cell (the board's "not expected")
    expect(cell(board, 'NEWCO', 'HN', 'RTF')).toBeUndefined();
    expect(cell(board, 'NEWCO', 'HN', 'MIF')).toMatchObject({ state: 'not-sent' });
    expect(cell(board, 'RIVAL', 'CV', 'RTF')).toBeUndefined();
    expect(cell(board, 'RIVAL', 'CV', 'OTF')).toBeUndefined();
    expect(cell(board, 'MEALS', 'CV', 'CSPRTF')).toBeUndefined();
    expect(cell(board, 'RIVAL', 'HN', 'RTF')).toMatchObject({ state: 'on-time' });
    expect(cell(board, 'MEALS', 'HN', 'CSPRTF')).toMatchObject({ state: 'on-time' });
    expect(cell(board, 'ACME', 'CV', 'RTF')).toMatchObject({ state: 'missing' });
    expect(cell(board, 'HOMEWAY', 'CV', 'CSPRTF')).toMatchObject({ state: 'missing' });
    // status agrees: NEWCO owes nothing, ACME owes its files
    expect(await statusOf(w, 'NEWCO', 'RTF')).toMatchObject({ state: 'NOT_OWED', owed: false });
    expect(await statusOf(w, 'ACME', 'RTF')).toMatchObject({ state: 'MISSING', owed: true });
  });

  it('a file from a provider that owed none is still shown: rejected, not "not expected"', async () => {
    const pool = w.db.pool;
    // no sFTP folder for NEWCO in this world: read, not answered over sFTP
    const done = await ingestFile({ pool, config: w.config }, {
      provider: 'NEWCO', originalName: 'RTF_NEWCO_202611.xlsx', bytes: await rtf([rtfRow({}, { code: 'NEWCO', npi: '1111111111', tin: '222333444', name: 'New Care Co' })]),
      receivedAt: new Date('2026-12-02T17:00:00Z'), source: 'cli',
    });
    expect(done.document.outcome).toBe('REJECTED');
    expect(await statusOf(w, 'NEWCO', 'RTF')).toMatchObject({ state: 'REJECTED', owed: false });
    expect(cell(await boardOf(w), 'NEWCO', 'HN', 'RTF')).toMatchObject({ state: 'rejected' });
  });
});

describe('the provider chart counts what counts: a correction is not added to the file it corrects', () => {
  let w: PlanWorld;
  beforeAll(async () => {
    w = await openPlanWorld('status-trend', { csAuthorizations: true });
    await generate('csasf', onSlotDay('2026-11-29'), w.deps);
  });
  afterAll(() => closePlanWorld(w));

  it('a CSPRTF of three rows (one rejected), then a fix of the rejected row and an update of another: three rows count, none still failing', async () => {
    const ben = { cin: '91000002B', lastName: 'Bravo', firstName: 'Ben' };
    const first = await answer(w, 'HOMEWAY', 'CSPRTF_HOMEWAY_202611.xlsx', await csprtf([
      csprtfRow(),
      csprtfRow({ ...ben, serviceCode: 'HD', engagementStatus: '1', outreachDate: null, outreachMethod: null }),
      csprtfRow({ ...ben, serviceCode: 'RS', engagementStatus: '9' }),
    ]), '2026-12-03T17:00:00Z');
    expect(first.document).toMatchObject({ rowsAccepted: 2, rowsRejected: 1 });
    expect(await providerTrend(w.db.pool, 'HOMEWAY', '2026-01-01')).toEqual([{ period: '2026-11', accepted: 2, rejected: 1 }]);
    const fix = await answer(w, 'HOMEWAY', 'CSPRTF_HOMEWAY_202611_fix.xlsx', await csprtf([
      csprtfRow({ outreachDate: { date: '2026-11-20' } }),
      csprtfRow({ ...ben, serviceCode: 'RS', engagementStatus: '2' }),
    ]), '2026-12-08T17:00:00Z');
    expect(fix.document).toMatchObject({ verdict: 'RESUBMISSION', rowsAccepted: 2, rowsRejected: 0 });
    expect(await providerTrend(w.db.pool, 'HOMEWAY', '2026-01-01')).toEqual([{ period: '2026-11', accepted: 3, rejected: 0 }]);
    // a later file with a row still wrong: it fails until fixed
    await answer(w, 'HOMEWAY', 'CSPRTF_HOMEWAY_202611_more.xlsx', await csprtf([csprtfRow({ cin: '91000004D', mcpId: 'CV', lastName: 'Delta', firstName: 'Dee', serviceCode: 'RC', engagementStatus: '9' })]), '2026-12-09T17:00:00Z');
    expect(await providerTrend(w.db.pool, 'HOMEWAY', '2026-01-01')).toEqual([{ period: '2026-11', accepted: 3, rejected: 1 }]);
  });

  it('status names the line still owed, as the digest and the board do: HN rows count, none of CalViva', async () => {
    expect(await statusOf(w, 'HOMEWAY', 'CSPRTF')).toMatchObject({ state: 'ACCEPTED', owed: true, missingLines: ['CV'] });
    expect(await digestOf(w, '2026-12-11', 'HOMEWAY')).toMatchObject({ missing: [], missingLines: [{ type: 'CSPRTF', lob: 'CV' }] });
    const board = await boardOf(w);
    expect([cell(board, 'HOMEWAY', 'HN', 'CSPRTF')!.state, cell(board, 'HOMEWAY', 'CV', 'CSPRTF')!.state]).toEqual(['resubmitted', 'missing']);
    expect(await statusOf(w, 'MEALS', 'CSPRTF')).toMatchObject({ state: 'MISSING', missingLines: ['HN'] });
    expect(await statusOf(w, 'ACME', 'RTF')).toMatchObject({ state: 'NOT_OWED', missingLines: [] });
  });
});

describe("the last file sent for a period is that period's, never a later month's", () => {
  let w: PlanWorld;
  beforeAll(async () => {
    w = await openPlanWorld('status-sent', { csAuthorizations: true });
    for (const date of ['2026-10-15', '2026-11-15']) {
      await generate('mif', { date, now: new Date(`${date}T14:30:00Z`) }, w.deps);
      await generate('csasf', { date, now: new Date(`${date}T14:30:00Z`) }, w.deps);
    }
  });
  afterAll(() => closePlanWorld(w));

  it('status --period 2026-10 names the October MIF and CSASF, as the board does; September: none sent', async () => {
    const sent = async (period: string, provider: string, type: string) =>
      (await periodStatus(w.db.pool, `${period}-01`, EXPECTED_TYPES, windowOf(w, period))).find((r) => r.provider === provider && r.fileType === type)?.lastSent;
    const board = async (period: string) => (await boardRows(w.db.pool, OPS, period, {}, w.config.PLAN_TIME_ZONE, new Date('2026-12-06T16:00:00Z'), deadlinePolicyFromConfig(w.config))).rows;
    expect(await sent('2026-10', 'ACME', 'RTF')).toBe('2026-10-15');
    expect(await sent('2026-10', 'HOMEWAY', 'CSPRTF')).toBe('2026-10-15');
    expect(cell(await board('2026-10'), 'ACME', 'HN', 'MIF')).toMatchObject({ state: 'sent' });
    expect(await sent('2026-09', 'ACME', 'RTF')).toBeNull();
    expect(await sent('2026-09', 'HOMEWAY', 'CSPRTF')).toBeNull();
    expect(cell(await board('2026-09'), 'ACME', 'HN', 'MIF')).toMatchObject({ state: 'not-sent' });
    expect(await sent('2026-11', 'ACME', 'RTF')).toBe('2026-11-15');
  });
});

// A MIF or CSASF caught up after a long outage, once its period's window had closed: its email
// says a file for that period is no longer accepted and asks for the members on the next
// period's file. So the period owes nothing from it (it is neither MISSING on the board nor in
// `status` or the digest), and the next period owes what it listed.
describe('a file that went out after its period\'s window closed asks nothing of that period', () => {
  let w: PlanWorld;
  beforeAll(async () => {
    w = await openPlanWorld('status-late-file', { csAuthorizations: true });
    // the outage: November's MIF (slot of the 15th) and CSASF (of the 29th) go out on December 12th
    const late = { now: new Date('2026-12-12T17:00:00Z') };
    await generate('mif', { date: '2026-11-15', ...late }, w.deps);
    await generate('csasf', { date: '2026-11-29', ...late }, w.deps);
  });
  afterAll(() => closePlanWorld(w));

  const owed = async (period: string) =>
    (await owedLines(w.db.pool, `${period}-01`, windowOf(w, period))).filter((o) => o.provider === 'ACME' || o.provider === 'HOMEWAY').map((o) => `${o.provider}|${o.program}|${o.lob}`).sort();

  it('November: not owed (status, board, digest); December: owed from it', async () => {
    expect(await owed('2026-11')).toEqual([]);
    expect(await statusOf(w, 'ACME', 'RTF')).toMatchObject({ state: 'NOT_OWED', owed: false, lastSent: '2026-11-15' });
    expect(await statusOf(w, 'HOMEWAY', 'CSPRTF')).toMatchObject({ state: 'NOT_OWED', owed: false });
    expect(cell(await boardOf(w), 'ACME', 'HN', 'RTF')?.state).not.toBe('missing');
    expect(await digestOf(w, '2026-12-11', 'ACME')).toBeUndefined();
    expect(await owed('2026-12')).toEqual(expect.arrayContaining(['ACME|ECM|HN', 'HOMEWAY|CS|HN']));
  });

  it('a file that went out on the last day a file for the period is accepted (the 10th, plan time) does owe it', async () => {
    // 23:30 on the 10th in Los Angeles is already the 11th in UTC
    await w.db.pool.query(`update outbound_files set published_at = '2026-12-11T07:30:00Z' where status = 'PUBLISHED'`);
    expect(await owed('2026-11')).toEqual(expect.arrayContaining(['ACME|ECM|HN', 'HOMEWAY|CS|HN']));
    expect(await statusOf(w, 'ACME', 'RTF')).toMatchObject({ state: 'MISSING', owed: true });
    await w.db.pool.query(`update outbound_files set published_at = '2026-12-11T08:30:00Z' where status = 'PUBLISHED'`);
    expect(await owed('2026-11')).toEqual([]);
  });
});

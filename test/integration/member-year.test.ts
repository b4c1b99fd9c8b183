// A member's story across a year: what is right one file at a time but wrong over months.
// Each story walks the real imports, generation and ingest on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { checkReprocess } from '../../src/ingest/reprocess.js';
import { reprocessAsRun } from '../../src/runs/manual.js';
import { csprtf, csprtfRow, enrolledRow, otf, otfRow, rtf, rtfRow } from '../helpers/provider-files.js';
import { answerUpload, closePlanWorld, importExtract, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const d = (date: string) => ({ date });
const DECEMBER = { reportingPeriod: '12/2026', productionDate: d('2027-01-02') };

describe('a file for an older period read again after a newer period was applied', () => {
  let w: PlanWorld;
  beforeAll(async () => {
    w = await openPlanWorld('year-older-period', { settings: { SFTP_STABLE_SECONDS: '0' } });
    await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
  });
  afterAll(() => closePlanWorld(w));

  it("November's RTF reprocessed in January does not undo the member's discharge the December RTF reported", async () => {
    const pool = w.db.pool;
    const nov = await answerUpload(w, 'ACME', 'RTF_ACME_202611.xlsx', await rtf([rtfRow(), enrolledRow({ newPhone: 'Y', phone: '5595559001' })]), '2026-12-02T17:00:00Z');
    expect(nov.document.outcome).not.toBe('REJECTED');
    await generate('mif', { date: '2026-12-15', now: new Date('2026-12-15T14:30:00Z') }, w.deps);
    // December: Ben leaves ECM on the 20th (status 4, Start and End)
    const dec = await answerUpload(w, 'ACME', 'RTF_ACME_202612.xlsx', await rtf([
      rtfRow(DECEMBER), enrolledRow({ ...DECEMBER, ecmStatus: '4', endDate: d('2026-12-20'), discontinuationReasonCode: 'WM', newPhone: 'Y', phone: '5595559002' }),
    ]), '2027-01-04T17:00:00Z');
    expect(dec.document.rowsRejected, JSON.stringify(dec.document.issues.filter((i) => i.severity === 'error'))).toBe(0);
    const ben = async () => (await pool.query(`select status, enrollment_end::text as end, m.phone
      from ecm_assignments a join members m using (cin) where cin = '91000002B' and lob = 'HN'`)).rows[0];
    expect(await ben()).toEqual({ status: 4, end: '2026-12-20', phone: '5595559002' });
    // an operator reads November's file again (a code set widened) in January
    const c = await checkReprocess(pool, nov.submissionId);
    const { result } = await reprocessAsRun({ pool, config: w.config, openSession: () => w.sftp.openSession(), now: () => new Date('2027-01-20T17:00:00Z') }, c, 'code set widened');
    expect(result.done.document.outcome).not.toBe('REJECTED');
    // the member's state and phone are December's, the latest the provider reported
    expect(await ben()).toEqual({ status: 4, end: '2026-12-20', phone: '5595559002' });
  });
});

describe('a CSPRTF for an older period read again after a newer period was applied', () => {
  let w: PlanWorld;
  beforeAll(async () => {
    w = await openPlanWorld('year-older-csprtf', { csAuthorizations: true, settings: { SFTP_STABLE_SECONDS: '0' } });
    await generate('csasf', onSlotDay('2026-11-29'), w.deps);
  });
  afterAll(() => closePlanWorld(w));

  it("November's CSPRTF reprocessed in January takes back nothing December's CSPRTF reported of a member x service", async () => {
    const pool = w.db.pool;
    const DEE = { cin: '91000004D', mcpId: 'CV', lastName: 'Delta', firstName: 'Dee', serviceCode: 'RC', authNumber: 'A-400' };
    const DELIVERING = { engagementStatus: '3', outreachDate: null, outreachMethod: null, serviceStartDate: d('2026-11-05') };
    const DEC = { reportingPeriod: '12/2026', productionDate: d('2027-01-04') };
    // HOMEWAY's CalViva contract is missing when November's file comes (loaded late): Dee's row is rejected
    await pool.query(`delete from provider_contracts where provider_code = 'HOMEWAY' and lob = 'CV'`);
    const nov = await answerUpload(w, 'HOMEWAY', 'CSPRTF_HOMEWAY_202611.xlsx', await csprtf([
      csprtfRow(), // Ann x HTN: outreach (status 2)
      csprtfRow({ ...DEE, engagementStatus: '4', outreachDate: null, outreachMethod: null, discontinuationReasonCode: 'DP', serviceStartDate: d('2026-11-05'), serviceEndDate: d('2026-11-25') }),
    ]), '2026-12-03T18:00:00Z');
    expect(nov.document.issues.filter((i) => i.severity === 'error').map((i) => [i.row, i.code])).toEqual([[3, 'LOB_NOT_CONTRACTED']]);
    await pool.query(`insert into provider_contracts values ('HOMEWAY', 'CV', 'CS')`);
    await generate('csasf', onSlotDay('2026-12-15'), w.deps);
    // December: Ann's services are delivered; Dee's go on (the authorization stays open)
    const dec = await answerUpload(w, 'HOMEWAY', 'CSPRTF_HOMEWAY_202612.xlsx', await csprtf([
      csprtfRow({ ...DELIVERING, ...DEC, authNumber: 'A-100' }),
      csprtfRow({ ...DEE, ...DELIVERING, ...DEC }),
    ]), '2027-01-05T18:00:00Z');
    expect(dec.document.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const state = async () => ({
      engagements: (await pool.query(`select e.cin, e.service_code, e.status, u.original_name as file from cs_engagements e
        join submission_sheets s on s.id = e.sheet_id join submissions u on u.id = s.submission_id where e.provider_code = 'HOMEWAY' order by 1, 2`)).rows,
      episodes: (await pool.query(`select cin, service_code, resolved from cs_authorizations where provider_code = 'HOMEWAY' and auth_key in ('A-100', 'A-400') order by 1, 2`)).rows,
    });
    const december = {
      engagements: [
        { cin: '91000001A', service_code: 'HTN', status: 3, file: 'CSPRTF_HOMEWAY_202612.xlsx' },
        { cin: '91000004D', service_code: 'RC', status: 3, file: 'CSPRTF_HOMEWAY_202612.xlsx' },
      ],
      episodes: [{ cin: '91000001A', service_code: 'HTN', resolved: false }, { cin: '91000004D', service_code: 'RC', resolved: false }],
    };
    expect(await state()).toEqual(december);
    // an operator reads November's file again (the contract is in now) in January
    const c = await checkReprocess(pool, nov.submissionId);
    const { result } = await reprocessAsRun({ pool, config: w.config, openSession: () => w.sftp.openSession(), now: () => new Date('2027-01-20T17:00:00Z') }, c, 'CalViva contract loaded late');
    expect(result.done.document.rowsAccepted).toBe(2);
    // what the provider reported of each member x service, and Dee's open authorization, are December's
    expect(await state()).toEqual(december);
  });
});

describe('a member re-referred to the provider she left, before its RTF for the month she left came', () => {
  let w: PlanWorld;
  beforeAll(async () => {
    w = await openPlanWorld('year-rereferred', { settings: { SFTP_STABLE_SECONDS: '0' } });
    await generate('mif', { date: '2026-10-15', now: new Date('2026-10-15T14:30:00Z') }, w.deps);
  });
  afterAll(() => closePlanWorld(w));

  it("October's RTF reporting her discharge on October 31 counts for October and leaves the new episode (status 1 from November 2) as it is", async () => {
    const pool = w.db.pool;
    const fay = async () => (await pool.query(`select provider_code, status, assigned_date::text as assigned, enrollment_start::text as start, enrollment_end::text as end
      from ecm_assignments where cin = '91000006F' and lob = 'HN'`)).rows[0];
    // Fay's enrollment with ACME ended on October 31; ACME is referred her again on November 2
    expect(await importExtract(w, 'referrals', 'ref.csv', ['R-F2,91000006F,ACME,HN,2026-11-02'], '2026-11-02T18:00:00Z')).toMatchObject({ rowsImported: 1 });
    expect(await fay()).toEqual({ provider_code: 'ACME', status: 1, assigned: '2026-11-02', start: null, end: null });
    // ACME's October RTF (on time, the 4th) reports the enrollment that ended
    const fayRow = {
      cin: '91000006F', lastName: 'Foxtrot', firstName: 'Fay', ecmStatus: '4', acuity: 'Medium', startDate: d('2026-06-05'), endDate: d('2026-10-31'),
      discontinuationReasonCode: 'WM', lcmName: 'Pat Lee', lcmPhone: '5595552000', reportingPeriod: '10/2026', productionDate: d('2026-11-03'),
      assessmentStartedDate: d('2026-06-10'), assessmentCompletedDate: d('2026-07-01'), carePlanDate: d('2026-07-15'), lastEncounterDate: d('2026-10-20'),
    };
    const oct = await answerUpload(w, 'ACME', 'RTF_ACME_202610.xlsx', await rtf([enrolledRow(fayRow)]), '2026-11-04T17:00:00Z');
    expect(oct.document.rowsRejected, JSON.stringify(oct.document.issues.filter((i) => i.severity === 'error'))).toBe(0);
    // the row counts for October
    expect((await pool.query(`select count(*)::int n from current_rows where provider_code = 'ACME' and layout = 'RTF' and period = '2026-10-01' and row_key = '91000006F'`)).rows[0].n).toBe(1);
    // and the new episode stands: Fay is on November's MIF, pending outreach
    expect(await fay()).toEqual({ provider_code: 'ACME', status: 1, assigned: '2026-11-02', start: null, end: null });
    await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
    const onMif = await pool.query(`select r.ecm_status from outbound_file_rows r join outbound_files o on o.id = r.outbound_file_id
      where o.kind = 'MIF' and o.slot = '2026-11-15' and o.provider_code = 'ACME' and o.lob = 'HN' and r.cin = '91000006F'`);
    expect(onMif.rows).toEqual([{ ecm_status: 1 }]);
  });
});

describe("unable to engage after a re-referral: the outreach of the member's earlier episode does not count", () => {
  let w: PlanWorld;
  beforeAll(async () => {
    w = await openPlanWorld('year-ue-episode', { settings: { SFTP_STABLE_SECONDS: '0' } });
    // Ann was assigned to ACME in June
    await w.db.pool.query(`update ecm_assignments set assigned_date = '2026-06-01' where cin = '91000001A' and lob = 'HN'`);
  });
  afterAll(() => closePlanWorld(w));

  it('5 attempts in June, discontinued (WM) in June, referred again in November, 2 attempts, then UE: warned', async () => {
    const june = { reportingPeriod: '06/2026', productionDate: d('2026-07-01') };
    const junOtf = await answerUpload(w, 'ACME', 'OTF_ACME_202606.xlsx', await otf(['2026-06-03', '2026-06-08', '2026-06-15', '2026-06-22', '2026-06-29'].map(
      (day, i) => otfRow({ attemptDate: d(day), method: String(1 + (i % 2)) }))), '2026-07-02T17:00:00Z');
    expect(junOtf.document.rowsAccepted).toBe(5);
    const junRtf = await answerUpload(w, 'ACME', 'RTF_ACME_202606.xlsx', await rtf([
      rtfRow({ ...june, ecmStatus: '4', discontinuationDate: d('2026-06-30'), discontinuationReasonCode: 'WM' })]), '2026-07-02T17:00:00Z');
    expect(junRtf.document.rowsAccepted).toBe(1);
    // referred to ACME again on November 2: a new episode, and a new outreach
    expect(await importExtract(w, 'referrals', 'ref.csv', ['R-A2,91000001A,ACME,HN,2026-11-02'], '2026-11-02T18:00:00Z')).toMatchObject({ rowsImported: 1 });
    await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
    const novOtf = await answerUpload(w, 'ACME', 'OTF_ACME_202611.xlsx', await otf([
      otfRow({ attemptDate: d('2026-11-10'), method: '1' }), otfRow({ attemptDate: d('2026-11-20'), method: '2' })]), '2026-12-02T17:00:00Z');
    expect(novOtf.document.rowsAccepted).toBe(2);
    const novRtf = await answerUpload(w, 'ACME', 'RTF_ACME_202611.xlsx', await rtf([
      rtfRow({ ecmStatus: '4', discontinuationDate: d('2026-11-30'), discontinuationReasonCode: 'UE' })]), '2026-12-02T18:00:00Z');
    expect(novRtf.document.rowsAccepted).toBe(1);
    const warning = novRtf.document.issues.find((i) => i.code === 'UE_OUTREACH_INSUFFICIENT');
    expect(warning?.message).toContain('2 attempt(s)');
  });
});

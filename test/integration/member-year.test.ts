// A member's story across a year: what is right one file at a time but wrong over months.
// Each story walks the real imports, generation and ingest on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { checkReprocess } from '../../src/ingest/reprocess.js';
import { reprocessAsRun } from '../../src/runs/manual.js';
import { enrolledRow, rtf, rtfRow } from '../helpers/provider-files.js';
import { answerUpload, closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';

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

// A CS re-authorization denied before the approved authorization it would renew has even started
// (cs-denied-reauth.test.ts has the one denied while it is in force). The denial is a new episode
// that supersedes the approved one at import, yet it takes nothing away from it (domain §5 item 3):
// the provider is to deliver under the approved authorization from its start, so every CSASF up
// to its end shows it, as a future authorization is shown once decided; only then the denial,
// for CSASF_CLOSED_RETENTION_DAYS counted from that end. Never the denial first, then the
// approval, then the denial again.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSPRTF } from '../../schemas/index.js';
import { generate } from '../../src/generate/run.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { csprtfRow, workbook } from '../helpers/provider-files.js';
import { readRecords } from '../helpers/workbook.js';
import { closePlanWorld, importExtract, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const d = (date: string) => ({ date });
// HOMEWAY, HTSS. Cy's denial carries no dates; Fay's the period it was requested for. Ann's
// approved authorization that has not started follows one in force (a renewal approved early):
// until that one ends it is the one shown, as before the denial was loaded.
const CY = { cin: '91000003C', lastName: 'Charlie', firstName: 'Cy', serviceCode: 'HTSS' };
const FAY = { cin: '91000006F', lastName: 'Foxtrot', firstName: 'Fay', serviceCode: 'HTSS' };
const ANN = { cin: '91000001A', lastName: 'Alpha', firstName: 'Ann', serviceCode: 'HTSS' };
// Ed's next authorization is no denial but a renewal approved early, from the day after the one
// not started yet ends: that one too is shown until its end, then the renewal (never the renewal,
// then the first, then the renewal again).
const ED = { cin: '91000005E', lastName: 'Echo', firstName: 'Ed', serviceCode: 'HTSS' };
const IN_FORCE = ['2026-03-01', '2026-08-31'];
const FUTURE = ['2026-09-01', '2026-11-30'];

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('cs-denied-reauth-future', { csAuthorizations: true });
  const approved = (cin: string, n: string, [start, end]: string[], decided: string) =>
    `${cin},HOMEWAY,HN,HTSS,AUTHORIZED,Approved,${n},${start},${end},${decided},${decided},${decided},`;
  expect(await importExtract(w, 'cs-authorizations', 'cs_authorizations_20260222.csv', [approved(ANN.cin, 'A-1', IN_FORCE, '2026-02-20')], '2026-02-22T16:00:00Z'))
    .toMatchObject({ rowsImported: 1, rowsRejected: 0 });
  // approved June 20 for September to November (Ann's: the renewal of A-1, superseding it)
  expect(await importExtract(w, 'cs-authorizations', 'cs_authorizations_20260622.csv', [
    approved(CY.cin, 'C-100', FUTURE, '2026-06-20'), approved(FAY.cin, 'F-100', FUTURE, '2026-06-20'), approved(ANN.cin, 'A-2', FUTURE, '2026-06-20'),
    approved(ED.cin, 'E-100', FUTURE, '2026-06-20'),
  ], '2026-06-22T16:00:00Z')).toMatchObject({ rowsImported: 4, rowsRejected: 0 });
  // the next requests, decided (denied) June 30, loaded July 2
  expect(await importExtract(w, 'cs-authorizations', 'cs_authorizations_20260702.csv', [
    `${CY.cin},HOMEWAY,HN,HTSS,AUTHORIZED,Denied,C-101,,,2026-06-25,2026-06-30,2026-06-25,`,
    `${FAY.cin},HOMEWAY,HN,HTSS,AUTHORIZED,Denied,F-101,2026-12-01,2027-05-31,2026-06-25,2026-06-30,2026-06-25,`,
    `${ANN.cin},HOMEWAY,HN,HTSS,AUTHORIZED,Denied,A-3,2026-12-01,2027-05-31,2026-06-25,2026-06-30,2026-06-25,`,
    approved(ED.cin, 'E-101', ['2026-12-01', '2027-05-31'], '2026-06-30'),
  ], '2026-07-02T16:00:00Z')).toMatchObject({ rowsImported: 4, rowsRejected: 0 });
});
afterAll(() => closePlanWorld(w));

/** HOMEWAY's CSASF of `slot`, generated on that day: per member of the story, what it shows of the pair. */
async function csasf(slot: string) {
  const r = await generate('csasf', { ...onSlotDay(slot), provider: 'HOMEWAY' }, w.deps);
  const rows = (await readRecords(path.join(w.sftp.root, 'HOMEWAY', 'downloads', r.units[0]!.file!))).CSASF ?? [];
  const of = (cin: string) => rows.filter((x) => x.cin === cin && x.serviceCode === 'HTSS').map((x) => [x.authNumber, x.authStatus]);
  return { cy: of(CY.cin), fay: of(FAY.cin), ann: of(ANN.cin), ed: of(ED.cin) };
}

describe('a re-authorization denied before the authorization it would renew has started', () => {
  it('is a new episode that supersedes the approved one (not that one updated in place)', async () => {
    const episodes = await w.db.pool.query<{ cin: string; auth_number: string; auth_status: string; resolved_reason: string | null }>(
      `select cin, auth_number, auth_status, resolved_reason from cs_authorizations where service_code = 'HTSS' and cin = any($1) order by cin, id`,
      [[CY.cin, FAY.cin]],
    );
    expect(episodes.rows).toEqual([
      { cin: CY.cin, auth_number: 'C-100', auth_status: 'Approved', resolved_reason: 'SUPERSEDED' },
      { cin: CY.cin, auth_number: 'C-101', auth_status: 'Denied', resolved_reason: null },
      { cin: FAY.cin, auth_number: 'F-100', auth_status: 'Approved', resolved_reason: 'SUPERSEDED' },
      { cin: FAY.cin, auth_number: 'F-101', auth_status: 'Denied', resolved_reason: null },
    ]);
  });

  it('the CSASFs show the approved authorization before it starts and while it runs, and the provider reports delivering service under it', async () => {
    const slots: [string, 'before' | 'during'][] = [['2026-07-15', 'before'], ['2026-08-29', 'before'], ['2026-09-15', 'during'], ['2026-09-29', 'during'], ['2026-11-29', 'during']];
    for (const [slot, when] of slots) {
      expect.soft({ slot, ...(await csasf(slot)) }).toEqual({
        slot, cy: [['C-100', 'Approved']], fay: [['F-100', 'Approved']], ann: [[when === 'before' ? 'A-1' : 'A-2', 'Approved']], ed: [['E-100', 'Approved']],
      });
      if (slot !== '2026-09-29') continue;
      // September's CSPRTF, checked against the CSASF of the 29th: each delivering under its approved number
      const done = await ingestFile({ pool: w.db.pool, config: w.config }, {
        provider: 'HOMEWAY', originalName: 'CSPRTF_HOMEWAY_09.xlsx', receivedAt: new Date('2026-10-03T18:00:00Z'), source: 'cli',
        bytes: await workbook([[CSPRTF, [
          csprtfRow({ ...CY, engagementStatus: '3', authNumber: 'C-100', serviceStartDate: d('2026-09-05'), outreachDate: null, outreachMethod: null, reportingPeriod: '09/2026', productionDate: d('2026-10-03') }),
          csprtfRow({ ...FAY, engagementStatus: '3', authNumber: 'F-100', serviceStartDate: d('2026-09-05'), outreachDate: null, outreachMethod: null, reportingPeriod: '09/2026', productionDate: d('2026-10-03') }),
          csprtfRow({ ...ANN, engagementStatus: '3', authNumber: 'A-2', serviceStartDate: d('2026-03-05'), outreachDate: null, outreachMethod: null, reportingPeriod: '09/2026', productionDate: d('2026-10-03') }),
        ]]]),
      });
      expect.soft(done.document.issues.filter((i) => i.severity === 'error').map((i) => [i.row, i.code])).toEqual([]);
      expect.soft(done.document).toMatchObject({ rowsRead: 3, rowsAccepted: 3, rowsRejected: 0 });
    }
  });

  it('once the approved authorization has ended, the pair shows the denial for the retention counted from that end, then drops off', async () => {
    // CSASF_CLOSED_RETENTION_DAYS is 60: from November 30, up to the slot of January 29
    expect(w.config.CSASF_CLOSED_RETENTION_DAYS).toBe(60);
    for (const slot of ['2026-12-15', '2027-01-29']) {
      expect.soft({ slot, ...(await csasf(slot)) }).toEqual({ slot, cy: [['C-101', 'Denied']], fay: [['F-101', 'Denied']], ann: [['A-3', 'Denied']], ed: [['E-101', 'Approved']] });
    }
    expect(await csasf('2027-02-15')).toEqual({ cy: [], fay: [], ann: [], ed: [['E-101', 'Approved']] });
  });
});

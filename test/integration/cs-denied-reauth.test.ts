// A CS re-authorization denied while the authorization it would renew is still in force (domain
// §5 item 1: keyed member x service x authorization). The member stays authorized, and the
// provider keeps delivering, under the approved authorization until its end: the CSASFs show it
// (so the provider's CSPRTF may report status 3 on it, domain §5 item 3), and only once it has
// ended does the pair show the denial, for CSASF_CLOSED_RETENTION_DAYS counted from then.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSPRTF } from '../../schemas/index.js';
import { generate } from '../../src/generate/run.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { csprtfRow, workbook } from '../helpers/provider-files.js';
import { readRecords } from '../helpers/workbook.js';
import { closePlanWorld, importExtract, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const d = (date: string) => ({ date });
// HOMEWAY, HTSS: Gil's denial carries no dates; Hana's carries the period it was requested for
const GIL = { cin: '91000007G', lastName: 'Golf', firstName: 'Gil', serviceCode: 'HTSS' };
const HANA = { cin: '91000008H', lastName: 'Hotel', firstName: 'Hana', serviceCode: 'HTSS' };
const A1_DATES = [d('2026-03-01'), d('2026-08-31')];

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('cs-denied-reauth', { csAuthorizations: true });
  const approved = (cin: string, n: string) => `${cin},HOMEWAY,HN,HTSS,AUTHORIZED,Approved,${n},2026-03-01,2026-08-31,2026-02-15,2026-02-20,2026-02-20,`;
  expect(await importExtract(w, 'cs-authorizations', 'cs_authorizations_20260222.csv', [approved(GIL.cin, 'G-100'), approved(HANA.cin, 'H-100')], '2026-02-22T16:00:00Z'))
    .toMatchObject({ rowsImported: 2, rowsRejected: 0 });
  // the re-authorization requests, decided (denied) June 20, loaded June 22
  expect(await importExtract(w, 'cs-authorizations', 'cs_authorizations_20260622.csv', [
    `${GIL.cin},HOMEWAY,HN,HTSS,AUTHORIZED,Denied,G-101,,,2026-06-10,2026-06-20,2026-06-10,`,
    `${HANA.cin},HOMEWAY,HN,HTSS,AUTHORIZED,Denied,H-101,2026-09-01,2027-02-28,2026-06-10,2026-06-20,2026-06-10,`,
  ], '2026-06-22T16:00:00Z')).toMatchObject({ rowsImported: 2, rowsRejected: 0 });
});
afterAll(() => closePlanWorld(w));

/** HOMEWAY's CSASF of `slot`, generated on that day: per member of the story, what it shows of the pair. */
async function csasf(slot: string) {
  const r = await generate('csasf', { ...onSlotDay(slot), provider: 'HOMEWAY' }, w.deps);
  const rows = (await readRecords(path.join(w.sftp.root, 'HOMEWAY', 'downloads', r.units[0]!.file!))).CSASF ?? [];
  const of = (cin: string) => rows.filter((x) => x.cin === cin && x.serviceCode === 'HTSS').map((x) => [x.authNumber, x.authStatus, x.authStart ?? null, x.authEnd ?? null]);
  return { gil: of(GIL.cin), hana: of(HANA.cin) };
}

let n = 0;
/** HOMEWAY's CSPRTF for `period` (MM/YYYY), received on `at`: both members delivering under A1. */
const deliveringUnderA1 = async (period: string, at: string) =>
  ingestFile({ pool: w.db.pool, config: w.config }, {
    provider: 'HOMEWAY', originalName: `CSPRTF_HOMEWAY_${++n}.xlsx`, receivedAt: new Date(at), source: 'cli',
    bytes: await workbook([[CSPRTF, [
      csprtfRow({ ...GIL, engagementStatus: '3', authNumber: 'G-100', serviceStartDate: d('2026-03-05'), outreachDate: null, outreachMethod: null, reportingPeriod: period, productionDate: d(at.slice(0, 10)) }),
      csprtfRow({ ...HANA, engagementStatus: '3', authNumber: 'H-100', serviceStartDate: d('2026-03-05'), outreachDate: null, outreachMethod: null, reportingPeriod: period, productionDate: d(at.slice(0, 10)) }),
    ]]]),
  });

describe('a re-authorization denied while the authorization it would renew is in force', () => {
  it('the CSASFs keep showing the approved authorization until its end, and the provider reports delivering service under it', async () => {
    const approvedA1 = (n1: string) => [[n1, 'Approved', ...A1_DATES]];
    // the slots after the denial was loaded, up to A1's end, each followed by the month's CSPRTF where one is due
    const slots: [string, [string, string] | null][] = [
      ['2026-06-29', ['06/2026', '2026-07-03T18:00:00Z']],
      ['2026-07-15', null],
      ['2026-07-29', ['07/2026', '2026-08-03T18:00:00Z']],
      ['2026-08-15', null],
      ['2026-08-29', ['08/2026', '2026-09-03T18:00:00Z']],
    ];
    for (const [slot, report] of slots) {
      expect.soft({ slot, ...(await csasf(slot)) }).toEqual({ slot, gil: approvedA1('G-100'), hana: approvedA1('H-100') });
      if (!report) continue;
      const done = await deliveringUnderA1(...report);
      expect.soft({ period: report[0], errors: done.document.issues.filter((i) => i.severity === 'error').map((i) => [i.row, i.code]) }).toEqual({ period: report[0], errors: [] });
      expect.soft(done.document).toMatchObject({ rowsRead: 2, rowsAccepted: 2, rowsRejected: 0 });
    }
  });

  it('once the authorization has ended, the pair shows the denial for the retention counted from that end, then drops off', async () => {
    // CSASF_CLOSED_RETENTION_DAYS is 60: from August 31, up to the slot of October 29
    expect(w.config.CSASF_CLOSED_RETENTION_DAYS).toBe(60);
    for (const slot of ['2026-09-15', '2026-09-29', '2026-10-15', '2026-10-29']) {
      const shown = await csasf(slot);
      expect.soft({ slot, gil: shown.gil.map((x) => x.slice(0, 2)), hana: shown.hana.map((x) => x.slice(0, 2)) })
        .toEqual({ slot, gil: [['G-101', 'Denied']], hana: [['H-101', 'Denied']] });
    }
    expect(await csasf('2026-11-15')).toEqual({ gil: [], hana: [] });
    // September, past A1's end: the CSASF of the 29th showed the denial, delivering under A1 is refused
    const late = await deliveringUnderA1('09/2026', '2026-10-03T18:00:00Z');
    expect(late.document.issues.filter((i) => i.severity === 'error').map((i) => [i.row, i.code])).toEqual([[2, 'AUTH_NOT_APPROVED'], [3, 'AUTH_NOT_APPROVED']]);
  });
});

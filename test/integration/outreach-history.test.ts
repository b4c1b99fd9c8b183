// "Unable to engage" needs enough outreach (domain §4.9: 5 attempts over the OTF's methods
// across 90 days). An attempt counts once however often it is reported: OTFs may carry the
// 90 days before their period, so the same attempt can be in two months' files, and a
// corrected file may send it again. The UE check added the copies up and stayed silent for a
// member reached 3 times.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { generate } from '../../src/generate/run.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { otf, otfRow, rtfRow, workbook } from '../helpers/provider-files.js';
import { RTF, OTF } from '../../schemas/index.js';
import { closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let world: PlanWorld;
let config: Config;
const d = (date: string) => ({ date });
const attempts = () => [
  otfRow({ attemptDate: d('2026-10-01'), method: '1' }),
  otfRow({ attemptDate: d('2026-10-08'), method: '2' }),
  otfRow({ attemptDate: d('2026-10-15'), method: '1' }),
];

beforeAll(async () => {
  world = await openPlanWorld('outreach-history');
  // only the number of attempts decides here
  config = loadConfig({ DATA_DIR: world.dataDir, OUTREACH_MIN_ATTEMPTS: '5', OUTREACH_MIN_DAYS: '1' });
  await generate('mif', { date: '2026-10-15', now: new Date('2026-10-15T14:30:00Z') }, world.deps);
  await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, world.deps);
});
afterAll(() => closePlanWorld(world));

const ingest = (name: string, bytes: Buffer, at: string) =>
  ingestFile({ pool: world.db.pool, config, now: () => new Date(at) }, { provider: 'ACME', originalName: name, bytes, receivedAt: new Date(at), source: 'cli' });
const ue = rtfRow({ ecmStatus: '4', discontinuationDate: d('2026-11-20'), discontinuationReasonCode: 'UE' });

describe('an outreach attempt counts once in the unable-to-engage check', () => {
  it('the same 3 attempts in October\'s OTF and again in November\'s: a UE discontinuation still gets the warning', async () => {
    expect((await ingest('OTF_ACME_202610.xlsx', await otf(attempts()), '2026-11-03T17:00:00Z')).document.rowsAccepted).toBe(3);
    expect((await ingest('OTF_ACME_202611.xlsx', await otf(attempts()), '2026-12-02T17:00:00Z')).document.rowsAccepted).toBe(3);
    const r = await ingest('RTF_ACME_202611.xlsx', await workbook([[RTF, [ue]]]), '2026-12-03T17:00:00Z');
    expect(r.document.rowsAccepted).toBe(1);
    const warning = r.document.issues.find((i) => i.code === 'UE_OUTREACH_INSUFFICIENT');
    expect(warning?.message).toContain('3 attempt(s)');
  });

  it('a file that sends the counted attempts again with its UE row: still 3', async () => {
    const r = await ingest('RTF_OTF_ACME_202611_v2.xlsx', await workbook([[RTF, [ue]], [OTF, attempts()]]), '2026-12-04T17:00:00Z');
    expect(r.document.rowsAccepted).toBe(4);
    expect(r.document.issues.find((i) => i.code === 'UE_OUTREACH_INSUFFICIENT')?.message).toContain('3 attempt(s)');
  });
});

describe('the unable-to-engage check measures the outreach up to the discontinuation', () => {
  it('5 attempts over 2 methods from September 1, discontinued UE on October 15: 44 days, not the 90 to the period\'s end, so the warning', async () => {
    const days90 = loadConfig({ DATA_DIR: world.dataDir, OUTREACH_MIN_ATTEMPTS: '5', OUTREACH_MIN_DAYS: '90' });
    const dee = { cin: '91000004D', mcpId: 'CV', mcpName: 'CalViva Health', clientName: 'Dee Delta' };
    const tried = ['2026-09-01', '2026-09-08', '2026-09-15', '2026-09-22', '2026-10-10'].map((day, i) => otfRow({ ...dee, attemptDate: d(day), method: i % 2 ? '1' : '2' }));
    const r = await ingestFile({ pool: world.db.pool, config: days90, now: () => new Date('2026-12-03T18:00:00Z') }, {
      provider: 'ACME', originalName: 'RTF_OTF_ACME_CV_202611.xlsx', receivedAt: new Date('2026-12-03T18:00:00Z'), source: 'cli',
      bytes: await workbook([[RTF, [rtfRow({ ...dee, lastName: 'Delta', firstName: 'Dee', ecmStatus: '4', discontinuationDate: d('2026-10-15'), discontinuationReasonCode: 'UE' })]], [OTF, tried]]),
    });
    expect(r.document.rowsRejected).toBe(0);
    expect(r.document.issues.find((i) => i.code === 'UE_OUTREACH_INSUFFICIENT')?.message).toContain('5 attempt(s) over 2 method(s) across 44 day(s)');
  });
});


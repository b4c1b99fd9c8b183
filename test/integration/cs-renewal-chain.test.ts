// A CS re-authorization carries the services that began under the authorizations it renews
// only while the provider was authorized without a break: a chain of contiguous or overlapping
// authorizations. An authorization after a lapse is a new one (domain §5 item 1): its own dates apply.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSPRTF } from '../../schemas/index.js';
import { generate } from '../../src/generate/run.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { csprtfRow, workbook } from '../helpers/provider-files.js';
import { closePlanWorld, importExtract, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const d = (date: string) => ({ date });
const DELIVERING = { engagementStatus: '3', outreachDate: null, outreachMethod: null, serviceCode: 'HTSS' };
const FAY = { cin: '91000006F', lastName: 'Foxtrot', firstName: 'Fay', ...DELIVERING };
const GIL = { cin: '91000007G', lastName: 'Golf', firstName: 'Gil', ...DELIVERING };

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('cs-renewal-chain', { csAuthorizations: true });
  const auth = (cin: string, n: string, start: string, end: string, decided: string) => `${cin},HOMEWAY,HN,HTSS,AUTHORIZED,Approved,${n},${start},${end},${decided},${decided},${decided},`;
  // each extract supersedes the pair's open authorization of the provider with the new number (src/import/cs.ts)
  const extracts: [string, string[]][] = [
    ['2025-12-20', [auth('91000006F', 'F-1', '2026-01-01', '2026-03-31', '2025-12-15'), auth('91000007G', 'G-1', '2026-01-01', '2026-03-31', '2025-12-15')]],
    // Fay: renewed from the day after F-1 ends; Gil: nothing from April to August (a lapse)
    ['2026-03-20', [auth('91000006F', 'F-2', '2026-04-01', '2026-09-30', '2026-03-15')]],
    ['2026-08-20', [auth('91000006F', 'F-3', '2026-09-15', '2027-03-31', '2026-08-15'), auth('91000007G', 'G-2', '2026-09-01', '2027-02-28', '2026-08-15')]],
  ];
  for (const [day, rows] of extracts)
    expect(await importExtract(w, 'cs-authorizations', `cs_authorizations_${day}.csv`, rows, `${day}T16:00:00Z`)).toMatchObject({ rowsImported: rows.length, rowsRejected: 0 });
  await generate('csasf', onSlotDay('2026-11-29'), w.deps);
});
afterAll(() => closePlanWorld(w));

let n = 0;
const upload = async (rows: Record<string, unknown>[], at: string) =>
  ingestFile({ pool: w.db.pool, config: w.config }, {
    provider: 'HOMEWAY', originalName: `CSPRTF_HOMEWAY_${++n}.xlsx`, receivedAt: new Date(at), source: 'cli',
    bytes: await workbook([[CSPRTF, rows.map((r) => csprtfRow({ ...r, reportingPeriod: '11/2026' })) as never]]),
  });
const outside = (x: Awaited<ReturnType<typeof upload>>) =>
  x.document.issues.filter((i) => i.code === 'SERVICE_OUTSIDE_AUTH').map((i) => [i.row, i.message.match(/\(([^)]* to [^)]*)\)/)![1]]);

describe('a re-authorization after authorizations that follow one another', () => {
  it('carries a service begun under the first of them (the chain starts there)', async () => {
    const r = await upload([{ ...FAY, authNumber: 'F-3', serviceStartDate: d('2026-01-10') }], '2026-12-03T18:00:00Z');
    expect(outside(r)).toEqual([]);
    expect(r.document.rowsAccepted).toBe(1);
    const before = await upload([{ ...FAY, authNumber: 'F-3', serviceStartDate: d('2025-12-20') }], '2026-12-03T19:00:00Z');
    expect(outside(before)).toEqual([[2, '01/01/2026 to 03/31/2027']]);
  });
});

describe('a re-authorization after a lapse (no authorization between the two)', () => {
  it('is a new authorization: a service begun under the one before the lapse is outside it, naming its own dates', async () => {
    const r = await upload([{ ...GIL, authNumber: 'G-2', serviceStartDate: d('2026-02-10') }], '2026-12-04T18:00:00Z');
    expect(outside(r)).toEqual([[2, '09/01/2026 to 02/28/2027']]);
    const ok = await upload([{ ...GIL, authNumber: 'G-2', serviceStartDate: d('2026-09-05') }], '2026-12-04T19:00:00Z');
    expect(outside(ok)).toEqual([]);
    expect(ok.document.rowsAccepted).toBe(1);
  });
});

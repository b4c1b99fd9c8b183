// A CS member x service refused to a second provider (another held it) is listed on that
// provider's CSASF run and email while it is refused; once the holder's authorization has ended
// and the plan has given the pair to that provider, the refusal is over and is no longer listed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { csprtf, csprtfRow } from '../helpers/provider-files.js';
import { closePlanWorld, importExtract, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('cs-refusals', { csAuthorizations: true });
});
afterAll(() => closePlanWorld(w));

const extract = (name: string, rows: string[], at: string) => importExtract(w, 'cs-authorizations', name, rows, at);
const refusedTo = async (provider: string, date: string) =>
  (await generate('csasf', { date, provider, now: new Date(`${date}T15:00:00Z`) }, w.deps)).units[0]!.refused ?? [];

describe('a refused CS pair', () => {
  it('is listed to the refused provider while another holds it, and no longer once it has become theirs', async () => {
    // HOMEWAY holds 91000002B x RS (A-300, to 01/31/2027); the extract gives it to MEALS too: refused
    expect(await extract('cs_authorizations_20261102.csv', ['91000002B,MEALS,HN,RS,AUTHORIZED,Approved,M-300,2026-11-01,2027-01-31,2026-10-15,2026-10-20,2026-11-02,'], '2026-11-02T16:00:00Z'))
      .toMatchObject({ rowsImported: 0, rowsRejected: 1 });
    expect(await refusedTo('MEALS', '2026-11-15')).toEqual([{ cin: '91000002B', serviceCode: 'RS', owner: 'HOMEWAY' }]);
    await generate('csasf', { ...onSlotDay('2026-11-15'), provider: 'HOMEWAY' }, w.deps);

    // HOMEWAY reports its services ended (status 4): its authorization is resolved
    const done = await ingestFile({ pool: w.db.pool, config: w.config }, {
      provider: 'HOMEWAY', originalName: 'CSPRTF_HOMEWAY_202611.xlsx', receivedAt: new Date('2026-12-03T17:00:00Z'), source: 'cli',
      bytes: await csprtf([csprtfRow({
        cin: '91000002B', lastName: 'Bravo', firstName: 'Ben', serviceCode: 'RS', engagementStatus: '4', outreachDate: null, outreachMethod: null,
        authNumber: 'A-300', serviceStartDate: { date: '2026-11-02' }, serviceEndDate: { date: '2026-11-30' }, discontinuationReasonCode: 'DP',
      })]),
    });
    expect(done.document.issues.filter((i) => i.severity === 'error')).toEqual([]);
    // the plan gives the pair to MEALS: accepted now, and MEALS's next CSASF carries it
    expect(await extract('cs_authorizations_20261205.csv', ['91000002B,MEALS,HN,RS,AUTHORIZED,Approved,M-300,2026-12-05,2027-05-31,2026-12-01,2026-12-04,2026-12-05,'], '2026-12-05T16:00:00Z'))
      .toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await refusedTo('MEALS', '2026-12-15')).toEqual([]);
  });
});

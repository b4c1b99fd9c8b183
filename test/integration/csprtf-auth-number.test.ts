// A CSPRTF row's Authorization Number must equal the number on the provider's latest CSASF for
// the member x service (layouts.md CSPRTF 10) on every status that gives one, not only on status
// 3 and 4: a row in outreach (1, 2) naming another authorization (a typo, or a number of another
// provider's) is rejected with AUTH_NUMBER_MISMATCH and changes nothing. A blank number stays
// fine where the layout does not require it, and so does a number on a pair whose CSASF row
// carries none (a pending request, a potential member), as for status 4.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { csprtf, csprtfRow } from '../helpers/provider-files.js';
import { closePlanWorld, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const d = (date: string) => ({ date });
const ANN = { cin: '91000001A', lastName: 'Alpha', firstName: 'Ann', serviceCode: 'HTN' };
const BEN_RS = { cin: '91000002B', lastName: 'Bravo', firstName: 'Ben', serviceCode: 'RS' };
const BEN_HD = { cin: '91000002B', lastName: 'Bravo', firstName: 'Ben', serviceCode: 'HD' }; // potential: no number
const DEE_RC = { cin: '91000004D', mcpId: 'CV', lastName: 'Delta', firstName: 'Dee', serviceCode: 'RC' };
const DEE_MTM = { cin: '91000004D', mcpId: 'CV', lastName: 'Delta', firstName: 'Dee', serviceCode: 'MTM' }; // pending: no number
const PENDING_OUTREACH = { engagementStatus: '1', outreachDate: null, outreachMethod: null };

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('csprtf-auth-number', { csAuthorizations: true });
  await generate('csasf', onSlotDay('2026-11-15'), w.deps);
});
afterAll(() => closePlanWorld(w));

let n = 0;
const upload = async (rows: Record<string, unknown>[], at: string) =>
  ingestFile({ pool: w.db.pool, config: w.config }, {
    provider: 'HOMEWAY', originalName: `CSPRTF_HOMEWAY_${++n}.xlsx`, receivedAt: new Date(at), source: 'cli', bytes: await csprtf(rows as never),
  });
const errors = (x: Awaited<ReturnType<typeof upload>>) => x.document.issues.filter((i) => i.severity === 'error').map((i) => [i.row, i.code]);
const engagements = async () =>
  (await w.db.pool.query(`select cin || '|' || service_code || '|' || provider_code || '|' || status as e from cs_engagements order by 1`)).rows.map((r) => r.e as string);
const episode = async (cin: string, service: string) =>
  (await w.db.pool.query(`select provider_code, auth_key, resolved from cs_authorizations where cin = $1 and service_code = $2 order by id`, [cin, service])).rows;

describe('an authorization number on a row in outreach', () => {
  it('other than the one on the CSASF is rejected (a typo, another provider\'s number); the right one, a blank, or one where the CSASF has none is accepted', async () => {
    const r = await upload([
      csprtfRow({ ...ANN, authNumber: 'A-999' }), // status 2, a number the plan never issued
      csprtfRow({ ...DEE_RC, ...PENDING_OUTREACH, authNumber: 'A-200' }), // status 1, MEALS's authorization for another member
      csprtfRow({ ...BEN_RS, authNumber: 'a-300' }), // the number sent, typed in lower case
      csprtfRow({ ...DEE_MTM, authNumber: 'P-555' }), // a pending request: the CSASF carried no number
      csprtfRow({ ...BEN_HD, ...PENDING_OUTREACH }), // no number: not required in outreach
    ], '2026-12-03T18:00:00Z');
    expect(errors(r)).toEqual([[2, 'AUTH_NUMBER_MISMATCH'], [3, 'AUTH_NUMBER_MISMATCH']]);
    const messages = r.document.issues.filter((i) => i.code === 'AUTH_NUMBER_MISMATCH').map((i) => i.message);
    expect(messages[0]).toContain('(A-100)');
    expect(messages[1]).toContain('(A-400)');
    for (const m of messages) expect(m).not.toMatch(/9100000|Alpha|Delta|Ann|Dee/);
    // the rejected rows changed no engagement; MEALS's authorization is untouched
    expect(await engagements()).toEqual(['91000002B|HD|HOMEWAY|1', '91000002B|RS|HOMEWAY|2', '91000004D|MTM|HOMEWAY|2']);
    expect(await episode('91000005E', 'MTM')).toEqual([{ provider_code: 'MEALS', auth_key: 'A-200', resolved: false }]);
  });

  it('a correction in outreach naming another authorization does not reopen the one a discontinuation of the period resolved', async () => {
    const ended = await upload([csprtfRow({
      ...DEE_RC, engagementStatus: '4', outreachDate: null, outreachMethod: null, authNumber: 'A-400',
      serviceStartDate: d('2026-11-02'), serviceEndDate: d('2026-11-20'), discontinuationReasonCode: 'DP',
    })], '2026-12-04T18:00:00Z');
    expect(errors(ended)).toEqual([]);
    expect(await episode('91000004D', 'RC')).toEqual([{ provider_code: 'HOMEWAY', auth_key: 'A-400', resolved: true }]);

    const fix = await upload([csprtfRow({ ...DEE_RC, authNumber: 'A-401' })], '2026-12-05T18:00:00Z');
    expect(errors(fix)).toEqual([[2, 'AUTH_NUMBER_MISMATCH']]);
    expect(await episode('91000004D', 'RC')).toEqual([{ provider_code: 'HOMEWAY', auth_key: 'A-400', resolved: true }]);
    expect(await engagements()).toContain('91000004D|RC|HOMEWAY|4');
  });
});

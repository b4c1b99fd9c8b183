// The same key twice in one provider file, the first row rejected for its own error: the
// provider's later, correct row is the file's row for that key (accepted and applied once); a
// row repeating an accepted one is still the duplicate, naming it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { csprtf, csprtfRow, enrolledRow, rtf } from '../helpers/provider-files.js';
import { closePlanWorld, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const d = (date: string) => ({ date });
let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('duplicate-after-rejected', { csAuthorizations: true });
  await generate('csasf', onSlotDay('2026-11-29'), w.deps);
  await generate('mif', { date: '2026-11-15', provider: 'ACME', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
});
afterAll(() => closePlanWorld(w));

const upload = async (provider: string, name: string, bytes: Buffer, at: string) =>
  ingestFile({ pool: w.db.pool, config: w.config }, { provider, originalName: name, receivedAt: new Date(at), source: 'cli', bytes });
const errors = (x: Awaited<ReturnType<typeof upload>>) => x.document.issues.filter((i) => i.severity === 'error').map((i) => [i.row, i.code]);

describe('the same member and service twice in one CSPRTF, the first row rejected', () => {
  it('accepts and applies the later, correct row; a third row repeating it is the duplicate, naming the accepted one', async () => {
    const delivering = { engagementStatus: '3', outreachDate: null, outreachMethod: null, authNumber: 'A-100', serviceStartDate: d('2026-10-05') };
    const r = await upload('HOMEWAY', 'CSPRTF_HOMEWAY_202611.xlsx', await csprtf([
      csprtfRow({ ...delivering, engagementStatus: '9' }), csprtfRow(delivering), csprtfRow({ ...delivering, serviceStartDate: d('2026-10-06') }),
    ]), '2026-12-03T18:00:00Z');
    expect(errors(r)).toEqual([[2, 'CODE_UNKNOWN'], [4, 'DUPLICATE_CIN_SERVICE']]);
    expect(r.document.issues.find((i) => i.code === 'DUPLICATE_CIN_SERVICE')!.message).toContain('row 3');
    expect(r.document).toMatchObject({ rowsRead: 3, rowsAccepted: 1, rowsRejected: 2 });
    expect((await w.db.pool.query(`select status, row_number from cs_engagements where cin = '91000001A' and service_code = 'HTN' and provider_code = 'HOMEWAY'`)).rows)
      .toEqual([{ status: 3, row_number: 3 }]);
  });
});

describe('the same member twice in one line of an RTF, the first row rejected', () => {
  it('accepts and applies the later, correct row once', async () => {
    const r = await upload('ACME', 'RTF_ACME_202611.xlsx', await rtf([enrolledRow({ ecmStatus: '9' }), enrolledRow({ acuity: 'Medium' })]), '2026-12-03T18:00:00Z');
    expect(errors(r)).toEqual([[2, 'CODE_UNKNOWN']]);
    expect(r.document).toMatchObject({ rowsRead: 2, rowsAccepted: 1, rowsRejected: 1 });
    expect((await w.db.pool.query(`select acuity from ecm_assignments where cin = '91000002B' and lob = 'HN'`)).rows).toEqual([{ acuity: 'Medium' }]);
    expect((await w.db.pool.query(`select count(*)::int n from current_rows where layout = 'RTF' and row_key = '91000002B'`)).rows).toEqual([{ n: 1 }]);
  });
});

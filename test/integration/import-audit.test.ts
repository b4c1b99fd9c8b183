// The upstream imports as the plan's data team meets them: extracts saved by other tools, and a
// member's story told across several extracts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportFileError } from '../../src/import/upstream.js';
import { closePlanWorld, importExtract, MEMBERS_HEADER, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('import-audit');
});
afterAll(async () => {
  await closePlanWorld(w);
});

const AT = '2026-11-20T17:00:00Z';
const ANN = '91000001A,M1,Alpha,Ann,1980-02-14,F,English,1 A St,Fresno,CA,93701,5595551001,Fresno,N';

describe('upstream extracts as other tools save them', () => {
  it('refuses a header naming a column twice as a whole, naming the column, where the last one silently won', async () => {
    // a second cin column (a lookup pasted beside the extract): which one is the member's?
    const err = await importExtract(w, 'members', 'dup-header.csv', [`${ANN},92222222B`], AT, `${MEMBERS_HEADER},cin`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as Error).message).toMatch(/cin/);
    expect((err as Error).message).toMatch(/more than once/);
    expect((err as Error).message).not.toMatch(/92222222B/);
  });
});

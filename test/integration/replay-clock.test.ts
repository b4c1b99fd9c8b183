// One clock (issue 17): a replay or a simulation pins generation and ingestion to its own
// timeline. The generator recorded published_at from the database's wall clock, so a CSASF
// generated for an earlier slot during a replay looked "sent" only in the present, and the
// provider's CSPRTF after it was rejected row by row as NOT_ON_CSASF (found by the simulation).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { csprtf, csprtfRow } from '../helpers/provider-files.js';
import { closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let world: PlanWorld;
beforeAll(async () => {
  world = await openPlanWorld('replay-clock', { csAuthorizations: true });
});
afterAll(() => closePlanWorld(world));

describe('a replayed month keeps its own clock', () => {
  it("the CSASF's publication time is the run's, and a CSPRTF after it in the replay answers it", async () => {
    const at = new Date('2026-10-15T13:45:00Z');
    const g = await generate('csasf', { date: '2026-10-15', now: at }, world.deps);
    expect(g.published).toBeGreaterThan(0);
    const published = (await world.db.pool.query<{ published_at: Date }>(`select published_at from outbound_files where kind = 'CSASF' and status = 'PUBLISHED'`)).rows;
    expect(published.map((r) => r.published_at.toISOString())).toEqual(published.map(() => at.toISOString()));

    const r = await ingestFile({ pool: world.db.pool, config: world.config, now: () => new Date('2026-11-03T17:00:00Z') }, {
      provider: 'HOMEWAY', originalName: 'CSPRTF_HOMEWAY_202610.xlsx', bytes: await csprtf([csprtfRow({ outreachDate: { date: '2026-10-10' }, productionDate: { date: '2026-11-02' }, reportingPeriod: '10/2026' })]),
      receivedAt: new Date('2026-11-03T17:00:00Z'), source: 'cli',
    });
    expect(r.document.issues.filter((i) => i.severity === "error").map((i) => `${i.code}: ${i.message}`)).toEqual([]);
    expect(r.document.rowsAccepted).toBe(1);
  });
});

// A planned switch in a line the member then leaves ([POLICY LOB_SWITCH=end-other-lines] with
// README "A member moved from a later date"). The extract loaded on 2026-11-20 moves Ben
// (91000002B, enrolled with ACME in Health Net) to RIVAL in Health Net from 2026-12-20, and Cy
// (91000003C, whose Health Net enrollment with ACME ended in September) to RIVAL there from the
// same day: both planned. The extract of December 2nd lists them in CalViva with ACME from
// December 2nd and no longer in Health Net: a member is in one of the plan's lines at a time, so
// Ben's Health Net assignment ends December 1st. That extract is the plan's latest word on the
// member's lines: the planned Health Net moves go with the line, where on December 20th they were
// applied anyway (found by the year simulation's stress mix): Ben was RIVAL's in Health Net again
// (the plan's line end undone) and Cy started an episode with RIVAL there, each in two lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { closePlanWorld, importExtract, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const BEN = '91000002B';
const CY = '91000003C';

let w: PlanWorld;
const line = async (cin: string, lob: string) => (await w.db.pool.query(
  `select provider_code, status, assigned_date, plan_end from ecm_assignments where cin = $1 and lob = $2`, [cin, lob])).rows[0];
const sent = async (provider: string, slot: string, lob: string) => (await w.db.pool.query<{ cin: string }>(
  `select r.cin from outbound_files f join outbound_file_rows r on r.outbound_file_id = f.id
    where f.provider_code = $1 and f.kind = 'MIF' and f.slot = $2 and f.status = 'PUBLISHED' and f.lob = $3 order by r.cin`, [provider, slot, lob])).rows.map((r) => r.cin);

beforeAll(async () => {
  w = await openPlanWorld('planned-switch-line', { settings: { SFTP_STABLE_SECONDS: '0' } });
});
afterAll(() => closePlanWorld(w));

describe('a switch planned in Health Net, then the member moved to CalViva before its day', () => {
  it('the extract of November 20th plans the Health Net moves', async () => {
    const s = await importExtract(w, 'ecm-assignments', 'assignments-nov.csv', [`${BEN},RIVAL,HN,1,2026-12-20,,,,,,`, `${CY},RIVAL,HN,1,2026-12-20,,,,,,`], '2026-11-20T16:00:00Z');
    expect(s).toMatchObject({ rowsImported: 2, rowsRejected: 0 });
    expect((await w.db.pool.query(`select cin from ecm_assignment_pending order by cin`)).rows.map((r) => r.cin)).toEqual([BEN, CY]);
  });

  it('the extract of December 2nd lists them in CalViva only: Ben\'s Health Net assignment ends December 1st, and both planned Health Net moves are called off, each said in a warning', async () => {
    const s = await importExtract(w, 'ecm-assignments', 'assignments-dec.csv', [`${BEN},ACME,CV,1,2026-12-02,,,,,,`, `${CY},ACME,CV,1,2026-12-02,,,,,,`], '2026-12-02T16:00:00Z');
    expect(s).toMatchObject({ rowsImported: 2, rowsRejected: 0 });
    expect(s.lineSwitches.map((x) => [x.cin, x.lineLeft, x.lastDay])).toEqual([[BEN, 'HN', '2026-12-01']]);
    expect((await w.db.pool.query(`select cin from ecm_assignment_pending`)).rows).toEqual([]);
    expect(s.warnings.map((x) => [x.code, 'row' in x ? x.row : null])).toEqual([['planned-switch-cancelled', 2], ['planned-switch-cancelled', 3]]);
    // (no member identifiers in the warning)
    for (const x of s.warnings) expect(x.message).not.toMatch(/9100000/);
  });

  it('December 20th moves no one back into Health Net: Ben stays ACME\'s there, ended December 1st, Cy ACME\'s ended enrollment; both are only in CalViva', async () => {
    await generate('mini-mif', onSlotDay('2026-12-20'), w.deps);
    expect(await line(BEN, 'HN')).toMatchObject({ provider_code: 'ACME', status: 3, plan_end: '2026-12-01' });
    expect(await line(CY, 'HN')).toMatchObject({ provider_code: 'ACME', status: 4, assigned_date: '2026-07-01' });
    expect(await line(BEN, 'CV')).toMatchObject({ provider_code: 'ACME', assigned_date: '2026-12-02', plan_end: null });
    await generate('mif', onSlotDay('2027-01-15'), w.deps);
    expect(await sent('RIVAL', '2027-01-15', 'HN')).not.toContain(BEN);
    expect(await sent('RIVAL', '2027-01-15', 'HN')).not.toContain(CY);
    expect(await sent('ACME', '2027-01-15', 'CV')).toEqual(expect.arrayContaining([BEN, CY]));
  });
});

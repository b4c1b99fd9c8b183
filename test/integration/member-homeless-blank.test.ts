// A blank Homelessness Indicator in the plan's members extract: unknown, never "not homeless".
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { readRecords } from '../helpers/workbook.js';
import { closePlanWorld, importMembers, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;
const file = (provider: string, name: string) => path.join(w.sftp.root, provider, 'downloads', name);

beforeAll(async () => {
  w = await openPlanWorld('member-homeless-blank');
});
afterAll(() => closePlanWorld(w));

const homeless = async (cin: string) => (await w.db.pool.query('select homeless from members where cin = $1', [cin])).rows[0]?.homeless;
const mifHomeless = async (date: string, cin: string) => {
  const r = await generate('mif', { date, provider: 'ACME', now: new Date(`${date}T14:30:00Z`) }, w.deps);
  const recs = await readRecords(file('ACME', r.units.find((u) => u.lob === 'HN')!.file!));
  return recs.MIF!.find((x) => x.cin === cin)!.homeless;
};

describe('a blank homelessness value in the members extract', () => {
  it('keeps what the member record knows: a homeless member stays homeless, on the record and the MIF', async () => {
    const bravo = (h: string) => `91000002B,M2,Bravo,Ben,1975-03-05,M,Spanish,2 B St,Fresno,CA,93702,5595551002,Fresno,${h}`;
    expect(await importMembers(w, 'members-20261110.csv', [bravo('Y')], '2026-11-10T16:00:00Z')).toMatchObject({ rowsImported: 1 });
    expect(await homeless('91000002B')).toBe(true);
    expect(await importMembers(w, 'members-20261120.csv', [bravo('')], '2026-11-20T16:00:00Z')).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await homeless('91000002B')).toBe(true);
    expect(await mifHomeless('2026-11-15', '91000002B')).toBe('Y');
    // an extract saying N after the blank says something else than it last said (Y), and is taken
    await importMembers(w, 'members-20261125.csv', [bravo('N')], '2026-11-25T16:00:00Z');
    expect(await homeless('91000002B')).toBe(false);
  });

  it('is not what the extract last said: the same value again after a blank is no news, and a provider\'s report since stays', async () => {
    const bravo = (h: string) => `91000002B,M2,Bravo,Ben,1975-03-05,M,Spanish,2 B St,Fresno,CA,93702,5595551002,Fresno,${h}`;
    await importMembers(w, 'members-20261126.csv', [bravo('N')], '2026-11-26T16:00:00Z');
    // the provider's accepted RTF reports the member homeless (what applyRtf writes)
    await w.db.pool.query(`update members set homeless = true where cin = '91000002B'`);
    await importMembers(w, 'members-20261127.csv', [bravo('')], '2026-11-27T16:00:00Z');
    await importMembers(w, 'members-20261128.csv', [bravo('N')], '2026-11-28T16:00:00Z');
    expect(await homeless('91000002B')).toBe(true);
  });

  it('is unknown for a new member: null on the record, blank on the MIF (never N)', async () => {
    await importMembers(w, 'members-20261201.csv', ['91000077X,M77,Newman,Nia,1990-01-02,F,English,7 C St,Fresno,CA,93703,5595551077,Fresno,'], '2026-12-01T16:00:00Z');
    expect(await homeless('91000077X')).toBeNull();
    await w.db.pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) values ('91000077X', 'HN', 'ACME', 1, '2026-12-01')`);
    expect(await mifHomeless('2026-12-15', '91000077X')).toBeNull();
  });
});

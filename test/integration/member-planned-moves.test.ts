// Planned moves that change before they take effect (README "A member moved from a later date":
// the member stays on the old provider's MIF until the new assigned date, "never on neither").
// Ed (91000005E) is RIVAL's in Health Net since September. The extract of December 10 moves him
// to ACME from January 20 (planned); the one of January 2 names RIVAL again, from January 25 (the
// plan called the move off: the extract has no way to name the old assigned date again, an older
// date is refused), which cancels the planned move and dates RIVAL's assignment January 25th.
// Ben (91000002B), enrolled with ACME since August, is moved to RIVAL from January 20 by the
// December extract, and the January one moves him to a third provider, THIRD, from January 25
// instead. On January 15 neither move has started: Ed is RIVAL's and Ben ACME's, and each is on
// that provider's MIF. The MIF read the lineage only for an assignment that had moved to another
// provider: Ed's, RIVAL's all along but dated after the slot, was on no one's MIF of January 15.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { readRecords } from '../helpers/workbook.js';
import { closePlanWorld, importExtract, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const ED = '91000005E';
const BEN = '91000002B';
let w: PlanWorld;
const file = (provider: string, name: string) => path.join(w.sftp.root, provider, 'downloads', name);
/** The HN MIF of `date` published to `provider`: its rows about Ed and Ben (CIN, status, start). */
const hnMif = async (provider: string, date: string) => {
  const r = await generate('mif', { date, provider, now: new Date(`${date}T14:30:00Z`) }, w.deps);
  const recs = await readRecords(file(provider, r.units.find((u) => u.lob === 'HN')!.file!));
  return (recs.MIF ?? []).filter((x) => x.cin === ED || x.cin === BEN).map((x) => [x.cin, x.ecmStatus, x.startDate ?? null]);
};

beforeAll(async () => {
  w = await openPlanWorld('planned-moves');
  await w.db.pool.query(`insert into providers (provider_code, npi, tin, name, phone, contact_email, liaison_email, sftp_folder)
    values ('THIRD', '1000000004', '222333444', 'Third Care', '5595550500', 'ops@third.example', 'liaison@plan.example', 'THIRD')`);
  await w.db.pool.query(`insert into provider_contracts values ('THIRD', 'HN', 'ECM')`);
});
afterAll(() => closePlanWorld(w));

describe('a planned move replaced by another before it takes effect', () => {
  it('December 10: Ed to ACME and Ben to RIVAL, both from January 20; the December MIFs carry them where they are', async () => {
    expect(await importExtract(w, 'ecm-assignments', 'assignments_20261210.csv',
      [`${ED},ACME,HN,1,2027-01-20,,,,,,`, `${BEN},RIVAL,HN,1,2027-01-20,,,,,,`], '2026-12-10T16:00:00Z')).toMatchObject({ rowsImported: 2, rowsRejected: 0 });
    expect(await hnMif('RIVAL', '2026-12-15')).toEqual([[ED, '1', null]]);
    expect(await hnMif('ACME', '2026-12-15')).toEqual([[BEN, '3', { date: '2026-08-15' }]]);
  });

  it('January 2: Ed back to RIVAL and Ben to THIRD, both from January 25; on January 15 Ed is still RIVAL\'s and Ben ACME\'s, as they stood', async () => {
    expect(await importExtract(w, 'ecm-assignments', 'assignments_20270102.csv',
      [`${ED},RIVAL,HN,1,2027-01-25,,,,,,`, `${BEN},THIRD,HN,1,2027-01-25,,,,,,`], '2027-01-02T16:00:00Z')).toMatchObject({ rowsImported: 2, rowsRejected: 0 });
    expect(await hnMif('RIVAL', '2027-01-15')).toEqual([[ED, '1', null]]);
    expect(await hnMif('ACME', '2027-01-15')).toEqual([[BEN, '3', { date: '2026-08-15' }]]);
  });

  it('February 15: Ed is RIVAL\'s again (from January 25) and Ben THIRD\'s: ACME\'s MIF carries neither', async () => {
    expect(await hnMif('RIVAL', '2027-02-15')).toEqual([[ED, '1', null]]);
    expect(await hnMif('ACME', '2027-02-15')).toEqual([]);
    expect((await w.db.pool.query(`select cin, provider_code, assigned_date from ecm_assignments where cin = any($1) and lob = 'HN' order by cin`, [[ED, BEN]])).rows)
      .toEqual([{ cin: BEN, provider_code: 'THIRD', assigned_date: '2027-01-25' }, { cin: ED, provider_code: 'RIVAL', assigned_date: '2027-01-25' }]);
  });
});

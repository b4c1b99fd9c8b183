// A member the provider discontinued, assigned to the same provider again by the plan's
// assignment extract from a later date: a new episode (domain §4.4a says so of a referral to the
// same provider after the assignment ended; §4.4b: the extract says who is assigned). The
// extract had said "status 1" since the first assignment, so the field-by-field rule (the newer
// side wins) kept the provider's "4": the member was assigned, on no MIF, and told to no one.
// Hana (91000008H) has no assignment in the plan world until the extract below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { rtf, rtfRow } from '../helpers/provider-files.js';
import { answerUpload, closePlanWorld, importExtract, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const HANA = '91000008H';
const d = (date: string) => ({ date });
let w: PlanWorld;
const one = async (sql: string, params: unknown[] = []) => (await w.db.pool.query(sql, params)).rows[0];
const hana = () => one(`select provider_code, status, assigned_date, discontinuation_date, discontinuation_reason, episode_started_at from ecm_assignments where cin = $1 and lob = 'HN'`, [HANA]);
/** The CINs on ACME's published HN MIF for `slot`. */
const onMif = async (slot: string) => (await w.db.pool.query<{ cin: string }>(
  `select r.cin from outbound_files f join outbound_file_rows r on r.outbound_file_id = f.id
    where f.provider_code = 'ACME' and f.kind = 'MIF' and f.slot = $1 and f.status = 'PUBLISHED' and f.lob = 'HN'`, [slot])).rows.map((r) => r.cin);

beforeAll(async () => {
  w = await openPlanWorld('member-reassigned', { settings: { SFTP_STABLE_SECONDS: '0' } });
  expect(await importExtract(w, 'ecm-assignments', 'assign-sep.csv', [`${HANA},ACME,HN,1,2026-09-20,,,,,,`], '2026-09-21T16:00:00Z')).toMatchObject({ rowsImported: 1 });
  await generate('mif', onSlotDay('2026-10-15'), w.deps);
  // ACME's October RTF: Hana declined (never enrolled), discontinued on October 20
  const oct = await answerUpload(w, 'ACME', 'RTF_ACME_202610.xlsx', await rtf([rtfRow({
    cin: HANA, lastName: 'Hotel', firstName: 'Hana', ecmStatus: '4', discontinuationDate: d('2026-10-20'), discontinuationReasonCode: 'DP',
    reportingPeriod: '10/2026', productionDate: d('2026-11-02'),
  })]), '2026-11-03T18:00:00Z');
  expect(oct.document.rowsAccepted).toBe(1);
  expect(await hana()).toMatchObject({ status: 4, discontinuation_date: '2026-10-20' });
});
afterAll(() => closePlanWorld(w));

describe('the extract assigns a discontinued member to the same provider again, from a later date', () => {
  it('starts a new episode: status 1 from the new date, the discontinuation cleared (kept in lineage)', async () => {
    const s = await importExtract(w, 'ecm-assignments', 'assign-jan.csv', [`${HANA},ACME,HN,1,2027-01-05,,,,,,`], '2027-01-10T16:00:00Z');
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0, disagreements: [] });
    expect(await hana()).toEqual({ provider_code: 'ACME', status: 1, assigned_date: '2027-01-05', discontinuation_date: null, discontinuation_reason: null, episode_started_at: null });
    expect(await one(`select (c.before).status status, (c.before).discontinuation_date disc, c.source, c.moved from ecm_assignment_changes c
      join ecm_assignments a on a.id = c.assignment_id where a.cin = $1 order by c.id desc limit 1`, [HANA]))
      .toEqual({ status: 4, disc: '2026-10-20', source: 'ASSIGNMENT_IMPORT', moved: false });
  });

  it('goes out on the next MIF with status 1', async () => {
    await generate('mif', onSlotDay('2027-01-15'), w.deps);
    expect(await onMif('2027-01-15')).toContain(HANA);
  });

  it('the same extract again starts no other episode and changes nothing', async () => {
    const lineage = `select count(*)::int n from ecm_assignment_changes c join ecm_assignments a on a.id = c.assignment_id where a.cin = '${HANA}'`;
    const [before, changes] = [await hana(), await one(lineage)];
    expect(await importExtract(w, 'ecm-assignments', 'assign-jan.csv', [`${HANA},ACME,HN,1,2027-01-05,,,,,,`], '2027-01-20T16:00:00Z')).toMatchObject({ rowsImported: 1 });
    expect(await hana()).toEqual(before);
    expect(await one(lineage)).toEqual(changes);
  });
});

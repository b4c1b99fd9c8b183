// A planned switch (domain §4 items 4, 4a, 4b: "the plan's assignment extract says who is
// assigned"; "a provider's upload can never change another provider's member"). The extract
// loaded on 2026-11-20 moves Ann (91000001A, in outreach with ACME in Health Net) to RIVAL from
// 2026-12-20, a month ahead. Until that day Ann is ACME's: ACME's November files (received
// December 3rd) about her are ACME's own, counted without MEMBER_REASSIGNED_COUNTED, and its RTF
// updates her assignment; RIVAL's rows about her for November are about a member not assigned
// to it. The MIFs follow the date, as before: ACME's December MIF carries her, RIVAL's January
// one does. From December 20th she is RIVAL's, from the status the extract gave, and ACME's
// December rows (it held her December 1st to 19th) draw the reassigned handling as any switch
// dated inside the period does.
// The same extract moves Ben (91000002B, enrolled with ACME) to RIVAL from December 20th too,
// and Ed (91000005E, RIVAL's) to ACME from December 20th; the extract of December 10th lists Ben
// with ACME again (the plan cancelled his move) and Ed with ACME from January 10th (the plan
// moved the date). A referral of Ann to RIVAL approved while she is ACME's is a conflict until
// the switch takes effect, which settles it. Cy (91000003C), whose enrollment with ACME ended in
// September, is moved to RIVAL from December 20th by the same extract, then referred to ACME again
// on December 4th: the referral's new episode is newer news than the extract, and keeps him.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { ingestFile, type Ingested } from '../../src/ingest/pipeline.js';
import { P } from '../helpers/plan.js';
import { enrolledRow, otf, otfRow, rtf, rtfRow } from '../helpers/provider-files.js';
import { closePlanWorld, importExtract, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const ANN = '91000001A';
const BEN = '91000002B';
const ED = '91000005E';
const CY = '91000003C';
const d = (date: string) => ({ date });
const NOVEMBER = { reportingPeriod: '11/2026', productionDate: d('2026-12-02') };
const DECEMBER = { reportingPeriod: '12/2026', productionDate: d('2027-01-02') };
const ann = { cin: ANN, lastName: 'Alpha', firstName: 'Ann' };
const ed = { cin: ED, lastName: 'Echo', firstName: 'Ed' };
const REASSIGNED = ['MEMBER_REASSIGNED', 'MEMBER_REASSIGNED_COUNTED', 'MEMBER_NOT_ASSIGNED', 'ECM_LOB_MISMATCH'];

let w: PlanWorld;
const send = (provider: string, name: string, bytes: Buffer, at: string, settings: Partial<PlanWorld['config']> = {}): Promise<Ingested> =>
  ingestFile({ pool: w.db.pool, config: { ...w.config, ...settings } }, { provider, originalName: name, bytes, receivedAt: new Date(at), source: 'cli' });
/** The assignment codes (who holds the member) of the file's issues about `cin`. */
const about = (r: Ingested, cin: string) => r.document.issues.filter((i) => i.cin === cin && REASSIGNED.includes(i.code)).map((i) => i.code).sort();
const hn = async (cin: string) => (await w.db.pool.query(
  `select provider_code, status, assigned_date, acuity from ecm_assignments where cin = $1 and lob = 'HN'`, [cin])).rows[0];
const sent = async (provider: string, slot: string) => (await w.db.pool.query<{ cin: string }>(
  `select r.cin from outbound_files f join outbound_file_rows r on r.outbound_file_id = f.id
    where f.provider_code = $1 and f.kind = 'MIF' and f.slot = $2 and f.status = 'PUBLISHED' and f.lob = 'HN' order by r.cin`, [provider, slot])).rows.map((r) => r.cin);
/** The rows about `cin` that count for `provider` in `period` (its first day), per file type. */
const counting = async (provider: string, cin: string, period: string) => (await w.db.pool.query(
  `select c.layout, count(*)::int n from current_rows c join submission_rows r on r.sheet_id = c.sheet_id and r.row_number = c.row_number
    where c.provider_code = $1 and c.period = $3 and r.cin = $2 group by 1 order by 1`, [provider, cin, period])).rows;

beforeAll(async () => {
  w = await openPlanWorld('switch-planned', { settings: { SFTP_STABLE_SECONDS: '0' } });
  await generate('mif', onSlotDay('2026-11-15'), w.deps);
});
afterAll(() => closePlanWorld(w));

describe('a switch to another provider of the line, dated a month after the extract that plans it', () => {
  it('the extract of November 20th plans the moves: Ann and Ben stay ACME\'s and Ed RIVAL\'s until December 20th', async () => {
    expect(await sent('ACME', '2026-11-15')).toEqual(expect.arrayContaining([ANN, BEN]));
    const s = await importExtract(w, 'ecm-assignments', 'assignments-nov.csv',
      [`${ANN},RIVAL,HN,1,2026-12-20,,,,,,`, `${BEN},RIVAL,HN,1,2026-12-20,,,,,,`, `${ED},ACME,HN,1,2026-12-20,,,,,,`, `${CY},RIVAL,HN,1,2026-12-20,,,,,,`], '2026-11-20T16:00:00Z');
    expect(s).toMatchObject({ rowsImported: 4, rowsRejected: 0 });
    expect(s.warnings.map((x) => [x.code, 'row' in x ? x.row : null])).toEqual([['planned-switch', 2], ['planned-switch', 3], ['planned-switch', 4], ['planned-switch', 5]]);
    expect(await hn(ANN)).toMatchObject({ provider_code: 'ACME', status: 1, assigned_date: '2026-09-01' });
    expect(await hn(BEN)).toMatchObject({ provider_code: 'ACME', status: 3, assigned_date: '2026-08-01' });
    expect(await hn(ED)).toMatchObject({ provider_code: 'RIVAL', assigned_date: '2026-09-01' });
  });

  it('the same extract loaded again plans nothing new', async () => {
    const s = await importExtract(w, 'ecm-assignments', 'assignments-nov.csv',
      [`${ANN},RIVAL,HN,1,2026-12-20,,,,,,`, `${BEN},RIVAL,HN,1,2026-12-20,,,,,,`, `${ED},ACME,HN,1,2026-12-20,,,,,,`, `${CY},RIVAL,HN,1,2026-12-20,,,,,,`], '2026-11-21T16:00:00Z');
    expect(s).toMatchObject({ rowsImported: 4, rowsRejected: 0, warnings: [] });
    expect(await hn(ANN)).toMatchObject({ provider_code: 'ACME', assigned_date: '2026-09-01' });
    expect((await w.db.pool.query(`select count(*)::int n from ecm_assignment_changes where source = 'ASSIGNMENT_IMPORT'`)).rows[0].n).toBe(0);
  });

  it('ACME\'s November RTF and OTF (received December 3rd) about Ann are its own: no MEMBER_REASSIGNED_COUNTED, and the RTF updates her assignment', async () => {
    const r = await send('ACME', 'RTF_ACME_HN_202611.xlsx', await rtf([rtfRow({ ...NOVEMBER, ...ann, ecmStatus: '2', acuity: 'Medium' }), enrolledRow(NOVEMBER)]), '2026-12-03T17:00:00Z');
    expect(r.document).toMatchObject({ rowsAccepted: 2, rowsRejected: 0 });
    expect(about(r, ANN)).toEqual([]);
    expect(about(r, BEN)).toEqual([]);
    expect(await hn(ANN)).toMatchObject({ provider_code: 'ACME', status: 2, acuity: 'Medium' });
    const o = await send('ACME', 'OTF_ACME_HN_202611.xlsx', await otf([otfRow({ attemptDate: d('2026-11-24'), successful: 'Y' })]), '2026-12-03T17:00:00Z');
    expect(o.document).toMatchObject({ rowsAccepted: 1, rowsRejected: 0 });
    expect(about(o, ANN)).toEqual([]);
    expect(await counting('ACME', ANN, '2026-11-01')).toEqual([{ layout: 'OTF', n: 1 }, { layout: 'RTF', n: 1 }]);
  });

  it('reject: even under REASSIGNED_MEMBER_ROWS=reject ACME\'s November rows about Ann are accepted', async () => {
    const o = await send('ACME', 'OTF_ACME_HN_202611_v2.xlsx', await otf([otfRow({ attemptDate: d('2026-11-25') })]), '2026-12-04T17:00:00Z', { REASSIGNED_MEMBER_ROWS: 'reject' });
    expect(o.document).toMatchObject({ rowsAccepted: 1, rowsRejected: 0 });
    expect(about(o, ANN)).toEqual([]);
  });

  it('RIVAL\'s November rows about Ann (a period wholly before the switch) are rejected: not assigned to RIVAL, and nothing of hers changes', async () => {
    const before = await hn(ANN);
    const r = await send('RIVAL', 'RTF_RIVAL_HN_202611.xlsx', await rtf([rtfRow({ ...NOVEMBER, ...ann, ecmStatus: '3', startDate: d('2026-11-10'), acuity: 'High' }, P.ECM2)]), '2026-12-03T18:00:00Z');
    expect(about(r, ANN)).toEqual(['MEMBER_NOT_ASSIGNED']);
    const o = await send('RIVAL', 'OTF_RIVAL_HN_202611.xlsx', await otf([otfRow({ attemptDate: d('2026-11-26') }, P.ECM2)]), '2026-12-03T18:00:00Z');
    expect(about(o, ANN)).toEqual(['MEMBER_NOT_ASSIGNED']);
    expect(await counting('RIVAL', ANN, '2026-11-01')).toEqual([]);
    expect(await hn(ANN)).toEqual(before);
  });

  it('RIVAL\'s own November rows about Ed (moved to ACME from December 20th) are its own', async () => {
    const r = await send('RIVAL', 'RTF_RIVAL_HN_202611_ed.xlsx', await rtf([rtfRow({ ...NOVEMBER, ...ed, ecmStatus: '2' }, P.ECM2)]), '2026-12-04T18:00:00Z');
    expect(r.document).toMatchObject({ rowsAccepted: 1, rowsRejected: 0 });
    expect(about(r, ED)).toEqual([]);
    expect(await hn(ED)).toMatchObject({ provider_code: 'RIVAL', status: 2 });
  });

  it('a referral of Ann to RIVAL approved while she is ACME\'s is a conflict: she stays ACME\'s; Cy\'s referral to ACME starts a new episode with it', async () => {
    const s = await importExtract(w, 'referrals', 'referrals-dec.csv', [`R-ANN-1,${ANN},RIVAL,HN,2026-12-04`, `R-CY-1,${CY},ACME,HN,2026-12-04`], '2026-12-05T16:00:00Z');
    expect(s.conflicts.map((k) => k.referralId)).toEqual(['R-ANN-1']);
    expect(await hn(ANN)).toMatchObject({ provider_code: 'ACME', status: 2 });
    expect(await hn(CY)).toMatchObject({ provider_code: 'ACME', status: 1, assigned_date: '2026-12-04' });
  });

  it('the extract of December 10th cancels Ben\'s move (it lists him with ACME again) and moves Ed\'s to January 10th', async () => {
    const s = await importExtract(w, 'ecm-assignments', 'assignments-dec.csv',
      [`${ANN},RIVAL,HN,1,2026-12-20,,,,,,`, `${BEN},ACME,HN,3,2026-08-01,,2026-08-15,,High,Pat Lee,5595552000`, `${ED},ACME,HN,1,2027-01-10,,,,,,`], '2026-12-10T16:00:00Z');
    expect(s).toMatchObject({ rowsImported: 3, rowsRejected: 0 });
    expect(s.warnings.map((x) => [x.code, 'row' in x ? x.row : null])).toEqual([['planned-switch-cancelled', 3], ['planned-switch', 4]]);
  });

  it('the MIFs follow the date: ACME\'s December MIF carries Ann and Ben, RIVAL\'s carries Ed and not Ann', async () => {
    await generate('mif', onSlotDay('2026-12-15'), w.deps);
    expect(await sent('ACME', '2026-12-15')).toEqual(expect.arrayContaining([ANN, BEN]));
    expect(await sent('ACME', '2026-12-15')).not.toContain(ED);
    expect(await sent('RIVAL', '2026-12-15')).toContain(ED);
    expect(await sent('RIVAL', '2026-12-15')).not.toContain(ANN);
  });

  it('on December 20th the day\'s first run hands Ann to RIVAL (status 1 from the extract), settles the referral\'s conflict, and keeps what ACME reported in the lineage', async () => {
    await generate('mini-mif', onSlotDay('2026-12-19'), w.deps);
    expect(await hn(ANN)).toMatchObject({ provider_code: 'ACME' });
    await generate('mini-mif', onSlotDay('2026-12-20'), w.deps);
    expect(await hn(ANN)).toMatchObject({ provider_code: 'RIVAL', status: 1, assigned_date: '2026-12-20', acuity: null });
    expect(await hn(BEN)).toMatchObject({ provider_code: 'ACME', status: 3 });
    expect(await hn(ED)).toMatchObject({ provider_code: 'RIVAL' });
    // Cy's referral (its episode started after the extract planned his move) keeps him; Ed's move waits for January 10th
    expect(await hn(CY)).toMatchObject({ provider_code: 'ACME', status: 1, assigned_date: '2026-12-04' });
    expect((await w.db.pool.query(`select cin, provider_code, assigned_date from ecm_assignment_pending order by cin`)).rows)
      .toEqual([{ cin: ED, provider_code: 'ACME', assigned_date: '2027-01-10' }]);
    expect((await w.db.pool.query(`select resolved_at is not null as settled from ecm_referral_conflicts where referral_id = 'R-ANN-1'`)).rows).toEqual([{ settled: true }]);
    expect((await w.db.pool.query(`select (c.before).provider_code as from, (c.before).status, (c.before).acuity, c.moved from ecm_assignment_changes c
      join ecm_assignments a on a.id = c.assignment_id where a.cin = $1 and c.source = 'ASSIGNMENT_IMPORT'`, [ANN])).rows)
      .toEqual([{ from: 'ACME', status: 2, acuity: 'Medium', moved: true }]);
  });

  it('ACME\'s December rows about Ann (held December 1st to 19th) count with MEMBER_REASSIGNED_COUNTED and change nothing of RIVAL\'s; RIVAL\'s are its own', async () => {
    const rivals = await hn(ANN);
    const r = await send('ACME', 'RTF_ACME_HN_202612.xlsx', await rtf([rtfRow({ ...DECEMBER, ...ann, ecmStatus: '2', acuity: 'High' })]), '2027-01-04T17:00:00Z');
    expect(about(r, ANN)).toEqual(['MEMBER_REASSIGNED_COUNTED']);
    expect(await hn(ANN)).toEqual(rivals);
    const mine = await send('RIVAL', 'RTF_RIVAL_HN_202612.xlsx', await rtf([rtfRow({ ...DECEMBER, ...ann, ecmStatus: '2', acuity: 'Low' }, P.ECM2)]), '2027-01-04T18:00:00Z');
    expect(about(mine, ANN)).toEqual([]);
    expect(await hn(ANN)).toMatchObject({ provider_code: 'RIVAL', status: 2, acuity: 'Low' });
  });

  it('RIVAL\'s December rows about Ed (its own until January 10th) are its own', async () => {
    const r = await send('RIVAL', 'OTF_RIVAL_HN_202612.xlsx', await otf([otfRow({ ...ed, clientName: 'Ed Echo', attemptDate: d('2026-12-21') }, P.ECM2)]), '2027-01-04T18:00:00Z');
    expect(r.document).toMatchObject({ rowsAccepted: 1, rowsRejected: 0 });
    expect(about(r, ED)).toEqual([]);
  });
  it('after the date it is as any switch: RIVAL\'s January MIF carries Ann, ACME\'s does not; Ed, moved from January 10th, is ACME\'s', async () => {
    await generate('mif', onSlotDay('2027-01-15'), w.deps);
    expect(await sent('RIVAL', '2027-01-15')).toContain(ANN);
    expect(await sent('ACME', '2027-01-15')).not.toContain(ANN);
    expect(await sent('ACME', '2027-01-15')).toEqual(expect.arrayContaining([BEN, ED]));
    expect(await sent('RIVAL', '2027-01-15')).not.toContain(ED);
  });

});

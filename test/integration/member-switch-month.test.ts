// A switch that takes effect at once (domain §4 items 4a/4b, §6): Ben (91000002B) is enrolled
// with ACME in Health Net from January 2026 and on its MIFs. The plan's assignment extract gives
// him to RIVAL from 2026-04-10, loaded on the 11th: before the MIF of the 15th, so ACME's April
// MIF (its latest when its April files come on 2026-05-03) no longer carries him. ACME worked
// with Ben from April 1st to 9th and reports him on its April RTF and OTF. Its rows about him
// are about a period in which he was ACME's (the assignment's lineage says so), so they are
// treated as those about a member reassigned after the MIF (REASSIGNED_MEMBER_ROWS): counted for
// ACME's April with MEMBER_REASSIGNED_COUNTED, changing nothing of RIVAL's assignment, or
// rejected as MEMBER_REASSIGNED. For May (wholly after the switch) they are not ACME's.
// Ann (91000001A) is ACME's too, moved to RIVAL from 2026-03-31 by the same extract (loaded in
// April, dated before it): ACME held her no day of April. Fay (91000006F), enrolled with ACME,
// is moved to RIVAL from 2026-04-06 by an extract loaded on March 20th (before April began):
// ACME held her April 1st to 5th. Gil (91000007G), enrolled with ACME, is moved to RIVAL from
// 2026-09-10 by an extract loaded on June 20th, nearly three months ahead: ACME held him
// September 1st to 9th and reports him on its September files of October 3rd. Both are planned
// switches (member-switch-planned.test.ts), applied on their day by the first run after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { ingestFile, type Ingested } from '../../src/ingest/pipeline.js';
import { P } from '../helpers/plan.js';
import { enrolledRow, otf, otfRow, rtf, rtfRow } from '../helpers/provider-files.js';
import { closePlanWorld, importExtract, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const BEN = '91000002B';
const ANN = '91000001A';
const FAY = '91000006F';
const GIL = '91000007G';
const d = (date: string) => ({ date });
const APRIL = { reportingPeriod: '04/2026', productionDate: d('2026-05-02') };
const MAY = { reportingPeriod: '05/2026', productionDate: d('2026-06-02') };
/** Ben as ACME reports him for April: enrolled since January, last seen on the 8th. */
const benApril = (over: Record<string, unknown> = {}) => enrolledRow({
  ...APRIL, startDate: d('2026-01-12'), assessmentStartedDate: d('2026-01-20'), assessmentCompletedDate: d('2026-02-10'), carePlanDate: d('2026-02-20'),
  lastEncounterDate: d('2026-04-08'), acuity: 'Low', ...over,
});
const benAttempt = (date: string) => otfRow({ cin: BEN, clientName: 'Ben Bravo', attemptDate: d(date), successful: 'Y' });

let w: PlanWorld;
const send = (provider: string, name: string, bytes: Buffer, at: string, settings: Partial<PlanWorld['config']> = {}): Promise<Ingested> =>
  ingestFile({ pool: w.db.pool, config: { ...w.config, ...settings } }, { provider, originalName: name, bytes, receivedAt: new Date(at), source: 'cli' });
const about = (r: Ingested, cin: string) => r.document.issues.filter((i) => i.cin === cin).map((i) => i.code).sort();
const benHn = async () => (await w.db.pool.query(`select * from ecm_assignments where cin = $1 and lob = 'HN'`, [BEN])).rows[0];
/** The rows about `cin` that count for `provider` in `period` (its first day), per file type. */
const counting = async (provider: string, cin: string, period: string) => (await w.db.pool.query(
  `select c.layout, count(*)::int n from current_rows c join submission_rows r on r.sheet_id = c.sheet_id and r.row_number = c.row_number
    where c.provider_code = $1 and c.period = $3 and r.cin = $2 group by 1 order by 1`, [provider, cin, period])).rows;
const sent = async (provider: string, slot: string) => (await w.db.pool.query<{ cin: string }>(
  `select r.cin from outbound_files f join outbound_file_rows r on r.outbound_file_id = f.id
    where f.provider_code = $1 and f.kind = 'MIF' and f.slot = $2 and f.status = 'PUBLISHED' and f.lob = 'HN' order by r.cin`, [provider, slot])).rows.map((r) => r.cin);

beforeAll(async () => {
  w = await openPlanWorld('switch-month', { settings: { SFTP_STABLE_SECONDS: '0' } });
  // the story starts in January 2026: Ben enrolled with ACME, Ann pending outreach with it
  await w.db.pool.query(`update ecm_assignments set assigned_date = '2026-01-05', enrollment_start = '2026-01-12' where cin = $1 and lob = 'HN'`, [BEN]);
  await w.db.pool.query(`update ecm_assignments set assigned_date = '2026-01-05' where cin = $1 and lob = 'HN'`, [ANN]);
  await w.db.pool.query(`update ecm_assignments set assigned_date = '2026-01-05', enrollment_start = '2026-01-09', enrollment_end = null where cin = $1 and lob = 'HN'`, [FAY]);
  await generate('mif', { date: '2026-03-15', now: new Date('2026-03-15T14:30:00Z') }, w.deps);
});
afterAll(() => closePlanWorld(w));

let rivals: unknown;

describe('a switch to another provider dated inside the period, loaded before that period\'s MIF', () => {
  it('an extract of March 20th (after ACME\'s March MIF) moves Fay to RIVAL from April 6th: planned, she stays ACME\'s until then', async () => {
    expect(await sent('ACME', '2026-03-15')).toContain(FAY);
    expect(await importExtract(w, 'ecm-assignments', 'assignments-mar.csv', [`${FAY},RIVAL,HN,1,2026-04-06,,,,,,`], '2026-03-20T16:00:00Z'))
      .toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await w.db.pool.query(`select provider_code from ecm_assignments where cin = $1 and lob = 'HN'`, [FAY]).then((x) => x.rows)).toEqual([{ provider_code: 'ACME' }]);
  });

  it('the extract of April 11th moves Ben (from the 10th) and Ann (from March 31st) to RIVAL: ACME\'s April MIF carries neither, RIVAL\'s both', async () => {
    expect(await sent('ACME', '2026-03-15')).toEqual(expect.arrayContaining([ANN, BEN]));
    const extract = await importExtract(w, 'ecm-assignments', 'assignments-apr.csv',
      [`${BEN},RIVAL,HN,1,2026-04-10,,,,,,`, `${ANN},RIVAL,HN,1,2026-03-31,,,,,,`], '2026-04-11T16:00:00Z');
    expect(extract).toMatchObject({ rowsImported: 2, rowsRejected: 0 });
    await generate('mif', { date: '2026-04-15', now: new Date('2026-04-15T14:30:00Z') }, w.deps);
    expect(await sent('ACME', '2026-04-15')).not.toContain(BEN);
    expect(await sent('ACME', '2026-04-15')).not.toContain(ANN);
    expect(await sent('ACME', '2026-04-15')).not.toContain(FAY);
    expect(await sent('RIVAL', '2026-04-15')).toEqual(expect.arrayContaining([ANN, BEN, FAY]));
    rivals = await benHn();
    expect(rivals).toMatchObject({ provider_code: 'RIVAL', status: 1, assigned_date: '2026-04-10' });
  });

  it('reject: ACME\'s April rows about Ben are rejected as MEMBER_REASSIGNED (not "not assigned to you"), saying nothing of whom', async () => {
    const reject = { REASSIGNED_MEMBER_ROWS: 'reject' as const };
    const r = await send('ACME', 'RTF_ACME_HN_202604.xlsx', await rtf([benApril()]), '2026-05-03T17:00:00Z', reject);
    expect(about(r, BEN)).toEqual(['MEMBER_REASSIGNED']);
    const issue = r.document.issues.find((i) => i.cin === BEN)!;
    expect(issue.message).not.toMatch(/91000002B|Bravo|RIVAL/);
    const o = await send('ACME', 'OTF_ACME_HN_202604.xlsx', await otf([benAttempt('2026-04-02'), benAttempt('2026-04-08')]), '2026-05-03T17:00:00Z', reject);
    expect(o.document).toMatchObject({ outcome: 'REJECTED', rowsRejected: 2 });
    expect(about(o, BEN)).toEqual(['MEMBER_REASSIGNED', 'MEMBER_REASSIGNED']);
    expect(await counting('ACME', BEN, '2026-04-01')).toEqual([]);
    expect(await benHn()).toEqual(rivals);
  });

  it('count (the default): ACME\'s April RTF and OTF rows about Ben count for ACME\'s April with MEMBER_REASSIGNED_COUNTED, and RIVAL\'s assignment is untouched', async () => {
    const r = await send('ACME', 'RTF_ACME_HN_202604_v2.xlsx', await rtf([benApril()]), '2026-05-04T17:00:00Z');
    expect(r.document).toMatchObject({ rowsAccepted: 1, rowsRejected: 0 });
    expect(about(r, BEN)).toEqual(['MEMBER_REASSIGNED_COUNTED']);
    const o = await send('ACME', 'OTF_ACME_HN_202604_v2.xlsx', await otf([benAttempt('2026-04-02'), benAttempt('2026-04-08')]), '2026-05-04T17:00:00Z');
    expect(o.document).toMatchObject({ outcome: 'ACCEPTED_WITH_WARNINGS', rowsAccepted: 2, rowsRejected: 0 });
    expect(about(o, BEN)).toEqual(['MEMBER_REASSIGNED_COUNTED', 'MEMBER_REASSIGNED_COUNTED']);
    expect(await counting('ACME', BEN, '2026-04-01')).toEqual([{ layout: 'OTF', n: 2 }, { layout: 'RTF', n: 1 }]);
    // the apply statements touch only the submitter's assignments: Ben's is RIVAL's, as the extract left it
    expect(await benHn()).toEqual(rivals);
  });

  it('a switch loaded before the period began, dated inside it (Fay, from April 6th): ACME\'s April rows about her count too', async () => {
    const fay = { cin: FAY, lastName: 'Foxtrot', firstName: 'Fay', clientName: 'Fay Foxtrot' };
    const r = await send('ACME', 'RTF_ACME_HN_202604_fay.xlsx', await rtf([benApril({ ...fay, startDate: d('2026-01-09'), lastEncounterDate: d('2026-04-03') })]), '2026-05-05T17:00:00Z');
    expect(about(r, FAY)).toEqual(['MEMBER_REASSIGNED_COUNTED']);
    const o = await send('ACME', 'OTF_ACME_HN_202604_fay.xlsx', await otf([otfRow({ ...fay, attemptDate: d('2026-04-03') })]), '2026-05-05T17:00:00Z');
    expect(about(o, FAY)).toEqual(['MEMBER_REASSIGNED_COUNTED']);
    expect(await counting('ACME', FAY, '2026-04-01')).toEqual([{ layout: 'OTF', n: 1 }, { layout: 'RTF', n: 1 }]);
    expect(await w.db.pool.query(`select provider_code from ecm_assignments where cin = $1 and lob = 'HN'`, [FAY]).then((x) => x.rows)).toEqual([{ provider_code: 'RIVAL' }]);
  });

  it('a member moved from a day before the period (loaded during it) was ACME\'s no day of April: still not assigned to ACME', async () => {
    const o = await send('ACME', 'OTF_ACME_HN_202604_ann.xlsx', await otf([otfRow({ attemptDate: d('2026-04-06') })]), '2026-05-05T17:00:00Z');
    expect(about(o, ANN)).toEqual(['MEMBER_NOT_ASSIGNED']);
  });

  it('RIVAL\'s own April RTF about Ben is RIVAL\'s: accepted, and it updates RIVAL\'s assignment', async () => {
    const r = await send('RIVAL', 'RTF_RIVAL_HN_202604.xlsx', await rtf([rtfRow({ ...APRIL, cin: BEN, lastName: 'Bravo', firstName: 'Ben', ecmStatus: '2', acuity: 'Medium' }, P.ECM2)]), '2026-05-03T18:00:00Z');
    expect(r.document.issues.filter((i) => i.cin === BEN && i.severity === 'error')).toEqual([]);
    expect(about(r, BEN)).not.toContain('MEMBER_REASSIGNED_COUNTED');
    expect(await benHn()).toMatchObject({ provider_code: 'RIVAL', status: 2, acuity: 'Medium' });
    expect(await counting('RIVAL', BEN, '2026-04-01')).toEqual([{ layout: 'RTF', n: 1 }]);
  });

  it('ACME\'s May files (a period wholly after the switch) about Ben are rejected: not assigned to ACME', async () => {
    await generate('mif', { date: '2026-05-15', now: new Date('2026-05-15T14:30:00Z') }, w.deps);
    const r = await send('ACME', 'RTF_ACME_HN_202605.xlsx', await rtf([benApril(MAY)]), '2026-06-03T17:00:00Z');
    expect(about(r, BEN)).toEqual(['MEMBER_NOT_ASSIGNED']);
    const o = await send('ACME', 'OTF_ACME_HN_202605.xlsx', await otf([benAttempt('2026-05-04')]), '2026-06-03T17:00:00Z');
    expect(about(o, BEN)).toEqual(['MEMBER_NOT_ASSIGNED']);
    expect(await counting('ACME', BEN, '2026-05-01')).toEqual([]);
  });
});

describe('a switch dated inside the period, loaded months before it', () => {
  const SEPTEMBER = { reportingPeriod: '09/2026', productionDate: d('2026-10-02') };
  const gil = { cin: GIL, lastName: 'Golf', firstName: 'Gil', clientName: 'Gil Golf' };
  const gilSeptember = () => benApril({ ...SEPTEMBER, ...gil, startDate: d('2026-01-09'), lastEncounterDate: d('2026-09-04') });
  const gilAttempt = (date: string) => otfRow({ ...gil, attemptDate: d(date), successful: 'Y' });

  it('an extract of June 20th moves Gil, enrolled with ACME since January, to RIVAL from September 10th: on ACME\'s August MIF, not on its September one', async () => {
    await w.db.pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date, enrollment_start, acuity, lcm_name, lcm_phone)
      values ($1, 'HN', 'ACME', 3, '2026-01-05', '2026-01-09', 'Low', 'Pat Lee', '5595552000')`, [GIL]);
    expect(await importExtract(w, 'ecm-assignments', 'assignments-jun.csv', [`${GIL},RIVAL,HN,1,2026-09-10,,,,,,`], '2026-06-20T16:00:00Z'))
      .toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    await generate('mif', { date: '2026-08-15', now: new Date('2026-08-15T14:30:00Z') }, w.deps);
    expect(await sent('ACME', '2026-08-15')).toContain(GIL);
    // the September MIF's run is the first after September 10th: it applies the switch first
    await generate('mif', { date: '2026-09-15', now: new Date('2026-09-15T14:30:00Z') }, w.deps);
    expect(await sent('ACME', '2026-09-15')).not.toContain(GIL);
    expect(await sent('RIVAL', '2026-09-15')).toContain(GIL);
    // when it was applied (changed_at defaults to the database's clock): in production, that run
    await w.db.pool.query(`update ecm_assignment_changes c set changed_at = '2026-09-15T14:30:00Z' from ecm_assignments a
      where a.id = c.assignment_id and a.cin = $1 and c.source = 'ASSIGNMENT_IMPORT'`, [GIL]);
  });

  it('SWITCH_LOOKBACK_DAYS=0 (only since the period before began, August 1st): the switch, recorded on its day, is found all the same', async () => {
    const o = await send('ACME', 'OTF_ACME_HN_202609_strict.xlsx', await otf([gilAttempt('2026-09-02')]), '2026-10-02T17:00:00Z', { SWITCH_LOOKBACK_DAYS: 0 });
    expect(about(o, GIL)).toEqual(['MEMBER_REASSIGNED_COUNTED']);
    expect(await counting('ACME', GIL, '2026-09-01')).toEqual([{ layout: 'OTF', n: 1 }]);
  });

  it('count (the default): ACME\'s September RTF and OTF rows about Gil count for its September with MEMBER_REASSIGNED_COUNTED', async () => {
    const r = await send('ACME', 'RTF_ACME_HN_202609.xlsx', await rtf([gilSeptember()]), '2026-10-03T17:00:00Z');
    expect(about(r, GIL)).toEqual(['MEMBER_REASSIGNED_COUNTED']);
    const o = await send('ACME', 'OTF_ACME_HN_202609.xlsx', await otf([gilAttempt('2026-09-02'), gilAttempt('2026-09-04')]), '2026-10-03T17:00:00Z');
    expect(about(o, GIL)).toEqual(['MEMBER_REASSIGNED_COUNTED', 'MEMBER_REASSIGNED_COUNTED']);
    expect(await counting('ACME', GIL, '2026-09-01')).toEqual([{ layout: 'OTF', n: 2 }, { layout: 'RTF', n: 1 }]);
    expect(await w.db.pool.query(`select provider_code from ecm_assignments where cin = $1 and lob = 'HN'`, [GIL]).then((x) => x.rows)).toEqual([{ provider_code: 'RIVAL' }]);
  });

  it('a member moved away before the period (Ann, RIVAL\'s from March 31st, loaded in April: inside the lookback) whose eligibility then ended is not ACME\'s: rejected, with no warning that the row is accepted', async () => {
    await w.db.pool.query(`update members set eligibility_end = '2026-08-31' where cin = $1`, [ANN]);
    try {
      const o = await send('ACME', 'OTF_ACME_HN_202609_ann.xlsx', await otf([otfRow({ attemptDate: d('2026-09-03') })]), '2026-10-04T17:00:00Z');
      expect(about(o, ANN)).toEqual(['MEMBER_NOT_ASSIGNED']);
    } finally {
      await w.db.pool.query(`update members set eligibility_end = null where cin = $1`, [ANN]);
    }
  });

  it('the lineage marks the switches as moves, and only them (migration 0049: the context reads the moves alone)', async () => {
    // a change that keeps the provider: RIVAL's outreach with Ben under way
    expect(await importExtract(w, 'ecm-assignments', 'assignments-oct.csv', [`${BEN},RIVAL,HN,2,2026-04-10,,,,High,,`], '2026-10-05T16:00:00Z'))
      .toMatchObject({ rowsRejected: 0 });
    const rows = (await w.db.pool.query<{ cin: string; from: string; source: string; moved: boolean }>(
      `select (c.before).cin, (c.before).provider_code as from, c.source, c.moved from ecm_assignment_changes c where c.source <> 'RTF' order by 1, c.id`)).rows;
    expect(rows.filter((r) => r.moved).map((r) => [r.cin, r.from])).toEqual([[ANN, 'ACME'], [BEN, 'ACME'], [FAY, 'ACME'], [GIL, 'ACME']]);
    expect(rows.filter((r) => !r.moved).map((r) => [r.cin, r.from, r.source])).toEqual([[BEN, 'RIVAL', 'ASSIGNMENT_IMPORT']]);
  });
});

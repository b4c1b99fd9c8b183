// A member's line of business changes (Health Net HN -> CalViva CV): a Medi-Cal member is
// enrolled in one of the plan's lines at a time. The plan's assignment extract assigns the
// member in CV with another provider and simply no longer lists them in HN. [POLICY
// LOB_SWITCH=end-other-lines] the open HN assignment ends from the plan's side as of the CV
// assigned date (last day the day before): no HN MIF or mini-MIF carries the member from then,
// the HN RTF for a period from then does not owe them (a row about them is accepted with the
// warning MEMBER_LEFT_LINE), an HN referral conflict no longer counts it. 91000002B (Ben) is
// enrolled with ACME in HN; RIVAL gets a CalViva contract here.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { miniMifSlaAlert } from '../../src/reports/alerts.js';
import { rtf, rtfRow } from '../helpers/provider-files.js';
import { answerUpload, closePlanWorld, importExtract, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const BEN = '91000002B';
/** Ben assigned in CalViva with RIVAL from 2026-12-01 (the extract of current assignments: no HN row for him). */
const BEN_CV = `${BEN},RIVAL,CV,1,2026-12-01,,,,,,`;

/** The CINs on the provider's published files of `kind` for `slot` and line. */
const sent = async (w: PlanWorld, provider: string, kind: string, slot: string, lob: string) =>
  (await w.db.pool.query<{ cin: string }>(
    `select r.cin from outbound_files f join outbound_file_rows r on r.outbound_file_id = f.id
      where f.provider_code = $1 and f.kind = $2 and f.slot = $3 and f.status = 'PUBLISHED' and f.lob = $4
      order by r.cin`, [provider, kind, slot, lob])).rows.map((r) => r.cin);

async function world(name: string, setUp: (w: PlanWorld) => Promise<void>, settings: Record<string, string> = {}): Promise<PlanWorld> {
  const w = await openPlanWorld(name, { settings: { SFTP_STABLE_SECONDS: '0', ...settings } });
  await w.db.pool.query(`insert into provider_contracts (provider_code, lob, program) values ('RIVAL', 'CV', 'ECM')`);
  await w.db.pool.query(`update providers set liaison_email = lower(provider_code) || '-liaison@plan.example'`);
  await setUp(w);
  await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
  return w;
}

const one = async (w: PlanWorld, sql: string, params: unknown[] = []) => (await w.db.pool.query(sql, params)).rows[0];
const DECEMBER = { reportingPeriod: '12/2026', productionDate: { date: '2027-01-02' } };

describe('LOB_SWITCH=end-other-lines (the default): the extract moves Ben from HN (ACME) to CV (RIVAL)', () => {
  let w: PlanWorld;
  let first: Awaited<ReturnType<typeof importExtract>>;
  beforeAll(async () => {
    w = await world('line-switch', async (x) => {
      // Gil: enrolled with ACME in Health Net, whose move to CalViva the plan sends late (below)
      await x.db.pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date, enrollment_start, acuity, lcm_name, lcm_phone)
        values ('91000007G', 'HN', 'ACME', 3, '2026-10-01', '2026-10-05', 'Low', 'Pat Lee', '5595552000')`);
      // (Pat Lee has Ben and Gil enrolled in Health Net: one more than this limit while both count)
    }, { CASELOAD_WARN_LIMIT: '1' });
  });
  afterAll(() => closePlanWorld(w));

  it('the November HN MIF carried Ben; after the extract the December HN MIF of ACME does not, RIVAL\'s CV MIF does', async () => {
    expect(await sent(w, 'ACME', 'MIF', '2026-11-15', 'HN')).toContain(BEN);
    first = await importExtract(w, 'ecm-assignments', 'assignments-dec.csv', [BEN_CV], '2026-11-20T16:00:00Z');
    expect(first).toMatchObject({ rowsRead: 1, rowsImported: 1, rowsRejected: 0 });
    await generate('mif', { date: '2026-12-15', now: new Date('2026-12-15T14:30:00Z') }, w.deps);
    expect(await sent(w, 'ACME', 'MIF', '2026-12-15', 'HN')).not.toContain(BEN);
    expect(await sent(w, 'RIVAL', 'MIF', '2026-12-15', 'CV')).toContain(BEN);
  });

  it('the CalViva assignment is the extract\'s; the Health Net one keeps what ACME reported and carries the plan\'s end, with its lineage', async () => {
    expect(await one(w, `select provider_code, status, assigned_date, plan_end from ecm_assignments where cin = $1 and lob = 'CV'`, [BEN]))
      .toEqual({ provider_code: 'RIVAL', status: 1, assigned_date: '2026-12-01', plan_end: null });
    // no status 4 and no enrollment end the provider never reported
    expect(await one(w, `select provider_code, status, enrollment_start, enrollment_end, discontinuation_date, plan_end, plan_ended_at
      from ecm_assignments where cin = $1 and lob = 'HN'`, [BEN])).toEqual({
      provider_code: 'ACME', status: 3, enrollment_start: '2026-08-15', enrollment_end: null, discontinuation_date: null, plan_end: '2026-11-30',
      plan_ended_at: new Date('2026-11-20T16:00:00Z'),
    });
    expect((await w.db.pool.query(`select c.row_number, c.source, (c.before).plan_end as was, (c.before).status as status from ecm_assignment_changes c
      join ecm_assignments a on a.id = c.assignment_id where a.cin = $1 and a.lob = 'HN'`, [BEN])).rows)
      .toEqual([{ row_number: 2, source: 'LINE_SWITCH', was: null, status: 3 }]);
  });

  it('the import lists the switch, and ACME\'s Health Net liaison is told once, without CINs or names', async () => {
    const hn = await one(w, `select id::int from ecm_assignments where cin = $1 and lob = 'HN'`, [BEN]);
    expect(first.lineSwitches).toEqual([{ row: 2, cin: BEN, lineLeft: 'HN', lineJoined: 'CV', provider: 'ACME', lastDay: '2026-11-30', assignmentId: hn.id }]);
    const n = (await w.db.pool.query(`select recipients, subject, body, location from notifications where kind = 'line-switch'`)).rows;
    expect(n).toHaveLength(1);
    expect(n[0].recipients).toEqual(['acme-liaison@plan.example']);
    expect(n[0].subject).toMatch(/1 assignment\(s\) ended \(ACME \(HN\)\)/);
    expect(n[0].body).toMatch(/row 2: left HN \(provider ACME\), last day 2026-11-30; now in CV/);
    expect(fs.readFileSync(n[0].location, 'utf8')).not.toMatch(/91000002B|Bravo|Ben\b|1975/);
  });

  it('re-importing the same extract changes nothing more: no switch listed, no lineage, no email', async () => {
    const again = await importExtract(w, 'ecm-assignments', 'assignments-dec.csv', [BEN_CV], '2026-11-21T16:00:00Z');
    expect(again).toMatchObject({ rowsImported: 1, rowsRejected: 0, lineSwitches: [] });
    expect(await one(w, `select plan_end, plan_ended_at from ecm_assignments where cin = $1 and lob = 'HN'`, [BEN]))
      .toEqual({ plan_end: '2026-11-30', plan_ended_at: new Date('2026-11-20T16:00:00Z') });
    expect(await one(w, `select count(*)::int n from ecm_assignment_changes where source = 'LINE_SWITCH'`)).toEqual({ n: 1 });
    expect(await one(w, `select count(*)::int n from notifications where kind = 'line-switch'`)).toEqual({ n: 1 });
  });

  it('a file that lists the member in both lines ends neither', async () => {
    // Dee: CalViva with ACME (status 2); the file puts her in Health Net with RIVAL and still lists her in CalViva
    const s = await importExtract(w, 'ecm-assignments', 'assignments-both.csv',
      ['91000004D,RIVAL,HN,1,2026-11-25,,,,,,', '91000004D,ACME,CV,2,2026-10-01,,,,,,'], '2026-11-22T16:00:00Z');
    expect(s).toMatchObject({ rowsImported: 2, rowsRejected: 0, lineSwitches: [] });
    expect(await one(w, `select plan_end from ecm_assignments where cin = '91000004D' and lob = 'CV'`)).toEqual({ plan_end: null });
  });

  it('a referral not yet sent is on no mini-MIF of the line the member left, nor alerted on as overdue', async () => {
    // Hana: referred to ACME in Health Net on 11/25, then assigned in CalViva from 11/28
    await importExtract(w, 'referrals', 'referrals-hana.csv', ['REF-LS-H,91000008H,ACME,HN,2026-11-25'], '2026-11-25T16:00:00Z');
    const s = await importExtract(w, 'ecm-assignments', 'assignments-hana.csv', ['91000008H,RIVAL,CV,1,2026-11-28,,,,,,'], '2026-11-26T16:00:00Z');
    expect(s.lineSwitches).toMatchObject([{ cin: '91000008H', lineLeft: 'HN', provider: 'ACME', lastDay: '2026-11-27' }]);
    const mini = await generate('mini-mif', { date: '2026-12-01', now: new Date('2026-12-01T14:30:00Z') }, w.deps);
    expect(mini.units.find((u) => u.provider === 'ACME' && u.lob === 'HN')?.status ?? 'NONE').not.toBe('PUBLISHED');
    expect(await sent(w, 'ACME', 'MINIMIF', '2026-12-01', 'HN')).not.toContain('91000008H');
    // nor is it overdue to ACME's liaison (10 days after its approval), as for a member moved to another provider
    expect(await miniMifSlaAlert(w.db.pool, w.config, '2026-12-06', new Date('2026-12-06T15:00:00Z'))).toEqual({ referrals: 0, providers: 0 });
  });

  it('the plan learns of a move after the December MIF: ACME\'s December RTF does not owe Gil nor count him in a caseload, and a row about him is accepted with MEMBER_LEFT_LINE', async () => {
    expect((await w.db.pool.query(`select r.ecm_status from outbound_files f join outbound_file_rows r on r.outbound_file_id = f.id
      where f.provider_code = 'ACME' and f.lob = 'HN' and f.kind = 'MIF' and f.slot = '2026-12-15' and r.cin = '91000007G'`)).rows).toEqual([{ ecm_status: 3 }]);
    const s = await importExtract(w, 'ecm-assignments', 'assignments-gil.csv', ['91000007G,RIVAL,CV,1,2026-12-01,,,,,,', BEN_CV], '2026-12-20T16:00:00Z');
    expect(s.lineSwitches).toMatchObject([{ row: 2, cin: '91000007G', lineLeft: 'HN', lineJoined: 'CV', provider: 'ACME', lastDay: '2026-11-30' }]);
    // December's RTF without Gil: he is not owed (he was in CalViva for all of December)
    const dec = await answerUpload(w, 'ACME', 'RTF_ACME_202612.xlsx', await rtf([rtfRow(DECEMBER)]), '2027-01-04T17:00:00Z');
    expect(dec.document.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(dec.document.issues.filter((i) => i.code === 'PAST_ENROLLMENT_NOT_REPORTED')).toEqual([]);
    expect(dec.document.issues.filter((i) => i.code === 'MEMBER_LEFT_LINE')).toEqual([]);
    // nor in Pat Lee's Health Net caseload for December, with Ben
    expect(dec.document.issues.filter((i) => i.code === 'CASELOAD_HIGH')).toEqual([]);
    // ACME reports his discontinuation (and a new address and phone for him): accepted, with the
    // warning (saying what to do, never who)
    const contacts = `select address, city, state, zip, phone, homeless from members where cin = '91000007G'`;
    const gilContacts = await one(w, contacts);
    const again = await answerUpload(w, 'ACME', 'RTF_ACME_202612_v2.xlsx', await rtf([rtfRow(DECEMBER), rtfRow({
      ...DECEMBER, cin: '91000007G', lastName: 'Golf', firstName: 'Gil', ecmStatus: '4', startDate: { date: '2026-10-05' }, endDate: { date: '2026-11-30' },
      discontinuationReasonCode: 'WM', lcmName: 'Pat Lee', lcmPhone: '5595552000',
      newAddress: 'Y', address: '1 Elsewhere Way', city: 'Los Angeles', state: 'CA', zip: '90001', newPhone: 'Y', phone: '3105550199', homeless: 'Y',
    })]), '2027-01-05T17:00:00Z');
    expect(again.document.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(again.document.rowsRejected).toBe(0);
    const warned = again.document.issues.filter((i) => i.code === 'MEMBER_LEFT_LINE');
    expect(warned.map((i) => [i.row, i.cin, i.severity])).toEqual([[3, '91000007G', 'warning']]);
    expect(warned[0]!.message).toMatch(/11\/30\/2026/);
    expect(warned[0]!.message).toMatch(/discontinuation/);
    expect(warned[0]!.message).not.toMatch(/Golf|Gil|91000007G|CV|CalViva/);
    // the provider's report is kept as reported; the plan's end stays
    expect(await one(w, `select status, enrollment_end, plan_end from ecm_assignments where cin = '91000007G' and lob = 'HN'`))
      .toEqual({ status: 4, enrollment_end: '2026-11-30', plan_end: '2026-11-30' });
    // but the member's own record (on RIVAL's next MIF) is not ACME's to change any more: the
    // contacts an RTF reports flow in only from a provider whose assignment holds the member
    expect(await one(w, contacts)).toEqual(gilContacts);
  });

  it('a later extract moving Ben back to Health Net reopens it from its own date and ends CalViva the day before', async () => {
    const s = await importExtract(w, 'ecm-assignments', 'assignments-back.csv', [`${BEN},ACME,HN,1,2027-01-10,,,,,,`], '2027-01-08T16:00:00Z');
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(s.lineSwitches).toMatchObject([{ row: 2, cin: BEN, lineLeft: 'CV', lineJoined: 'HN', provider: 'RIVAL', lastDay: '2027-01-09' }]);
    expect(await one(w, `select provider_code, assigned_date, plan_end, plan_ended_at from ecm_assignments where cin = $1 and lob = 'HN'`, [BEN]))
      .toEqual({ provider_code: 'ACME', assigned_date: '2027-01-10', plan_end: null, plan_ended_at: null });
    expect((await w.db.pool.query(`select recipients from notifications where kind = 'line-switch' order by id`)).rows.at(-1).recipients)
      .toEqual(['rival-liaison@plan.example']);
    await generate('mif', { date: '2027-01-15', now: new Date('2027-01-15T14:30:00Z') }, w.deps);
    expect(await sent(w, 'ACME', 'MIF', '2027-01-15', 'HN')).toContain(BEN);
    expect(await sent(w, 'RIVAL', 'MIF', '2027-01-15', 'CV')).not.toContain(BEN);
  });

  it('the referral conflict check counts the ended assignment as open only for a referral approved before its end', async () => {
    // CalViva with RIVAL ended on 2027-01-09 (the move back)
    const before = await importExtract(w, 'referrals', 'referrals-cv-1.csv', [`REF-LS-1,${BEN},ACME,CV,2027-01-05`], '2027-01-12T16:00:00Z');
    expect(before.conflicts).toEqual([{ row: 2, referralId: 'REF-LS-1', cin: BEN, lob: 'CV', currentProvider: 'RIVAL', referredProvider: 'ACME' }]);
    const after = await importExtract(w, 'referrals', 'referrals-cv-2.csv', [`REF-LS-2,${BEN},ACME,CV,2027-01-12`], '2027-01-13T16:00:00Z');
    expect(after).toMatchObject({ rowsImported: 1, rowsRejected: 0, conflicts: [] });
    expect(await one(w, `select provider_code, status, assigned_date, plan_end from ecm_assignments where cin = $1 and lob = 'CV'`, [BEN]))
      .toEqual({ provider_code: 'ACME', status: 1, assigned_date: '2027-01-12', plan_end: null });
  });
});

describe('LOB_SWITCH=end-other-lines: an enrollment with a planned end is open until that end', () => {
  let w: PlanWorld;
  beforeAll(async () => {
    // Ben is enrolled with ACME in Health Net until the end of March (the extract's planned end);
    // Gil too, with no end, both with Pat Lee
    w = await world('line-switch-planned-end', async (x) => {
      await x.db.pool.query(`update ecm_assignments set enrollment_end = '2027-03-31' where cin = $1 and lob = 'HN'`, [BEN]);
      await x.db.pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date, enrollment_start, acuity, lcm_name, lcm_phone)
        values ('91000007G', 'HN', 'ACME', 3, '2026-10-01', '2026-10-05', 'Low', 'Pat Lee', '5595552000')`);
    }, { CASELOAD_WARN_LIMIT: '1' });
  });
  afterAll(() => closePlanWorld(w));

  it('Ben counts in Pat Lee\'s November caseload: two enrolled members, over a limit of one', async () => {
    const nov = await answerUpload(w, 'ACME', 'RTF_ACME_202611.xlsx', await rtf([rtfRow()]), '2026-12-03T17:00:00Z');
    expect(nov.document.issues.filter((i) => i.code === 'CASELOAD_HIGH').map((i) => i.message)).toEqual([expect.stringMatching(/\b2\b/)]);
  });

  it('the extract moving Ben to CalViva from December ends Health Net the day before: one line\'s MIF carries him, not both', async () => {
    const s = await importExtract(w, 'ecm-assignments', 'assignments-planned.csv', [BEN_CV], '2026-11-20T17:00:00Z');
    expect(s.lineSwitches).toEqual([expect.objectContaining({ cin: BEN, lineLeft: 'HN', lineJoined: 'CV', provider: 'ACME', lastDay: '2026-11-30' })]);
    expect(await one(w, `select status, enrollment_end, plan_end from ecm_assignments where cin = $1 and lob = 'HN'`, [BEN]))
      .toEqual({ status: 3, enrollment_end: '2027-03-31', plan_end: '2026-11-30' });
    await generate('mif', { date: '2026-12-15', now: new Date('2026-12-15T14:30:00Z') }, w.deps);
    expect(await sent(w, 'ACME', 'MIF', '2026-12-15', 'HN')).not.toContain(BEN);
    expect(await sent(w, 'RIVAL', 'MIF', '2026-12-15', 'CV')).toContain(BEN);
  });
});

describe('LOB_SWITCH=keep: today\'s behaviour', () => {
  let w: PlanWorld;
  beforeAll(async () => {
    w = await world('line-switch-keep', async () => undefined, { LOB_SWITCH: 'keep' });
  });
  afterAll(() => closePlanWorld(w));

  it('the Health Net assignment stays open: Ben is on both lines\' MIFs, nothing is listed or emailed', async () => {
    const s = await importExtract(w, 'ecm-assignments', 'assignments-dec.csv', [BEN_CV], '2026-11-20T16:00:00Z');
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0, lineSwitches: [] });
    expect(await one(w, `select status, plan_end from ecm_assignments where cin = $1 and lob = 'HN'`, [BEN])).toEqual({ status: 3, plan_end: null });
    await generate('mif', { date: '2026-12-15', now: new Date('2026-12-15T14:30:00Z') }, w.deps);
    expect(await sent(w, 'ACME', 'MIF', '2026-12-15', 'HN')).toContain(BEN);
    expect(await sent(w, 'RIVAL', 'MIF', '2026-12-15', 'CV')).toContain(BEN);
    expect(await one(w, `select count(*)::int n from notifications where kind = 'line-switch'`)).toEqual({ n: 0 });
  });
});

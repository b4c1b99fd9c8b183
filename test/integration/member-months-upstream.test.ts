// Member state across months, upstream side (issue 17 findings 3-6): the plan's extracts
// (referrals, assignments, CS authorizations) meet what providers reported since.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSPRTF } from '../../schemas/index.js';
import { loadConfig } from '../../src/config.js';
import { generate } from '../../src/generate/run.js';
import { importUpstream } from '../../src/import/upstream.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import type { TestDb } from '../helpers/db.js';
import type { TestSftp } from '../helpers/dev-sftp.js';
import { closePlanWorld, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';
import { csprtfRow, rtf, rtfRow, workbook } from '../helpers/provider-files.js';
import { readRecords } from '../helpers/workbook.js';

const fx = (name: string) => path.join(import.meta.dirname, '..', 'fixtures', 'upstream', name);
const d = (date: string) => ({ date });
let db: TestDb;
let sftp: TestSftp;
let dataDir: string;
let config: ReturnType<typeof loadConfig>;
let deps: Parameters<typeof generate>[2];
let world: PlanWorld;

beforeAll(async () => {
  world = await openPlanWorld('months', { csAuthorizations: true });
  ({ db, sftp, dataDir, config, deps } = world);
  // each provider's liaison, so an alert about two providers reaches both
  await db.pool.query(`update providers set liaison_email = lower(provider_code) || '-liaison@plan.example'`);
});
afterAll(() => closePlanWorld(world));

const one = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows[0];
const downloads = (code: string) => path.join(sftp.root, code, 'downloads');

describe('finding 3: a referral for a member with an open assignment with another provider', () => {
  it('is not applied: listed as a conflict, the member stays with that provider, both liaisons are alerted without CINs', async () => {
    // RIVAL reported 91000005E enrolled (what an accepted RTF applies)
    await db.pool.query(`update ecm_assignments set status = 3, enrollment_start = '2026-10-01', acuity = 'High', lcm_name = 'Rae Kim', lcm_phone = '5595554000'
      where cin = '91000005E' and lob = 'HN'`);
    const s = await importUpstream(db.pool, 'referrals', fx('referrals_conflict.csv'), { config, now: new Date('2026-11-03T16:00:00Z') });
    expect(s).toMatchObject({ rowsRead: 2, rowsImported: 1, rowsRejected: 1 });
    expect(s.conflicts).toEqual([{ row: 2, referralId: 'REF-MM-01', cin: '91000005E', lob: 'HN', currentProvider: 'RIVAL', referredProvider: 'ACME' }]);
    expect(s.rejects[0]).toMatchObject({ row: 2, column: 'provider_code' });
    expect(s.rejects[0]!.message).toMatch(/open ECM assignment with provider RIVAL.*not applied/);
    expect(s.rejects[0]!.message).not.toMatch(/91000005E/);
    // the member, the enrollment, the acuity and the care manager stay with RIVAL
    expect(await one(`select provider_code, status, enrollment_start, acuity, lcm_name from ecm_assignments where cin = '91000005E' and lob = 'HN'`))
      .toEqual({ provider_code: 'RIVAL', status: 3, enrollment_start: '2026-10-01', acuity: 'High', lcm_name: 'Rae Kim' });
    expect(await one(`select count(*)::int n from ecm_referrals where referral_id = 'REF-MM-01'`)).toEqual({ n: 0 });
    expect(await one(`select current_provider, referred_provider, resolved_at from ecm_referral_conflicts where referral_id = 'REF-MM-01'`))
      .toEqual({ current_provider: 'RIVAL', referred_provider: 'ACME', resolved_at: null });
    // the other referral (no assignment yet) is applied as before
    expect(await one(`select provider_code, status, assigned_date from ecm_assignments where cin = '91000007G' and lob = 'HN'`))
      .toEqual({ provider_code: 'ACME', status: 1, assigned_date: '2026-11-02' });
    const n = (await db.pool.query(`select recipients, subject, body, location from notifications where kind = 'referral-conflict'`)).rows;
    expect(n).toHaveLength(1);
    expect(n[0].recipients.sort()).toEqual(['acme-liaison@plan.example', 'rival-liaison@plan.example']);
    expect(n[0].body).toMatch(/row 2: referred to ACME \(HN\); currently with RIVAL/);
    const eml = fs.readFileSync(n[0].location, 'utf8');
    expect(eml).not.toMatch(/9100000\dE|Echo|1966/);
  });

  it('a re-import lists the conflict again and does not email again', async () => {
    const s = await importUpstream(db.pool, 'referrals', fx('referrals_conflict.csv'), { config, now: new Date('2026-11-04T16:00:00Z') });
    expect(s.conflicts.map((k) => k.row)).toEqual([2]);
    expect(await one(`select count(*)::int n from notifications where kind = 'referral-conflict'`)).toEqual({ n: 1 });
    expect(await one(`select provider_code, status from ecm_assignments where cin = '91000005E' and lob = 'HN'`)).toEqual({ provider_code: 'RIVAL', status: 3 });
  });

  it('a switch goes through the assignment extract, which settles the conflict', async () => {
    const file = path.join(dataDir, 'ecm-assignments_switch.csv');
    fs.writeFileSync(file, 'cin,provider_code,lob,status,assigned_date,pof,enrollment_start,enrollment_end,acuity,lcm_name,lcm_phone\n91000005E,ACME,HN,1,2026-11-20,,,,,,\n');
    const s = await importUpstream(db.pool, 'ecm-assignments', file, { config, now: new Date('2026-11-20T16:00:00Z') });
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await one(`select provider_code, status, enrollment_start, acuity, lcm_name from ecm_assignments where cin = '91000005E' and lob = 'HN'`))
      .toEqual({ provider_code: 'ACME', status: 1, enrollment_start: null, acuity: null, lcm_name: null });
    expect(await one(`select resolved_at is not null as settled from ecm_referral_conflicts where referral_id = 'REF-MM-01'`)).toEqual({ settled: true });
    // the old provider's episode is kept in the lineage
    // (a move to another provider: migration 0049)
    expect(await one(`select (c.before).provider_code as provider, (c.before).status as status, c.source, c.moved from ecm_assignment_changes c
      join ecm_assignments a on a.id = c.assignment_id where a.cin = '91000005E' order by c.id desc limit 1`)).toEqual({ provider: 'RIVAL', status: 3, source: 'ASSIGNMENT_IMPORT', moved: true });
  });
});

describe('finding 4: a member discontinued and referred again to the same provider', () => {
  it('starts a new episode: status 1, the old episode cleared from the row and kept in lineage', async () => {
    // 91000003C: ACME, status 4, enrolled 2026-07-10 to 2026-09-30
    const s = await importUpstream(db.pool, 'referrals', fx('referrals_rereferral.csv'), { config, now: new Date('2026-11-03T16:00:00Z') });
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0, conflicts: [] });
    expect(await one(`select provider_code, status, assigned_date, enrollment_start, enrollment_end, discontinuation_date, acuity, lcm_name
      from ecm_assignments where cin = '91000003C' and lob = 'HN'`)).toEqual({
      provider_code: 'ACME', status: 1, assigned_date: '2026-11-03', enrollment_start: null, enrollment_end: null, discontinuation_date: null, acuity: null, lcm_name: null,
    });
    // (the same provider's new episode: no move, migration 0049)
    expect(await one(`select (c.before).status as status, (c.before).enrollment_start as start, (c.before).enrollment_end as "end", c.source, c.referral_id, c.moved
      from ecm_assignment_changes c join ecm_assignments a on a.id = c.assignment_id where a.cin = '91000003C'`))
      .toEqual({ status: 4, start: '2026-07-10', end: '2026-09-30', source: 'REFERRAL', referral_id: 'REF-MM-03', moved: false });
  });

  it('goes out with status 1 on the next mini-MIF and on the next MIF', async () => {
    const mini = await generate('mini-mif', onSlotDay('2026-11-08'), deps);
    const unit = mini.units.find((u) => u.provider === 'ACME' && u.lob === 'HN')!;
    expect(unit.status).toBe('PUBLISHED');
    const m = await readRecords(path.join(downloads('ACME'), unit.file!));
    expect(m.MIF!.find((x) => x.cin === '91000003C')).toMatchObject({ ecmStatus: '1', mifType: 'MINI', referralApprovalDate: d('2026-11-03'), startDate: null, endDate: null });
    const mif = await generate('mif', { ...onSlotDay('2026-11-15'), provider: 'ACME' }, deps);
    const hn = mif.units.find((u) => u.lob === 'HN')!;
    const recs = await readRecords(path.join(downloads('ACME'), hn.file!));
    expect(recs.MIF!.find((x) => x.cin === '91000003C')).toMatchObject({ ecmStatus: '1', mifType: 'MONTHLY' });
  });

  it('a re-import of the same referral does not restart the episode the provider has since reported on', async () => {
    await db.pool.query(`update ecm_assignments set status = 2 where cin = '91000003C' and lob = 'HN'`);
    const s = await importUpstream(db.pool, 'referrals', fx('referrals_rereferral.csv'), { config, now: new Date('2026-11-20T16:00:00Z') });
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await one(`select status from ecm_assignments where cin = '91000003C' and lob = 'HN'`)).toEqual({ status: 2 });
  });
});

describe('finding 6: re-importing the assignment extract after an accepted RTF', () => {
  it('keeps what the provider reported, lists the disagreements, and loads the new assignments', async () => {
    expect(await importUpstream(db.pool, 'ecm-assignments', fx('ecm-assignments_months_1.csv'), { config, now: new Date('2026-11-01T16:00:00Z') }))
      .toMatchObject({ rowsImported: 2, rowsRejected: 0, disagreements: [] });
    // ACME's RTF in December: 91000002B never enrolled after all (a discontinuation), 91000001A enrolled
    const done = await ingestFile({ pool: db.pool, config }, {
      provider: 'ACME', originalName: 'RTF_ACME_202611.xlsx', receivedAt: new Date('2026-12-02T17:00:00Z'), source: 'cli',
      bytes: await rtf([
        rtfRow({ ecmStatus: '3', acuity: 'Medium', startDate: d('2026-11-20'), lcmName: 'Sam Ortiz', lcmPhone: '5595553000' }),
        rtfRow({ cin: '91000002B', lastName: 'Bravo', firstName: 'Ben', ecmStatus: '4', acuity: 'High', discontinuationDate: d('2026-11-20'), discontinuationReasonCode: 'DP' }),
      ]),
    });
    expect(done.document.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(await one(`select status, discontinuation_date from ecm_assignments where cin = '91000002B' and lob = 'HN'`)).toEqual({ status: 4, discontinuation_date: '2026-11-20' });

    // the same extract again, with one new member
    const s = await importUpstream(db.pool, 'ecm-assignments', fx('ecm-assignments_months_2.csv'), { config, now: new Date('2026-12-05T16:00:00Z') });
    expect(s).toMatchObject({ rowsRead: 3, rowsImported: 3, rowsRejected: 0, rejects: [] });
    expect(await one(`select status, enrollment_start, discontinuation_date, discontinuation_reason from ecm_assignments where cin = '91000002B' and lob = 'HN'`))
      .toEqual({ status: 4, enrollment_start: null, discontinuation_date: '2026-11-20', discontinuation_reason: 'DP' });
    expect(await one(`select status, enrollment_start, acuity, lcm_name from ecm_assignments where cin = '91000001A' and lob = 'HN'`))
      .toEqual({ status: 3, enrollment_start: '2026-11-20', acuity: 'Medium', lcm_name: 'Sam Ortiz' });
    expect(await one(`select provider_code, status from ecm_assignments where cin = '91000008H' and lob = 'HN'`)).toEqual({ provider_code: 'ACME', status: 1 });
    expect(s.disagreements.map((x) => [x.row, x.cin, x.kept, x.submissionId])).toEqual([[2, '91000002B', 'provider', done.submissionId], [3, '91000001A', 'provider', done.submissionId]]);
    expect(s.disagreements[0]!.fields).toContainEqual({ field: 'status', extract: '3', provider: '4' });
    expect(s.disagreements[0]!.fields).toContainEqual({ field: 'enrollment_start', extract: '2026-08-15', provider: null });
    expect(s.disagreements[0]!.reportedAt).toBe('2026-12-02T17:00:00.000Z');
  });

  it('an extract value that changed since (newer than the RTF) is applied, and listed', async () => {
    const s = await importUpstream(db.pool, 'ecm-assignments', fx('ecm-assignments_months_3.csv'), { config, now: new Date('2026-12-06T16:00:00Z') });
    expect(s.disagreements.map((x) => [x.row, x.kept])).toEqual([[2, 'extract']]);
    expect(await one(`select status, enrollment_start from ecm_assignments where cin = '91000001A' and lob = 'HN'`)).toEqual({ status: 2, enrollment_start: null });
  });

  it('a row the database refuses is rejected by row number with a plain reason; the other rows load', async () => {
    // a database rule the row checks do not know (as a constraint added by a later migration would be)
    await db.pool.query(`alter table members add constraint members_county_known_ck check (county is distinct from 'Atlantis')`);
    try {
      const s = await importUpstream(db.pool, 'members', fx('members_db_rule.csv'), { config });
      expect(s).toMatchObject({ rowsRead: 3, rowsImported: 2, rowsRejected: 1 });
      expect(s.rejects).toEqual([{ row: 3, message: 'refused by the database rule members_county_known_ck' }]);
      expect((await db.pool.query(`select cin from members where cin in ('91000011A', '91000012B', '91000013C') order by cin`)).rows.map((r) => r.cin))
        .toEqual(['91000011A', '91000013C']);
    } finally {
      await db.pool.query(`alter table members drop constraint members_county_known_ck`);
    }
  });
});

describe('finding 5: a new CS authorization after a discontinued one', () => {
  const csasfPairs = async (file: string) =>
    (await readRecords(path.join(downloads('HOMEWAY'), file))).CSASF!.filter((x) => x.cin === '91000006F').map((x) => [x.serviceCode, x.authNumber]);

  it('the discontinued authorization is resolved, on record, and leaves the CSASF', async () => {
    await importUpstream(db.pool, 'cs-authorizations', fx('cs-authorizations_hd_a1.csv'), { config, now: new Date('2026-11-01T16:00:00Z') });
    const nov = await generate('csasf', { ...onSlotDay('2026-11-15'), provider: 'HOMEWAY' }, deps);
    expect(await csasfPairs(nov.units[0]!.file!)).toEqual([['HD', 'A-1']]);
    const done = await ingestFile({ pool: db.pool, config }, {
      provider: 'HOMEWAY', originalName: 'CSPRTF_HOMEWAY_202611.xlsx', receivedAt: new Date('2026-12-03T17:00:00Z'), source: 'cli',
      bytes: await workbook([[CSPRTF, [csprtfRow({
        cin: '91000006F', lastName: 'Foxtrot', firstName: 'Fay', serviceCode: 'HD', authNumber: 'A-1', engagementStatus: '4', outreachDate: null, outreachMethod: null,
        serviceStartDate: d('2026-10-05'), serviceEndDate: d('2026-11-25'), discontinuationReasonCode: 'SC', housed: '1', dateHoused: d('2026-10-05'),
      })]]]),
    });
    expect(done.document.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(await one(`select resolved, resolved_reason, resolved_at from cs_authorizations where cin = '91000006F' and service_code = 'HD' and auth_number = 'A-1'`))
      .toEqual({ resolved: true, resolved_reason: 'COMPLETED', resolved_at: new Date('2026-12-03T17:00:00Z') });
    const dec = await generate('csasf', { ...onSlotDay('2026-12-15'), provider: 'HOMEWAY' }, deps);
    expect(await csasfPairs(dec.units[0]!.file!)).toEqual([]);
  });

  it('puts the pair back on the next CSASF with the new number, and the provider may report on it', async () => {
    const s = await importUpstream(db.pool, 'cs-authorizations', fx('cs-authorizations_hd_a2.csv'), { config, now: new Date('2026-12-10T16:00:00Z') });
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect((await db.pool.query(`select auth_number, resolved from cs_authorizations where cin = '91000006F' and service_code = 'HD' order by id`)).rows)
      .toEqual([{ auth_number: 'A-1', resolved: true }, { auth_number: 'A-2', resolved: false }]);
    const late = await generate('csasf', { ...onSlotDay('2026-12-29'), provider: 'HOMEWAY' }, deps);
    expect(await csasfPairs(late.units[0]!.file!)).toEqual([['HD', 'A-2']]);
    const done = await ingestFile({ pool: db.pool, config }, {
      provider: 'HOMEWAY', originalName: 'CSPRTF_HOMEWAY_202612.xlsx', receivedAt: new Date('2027-01-04T17:00:00Z'), source: 'cli',
      bytes: await workbook([[CSPRTF, [csprtfRow({
        cin: '91000006F', lastName: 'Foxtrot', firstName: 'Fay', serviceCode: 'HD', authNumber: 'A-2', engagementStatus: '3', outreachDate: null, outreachMethod: null,
        serviceStartDate: d('2026-12-15'), housed: '0', productionDate: d('2027-01-02'), reportingPeriod: '12/2026',
      })]]]),
    });
    expect(done.document.issues.map((i) => i.code)).not.toContain('NOT_ON_CSASF');
    expect(done.document).toMatchObject({ rowsAccepted: 1, rowsRejected: 0 });
    expect(await one(`select status from cs_engagements where cin = '91000006F' and service_code = 'HD'`)).toEqual({ status: 3 });
  });

  it('re-importing the old authorization neither brings it back nor closes the new one', async () => {
    const s = await importUpstream(db.pool, 'cs-authorizations', fx('cs-authorizations_hd_a1.csv'), { config, now: new Date('2027-01-05T16:00:00Z') });
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    await importUpstream(db.pool, 'cs-authorizations', fx('cs-authorizations_hd_a2.csv'), { config, now: new Date('2027-01-05T16:00:00Z') });
    expect((await db.pool.query(`select auth_number, resolved from cs_authorizations where cin = '91000006F' and service_code = 'HD' order by id`)).rows)
      .toEqual([{ auth_number: 'A-1', resolved: true }, { auth_number: 'A-2', resolved: false }]);
    const jan = await generate('csasf', { ...onSlotDay('2027-01-15'), provider: 'HOMEWAY' }, deps);
    expect(await csasfPairs(jan.units[0]!.file!)).toEqual([['HD', 'A-2']]);
  });
});

describe('the extract re-imported after the provider or a referral said something newer, field by field', () => {
  const ECM_HDR = 'cin,provider_code,lob,status,assigned_date,pof,enrollment_start,enrollment_end,acuity,lcm_name,lcm_phone\n';
  const extract = (name: string, rows: string) => {
    const f = path.join(dataDir, name);
    fs.writeFileSync(f, ECM_HDR + rows);
    return f;
  };
  const at = (iso: string) => ({ config, now: new Date(iso) });
  const row = (cin: string) => one(`select provider_code, status, assigned_date, pof, enrollment_start, enrollment_end, acuity, lcm_name, lcm_phone
    from ecm_assignments where cin = $1 and lob = 'HN'`, [cin]);

  beforeAll(async () => {
    await db.pool.query(`insert into members (cin, mcp_member_id, last_name, first_name, dob, gender) values
      ('91000021K','M21','Kilo','Kit','1981-01-21','F'), ('91000022L','M22','Lima','Lou','1982-02-22','M'), ('91000023M','M23','Mike','Mo','1983-03-23','X')`);
  });

  it('a new POF in the extract is applied while the status, enrollment, acuity and care manager the provider reported since stay', async () => {
    await importUpstream(db.pool, 'ecm-assignments', extract('pf_1.csv', '91000021K,ACME,HN,1,2026-09-01,1a,,,,,\n'), at('2026-11-01T16:00:00Z'));
    const done = await ingestFile({ pool: db.pool, config }, {
      provider: 'ACME', originalName: 'RTF_ACME_202611.xlsx', receivedAt: new Date('2026-12-02T18:00:00Z'), source: 'cli',
      bytes: await rtf([rtfRow({ cin: '91000021K', lastName: 'Kilo', firstName: 'Kit', ecmStatus: '3', acuity: 'Medium', startDate: d('2026-11-20'), lcmName: 'Sam Ortiz', lcmPhone: '5595553000' })]),
    });
    expect(done.document.issues.filter((i) => i.severity === 'error')).toEqual([]);
    // only the POF is news: the rest of the row is what the extract has said since Nov 1, before the RTF
    const s = await importUpstream(db.pool, 'ecm-assignments', extract('pf_2.csv', '91000021K,ACME,HN,1,2026-09-01,1a;2,,,,,\n'), at('2026-12-05T16:00:00Z'));
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await row('91000021K')).toEqual({
      provider_code: 'ACME', status: 3, assigned_date: '2026-09-01', pof: ['1a', '2'], enrollment_start: '2026-11-20', enrollment_end: null,
      acuity: 'Medium', lcm_name: 'Sam Ortiz', lcm_phone: '5595553000',
    });
    // listed field by field; the row keeps some of the provider's report, so the row says provider
    expect(s.disagreements).toHaveLength(1);
    expect(s.disagreements[0]).toMatchObject({
      row: 2, cin: '91000021K', kept: 'provider', submissionId: done.submissionId, reportedAt: '2026-12-02T18:00:00.000Z',
      fields: [{ field: 'status', extract: '1', provider: '3' }, { field: 'pof', extract: '1a;2', provider: '1a' }],
      fieldsKept: { status: 'provider', pof: 'extract' },
    });
  });

  it('a blank in the extract is no claim: a newer acuity is applied, the blank care manager leaves the provider\'s', async () => {
    const s = await importUpstream(db.pool, 'ecm-assignments', extract('pf_3.csv', '91000021K,ACME,HN,1,2026-09-01,1a;2,,,High,,\n'), at('2026-12-08T16:00:00Z'));
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await row('91000021K')).toMatchObject({ status: 3, enrollment_start: '2026-11-20', acuity: 'High', lcm_name: 'Sam Ortiz', lcm_phone: '5595553000' });
    expect(s.disagreements[0]).toMatchObject({ kept: 'provider', fieldsKept: { status: 'provider', acuity: 'extract' } });
  });

  it('a referral\'s new episode is not undone by the same extract imported again', async () => {
    await importUpstream(db.pool, 'ecm-assignments', extract('pf_4.csv', '91000022L,ACME,HN,4,2026-07-01,2,2026-07-10,2026-09-30,Low,Pat Lee,5595552000\n'), at('2026-10-01T16:00:00Z'));
    const f = path.join(dataDir, 'pf_ref_1.csv');
    fs.writeFileSync(f, 'referral_id,cin,provider_code,lob,approved_date\nREF-PF-1,91000022L,ACME,HN,2026-11-03\n');
    expect(await importUpstream(db.pool, 'referrals', f, at('2026-11-03T16:00:00Z'))).toMatchObject({ rowsImported: 1, conflicts: [] });
    const episode = {
      provider_code: 'ACME', status: 1, assigned_date: '2026-11-03', pof: ['2'], enrollment_start: null, enrollment_end: null, acuity: null, lcm_name: null, lcm_phone: null,
    };
    expect(await row('91000022L')).toEqual(episode);
    // the extract repeats what it said on Oct 1, before the referral: no news, the episode stays
    const s = await importUpstream(db.pool, 'ecm-assignments', extract('pf_4.csv', '91000022L,ACME,HN,4,2026-07-01,2,2026-07-10,2026-09-30,Low,Pat Lee,5595552000\n'), at('2026-11-05T16:00:00Z'));
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await row('91000022L')).toEqual(episode);
  });

  it('an extract value given after the episode started moves it; the values it repeats from before do not', async () => {
    // the assigned date and the status are new; the POF, acuity and care manager are what it said on Oct 1
    const s = await importUpstream(db.pool, 'ecm-assignments', extract('pf_7.csv', '91000022L,ACME,HN,2,2026-11-04,2,,,Low,Pat Lee,5595552000\n'), at('2026-11-10T16:00:00Z'));
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await row('91000022L')).toEqual({
      provider_code: 'ACME', status: 2, assigned_date: '2026-11-04', pof: ['2'], enrollment_start: null, enrollment_end: null, acuity: null, lcm_name: null, lcm_phone: null,
    });
  });

  it('nor by an extract still naming the provider of the episode before: the member stays with the referred provider', async () => {
    await importUpstream(db.pool, 'ecm-assignments', extract('pf_5.csv', '91000023M,RIVAL,HN,4,2026-06-01,,2026-06-10,2026-09-30,,,\n'), at('2026-10-01T16:00:00Z'));
    const f = path.join(dataDir, 'pf_ref_2.csv');
    fs.writeFileSync(f, 'referral_id,cin,provider_code,lob,approved_date\nREF-PF-2,91000023M,ACME,HN,2026-11-03\n');
    expect(await importUpstream(db.pool, 'referrals', f, at('2026-11-03T16:00:00Z'))).toMatchObject({ rowsImported: 1, conflicts: [] });
    const s = await importUpstream(db.pool, 'ecm-assignments', extract('pf_5.csv', '91000023M,RIVAL,HN,4,2026-06-01,,2026-06-10,2026-09-30,,,\n'), at('2026-11-05T16:00:00Z'));
    expect(await row('91000023M')).toMatchObject({ provider_code: 'ACME', status: 1, assigned_date: '2026-11-03', enrollment_start: null, enrollment_end: null });
    // and the import says so: ops see the row that changed nothing, and why
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0, disagreements: [] });
    expect(s.olderThanReferral).toEqual([{ row: 2, cin: '91000023M', lob: 'HN', extractProvider: 'RIVAL', provider: 'ACME', episodeStartedAt: '2026-11-03T16:00:00.000Z' }]);
  });

  it('an extract naming a new provider after the episode started still switches the member', async () => {
    const s = await importUpstream(db.pool, 'ecm-assignments', extract('pf_6.csv', '91000022L,RIVAL,HN,1,2026-11-20,,,,,,\n'), at('2026-11-20T16:00:00Z'));
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await row('91000022L')).toEqual({
      provider_code: 'RIVAL', status: 1, assigned_date: '2026-11-20', pof: [], enrollment_start: null, enrollment_end: null, acuity: null, lcm_name: null, lcm_phone: null,
    });
  });
});

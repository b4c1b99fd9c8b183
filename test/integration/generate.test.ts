import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { generate, republish } from '../../src/generate/run.js';
import { importUpstream } from '../../src/import/upstream.js';
import { csasfRows } from '../../src/repositories/cs-authorizations.js';
import { startReferralEpisodes, upsertReferrals } from '../../src/repositories/ecm-assignments.js';
import { miniMifSlaAlert } from '../../src/reports/alerts.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSftp, type TestSftp } from '../helpers/dev-sftp.js';
import { seedPlan } from '../helpers/plan.js';
import { readRecords, readWithOpenpyxl } from '../helpers/workbook.js';
import { onSlotDay } from '../helpers/world.js';

let db: TestDb;
let sftp: TestSftp;
let dataDir: string;
let config: ReturnType<typeof loadConfig>;
let deps: Parameters<typeof generate>[2];

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  sftp = await startTestSftp(['ACME', 'RIVAL', 'HOMEWAY', 'MEALS']);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-gen-'));
  config = loadConfig({ DATA_DIR: dataDir });
  deps = { pool: db.pool, config, openSession: () => sftp.openSession() };
});
afterAll(async () => {
  await sftp.stop();
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const downloads = (code: string) => path.join(sftp.root, code, 'downloads');
const listDownloads = (code: string) => (fs.existsSync(downloads(code)) ? fs.readdirSync(downloads(code)).sort() : []);

describe('monthly MIF', () => {
  it('publishes one file per ECM provider and line of business with its pending and enrolled members', async () => {
    const r = await generate('mif', onSlotDay('2026-11-03'), deps);
    expect(r.slot).toBe('2026-11-15');
    expect(r.units.map((u) => [u.provider, u.lob, u.status, u.rows])).toEqual([
      ['ACME', 'HN', 'PUBLISHED', 2],
      ['ACME', 'CV', 'PUBLISHED', 1],
      ['RIVAL', 'HN', 'PUBLISHED', 1],
    ]);
    expect(listDownloads('ACME')).toEqual(['CV_MIF_1234567893_20261115.xlsx', 'HN_MIF_1234567893_20261115.xlsx']);
    const recs = await readRecords(path.join(downloads('ACME'), 'HN_MIF_1234567893_20261115.xlsx'));
    // status 4 (discontinued) and an enrollment that ended before November are not on it
    expect(recs.MIF!.map((x) => [x.cin, x.ecmStatus])).toEqual([['91000001A', '1'], ['91000002B', '3']]);
    expect(recs.MIF![1]).toMatchObject({
      mcpId: 'HN', mcpName: 'Health Net', mifType: 'MONTHLY', productionDate: { date: '2026-11-15' }, reportingPeriod: '11/2026',
      lastName: 'Bravo', firstName: 'Ben', dob: { date: '1975-03-05' }, startDate: { date: '2026-08-15' }, acuity: 'High',
      lcmName: 'Pat Lee', providerNpi: '1234567893', providerTin: '123456789', providerName: 'Acme Community Health',
    });
    // the pre-filled RTF sheet carries the same members and the reporting period
    expect(recs.RTF!.map((x) => [x.cin, x.ecmStatus, x.reportingPeriod])).toEqual([['91000001A', '1', '11/2026'], ['91000002B', '3', '11/2026']]);
    // a provider's folder holds only its own members
    const rival = await readRecords(path.join(downloads('RIVAL'), 'HN_MIF_1987654328_20261115.xlsx'));
    expect(rival.MIF!.map((x) => x.cin)).toEqual(['91000005E']);
  });

  it('records the exact member rows each file carried', async () => {
    const rows = (await db.pool.query(`select o.provider_code, o.lob, r.row_number, r.cin from outbound_file_rows r join outbound_files o on o.id = r.outbound_file_id
      where o.kind = 'MIF' order by o.provider_code, o.lob, r.row_number`)).rows;
    expect(rows).toEqual([
      { provider_code: 'ACME', lob: 'CV', row_number: 2, cin: '91000004D' },
      { provider_code: 'ACME', lob: 'HN', row_number: 2, cin: '91000001A' },
      { provider_code: 'ACME', lob: 'HN', row_number: 3, cin: '91000002B' },
      { provider_code: 'RIVAL', lob: 'HN', row_number: 2, cin: '91000005E' },
    ]);
    const blob = (await db.pool.query(`select count(*)::int n from outbound_files o join file_blobs b using (sha256) where o.status = 'PUBLISHED'`)).rows[0];
    expect(blob).toEqual({ n: 3 });
  });

  it('publishes nothing new when the same slot runs again', async () => {
    const before = listDownloads('ACME');
    const r = await generate('mif', onSlotDay('2026-11-15'), deps);
    expect(r.units.every((u) => u.status === 'ALREADY_DONE')).toBe(true);
    expect(listDownloads('ACME')).toEqual(before);
    expect((await db.pool.query(`select count(*)::int n from outbound_files where kind = 'MIF'`)).rows[0]).toEqual({ n: 3 });
  });

  it('carries what the provider reported on its latest accepted RTF into the next MIF', async () => {
    // what an accepted RTF row applies (the inbound pipeline's apply step)
    await db.pool.query(`update ecm_assignments set status = 3, enrollment_start = '2026-11-20', acuity = 'Medium', lcm_name = 'Sam Ortiz', lcm_phone = '5595553000'
      where cin = '91000001A'`);
    await generate('mif', { ...onSlotDay('2026-12-15'), provider: 'ACME' }, deps);
    const recs = await readRecords(path.join(downloads('ACME'), 'HN_MIF_1234567893_20261215.xlsx'));
    expect(recs.MIF!.find((x) => x.cin === '91000001A')).toMatchObject({ ecmStatus: '3', startDate: { date: '2026-11-20' }, acuity: 'Medium', lcmName: 'Sam Ortiz' });
    expect(listDownloads('RIVAL')).toEqual(['HN_MIF_1987654328_20261115.xlsx']);
  });

  it('dates are real date cells for another reader (openpyxl)', () => {
    const wb = readWithOpenpyxl(path.join(downloads('ACME'), 'HN_MIF_1234567893_20261115.xlsx'));
    const [header, first] = wb.MIF!;
    const col = (label: string) => (header as string[]).indexOf(label);
    expect(first![col('Member Date of Birth')]).toEqual({ date: '1980-02-14' });
    expect(first![col('Member Information File Production Date')]).toEqual({ date: '2026-11-15' });
    expect(first![col('Member Client Index Number (CIN)')]).toBe('91000001A');
    expect(Object.keys(wb)).toEqual(['MIF', 'RTF']);
  });

  it('--dry-run writes to the out folder only', async () => {
    const out = path.join(dataDir, 'dry');
    const r = await generate('mif', { ...onSlotDay('2027-01-15'), dryRun: true, out }, deps);
    expect(r.units.map((u) => u.status)).toEqual(['DRY_RUN', 'DRY_RUN', 'DRY_RUN']);
    expect(fs.readdirSync(out).sort()).toEqual(['CV_MIF_1234567893_20270115.xlsx', 'HN_MIF_1234567893_20270115.xlsx', 'HN_MIF_1987654328_20270115.xlsx']);
    expect((await db.pool.query(`select count(*)::int n from outbound_files where slot = '2027-01-15'`)).rows[0]).toEqual({ n: 0 });
  });
});

describe('mini-MIF', () => {
  it('sends a referral 5 days after approval, once, and not when a MIF already carried the member', async () => {
    await db.pool.query(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('R-7', '91000007G', 'ACME', 'HN', '2026-12-20')`);
    await db.pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) values ('91000007G', 'HN', 'ACME', 1, '2026-12-20')`);
    const day4 = await generate('mini-mif', onSlotDay('2026-12-24'), deps);
    expect(day4.units.map((u) => u.status)).toEqual(['EMPTY', 'EMPTY', 'EMPTY']);
    const day5 = await generate('mini-mif', onSlotDay('2026-12-25'), deps);
    expect(day5.units.find((u) => u.provider === 'ACME' && u.lob === 'HN')).toMatchObject({ status: 'PUBLISHED', rows: 1, file: 'HN_MINIMIF_1234567893_20261225.xlsx' });
    const recs = await readRecords(path.join(downloads('ACME'), 'HN_MINIMIF_1234567893_20261225.xlsx'));
    expect(recs.MIF!).toHaveLength(1);
    expect(recs.MIF![0]).toMatchObject({ cin: '91000007G', mifType: 'MINI', referralApprovalDate: { date: '2026-12-20' }, ecmStatus: '1' });
    const day6 = await generate('mini-mif', onSlotDay('2026-12-26'), deps);
    expect(day6.units.every((u) => u.status === 'EMPTY')).toBe(true);
    // a referral whose member went out on a monthly MIF is not sent again
    await db.pool.query(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('R-1', '91000001A', 'ACME', 'HN', '2026-11-10')`);
    const again = await generate('mini-mif', onSlotDay('2026-12-27'), deps);
    expect(again.units.every((u) => u.status === 'EMPTY')).toBe(true);
  });

  it('raises one liaison alert for a referral still unsent on day 10', async () => {
    await db.pool.query(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('R-8', '91000008H', 'RIVAL', 'HN', '2027-01-01')`);
    expect(await miniMifSlaAlert(db.pool, config, '2027-01-10')).toEqual({ referrals: 0, providers: 0 });
    expect(await miniMifSlaAlert(db.pool, config, '2027-01-11')).toEqual({ referrals: 1, providers: 1 });
    expect(await miniMifSlaAlert(db.pool, config, '2027-01-12')).toEqual({ referrals: 0, providers: 0 });
    // a run that stopped after the alert went out, before the referral was marked alerted: the
    // alert is not sent again, by the same slot's retry or by the next day's run
    await db.pool.query(`update ecm_referrals set sla_alerted_at = null where referral_id = 'R-8'`);
    await miniMifSlaAlert(db.pool, config, '2027-01-11');
    await db.pool.query(`update ecm_referrals set sla_alerted_at = null where referral_id = 'R-8'`);
    await miniMifSlaAlert(db.pool, config, '2027-01-12');
    const n = (await db.pool.query(`select location from notifications where kind = 'minimif-sla'`)).rows;
    expect(n).toHaveLength(1);
    const eml = fs.readFileSync(n[0].location, 'utf8');
    expect(eml).toContain('R-8');
    expect(eml).toContain('91000008H');
    expect(eml).not.toContain('Hotel'); // CINs and counts only, never names
  });

  const referrals = (name: string, rows: string[]) => {
    const file = path.join(dataDir, name);
    fs.writeFileSync(file, ['referral_id,cin,provider_code,lob,approved_date', ...rows, ''].join('\n'));
    return file;
  };
  const sentOn = async (ids: string[]) => Object.fromEntries((await db.pool.query(
    `select f.referral_id, o.kind, o.lob from ecm_referrals f left join outbound_files o on o.id = f.mini_mif_file_id where f.referral_id = any($1)`, [ids],
  )).rows.map((x) => [x.referral_id, x.kind && `${String(x.kind)} ${String(x.lob)}`]));

  it('sends a referral loaded after the MIF unless that MIF carried it: in the same line of business, and the episode the referral started', async () => {
    // ACME's HN enrollments of 91000006F and 91000007G ended this month: the February MIF still carries those old episodes
    await db.pool.query(`update ecm_assignments set status = 3, enrollment_start = '2026-06-05', enrollment_end = '2027-02-05' where cin in ('91000006F', '91000007G') and lob = 'HN'`);
    // loaded before the MIF: 91000003C's HN episode with ACME had ended, the referral starts a new one
    await importUpstream(db.pool, 'referrals', referrals('ref-feb-1.csv', ['REF-D-0,91000003C,ACME,HN,2027-02-10']), { config, now: new Date('2027-02-11T16:00:00Z') });
    const mif = await generate('mif', { ...onSlotDay('2027-02-15'), provider: 'ACME' }, deps);
    const mifCins = async (lob: string) => (await readRecords(path.join(downloads('ACME'), mif.units.find((u) => u.lob === lob)!.file!))).MIF!.map((x) => x.cin);
    expect(await mifCins('HN')).toEqual(expect.arrayContaining(['91000002B', '91000003C', '91000006F', '91000007G']));
    expect(await mifCins('CV')).toEqual(['91000004D']);
    // approved before the MIF, loaded after it
    await importUpstream(db.pool, 'referrals', referrals('ref-feb-2.csv', [
      'REF-D-1,91000002B,ACME,CV,2027-02-10', // on ACME's HN MIF, not on its CV one
      'REF-D-2,91000006F,ACME,HN,2027-02-10', // a new episode: the MIF carried the ended one
      'REF-D-3,91000008H,ACME,CV,2027-02-10', // on no MIF
      'REF-D-4,91000002B,ACME,HN,2027-02-10', // open with ACME in HN (no new episode): the MIF carried it
    ]), { config, now: new Date('2027-02-15T23:00:00Z') });
    const mini = await generate('mini-mif', { ...onSlotDay('2027-02-17'), provider: 'ACME' }, deps);
    const miniCins = async (lob: string) => {
      const file = mini.units.find((u) => u.lob === lob)!.file;
      return file ? (await readRecords(path.join(downloads('ACME'), file))).MIF!.map((x) => [x.cin, x.ecmStatus]) : [];
    };
    expect(await miniCins('CV')).toEqual([['91000002B', '1'], ['91000008H', '1']]);
    expect(await miniCins('HN')).toEqual([['91000006F', '1']]);
    await miniMifSlaAlert(db.pool, config, '2027-02-17');
    expect(await sentOn(['REF-D-0', 'REF-D-1', 'REF-D-2', 'REF-D-3', 'REF-D-4']))
      .toEqual({ 'REF-D-0': 'MIF HN', 'REF-D-1': 'MINIMIF CV', 'REF-D-2': 'MINIMIF HN', 'REF-D-3': 'MINIMIF CV', 'REF-D-4': 'MIF HN' });
  });

  it('alerts on day 10 on a referral loaded after the MIF that carried the member in another line of business or an ended episode', async () => {
    // approved before the 17th's mini-MIF, loaded after it; no mini-MIF has run since
    await importUpstream(db.pool, 'referrals', referrals('ref-feb-3.csv', [
      'REF-D-5,91000001A,ACME,CV,2027-02-12', // on ACME's HN MIF, not on its CV one
      'REF-D-6,91000007G,ACME,HN,2027-02-12', // a new episode: the MIF carried the ended one
    ]), { config, now: new Date('2027-02-17T23:00:00Z') });
    expect(await miniMifSlaAlert(db.pool, config, '2027-02-21')).toEqual({ referrals: 0, providers: 0 });
    expect(await miniMifSlaAlert(db.pool, config, '2027-02-22')).toEqual({ referrals: 2, providers: 1 });
    expect(await sentOn(['REF-D-5', 'REF-D-6'])).toEqual({ 'REF-D-5': null, 'REF-D-6': null });
  });

  it('a MIF that read the members before a referral import committed did not carry its episode, even when recorded after the episode started', async () => {
    // 91000003C's HN enrollment with ACME ended this month: the March MIF still carries that episode
    await db.pool.query(`update ecm_assignments set status = 3, enrollment_start = '2026-06-05', enrollment_end = '2027-03-05' where cin = '91000003C' and lob = 'HN'`);
    // a referral import is writing the new episode (REF-E-1, approved on the 10th) while the MIF is built
    const importing = await db.pool.connect();
    try {
      await importing.query('begin');
      await upsertReferrals(importing, [{ referral_id: 'REF-E-1', cin: '91000003C', provider_code: 'ACME', lob: 'HN', approved_date: '2027-03-10' }]);
      await startReferralEpisodes(importing, [{ row: 2, action: 'episode', referral_id: 'REF-E-1', cin: '91000003C', provider_code: 'ACME', lob: 'HN', approved_date: '2027-03-10' }],
        new Date('2027-03-14T23:00:00Z'));
      const mif = await generate('mif', { ...onSlotDay('2027-03-15'), provider: 'ACME' }, deps);
      const hn = await readRecords(path.join(downloads('ACME'), mif.units.find((u) => u.lob === 'HN')!.file!));
      // the MIF read the ended episode (status 3, its end date), not the referral's
      expect(hn.MIF!.find((x) => x.cin === '91000003C')).toMatchObject({ ecmStatus: '3', endDate: { date: '2027-03-05' } });
      await importing.query('commit');
    } finally {
      importing.release();
    }
    // so the referral still goes out on the next mini-MIF, and is marked sent on it
    const mini = await generate('mini-mif', { ...onSlotDay('2027-03-17'), provider: 'ACME' }, deps);
    const file = mini.units.find((u) => u.lob === 'HN')?.file;
    expect(file && (await readRecords(path.join(downloads('ACME'), file))).MIF!.map((x) => [x.cin, x.ecmStatus])).toEqual([['91000003C', '1']]);
    await miniMifSlaAlert(db.pool, config, '2027-03-17');
    expect(await sentOn(['REF-E-1'])).toEqual({ 'REF-E-1': 'MINIMIF HN' });
  });
});

describe('CSASF', () => {
  beforeAll(async () => {
    await db.pool.query(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end, requested_date, decision_date, assigned_date) values
      ('91000001A','HTN','HOMEWAY','HN','AUTHORIZED','Approved','A-100','2026-10-01','2027-03-31','2026-09-20','2026-09-28','2026-09-28'),
      ('91000004D','MTM','HOMEWAY','CV','AUTHORIZED','Pending',null,null,null,'2026-10-20',null,'2026-10-21'),
      ('91000002B','HD','HOMEWAY','HN','POTENTIAL',null,null,null,null,null,null,'2026-10-25'),
      ('91000003C','RC','HOMEWAY','HN','AUTHORIZED','Denied',null,null,null,'2026-09-25','2026-10-01','2026-09-25'),
      ('91000005E','MTM','MEALS','HN','AUTHORIZED','Approved','A-200','2026-11-01','2027-04-30','2026-10-15','2026-10-20','2026-10-20')`);
    // what the upstream import refused: a second provider for 91000001A x HTN
    await db.pool.query(`insert into cs_assignment_conflicts (cin, service_code, owner_provider, refused_provider, source) values ('91000001A','HTN','HOMEWAY','MEALS','import')`);
  });

  it('lists every member x service of the provider, across its lines of business, in one file', async () => {
    const r = await generate('csasf', onSlotDay('2026-11-15'), deps);
    const home = r.units.find((u) => u.provider === 'HOMEWAY')!;
    expect(home).toMatchObject({ status: 'PUBLISHED', rows: 4, file: 'HN-CV_CSASF_1558598797_20261115.xlsx' });
    const recs = await readRecords(path.join(downloads('HOMEWAY'), home.file!));
    expect(recs.CSASF!.map((x) => [x.cin, x.serviceCode, x.recordType, x.authStatus, x.mcpId])).toEqual([
      ['91000001A', 'HTN', 'AUTHORIZED', 'Approved', 'HN'],
      ['91000002B', 'HD', 'POTENTIAL', null, 'HN'],
      ['91000003C', 'RC', 'AUTHORIZED', 'Denied', 'HN'],
      ['91000004D', 'MTM', 'AUTHORIZED', 'Pending', 'CV'],
    ]);
    expect(recs.CSASF![0]).toMatchObject({ authNumber: 'A-100', authStart: { date: '2026-10-01' }, authEnd: { date: '2027-03-31' }, serviceName: 'Housing Transition Navigation' });
  });

  it('refuses the pair held by another provider, reports it, and publishes the rest', async () => {
    const r = await generate('csasf', { ...onSlotDay('2026-11-15'), provider: 'MEALS' }, deps);
    const meals = r.units[0]!;
    expect(meals.status).toBe('ALREADY_DONE');
    const first = (await db.pool.query(`select row_count from outbound_files where provider_code = 'MEALS' and kind = 'CSASF'`)).rows[0];
    expect(first).toEqual({ row_count: 1 });
    const recs = await readRecords(path.join(downloads('MEALS'), 'HN_CSASF_1437825213_20261115.xlsx'));
    expect(recs.CSASF!.map((x) => [x.cin, x.serviceCode])).toEqual([['91000005E', 'MTM']]);
    const dry = await generate('csasf', { ...onSlotDay('2026-11-29'), provider: 'MEALS', dryRun: true, out: path.join(dataDir, 'dry-cs') }, deps);
    expect(dry.units[0]!.refused).toEqual([{ cin: '91000001A', serviceCode: 'HTN', owner: 'HOMEWAY' }]);
  });

  it('a file recorded by an attempt that could not reach the server is published by the next, which tells the provider and liaison what it refused', async () => {
    const down = await generate('csasf', { ...onSlotDay('2026-12-15'), provider: 'MEALS' }, { ...deps, openSession: () => Promise.reject(new Error('sFTP connect failed: server down')) });
    expect(down.units[0]).toMatchObject({ status: 'FAILED' });
    expect((await db.pool.query(`select status from outbound_files where provider_code = 'MEALS' and kind = 'CSASF' and slot = '2026-12-15'`)).rows).toEqual([{ status: 'PENDING' }]);
    const next = await generate('csasf', { ...onSlotDay('2026-12-15'), provider: 'MEALS' }, deps);
    expect(next.units[0]).toMatchObject({ status: 'PUBLISHED', rows: 1, refused: [{ cin: '91000001A', serviceCode: 'HTN', owner: 'HOMEWAY' }] });
    const mails = (await db.pool.query<{ body: string }>(`select body from notifications where kind = 'published-csasf' and subject like '%' || $1`, [next.units[0]!.file])).rows;
    expect(mails).toHaveLength(1);
    expect(mails[0]!.body).toContain('1 member/service assignment(s) to this provider were refused');
  });

  it('runs on Feb 28 in a non-leap year and Feb 29 in a leap year; old denials roll off', async () => {
    const feb27 = await generate('csasf', { ...onSlotDay('2027-02-28'), provider: 'HOMEWAY' }, deps);
    expect(feb27.slot).toBe('2027-02-28');
    expect(feb27.units[0]!.file).toBe('HN-CV_CSASF_1558598797_20270228.xlsx');
    const recs = await readRecords(path.join(downloads('HOMEWAY'), feb27.units[0]!.file!));
    // the October denial is more than 60 days old by then
    expect(recs.CSASF!.map((x) => x.cin)).toEqual(['91000001A', '91000002B', '91000004D']);
    const leap = await generate('csasf', { ...onSlotDay('2028-02-29'), provider: 'HOMEWAY', dryRun: true, out: path.join(dataDir, 'dry-leap') }, deps);
    expect(leap.slot).toBe('2028-02-29');
    const beforeLeapDay = await generate('csasf', { ...onSlotDay('2028-02-28'), provider: 'HOMEWAY', dryRun: true, out: path.join(dataDir, 'dry-leap') }, deps);
    expect(beforeLeapDay.slot).toBe('2028-02-15');
  });

  it('a member the provider reported as services discontinued leaves the next CSASF', async () => {
    const sheet = await db.pool.query(`with s as (insert into file_blobs (sha256, size, bytes) values (repeat('b', 64), 1, '\\x00') returning sha256),
      sub as (insert into submissions (provider_code, original_name, sha256, size, received_at) select 'HOMEWAY', 'x.xlsx', sha256, 1, now() from s returning id)
      insert into submission_sheets (submission_id, sheet_name, layout, provider_code, applied) select id, 'CSPRTF', 'CSPRTF', 'HOMEWAY', true from sub returning id`);
    await db.pool.query(`insert into cs_engagements (cin, service_code, provider_code, lob, status, sheet_id, row_number) values ('91000002B', 'HD', 'HOMEWAY', 'HN', 4, $1, 2)`, [sheet.rows[0].id]);
    // what applying that row also records: the pair's authorization episode is resolved (src/ingest/cs-resolve.ts)
    await db.pool.query(`update cs_authorizations set resolved = true, resolved_reason = 'DISCONTINUED', resolved_at = now(), resolved_sheet_id = $1
      where cin = '91000002B' and service_code = 'HD' and provider_code = 'HOMEWAY'`, [sheet.rows[0].id]);
    const r = await generate('csasf', { ...onSlotDay('2027-03-15'), provider: 'HOMEWAY' }, deps);
    const recs = await readRecords(path.join(downloads('HOMEWAY'), r.units[0]!.file!));
    expect(recs.CSASF!.map((x) => x.cin)).toEqual(['91000001A', '91000004D']);
  });
});

describe('CSASF retention of denied and expired authorizations (CSASF_CLOSED_RETENTION_DAYS: days after its decision or end date)', () => {
  /** The provider's CSASF rows on each slot (cin, service, status shown), with `rows` recorded in a transaction rolled back after. */
  async function onSlots(rows: string, slots: string[], then?: string): Promise<Record<string, string[]>> {
    const c = await db.pool.connect();
    try {
      await c.query('begin');
      await c.query(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end, requested_date, decision_date, assigned_date) values ${rows}`);
      if (then) await c.query(then);
      const out: Record<string, string[]> = {};
      for (const slot of slots) {
        out[slot] = (await csasfRows(c, 'HOMEWAY', slot, 60))
          .filter((r) => ['91000006F', '91000007G', '91000008H'].includes(r.cin)).map((r) => `${r.cin} ${r.service_code} ${r.auth_status}`);
      }
      return out;
    } finally {
      await c.query('rollback');
      c.release();
    }
  }

  it('a denial is aged from its decision date: one decided after its requested period is listed; one for a period ending next year leaves 60 days after it was decided', async () => {
    // D-1: decided 2026-11-10 for June and July (never sent before: it was pending until then)
    expect(await onSlots(`('91000006F','HD','HOMEWAY','HN','AUTHORIZED','Denied','D-1','2026-06-01','2026-07-31','2026-05-20','2026-11-10','2026-05-20')`,
      ['2026-11-15', '2027-01-08', '2027-01-15'])).toEqual({
      '2026-11-15': ['91000006F HD Denied'],
      '2027-01-08': ['91000006F HD Denied'], // 59 days after its decision
      '2027-01-15': [],
    });
    // D-2: decided 2026-07-25 for August 2026 to July 2027
    expect(await onSlots(`('91000007G','HD','HOMEWAY','HN','AUTHORIZED','Denied','D-2','2026-08-01','2027-07-31','2026-07-20','2026-07-25','2026-07-20')`,
      ['2026-08-15', '2026-09-15', '2026-09-29', '2027-06-15'])).toEqual({
      '2026-08-15': ['91000007G HD Denied'],
      '2026-09-15': ['91000007G HD Denied'],
      '2026-09-29': [], // 66 days after its decision
      '2027-06-15': [],
    });
  });

  it('an expiry is aged from its end date; a denial without a decision date is not aged', async () => {
    const got = await onSlots(`
      ('91000006F','RS','HOMEWAY','HN','AUTHORIZED','Expired','X-1','2026-05-01','2026-08-31','2026-04-20','2026-04-25','2026-04-25'),
      ('91000008H','RS','HOMEWAY','HN','AUTHORIZED','Denied','D-3','2026-05-01','2026-05-31','2026-04-20',null,'2026-04-20')`,
    ['2026-10-29', '2026-10-31', '2027-06-15']);
    expect(got).toEqual({
      '2026-10-29': ['91000006F RS Expired', '91000008H RS Denied'],
      '2026-10-31': ['91000008H RS Denied'],
      '2027-06-15': ['91000008H RS Denied'],
    });
  });

  it('an authorization whose end date has passed is shown Expired and aged from that date, whatever status the extract left on it, unless the provider resolved it', async () => {
    const rows = `
      ('91000006F','HTSS','HOMEWAY','HN','AUTHORIZED','Approved','A-601','2026-06-01','2026-09-30','2026-05-20','2026-05-25','2026-05-25'),
      ('91000007G','HTSS','HOMEWAY','HN','AUTHORIZED','Pending',null,'2026-06-01','2026-09-30','2026-05-20',null,'2026-05-25')`;
    expect(await onSlots(rows, ['2026-09-29', '2026-09-30', '2026-10-15', '2026-11-29', '2026-12-15', '2027-06-15'])).toEqual({
      '2026-09-29': ['91000006F HTSS Approved', '91000007G HTSS Pending'],
      '2026-09-30': ['91000006F HTSS Approved', '91000007G HTSS Pending'], // its last day
      '2026-10-15': ['91000006F HTSS Expired', '91000007G HTSS Expired'],
      '2026-11-29': ['91000006F HTSS Expired', '91000007G HTSS Expired'], // 60 days after its end
      '2026-12-15': [],
      '2027-06-15': [],
    });
    // the provider reported services completed for it on its CSPRTF: resolved, gone at once
    expect(await onSlots(rows, ['2026-10-15'], `update cs_authorizations set resolved = true, resolved_reason = 'COMPLETED', resolved_at = now() where auth_number = 'A-601'`))
      .toEqual({ '2026-10-15': ['91000007G HTSS Expired'] });
  });
});

describe('a provider with no members (spec §7: every provider gets its MIF and CSASF every slot)', () => {
  it('gets a header-only MIF with a one-line note, announced by email; with EMPTY_FILES_PUBLISHED=false nothing is published', async () => {
    await db.pool.query(`insert into providers (provider_code, npi, tin, name, contact_email, liaison_email, sftp_folder) values ('QUIET', '1245319599', '222333444', 'Quiet Care', 'ops@quiet.example', 'liaison@plan.example', 'QUIET')`);
    await db.pool.query(`insert into provider_contracts values ('QUIET', 'HN', 'ECM'), ('QUIET', 'HN', 'CS')`);
    fs.mkdirSync(path.join(sftp.root, 'QUIET', 'downloads'), { recursive: true });
    const mif = await generate('mif', { ...onSlotDay('2026-12-15'), provider: 'QUIET' }, deps);
    expect(mif.units).toEqual([expect.objectContaining({ provider: 'QUIET', lob: 'HN', status: 'PUBLISHED', rows: 0, file: 'HN_MIF_1245319599_20261215.xlsx' })]);
    const sheets = readWithOpenpyxl(path.join(downloads('QUIET'), 'HN_MIF_1245319599_20261215.xlsx'));
    expect(sheets.MIF).toHaveLength(1); // the header, no member
    expect(String(sheets.Note![1]![0])).toMatch(/^No members are assigned to you for HN as of 12\/15\/2026 \(reporting period 12\/2026\): this file is empty on purpose/);
    const note = (await db.pool.query(`select recipients, body from notifications where kind = 'published-mif' order by id desc limit 1`)).rows[0];
    expect(note.recipients).toContain('ops@quiet.example');
    expect(note.body).toMatch(/no members this time/);
    // the mini-MIF only ever carries news
    expect((await generate('mini-mif', { ...onSlotDay('2026-12-16'), provider: 'QUIET' }, deps)).units[0]!.status).toBe('EMPTY');
    const off = { ...deps, config: loadConfig({ DATA_DIR: dataDir, EMPTY_FILES_PUBLISHED: 'false' }) };
    expect((await generate('csasf', { ...onSlotDay('2026-12-15'), provider: 'QUIET' }, off)).units[0]!.status).toBe('EMPTY');
    const cs = await generate('csasf', { ...onSlotDay('2026-12-29'), provider: 'QUIET' }, deps);
    expect(cs.units[0]).toMatchObject({ status: 'PUBLISHED', rows: 0 });
  });
});

describe('an outbound name already taken on the server (DESIGN.md §4: never overwritten, never written through a link)', () => {
  const outbound = async (provider: string, slot: string) =>
    (await db.pool.query<{ lob: string; status: string; file_name: string; remote_path: string | null }>(
      // (by line, then in recording order: a run records its provider's lines side by side)
      `select lob, status, file_name, remote_path from outbound_files where provider_code = $1 and kind = 'MIF' and slot = $2 order by lob desc, id`, [provider, slot])).rows;
  const told = async (name: string) => (await db.pool.query<{ n: number }>(`select count(*)::int n from notifications where kind = 'published-mif' and subject like '%: ' || $1`, [name])).rows[0]!.n;

  it('by a file the database does not know, or a link: the file takes the next free name (_2, _3, …), the occupant is left as it was; a republish skips it too', async () => {
    fs.mkdirSync(downloads('ACME'), { recursive: true });
    // a file copied in by hand, or left from before a database restore, under the HN name and its _2
    const foreign = 'an older file, not in the database';
    for (const n of ['HN_MIF_1234567893_20270415.xlsx', 'HN_MIF_1234567893_20270415_2.xlsx']) fs.writeFileSync(path.join(downloads('ACME'), n), foreign);
    // and a link under the CV name, pointing outside the provider's folder
    const target = path.join(dataDir, 'link-target.txt');
    fs.writeFileSync(target, 'not the plan\'s to write');
    fs.symlinkSync(target, path.join(downloads('ACME'), 'CV_MIF_1234567893_20270415.xlsx'));

    const r = await generate('mif', { ...onSlotDay('2027-04-15'), provider: 'ACME' }, deps);
    expect(r.units.map((u) => [u.lob, u.status, u.file])).toEqual([['HN', 'PUBLISHED', 'HN_MIF_1234567893_20270415_3.xlsx'], ['CV', 'PUBLISHED', 'CV_MIF_1234567893_20270415_2.xlsx']]);
    expect(await outbound('ACME', '2027-04-15')).toEqual([
      { lob: 'HN', status: 'PUBLISHED', file_name: 'HN_MIF_1234567893_20270415_3.xlsx', remote_path: '/ACME/downloads/HN_MIF_1234567893_20270415_3.xlsx' },
      { lob: 'CV', status: 'PUBLISHED', file_name: 'CV_MIF_1234567893_20270415_2.xlsx', remote_path: '/ACME/downloads/CV_MIF_1234567893_20270415_2.xlsx' },
    ]);
    for (const n of ['HN_MIF_1234567893_20270415.xlsx', 'HN_MIF_1234567893_20270415_2.xlsx']) expect(fs.readFileSync(path.join(downloads('ACME'), n), 'utf8')).toBe(foreign);
    expect(fs.lstatSync(path.join(downloads('ACME'), 'CV_MIF_1234567893_20270415.xlsx')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe('not the plan\'s to write');
    expect((await readRecords(path.join(downloads('ACME'), 'HN_MIF_1234567893_20270415_3.xlsx'))).MIF!.length).toBeGreaterThan(0);
    expect([await told('HN_MIF_1234567893_20270415_3.xlsx'), await told('CV_MIF_1234567893_20270415_2.xlsx')]).toEqual([1, 1]);
    expect(listDownloads('ACME').filter((n) => n.includes('20270415'))).toHaveLength(5);
    // the slot is done: the next run publishes nothing
    expect((await generate('mif', { ...onSlotDay('2027-04-15'), provider: 'ACME' }, deps)).units.map((u) => u.status)).toEqual(['ALREADY_DONE', 'ALREADY_DONE']);

    const again = await republish('mif', { ...onSlotDay('2027-04-15'), provider: 'ACME', reason: 'test: names taken on the server' }, deps);
    expect(again.units.map((u) => [u.lob, u.status, u.file, u.replaces])).toEqual([
      ['HN', 'PUBLISHED', 'HN_MIF_1234567893_20270415_4.xlsx', 'HN_MIF_1234567893_20270415_3.xlsx'],
      ['CV', 'PUBLISHED', 'CV_MIF_1234567893_20270415_3.xlsx', 'CV_MIF_1234567893_20270415_2.xlsx'],
    ]);
    expect(fs.readFileSync(path.join(downloads('ACME'), 'HN_MIF_1234567893_20270415.xlsx'), 'utf8')).toBe(foreign);
    expect(fs.readFileSync(target, 'utf8')).toBe('not the plan\'s to write');
  });

  it('found by a retry of a recorded file: the record is renamed before anything is published under the new name, so a stop then publishes it there once', async () => {
    const slot = '2027-05-15';
    const name = 'HN_MIF_1987654328_20270515.xlsx';
    const down = await generate('mif', { ...onSlotDay(slot), provider: 'RIVAL' }, { ...deps, openSession: () => Promise.reject(new Error('sFTP connect failed: server down')) });
    expect(down.units.map((u) => u.status)).toEqual(['FAILED']);
    expect(await outbound('RIVAL', slot)).toEqual([{ lob: 'HN', status: 'PENDING', file_name: name, remote_path: null }]);
    // meanwhile something else lands under the recorded name
    fs.mkdirSync(downloads('RIVAL'), { recursive: true });
    fs.writeFileSync(path.join(downloads('RIVAL'), name), 'copied in by hand');
    // the retry finds it, and its connection is lost as it publishes under the next name
    const lost = await generate('mif', { ...onSlotDay(slot), provider: 'RIVAL' }, {
      ...deps,
      openSession: async () => {
        const s = await sftp.openSession();
        return Object.assign(Object.create(s) as typeof s, {
          publish: (dir: string, n: string, bytes: Buffer) => (n === name ? s.publish(dir, n, bytes) : Promise.reject(new Error('connection lost'))),
        });
      },
    });
    expect(lost.units.map((u) => [u.status, u.error])).toEqual([['FAILED', 'connection lost']]);
    expect(await outbound('RIVAL', slot)).toEqual([{ lob: 'HN', status: 'PENDING', file_name: 'HN_MIF_1987654328_20270515_2.xlsx', remote_path: null }]);
    const next = await generate('mif', { ...onSlotDay(slot), provider: 'RIVAL' }, deps);
    expect(next.units.map((u) => [u.status, u.file])).toEqual([['PUBLISHED', 'HN_MIF_1987654328_20270515_2.xlsx']]);
    expect(listDownloads('RIVAL').filter((n) => n.includes('20270515'))).toEqual([name, 'HN_MIF_1987654328_20270515_2.xlsx']);
    expect(fs.readFileSync(path.join(downloads('RIVAL'), name), 'utf8')).toBe('copied in by hand');
    expect(await told('HN_MIF_1987654328_20270515_2.xlsx')).toBe(1);
    expect(await told(name)).toBe(0);
  });
});

describe('a republish while the slot\'s file is still recorded, not confirmed (PENDING)', () => {
  it('publishes the recorded file as recorded (it may be out already), then a new version from today\'s records that replaces it', async () => {
    const slot = '2027-06-15';
    const down = await generate('mif', { ...onSlotDay(slot), provider: 'RIVAL' }, { ...deps, openSession: () => Promise.reject(new Error('sFTP connect failed: server down')) });
    expect(down.units.map((u) => u.status)).toEqual(['FAILED']);
    const recorded = down.units[0]!.file ?? 'HN_MIF_1987654328_20270615.xlsx';
    const rival = (await db.pool.query<{ cin: string }>(`select o.cin from outbound_file_rows o join outbound_files f on f.id = o.outbound_file_id
      where f.provider_code = 'RIVAL' and f.slot = $1 order by o.row_number limit 1`, [slot])).rows[0]!.cin;
    // the member's phone is put right after the file was recorded: what the republish is for
    await db.pool.query(`update members set phone = '5595550606' where cin = $1`, [rival]);
    const again = await republish('mif', { ...onSlotDay(slot), provider: 'RIVAL', reason: 'test: phone put right' }, deps);
    expect(again.units.map((u) => [u.status, u.file, u.replaces])).toEqual([['PUBLISHED', 'HN_MIF_1987654328_20270615_2.xlsx', recorded]]);
    const phone = async (name: string) => (await readRecords(path.join(downloads('RIVAL'), name))).MIF!.find((x) => x.cin === rival)!.phone;
    expect(await phone('HN_MIF_1987654328_20270615_2.xlsx')).toBe('5595550606');
    expect(await phone(recorded)).not.toBe('5595550606');
    expect((await db.pool.query(`select file_name, status, replaced_at is not null replaced, reason from outbound_files where provider_code = 'RIVAL' and kind = 'MIF' and slot = $1 order by id`, [slot])).rows).toEqual([
      { file_name: recorded, status: 'PUBLISHED', replaced: true, reason: null },
      { file_name: 'HN_MIF_1987654328_20270615_2.xlsx', status: 'PUBLISHED', replaced: false, reason: 'test: phone put right' },
    ]);
  });
});

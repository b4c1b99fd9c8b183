// PHI boundaries: what each provider receives carries only its own members (the MIF / CSASF
// published to it, and the responses to its uploads, even when it names another provider's
// members), and what liaisons receive (every notification in the outbox: submission responses,
// publish notices, the mini-MIF SLA alert, the missing-submission digest with its .xlsx) carries
// counts and CINs only: never a member's name, date of birth, address or phone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { errorText } from '../../src/log.js';
import { generate } from '../../src/generate/run.js';
import { pollOnce, type PollFileResult } from '../../src/ingest/poll.js';
import { miniMifSlaAlert } from '../../src/reports/alerts.js';
import { missingSubmissionDigest } from '../../src/reports/missing.js';
import { findPhi, mailText, parseEml, workbookText, type PlanMember } from '../fixtures/hostile/support.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSftp, type TestSftp } from '../helpers/dev-sftp.js';
import { P, seedPlan } from '../helpers/plan.js';
import { csprtf, csprtfRow, rtf, rtfRow } from '../helpers/provider-files.js';
import { readRecords } from '../helpers/workbook.js';
import { onSlotDay } from '../helpers/world.js';

let db: TestDb;
let sftp: TestSftp;
let dataDir: string;
let config: Config;
let members: PlanMember[];
const PROVIDERS = ['ACME', 'RIVAL', 'HOMEWAY', 'MEALS'];

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  await db.pool.query(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end, requested_date, decision_date, assigned_date) values
    ('91000001A','HTN','HOMEWAY','HN','AUTHORIZED','Approved','A-100','2026-10-01','2027-03-31','2026-09-20','2026-09-28','2026-09-28'),
    ('91000004D','MTM','HOMEWAY','CV','AUTHORIZED','Pending',null,null,null,'2026-10-20',null,'2026-10-21'),
    ('91000005E','MTM','MEALS','HN','AUTHORIZED','Approved','A-200','2026-11-01','2027-04-30','2026-10-15','2026-10-20','2026-10-20'),
    ('91000008H','RS','MEALS','HN','POTENTIAL',null,null,null,null,null,null,'2026-10-25')`);
  members = (await db.pool.query<{ cin: string; last_name: string; first_name: string; dob: string; address: string; phone: string }>(
    'select cin, last_name, first_name, dob, address, phone from members order by cin',
  )).rows.map((m) => ({ cin: m.cin, lastName: m.last_name, firstName: m.first_name, dob: m.dob, address: m.address, phone: m.phone }));
  sftp = await startTestSftp(PROVIDERS);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calx-phi-'));
  config = loadConfig({ DATA_DIR: dataDir, SFTP_STABLE_SECONDS: '0' });
  const deps = { pool: db.pool, config, openSession: () => sftp.openSession() };
  await generate('mif', onSlotDay('2026-11-15'), deps);
  await generate('csasf', onSlotDay('2026-11-15'), deps);
});
afterAll(async () => {
  await sftp?.stop();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const downloads = (code: string) => path.join(sftp.root, code, 'downloads');
const cinsOf = async (sql: string, params: unknown[]) => new Set((await db.pool.query<{ cin: string }>(sql, params)).rows.map((r) => r.cin));

async function pollAt(at: string): Promise<PollFileResult[]> {
  const deps = { pool: db.pool, config, openSession: () => sftp.openSession() };
  const t = new Date(at);
  await pollOnce(deps, { now: new Date(t.getTime() - 60_000) });
  return (await pollOnce(deps, { now: t })).results;
}
function upload(code: string, name: string, bytes: Buffer, at: string): void {
  const file = path.join(sftp.root, code, 'uploads', name);
  fs.writeFileSync(file, bytes);
  fs.utimesSync(file, new Date(at), new Date(at));
}

describe('what a provider receives carries only its own members', () => {
  it('each MIF and CSASF holds exactly the rows recorded for it, all of them the provider\'s own members, and no other member\'s PHI', async () => {
    const files = (await db.pool.query<{ id: number; provider_code: string; kind: string; file_name: string }>(
      `select id, provider_code, kind, file_name from outbound_files where status = 'PUBLISHED' order by id`,
    )).rows;
    expect(files.map((f) => `${f.provider_code} ${f.kind}`).sort()).toEqual(['ACME MIF', 'ACME MIF', 'HOMEWAY CSASF', 'MEALS CSASF', 'RIVAL MIF']);
    for (const f of files) {
      const bytes = fs.readFileSync(path.join(downloads(f.provider_code), f.file_name));
      const own = f.kind === 'CSASF'
        ? await cinsOf('select cin from cs_authorizations where provider_code = $1', [f.provider_code])
        : await cinsOf('select cin from ecm_assignments where provider_code = $1 union select cin from ecm_referrals where provider_code = $1', [f.provider_code]);
      const recorded = await cinsOf('select cin from outbound_file_rows where outbound_file_id = $1', [f.id]);
      const recs = await readRecords(bytes);
      const onFile = new Set(Object.values(recs).flat().map((r) => String(r.cin)));
      expect(onFile, f.file_name).toEqual(recorded);
      expect(onFile.size).toBeGreaterThan(0);
      for (const cin of onFile) expect(own.has(cin), `${cin} on ${f.file_name}`).toBe(true);
      // nothing of anyone else anywhere in the package (every sheet, every part)
      const text = await workbookText(bytes);
      const others = members.filter((m) => !onFile.has(m.cin));
      expect(findPhi(text, others), f.file_name).toEqual([]);
      // positive control: the provider's own members are really there, with their details
      const mine = members.filter((m) => onFile.has(m.cin));
      expect(findPhi(text, mine).length).toBeGreaterThan(0);
    }
    // the other provider's member is on RIVAL's MIF and MEALS's CSASF, never on ACME's or HOMEWAY's
    const acme = await Promise.all(fs.readdirSync(downloads('ACME')).map(async (n) => workbookText(fs.readFileSync(path.join(downloads('ACME'), n)))));
    expect(acme.join('\n')).not.toContain('91000005E');
  });

  it('a response names no other member\'s record, even when the provider\'s file names that member', async () => {
    const rivalsMember = members.find((m) => m.cin === '91000005E')!; // RIVAL's ECM member, MEALS's CS member
    const beforeRival = fs.readdirSync(downloads('RIVAL')).sort();
    const beforeMeals = fs.readdirSync(downloads('MEALS')).sort();
    upload('ACME', 'RTF_ACME_202611.xlsx', await rtf([
      rtfRow(),
      // RIVAL's member, sent by ACME under a made-up name: the CIN is ACME's own text
      rtfRow({ cin: '91000005E', lastName: 'Nobody', firstName: 'Known', ecmStatus: '4', discontinuationDate: { date: '2026-11-20' }, discontinuationReasonCode: 'DP' }),
      // RIVAL's member with RIVAL's NPI and TIN
      rtfRow({ cin: '91000005E', lastName: 'Nobody', firstName: 'Known', providerNpi: P.ECM2.npi, providerTin: P.ECM2.tin, providerName: P.ECM2.name }),
    ]), '2026-12-03T18:00:00Z');
    upload('HOMEWAY', 'CSPRTF_HOMEWAY_202611.xlsx', await csprtf([
      csprtfRow(),
      // MEALS's member and service, with a wrong DOB and name: nothing of the plan's record comes back
      csprtfRow({ cin: '91000005E', serviceCode: 'MTM', lastName: 'Nobody', firstName: 'Known', dob: { date: '1999-01-01' } }),
    ]), '2026-12-03T18:00:00Z');
    const results = await pollAt('2026-12-03T18:10:00Z');
    expect(results.map((r) => [r.provider, r.outcome, r.rowsAccepted, r.rowsRejected]).sort()).toEqual([
      ['ACME', 'PARTIALLY_ACCEPTED', 1, 2],
      ['HOMEWAY', 'PARTIALLY_ACCEPTED', 1, 1],
    ]);
    for (const r of results) {
      const bytes = fs.readFileSync(path.join(downloads(r.provider), path.posix.basename(r.response!)));
      const text = await workbookText(bytes);
      // the CIN the provider itself sent may be echoed back; nothing from the plan's record of that member
      expect(findPhi(text, [rivalsMember], { cins: false }), r.file).toEqual([]);
      // and no PHI at all of any member who is neither the provider's own nor one it sent
      const own = r.provider === 'ACME'
        ? await cinsOf('select cin from ecm_assignments where provider_code = $1', [r.provider])
        : await cinsOf('select cin from cs_authorizations where provider_code = $1', [r.provider]);
      expect(own.has('91000005E')).toBe(false);
      expect(findPhi(text, members.filter((m) => !own.has(m.cin) && m.cin !== '91000005E')), r.file).toEqual([]);
      expect(text).toContain('91000005E');
      expect(text).toMatch(r.provider === 'ACME' ? /MEMBER_NOT_ASSIGNED/ : /NOT_ON_CSASF/);
    }
    // nothing went to the other providers' folders
    expect(fs.readdirSync(downloads('RIVAL')).sort()).toEqual(beforeRival);
    expect(fs.readdirSync(downloads('MEALS')).sort()).toEqual(beforeMeals);
  });
});

describe('what liaisons receive carries counts and CINs only', () => {
  it('every .eml in the outbox and every notification subject: no member name, DOB, address or phone', async () => {
    // a referral approved on 11/01 that no MIF carried: the day-10 SLA alert lists its CIN
    await db.pool.query(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('R-SEC-1', '91000007G', 'ACME', 'HN', '2026-11-01')`);
    const sla = await miniMifSlaAlert(db.pool, config, '2026-11-20');
    expect(sla.referrals).toBe(1);
    // the 6th: RIVAL sent nothing for November (MEALS neither, but its CSPRTF window runs to the 10th); the digest has an .xlsx attached
    const digest = await missingSubmissionDigest(db.pool, config, '2026-12-06');
    expect(digest.digests).toBeGreaterThan(0);

    const notes = (await db.pool.query<{ kind: string; subject: string; location: string; recipients: string[] }>(
      `select kind, subject, location, recipients from notifications order by id`,
    )).rows;
    const kinds = new Set(notes.map((n) => n.kind));
    for (const k of ['published-mif', 'published-csasf', 'submission-response', 'minimif-sla']) expect(kinds, k).toContain(k);
    expect([...kinds].some((k) => /missing/.test(k))).toBe(true);
    const outbox = fs.readdirSync(path.join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
    expect(outbox.length).toBe(notes.length);

    let sawCounts = false;
    let sawCin = false;
    let sawAttachment = false;
    for (const n of notes) {
      expect(findPhi(n.subject, members, { cins: false }), n.subject).toEqual([]);
      const text = await mailText(n.location);
      expect(findPhi(text, members, { cins: false }), `${n.kind}: ${n.location}`).toEqual([]);
      if (/Rows read \d+, accepted \d+, rejected \d+/.test(text)) sawCounts = true;
      if (text.includes('91000007G')) sawCin = true;
      if (parseEml(fs.readFileSync(n.location, 'utf8')).parts.some((p) => p.body.subarray(0, 2).toString() === 'PK')) sawAttachment = true;
    }
    // positive controls: the checks above read real, decoded content
    expect(sawCounts).toBe(true);
    expect(sawCin).toBe(true);
    expect(sawAttachment).toBe(true);
  });
});

describe('what logs and run results say of a database error', () => {
  it('a value Postgres quotes in its message (a cell of a file) is masked; the SQLSTATE and our constraint names are kept', async () => {
    const refused = async (sql: string, params: unknown[]) => db.pool.query(sql, params).then(() => expect.fail('the statement should fail'), (e: unknown) => e);
    const range = errorText(await refused('select $1::int', ['5000000000']));
    expect(range).toBe('value "…" is out of range for type integer (SQLSTATE 22003)');
    const syntax = errorText(await refused('select $1::date', ['Alpha Ann 02/14/1980']));
    expect(syntax).not.toMatch(/Alpha|1980/);
    expect(syntax).toMatch(/SQLSTATE 22007|SQLSTATE 22008/);
    const unique = errorText(await refused(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) values ('91000001A', 'HN', 'ACME', 1, '2026-09-01')`, []));
    expect(unique).toMatch(/constraint ecm_assignments_cin_lob_key\)$/);
    expect(unique).not.toMatch(/91000001A/);
    // any other error is its message
    expect(errorText(new Error('sftp connection refused'))).toBe('sftp connection refused');
  });
});

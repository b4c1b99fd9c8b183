// The upstream imports as the plan's data team meets them: extracts saved by other tools, and a
// member's story told across several extracts.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUpstream, ImportFileError } from '../../src/import/upstream.js';
import { closePlanWorld, importExtract, MEMBERS_HEADER, openPlanWorld, type PlanWorld } from '../helpers/world.js';
import { OPENPYXL } from '../helpers/workbook.js';

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('import-audit');
});
afterAll(async () => {
  await closePlanWorld(w);
});

const AT = '2026-11-20T17:00:00Z';
const one = async (sql: string, params: unknown[] = []) => (await w.db.pool.query(sql, params)).rows[0];
const ANN = '91000001A,M1,Alpha,Ann,1980-02-14,F,English,1 A St,Fresno,CA,93701,5595551001,Fresno,N';

describe('upstream extracts as other tools save them', () => {
  it('refuses a header naming a column twice as a whole, naming the column, where the last one silently won', async () => {
    // a second cin column (a lookup pasted beside the extract): which one is the member's?
    const err = await importExtract(w, 'members', 'dup-header.csv', [`${ANN},92222222B`], AT, `${MEMBERS_HEADER},cin`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as Error).message).toMatch(/cin/);
    expect((err as Error).message).toMatch(/more than once/);
    expect((err as Error).message).not.toMatch(/92222222B/);
  });

  it('refuses a row that is not UTF-8 text (Excel\'s plain "CSV" on Windows), by row and code, where its name was stored with a replacement character', async () => {
    // Windows-1252: ñ is the one byte F1, no UTF-8 character
    const file = path.join(w.dataDir, 'cp1252.csv');
    fs.writeFileSync(file, Buffer.concat([
      Buffer.from(`${MEMBERS_HEADER}\r\n`),
      Buffer.from('91000001A,M1,Pe'), Buffer.from([0xf1]), Buffer.from('a,Ann,1980-02-14,F,English,1 A St,Fresno,CA,93701,5595551001,Fresno,N\r\n'),
      Buffer.from('91000002B,M2,Bravo,Ben,1975-03-05,M,Spanish,2 B St,Fresno,CA,93702,5595551002,Fresno,N\r\n'),
    ]));
    const s = await importUpstream(w.db.pool, 'members', file, { now: new Date(AT) });
    expect(s).toMatchObject({ rowsRead: 2, rowsImported: 1, rowsRejected: 1 });
    expect(s.rejects).toEqual([{ row: 2, code: 'csv-encoding', message: expect.stringMatching(/UTF-8/) }]);
    expect(JSON.stringify(s.rejects)).not.toMatch(/Pe|Ann|91000001A/);
    expect((await one("select last_name from members where cin = '91000001A'")).last_name).toBe('Alpha');
  });
});

describe('upstream extracts as other tools save them, other formats', () => {
  it('says a UTF-16 file or one separated by semicolons or tabs is not a comma-separated UTF-8 file, where it said every column was missing', async () => {
    const utf16 = path.join(w.dataDir, 'utf16.csv');
    fs.writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${MEMBERS_HEADER}\r\n${ANN}\r\n`, 'utf16le')]));
    await expect(importUpstream(w.db.pool, 'members', utf16, { now: new Date(AT) })).rejects.toThrow(/UTF-16.*CSV UTF-8/);
    for (const [sep, name] of [[';', 'semicolons'], ['\t', 'tabs']] as const) {
      const err = await importExtract(w, 'members', `sep-${name}.csv`, [ANN.replaceAll(',', sep)], AT, MEMBERS_HEADER.replaceAll(',', sep)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImportFileError);
      expect((err as Error).message).toMatch(new RegExp(`separated by ${name}`));
    }
  });
});

describe('upstream extracts as other tools save them, header names', () => {
  it('names the columns a header has in other case or spelling with spaces, where it said them missing as if absent', async () => {
    const header = MEMBERS_HEADER.replace('cin', 'CIN').replace('last_name', 'Last Name');
    const err = await importExtract(w, 'members', 'caps.csv', [ANN], AT, header).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as Error).message).toMatch(/missing column\(s\): cin, last_name/);
    expect((err as Error).message).toMatch(/"CIN" for cin, "Last Name" for last_name/);
  });
});

describe('upstream extracts as other tools save them, dates with a time', () => {
  it('reads a date Excel saved to CSV with a time of day (11/5/2026 0:00) as its date, as provider files read it, where every row was rejected', async () => {
    const s = await importExtract(w, 'members', 'datetime.csv', [
      '91000006F,M6,Foxtrot,Fay,1/1/2001 0:00,F,English,6 F St,Fresno,CA,93705,5595551006,Fresno,N',
      '91000007G,M7,Golf,Gil,08/08/1948 12:00:00 AM,M,English,7 G St,Fresno,CA,93706,5595551007,Fresno,N',
      '91000008H,M8,Hotel,Hana,9/9/1999 25:00,F,English,8 H St,Fresno,CA,93707,5595551008,Fresno,N',
    ], AT);
    expect(s).toMatchObject({ rowsImported: 2, rowsRejected: 1 });
    expect(s.rejects.map((r) => [r.row, r.column])).toEqual([[4, 'dob']]);
    expect(await one("select dob from members where cin = '91000007G'")).toEqual({ dob: '1948-08-08' });
  });
});

describe('upstream extracts as other tools save them, a workbook', () => {
  it('refuses a row with a formula error in a cell (#N/A of a lookup), naming the column, where it read as blank and re-opened an ended eligibility', async () => {
    await w.db.pool.query("update members set eligibility_end = '2026-10-31' where cin = '91000004D'");
    const file = path.join(w.dataDir, 'members-lookup.xlsx');
    execFileSync(OPENPYXL, ['-c', `import sys, openpyxl
wb = openpyxl.Workbook(); ws = wb.active
ws.append(sys.argv[2].split(','))
ws.append(['91000004D','M4','Delta','Dee','1955-07-04','F','Hmong','4 D St','Madera','CA','93637','5595551004','Madera','N','#N/A'])
ws.append(['91000005E','M5','Echo','Ed','1966-06-06','M','English','5 E St','Fresno','CA','93704','5595551005','Fresno','N',None])
wb.save(sys.argv[1])`, file, `${MEMBERS_HEADER},eligibility_end`]);
    const s = await importUpstream(w.db.pool, 'members', file, { now: new Date(AT) });
    expect(s).toMatchObject({ rowsRead: 2, rowsImported: 1, rowsRejected: 1 });
    expect(s.rejects).toEqual([{ row: 2, column: 'eligibility_end', code: 'xlsx-cell-error', message: expect.stringMatching(/eligibility_end.*formula/) }]);
    expect(await one("select eligibility_end from members where cin = '91000004D'")).toEqual({ eligibility_end: '2026-10-31' });
  });
});

describe('upstream extracts as other tools save them, blank rows', () => {
  it('skips rows of empty cells (Excel saves formatted blank rows as commas) as it skips blank lines, where each was rejected for every required column', async () => {
    const s = await importExtract(w, 'members', 'commas.csv', [ANN, ',,,,,,,,,,,,,', ' , ,,,,,,,,,,,,', ',,,'], AT);
    expect(s).toMatchObject({ rowsRead: 1, rowsImported: 1, rowsRejected: 0, rejects: [] });
  });

  it('skips the header again below it (two extracts joined into one file), where it was rejected as a member with a bad CIN', async () => {
    const s = await importExtract(w, 'members', 'joined.csv', [ANN, MEMBERS_HEADER, '91000002B,M2,Bravo,Ben,1975-03-05,M,Spanish,2 B St,Fresno,CA,93702,5595551002,Fresno,N'], AT);
    expect(s).toMatchObject({ rowsRead: 2, rowsImported: 2, rowsRejected: 0, rejects: [] });
  });
});

describe("a member's story across extracts", () => {
  it('two new referrals of one member and line to two providers in one extract: the first approved starts the episode, the other is a conflict, as in two extracts', async () => {
    // 91000007G has no ECM assignment; ACME's referral was approved first
    const rows = ['R-7B,91000007G,RIVAL,HN,2026-11-02', 'R-7A,91000007G,ACME,HN,2026-11-01'];
    const first = await importExtract(w, 'referrals', 'ref-two.csv', rows, AT);
    expect(first.conflicts).toEqual([{ row: 2, referralId: 'R-7B', cin: '91000007G', lob: 'HN', currentProvider: 'ACME', referredProvider: 'RIVAL' }]);
    expect(first).toMatchObject({ rowsImported: 1, rowsRejected: 1 });
    expect(await one("select provider_code, status, assigned_date from ecm_assignments where cin = '91000007G' and lob = 'HN'"))
      .toEqual({ provider_code: 'ACME', status: 1, assigned_date: '2026-11-01' });
    // the referral not applied is no referral of RIVAL's waiting to be sent (its SLA alert would be false)
    expect(await one("select count(*)::int n from ecm_referrals where referral_id = 'R-7B'")).toEqual({ n: 0 });
    expect(await one("select referred_provider, resolved_at from ecm_referral_conflicts where referral_id = 'R-7B'")).toEqual({ referred_provider: 'RIVAL', resolved_at: null });
    // the same extract again: the same outcome
    const again = await importExtract(w, 'referrals', 'ref-two.csv', rows, '2026-11-21T17:00:00Z');
    expect(again.conflicts).toEqual(first.conflicts);
    expect(await one("select provider_code from ecm_assignments where cin = '91000007G' and lob = 'HN'")).toEqual({ provider_code: 'ACME' });
  });

  it('an older assignment extract imported after a newer one does not move the member back to the provider it left', async () => {
    const A = ['cin,provider_code,lob,status,assigned_date,pof,enrollment_start,enrollment_end,acuity,lcm_name,lcm_phone'][0]!;
    // 91000008H: with ACME since September (the October extract), then RIVAL from November 5 (the November one)
    const october = ['91000008H,ACME,HN,1,2026-09-01,,,,,,'];
    const november = ['91000008H,RIVAL,HN,1,2026-11-05,,,,,,'];
    await importExtract(w, 'ecm-assignments', 'asg-oct.csv', october, '2026-10-02T17:00:00Z', A);
    await importExtract(w, 'ecm-assignments', 'asg-nov.csv', november, '2026-11-06T17:00:00Z', A);
    expect(await one("select provider_code from ecm_assignments where cin = '91000008H' and lob = 'HN'")).toEqual({ provider_code: 'RIVAL' });
    // ops load October's file again by mistake
    const again = await importExtract(w, 'ecm-assignments', 'asg-oct.csv', october, '2026-11-20T17:00:00Z', A);
    expect(again).toMatchObject({ rowsImported: 0, rowsRejected: 1 });
    expect(again.rejects).toEqual([{ row: 2, column: 'assigned_date', message: expect.stringMatching(/before .*RIVAL/) }]);
    expect(JSON.stringify(again.rejects)).not.toMatch(/91000008H|2026-09-01|2026-11-05/);
    expect(await one("select provider_code, assigned_date from ecm_assignments where cin = '91000008H' and lob = 'HN'"))
      .toEqual({ provider_code: 'RIVAL', assigned_date: '2026-11-05' });
    // a move back with its own, newer date is a switch as any other
    const back = await importExtract(w, 'ecm-assignments', 'asg-dec.csv', ['91000008H,ACME,HN,1,2026-11-25,,,,,,'], '2026-11-26T17:00:00Z', A);
    expect(back).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await one("select provider_code from ecm_assignments where cin = '91000008H' and lob = 'HN'")).toEqual({ provider_code: 'ACME' });
  });

  it('an older CS extract with the request still pending, imported after its approval, neither supersedes nor reopens the authorization', async () => {
    const C = 'cin,provider_code,lob,service_code,record_type,auth_status,auth_number,auth_start,auth_end,requested_date,decision_date,assigned_date,referring_org';
    const pending = ['91000006F,MEALS,HN,MTM,AUTHORIZED,Pending,,,,2026-10-20,,2026-10-21,'];
    await importExtract(w, 'cs-authorizations', 'cs-oct.csv', pending, '2026-10-22T17:00:00Z', C);
    await importExtract(w, 'cs-authorizations', 'cs-nov.csv', ['91000006F,MEALS,HN,MTM,AUTHORIZED,Approved,B-1,2026-11-01,2027-04-30,2026-10-20,2026-10-28,2026-10-21,'], '2026-10-29T17:00:00Z', C);
    const episodes = () => w.db.pool.query("select auth_status, auth_number, resolved from cs_authorizations where cin = '91000006F' and service_code = 'MTM' order by id").then((r) => r.rows);
    expect(await episodes()).toEqual([{ auth_status: 'Approved', auth_number: 'B-1', resolved: false }]);
    // October's file again: the same request (assigned the same day), before it had its number
    const again = await importExtract(w, 'cs-authorizations', 'cs-oct.csv', pending, '2026-11-02T17:00:00Z', C);
    expect(again).toMatchObject({ rowsImported: 0, rowsRejected: 1 });
    expect(again.rejects).toEqual([{ row: 2, column: 'auth_number', message: expect.stringMatching(/older extract/) }]);
    expect(await episodes()).toEqual([{ auth_status: 'Approved', auth_number: 'B-1', resolved: false }]);
    // nor once the authorization is over: the old request is not the pair referred again
    await w.db.pool.query("update cs_authorizations set resolved = true, resolved_reason = 'DISCONTINUED' where cin = '91000006F' and service_code = 'MTM'");
    expect(await importExtract(w, 'cs-authorizations', 'cs-oct.csv', pending, '2026-12-02T17:00:00Z', C)).toMatchObject({ rowsImported: 0, rowsRejected: 1 });
    expect(await episodes()).toEqual([{ auth_status: 'Approved', auth_number: 'B-1', resolved: true }]);
    // a request assigned on another day is the plan referring the pair again: a new episode
    const anew = await importExtract(w, 'cs-authorizations', 'cs-jan.csv', ['91000006F,MEALS,HN,MTM,AUTHORIZED,Pending,,,,2027-01-04,,2027-01-05,'], '2027-01-06T17:00:00Z', C);
    expect(anew).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect((await episodes()).map((e) => e.auth_status)).toEqual(['Approved', 'Pending']);
  });

  it('a referral already on record named again with another provider is rejected, where the record silently took the new provider and the member stayed with the old one', async () => {
    // 91000003C's HN episode with ACME ended September 30: the referral starts a new one
    const first = await importExtract(w, 'referrals', 'ref-oct.csv', ['R-3,91000003C,ACME,HN,2026-10-05'], '2026-10-06T17:00:00Z');
    expect(first).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await one("select provider_code, status from ecm_assignments where cin = '91000003C' and lob = 'HN'")).toEqual({ provider_code: 'ACME', status: 1 });
    const again = await importExtract(w, 'referrals', 'ref-oct-fixed.csv', ['R-3,91000003C,RIVAL,HN,2026-10-05'], '2026-10-07T17:00:00Z');
    expect(again).toMatchObject({ rowsImported: 0, rowsRejected: 1 });
    expect(again.rejects).toEqual([{ row: 2, column: 'provider_code', message: expect.stringMatching(/already on record .*ACME/) }]);
    expect(JSON.stringify(again.rejects)).not.toMatch(/91000003C/);
    expect(await one("select provider_code, cin, lob from ecm_referrals where referral_id = 'R-3'")).toEqual({ provider_code: 'ACME', cin: '91000003C', lob: 'HN' });
    expect(await one("select provider_code from ecm_assignments where cin = '91000003C' and lob = 'HN'")).toEqual({ provider_code: 'ACME' });
  });

  it('an authorization number written in other case is the same authorization, as a CSPRTF reads it, where it superseded the authorization with a copy of itself', async () => {
    const C = 'cin,provider_code,lob,service_code,record_type,auth_status,auth_number,auth_start,auth_end,requested_date,decision_date,assigned_date,referring_org';
    const row = (n: string) => [`91000005E,MEALS,HN,RS,AUTHORIZED,Approved,${n},2026-11-01,2027-04-30,2026-10-20,2026-10-28,2026-10-21,`];
    await importExtract(w, 'cs-authorizations', 'cs-case-1.csv', row('HN-77a'), '2026-10-29T17:00:00Z', C);
    const s = await importExtract(w, 'cs-authorizations', 'cs-case-2.csv', row('hn-77A'), '2026-11-29T17:00:00Z', C);
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    const eps = (await w.db.pool.query("select resolved from cs_authorizations where cin = '91000005E' and service_code = 'RS'")).rows;
    expect(eps).toEqual([{ resolved: false }]);
  });

  it('an authorization number on record for the member and service in other case is that number for another provider too: refused as the same case is, where a second episode with it was opened', async () => {
    const C = 'cin,provider_code,lob,service_code,record_type,auth_status,auth_number,auth_start,auth_end,requested_date,decision_date,assigned_date,referring_org';
    // MEALS' hn-77A (the test above) ends 2027-04-30: HOMEWAY's row from May would supersede it, under the same number
    const row = (n: string) => [`91000005E,HOMEWAY,HN,RS,AUTHORIZED,Approved,${n},2027-05-01,2027-10-31,2027-04-20,2027-04-28,2027-04-21,`];
    const same = await importExtract(w, 'cs-authorizations', 'cs-case-3.csv', row('hn-77A'), '2027-04-29T17:00:00Z', C);
    const other = await importExtract(w, 'cs-authorizations', 'cs-case-4.csv', row('HN-77a'), '2027-04-29T18:00:00Z', C);
    for (const s of [same, other]) {
      expect(s).toMatchObject({ rowsImported: 0, rowsRejected: 1 });
      expect(s.rejects[0]!.message).toMatch(/already on record for the member and service/);
    }
    const eps = (await w.db.pool.query("select provider_code, resolved from cs_authorizations where cin = '91000005E' and service_code = 'RS'")).rows;
    expect(eps).toEqual([{ provider_code: 'MEALS', resolved: false }]);
  });

  it('a referral, assignment or authorization dated after the provider\'s contract for the line ended is rejected, where the member was given to a provider no MIF or CSASF goes to', async () => {
    await w.db.pool.query("update provider_contracts set contract_end = '2026-10-31' where provider_code = 'ACME' and lob = 'HN' and program = 'ECM'");
    await w.db.pool.query("update provider_contracts set contract_end = '2026-10-31' where provider_code = 'HOMEWAY' and lob = 'CV' and program = 'CS'");
    try {
      const ref = await importExtract(w, 'referrals', 'ref-ended.csv', ['R-4,91000004D,ACME,HN,2026-11-05'], '2026-11-06T17:00:00Z');
      expect(ref).toMatchObject({ rowsImported: 0, rowsRejected: 1 });
      expect(ref.rejects).toEqual([{ row: 2, column: 'provider_code', message: expect.stringMatching(/ACME.*ECM contract for HN ended on 2026-10-31/) }]);
      expect(await one("select count(*)::int n from ecm_assignments where cin = '91000004D' and lob = 'HN'")).toEqual({ n: 0 });
      const A = 'cin,provider_code,lob,status,assigned_date,pof,enrollment_start,enrollment_end,acuity,lcm_name,lcm_phone';
      // assigned before the end: still the provider's member (the plan moves them); after: refused
      const asg = await importExtract(w, 'ecm-assignments', 'asg-ended.csv', ['91000004D,ACME,HN,1,2026-11-05,,,,,,', '91000005E,ACME,HN,1,2026-10-15,,,,,,'], '2026-11-06T17:00:00Z', A);
      expect(asg).toMatchObject({ rowsImported: 1, rowsRejected: 1 });
      expect(asg.rejects.map((r) => [r.row, r.column])).toEqual([[2, 'provider_code']]);
      const C = 'cin,provider_code,lob,service_code,record_type,auth_status,auth_number,auth_start,auth_end,requested_date,decision_date,assigned_date,referring_org';
      const cs = await importExtract(w, 'cs-authorizations', 'cs-ended.csv', ['91000004D,HOMEWAY,CV,HTN,AUTHORIZED,Approved,E-1,2026-11-10,2027-04-30,2026-11-01,2026-11-05,2026-11-05,'], '2026-11-06T17:00:00Z', C);
      expect(cs.rejects).toEqual([{ row: 2, column: 'provider_code', message: expect.stringMatching(/HOMEWAY.*CS contract for CV ended on 2026-10-31/) }]);
    } finally {
      await w.db.pool.query("update provider_contracts set contract_end = null");
    }
  });

  it('an assignment extract from the provider\'s earlier episode, loaded again after a re-referral to it, does not bring that episode\'s enrollment back', async () => {
    const A = 'cin,provider_code,lob,status,assigned_date,pof,enrollment_start,enrollment_end,acuity,lcm_name,lcm_phone';
    const state = () => one("select provider_code, status, assigned_date, enrollment_start, enrollment_end from ecm_assignments where cin = '91000002B' and lob = 'CV'");
    await importExtract(w, 'referrals', 'ref-cv-1.csv', ['R-CV1,91000002B,ACME,CV,2026-03-01'], '2026-03-02T17:00:00Z');
    const april = ['91000002B,ACME,CV,3,2026-03-01,,2026-03-10,,,,'];
    await importExtract(w, 'ecm-assignments', 'asg-cv-apr.csv', april, '2026-04-02T17:00:00Z', A);
    await importExtract(w, 'ecm-assignments', 'asg-cv-aug.csv', ['91000002B,ACME,CV,4,2026-03-01,,2026-03-10,2026-07-31,,,'], '2026-08-02T17:00:00Z', A);
    // the episode ended; the member is referred to ACME again
    await importExtract(w, 'referrals', 'ref-cv-2.csv', ['R-CV2,91000002B,ACME,CV,2026-09-01'], '2026-09-02T17:00:00Z');
    const episode = { provider_code: 'ACME', status: 1, assigned_date: '2026-09-01', enrollment_start: null, enrollment_end: null };
    expect(await state()).toEqual(episode);
    // April's file again
    const again = await importExtract(w, 'ecm-assignments', 'asg-cv-apr.csv', april, '2026-09-11T17:00:00Z', A);
    expect(await state()).toEqual(episode);
    expect(again.olderThanReferral).toEqual([{ row: 2, cin: '91000002B', lob: 'CV', extractProvider: 'ACME', provider: 'ACME', episodeStartedAt: '2026-09-02T17:00:00.000Z' }]);
  });

  it('an extract giving a discontinued member a status again (outreach, not enrolled) clears the discontinuation, where the member stayed discontinued under status 1 and a referral elsewhere took them unopposed', async () => {
    const A = 'cin,provider_code,lob,status,assigned_date,pof,enrollment_start,enrollment_end,acuity,lcm_name,lcm_phone';
    // ACME discontinued 91000001A (never enrolled: unable to reach) in September
    await w.db.pool.query("update ecm_assignments set status = 4, discontinuation_date = '2026-09-20', discontinuation_reason = 'UE' where cin = '91000001A' and lob = 'HN'");
    await importExtract(w, 'ecm-assignments', 'asg-again.csv', ['91000001A,ACME,HN,1,2026-11-02,,,,,,'], '2026-11-03T17:00:00Z', A);
    expect(await one("select status, assigned_date, discontinuation_date, discontinuation_reason from ecm_assignments where cin = '91000001A' and lob = 'HN'"))
      .toEqual({ status: 1, assigned_date: '2026-11-02', discontinuation_date: null, discontinuation_reason: null });
    const ref = await importExtract(w, 'referrals', 'ref-rival.csv', ['R-1A,91000001A,RIVAL,HN,2026-11-05'], '2026-11-06T17:00:00Z');
    expect(ref.conflicts.map((k) => [k.currentProvider, k.referredProvider])).toEqual([['ACME', 'RIVAL']]);
    expect(await one("select provider_code from ecm_assignments where cin = '91000001A' and lob = 'HN'")).toEqual({ provider_code: 'ACME' });
  });
});

// The outbound files as a provider receives and uses them over the months: the MIF's pre-filled
// RTF sheet sent back as it came, and a file put right by a republish.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, republish } from '../../src/generate/run.js';
import { CSPRTF } from '../../schemas/index.js';
import { csprtfRow, enrolledRow, rtf, workbook } from '../helpers/provider-files.js';
import { OPENPYXL, readRecords } from '../helpers/workbook.js';
import { answerUpload, closePlanWorld, importExtract, importMembers, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;
const file = (provider: string, name: string) => path.join(w.sftp.root, provider, 'downloads', name);

beforeAll(async () => {
  w = await openPlanWorld('outbound-year', { csAuthorizations: true });
});
afterAll(() => closePlanWorld(w));

describe('the MIF\'s pre-filled RTF sheet', () => {
  it('sent back as it came (the provider adds only its production date) is accepted whole: a member who left for another reason (OTH) carries the reason text', async () => {
    // 91000006F left ACME's HN ECM on November 10 for a reason the provider described (its October RTF)
    await w.db.pool.query(`update ecm_assignments set status = 4, enrollment_end = '2026-11-10', discontinuation_reason = 'OTH', discontinuation_text = 'moved out of state'
      where cin = '91000006F' and lob = 'HN'`);
    // 91000002B's enrollment ended on November 20 while the plan still holds status 3 (the
    // assignment extract ended it without a status): the form reports it as status 4
    await w.db.pool.query(`update ecm_assignments set enrollment_end = '2026-11-20', discontinuation_reason = 'WM' where cin = '91000002B' and lob = 'HN'`);
    const mif = await generate('mif', { date: '2026-11-15', provider: 'ACME', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
    const hn = await readRecords(file('ACME', mif.units.find((u) => u.lob === 'HN')!.file!));
    const left = hn.RTF!.find((x) => x.cin === '91000006F');
    expect(left).toMatchObject({ ecmStatus: '4', endDate: { date: '2026-11-10' }, discontinuationReasonCode: 'OTH', discontinuationReason: 'moved out of state' });
    expect(hn.MIF!.find((x) => x.cin === '91000002B')).toMatchObject({ ecmStatus: '3', endDate: { date: '2026-11-20' } });
    expect(hn.RTF!.find((x) => x.cin === '91000002B')).toMatchObject({ ecmStatus: '4', startDate: { date: '2026-08-15' }, endDate: { date: '2026-11-20' }, discontinuationReasonCode: 'WM' });
    const back = hn.RTF!.map((x) => ({ ...x, productionDate: { date: '2026-12-02' } }));
    const done = await answerUpload(w, 'ACME', 'RTF_ACME_202611.xlsx', await rtf(back), '2026-12-02T17:00:00Z');
    expect(done.document.issues.filter((i) => i.severity === 'error').map((i) => i.code)).toEqual([]);
    expect(done.document.issues.filter((i) => i.code === 'RTF_ENROLLED_WITH_END')).toEqual([]);
    expect(done.document).toMatchObject({ rowsRead: back.length, rowsAccepted: back.length, rowsRejected: 0 });
  });
});

describe('a republished mini-MIF', () => {
  it('carries the referrals the version it replaces carried, as today\'s records have them', async () => {
    await w.db.pool.query(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('R-RP', '91000007G', 'ACME', 'HN', '2026-12-20')`);
    await w.db.pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) values ('91000007G', 'HN', 'ACME', 1, '2026-12-20')`);
    const first = await generate('mini-mif', { ...onSlotDay('2026-12-25'), provider: 'ACME' }, w.deps);
    const sent = first.units.find((u) => u.lob === 'HN')!;
    expect(sent).toMatchObject({ status: 'PUBLISHED', rows: 1 });
    // the member's address was wrong on it: the plan corrects it and republishes the file
    await w.db.pool.query(`update members set address = '77 New St' where cin = '91000007G'`);
    const again = await republish('mini-mif', { date: '2026-12-25', provider: 'ACME', reason: 'member address corrected', now: new Date('2026-12-26T15:00:00Z') }, w.deps);
    const hn = again.units.find((u) => u.lob === 'HN')!;
    expect(hn).toMatchObject({ status: 'PUBLISHED', rows: 1, file: 'HN_MINIMIF_1234567893_20261225_2.xlsx', replaces: sent.file });
    const recs = await readRecords(file('ACME', hn.file!));
    expect(recs.MIF!.map((x) => [x.cin, x.mifType, x.address, x.referralApprovalDate])).toEqual([['91000007G', 'MINI', '77 New St', { date: '2026-12-20' }]]);
    // produced the 26th from the records of the 26th: it says so (the first version says the 25th)
    expect(recs.MIF!.map((x) => x.productionDate)).toEqual([{ date: '2026-12-26' }]);
    expect((await readRecords(file('ACME', sent.file!))).MIF!.map((x) => x.productionDate)).toEqual([{ date: '2026-12-25' }]);
    // the provider is told which file the new one replaces (two mini-MIFs of one day in its folder)
    const mails = (await w.db.pool.query<{ body: string }>(`select body from notifications where kind = 'published-mini-mif' and subject like '%' || $1`, [hn.file])).rows;
    expect(mails).toHaveLength(1);
    expect(mails[0]!.body).toContain(`It replaces ${sent.file}`);
    // the referral stays sent on the first version (when it reached the provider: the 5-10 day rule)
    const ref = (await w.db.pool.query(`select o.file_name from ecm_referrals f join outbound_files o on o.id = f.mini_mif_file_id where f.referral_id = 'R-RP'`)).rows;
    expect(ref).toEqual([{ file_name: sent.file }]);
  });
});

describe('a mini-MIF', () => {
  it('lists a member once however many of their referrals it sends, with the approval that assigned them; every referral is marked sent on it', async () => {
    // two referrals of one member in one extract (the later one assigns); a member referred again a day after their first referral was loaded
    await importExtract(w, 'referrals', 'referrals-jan.csv', ['REF-J1,91000001A,ACME,CV,2027-01-04', 'REF-J2,91000001A,ACME,CV,2027-01-05',
      'REF-J3,91000008H,ACME,CV,2027-01-05'], '2027-01-06T16:00:00Z');
    await importExtract(w, 'referrals', 'referrals-jan.csv', ['REF-J4,91000008H,ACME,CV,2027-01-06'], '2027-01-07T16:00:00Z');
    const mini = await generate('mini-mif', { ...onSlotDay('2027-01-11'), provider: 'ACME' }, w.deps);
    const cv = mini.units.find((u) => u.lob === 'CV')!;
    expect(cv).toMatchObject({ status: 'PUBLISHED', rows: 2 });
    const recs = await readRecords(file('ACME', cv.file!));
    expect(recs.MIF!.map((x) => [x.cin, x.referralApprovalDate])).toEqual([['91000001A', { date: '2027-01-05' }], ['91000008H', { date: '2027-01-05' }]]);
    expect(recs.RTF!.map((x) => x.cin)).toEqual(['91000001A', '91000008H']);
    const unsent = (await w.db.pool.query(`select referral_id from ecm_referrals where referral_id like 'REF-J%' and mini_mif_file_id is null`)).rows;
    expect(unsent).toEqual([]);
  });
});

describe('the workbook\'s own dates', () => {
  it('a file is created at the run\'s clock, not the machine\'s: a replayed slot says when it was made for', async () => {
    const r = await generate('csasf', { ...onSlotDay('2027-01-15'), provider: 'HOMEWAY' }, w.deps);
    const created = execFileSync(OPENPYXL, ['-c', 'import sys, openpyxl; print(openpyxl.load_workbook(sys.argv[1]).properties.created.isoformat())', file('HOMEWAY', r.units[0]!.file!)],
      { encoding: 'utf8' }).trim();
    expect(created).toBe('2027-01-15T15:00:00');
  });
});

describe('a CS pair whose authorization with one provider was denied or has ended, authorized with another', () => {
  it('goes to the new provider\'s next CSASF and leaves the old one\'s; a pair still authorized stays refused', async () => {
    // HOMEWAY: 91000003C x RC denied in October (off its CSASF since December); 91000002B x RS ended January 31
    await w.db.pool.query(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end, requested_date, decision_date, assigned_date)
      values ('91000003C','RC','HOMEWAY','HN','AUTHORIZED','Denied',null,null,null,'2026-09-25','2026-10-01','2026-09-25')`);
    const s = await importExtract(w, 'cs-authorizations', 'cs_authorizations_20270302.csv', ['91000003C,MEALS,HN,RC,AUTHORIZED,Approved,A-900,2027-03-01,2027-08-31,2027-02-20,2027-02-25,2027-03-01,',
      '91000002B,MEALS,HN,RS,AUTHORIZED,Approved,A-901,2027-03-01,2027-05-31,2027-02-20,2027-02-25,2027-03-01,',
      // HOMEWAY's A-100 runs to March 31: still HOMEWAY's
      '91000001A,MEALS,HN,HTN,AUTHORIZED,Approved,A-902,2027-03-01,2027-08-31,2027-02-20,2027-02-25,2027-03-01,'], '2027-03-02T16:00:00Z');
    expect(s).toMatchObject({ rowsImported: 2, rowsRejected: 1 });
    expect(s.rejects.map((r) => [r.row, r.message])).toEqual([[4, expect.stringMatching(/already assigned to provider HOMEWAY/)]]);
    const cs = async (provider: string) => {
      const r = await generate('csasf', { ...onSlotDay('2027-03-15'), provider }, w.deps);
      return (await readRecords(file(provider, r.units[0]!.file!))).CSASF!.map((x) => [x.cin, x.serviceCode, x.authStatus, x.authNumber]);
    };
    expect(await cs('MEALS')).toEqual([['91000002B', 'RS', 'Approved', 'A-901'], ['91000003C', 'RC', 'Approved', 'A-900'], ['91000005E', 'MTM', 'Approved', 'A-200']]);
    const homeway = await cs('HOMEWAY');
    expect(homeway.filter((x) => x[0] === '91000003C' || (x[0] === '91000002B' && x[1] === 'RS'))).toEqual([]);
    expect(homeway).toContainEqual(['91000001A', 'HTN', 'Approved', 'A-100']);
  });
});

describe('a CS re-authorization loaded before the current authorization ends', () => {
  it('the CSASF keeps the authorization in force until the new one starts, so the provider can report the service it delivers under it', async () => {
    // HOMEWAY's 91000001A x HTN: A-100 runs October 1 to March 31; A-101 (April 1 to September 30) is loaded March 6
    expect(await importExtract(w, 'cs-authorizations', 'cs_authorizations_20270306.csv', ['91000001A,HOMEWAY,HN,HTN,AUTHORIZED,Approved,A-101,2027-04-01,2027-09-30,2027-03-01,2027-03-05,2027-03-05,'], '2027-03-06T16:00:00Z')).toMatchObject({ rowsImported: 1 });
    const htn = async (date: string) => {
      const r = await generate('csasf', { date, provider: 'HOMEWAY', now: new Date(`${date}T15:00:00Z`) }, w.deps);
      return (await readRecords(file('HOMEWAY', r.units[0]!.file!))).CSASF!.filter((x) => x.cin === '91000001A' && x.serviceCode === 'HTN')
        .map((x) => [x.authNumber, x.authStatus, x.authStart, x.authEnd]);
    };
    expect(await htn('2027-03-29')).toEqual([['A-100', 'Approved', { date: '2026-10-01' }, { date: '2027-03-31' }]]);
    // March's CSPRTF (April 2) reports the service delivered under A-100
    const done = await answerUpload(w, 'HOMEWAY', 'CSPRTF_HOMEWAY_202703.xlsx', await workbook([[CSPRTF, [csprtfRow({
      engagementStatus: '3', authNumber: 'A-100', serviceStartDate: { date: '2026-10-05' }, outreachDate: null, outreachMethod: null,
      productionDate: { date: '2027-04-02' }, reportingPeriod: '03/2027',
    })]]]), '2027-04-02T17:00:00Z');
    expect(done.document.issues.filter((i) => i.severity === 'error').map((i) => i.code)).toEqual([]);
    expect(await htn('2027-04-15')).toEqual([['A-101', 'Approved', { date: '2027-04-01' }, { date: '2027-09-30' }]]);
  });
});

describe('contact details a provider reported on its RTF', () => {
  it('are on the next MIF even after a members extract that repeats the old ones; a later change in the extract wins', async () => {
    const bravo = (address: string, zip: string, phone: string, homeless: string) =>
      `91000002B,M2,Bravo,Ben,1975-03-05,M,Spanish,${address},Fresno,CA,${zip},${phone},Fresno,${homeless}`;
    await importMembers(w, 'members-20261120.csv', [bravo('2 B St', '93702', '5595551002', 'N')], '2026-11-20T16:00:00Z');
    // ACME's RTF of December 3: Ben Bravo moved, has a new phone and is homeless
    const done = await answerUpload(w, 'ACME', 'RTF_ACME_202611_b.xlsx', await rtf([enrolledRow({
      newAddress: 'Y', address: '9 New Rd', city: 'Fresno', state: 'CA', zip: '93710', newPhone: 'Y', phone: '5595559999', homeless: 'Y',
    })]), '2026-12-03T17:00:00Z');
    expect(done.document.issues.filter((i) => i.severity === 'error').map((i) => i.code)).toEqual([]);
    // the plan's members extract of December 10 still has what it had
    await importMembers(w, 'members-20261210.csv', [bravo('2 B St', '93702', '5595551002', 'N')], '2026-12-10T16:00:00Z');
    const contact = async (date: string) => {
      const r = await generate('mif', { date, provider: 'ACME', now: new Date(`${date}T14:30:00Z`) }, w.deps);
      const recs = await readRecords(file('ACME', r.units.find((u) => u.lob === 'HN')!.file!));
      const m = recs.MIF!.find((x) => x.cin === '91000002B')!;
      return [m.address, m.zip, m.phone, m.homeless];
    };
    expect(await contact('2026-12-15')).toEqual(['9 New Rd', '93710', '5595559999', 'Y']);
    // January: the extract has news of its own (a new address); the phone and homelessness it repeats stay the provider's
    await importMembers(w, 'members-20270110.csv', [bravo('3 Other Ave', '93711', '5595551002', 'N')], '2027-01-10T16:00:00Z');
    expect(await contact('2027-01-15')).toEqual(['3 Other Ave', '93711', '5595559999', 'Y']);
  });
});

describe('a CS pair handed to another provider from the day after the current authorization ends', () => {
  it('stays on the old provider\'s CSASF while its authorization is in force, and is on the new one\'s with its own', async () => {
    // HOMEWAY's 91000001A x HTN: A-101 runs to September 30; MEALS is authorized from October 1 (loaded September 20)
    expect(await importExtract(w, 'cs-authorizations', 'cs_authorizations_20270920.csv', ['91000001A,MEALS,HN,HTN,AUTHORIZED,Approved,A-950,2027-10-01,2028-03-31,2027-09-10,2027-09-15,2027-09-15,'], '2027-09-20T16:00:00Z')).toMatchObject({ rowsImported: 1 });
    const htn = async (provider: string, date: string) => {
      const r = await generate('csasf', { date, provider, now: new Date(`${date}T15:00:00Z`) }, w.deps);
      return (await readRecords(file(provider, r.units[0]!.file!))).CSASF!.filter((x) => x.cin === '91000001A' && x.serviceCode === 'HTN').map((x) => [x.authNumber, x.authStatus]);
    };
    expect(await htn('HOMEWAY', '2027-09-29')).toEqual([['A-101', 'Approved']]);
    expect(await htn('MEALS', '2027-09-29')).toEqual([['A-950', 'Approved']]);
    expect(await htn('HOMEWAY', '2027-10-15')).toEqual([]);
    expect(await htn('MEALS', '2027-10-15')).toEqual([['A-950', 'Approved']]);
  });
});

describe('a member the assignment extract moves to another provider from a later date', () => {
  it('stays on the old provider\'s MIF until that date, then is on the new provider\'s only', async () => {
    // the extract of December 10 gives RIVAL's 91000005E to ACME from January 1
    expect(await importExtract(w, 'ecm-assignments', 'ecm_assignments_20261210.csv', ['91000005E,ACME,HN,1,2027-01-01,,,,,,'], '2026-12-10T16:00:00Z')).toMatchObject({ rowsImported: 1 });
    const hn = async (provider: string, date: string) => {
      const r = await generate('mif', { date, provider, now: new Date(`${date}T14:30:00Z`) }, w.deps);
      return (await readRecords(file(provider, r.units.find((u) => u.lob === 'HN')!.file!))).MIF?.filter((x) => x.cin === '91000005E').map((x) => [x.ecmStatus, x.providerNpi]) ?? [];
    };
    expect(await hn('RIVAL', '2026-12-15')).toEqual([['1', '1987654328']]);
    expect(await hn('RIVAL', '2027-02-15')).toEqual([]);
    expect(await hn('ACME', '2027-02-15')).toEqual([['1', '1234567893']]);
  });
});

describe('a CS re-authorization requested before the current authorization ends, still pending', () => {
  it('the CSASF keeps the approved authorization in force until it ends, then shows the request', async () => {
    // HOMEWAY's 91000004D x RC: A-400 runs to January 31; the re-authorization request (no number yet) is loaded January 20
    expect(await importExtract(w, 'cs-authorizations', 'cs_authorizations_20270120.csv', ['91000004D,HOMEWAY,CV,RC,AUTHORIZED,Pending,,,,2027-01-18,,2027-01-18,'], '2027-01-20T16:00:00Z')).toMatchObject({ rowsImported: 1 });
    const rc = async (date: string) => {
      const r = await generate('csasf', { date, provider: 'HOMEWAY', now: new Date(`${date}T15:00:00Z`) }, w.deps);
      return (await readRecords(file('HOMEWAY', r.units[0]!.file!))).CSASF!.filter((x) => x.cin === '91000004D' && x.serviceCode === 'RC').map((x) => [x.authNumber, x.authStatus]);
    };
    expect(await rc('2027-01-29')).toEqual([['A-400', 'Approved']]);
    expect(await rc('2027-02-15')).toEqual([[null, 'Pending']]);
  });
});

// A member's eligibility ends: the members extract's optional eligibility_end column is the
// member's last eligible day with the plan ([POLICY] in the README). 91000002B (Ben) is enrolled
// with ACME (Health Net) and on HOMEWAY's CSASF; the plan ends his eligibility on 2026-11-30.
// From then on no MIF, mini-MIF or CSASF carries him (no PHI of a member the plan no longer
// covers), the November MIF still did, a December RTF row about him is accepted with the
// warning MEMBER_NOT_ELIGIBLE, and no RTF for a month he is not eligible in owes him. A row with
// a blank eligibility_end re-opens eligibility (re-enrollment); an extract without the column
// leaves the end on file alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { csprtf, csprtfRow, enrolledRow, otf, otfRow, rtf, rtfRow } from '../helpers/provider-files.js';
import { answerUpload, closePlanWorld, importMembers, MEMBERS_HEADER, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const HEADER = `${MEMBERS_HEADER},eligibility_end`;
const ANN = '91000001A,M1,Alpha,Ann,1980-02-14,F,English,1 A St,Fresno,CA,93701,5595551001,Fresno,N';
const BEN = '91000002B,M2,Bravo,Ben,1975-03-05,M,Spanish,2 B St,Fresno,CA,93702,5595551002,Fresno,N';
const DEE = '91000004D,M4,Delta,Dee,1955-07-04,F,Hmong,4 D St,Madera,CA,93637,5595551004,Madera,N';
const GIL = '91000007G,M7,Golf,Gil,1948-08-08,M,English,7 G St,Fresno,CA,93706,5595551007,Fresno,N';
const HANA = '91000008H,M8,Hotel,Hana,1999-09-09,F,English,8 H St,Fresno,CA,93707,5595551008,Fresno,N';
const X = '91000002B';
const DECEMBER = { productionDate: { date: '2027-01-02' }, reportingPeriod: '12/2026' };

let w: PlanWorld;
const ends = async (cins: string[]) =>
  Object.fromEntries((await w.db.pool.query<{ cin: string; e: string | null }>(
    `select cin, to_char(eligibility_end, 'YYYY-MM-DD') as e from members where cin = any($1)`, [cins])).rows.map((r) => [r.cin, r.e]));
/** The CINs on the provider's published files of `kind` for `slot` (and line, when given). */
const sent = async (provider: string, kind: string, slot: string, lob?: string) =>
  (await w.db.pool.query<{ cin: string }>(
    `select r.cin from outbound_files f join outbound_file_rows r on r.outbound_file_id = f.id
      where f.provider_code = $1 and f.kind = $2 and f.slot = $3 and f.status = 'PUBLISHED' and ($4::text is null or f.lob = $4)
      order by r.cin`, [provider, kind, slot, lob ?? null])).rows.map((r) => r.cin);

beforeAll(async () => {
  w = await openPlanWorld('eligibility-end', { csAuthorizations: true });
  // a second enrolled Health Net member of ACME's (Gil), whose end the plan learns late (below)
  await w.db.pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date, enrollment_start, acuity, lcm_name, lcm_phone)
    values ('91000007G', 'HN', 'ACME', 3, '2026-10-01', '2026-10-05', 'Low', 'Pat Lee', '5595552000')`);
  // November goes out while every member is eligible
  await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
  await generate('csasf', onSlotDay('2026-11-15'), w.deps);
});
afterAll(() => closePlanWorld(w));

describe('the members extract\'s eligibility_end', () => {
  it('is stored per member (YYYY-MM-DD or MM/DD/YYYY, blank: eligible); a bad date rejects its row with a plain reason', async () => {
    const s = await importMembers(w, 'members-ends.csv', [`${BEN},2026-11-30`, `${ANN},`, `${DEE},12/31/2026`, `${HANA},2026-02-30`], '2026-11-20T16:00:00Z', HEADER);
    expect(s).toMatchObject({ rowsRead: 4, rowsImported: 3, rowsRejected: 1, ignoredColumns: [] });
    expect(s.rejects).toEqual([{ row: 5, column: 'eligibility_end', message: 'eligibility_end not a real calendar date' }]);
    expect(await ends([X, '91000001A', '91000004D', '91000008H'])).toEqual({ [X]: '2026-11-30', '91000001A': null, '91000004D': '2026-12-31', '91000008H': null });
  });
});

describe('outbound: only members eligible on the slot\'s day', () => {
  it('the November MIF (slot 2026-11-15, before the end) carried X', async () => {
    expect(await sent('ACME', 'MIF', '2026-11-15', 'HN')).toContain(X);
    expect(await sent('HOMEWAY', 'CSASF', '2026-11-15')).toContain(X);
  });

  it('a mini-MIF after the end does not carry X', async () => {
    await w.db.pool.query(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('R-X', $1, 'ACME', 'HN', '2026-12-01')`, [X]);
    await generate('mini-mif', { date: '2026-12-10', now: new Date('2026-12-10T14:30:00Z') }, w.deps);
    expect(await sent('ACME', 'MINIMIF', '2026-12-10')).not.toContain(X);
  });

  it('the December 15 MIF leaves X out; the others stay', async () => {
    await generate('mif', { date: '2026-12-15', now: new Date('2026-12-15T14:30:00Z') }, w.deps);
    const hn = await sent('ACME', 'MIF', '2026-12-15', 'HN');
    expect(hn).not.toContain(X);
    expect(hn).toEqual(expect.arrayContaining(['91000001A', '91000007G']));
    expect(await sent('ACME', 'MIF', '2026-12-15', 'CV')).toEqual(['91000004D']);
  });

  it('the December 15 and 29 CSASFs leave X out; the others stay (Dee, eligible through 12/31, too)', async () => {
    for (const slot of ['2026-12-15', '2026-12-29']) {
      await generate('csasf', onSlotDay(slot), w.deps);
      const cins = await sent('HOMEWAY', 'CSASF', slot);
      expect(cins, slot).not.toContain(X);
      expect(cins, slot).toEqual(expect.arrayContaining(['91000001A', '91000004D']));
    }
  });
});

describe('inbound: rows about a member not eligible for the file\'s reporting period', () => {
  it('ACME\'s November RTF (X eligible in November) has no MEMBER_NOT_ELIGIBLE', async () => {
    const done = await answerUpload(w, 'ACME', 'RTF_ACME_202611.xlsx', await rtf([enrolledRow(), rtfRow()]), '2026-12-03T17:00:00Z');
    expect(done.document.outcome).toMatch(/^ACCEPTED/);
    expect(done.document.issues.filter((i) => i.code === 'MEMBER_NOT_ELIGIBLE')).toEqual([]);
  });

  it('ACME\'s December RTF (received January 2027): X\'s row is accepted with MEMBER_NOT_ELIGIBLE; Gil, ended late, is not owed', async () => {
    // the plan learns after the December MIF that Gil's eligibility ended on 11/30 (a retroactive end)
    const s = await importMembers(w, 'members-retro.csv', [`${GIL},11/30/2026`], '2027-01-02T16:00:00Z', HEADER);
    expect(s, JSON.stringify(s.rejects)).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await sent('ACME', 'MIF', '2026-12-15', 'HN')).toContain('91000007G');

    const done = await answerUpload(w, 'ACME', 'RTF_ACME_202612.xlsx', await rtf([enrolledRow(DECEMBER), rtfRow(DECEMBER)]), '2027-01-04T17:00:00Z');
    expect(done.document.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(done.document.outcome).toMatch(/^ACCEPTED/);
    const warned = done.document.issues.filter((i) => i.code === 'MEMBER_NOT_ELIGIBLE');
    expect(warned.map((i) => [i.row, i.cin, i.severity])).toEqual([[2, X, 'warning']]);
    expect(warned[0]!.message).toMatch(/11\/30\/2026/);
    expect(warned[0]!.message).toMatch(/discontinu/i);
    expect(warned[0]!.message).not.toMatch(/Bravo|Ben|91000002B/);
    // Gil was enrolled on the latest MIF but is not eligible for December: not owed
    expect(done.document.issues.filter((i) => i.code === 'PAST_ENROLLMENT_NOT_REPORTED')).toEqual([]);
  });
});

describe('inbound OTF: an outreach attempt about X after the end', () => {
  it('ACME\'s December OTF (received January 2027) with an attempt for X is accepted with MEMBER_NOT_ELIGIBLE', async () => {
    const done = await answerUpload(w, 'ACME', 'OTF_ACME_202612.xlsx', await otf([
      otfRow({ cin: X, clientName: 'Ben Bravo', attemptDate: { date: '2026-12-05' } }),
      otfRow({ attemptDate: { date: '2026-12-05' } }),
    ]), '2027-01-04T17:30:00Z');
    expect(done.document.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const warned = done.document.issues.filter((i) => i.code === 'MEMBER_NOT_ELIGIBLE');
    expect(warned.map((i) => [i.row, i.cin, i.severity])).toEqual([[2, X, 'warning']]);
    expect(warned[0]!.message).toMatch(/11\/30\/2026/);
    expect(warned[0]!.message).not.toMatch(/Bravo|Ben|91000002B/);
  });
});

describe('inbound CS: the CSASF no longer carries X, yet the provider reports the last services', () => {
  it('HOMEWAY\'s December CSPRTF (received January 2027) with a row for X is accepted with MEMBER_NOT_ELIGIBLE (stop services)', async () => {
    const dec = { productionDate: { date: '2027-01-02' }, reportingPeriod: '12/2026', outreachDate: { date: '2026-12-05' } };
    const done = await answerUpload(w, 'HOMEWAY', 'CSPRTF_HOMEWAY_202612.xlsx', await csprtf([
      csprtfRow({ ...dec, cin: X, lastName: 'Bravo', firstName: 'Ben', serviceCode: 'RS' }),
      csprtfRow(dec),
    ]), '2027-01-04T18:00:00Z');
    expect(done.document.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(done.document.outcome).toMatch(/^ACCEPTED/);
    const warned = done.document.issues.filter((i) => i.code === 'MEMBER_NOT_ELIGIBLE');
    expect(warned.map((i) => [i.row, i.cin])).toEqual([[2, X]]);
    expect(warned[0]!.message).toMatch(/11\/30\/2026/);
    expect(warned[0]!.message).toMatch(/stop services/i);
    expect(warned[0]!.message).not.toMatch(/Bravo|Ben|91000002B/);
  });
});

describe('re-enrollment', () => {
  it('an extract without the column changes no end', async () => {
    const s = await importMembers(w, 'members-old.csv', [BEN, GIL], '2027-01-05T16:00:00Z');
    expect(s, JSON.stringify(s.rejects)).toMatchObject({ rowsImported: 2, rowsRejected: 0 });
    expect(await ends([X, '91000007G'])).toEqual({ [X]: '2026-11-30', '91000007G': '2026-11-30' });
  });

  it('re-importing X with a blank eligibility_end puts X back on the next MIF', async () => {
    const s = await importMembers(w, 'members-back.csv', [`${BEN},`], '2027-01-06T16:00:00Z', HEADER);
    expect(s, JSON.stringify(s.rejects)).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await ends([X, '91000007G'])).toEqual({ [X]: null, '91000007G': '2026-11-30' });
    await generate('mif', { date: '2027-01-15', now: new Date('2027-01-15T14:30:00Z') }, w.deps);
    const hn = await sent('ACME', 'MIF', '2027-01-15', 'HN');
    expect(hn).toContain(X);
    expect(hn).not.toContain('91000007G');
  });
});

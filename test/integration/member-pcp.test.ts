// The member's primary care physician on the MIF and mini-MIF: the members extract's optional
// pcp_name and pcp_npi columns (schemas/upstream.ts) are kept per member and written into the
// MIF layout's "Member PCP Name" and "Member PCP NPI" columns as text cells, where both were
// always blank. Like eligibility_end: an extract without a column leaves what is on file, a
// blank cell clears it, and a bad NPI rejects its row naming the row, the column and the reason,
// never the value. A workbook extract's NPI kept as a number cell is read as its digits.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { importUpstream } from '../../src/import/upstream.js';
import { openpyxlSheets, OPENPYXL, readRecords } from '../helpers/workbook.js';
import { closePlanWorld, importMembers, MEMBERS_HEADER, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const HEADER = `${MEMBERS_HEADER},pcp_name,pcp_npi`;
const ANN = '91000001A,M1,Alpha,Ann,1980-02-14,F,English,1 A St,Fresno,CA,93701,5595551001,Fresno,N';
const BEN = '91000002B,M2,Bravo,Ben,1975-03-05,M,Spanish,2 B St,Fresno,CA,93702,5595551002,Fresno,N';
const GIL = '91000007G,M7,Golf,Gil,1948-08-08,M,English,7 G St,Fresno,CA,93706,5595551007,Fresno,N';
// made-up NPIs with a valid check digit
const NPI_A = '1000000004';
const NPI_B = '1987654328';
const NPI_G = '2000000010';

let w: PlanWorld;
const downloads = (code: string) => path.join(w.sftp.root, code, 'downloads');
const pcps = async (cins: string[]) =>
  Object.fromEntries((await w.db.pool.query<{ cin: string; pcp_name: string | null; pcp_npi: string | null }>(
    'select cin, pcp_name, pcp_npi from members where cin = any($1)', [cins])).rows.map((r) => [r.cin, [r.pcp_name, r.pcp_npi]]));
/** The PCP columns of a MIF workbook's MIF sheet, by CIN. */
const mifPcps = async (file: string) =>
  Object.fromEntries((await readRecords(path.join(downloads('ACME'), file))).MIF!.map((r) => [r.cin, [r.pcpName, r.pcpNpi]]));

beforeAll(async () => {
  w = await openPlanWorld('member-pcp');
});
afterAll(() => closePlanWorld(w));

describe('the members extract\'s pcp_name and pcp_npi on the MIF', () => {
  it('are stored per member and written on the member\'s MIF row, where the PCP columns were always blank', async () => {
    const s = await importMembers(w, 'members-pcp.csv', [`${ANN}, Rosa Diaz MD ,${NPI_A}`, `${BEN},Valley Family Clinic,${NPI_B}`], '2026-11-10T16:00:00Z', HEADER);
    await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z'), provider: 'ACME' }, w.deps);
    expect(await mifPcps('HN_MIF_1234567893_20261115.xlsx')).toEqual({
      '91000001A': ['Rosa Diaz MD', NPI_A],
      '91000002B': ['Valley Family Clinic', NPI_B],
    });
    expect(s, JSON.stringify(s.rejects)).toMatchObject({ rowsRead: 2, rowsImported: 2, rowsRejected: 0, ignoredColumns: [] });
  });

  it('are text cells to another reader (openpyxl): the NPI is kept exact, not a number', () => {
    const sheets = openpyxlSheets<[unknown, string]>(path.join(downloads('ACME'), 'HN_MIF_1234567893_20261115.xlsx'), {
      valuesOnly: false, cell: '[c.value if isinstance(c.value, str) else repr(c.value), c.data_type]',
    });
    const [header, ...rows] = sheets.MIF!;
    const col = (label: string) => header!.findIndex((h) => h[0] === label);
    const ann = rows.find((r) => r[col('Member Client Index Number (CIN)')]![0] === '91000001A')!;
    expect(ann[col('Member PCP Name')]).toEqual(['Rosa Diaz MD', 's']);
    expect(ann[col('Member PCP NPI')]).toEqual([NPI_A, 's']);
  });

  it('an extract without the columns leaves the PCP on file', async () => {
    const s = await importMembers(w, 'members-old.csv', [ANN, BEN], '2026-11-20T16:00:00Z');
    expect(s, JSON.stringify(s.rejects)).toMatchObject({ rowsImported: 2, rowsRejected: 0 });
    expect(await pcps(['91000001A', '91000002B'])).toEqual({
      '91000001A': ['Rosa Diaz MD', NPI_A],
      '91000002B': ['Valley Family Clinic', NPI_B],
    });
  });

  it('the mini-MIF carries them too', async () => {
    const s = await importMembers(w, 'members-gil.csv', [`${GIL},Dr. Lee Park,${NPI_G}`], '2026-12-19T16:00:00Z', HEADER);
    expect(s, JSON.stringify(s.rejects)).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    await w.db.pool.query(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('R-7', '91000007G', 'ACME', 'HN', '2026-12-20')`);
    await w.db.pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) values ('91000007G', 'HN', 'ACME', 1, '2026-12-20')`);
    const r = await generate('mini-mif', { date: '2026-12-25', now: new Date('2026-12-25T14:30:00Z'), provider: 'ACME' }, w.deps);
    expect(r.units.find((u) => u.lob === 'HN')).toMatchObject({ status: 'PUBLISHED', rows: 1 });
    expect(await mifPcps('HN_MINIMIF_1234567893_20261225.xlsx')).toEqual({ '91000007G': ['Dr. Lee Park', NPI_G] });
  });

  it('a blank cell clears what is on file (each column on its own)', async () => {
    const s = await importMembers(w, 'members-clear.csv', [`${ANN},,`, `${BEN},Valley Family Clinic,`], '2026-12-28T16:00:00Z', HEADER);
    expect(s, JSON.stringify(s.rejects)).toMatchObject({ rowsImported: 2, rowsRejected: 0 });
    expect(await pcps(['91000001A', '91000002B'])).toEqual({ '91000001A': [null, null], '91000002B': ['Valley Family Clinic', null] });
    await generate('mif', { date: '2027-01-15', now: new Date('2027-01-15T14:30:00Z'), provider: 'ACME' }, w.deps);
    const mif = await mifPcps('HN_MIF_1234567893_20270115.xlsx');
    expect(mif['91000001A']).toEqual([null, null]);
    expect(mif['91000002B']).toEqual(['Valley Family Clinic', null]);
  });

  it('a bad NPI or an over-long name rejects its row with the row number, the column and the reason, never the value', async () => {
    const long = 'N'.repeat(101);
    const s = await importMembers(w, 'members-bad.csv', [
      `${ANN},Rosa Diaz MD,1234567890`,
      `${BEN},Valley Family Clinic,12345`,
      `${GIL},${long},${NPI_G}`,
    ], '2027-01-20T16:00:00Z', HEADER);
    expect(s).toMatchObject({ rowsRead: 3, rowsImported: 0, rowsRejected: 3 });
    expect(s.rejects).toEqual([
      { row: 2, column: 'pcp_npi', message: 'pcp_npi the NPI check digit is wrong: check for a typo' },
      { row: 3, column: 'pcp_npi', message: 'pcp_npi an NPI is exactly 10 digits' },
      { row: 4, column: 'pcp_name', message: 'pcp_name is longer than 100 characters' },
    ]);
    expect(JSON.stringify(s.rejects)).not.toMatch(/1234567890|12345|NNNN|Rosa|Valley|91000001A|91000002B/);
    // a rejected row changes nothing of the member
    expect(await pcps(['91000001A', '91000002B', '91000007G'])).toEqual({
      '91000001A': [null, null], '91000002B': ['Valley Family Clinic', null], '91000007G': ['Dr. Lee Park', NPI_G],
    });
  });

  it('reads an NPI a workbook keeps as a number cell as its digits', async () => {
    const file = path.join(w.dataDir, 'members-pcp.xlsx');
    execFileSync(OPENPYXL, ['-c', `import sys, openpyxl
wb = openpyxl.Workbook(); ws = wb.active
ws.append(sys.argv[2].split(','))
ws.append(['91000001A','M1','Alpha','Ann','1980-02-14','F','English','1 A St','Fresno','CA','93701','5595551001','Fresno','N','Rosa Diaz MD',${NPI_A}])
wb.save(sys.argv[1])`, file, HEADER]);
    const s = await importUpstream(w.db.pool, 'members', file, { now: new Date('2027-01-21T16:00:00Z') });
    expect(s, JSON.stringify(s.rejects)).toMatchObject({ rowsRead: 1, rowsImported: 1, rowsRejected: 0 });
    expect(await pcps(['91000001A'])).toEqual({ '91000001A': ['Rosa Diaz MD', NPI_A] });
  });
});

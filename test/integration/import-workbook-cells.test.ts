// Upstream extracts saved as workbooks: cells Excel keeps as numbers where the extract means text
// (identifiers) or a date (a serial in a General cell), and columns with no header.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUpstream } from '../../src/import/upstream.js';
import { closePlanWorld, MEMBERS_HEADER, openPlanWorld, PROVIDERS_HEADER, type PlanWorld } from '../helpers/world.js';
import { OPENPYXL } from '../helpers/workbook.js';

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('import-workbook-cells');
});
afterAll(async () => {
  await closePlanWorld(w);
});

const AT = '2026-11-20T17:00:00Z';
const one = async (sql: string, params: unknown[] = []) => (await w.db.pool.query(sql, params)).rows[0];

/**
 * A workbook of `header` and `rows` (Python literals, one list per row); `formats` maps a
 * 1-based column to a number format set on its data cells; `date1904` the workbook's date system.
 */
function workbook(name: string, header: string, rows: string[], opts: { formats?: Record<number, string>; date1904?: boolean; headerCells?: string } = {}): string {
  const file = path.join(w.dataDir, name);
  execFileSync(OPENPYXL, ['-c', `import sys, json, openpyxl
wb = openpyxl.Workbook(); ws = wb.active
${opts.date1904 ? 'wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904' : ''}
ws.append(${opts.headerCells ?? 'sys.argv[2].split(",")'})
for r in [${rows.join(',')}]:
    ws.append(r)
formats = json.loads(sys.argv[3])
for col, fmt in formats.items():
    for row in ws.iter_rows(min_row=2, min_col=int(col), max_col=int(col)):
        for c in row: c.number_format = fmt
wb.save(sys.argv[1])`, file, header, JSON.stringify(opts.formats ?? {})]);
  return file;
}

const imp = (kind: 'members' | 'providers', file: string) => importUpstream(w.db.pool, kind, file, { now: new Date(AT) });

describe('identifiers typed as numbers in a workbook', () => {
  it('reads a ZIP or TIN kept as a number under a "00000" or Text format with its leading zeros, as Excel shows it, where 01234 was stored as 1234', async () => {
    // zip is column 11; the second row's ZIP+4 lost its zero too
    const file = workbook('zip-number.xlsx', MEMBERS_HEADER, [
      "['91000001A','M1','Alpha','Ann','1980-02-14','F','English','1 A St','Hartford','CT',1234,'5595551001','Hartford','N']",
      "['91000002B','M2','Bravo','Ben','1975-03-05','M','Spanish','2 B St','Boston','MA',21081234,'5595551002','Suffolk','N']",
    ], { formats: { 11: '00000' } });
    const s = await imp('members', file);
    expect(s).toMatchObject({ rowsRead: 2, rowsImported: 2, rowsRejected: 0 });
    expect(await one("select zip from members where cin = '91000001A'")).toEqual({ zip: '01234' });
    expect(await one("select zip from members where cin = '91000002B'")).toEqual({ zip: '02108-1234' });

    const providers = workbook('tin-number.xlsx', PROVIDERS_HEADER, [
      "['ACME','1234567893',23456789,'Acme Community Health','HN','ECM','5595550100','ecm@acme.example','liaison@plan.example']",
    ], { formats: { 3: '@' } });
    const p = await imp('providers', providers);
    expect(p).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await one("select tin from providers where provider_code = 'ACME'")).toEqual({ tin: '023456789' });
  });

  it('refuses a row whose free-form identifier (member id) is a number cell, naming the column and no value, where 00042 was stored as 42', async () => {
    const file = workbook('id-number.xlsx', MEMBERS_HEADER, [
      "['91000003C',42,'Charlie','Cy','1990-12-31','X','English','3 C St','Fresno','CA','93703','5595551003','Fresno','N']",
      "['91000004D','M4','Delta','Dee','1955-07-04','F','Hmong','4 D St','Madera','CA','93637','5595551004','Madera','N']",
    ], { formats: { 2: '00000' } });
    const s = await imp('members', file);
    expect(s).toMatchObject({ rowsRead: 2, rowsImported: 1, rowsRejected: 1 });
    expect(s.rejects).toEqual([{ row: 2, column: 'mcp_member_id', code: 'xlsx-number-identifier', message: expect.stringMatching(/mcp_member_id .*number.*Text/) }]);
    expect(JSON.stringify(s.rejects)).not.toMatch(/42|91000003C/);
    expect(await one("select mcp_member_id from members where cin = '91000003C'")).toEqual({ mcp_member_id: 'M3' });
  });
});

describe('dates typed as serial numbers in a workbook', () => {
  it('reads a bare date serial in a General cell of a date column as its date, where the row was refused', async () => {
    // 29265 is 1980-02-14 (1900 system)
    const file = workbook('dob-serial.xlsx', MEMBERS_HEADER, [
      "['91000001A','M1','Alpha','Ann',29265,'F','English','1 A St','Fresno','CA','93701','5595551001','Fresno','N']",
    ]);
    const s = await imp('members', file);
    expect(s).toMatchObject({ rowsRead: 1, rowsImported: 1, rowsRejected: 0 });
    expect(await one("select dob from members where cin = '91000001A'")).toEqual({ dob: '1980-02-14' });
  });

  it('reads it in the 1904 date system when the workbook counts from 1904', async () => {
    // 27803 days after 1904-01-01 is 1980-02-14
    const file = workbook('dob-serial-1904.xlsx', MEMBERS_HEADER, [
      "['91000002B','M2','Bravo','Ben',27803,'M','Spanish','2 B St','Fresno','CA','93702','5595551002','Fresno','N']",
    ], { date1904: true });
    const s = await imp('members', file);
    expect(s).toMatchObject({ rowsRead: 1, rowsImported: 1, rowsRejected: 0 });
    expect(await one("select dob from members where cin = '91000002B'")).toEqual({ dob: '1980-02-14' });
  });
});

describe('a column with no header', () => {
  it('says a column with no header that holds values was not read, naming its letter and no value, where it was dropped silently', async () => {
    // column P (16th) has values and no header; column O (15th) has neither
    const file = workbook('blank-header.xlsx', MEMBERS_HEADER, [
      "['91000005E','M5','Echo','Ed','1966-06-06','M','English','5 E St','Fresno','CA','93704','5595551005','Fresno','N',None,'2026-12-31']",
      "['91000006F','M6','Foxtrot','Fay','2001-01-01','F','English','6 F St','Fresno','CA','93705','5595551006','Fresno','N',None,None]",
    ]);
    const s = await imp('members', file);
    expect(s).toMatchObject({ rowsRead: 2, rowsImported: 2, rowsRejected: 0 });
    expect(s.warnings).toEqual([{ code: 'unnamed-column', column: 'P', message: expect.stringMatching(/column P has no header.*1 row.*not imported/) }]);
    expect(JSON.stringify(s.warnings)).not.toMatch(/2026-12-31/);
  });

  it('says so of a CSV column with no header too, where it was listed as an ignored column with no name', async () => {
    const file = path.join(w.dataDir, 'blank-header.csv');
    (await import('node:fs')).writeFileSync(file, [`${MEMBERS_HEADER},`,
      '91000005E,M5,Echo,Ed,1966-06-06,M,English,5 E St,Fresno,CA,93704,5595551005,Fresno,N,2026-12-31', ''].join('\n'));
    const s = await imp('members', file);
    expect(s).toMatchObject({ rowsRead: 1, rowsImported: 1, rowsRejected: 0, ignoredColumns: [] });
    expect(s.warnings).toEqual([{ code: 'unnamed-column', column: 'O', message: expect.stringMatching(/column O has no header/) }]);
  });
});

describe('a workbook with the extract on two sheets', () => {
  it('refuses the file naming the second sheet, where its rows were silently left out', async () => {
    const file = path.join(w.dataDir, 'two-sheets.xlsx');
    execFileSync(OPENPYXL, ['-c', `import sys, openpyxl
wb = openpyxl.Workbook(); ws = wb.active; ws.title = 'Members 1'
ws.append(sys.argv[2].split(','))
ws.append(['91000007G','M7','Golf','Gil','1948-08-08','M','English','7 G St','Fresno','CA','93706','5595551077','Fresno','N'])
ws2 = wb.create_sheet('Members 2')
ws2.append(sys.argv[2].split(','))
ws2.append(['91000008H','M8','Hotel','Hana','1999-09-09','F','English','8 H St','Fresno','CA','93707','5595551099','Fresno','N'])
wb.save(sys.argv[1])`, file, MEMBERS_HEADER]);
    await expect(imp('members', file)).rejects.toThrow(/"Members 2".*header.*one sheet/);
    // the first sheet's row is not applied either (its new phone)
    expect(await one("select phone from members where cin = '91000007G'")).toEqual({ phone: '5595551007' });
  });
});

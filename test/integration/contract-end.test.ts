// A contract ends: the providers extract's optional contract_end column is the last day it is in
// force ([POLICY] in the README). ACME's Health Net ECM contract ends on 2026-11-30: from then on
// no Health Net MIF or mini-MIF goes to ACME (no member data to an organisation no longer
// contracted for the line), its November RTF (due in December) is still accepted and owed, a
// December RTF's Health Net rows are LOB_NOT_CONTRACTED, and December owes nothing of the line.
// A row with a blank contract_end re-opens the contract (a renewal); an extract without the
// column leaves the end on file alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadlinePolicyFromConfig } from '../../src/calendar/deadlines.js';
import { generate } from '../../src/generate/run.js';
import { EXPECTED_TYPES, findMissingSubmissions } from '../../src/reports/missing.js';
import { owedLines, periodStatus } from '../../src/repositories/status.js';
import { boardRows } from '../../src/web/board.js';
import type { Viewer } from '../../src/web/layout.js';
import { rtf, rtfRow } from '../helpers/provider-files.js';
import { answerUpload, closePlanWorld, importProviders, onSlotDay, openPlanWorld, type PlanWorld, PROVIDERS_HEADER, windowOf } from '../helpers/world.js';

const OPS: Viewer = { userId: 1, email: 'ops@plan.example', role: 'ops', csrf: '' };
const HEADER = `${PROVIDERS_HEADER},contract_end`;
const ACME = 'ACME,1234567893,123456789,Acme Community Health';
const RIVAL = 'RIVAL,1987654328,987654321,Rival Care Partners';
const HOMEWAY = 'HOMEWAY,1558598797,111222333,Homeway Housing';
const MEALS = 'MEALS,1437825213,444555666,Good Meals Co';
const CV_ROW = { mcpId: 'CV', mcpName: 'CalViva Health', cin: '91000004D', lastName: 'Delta', firstName: 'Dee' };
const DECEMBER = { productionDate: { date: '2027-01-02' }, reportingPeriod: '12/2026' };

let w: PlanWorld;
const ends = async (code: string) =>
  Object.fromEntries((await w.db.pool.query<{ k: string; contract_end: string | null }>(
    `select program || '|' || lob as k, to_char(contract_end, 'YYYY-MM-DD') as contract_end from provider_contracts where provider_code = $1`, [code])).rows.map((r) => [r.k, r.contract_end]));
const units = (r: Awaited<ReturnType<typeof generate>>, provider: string) => r.units.filter((u) => u.provider === provider).map((u) => `${u.lob ?? '*'}:${u.status}`).sort();
const owed = async (periodDate: string) => (await owedLines(w.db.pool, periodDate, windowOf(w, periodDate.slice(0, 7)))).map((o) => `${o.provider}|${o.program}|${o.lob}`).sort();

beforeAll(async () => {
  w = await openPlanWorld('contract-end', { csAuthorizations: true });
  // November goes out while every contract is open
  await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
  await generate('csasf', onSlotDay('2026-11-15'), w.deps);
});
afterAll(() => closePlanWorld(w));

describe('the providers extract\'s contract_end', () => {
  it('is stored per contract (YYYY-MM-DD or MM/DD/YYYY, blank: open-ended); a bad date rejects its row with a plain reason', async () => {
    const s = await importProviders(w, 'providers-ends.csv', [
      `${ACME},HN,ECM,5595550100,,,2026-11-30`,
      `${ACME},CV,ECM,5595550100,,,`,
      `${RIVAL},HN,ECM,5595550200,,,11/30/2026`,
      `${HOMEWAY},CV,CS,5595550300,,,11/30/2026`,
      `${MEALS},HN,CS,5595550400,,,2026-02-30`,
      `${MEALS},CV,CS,5595550400,,,next month`,
    ], '2026-11-20T16:00:00Z', HEADER);
    expect(s).toMatchObject({ rowsRead: 6, rowsImported: 4, rowsRejected: 2, ignoredColumns: [] });
    expect(s.rejects).toEqual([
      { row: 6, column: 'contract_end', message: 'contract_end not a real calendar date' },
      { row: 7, column: 'contract_end', message: 'contract_end expected a date as MM/DD/YYYY or YYYY-MM-DD' },
    ]);
    expect(await ends('ACME')).toEqual({ 'ECM|HN': '2026-11-30', 'ECM|CV': null });
    expect(await ends('RIVAL')).toEqual({ 'ECM|HN': '2026-11-30' });
    expect(await ends('HOMEWAY')).toEqual({ 'CS|HN': null, 'CS|CV': '2026-11-30' });
    expect(await ends('MEALS')).toEqual({ 'CS|HN': null });
  });
});

describe('outbound: only contracts in force on the slot\'s day', () => {
  it('the December 15 MIF run publishes no Health Net MIF to ACME; its CalViva MIF still goes', async () => {
    const r = await generate('mif', { date: '2026-12-15', now: new Date('2026-12-15T14:30:00Z') }, w.deps);
    expect(units(r, 'ACME')).toEqual(['CV:PUBLISHED']);
    expect(units(r, 'RIVAL')).toEqual([]);
    const sent = await w.db.pool.query(`select 1 from outbound_files where provider_code = 'ACME' and lob = 'HN' and slot = '2026-12-15'`);
    expect(sent.rowCount).toBe(0);
  });

  it('a mini-MIF for a referral in the ended line is not sent', async () => {
    await w.db.pool.query(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('R-END', '91000007G', 'ACME', 'HN', '2026-12-01')`);
    const r = await generate('mini-mif', { date: '2026-12-10', now: new Date('2026-12-10T14:30:00Z') }, w.deps);
    expect(units(r, 'ACME').filter((u) => u.startsWith('HN'))).toEqual([]);
  });

  it('a CSASF carries only the lines in force: HOMEWAY\'s December files have no CalViva member', async () => {
    const r = await generate('csasf', onSlotDay('2026-12-15'), w.deps);
    expect(units(r, 'HOMEWAY')).toEqual(['*:PUBLISHED']);
    const cins = (await w.db.pool.query<{ cin: string }>(
      `select r.cin from outbound_files f join outbound_file_rows r on r.outbound_file_id = f.id
        where f.provider_code = 'HOMEWAY' and f.kind = 'CSASF' and f.slot = '2026-12-15'`)).rows.map((x) => x.cin);
    expect(cins.length).toBeGreaterThan(0);
    expect(cins).not.toContain('91000004D');
  });
});

describe('inbound: rows for a period after the contract\'s end', () => {
  it('ACME\'s November RTF received December 3 with Health Net rows is accepted', async () => {
    const done = await answerUpload(w, 'ACME', 'RTF_ACME_202611.xlsx', await rtf([rtfRow()]), '2026-12-03T17:00:00Z');
    expect(done.document.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(done.document.outcome).toMatch(/^ACCEPTED/);
  });

  it('a December RTF (received January 2027) has its Health Net rows rejected LOB_NOT_CONTRACTED, its CalViva rows not', async () => {
    const done = await answerUpload(w, 'ACME', 'RTF_ACME_202612.xlsx', await rtf([rtfRow(DECEMBER), rtfRow({ ...CV_ROW, ...DECEMBER })]), '2027-01-04T17:00:00Z');
    const lob = done.document.issues.filter((i) => i.code === 'LOB_NOT_CONTRACTED');
    expect(lob.map((i) => i.row)).toEqual([2]);
    expect(lob[0]!.message).toMatch(/CV/);
    // nor does the ended line owe its enrolled members (91000002B, on the November Health Net MIF)
    expect(done.document.issues.filter((i) => i.code === 'PAST_ENROLLMENT_NOT_REPORTED')).toEqual([]);
  });
});

describe('what is owed for a period: only lines whose contract is in force for it', () => {
  it('November (the last month of the contract) still owes ACME\'s and RIVAL\'s Health Net lines', async () => {
    expect(await owed('2026-11-01')).toEqual(expect.arrayContaining(['ACME|ECM|HN', 'RIVAL|ECM|HN', 'HOMEWAY|CS|CV']));
    const status = await periodStatus(w.db.pool, '2026-11-01', EXPECTED_TYPES, windowOf(w, '2026-11'));
    expect(status.find((s) => s.provider === 'RIVAL' && s.fileType === 'RTF')).toBeDefined();
    const board = (await boardRows(w.db.pool, OPS, '2026-11', {}, w.config.PLAN_TIME_ZONE, new Date('2026-12-06T16:00:00Z'), deadlinePolicyFromConfig(w.config))).rows;
    expect(board.find((r) => r.provider === 'ACME' && r.lob === 'HN' && r.program === 'ECM')?.cells.RTF).toMatchObject({ state: 'on-time' });
  });

  it('December owes neither: not on the board, in status, nor in the digest', async () => {
    const lines = await owed('2026-12-01');
    expect(lines).not.toContain('ACME|ECM|HN');
    expect(lines).not.toContain('RIVAL|ECM|HN');
    expect(lines).not.toContain('HOMEWAY|CS|CV');
    expect(lines).toContain('ACME|ECM|CV');
    const status = await periodStatus(w.db.pool, '2026-12-01', EXPECTED_TYPES, windowOf(w, '2026-12'));
    expect(status.filter((s) => s.provider === 'RIVAL')).toEqual([]);
    expect(status.find((s) => s.provider === 'ACME' && s.fileType === 'RTF')).toBeDefined();
    const board = (await boardRows(w.db.pool, OPS, '2026-12', {}, w.config.PLAN_TIME_ZONE, new Date('2027-01-06T16:00:00Z'), deadlinePolicyFromConfig(w.config))).rows;
    expect(board.filter((r) => r.provider === 'ACME').map((r) => `${r.program}|${r.lob}`)).toEqual(['ECM|CV']);
    expect(board.filter((r) => r.provider === 'RIVAL')).toEqual([]);
    expect(board.filter((r) => r.provider === 'HOMEWAY').map((r) => `${r.program}|${r.lob}`)).toEqual(['CS|HN']);
    const digest = await findMissingSubmissions(w.db.pool, w.config, '2027-01-11');
    expect(digest.find((r) => r.providerCode === 'RIVAL')).toBeUndefined();
    for (const r of digest.filter((x) => x.providerCode === 'ACME')) expect(r.missingLines.filter((l) => l.lob === 'HN')).toEqual([]);
  });
});

describe('renewal', () => {
  it('an extract without the column leaves the end on file alone', async () => {
    const s = await importProviders(w, 'providers-old.csv', [`${ACME},HN,ECM,5595550100,,`], '2027-01-05T16:00:00Z');
    expect(s, JSON.stringify(s.rejects)).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await ends('ACME')).toEqual({ 'ECM|HN': '2026-11-30', 'ECM|CV': null });
  });

  it('re-importing the row with a blank contract_end re-opens the contract: the January MIF goes to ACME again', async () => {
    const s = await importProviders(w, 'providers-renewal.csv', [`${ACME},HN,ECM,5595550100,,,`], '2027-01-06T16:00:00Z', HEADER);
    expect(s, JSON.stringify(s.rejects)).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await ends('ACME')).toEqual({ 'ECM|HN': null, 'ECM|CV': null });
    expect(await owed('2026-12-01')).toContain('ACME|ECM|HN');
    const r = await generate('mif', { date: '2027-01-15', now: new Date('2027-01-15T14:30:00Z') }, w.deps);
    expect(units(r, 'ACME')).toEqual(['CV:PUBLISHED', 'HN:PUBLISHED']);
  });
});

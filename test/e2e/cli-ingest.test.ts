// The CLI as ops staff drive it: generate the MIF, take the provider's filled-in RTF sheet
// back, poll, ingest by hand, survive a kill in the middle of applying, read the status.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RTF } from '../../schemas/index.js';
import { layoutSheet } from '../../src/generate/sheets.js';
import { writeWorkbookToBuffer } from '../../src/xlsx/writer.js';
import { runCli } from '../helpers/cli.js';
import { closeCliWorld, openCliWorld, type CliWorld } from '../helpers/world.js';
import { readRecords, readWithOpenpyxl } from '../helpers/workbook.js';

let world: CliWorld;
let dataDir: string;
let env: Record<string, string>;
const one: CliWorld['one'] = (sql, params) => world.one(sql, params);

beforeAll(async () => {
  world = await openCliWorld('e2e', { SFTP_STABLE_SECONDS: '0' });
  ({ dataDir, env } = world);
});
afterAll(() => closeCliWorld(world));

// An enrolled member's assessment and care plan, done in time: the 30/60/90-day timelines
// warn about a date still blank once its limit has passed (issue 17 finding 8).
const TIMELINE = { assessmentStartedDate: { date: '2026-08-20' }, assessmentCompletedDate: { date: '2026-09-01' }, carePlanDate: { date: '2026-09-10' } };

/** The RTF sheet of a published MIF, filled in the way a provider would before returning it. */
async function filledTemplate(mif: string, fill: Record<string, unknown>): Promise<Buffer> {
  const recs = await readRecords(mif);
  return writeWorkbookToBuffer([layoutSheet(RTF, recs.RTF!.map((r) => ({ ...r, ...(r.startDate ? TIMELINE : {}), ...fill }) as never))]);
}

describe('generate → provider fills the RTF sheet → ingest', () => {
  let mif: string;

  it('generate mif publishes the files and prints a per-provider summary', async () => {
    const r = await runCli(['generate', 'mif', '--date', '2026-11-15', '--now', '2026-11-15T07:00:00-08:00', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json as { slot: string; published: number; units: { provider: string; file: string; status: string }[] };
    expect(doc).toMatchObject({ slot: '2026-11-15', published: 3 });
    mif = path.join(dataDir, 'sftp', 'ACME', 'downloads', doc.units.find((u) => u.provider === 'ACME' && u.file.startsWith('HN_'))!.file);
    expect(fs.existsSync(mif)).toBe(true);
    const again = await runCli(['generate', 'mif', '--date', '2026-11-15', '--now', '2026-11-15T07:00:00-08:00'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 published/);
    expect(again.stdout).toMatch(/ALREADY_DONE/);
  });

  it("the MIF's own RTF sheet, filled in and returned, passes ingestion", async () => {
    const file = path.join(dataDir, 'RTF_ACME_202611.xlsx');
    fs.writeFileSync(file, await filledTemplate(mif, { productionDate: { date: '2026-12-01' }, acuity: 'Low' }));
    const r = await runCli(['ingest', file, '--provider', 'ACME', '--received-at', '2026-12-02T09:00:00-08:00', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ file: 'RTF_ACME_202611.xlsx', outcome: 'ACCEPTED', verdict: 'ON_TIME', period: '2026-11', rowsRead: 2, rowsAccepted: 2, rowsRejected: 0 });
    const report = (r.json as { report: string }).report;
    expect(path.basename(report)).toMatch(/^RTF_ACME_202611_RESPONSE_\d{14}_\d+\.xlsx$/);
    expect(Object.keys(readWithOpenpyxl(report))).toEqual(expect.arrayContaining(['Summary', 'Errors', 'Codes']));
    // the liaisons' email says where the response is: written here, not in the provider's downloads/
    const email = await one(`select body from notifications where kind = 'submission-response' and subject like '%: RTF_ACME_202611.xlsx from ACME'`);
    expect(email.body).toContain(`The response ${path.basename(report)} was written on the plan's side by the ingest command; it is not in the provider's downloads folder.`);
    expect(fs.readdirSync(path.join(dataDir, 'sftp', 'ACME', 'downloads')).filter((f) => f.includes('_RESPONSE_'))).toEqual([]);
  });

  it('killed in the middle of applying: nothing applied; run again: applied exactly once', async () => {
    const file = path.join(dataDir, 'RTF_ACME_202611_v2.xlsx');
    fs.writeFileSync(file, await filledTemplate(mif, { productionDate: { date: '2026-12-03' }, acuity: 'Medium' }));
    const before = await one(`select count(*)::int n from ecm_assignment_changes`);
    const killed = await runCli(['ingest', file, '--provider', 'ACME', '--received-at', '2026-12-04T09:00:00-08:00'], { ...env, CALAIM_FAULT_POINT: 'ingest-mid-apply' });
    expect(killed.code).toBeNull(); // died by SIGKILL
    expect(await one(`select count(*)::int n from submissions where original_name = 'RTF_ACME_202611_v2.xlsx'`)).toEqual({ n: 0 });
    expect(await one(`select count(*)::int n from ecm_assignment_changes`)).toEqual(before);
    expect(await one(`select acuity from ecm_assignments where cin = '91000001A'`)).toEqual({ acuity: 'Low' });
    const again = await runCli(['ingest', file, '--provider', 'ACME', '--received-at', '2026-12-04T09:00:00-08:00', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json).toMatchObject({ outcome: 'ACCEPTED', rowsAccepted: 2 });
    expect(await one(`select count(*)::int n from ecm_assignment_changes`)).toEqual({ n: before.n + 2 });
    expect(await one(`select acuity from ecm_assignments where cin = '91000001A'`)).toEqual({ acuity: 'Medium' });
  });

  it('killed after commit, before the response: the next run answers it without applying it again', async () => {
    const file = path.join(dataDir, 'RTF_ACME_202611_v3.xlsx');
    fs.writeFileSync(file, await filledTemplate(mif, { productionDate: { date: '2026-12-05' }, acuity: 'High' }));
    const killed = await runCli(['ingest', file, '--provider', 'ACME', '--received-at', '2026-12-06T09:00:00-08:00'], { ...env, CALAIM_FAULT_POINT: 'ingest-after-commit' });
    expect(killed.code).toBeNull();
    expect(await one(`select state from submissions where original_name = 'RTF_ACME_202611_v3.xlsx'`)).toEqual({ state: 'APPLIED' });
    // no poll answers a file `ingest` took (it was never in uploads/): ops are told what will
    const { id } = await one(`select id::int id from submissions where original_name = 'RTF_ACME_202611_v3.xlsx'`);
    const asked = await runCli(['reprocess', String(id), '--reason', 'unanswered'], env);
    expect(asked.code, asked.stderr).toBe(2);
    expect(asked.stderr).toMatch(new RegExp(`^error: submission ${id} was taken by \`ingest\` and is not answered yet \\(state APPLIED\\): run \`ingest\` on the same file with --provider ACME again to answer it \\(a poll answers only the files it took\\)`, 'm'));
    const changes = await one(`select count(*)::int n from ecm_assignment_changes`);
    const again = await runCli(['ingest', file, '--provider', 'ACME', '--received-at', '2026-12-06T09:00:00-08:00', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json).toMatchObject({ outcome: 'ACCEPTED', verdict: 'RESUBMISSION' });
    expect(again.json).not.toHaveProperty('duplicateOf');
    expect(await one(`select count(*)::int n, min(state) s from submissions where original_name = 'RTF_ACME_202611_v3.xlsx'`)).toEqual({ n: 1, s: 'RESPONDED' });
    expect(await one(`select count(*)::int n from ecm_assignment_changes`)).toEqual(changes);
  });

  it('poll takes a stable upload, answers it in downloads/ and moves it', async () => {
    const uploads = path.join(dataDir, 'sftp', 'RIVAL', 'uploads');
    fs.mkdirSync(uploads, { recursive: true });
    const rival = path.join(dataDir, 'sftp', 'RIVAL', 'downloads', 'HN_MIF_1987654328_20261115.xlsx');
    const file = path.join(uploads, 'RTF_RIVAL_202611.xlsx');
    fs.writeFileSync(file, await filledTemplate(rival, { productionDate: { date: '2026-12-01' }, acuity: 'Low' }));
    fs.utimesSync(file, new Date('2026-12-03T17:00:00Z'), new Date('2026-12-03T17:00:00Z'));
    const first = await runCli(['poll', '--now', '2026-12-03T17:05:00Z', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json).toMatchObject({ files: 0 });
    const second = await runCli(['poll', '--now', '2026-12-03T17:06:00Z'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/1 file\(s\) taken/);
    expect(second.stdout).toMatch(/RTF_RIVAL_202611\.xlsx\s+ACCEPTED\s+ON_TIME/);
    expect(fs.readdirSync(path.join(dataDir, 'sftp', 'RIVAL', 'downloads')).some((f) => /^RTF_RIVAL_202611_RESPONSE_/.test(f))).toBe(true);
    expect(fs.readdirSync(path.join(uploads, 'processed'))).toHaveLength(1);
    const response = fs.readdirSync(path.join(dataDir, 'sftp', 'RIVAL', 'downloads')).find((f) => /^RTF_RIVAL_202611_RESPONSE_/.test(f))!;
    const email = await one(`select body from notifications where kind = 'submission-response' and subject like '%: RTF_RIVAL_202611.xlsx from RIVAL'`);
    expect(email.body).toContain(`The response ${response} is in the provider's downloads folder.`);
    // where the upload went, on the command line
    const { id } = await one(`select id::int id from submissions where original_name = 'RTF_RIVAL_202611.xlsx'`);
    const moved = fs.readdirSync(path.join(uploads, 'processed'))[0]!;
    const shown = await runCli(['submission', 'show', String(id)], env);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^upload: moved to /RIVAL/uploads/processed/${moved.replace(/\./g, '\\.')} \\(12/03/2026`, 'm'));
    const json = await runCli(['submission', 'show', String(id), '--json'], env);
    expect((json.json as { upload: unknown }).upload).toEqual({ disposition: 'processed', movedTo: `/RIVAL/uploads/processed/${moved}`, movedAt: expect.any(String), quarantineReason: null });
  });

  it('status shows, per provider and file type, what came back and what is missing', async () => {
    const r = await runCli(['status', '--period', '2026-11', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const rows = (r.json as { rows: { provider: string; fileType: string; outcome: string | null; missing: boolean; submissions: number }[] }).rows;
    expect(rows.find((x) => x.provider === 'ACME' && x.fileType === 'RTF')).toMatchObject({ outcome: 'ACCEPTED', missing: false, submissions: 3 });
    expect(rows.find((x) => x.provider === 'ACME' && x.fileType === 'OTF')).toMatchObject({ outcome: null, missing: true });
    // no CSASF was sent to HOMEWAY: it was sent no members to report on, so it owes no CSPRTF
    expect(rows.find((x) => x.provider === 'HOMEWAY' && x.fileType === 'CSPRTF')).toMatchObject({ state: 'NOT_OWED', owed: false, missing: false });
    const human = await runCli(['status', '--period', '2026-11'], env);
    expect(human.stdout).toMatch(/MISSING/);
    expect(human.stdout).toMatch(/not owed \(no members of the line sent for the period\)/);
  });

  it('usage errors exit 2', async () => {
    expect((await runCli(['ingest', 'nope.xlsx', '--provider', 'ACME'], env)).code).toBe(2);
    expect((await runCli(['ingest', mif, '--provider', 'NOBODY'], env)).code).toBe(2);
    expect((await runCli(['status', '--period', '2026-13'], env)).code).toBe(2);
    expect((await runCli(['generate', 'xyz'], env)).code).toBe(2);
  });
});

// Ops putting right what the plan got wrong, from the CLI: a file rejected because a contract
// was loaded late is reprocessed (a new, linked attempt; its response in the provider's
// downloads/, emails sent, the old answer's rows replaced, not added to), and a provider's MIF
// is republished next to the old file, never over it. Both carry a reason into the run history;
// a mistaken request is a usage error that records nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { seedPlan } from '../helpers/plan.js';
import { readRecords } from '../helpers/workbook.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'ingest');
const RTF_V3 = path.join(FIXTURES, 'RTF_ACME_202611_v3.xlsx');
let db: TestDb;
let dataDir: string;
let env: Record<string, string>;
let rejectedId: number;

const count = async (sql: string, params: unknown[] = []) => (await db.pool.query<{ n: number }>(`select count(*)::int as n from (${sql}) x`, params)).rows[0]!.n;
const downloads = (folder: string) => path.join(dataDir, 'sftp', folder, 'downloads');

/** Each command exits 2 with its message and no stack trace, and no run attempt is recorded. */
async function expectUsageErrorsRecordingNothing(cases: [string[], RegExp][]): Promise<void> {
  const before = await count('select 1 from runs');
  for (const [args, message] of cases) {
    const r = await runCli(args, env);
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }
  expect(await count('select 1 from runs')).toBe(before);
}

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  // ACME's CalViva contract has not been loaded yet: its CV row is rejected
  await db.pool.query(`delete from provider_contracts where provider_code = 'ACME' and lob = 'CV'`);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-reprocess-'));
  env = { DATABASE_URL: db.url, DATA_DIR: dataDir, SFTP_STABLE_SECONDS: '0', DEV_SFTP_PORT: '0' };
  const r = await runCli(['ingest', RTF_V3, '--provider', 'ACME', '--received-at', '2026-12-02T09:00:00-08:00', '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  rejectedId = (r.json as { submissionId: number }).submissionId;
});
afterAll(async () => {
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('reprocess', () => {
  it('the same bytes sent again only answer DUPLICATE_FILE: the late contract is not seen', async () => {
    const first = (await runCli(['submission', 'show', String(rejectedId), '--json'], env)).json as { rowsAccepted: number; issues: { code: string }[] };
    expect(first.issues.map((i) => i.code)).toContain('LOB_NOT_CONTRACTED');
    await db.pool.query(`insert into provider_contracts values ('ACME', 'CV', 'ECM')`); // loaded late
    const again = await runCli(['ingest', RTF_V3, '--provider', 'ACME', '--received-at', '2026-12-03T09:00:00-08:00', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json).toMatchObject({ duplicateOf: rejectedId, rowsAccepted: 0 });
  });

  it('mistakes are usage errors that record nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['reprocess', String(rejectedId)], /--reason/],
      [['reprocess', String(rejectedId), '--reason', '   '], /--reason is required/],
      [['reprocess', 'abc', '--reason', 'x'], /submission number/],
      [['reprocess', '999999', '--reason', 'x'], /no submission 999999/],
      [['reprocess', String(rejectedId + 1), '--reason', 'x'], new RegExp(`copy of submission ${rejectedId}`)],
    ];
    await expectUsageErrorsRecordingNothing(cases);
  });

  it('reads the stored file again: a linked attempt, its response in downloads/, emails, the old rows replaced', async () => {
    const old = (await runCli(['submission', 'show', String(rejectedId), '--json'], env)).json as { rowsAccepted: number; verdict: string };
    const r = await runCli(['reprocess', String(rejectedId), '--reason', 'ACME CalViva contract loaded late', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json as { submissionId: number; reprocessOf: number; outcome: string; verdict: string; rowsAccepted: number; report: string; supersedes: { submissionId: number }[]; runId: number };
    expect(doc.reprocessOf).toBe(rejectedId);
    expect(doc.submissionId).toBeGreaterThan(rejectedId);
    // the CV row now counts; the receipt time (and so the verdict) is the original's
    expect(doc.rowsAccepted).toBe(old.rowsAccepted + 1);
    expect(doc.verdict).toBe(old.verdict);
    expect(doc.supersedes).toEqual([expect.objectContaining({ submissionId: rejectedId })]);
    const cv = await db.pool.query(`select status from ecm_assignments where cin = '91000004D' and lob = 'CV' and provider_code = 'ACME'`);
    expect(cv.rows[0]).toMatchObject({ status: 3 });

    // the response is in the provider's downloads/ (the old one too, untouched)
    const files = fs.readdirSync(downloads('ACME'));
    expect(files).toContain(path.posix.basename(doc.report));
    // liaison and provider contact emailed, recorded with the submission
    const shown = (await runCli(['submission', 'show', String(doc.submissionId), '--json'], env)).json as {
      reprocessOf: number; reprocessReason: string; emails: { to: string[] }[]; responsePublishedAt: string | null; state: string;
    };
    expect(shown).toMatchObject({ reprocessOf: rejectedId, reprocessReason: 'ACME CalViva contract loaded late', state: 'RESPONDED' });
    expect(shown.responsePublishedAt).not.toBeNull();
    expect(shown.emails).toEqual([expect.objectContaining({ to: expect.arrayContaining(['liaison@plan.example', 'ops@acme.example']) })]);
    const oldShown = await runCli(['submission', 'show', String(rejectedId)], env);
    expect(oldShown.stdout).toMatch(new RegExp(`answered again by submission ${doc.submissionId}`));

    // never applied twice: one current RTF sheet for ACME's period, the old one replaced
    expect(await count(`select 1 from submission_sheets where provider_code = 'ACME' and layout = 'RTF' and applied and superseded_by is null`)).toBe(1);
    // in the run history with its reason
    const runs = (await runCli(['runs', '--job', 'reprocess', '--json'], env)).json as { id: number; status: string; reason: string; trigger: string; counts: { submission: number } }[];
    expect(runs).toEqual([expect.objectContaining({ id: doc.runId, status: 'SUCCEEDED', trigger: 'manual', reason: 'ACME CalViva contract loaded late' })]);
    expect(runs[0]!.counts.submission).toBe(doc.submissionId);
  });

  it('once reprocessed, the old submission points to the new one; the file is still a duplicate for the provider', async () => {
    const newest = (await db.pool.query<{ id: number }>(`select max(id)::int id from submissions`)).rows[0]!.id;
    const r = await runCli(['reprocess', String(rejectedId), '--reason', 'again'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`already reprocessed as submission ${newest}: reprocess ${newest}`));
    const again = await runCli(['ingest', RTF_V3, '--provider', 'ACME', '--received-at', '2026-12-04T09:00:00-08:00', '--json'], env);
    expect(again.json).toMatchObject({ duplicateOf: rejectedId });
  });
});

describe('republish', () => {
  it('publishes a new version next to the old file, with its reason in the run history', async () => {
    // (both pinned: the slot's day, and five days later, when the new version is produced)
    const gen = await runCli(['generate', 'mif', '--date', '2026-11-15', '--now', '2026-11-15T06:30:00-08:00', '--json'], env);
    expect(gen.code, gen.stderr).toBe(0);
    const acmeHn = (gen.json as { units: { provider: string; lob: string; file: string }[] }).units.find((u) => u.provider === 'ACME' && u.lob === 'HN')!;
    const oldBytes = fs.readFileSync(path.join(downloads('ACME'), acmeHn.file));
    // the plan finds a member it left out
    await db.pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) values ('91000007G', 'HN', 'ACME', 1, '2026-11-02')`);

    const r = await runCli(['republish', 'mif', '--provider', 'acme', '--date', '2026-11-20', '--reason', 'member 7 left out', '--now', '2026-11-20T18:00:00Z', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json as { slot: string; published: number; units: { lob: string; status: string; file: string; replaces: string; rows: number }[] };
    expect(doc.slot).toBe('2026-11-15');
    const hn = doc.units.find((u) => u.lob === 'HN')!;
    expect(hn).toMatchObject({ status: 'PUBLISHED', replaces: acmeHn.file });
    expect(hn.file).toBe(acmeHn.file.replace(/\.xlsx$/, '_2.xlsx'));
    expect(fs.readFileSync(path.join(downloads('ACME'), acmeHn.file)).equals(oldBytes)).toBe(true);
    expect(fs.existsSync(path.join(downloads('ACME'), hn.file))).toBe(true);
    // the new version says the day it was produced (--now's plan-local date), the old one its slot; both are November's
    const dates = async (name: string) => [...new Set((await readRecords(path.join(downloads('ACME'), name))).MIF!.map((x) => `${(x.productionDate as { date: string }).date} ${String(x.reportingPeriod)}`))];
    expect(await dates(acmeHn.file)).toEqual(['2026-11-15 11/2026']);
    expect(await dates(hn.file)).toEqual(['2026-11-20 11/2026']);
    // the new version is what the provider was last sent (the next RTF is checked against it)
    expect(await count(`select 1 from outbound_files f join outbound_file_rows r on r.outbound_file_id = f.id
      where f.provider_code = 'ACME' and f.lob = 'HN' and f.kind = 'MIF' and f.replaced_at is null and r.cin = '91000007G'`)).toBe(1);

    const runs = (await runCli(['runs', '--job', 'republish', '--json'], env)).json as { reason: string; slot: string; published: { file: string }[] }[];
    expect(runs[0]).toMatchObject({ reason: 'member 7 left out', slot: 'mif 2026-11-15 ACME' });
    expect(runs[0]!.published.map((p) => p.file)).toContain(hn.file);
    // the scheduled attempt keeps what it published
    const mifRuns = (await runCli(['runs', '--job', 'mif', '--json'], env)).json as { published: { file: string }[] }[];
    expect(mifRuns.flatMap((x) => x.published.map((p) => p.file))).toContain(acmeHn.file);
    const human = await runCli(['runs', '--job', 'republish'], env);
    expect(human.stdout).toMatch(/reason: member 7 left out/);
  });

  it('mistakes are usage errors that record nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['republish', 'mif', '--provider', 'ACME', '--date', '2026-11-15'], /--reason/],
      [['republish', 'nope', '--provider', 'ACME', '--date', '2026-11-15', '--reason', 'x'], /unknown kind/],
      [['republish', 'mif', '--provider', 'ACME', '--date', '2026-13-45', '--reason', 'x'], /--date/],
      [['republish', 'csasf', '--provider', 'HOMEWAY', '--date', '2026-11-15', '--reason', 'x'], /nothing was published to HOMEWAY/],
      [['republish', 'mif', '--provider', 'NOPE', '--date', '2026-11-15', '--reason', 'x'], /unknown provider NOPE: no such provider code/],
    ];
    await expectUsageErrorsRecordingNothing(cases);
  });
});

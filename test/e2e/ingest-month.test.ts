// The inbound pipeline end to end, driven as ops staff drive it: the CLI generates the
// November MIF and CSASF, providers' files (real .xlsx fixtures under test/fixtures/ingest/)
// land in their upload folders, `poll` takes them when stable, and the database, the response
// workbook, the moved file and the liaison notification are checked. One month, in order.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PollFileResult, PollResult } from '../../src/ingest/poll.js';
import { INGEST_FIXTURES } from '../fixtures/ingest/generate.js';
import { runCli } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { seedCsAuthorizations, seedPlan } from '../helpers/plan.js';
import { readWithOpenpyxl } from '../helpers/workbook.js';

let db: TestDb;
let dataDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  await seedCsAuthorizations(db.pool);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-month-'));
  env = { DATABASE_URL: db.url, DATA_DIR: dataDir, SFTP_STABLE_SECONDS: '0', DEV_SFTP_PORT: '0', CASELOAD_WARN_LIMIT: '1' };
  // What the providers answer: the November MIFs and CSASF.
  for (const kind of ['mif', 'csasf']) {
    const r = await runCli(['generate', kind, '--date', '2026-11-15', '--now', '2026-11-15T07:00:00-08:00', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
  }
});
afterAll(async () => {
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const root = () => path.join(dataDir, 'sftp');
const uploads = (code: string) => path.join(root(), code, 'uploads');
/** The provider's sFTP client drops a file in its uploads/ folder at that time. */
function upload(code: string, name: string, at: string, bytes = fs.readFileSync(path.join(INGEST_FIXTURES, name))): void {
  const file = path.join(uploads(code), name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  const t = new Date(at);
  fs.utimesSync(file, t, t);
}
/** `poll` twice, a minute apart: the file is seen, then taken. */
async function pollAt(at: string): Promise<PollFileResult[]> {
  const t = new Date(at);
  const first = await runCli(['poll', '--now', new Date(t.getTime() - 60_000).toISOString(), '--json'], env);
  expect(first.code, first.stderr).toBe(0);
  const r = await runCli(['poll', '--now', t.toISOString(), '--json'], env);
  expect([0, 1], r.stderr).toContain(r.code);
  return (r.json as PollResult).results;
}
const one = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows[0];
const responseOf = (code: string, r: PollFileResult) => readWithOpenpyxl(path.join(root(), code, 'downloads', path.posix.basename(r.response!)));
const summary = (wb: Record<string, unknown[][]>) => Object.fromEntries((wb.Summary ?? []).slice(1).map((row) => [row[0], row[1]]));

describe('one month of uploads', () => {
  it('a clean RTF on the 3rd: accepted on time, applied, answered, moved, liaison told', async () => {
    upload('ACME', 'RTF_ACME_202611.xlsx', '2026-12-03T18:00:00Z');
    const asWas = (await db.pool.query(`select a.id::int, a::text image from ecm_assignments a where cin in ('91000001A', '91000002B') order by id`)).rows;
    const [r] = await pollAt('2026-12-03T18:10:00Z');
    expect(r).toMatchObject({ provider: 'ACME', file: 'RTF_ACME_202611.xlsx', outcome: 'ACCEPTED', verdict: 'ON_TIME', rowsRead: 2, rowsAccepted: 2, rowsRejected: 0 });
    expect(await one(`select status, acuity from ecm_assignments where cin = '91000001A'`)).toEqual({ status: 2, acuity: 'Low' });
    expect(await one(`select assessment_completed, last_encounter, in_person_count from ecm_assignments where cin = '91000002B'`))
      .toEqual({ assessment_completed: '2026-09-01', last_encounter: '2026-11-20', in_person_count: 1 });
    expect(await one(`select count(*)::int n from ecm_assignment_changes`)).toEqual({ n: 2 });
    // lineage: the assignment as it was (typed) and the provider's row that changed it
    expect(await one(
      `select (c.before).status before_status, (c.before).provider_code before_provider, r.data->>'ecmStatus' row_status
         from ecm_assignment_changes c join ecm_assignments a on a.id = c.assignment_id
         join submission_row_values r on r.sheet_id = c.sheet_id and r.row_number = c.row_number where a.cin = '91000001A'`,
    )).toEqual({ before_status: 1, before_provider: 'ACME', row_status: '2' });
    // ... every column of it, as it was
    expect((await db.pool.query(`select c.assignment_id::int id, (c.before)::text image from ecm_assignment_changes c order by c.assignment_id`)).rows).toEqual(asWas);
    expect(fs.readdirSync(uploads('ACME')).filter((f) => f.endsWith('.xlsx'))).toEqual([]);
    expect(fs.readdirSync(path.join(uploads('ACME'), 'processed'))).toEqual([expect.stringMatching(/^RTF_ACME_202611__\d{8}T\d{6}Z_\d+\.xlsx$/)]);
    const wb = responseOf('ACME', r!);
    expect(summary(wb)).toMatchObject({ Outcome: 'ACCEPTED', 'Rows read': 2, 'Reporting period': '11/2026', 'Deadline verdict': expect.stringMatching(/^ON_TIME/) });
    const s = await one(`select state, verdict, period, received_at from submissions where id = $1`, [r!.submissionId]);
    expect(s).toEqual({ state: 'RESPONDED', verdict: 'ON_TIME', period: '2026-11-01', received_at: new Date('2026-12-03T18:00:00Z') });
    const mail = await one(`select recipients, location from notifications where kind = 'submission-response' order by id desc limit 1`);
    // the liaison and the provider's contact (spec §7: every response posted to downloads/)
    expect(mail.recipients).toEqual(['liaison@plan.example', 'ops@acme.example']);
    const eml = fs.readFileSync(mail.location, 'utf8');
    expect(eml).toContain('Outcome: ACCEPTED');
    expect(eml).not.toContain('Alpha');
  });

  it('an OTF on the 3rd: one row per attempt, a double entry flagged and counted once', async () => {
    upload('ACME', 'OTF_ACME_202611.xlsx', '2026-12-03T19:00:00Z');
    const [r] = await pollAt('2026-12-03T19:10:00Z');
    expect(r).toMatchObject({ outcome: 'ACCEPTED_WITH_WARNINGS', rowsRead: 3, rowsAccepted: 3 });
    // the same attempt (member × date × method) twice is one attempt
    expect(await one(`select count(*)::int n from current_outreach_attempts where provider_code = 'ACME'`)).toEqual({ n: 2 });
  });

  it('mixed rows on the 4th: valid rows applied, each invalid row rejected with its reason, another provider untouched', async () => {
    upload('ACME', 'RTF_ACME_202611_v2.xlsx', '2026-12-04T17:00:00Z');
    const [r] = await pollAt('2026-12-04T17:10:00Z');
    expect(r).toMatchObject({ outcome: 'PARTIALLY_ACCEPTED', verdict: 'ON_TIME', rowsRead: 7, rowsAccepted: 1, rowsRejected: 6 });
    const issues = (await db.pool.query(`select row_number, code, severity from submission_issues where submission_id = $1 order by row_number nulls first, code`, [r!.submissionId])).rows;
    const codes = (row: number | null) => issues.filter((i) => i.row_number === row).map((i) => i.code);
    expect(codes(2)).toEqual(['NAME_MISMATCH']);
    expect(codes(3)).toEqual(['CIN_FORMAT']);
    expect(codes(4)).toEqual(['MEMBER_NOT_ASSIGNED']);
    expect(codes(5)).toEqual(['RTF_ENROLLED_NEEDS_START']);
    // (ACME's own Health Net member under CV: the line is the mistake, not the assignment)
    expect(codes(6)).toEqual(['ECM_LOB_MISMATCH']);
    expect(codes(7)).toEqual(['PROVIDER_NPI_MISMATCH', 'PROVIDER_TIN_MISMATCH']);
    expect(codes(8)).toEqual(['LOB_NOT_CONTRACTED', 'MEMBER_NOT_ASSIGNED']);
    // the enrolled member on the November MIF (91000002B) is missing from this file, but the
    // RTF of the 2nd reported it and that row still counts (corrections merge): no warning
    expect(issues.filter((i) => i.code === 'PAST_ENROLLMENT_NOT_REPORTED')).toEqual([]);
    // RIVAL's member did not change
    expect(await one(`select provider_code, status, discontinuation_date from ecm_assignments where cin = '91000005E'`)).toEqual({ provider_code: 'RIVAL', status: 1, discontinuation_date: null });
    // the response lists the rejected rows with the provider's own cells
    const wb = responseOf('ACME', r!);
    const rejected = wb['Rejected rows']!;
    expect(rejected.slice(1).map((row) => row[1])).toEqual([3, 4, 5, 6, 7, 8]);
    expect((rejected[0] as string[]).at(-1)).toBe('Errors');
    expect(summary(wb)).toMatchObject({ 'Rows accepted': 1, 'Rows rejected': 6 });
    const errors = wb.Errors!.slice(1);
    expect(errors.find((e) => e[6] === 'MEMBER_NOT_ASSIGNED')![4]).toBe('91000005E');
    // a name is PHI: never echoed back as a value
    expect(JSON.stringify(errors)).not.toContain('Anne');
    // the email says until when the rejected rows can still be corrected, without PHI
    const note = await one(`select location from notifications where dedupe_key = 'submission-response:' || $1::text`, [r!.submissionId]);
    // (quoted-printable: its soft line breaks fall wherever the text before them puts them)
    const eml = fs.readFileSync(note.location, 'utf8').replace(/=\r?\n/g, '');
    expect(eml).toMatch(/Corrected rows for 11\/2026 are accepted through 12\/10\/2026/);
    expect(eml).not.toContain('Anne');
  });

  it('a resubmission on the 8th: updates the rows it carries, says what was fixed and what was not sent again, counts nothing twice', async () => {
    upload('ACME', 'RTF_ACME_202611_v3.xlsx', '2026-12-08T17:00:00Z');
    const [r] = await pollAt('2026-12-08T17:10:00Z');
    expect(r).toMatchObject({ outcome: 'PARTIALLY_ACCEPTED', verdict: 'RESUBMISSION', rowsRead: 4, rowsAccepted: 3, rowsRejected: 1 });
    const sub = await one(`select s.id, s.supersedes_id, (select superseded_by from submission_sheets where id = s.supersedes_id) as old_superseded_by
      from submission_sheets s where s.submission_id = $1`, [r!.submissionId]);
    expect(sub.old_superseded_by).toBe(sub.id);
    const wb = responseOf('ACME', r!);
    const sm = summary(wb);
    // the v2 errors of members v3 does not carry are not "fixed": they were not sent again
    expect(sm['Changes since RTF_ACME_202611_v2.xlsx']).toBe('2 error(s) fixed, 1 still failing, 0 new, 5 not sent again (received 12/04/2026 at 9:00 AM PST, submission 3)');
    expect(sm['Rows now counting (RTF HN)']).toMatch(/^2: 2 updated \(replacing 1 from RTF_ACME_202611\.xlsx \(submission \d+\), 1 from RTF_ACME_202611_v2\.xlsx \(submission 3\)\), 0 added, 0 kept from earlier files$/);
    expect(sm['Deadline verdict']).toMatch(/^RESUBMISSION/);
    // every row of the earlier RTFs was updated: none of their sheets counts any more
    expect(await one(`select count(*)::int n from submission_sheets where provider_code = 'ACME' and layout = 'RTF' and superseded_by is null and applied`)).toEqual({ n: 1 });
    expect(await one(`select status, discontinuation_reason from ecm_assignments where cin = '91000001A'`)).toEqual({ status: 4, discontinuation_reason: 'UE' });
    const warnings = (await db.pool.query(`select code from submission_issues where submission_id = $1 and severity = 'warning' order by code`, [r!.submissionId])).rows.map((x) => x.code);
    // UE after 3 attempts over 2 methods in 7 days; 2 enrolled members for Pat Lee with a limit of 1
    expect(warnings).toEqual(['CASELOAD_HIGH', 'UE_OUTREACH_INSUFFICIENT']);
  });

  it('the same bytes again: not applied again, a short response says so', async () => {
    const processed = fs.readdirSync(path.join(uploads('ACME'), 'processed')).find((f) => f.startsWith('RTF_ACME_202611_v3'))!;
    const bytes = fs.readFileSync(path.join(uploads('ACME'), 'processed', processed));
    const before = await one(`select count(*)::int n from ecm_assignment_changes`);
    upload('ACME', 'RTF_ACME_202611_v3_again.xlsx', '2026-12-08T20:00:00Z', bytes);
    const [r] = await pollAt('2026-12-08T20:10:00Z');
    expect(r).toMatchObject({ outcome: 'REJECTED', rowsRead: 0 });
    expect(await one(`select duplicate_of is not null as dup from submissions where id = $1`, [r!.submissionId])).toEqual({ dup: true });
    expect(await one(`select count(*)::int n from ecm_assignment_changes`)).toEqual(before);
    expect((await one(`select recipients from notifications where dedupe_key = 'submission-response:' || $1::text`, [r!.submissionId])).recipients).toContain('ops@acme.example');
    expect(summary(responseOf('ACME', r!))['File error DUPLICATE_FILE']).toMatch(/already received on 12\/08\/2026 at /);
  });

  it('an OTF resubmission updates the attempts it carries instead of adding them again', async () => {
    upload('ACME', 'OTF_ACME_202611_fixed.xlsx', '2026-12-09T17:00:00Z');
    const [r] = await pollAt('2026-12-09T17:10:00Z');
    expect(r).toMatchObject({ outcome: 'ACCEPTED', verdict: 'RESUBMISSION', rowsAccepted: 2 });
    expect(await one(`select count(*)::int n from current_outreach_attempts where provider_code = 'ACME'`)).toEqual({ n: 2 });
    expect(await one(`select count(*)::int n from outreach_attempts where provider_code = 'ACME'`)).toEqual({ n: 5 });
  });

  it('an RTF on the 11th (00:30 Pacific): declined, nothing applied, told when the next window opens', async () => {
    const before = await one(`select status, updated_at from ecm_assignments where cin = '91000002B'`);
    upload('ACME', 'RTF_ACME_202611_late.xlsx', '2026-12-11T08:30:00Z');
    const [r] = await pollAt('2026-12-11T08:40:00Z');
    expect(r).toMatchObject({ outcome: 'REJECTED', verdict: 'DECLINED_LATE', rowsRead: 0 });
    expect(await one(`select status, updated_at from ecm_assignments where cin = '91000002B'`)).toEqual(before);
    const msg = summary(responseOf('ACME', r!))['File error DECLINED_LATE'] as string;
    expect(msg).toMatch(/after the 10th/);
    expect(msg).toMatch(/opens on 01\/01\/2027/);
    // the provider is told too, declined or not (spec §7)
    expect((await one(`select recipients from notifications where dedupe_key = 'submission-response:' || $1::text`, [r!.submissionId])).recipients).toContain('ops@acme.example');
  });

  it("a CSPRTF: rows checked against the provider's latest CSASF and its authorizations", async () => {
    upload('HOMEWAY', 'CSPRTF_HOMEWAY_202611.xlsx', '2026-12-05T17:00:00Z');
    const [r] = await pollAt('2026-12-05T17:10:00Z');
    expect(r).toMatchObject({ outcome: 'PARTIALLY_ACCEPTED', verdict: 'ON_TIME', rowsRead: 6, rowsAccepted: 2, rowsRejected: 4 });
    const issues = (await db.pool.query(`select row_number, code from submission_issues where submission_id = $1 and row_number is not null order by row_number, code`, [r!.submissionId])).rows;
    expect(issues).toEqual([
      { row_number: 3, code: 'DOB_MISMATCH' },
      { row_number: 4, code: 'NOT_ON_CSASF' },
      { row_number: 5, code: 'AUTH_NOT_APPROVED' },
      { row_number: 6, code: 'AUTH_NUMBER_MISMATCH' },
      { row_number: 7, code: 'SERVICE_OUTSIDE_AUTH' },
    ]);
    expect((await db.pool.query(`select cin, service_code, status from cs_engagements order by cin, service_code`)).rows).toEqual([
      { cin: '91000001A', service_code: 'HTN', status: 3 },
      { cin: '91000002B', service_code: 'HD', status: 2 },
    ]);
    // adding a member to a CSPRTF never creates an authorization
    expect(await one(`select count(*)::int n from cs_authorizations where provider_code = 'HOMEWAY'`)).toEqual({ n: 5 });
  });

  it('an RTF and an OTF as two tabs of one workbook: both recognised and applied', async () => {
    upload('RIVAL', 'RTF_OTF_RIVAL_202611.xlsx', '2026-12-02T17:00:00Z');
    const [r] = await pollAt('2026-12-02T17:10:00Z');
    expect(r).toMatchObject({ outcome: 'ACCEPTED', rowsRead: 3, rowsAccepted: 3 });
    expect((await db.pool.query(`select layout, rows_accepted from submission_sheets where submission_id = $1 order by layout`, [r!.submissionId])).rows)
      .toEqual([{ layout: 'OTF', rows_accepted: 2 }, { layout: 'RTF', rows_accepted: 1 }]);
    expect(await one(`select status from ecm_assignments where cin = '91000005E'`)).toEqual({ status: 2 });
    expect(await one(`select count(*)::int n from current_outreach_attempts where provider_code = 'RIVAL'`)).toEqual({ n: 2 });
  });

  it('an unreadable file: rejected with a coded reason and moved to failed/', async () => {
    upload('MEALS', 'CSPRTF_MEALS_202611.xlsx', '2026-12-02T17:00:00Z');
    const [r] = await pollAt('2026-12-02T17:10:00Z');
    expect(r).toMatchObject({ outcome: 'REJECTED', rowsRead: 0 });
    expect(fs.readdirSync(path.join(uploads('MEALS'), 'failed'))).toEqual([expect.stringMatching(/^CSPRTF_MEALS_202611__/)]);
    const sm = summary(responseOf('MEALS', r!));
    expect(Object.keys(sm).some((k) => /^File error FILE_(CSV|WRONG_TYPE|CORRUPT)$/.test(k))).toBe(true);
  });

  it('every file ended with an outcome and a response; accepted + rejected = read', async () => {
    const subs = (await db.pool.query(`select outcome, state, rows_read, rows_accepted, rows_rejected, response_name from submissions`)).rows;
    expect(subs.length).toBeGreaterThanOrEqual(10);
    for (const s of subs) {
      expect(s.outcome).not.toBeNull();
      expect(s.state).toBe('RESPONDED');
      expect(s.rows_accepted + s.rows_rejected).toBe(s.rows_read);
      expect(s.response_name).toMatch(/_RESPONSE_\d{14}_\d+\.xlsx$/);
    }
  });
});


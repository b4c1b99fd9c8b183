// One clock (issue 17): every command that reads the time takes --now, so a replay runs
// generation, ingestion and status on one timeline, whatever the wall clock says. The month
// replayed here (October 2026, answered in November) is in the past, so the wall clock cannot
// stand in for --now: a MIF recorded as published "now" (the wall clock) would come after the
// provider's RTF that answers it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RTF } from '../../schemas/index.js';
import { layoutSheet } from '../../src/generate/sheets.js';
import { writeWorkbookToBuffer } from '../../src/xlsx/writer.js';
import { expectUsageError, OFFLINE_DATABASE_URL, runCli } from '../helpers/cli.js';
import type { TestDb } from '../helpers/db.js';
import { closeCliWorld, openCliWorld, type CliWorld } from '../helpers/world.js';
import { readRecords } from '../helpers/workbook.js';

const USAGE = /^error: --now takes an ISO date-time with zone, e\.g\. 2026-12-05T09:00:00-08:00\n$/;

describe('--now that is not an instant: exit 2, one line, nothing opened', () => {
  let dataDir: string;
  let offline: Record<string, string>;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-clock-usage-'));
    // nothing listens there: a command that got as far as the database would exit 1, not 2
    offline = { DATABASE_URL: OFFLINE_DATABASE_URL, DATA_DIR: dataDir, DEV_SFTP_PORT: '0' };
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    [['status'], 'garbage'],
    [['generate', 'mif'], 'garbage'],
    [['generate', 'mif', '--dry-run'], '2026-12-15'], // a date is not an instant
    [['ingest', 'RTF_ACME_202611.xlsx', '--provider', 'ACME'], '2026-12-02T09:00:00'], // no zone
    [['poll'], '2026-02-30T09:00:00Z'], // not a real date
    [['validate', 'RTF_ACME_202611.xlsx'], 'tomorrow'],
    [['runs'], '1764950400000'],
    [['import', 'providers', 'providers.csv'], 'garbage'],
    [['scheduler', '--once'], '2026-11-17 16:00'],
    [['reprocess', '1', '--reason', 'x'], 'garbage'],
    [['republish', 'mif', '--provider', 'ACME', '--date', '2026-11-15', '--reason', 'x'], 'garbage'],
  ])('%j --now %s', async (args, now) => {
    expectUsageError(await runCli([...args, '--now', now], offline), USAGE);
    expect(fs.readdirSync(dataDir)).toEqual([]); // no sFTP folder, no database, no report
  });

  it('--received-at follows the same rule', async () => {
    const r = await runCli(['ingest', 'RTF_ACME_202611.xlsx', '--provider', 'ACME', '--received-at', '2026-12-02'], offline);
    expectUsageError(r, /^error: --received-at takes an ISO date-time with zone, e\.g\. 2026-12-05T09:00:00-08:00\n$/);
  });
});

describe('one timeline: generate, ingest, status and runs on --now', () => {
  let world: CliWorld;
  let db: TestDb;
  let dataDir: string;
  let env: Record<string, string>;
  const one: CliWorld['one'] = (sql, params) => world.one(sql, params);

  beforeAll(async () => {
    world = await openCliWorld('clock');
    ({ db, dataDir, env } = world);
  });
  afterAll(() => closeCliWorld(world));

  it('status --now: the default period and asOf are those of --now in the plan time zone', async () => {
    const r = await runCli(['status', '--now', '2027-01-03T12:00:00-08:00', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ period: '2026-12', asOf: '2027-01-03' });
    // 23:00 on 2 January in Los Angeles is already the 3rd in UTC: the plan's date counts
    const late = await runCli(['status', '--now', '2027-01-03T07:00:00Z', '--json'], env);
    expect(late.code, late.stderr).toBe(0);
    expect(late.json).toMatchObject({ period: '2026-12', asOf: '2027-01-02' });
    // --period still wins over the clock's
    const given = await runCli(['status', '--period', '2026-11', '--now', '2027-01-03T12:00:00-08:00', '--json'], env);
    expect(given.json).toMatchObject({ period: '2026-11', asOf: '2027-01-03' });
  });

  it('generate --dry-run --now: without --date the slot is that of --now', async () => {
    const out = path.join(dataDir, 'dry');
    const r = await runCli(['generate', 'mif', '--now', '2026-12-15T10:00:00-08:00', '--dry-run', '--out', out, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json as { slot: string; dryRun: boolean; units: { provider: string; status: string; file: string | null }[] };
    expect(doc).toMatchObject({ kind: 'mif', slot: '2026-12-15', dryRun: true });
    const files = doc.units.filter((u) => u.status === 'DRY_RUN').map((u) => u.file!);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f).toMatch(/_20261215/);
    expect(fs.readdirSync(out).sort()).toEqual([...files].sort());
    // a csasf on the 20th belongs to the slot of the 15th
    const cs = await runCli(['generate', 'csasf', '--now', '2026-12-20T10:00:00-08:00', '--dry-run', '--out', out, '--json'], env);
    expect(cs.code, cs.stderr).toBe(0);
    expect(cs.json).toMatchObject({ kind: 'csasf', slot: '2026-12-15' });
    // a mif before the 15th: the month's own is not due yet, so without --date the latest one that is
    const early = await runCli(['generate', 'mif', '--now', '2026-12-03T10:00:00-08:00', '--dry-run', '--out', out, '--json'], env);
    expect(early.code, early.stderr).toBe(0);
    expect(early.json).toMatchObject({ kind: 'mif', slot: '2026-11-15' });
  });

  let mif: string;
  const MIF_AT = '2026-10-15T06:30:00-07:00'; // PDT, as the scheduler fires it

  it('generate --now: the files are recorded as published at --now, and so is their email', async () => {
    const r = await runCli(['generate', 'mif', '--now', MIF_AT, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json as { slot: string; published: number; units: { provider: string; file: string }[] };
    expect(doc).toMatchObject({ slot: '2026-10-15' });
    expect(doc.published).toBeGreaterThan(0);
    mif = path.join(dataDir, 'sftp', 'ACME', 'downloads', doc.units.find((u) => u.provider === 'ACME' && u.file.startsWith('HN_'))!.file);
    const at = new Date(MIF_AT).toISOString();
    const files = (await db.pool.query<{ published_at: Date }>(`select published_at from outbound_files where status = 'PUBLISHED'`)).rows;
    expect(files.length).toBe(doc.published);
    for (const f of files) expect(f.published_at.toISOString()).toBe(at);
    const mails = (await db.pool.query<{ created_at: Date }>(`select created_at from notifications where kind = 'published-mif'`)).rows;
    expect(mails.length).toBeGreaterThan(0);
    for (const m of mails) expect(m.created_at.toISOString()).toBe(at);
  });

  it('ingest --now: received then (period, verdict), answered then, checked against the MIF published before it', async () => {
    const recs = await readRecords(mif);
    // The RTF leaves out an enrolled member of that MIF: the provider is told, which it can be
    // only because the MIF counts as sent before the RTF came in (published at generate's --now).
    const leftOut = '91000002B';
    expect(recs.RTF!.map((x) => x.cin)).toContain(leftOut);
    const filled = recs.RTF!.filter((x) => x.cin !== leftOut).map((x) => ({
      ...x,
      ...(x.startDate ? { assessmentStartedDate: { date: '2026-08-20' }, assessmentCompletedDate: { date: '2026-09-01' }, carePlanDate: { date: '2026-09-10' } } : {}),
      ...(x.endDate ? { discontinuationReasonCode: 'SC' } : {}), // enrollment ended in October: why
      productionDate: { date: '2026-11-01' },
      acuity: 'Low',
    }));
    const file = path.join(dataDir, 'RTF_ACME_202610.xlsx');
    fs.writeFileSync(file, await writeWorkbookToBuffer([layoutSheet(RTF, filled as never)]));
    const r = await runCli(['ingest', file, '--provider', 'ACME', '--now', '2026-11-02T09:00:00-08:00', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json as { outcome: string; verdict: string; period: string; rowsRead: number; rowsAccepted: number; report: string; issues: { code: string; cin?: string }[] };
    expect(doc).toMatchObject({ verdict: 'ON_TIME', period: '2026-10', rowsRejected: 0 });
    expect(doc.rowsRead).toBeGreaterThan(0);
    expect(doc.rowsAccepted).toBe(doc.rowsRead);
    expect(doc.outcome).toMatch(/^ACCEPTED/);
    expect(doc.issues).toContainEqual(expect.objectContaining({ code: 'PAST_ENROLLMENT_NOT_REPORTED', cin: leftOut }));
    expect(path.basename(doc.report)).toMatch(/^RTF_ACME_202610_RESPONSE_20261102090000_\d+\.xlsx$/);
    expect((await one(`select received_at from submissions where original_name = 'RTF_ACME_202610.xlsx'`)).received_at.toISOString()).toBe('2026-11-02T17:00:00.000Z');
    const mail = await one(`select created_at from notifications where kind = 'submission-response'`);
    expect(mail.created_at.toISOString()).toBe('2026-11-02T17:00:00.000Z');
  });

  it('status --now on the same timeline: the RTF is in, as of that day', async () => {
    const r = await runCli(['status', '--now', '2026-11-02T12:00:00-08:00', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json as { period: string; asOf: string; rows: { provider: string; program: string; fileType: string; state: string; lastSent: string | null }[] };
    expect(doc).toMatchObject({ period: '2026-10', asOf: '2026-11-02' });
    expect(doc.rows.find((x) => x.provider === 'ACME' && x.fileType === 'RTF')).toMatchObject({ state: 'ACCEPTED' });
  });

  it('runs --now: an attempt still running has run until --now', async () => {
    await db.pool.query(`insert into runs (job, slot, status, trigger, owner, started_at, heartbeat_at) values ('mif', '2026-12-15', 'RUNNING', 'cron', 'elsewhere:1', $1, $1)`, ['2026-12-15T14:30:00Z']);
    const r = await runCli(['runs', '--job', 'mif', '--now', '2026-12-15T14:32:30Z', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.json as { slot: string; status: string; durationMs: number; finishedAt: string | null }[];
    expect(rows.find((x) => x.slot === '2026-12-15')).toMatchObject({ status: 'RUNNING', finishedAt: null, durationMs: 150_000 });
    const text = await runCli(['runs', '--job', 'mif', '--now', '2026-12-15T14:32:30Z'], env);
    expect(text.stdout).toMatch(/2m30s \(so far\)/);
  });

  it('runs --limit N --before ID: the next page after the last line shown, none twice', async () => {
    await db.pool.query(`insert into runs (job, slot, status, trigger, owner, started_at, finished_at)
      select 'notify', 'page-' || g, 'SUCCEEDED', 'cron', 'test', t, t from generate_series(1, 5) g, lateral (select timestamptz '2026-10-01T00:00:00Z' + make_interval(mins => g) t) x`);
    const all = (await runCli(['runs', '--json', '--limit', '1000'], env)).json as { id: number }[];
    expect(all.length).toBeGreaterThan(5);
    const first = (await runCli(['runs', '--json', '--limit', '2'], env)).json as { id: number }[];
    const next = (await runCli(['runs', '--json', '--limit', '1000', '--before', String(first[1]!.id)], env)).json as { id: number }[];
    expect([...first, ...next].map((x) => x.id)).toEqual(all.map((x) => x.id));
  });
});

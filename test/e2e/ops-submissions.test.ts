// Ops answering "why was this provider's file rejected?" from the CLI, without opening a
// workbook: every submission listed (rejected and declined included), one shown in full, and
// `status` telling a refused file apart from one never sent.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, runCli } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { seedCsAuthorizations, seedPlan } from '../helpers/plan.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'ingest');
let db: TestDb;
let dataDir: string;
let env: Record<string, string>;
const ids: Record<string, number> = {};

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  await seedCsAuthorizations(db.pool);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-ops-'));
  env = { DATABASE_URL: db.url, DATA_DIR: dataDir, SFTP_STABLE_SECONDS: '0', DEV_SFTP_PORT: '0' };
  // the CSASF lists MEALS's member: MEALS owes a CSPRTF for November (a line the plan sent no
  // members of owes nothing)
  const csasf = await runCli(['generate', 'csasf', '--date', '2026-11-15', '--now', '2026-11-15T07:00:00-08:00'], env);
  expect(csasf.code, csasf.stderr).toBe(0);
  const ingest = async (key: string, file: string, provider: string, at: string) => {
    const r = await runCli(['ingest', file, '--provider', provider, '--received-at', at, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    ids[key] = (await db.pool.query<{ id: number }>('select max(id)::int as id from submissions')).rows[0]!.id;
  };
  await ingest('accepted', path.join(FIXTURES, 'RTF_ACME_202611.xlsx'), 'ACME', '2026-12-02T09:00:00-08:00');
  // a CSV renamed .xlsx: rejected whole, no sheet recognised
  const csv = path.join(dataDir, 'OTF_ACME_202611.xlsx');
  fs.writeFileSync(csv, 'Member CIN,Outreach Date\n91000001A,11/03/2026\n');
  await ingest('csv', csv, 'ACME', '2026-12-03T09:00:00-08:00');
  // a CSPRTF on the 12th: declined as late, never read
  await ingest('late', path.join(FIXTURES, 'CSPRTF_HOMEWAY_202611.xlsx'), 'HOMEWAY', '2026-12-12T09:00:00-08:00');
});
afterAll(async () => {
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('submissions', () => {
  it('lists every received file, newest first, rejected and declined ones included', async () => {
    const r = await runCli(['submissions', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.json as { id: number; provider: string; outcome: string; verdict: string | null; types: string[]; file: string }[];
    expect(rows.map((x) => x.id)).toEqual([ids.late, ids.csv, ids.accepted]);
    expect(rows[0]).toMatchObject({ provider: 'HOMEWAY', outcome: 'REJECTED', verdict: 'DECLINED_LATE' });
    expect(rows[1]).toMatchObject({ provider: 'ACME', outcome: 'REJECTED', file: 'OTF_ACME_202611.xlsx' });
    const rejected = await runCli(['submissions', '--outcome', 'rejected', '--provider', 'ACME', '--json'], env);
    expect((rejected.json as { id: number }[]).map((x) => x.id)).toEqual([ids.csv]);
    const declined = await runCli(['submissions', '--verdict', 'DECLINED_LATE'], env);
    expect(declined.code).toBe(0);
    expect(declined.stdout).toMatch(/HOMEWAY .*DECLINED_LATE/);
    const byType = await runCli(['submissions', '--type', 'rtf', '--period', '2026-11', '--json'], env);
    expect((byType.json as { id: number }[]).map((x) => x.id)).toEqual([ids.accepted]);
  });

  it('show: why a file was rejected, in the terminal and as JSON', async () => {
    const r = await runCli(['submission', 'show', String(ids.csv)], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`submission ${ids.csv}: OTF_ACME_202611\\.xlsx from ACME`));
    expect(r.stdout).toMatch(/outcome REJECTED/);
    expect(r.stdout).toMatch(/file error: FILE_/);
    expect(r.stdout).toMatch(/response: OTF_ACME_202611_RESPONSE_/);
    const doc = (await runCli(['submission', 'show', String(ids.accepted), '--json'], env)).json as { sheets: { layout: string; applied: boolean; rowsRead: number }[]; issues: { code: string; count: number }[] };
    expect(doc.sheets).toEqual([expect.objectContaining({ layout: 'RTF', applied: true })]);
    expect(Array.isArray(doc.issues)).toBe(true);
  });

  it('bad input: exit 2 with a plain message', async () => {
    for (const args of [['submission', 'show', 'abc'], ['submission', 'show', '999999'], ['submissions', '--outcome', 'meh'], ['submissions', '--period', '2026-13']]) {
      const r = await runCli(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error: /m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    // a provider code that is not one (mistyped, lower case, blank) is a mistake, not "no
    // submissions match": ops would read it as a provider that sent nothing
    for (const code of ['NOPE', 'acme']) {
      const r = await runCli(['submissions', '--provider', code, '--json'], env);
      expectUsageError(r, new RegExp(`unknown provider ${code}: no such provider code`));
    }
    // (a blank one is refused before the database is opened)
    expectUsageError(await runCli(['submissions', '--provider', '', '--json'], env), /^error: --provider is empty: it takes a provider code$/m);
  });

  it('status counts a rejected or declined file as received but refused, not missing', async () => {
    const r = await runCli(['status', '--period', '2026-11', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const rows = (r.json as { rows: { provider: string; fileType: string; state: string; missing: boolean; rejectedFiles: number; declinedFiles: number }[] }).rows;
    const row = (p: string, t: string) => rows.find((x) => x.provider === p && x.fileType === t);
    expect(row('ACME', 'RTF')).toMatchObject({ state: 'ACCEPTED', missing: false });
    expect(row('ACME', 'OTF')).toMatchObject({ state: 'REJECTED', missing: false, rejectedFiles: 1 });
    expect(row('HOMEWAY', 'CSPRTF')).toMatchObject({ state: 'DECLINED', missing: false, declinedFiles: 1 });
    expect(row('MEALS', 'CSPRTF')).toMatchObject({ state: 'MISSING', missing: true, owed: true });
    const human = await runCli(['status', '--period', '2026-11'], env);
    expect(human.stdout).toMatch(/received but rejected or declined/);
  });

  // The board and the missing-file digest leave an inactive provider out (it is not expected to
  // exchange files); status listed it, MISSING files and all, and counted them as missing.
  it('status leaves inactive providers out, as the board and the digest do; --all lists them, marked, outside the counts', async () => {
    type Doc = { rows: { provider: string; active: boolean; state: string }[]; missing: number; inactiveHidden: number };
    const before = (await runCli(['status', '--period', '2026-11', '--json'], env)).json as Doc;
    expect(before.rows.some((x) => x.provider === 'MEALS' && x.state === 'MISSING')).toBe(true);
    await db.pool.query(`update providers set active = false where provider_code = 'MEALS'`);
    try {
      const r = await runCli(['status', '--period', '2026-11', '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      const doc = r.json as Doc;
      expect(doc.rows.filter((x) => x.provider === 'MEALS')).toEqual([]);
      expect(doc.rows.every((x) => x.active)).toBe(true);
      expect(doc.inactiveHidden).toBe(1);
      const meals = before.rows.filter((x) => x.provider === 'MEALS' && x.state === 'MISSING').length;
      expect(doc.missing).toBe(before.missing - meals);
      const all = (await runCli(['status', '--period', '2026-11', '--all', '--json'], env)).json as Doc;
      expect(all.rows.filter((x) => x.provider === 'MEALS').map((x) => x.active)).toEqual(before.rows.filter((x) => x.provider === 'MEALS').map(() => false));
      expect(all.missing).toBe(doc.missing);
      expect(all.inactiveHidden).toBe(0);
      const human = await runCli(['status', '--period', '2026-11'], env);
      expect(human.stdout).toMatch(/^1 inactive provider not shown \(--all lists it\)$/m);
      expect(human.stdout).not.toMatch(/^MEALS /m);
      const humanAll = await runCli(['status', '--period', '2026-11', '--all'], env);
      expect(humanAll.stdout).toMatch(/^MEALS \(inactive\) /m);
    } finally {
      await db.pool.query(`update providers set active = true where provider_code = 'MEALS'`);
    }
  });
});

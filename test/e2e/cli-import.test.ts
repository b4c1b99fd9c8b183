import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, runCli } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { seedPlan } from '../helpers/plan.js';

const fx = (name: string) => path.join('test', 'fixtures', 'upstream', name);
let db: TestDb;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDb();
  env = { DATABASE_URL: db.url };
});
afterAll(async () => {
  await db.drop();
});

describe('calaim-exchange import / db migrate (CLI)', () => {
  it('db migrate reports an up-to-date database', async () => {
    const r = await runCli(['db', 'migrate', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ applied: [] });
    expect(JSON.stringify(r.json)).not.toContain(new URL(db.url).password || '\u0000never');
  });

  it('imports a good file with exit 0 and a JSON summary', async () => {
    const r = await runCli(['import', 'providers', fx('providers_good.csv'), '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ kind: 'providers', rowsRead: 5, rowsImported: 5, rowsRejected: 0, rejects: [] });
  });

  it('exits 0 with rejected rows listed by row number and reason', async () => {
    const r = await runCli(['import', 'providers', fx('providers_bad.csv')], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/4 row\(s\) read, 1 imported, 3 rejected/);
    expect(r.stdout).toMatch(/3\s+npi\s+.*check digit/);
  });

  it('exits 1 when the file cannot be processed, 2 on a usage error', async () => {
    const missing = await runCli(['import', 'members', fx('providers_good.csv'), '--json'], env);
    expect(missing.code).toBe(1);
    expect((missing.json as { error: string }).error).toMatch(/missing column/);
    const usage = await runCli(['import', 'patients', fx('members_good.csv')], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/unknown kind/);
  });

  // Every member name, CIN and date of birth in the malformed fixtures: none may reach any output.
  const PHI = /Quillfeather|Ines|Zamo|rena|Octavio|Garcia|Vance|Maria|Brightwater|Lena|Nguyen|Thanh|Lopez|Rosa|Smith|9\d{7}[A-Z]|19\d\d-\d\d-\d\d|03\/05\/1975/;

  it('lists a CSV row with a stray quote or text after a closing quote by row number and code, and no value reaches stdout, stderr or the log', async () => {
    const r = await runCli(['import', 'members', fx('members_quotes.csv'), '--json'], { ...env, LOG_LEVEL: 'info' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ rowsRead: 4, rowsImported: 2, rowsRejected: 2 });
    expect((r.json as { rejects: { row: number; code?: string }[] }).rejects.map((x) => [x.row, x.code]))
      .toEqual([[3, 'csv-stray-quote'], [4, 'csv-text-after-quote']]);
    expect(r.stderr).toMatch(/upstream import done/);
    expect(r.stdout).not.toMatch(PHI);
    expect(r.stderr).not.toMatch(PHI);
  });

  it('lists rows cut short or too long by row number in the text output, with no value', async () => {
    const r = await runCli(['import', 'members', fx('members_field_count.csv')], { ...env, LOG_LEVEL: 'info' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/4 row\(s\) read, 2 imported, 2 rejected/);
    expect(r.stdout).toMatch(/3\s+.*5 field\(s\)/);
    expect(r.stdout).toMatch(/4\s+.*15 field\(s\)/);
    expect(r.stdout + r.stderr).not.toMatch(PHI);
  });

  it('exits 1 on a quoted value never closed, naming the row and no value', async () => {
    for (const json of [true, false]) {
      const r = await runCli(['import', 'members', fx('members_unclosed_quote.csv'), ...(json ? ['--json'] : [])], { ...env, LOG_LEVEL: 'info' });
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/row 3/);
      expect(r.stdout + r.stderr).not.toMatch(PHI);
    }
  });

  it('exits 1 with the {kind, file, error} document on a file that cannot be read (a CSV renamed .xlsx): no stack, no value; a folder named .csv is a usage error (exit 2)', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-cli-unreadable-'));
    try {
      const renamed = path.join(tmp, 'members.xlsx');
      fs.copyFileSync(fx('members_quotes.csv'), renamed);
      fs.mkdirSync(path.join(tmp, 'dir.csv'));
      fs.mkdirSync(path.join(tmp, 'dir.xlsx'));
      for (const dir of ['dir.csv', 'dir.xlsx']) {
        const r = await runCli(['import', 'members', path.join(tmp, dir), '--json'], env);
        expectUsageError(r, /is a folder, not a file/);
      }
      for (const [file, error] of [
        [renamed, /could not be read: it is damaged or not a real Excel file/],
      ] as const) {
        const r = await runCli(['import', 'members', file, '--json'], { ...env, LOG_LEVEL: 'info' });
        expect(r.code, `${file}\n${r.stderr}`).toBe(1);
        expect(r.json, file).toEqual({ kind: 'members', file, error: expect.stringMatching(error) });
        expect(r.stderr, file).not.toMatch(/command failed|\n\s+at /);
        expect(r.stdout + r.stderr, file).not.toMatch(PHI);
        const text = await runCli(['import', 'members', file], env);
        expect(text.code, file).toBe(1);
        expect(text.stdout, file).toMatch(/^import failed: /);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('stops with a message naming a bad setting', async () => {
    const r = await runCli(['db', 'migrate'], { ...env, LATE_FIRST_SUBMISSION: 'sometimes' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/LATE_FIRST_SUBMISSION/);
  });

  it('--help explains the command', async () => {
    const r = await runCli(['import', '--help'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/upstream extract/);
  });
});

describe('calaim-exchange import referrals: conflicts (CLI)', () => {
  let plan: TestDb;
  let dataDir: string;
  beforeAll(async () => {
    plan = await createTestDb();
    await seedPlan(plan.pool);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-cli-conflicts-'));
  });
  afterAll(async () => {
    await plan.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists a referral for a member with another provider under conflicts, in --json and in the text output, and applies the rest', async () => {
    const e = { DATABASE_URL: plan.url, DATA_DIR: dataDir };
    const j = await runCli(['import', 'referrals', fx('referrals_conflict.csv'), '--json', '--now', '2026-11-03T16:00:00Z'], e);
    expect(j.code, j.stderr).toBe(0);
    expect(j.json).toMatchObject({
      kind: 'referrals', rowsRead: 2, rowsImported: 1, rowsRejected: 1, disagreements: [],
      conflicts: [{ row: 2, referralId: 'REF-MM-01', cin: '91000005E', lob: 'HN', currentProvider: 'RIVAL', referredProvider: 'ACME' }],
    });
    const t = await runCli(['import', 'referrals', fx('referrals_conflict.csv')], e);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/1 conflict\(s\)/);
    expect(t.stdout).toMatch(/2\s+REF-MM-01\s+91000005E\s+HN\s+RIVAL\s+ACME/);
    // one liaison email for both imports, without the CIN
    const eml = fs.readdirSync(path.join(dataDir, 'outbox'));
    expect(eml).toHaveLength(1);
    expect(fs.readFileSync(path.join(dataDir, 'outbox', eml[0]!), 'utf8')).not.toMatch(/91000005E/);
    expect(t.stderr).not.toMatch(/91000005E/);
  });
});

describe('calaim-exchange import ecm-assignments: a member moved to another line (CLI, LOB_SWITCH)', () => {
  let plan: TestDb;
  let dataDir: string;
  beforeAll(async () => {
    plan = await createTestDb();
    await seedPlan(plan.pool);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-cli-line-switch-'));
  });
  afterAll(async () => {
    await plan.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the assignment ended in the line left under lineSwitches, in --json and in the text output; a re-import lists none', async () => {
    const e = { DATABASE_URL: plan.url, DATA_DIR: dataDir };
    // 91000002B: enrolled with ACME in HN; the extract assigns them in CV (ACME's other line) only
    const file = path.join(dataDir, 'ecm-assignments_cv.csv');
    fs.writeFileSync(file, 'cin,provider_code,lob,status,assigned_date,pof,enrollment_start,enrollment_end,acuity,lcm_name,lcm_phone\n91000002B,ACME,CV,1,2026-12-01,,,,,,\n');
    const j = await runCli(['import', 'ecm-assignments', file, '--json', '--now', '2026-11-20T16:00:00Z'], e);
    expect(j.code, j.stderr).toBe(0);
    expect(j.json).toMatchObject({
      kind: 'ecm-assignments', rowsImported: 1, rowsRejected: 0, conflicts: [], disagreements: [], olderThanReferral: [],
      lineSwitches: [{ row: 2, cin: '91000002B', lineLeft: 'HN', lineJoined: 'CV', provider: 'ACME', lastDay: '2026-11-30' }],
    });
    const t = await runCli(['import', 'ecm-assignments', file], e);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).not.toMatch(/in another line ended/);
    // (the text output of the switch itself: a second member moved)
    fs.writeFileSync(file, 'cin,provider_code,lob,status,assigned_date,pof,enrollment_start,enrollment_end,acuity,lcm_name,lcm_phone\n91000001A,ACME,CV,1,2026-12-01,,,,,,\n');
    const t2 = await runCli(['import', 'ecm-assignments', file], e);
    expect(t2.code, t2.stderr).toBe(0);
    expect(t2.stdout).toMatch(/1 assignment\(s\) in another line ended/);
    expect(t2.stdout).toMatch(/2\s+91000001A\s+HN\s+ACME\s+2026-11-30\s+CV/);
    expect(t2.stderr).not.toMatch(/9100000\dA|9100000\dB/);
  });
});

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

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

// "The runbook's answers run": the README's operations runbook answers four questions (why was
// this file rejected, re-run it now, what did the 15th publish, what happened to this member) with commands; each of its
// command blocks is run here, in order, as ops would type them, against the sample plan with
// the state the runbook says it assumes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, shellWords } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const start = readme.indexOf('## Operations runbook');
const section = readme.slice(start, readme.indexOf('\n## ', start + 5));
const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.trim().split('\n'));


let db: TestDb;
let work: string;
const env = () => ({ DATABASE_URL: db.url, DATA_DIR: path.join(work, '.data'), DEV_SFTP_PORT: '0' });

beforeAll(async () => {
  db = await createTestDb();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-runbook-'));
  fs.symlinkSync(path.join(ROOT, 'samples'), path.join(work, 'samples'));
  const setup = [
    ...['providers', 'members', 'ecm-assignments', 'referrals', 'cs-authorizations'].map((k) => ['import', k, `samples/plan/${k}.csv`]),
    ['generate', 'mif', '--date', '2026-11-15'],
    ['ingest', 'samples/uploads/RTF_CENTRLCM_202611.xlsx', '--provider', 'CENTRLCM', '--received-at', '2026-12-02T09:00:00-08:00'],
  ];
  for (const args of setup) {
    const r = await runCli(args, env(), { cwd: work });
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  }
});
afterAll(async () => {
  await db?.drop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('README operations runbook', () => {
  it('answers the four questions with commands', () => {
    for (const q of ["Why was this provider's file rejected?", 'Re-run it now.', 'What did the 15th publish?', 'What happened to this member?']) expect(section).toContain(q);
    expect(commands.length).toBeGreaterThanOrEqual(6);
    for (const c of commands) expect(c).toMatch(/^npx calaim-exchange /);
  });

  it('every runbook command runs and exits 0, and says what the runbook promises', async () => {
    const out: Record<string, string> = {};
    for (const line of commands) {
      const r = await runCli(shellWords(line.replace(/^npx calaim-exchange /, '')), env(), { cwd: work });
      expect(r.code, `${line}\n${r.stderr}`).toBe(0);
      out[line.split(' ').slice(2, 4).join(' ')] = r.stdout;
    }
    expect(out['submission show']).toMatch(/submission 1: RTF_CENTRLCM_202611\.xlsx from CENTRLCM/);
    expect(out['reprocess 1']).toMatch(/submission 1 reprocessed as submission 2/);
    expect(out['republish mif']).toMatch(/CENTRLCM .*PUBLISHED .*_2\.xlsx/);
    expect(out['runs --job']).toBeDefined();
    expect(out['member show']).toMatch(/^member 98907528N: Sanchez, Andre/m);
    expect(out['member show']).toMatch(/^ECM HN: CENTRLCM from /m);
  });
});

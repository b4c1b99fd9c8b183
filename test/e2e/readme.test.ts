// "Every command in the README runs": the CLI examples block, in order, against a fresh
// database and data folder, as a new user would type them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const block = readme.slice(readme.indexOf('Examples (they run as written'));
const commands = block.slice(block.indexOf('```sh') + 5, block.indexOf('```', block.indexOf('```sh') + 5)).trim().split('\n');

let db: TestDb;
let work: string;
beforeAll(async () => {
  db = await createTestDb();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-readme-'));
});
afterAll(async () => {
  await db.drop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('README examples', () => {
  it('has the examples block', () => {
    expect(commands.length).toBeGreaterThan(10);
    for (const c of commands) expect(c).toMatch(/^npx calaim-exchange /);
  });

  // one test per example, in order (each builds on the ones before): a slow machine gives each
  // command its own time, not the whole block one budget
  for (const line of commands) {
    it(`runs: ${line}`, async () => {
      const args = line.replace(/^npx calaim-exchange /, '').split(/\s+/);
      const r = await runCli(args, { DATABASE_URL: db.url, DATA_DIR: path.join(work, '.data'), DEV_SFTP_PORT: '0' });
      const expected = args[0] === 'validate' ? 1 : 0;
      expect(r.code, `${line}\n${r.stderr}`).toBe(expected);
    });
  }
});

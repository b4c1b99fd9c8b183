// The security properties as ops staff meet them through the CLI: hostile files given to
// `ingest` end in coded rejections (or text-only responses), a hostile local file name gives a
// safe response name; a poll that cannot reach the database retries, fails clearly, leaves the
// upload where it is, and the next poll against a reachable database takes it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appliedState, HOSTILE, readTyped } from '../fixtures/hostile/support.js';
import { runCli } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { seedPlan } from '../helpers/plan.js';
import { rtf, rtfRow } from '../helpers/provider-files.js';
import { freePort } from '../../src/net.js';

let db: TestDb;
let dataDir: string;
let env: Record<string, string>;
const RECEIVED = '2026-12-03T09:00:00-08:00';
const one = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows[0];

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calx-sec-cli-'));
  env = { DATABASE_URL: db.url, DATA_DIR: dataDir, SFTP_STABLE_SECONDS: '0', DEV_SFTP_PORT: '0' };
});
afterAll(async () => {
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Doc { outcome: string; fileErrors: { code: string }[]; rowsAccepted: number; rowsRejected: number; report: string }

describe('calaim-exchange ingest with hostile files', () => {
  const ingest = (file: string, out: string) => runCli(['ingest', file, '--provider', 'ACME', '--received-at', RECEIVED, '--out', out, '--json'], env);

  for (const [name, code] of [
    ['bomb-deflated-whitespace.xlsx', 'FILE_ZIP_BOMB'],
    ['xxe-worksheet.xlsx', 'FILE_XML_ENTITIES'],
    ['zip-path-traversal.xlsx', 'FILE_UNSAFE_ZIP'],
    ['empty-0-bytes.xlsx', 'FILE_EMPTY'],
  ] as const) {
    it(`${name}: exit 0, REJECTED with ${code}, nothing applied`, async () => {
      const before = await appliedState(db.pool);
      const out = path.join(dataDir, 'out', name);
      const r = await ingest(path.join(HOSTILE, name), out);
      expect(r.code, r.stderr).toBe(0);
      const doc = r.json as Doc;
      expect(doc).toMatchObject({ outcome: 'REJECTED', rowsAccepted: 0, fileErrors: [{ code }] });
      expect(await appliedState(db.pool)).toEqual(before);
      expect(path.dirname(doc.report)).toBe(out);
      expect(readTyped(doc.report).Summary!.flat().map((c) => c[0])).toContain(`File error ${code}`);
    });
  }

  it('formulas and DDE payloads: partially accepted; the report holds them as text cells, no formula anywhere', async () => {
    const out = path.join(dataDir, 'out', 'formulas');
    const r = await ingest(path.join(HOSTILE, 'formulas-dde.xlsx'), out);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json as Doc;
    expect(doc).toMatchObject({ outcome: 'PARTIALLY_ACCEPTED', rowsAccepted: 1, rowsRejected: 4 });
    const typed = readTyped(doc.report);
    const cells = Object.values(typed).flat(2) as unknown as [unknown, string | null][];
    expect(cells.filter(([, t]) => t === 'f')).toEqual([]);
    const rejected = typed['Rejected rows']!;
    expect(rejected.flat().filter(([v]) => v === "=cmd|' /C calc'!A0")).toEqual([["=cmd|' /C calc'!A0", 's']]);
  });

  it('a local file named with spaces, unicode and ~200 characters: the report name is plain and inside --out', async () => {
    const dir = path.join(dataDir, 'in');
    fs.mkdirSync(dir, { recursive: true });
    const hostile = `RTF ACME ñandú — 2026 ${'ü'.repeat(60)} $(touch pwned) ; rm -rf x & ${'x'.repeat(60)}.xlsx`;
    expect(Buffer.byteLength(hostile)).toBeLessThanOrEqual(255);
    const file = path.join(dir, hostile);
    fs.copyFileSync(path.join(HOSTILE, 'valid-for-hostile-names.xlsx'), file);
    const out = path.join(dataDir, 'out', 'names');
    const r = await ingest(file, out);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json as Doc & { file: string };
    expect(doc.file).toBe(hostile);
    expect(doc.outcome).toBe('ACCEPTED');
    const base = path.basename(doc.report);
    expect(path.dirname(doc.report)).toBe(out);
    expect(base).toMatch(/^[A-Za-z0-9._-]+_RESPONSE_\d{14}_\d+\.xlsx$/);
    expect(base.length).toBeLessThanOrEqual(160);
    expect(fs.readdirSync(out)).toEqual([base]);
    expect(fs.existsSync(path.join(dir, 'pwned'))).toBe(false);
    expect(fs.existsSync(path.join(process.cwd(), 'pwned'))).toBe(false);
  });
});

describe('the database is unavailable when a poll starts', () => {
  // a port nothing listens on once freed
  const closedPort = freePort;


  it('retries, fails with a clear message (no password shown), leaves the upload untouched; the next poll takes it', async () => {
    const uploads = path.join(dataDir, 'sftp', 'ACME', 'uploads');
    fs.mkdirSync(uploads, { recursive: true });
    const bytes = await rtf([rtfRow()]);
    const file = path.join(uploads, 'RTF_ACME_202611.xlsx');
    fs.writeFileSync(file, bytes);
    const mtime = new Date('2026-12-03T17:00:00Z');
    fs.utimesSync(file, mtime, mtime);
    const down = `postgres://calaim:s3cret-pw@127.0.0.1:${await closedPort()}/calaim`;

    const failed = await runCli(['poll', '--now', '2026-12-03T17:05:00Z'], { ...env, DATABASE_URL: down, DB_CONNECT_RETRIES: '1' });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/database not reachable, retrying/);
    expect(failed.stderr).toMatch(/error: database unavailable after 2 attempts: .*ECONNREFUSED/);
    expect(failed.stderr).not.toContain('s3cret-pw');
    expect(failed.stdout).not.toContain('s3cret-pw');
    // the upload is exactly as it was: same bytes, same mtime, not moved
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.statSync(file).mtime.toISOString()).toBe(mtime.toISOString());
    expect(fs.readdirSync(uploads)).toEqual(['RTF_ACME_202611.xlsx']);
    expect(await one(`select count(*)::int n from submissions where original_name = 'RTF_ACME_202611.xlsx'`)).toEqual({ n: 0 });

    // the database is back: the next polls see the file, then take it
    const first = await runCli(['poll', '--now', '2026-12-03T17:06:00Z', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    const second = await runCli(['poll', '--now', '2026-12-03T17:07:00Z', '--json'], env);
    expect(second.code, second.stderr).toBe(0);
    const taken = [first.json, second.json].flatMap((j) => (j as { results: { file: string; outcome: string }[] }).results);
    expect(taken).toEqual([expect.objectContaining({ file: 'RTF_ACME_202611.xlsx', outcome: 'ACCEPTED' })]);
    expect(await one(`select count(*)::int n, min(state) s from submissions where original_name = 'RTF_ACME_202611.xlsx'`)).toEqual({ n: 1, s: 'RESPONDED' });
    expect(fs.readdirSync(uploads).filter((n) => n.endsWith('.xlsx'))).toEqual([]);
    expect(await one(`select status from runs where job = 'poll' order by id desc limit 1`)).toEqual({ status: 'SUCCEEDED' });
  });
});

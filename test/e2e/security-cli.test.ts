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

// A provider chooses the names of its uploads: one carrying ESC [2J ESC [31m ... cleared ops'
// terminal and painted "FAKE_ACCEPTED" in red when `poll` or `submissions` printed it, and a
// newline in a name broke the tables. The text output shows them as escapes; --json keeps the
// exact name (JSON escapes it).
describe('upload names that are terminal escapes', () => {
  const ESCAPES = 'RTF_\u001b[2J\u001b[31mFAKE_ACCEPTED\u001b[0m.xlsx';
  const NEWLINE = 'RTF_ACME\n999  FAKE  ACCEPTED.xlsx';
  // eslint-disable-next-line no-control-regex
  const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

  it('poll, submissions and submission show print them visibly, never raw; --json has them exactly', async () => {
    const uploads = path.join(dataDir, 'sftp', 'HOMEWAY', 'uploads');
    fs.mkdirSync(uploads, { recursive: true });
    const mtime = new Date('2026-12-03T18:00:00Z');
    for (const [name, cin] of [[ESCAPES, undefined], [NEWLINE, 'BAD0000001']] as const) {
      fs.writeFileSync(path.join(uploads, name), await rtf([rtfRow(cin ? { cin } : {})]));
      fs.utimesSync(path.join(uploads, name), mtime, mtime);
    }
    const seen = await runCli(['poll', '--provider', 'HOMEWAY', '--now', '2026-12-03T18:05:00Z'], env);
    expect(seen.code, seen.stderr).toBe(0);
    const poll = await runCli(['poll', '--provider', 'HOMEWAY', '--now', '2026-12-03T18:06:00Z'], env);
    expect(poll.stdout).toMatch(/2 file\(s\) taken/);
    expect(poll.stdout).not.toMatch(RAW_CONTROL);
    expect(poll.stdout).toContain('RTF_\\x1b[2J\\x1b[31mFAKE_ACCEPTED\\x1b[0m.xlsx');
    expect(poll.stdout).toContain('RTF_ACME\\n999  FAKE  ACCEPTED.xlsx');

    const list = await runCli(['submissions', '--provider', 'HOMEWAY'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).not.toMatch(RAW_CONTROL);
    const lines = list.stdout.trimEnd().split('\n');
    const rows = lines.slice(2);
    // a header, a rule, and one line per submission: the newline did not make a row of its own
    expect(rows.map((l) => /^\d+\s+HOMEWAY\s/.test(l))).toEqual(rows.map(() => true));
    expect(list.stdout).toContain('RTF_\\x1b[2J\\x1b[31mFAKE_ACCEPTED\\x1b[0m.xlsx');
    expect(list.stdout).toContain('RTF_ACME\\n999  FAKE  ACCEPTED.xlsx');

    const json = await runCli(['submissions', '--provider', 'HOMEWAY', '--json'], env);
    const docs = json.json as { id: number; file: string }[];
    expect(docs.map((d) => d.file).sort()).toEqual([NEWLINE, ESCAPES].sort());
    expect(json.stdout).toContain('RTF_\\u001b[2J\\u001b[31mFAKE_ACCEPTED\\u001b[0m.xlsx');

    for (const d of docs) {
      const show = await runCli(['submission', 'show', String(d.id)], env);
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).not.toMatch(RAW_CONTROL);
      expect(show.stdout.split('\n')[0]).toBe(`submission ${d.id}: ${d.file === ESCAPES ? 'RTF_\\x1b[2J\\x1b[31mFAKE_ACCEPTED\\x1b[0m.xlsx' : 'RTF_ACME\\n999  FAKE  ACCEPTED.xlsx'} from HOMEWAY`);
    }
  });
});

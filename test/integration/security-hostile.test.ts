// Every file of the hostile corpus (test/fixtures/hostile/) through the real inbound pipeline
// (ingestFile: guards → reader → validation → context rules → apply → response, one
// transaction, real Postgres). Each file must end in a coded rejection or a correct partial
// acceptance, within a time bound, with nothing of a rejected row applied, and a response a
// provider can open in which no cell is a formula.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { ingestFile, type Ingested } from '../../src/ingest/pipeline.js';
import { respondLocally } from '../../src/ingest/respond.js';
import { buildCorpus } from '../fixtures/hostile/generate.js';
import { appliedState, HOSTILE, memberState, parseEml, readTyped, workbookXml, type TypedCell } from '../fixtures/hostile/support.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { seedPlan } from '../helpers/plan.js';

let db: TestDb;
let dataDir: string;
let config: Config;

/** Received on the 3rd: on time for the November period, so only the file itself decides. */
const RECEIVED = new Date('2026-12-03T18:00:00Z');
/**
 * CPU time of this process, not wall time: a busy machine slows the clock on the wall but not the
 * work done, and a hang or an unbounded parse would blow far past it either way.
 */
const BOUND_CPU_MS = 10_000;

type Expectation =
  | { reject: string | string[]; config?: Record<string, string> }
  | { partial: { rows: Record<number, string[]>; rejectedCins: string[] }; config?: Record<string, string> };

/** Accepted row in every partial file: ACME's member 91000001A. */
const ACCEPTED_CIN = '91000001A';

const EXPECT: Record<string, Expectation> = {
  'bomb-deflated-whitespace.xlsx': { reject: 'FILE_ZIP_BOMB' },
  'bomb-declared-4gb.xlsx': { reject: 'FILE_ZIP_BOMB' },
  'rows-claim-1m.xlsx': { partial: { rows: { 1_048_576: ['CIN_FORMAT'] }, rejectedCins: ['91000002B'] } },
  'rows-over-limit.xlsx': { reject: 'FILE_TOO_MANY_ROWS', config: { MAX_ROWS: '100' } },
  'columns-5000.xlsx': { reject: 'FILE_TOO_MANY_COLUMNS' },
  'cell-32767-chars.xlsx': { partial: { rows: { 3: ['TEXT_TOO_LONG'] }, rejectedCins: ['91000002B'] } },
  'control-chars.xlsx': { partial: { rows: { 3: ['TEXT_CONTROL_CHARS'], 4: ['TEXT_CONTROL_CHARS'], 5: ['CIN_FORMAT'] }, rejectedCins: ['91000002B', '91000006F', '91000004D'] } },
  'control-chars-raw-nul.xlsx': { reject: 'FILE_CORRUPT' },
  'formulas-dde.xlsx': {
    partial: {
      rows: {
        3: ['CODE_UNKNOWN', 'MEMBER_NOT_ASSIGNED'],
        4: ['CIN_FORMAT', 'CODE_UNKNOWN', 'EMAIL_FORMAT'],
        5: ['CELL_ERROR', 'CODE_UNKNOWN'],
        6: ['INT_FORMAT'],
      },
      rejectedCins: ['91000005E', '91000002B', '91000006F'],
    },
  },
  'xxe-worksheet.xlsx': { reject: 'FILE_XML_ENTITIES' },
  'xxe-billion-laughs-sharedstrings.xlsx': { reject: 'FILE_XML_ENTITIES' },
  // The DTD sits in a part the guard does not scan by name; the XML parser never expands it.
  'xxe-odd-part-name.xlsx': { reject: ['FILE_XML_ENTITIES', 'FILE_CORRUPT'] },
  'zip-path-traversal.xlsx': { reject: 'FILE_UNSAFE_ZIP' },
  'zip-duplicate-entries.xlsx': { reject: 'FILE_UNSAFE_ZIP' },
  'encrypted-workbook.xlsx': { reject: 'FILE_ENCRYPTED' },
  'legacy-biff8.xls': { reject: 'FILE_XLS_LEGACY' },
  'empty-0-bytes.xlsx': { reject: 'FILE_EMPTY' },
  'csv-renamed.xlsx': { reject: 'FILE_CSV' },
  'cin-idcard-number.xlsx': { partial: { rows: { 3: ['CIN_IDCARD_NUMBER'] }, rejectedCins: ['91000002B'] } },
  'impossible-dates.xlsx': {
    partial: { rows: { 3: ['DATE_FORMAT'], 4: ['DATE_FORMAT'], 5: ['DATE_FORMAT'], 6: ['DATE_FORMAT'] }, rejectedCins: ['91000002B', '91000006F', '91000004D', '91000003C'] },
  },
  'huge-numbers.xlsx': { partial: { rows: { 3: ['INT_TOO_LARGE'], 4: ['INT_TOO_LARGE'] }, rejectedCins: ['91000002B', '91000006F'] } },
  'valid-for-hostile-names.xlsx': { partial: { rows: {}, rejectedCins: [] } },
};

const corpusFiles = () => fs.readdirSync(HOSTILE).filter((f) => !/\.(ts|md)$/.test(f)).sort();
const responses = new Map<string, { file: string; typed: Record<string, TypedCell[][]>; bytes: Buffer; done: Ingested }>();

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calx-hostile-'));
  config = loadConfig({ DATA_DIR: dataDir });
});
afterAll(async () => {
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the hostile corpus', () => {
  it('is exactly what generate.ts builds (deterministic, committed) and small on disk', () => {
    const built = buildCorpus();
    expect(corpusFiles()).toEqual([...built.keys()].sort());
    expect(Object.keys(EXPECT).sort()).toEqual(corpusFiles());
    let total = 0;
    for (const [name, bytes] of built) {
      const committed = fs.readFileSync(path.join(HOSTILE, name));
      expect(committed.equals(bytes), `${name} differs from generate.ts output: run npx tsx test/fixtures/hostile/generate.ts`).toBe(true);
      total += bytes.length;
    }
    expect(total).toBeLessThan(300_000);
    // the bomb is small on disk
    expect(fs.statSync(path.join(HOSTILE, 'bomb-deflated-whitespace.xlsx')).size).toBeLessThan(64 * 1024);
  });
});

describe('every hostile file through ingest: coded rejection or correct partial acceptance', () => {
  for (const name of Object.keys(EXPECT).sort()) {
    const exp = EXPECT[name]!;
    it(name, async () => {
      const bytes = fs.readFileSync(path.join(HOSTILE, name));
      const cfg = exp.config ? loadConfig({ DATA_DIR: dataDir, ...exp.config }) : config;
      const before = await appliedState(db.pool);
      const watched = 'reject' in exp ? [] : [...exp.partial.rejectedCins];
      const beforeMembers = await Promise.all(watched.map((c) => memberState(db.pool, c)));

      const cpu0 = process.cpuUsage();
      const done = await ingestFile({ pool: db.pool, config: cfg }, { provider: 'ACME', originalName: name, bytes, receivedAt: RECEIVED, source: 'cli' });
      const used = process.cpuUsage(cpu0);
      const cpuMs = (used.user + used.system) / 1000;
      expect(cpuMs, `${name} took ${Math.round(cpuMs)} ms of CPU`).toBeLessThan(BOUND_CPU_MS);
      const doc = done.document;
      expect(doc.rowsAccepted + doc.rowsRejected).toBe(doc.rowsRead);

      const rows = (await db.pool.query<{ row_number: number; cin: string | null; accepted: boolean }>(
        `select r.row_number, r.cin, r.accepted from submission_rows r join submission_sheets s on s.id = r.sheet_id where s.submission_id = $1`,
        [done.submissionId],
      )).rows;
      const changedCins = (await db.pool.query<{ cin: string }>(
        `select distinct a.cin from ecm_assignment_changes c join ecm_assignments a on a.id = c.assignment_id
          join submission_sheets s on s.id = c.sheet_id where s.submission_id = $1 order by 1`,
        [done.submissionId],
      )).rows.map((r) => r.cin);

      if ('reject' in exp) {
        const codes = Array.isArray(exp.reject) ? exp.reject : [exp.reject];
        expect(doc.outcome).toBe('REJECTED');
        expect(doc.fileErrors).toHaveLength(1);
        expect(codes).toContain(doc.fileErrors[0]!.code);
        expect(doc.fileErrors[0]!.message.length).toBeGreaterThan(20);
        expect(doc.rowsAccepted).toBe(0);
        // nothing applied: not one row, not one change, anywhere
        expect(rows.every((r) => !r.accepted)).toBe(true);
        expect(changedCins).toEqual([]);
        expect(await appliedState(db.pool)).toEqual(before);
        expect(await db.pool.query(`select applied from submission_sheets where submission_id = $1 and applied`, [done.submissionId])).toMatchObject({ rowCount: 0 });
      } else {
        const { rows: byRow } = exp.partial;
        const expectedRejected = Object.keys(byRow).length;
        expect(doc.outcome).toBe(expectedRejected ? 'PARTIALLY_ACCEPTED' : 'ACCEPTED');
        expect(doc.fileErrors).toEqual([]);
        expect(doc.rowsRead).toBe(expectedRejected + 1);
        expect(doc.rowsAccepted).toBe(1);
        const errorCodes = (row: number) => [...new Set(doc.issues.filter((i) => i.row === row && i.severity === 'error').map((i) => i.code))].sort();
        for (const [row, codes] of Object.entries(byRow)) expect(errorCodes(Number(row)), `row ${row}`).toEqual([...codes].sort());
        // exactly the valid row was applied; every rejected row's member is untouched
        expect(rows.filter((r) => r.accepted).map((r) => r.cin)).toEqual([ACCEPTED_CIN]);
        expect(rows.filter((r) => !r.accepted).map((r) => r.row_number).sort((a, b) => a - b)).toEqual(Object.keys(byRow).map(Number));
        expect(changedCins).toEqual([ACCEPTED_CIN]);
        expect(await Promise.all(watched.map((c) => memberState(db.pool, c)))).toEqual(beforeMembers);
      }

      // the response opens in another reader; nothing in it is a formula
      const out = path.join(dataDir, 'responses', name.replace(/\W+/g, '_'));
      const file = await respondLocally({ pool: db.pool, config: cfg }, done, out, RECEIVED);
      const typed = readTyped(file);
      expect(Object.keys(typed)).toEqual(expect.arrayContaining(['Summary', 'Errors', 'Codes']));
      for (const [sheet, cells] of Object.entries(typed)) for (const row of cells) for (const [, t] of row) expect(t, `a formula in ${sheet}`).not.toBe('f');
      for (const [part, xml] of await workbookXml(done.response.bytes)) if (part.startsWith('xl/worksheets/')) expect(xml, part).not.toMatch(/<f[ >]/);
      if ('reject' in exp) {
        const errorsSheet = typed.Errors!.slice(1).map((r) => r.map((c) => c[0]));
        expect(errorsSheet.map((r) => r[6])).toContain(doc.fileErrors[0]!.code);
      }
      responses.set(name, { file, typed, bytes: done.response.bytes, done });
    });
  }
});

describe('what comes back to the provider', () => {
  const cellsOf = (name: string, sheet: string) => {
    const r = responses.get(name);
    if (!r) throw new Error(`${name} was not processed (its test failed)`);
    return r.typed[sheet]!;
  };
  const header = (rows: TypedCell[][]) => rows[0]!.map((c) => c[0]);

  it('formula and DDE payloads, and values starting with = + - @, come back as text cells, never formulas', () => {
    const rejected = cellsOf('formulas-dde.xlsx', 'Rejected rows');
    const h = header(rejected);
    const col = (label: string) => h.indexOf(label);
    const byRow = new Map(rejected.slice(1).map((r) => [r[1]![0], r]));
    const expectText = (row: number, label: string, value: string) => {
      const cell = byRow.get(row)![col(label)]!;
      expect(cell, `row ${row} ${label}`).toEqual([value, 's']);
    };
    expectText(3, 'Member Last Name', "=cmd|' /C calc'!A0");
    expectText(3, 'Member First Name', "@SUM(1+1)*cmd|' /C calc'!A0");
    expectText(3, 'Member Acuity Level', '=1+2');
    expectText(4, 'Member Client Index Number (CIN)', '=1+1');
    expectText(4, 'Member Last Name', '+1+1');
    expectText(4, 'Member First Name', '-2+3');
    expectText(4, 'Member ECM Status', "-1+cmd|' /C calc'!A0");
    expectText(4, 'ECM Lead Care Manager Email', '@evil.example');
    // a real DDE formula cell comes back as its cached error text, not as the formula
    expectText(5, 'Member First Name', '#REF!');
    expectText(6, 'In Person', '=2+3');
    // the Errors sheet's Value column (non-PHI columns only) carries payloads as text too
    const errors = cellsOf('formulas-dde.xlsx', 'Errors');
    const valueCol = header(errors).indexOf('Value');
    const values = errors.slice(1).map((r): TypedCell => r[valueCol] ?? [null, null]).filter((c) => c[0] !== null);
    expect(values).toEqual(expect.arrayContaining([['=1+2', 's'], ["-1+cmd|' /C calc'!A0", 's'], ['@evil.example', 's'], ['=2+3', 's']]));
    for (const [, t] of values) expect(t).toBe('s');
  });

  it('control characters never reach the response XML (it stays well-formed and readable)', async () => {
    const r = responses.get('control-chars.xlsx')!;
    for (const [part, xml] of await workbookXml(r.bytes))
      // eslint-disable-next-line no-control-regex
      expect(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(xml), part).toBe(false);
    const rows = r.typed['Rejected rows']!;
    expect(rows.slice(1).map((x) => x[1]![0])).toEqual([3, 4, 5]);
  });

  it('a 32,767-character cell comes back within Excel\'s cell limit', () => {
    const rows = cellsOf('cell-32767-chars.xlsx', 'Rejected rows');
    const col = header(rows).indexOf('Member Last Name');
    const v = rows[1]![col]![0] as string;
    expect(v.length).toBeLessThanOrEqual(32_767);
    expect(v.startsWith('BBBB')).toBe(true);
  });

  it('the 14-character ID-card number is refused with the "first 9 characters" hint', () => {
    const r = responses.get('cin-idcard-number.xlsx')!;
    const issue = r.done.document.issues.find((i) => i.code === 'CIN_IDCARD_NUMBER')!;
    expect(issue.message).toMatch(/first 9 characters/);
    expect(issue.row).toBe(3);
  });

  it('a row on Excel row 1,048,576 is reported with its own row number; the 1M-row claim allocates nothing', () => {
    const r = responses.get('rows-claim-1m.xlsx')!;
    expect(r.done.document.issues.find((i) => i.code === 'CIN_FORMAT')!.row).toBe(1_048_576);
  });

  it('zip entries with ../ are never extracted anywhere', () => {
    expect(fs.existsSync('/tmp/calx-hostile-traversal.txt')).toBe(false);
    expect(fs.existsSync(path.resolve(os.tmpdir(), '..', 'calx-hostile-traversal2.txt'))).toBe(false);
  });

  it('no file content leaks from an XXE attempt into the response or the database', async () => {
    for (const name of ['xxe-worksheet.xlsx', 'xxe-odd-part-name.xlsx', 'xxe-billion-laughs-sharedstrings.xlsx']) {
      const r = responses.get(name)!;
      const text = JSON.stringify(r.typed);
      expect(text).not.toMatch(/root:x?:0:0/);
      expect(text).not.toContain('lollollol');
      const stored = await db.pool.query(`select data::text from submission_rows r join submission_sheets s on s.id = r.sheet_id where s.submission_id = $1`, [r.done.submissionId]);
      expect(stored.rowCount).toBe(0);
    }
  });
});

describe('a file named with ../, spaces, unicode and 300 characters', () => {
  const bytes = () => fs.readFileSync(path.join(HOSTILE, 'valid-for-hostile-names.xlsx'));
  const NAMES = [
    `../../../etc/cron.d/RTF ACME ñandú 2026 ${'ü'.repeat(300)}.xlsx`,
    '..\\..\\Windows\\System32\\RTF_ACME.xlsx',
    '/var/lib/calaim/.ssh/authorized_keys.xlsx',
    `${' '.repeat(10)}.hidden RTF\u202Egnp.xlsx`,
    'RTF_ACME_202611\r\nBcc: attacker@evil.example\r\nX-Injected: 1.xlsx',
    `${'x'.repeat(300)}.xlsx`,
  ];

  it('the response name is safe (one path segment, plain characters, bounded) and lands only in the response folder', async () => {
    const out = path.join(dataDir, 'names', 'responses');
    fs.mkdirSync(out, { recursive: true });
    const parentBefore = fs.readdirSync(path.dirname(out)).sort();
    const seen = new Set<string>();
    for (const [i, name] of NAMES.entries()) {
      const at = new Date(RECEIVED.getTime() + i * 1000);
      const done = await ingestFile({ pool: db.pool, config, now: () => at }, { provider: 'ACME', originalName: name, bytes: bytes(), receivedAt: RECEIVED, source: 'sftp' });
      const rn = done.response.name;
      expect(rn, JSON.stringify(name)).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*_RESPONSE_\d{14}_\d+\.xlsx$/);
      expect(rn).not.toContain('..');
      expect(rn.length).toBeLessThanOrEqual(160);
      expect(Buffer.byteLength(rn)).toBeLessThanOrEqual(255);
      seen.add(rn);
      const file = await respondLocally({ pool: db.pool, config }, done, out, RECEIVED);
      expect(path.dirname(file)).toBe(out);
      // the original name is kept (bounded) for the record, never used as a path
      const stored = (await db.pool.query<{ original_name: string }>('select original_name from submissions where id = $1', [done.submissionId])).rows[0]!;
      expect(stored.original_name.length).toBeLessThanOrEqual(500);
      // the same bytes again are answered as a duplicate, never applied twice
      if (done.document.outcome !== 'ACCEPTED') expect(done.document.fileErrors.map((e) => e.code)).toEqual(['DUPLICATE_FILE']);
    }
    expect(fs.readdirSync(out).sort()).toEqual([...seen].sort());
    expect(fs.readdirSync(path.dirname(out)).sort()).toEqual(parentBefore);
    expect(fs.existsSync('/etc/cron.d/RTF_ACME.xlsx')).toBe(false);
  });

  it('a CR/LF in the file name cannot inject mail headers into the liaison notification', async () => {
    const rows = (await db.pool.query<{ subject: string; location: string }>(
      `select subject, location from notifications where kind = 'submission-response' and subject like '%Bcc%'`,
    )).rows;
    expect(rows.length).toBe(1);
    const mail = parseEml(fs.readFileSync(rows[0]!.location, 'utf8'));
    expect(mail.headers.bcc).toBeUndefined();
    expect(mail.headers['x-injected']).toBeUndefined();
    expect(mail.rawHeaders).not.toMatch(/^(Bcc|X-Injected):/im);
    expect(mail.headers.to).toBe('liaison@plan.example');
  });
});

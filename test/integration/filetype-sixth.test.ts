// Issue 16, "Done means": a sixth inbound file type added by one folder, one schema and one
// registry line (all test-only: test/fixtures/filetypes/chw/, and `fileTypeRegistry([chw])`
// handed to the pipeline) flows through validate → ingest → response with no production file
// naming it: its row rules, cross-row key and context rules run, its accepted rows are applied
// by its own statement and merged by its key, and the response workbook read back lists its
// rejected rows under its own columns.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { fileTypeRegistry, INBOUND_TYPES } from '../../src/filetypes/registry.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { validateFile } from '../../src/validate/file.js';
import { readWorkbook } from '../../src/xlsx/reader.js';
import type { CellValue } from '../../src/xlsx/types.js';
import { chw } from '../fixtures/filetypes/chw/index.js';
import { CHW } from '../fixtures/filetypes/chw/schema.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { P, seedPlan } from '../helpers/plan.js';
import { workbook } from '../helpers/provider-files.js';

let db: TestDb;
const config = loadConfig({});
const types = fileTypeRegistry([chw]);
const visit = (over: Record<string, CellValue> = {}): Record<string, CellValue> => ({
  mcpId: 'HN', providerNpi: P.ECM1.npi, providerTin: P.ECM1.tin, cin: '91000001A', chwName: 'Sam Rivera',
  visitDate: { date: '2026-11-10' }, visitMinutes: 45, reportingPeriod: '11/2026', ...over,
});
const rows = [
  visit(),
  visit({ cin: '91000002B', visitDate: { date: '2026-11-12' }, visitMinutes: 30 }),
  // another provider's member: the context rules reject it
  visit({ cin: '91000005E' }),
  // the type's own row rule
  visit({ cin: '91000002B', visitDate: { date: '2026-11-20' }, visitMinutes: 900 }),
  // the type's cross-row key (member × visit date): a repeat is flagged, a warning
  visit({ visitMinutes: 50 }),
];
let bytes: Buffer;

/** Every sheet of a workbook as rows of cells (the first non-blank row is the header). */
async function sheetsOf(file: Buffer): Promise<Record<string, CellValue[][]>> {
  const out: Record<string, CellValue[][]> = {};
  const recognise = (cells: CellValue[]) => (cells.some((c) => c !== null && c !== '') ? cells : null);
  for await (const ev of readWorkbook(file, { recognise, maxRows: 10_000, maxColumns: 100 })) {
    if (ev.type === 'sheet') out[ev.name] = [ev.match];
    else if (ev.type === 'row') out[ev.sheet]!.push(ev.cells);
  }
  return out;
}

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  await db.pool.query(fs.readFileSync(path.join(import.meta.dirname, '../fixtures/filetypes/chw/migration.sql'), 'utf8'));
  bytes = await workbook([[CHW, rows]]);
});
afterAll(async () => {
  await db?.drop();
});

describe('a sixth inbound file type from a test-only folder', () => {
  it('validates offline with its own rules and cross-row key', async () => {
    const v = await validateFile(bytes, 'CHW_ACME_202611.xlsx', {
      limits: config, types: types.types, context: { config, receivedDate: '2026-12-02', expectedPeriod: '2026-11' },
    });
    expect(v.layouts).toEqual(['CHW']);
    expect(v.sheets.map((s) => [s.layout, s.rowsRead, s.rowsAccepted, s.rowsRejected])).toEqual([['CHW', 5, 4, 1]]);
    expect(v.issues.map((i) => [i.row, i.code])).toEqual([[5, 'INT_FORMAT'], [6, 'OTF_DUPLICATE_ATTEMPT']]);
  });

  it('is not read by the production registry: the sheet matches no type it knows', async () => {
    const v = await validateFile(bytes, 'CHW_ACME_202611.xlsx', {
      limits: config, types: INBOUND_TYPES.types, context: { config, receivedDate: '2026-12-02', expectedPeriod: '2026-11' },
    });
    expect(v.fileErrors.map((e) => e.code)).toEqual(['NO_LAYOUT_MATCHED']);
  });

  it('ingests: context rules, its apply statement, its merge key, the deadline window it names, and the response', async () => {
    const done = await ingestFile({ pool: db.pool, config, fileTypes: types }, {
      provider: 'ACME', originalName: 'CHW_ACME_202611.xlsx', bytes, receivedAt: new Date('2026-12-02T17:00:00Z'), source: 'cli',
    });
    const d = done.document;
    expect(d).toMatchObject({ outcome: 'PARTIALLY_ACCEPTED', verdict: 'ON_TIME', period: '2026-11', rowsRead: 5, rowsAccepted: 3, rowsRejected: 2 });
    expect(d.sheets).toEqual([{ name: 'CHW', layout: 'CHW', rowsRead: 5, rowsAccepted: 3, rowsRejected: 2, warnings: 1 }]);
    expect(d.issues.map((i) => [i.row, i.code, i.severity])).toEqual([
      [4, 'MEMBER_NOT_ASSIGNED', 'error'],
      [5, 'INT_FORMAT', 'error'],
      [6, 'OTF_DUPLICATE_ATTEMPT', 'warning'],
    ]);
    // applied by the type's own statement; merged by its key (the repeat of a visit counts once)
    const visits = await db.pool.query<{ cin: string; visit_date: string; minutes: number }>(
      `select cin, visit_date::text, minutes from chw_visits order by row_number`);
    expect(visits.rows).toEqual([
      { cin: '91000001A', visit_date: '2026-11-10', minutes: 45 },
      { cin: '91000002B', visit_date: '2026-11-12', minutes: 30 },
      { cin: '91000001A', visit_date: '2026-11-10', minutes: 50 },
    ]);
    expect(d.merge).toEqual([{ sheet: 'CHW', layout: 'CHW', lob: 'HN', updated: 0, added: 2, kept: 0, updatedFrom: [], withdrawn: 0, withdrawnFrom: [], heldByLater: 0 }]);
    const current = await db.pool.query<{ row_key: string; row_number: number }>(
      `select row_key, row_number from current_rows where layout = 'CHW' and provider_code = 'ACME' order by row_key`);
    expect(current.rows).toEqual([{ row_key: '91000001A|2026-11-10', row_number: 6 }, { row_key: '91000002B|2026-11-12', row_number: 3 }]);
    expect((await db.pool.query(`select applied from submission_sheets where layout = 'CHW'`)).rows).toEqual([{ applied: true }]);

    // the response, read back: the summary names the type, the errors sheet the rows, and the
    // fix sheet carries the rejected rows under the type's own columns
    const sheets = await sheetsOf(done.response.bytes);
    const summary = new Map(sheets.Summary!.map((r) => [r[0], r[1]]));
    expect(summary.get('Layouts recognised')).toBe('CHW');
    const errors = sheets.Errors!;
    const code = errors[0]!.indexOf('Code');
    expect(errors.slice(1).map((r) => r[code])).toEqual(['MEMBER_NOT_ASSIGNED', 'INT_FORMAT', 'OTF_DUPLICATE_ATTEMPT']);
    const fix = sheets['Rejected rows']!;
    expect(fix[0]).toEqual(['Sheet', 'Row', ...CHW.columns.map((c) => c.label), 'Errors']);
    expect(fix.slice(1).map((r) => [r[1], r[2 + CHW.columns.findIndex((c) => c.key === 'cin')]])).toEqual([[4, '91000005E'], [5, '91000002B']]);
  });
});

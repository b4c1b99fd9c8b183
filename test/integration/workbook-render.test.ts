// The workbooks people read (a provider's response, a liaison's digest), checked the way
// people see them: openpyxl reads the styles back (wrapped, shaded, frozen header; widths;
// numeric counts; error cells highlighted with a comment; no empty sheets; US dates) and
// LibreOffice draws them to PNG.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { digestSheets } from '../../src/reports/missing.js';
import { responseSheets, writeResponse } from '../../src/reports/response.js';
import { INBOUND_TYPES } from '../../src/filetypes/registry.js';
import { validateFile, type FileValidation } from '../../src/validate/file.js';
import { writeWorkbook } from '../../src/xlsx/writer.js';
import { DIGEST_ROWS } from '../fixtures/digest-rows.js';
import { INGEST_FIXTURES } from '../fixtures/ingest/generate.js';
import { isPng, renderPng } from '../helpers/render.js';
import { openpyxlLook, type LookCell, type LookSheet } from '../helpers/workbook.js';

const config = loadConfig({});
const ISO_DATE = /\d{4}-\d{2}-\d{2}/;
let dir: string;
let rejected: FileValidation;
const file = (name: string) => path.join(dir, name);

async function validateFixture(name: string, receivedDate: string): Promise<FileValidation> {
  const bytes = fs.readFileSync(path.join(INGEST_FIXTURES, name));
  return validateFile(bytes, name, { limits: config, types: INBOUND_TYPES.types, context: { config, receivedDate, expectedPeriod: '2026-11' } });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-render-'));
  // Received on 11/19: the production date 12/02 is "after the date the file was received".
  rejected = await validateFixture('RTF_ACME_202611_v2.xlsx', '2026-11-19');
  await writeResponse(file('response.xlsx'), rejected, { codeSettings: config });
  await writeWorkbook(file('fix-sheet.xlsx'), responseSheets(rejected, { codeSettings: config }).filter((s) => s.name.startsWith('Rejected')));
  await writeResponse(file('clean.xlsx'), await validateFixture('RTF_ACME_202611.xlsx', '2026-12-03'), { codeSettings: config });
  await writeWorkbook(file('digest.xlsx'), digestSheets(DIGEST_ROWS, '2026-12-11', config));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const sheet = (look: LookSheet[], title: string): LookSheet => {
  const s = look.find((x) => x.title === title);
  if (!s) throw new Error(`no sheet ${title} (have ${look.map((x) => x.title).join(', ')})`);
  return s;
};
const headerRowOf = (s: LookSheet): number => Number(/\d+/.exec(s.freeze ?? '')?.[0] ?? 0) - 1;
const text = (c: LookCell | undefined): string => (c && typeof c.v === 'string' ? c.v : '');
const letter = (i: number): string => (i < 26 ? String.fromCharCode(65 + i) : letter(Math.floor(i / 26) - 1) + String.fromCharCode(65 + (i % 26)));
/** Rows of a sheet as records under its header labels. */
const records = (s: LookSheet): Record<string, LookCell>[] => {
  const h = headerRowOf(s);
  const labels = s.rows[h - 1]!.map(text);
  return s.rows.slice(h).map((r) => Object.fromEntries(labels.map((l, i) => [l, r[i]!])));
};

function expectReadableHeaders(look: LookSheet[]): void {
  for (const s of look) {
    const h = headerRowOf(s);
    expect(h, `${s.title}: header frozen`).toBeGreaterThanOrEqual(1);
    expect(s.freeze, s.title).toBe(`A${h + 1}`);
    const header = s.rows[h - 1]!.filter((c) => c.v !== null);
    expect(header.length, s.title).toBeGreaterThan(0);
    header.forEach((c, i) => {
      expect(c, `${s.title} ${text(c)}`).toMatchObject({ wrap: true, bold: true, fill: expect.stringMatching(/^[0-9A-F]{8}$/) });
      const longestWord = Math.max(...text(c).split(/\s+/).map((w) => w.length));
      expect(s.widths[letter(i)], `${s.title} width of ${text(c)}`).toBeGreaterThan(longestWord);
    });
    expect(s.heights[String(h)], `${s.title}: header row height`).toBeGreaterThan(0);
  }
}

function messagesOf(look: LookSheet[]): string[] {
  return look.flatMap((s) => s.rows.flatMap((r) => r.flatMap((c) => [text(c), c.comment ?? ''].filter((t) => t !== ''))));
}

describe('the response workbook for a file with errors', () => {
  let look: LookSheet[];
  beforeAll(() => {
    look = openpyxlLook(file('response.xlsx'));
  });

  it('every sheet has a wrapped, shaded, bold, frozen header, columns at least as wide as its longest word', () => {
    expectReadableHeaders(look);
  });

  it('Summary counts are numbers', () => {
    const summary = Object.fromEntries(records(sheet(look, 'Summary')).map((r) => [text(r.Item), r.Value!]));
    for (const label of ['Size (bytes)', 'Rows read', 'Rows accepted', 'Rows rejected', 'Warnings']) expect(summary[label]?.t, label).toBe('n');
    expect(summary['Rows read']!.v).toBe(rejected.rowsRead);
    expect(summary['Rows rejected']!.v).toBe(rejected.rowsRejected);
  });

  it('long messages wrap', () => {
    const errors = records(sheet(look, 'Errors'));
    expect(errors.length).toBeGreaterThan(0);
    for (const r of errors) expect(r.Message!.wrap).toBe(true);
  });

  it('on the fix sheet, each cell in error is highlighted and carries the Errors sheet message as a comment', () => {
    const fix = records(sheet(look, 'Rejected rows'));
    const errors = records(sheet(look, 'Errors')).filter((r) => text(r.Severity) === 'error' && text(r.Column) !== '');
    expect(errors.length).toBeGreaterThan(1);
    for (const e of errors) {
      const row = fix.find((r) => text(r.Sheet) === text(e.Sheet) && r.Row!.v === e.Row!.v);
      expect(row, `rejected row ${String(e.Row!.v)}`).toBeDefined();
      const cell = row![text(e.Column)]!;
      expect(cell.fill, `${text(e.Column)} row ${String(e.Row!.v)}`).toMatch(/^[0-9A-F]{8}$/);
      expect(cell.comment).toContain(text(e.Message));
    }
    // a cell without an error is left plain
    const plainCell = fix[0]!['MCP Name'] ?? fix[0]!.Sheet!;
    expect(plainCell.comment).toBeNull();
    expect(plainCell.fill).toBeNull();
  });

  it('shows dates as MM/DD/YYYY in every message', () => {
    const messages = messagesOf(look);
    expect(messages.some((m) => m.includes('(12/02/2026) is after the date the file was received (11/19/2026)'))).toBe(true);
    expect(messages.filter((m) => ISO_DATE.test(m))).toEqual([]);
  });
});

describe('the response workbook for a clean file', () => {
  it('has no empty sheets: no rejected rows sheet, and Errors says so in one line', () => {
    const look = openpyxlLook(file('clean.xlsx'));
    expect(look.map((s) => s.title)).not.toContainEqual(expect.stringMatching(/^Rejected/));
    for (const s of look) expect(s.rows.length, `${s.title} has rows under its header`).toBeGreaterThan(headerRowOf(s));
    const errors = sheet(look, 'Errors');
    if (errors.rows.length === 2) expect(messagesOf([errors])).toContain('No problems found');
    expectReadableHeaders(look);
  });
});

describe('the liaison digest', () => {
  let look: LookSheet[];
  beforeAll(() => {
    look = openpyxlLook(file('digest.xlsx'));
  });

  it('has a readable header, numeric counts and US dates', () => {
    expectReadableHeaders(look);
    const rows = records(look[0]!);
    expect(rows.map((r) => text(r['Provider Code']))).toEqual(['ACME', 'RIVAL', 'HOMEWAY']);
    for (const r of rows) for (const label of ['Declined (Late) Files', 'Rejected Files']) expect(r[label]!.t, label).toBe('n');
    expect(messagesOf(look).filter((m) => ISO_DATE.test(m))).toEqual([]);
  });

  it('words each outcome plainly', () => {
    const detail = Object.fromEntries(records(look[0]!).map((r) => [text(r['Provider Code']), text(r.Detail)]));
    expect(detail.ACME).toContain('RTF declined: received 12/11/2026, after the 10th');
    expect(detail.ACME).toContain('OTF missing');
    expect(detail.RIVAL).toContain('rejected: the file could not be read');
    expect(detail.HOMEWAY).toContain('CSPRTF missing');
    expect(messagesOf(look).join('\n')).not.toMatch(/unrecognised|\(late\)/);
  });
});

describe('rendered by LibreOffice', () => {
  it('draws the response, its fix sheet and the digest to PNG', async () => {
    const pngs = await renderPng([file('response.xlsx'), file('fix-sheet.xlsx'), file('digest.xlsx')], path.join(dir, 'png'));
    for (const png of pngs) {
      const bytes = fs.readFileSync(png);
      expect(isPng(bytes), png).toBe(true);
      expect(bytes.length, png).toBeGreaterThan(5 * 1024);
    }
  });
});

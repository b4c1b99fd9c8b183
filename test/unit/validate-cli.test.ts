import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OTF, RTF } from '../../schemas/index.js';
import { parseTypes, registerValidate } from '../../src/cli/commands/validate.js';
import { UsageError } from '../../src/cli/output.js';
import { writeWorkbookToBuffer } from '../../src/xlsx/writer.js';
import { BASE, cellsOf } from './validate-helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-cli-'));

async function cli(args: string[]): Promise<{ out: string; exitCode: number }> {
  const program = new Command('calaim-exchange').exitOverride();
  registerValidate(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { out, exitCode };
}

async function file(name: string, rows: ReturnType<typeof cellsOf>[]): Promise<string> {
  const p = path.join(dir, name);
  fs.writeFileSync(p, await writeWorkbookToBuffer([{ name: 'RTF', columns: RTF.columns.map((c) => ({ label: c.label })), rows }]));
  return p;
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('calaim-exchange validate', () => {
  it('--json prints the DESIGN §2 document and exits 0 for a clean file', async () => {
    const f = await file('good.xlsx', [cellsOf(RTF, BASE.RTF)]);
    const { out, exitCode } = await cli(['validate', f, '--json', '--period', '2026-09']);
    const doc = JSON.parse(out);
    expect(Object.keys(doc)).toEqual(['file', 'sha256', 'outcome', 'rowsRead', 'rowsAccepted', 'rowsRejected', 'warnings', 'sheets', 'fileErrors', 'issues', 'report']);
    expect(doc).toMatchObject({ file: 'good.xlsx', outcome: 'ACCEPTED', rowsRead: 1, rowsAccepted: 1, rowsRejected: 0, warnings: 0, report: null });
    expect(doc.sheets).toEqual([{ name: 'RTF', layout: 'RTF', rowsRead: 1, rowsAccepted: 1, rowsRejected: 0, warnings: 0 }]);
    expect(exitCode).toBe(0);
  });

  it('exits 1 when a row is rejected, writes the report with --out, and prints a human summary', async () => {
    const f = await file('bad.xlsx', [cellsOf(RTF, BASE.RTF), cellsOf(RTF, { ...BASE.RTF, cin: '92345678B', ecmStatus: '8' })]);
    const report = path.join(dir, 'report.xlsx');
    const { out, exitCode } = await cli(['validate', f, '--out', report]);
    expect(exitCode).toBe(1);
    expect(out).toContain('bad.xlsx: PARTIALLY_ACCEPTED');
    expect(out).toContain('RTF!P3 CODE_UNKNOWN');
    expect(out).toContain(`report: ${report}`);
    expect(fs.statSync(report).size).toBeGreaterThan(1000);
  });

  it('issues in JSON carry sheet, row, column, code, severity, message', async () => {
    const f = await file('period.xlsx', [cellsOf(RTF, { ...BASE.RTF, reportingPeriod: '08/2026' })]);
    const doc = JSON.parse((await cli(['validate', f, '--json', '--received-at', '2026-10-03T17:00:00Z'])).out);
    expect(doc.issues).toEqual([
      expect.objectContaining({ sheet: 'RTF', row: 2, column: 'Member Information File Reporting Period', columnLetter: 'AH', code: 'PERIOD_MISMATCH', severity: 'error', cin: '91234567A' }),
    ]);
    expect(doc.outcome).toBe('REJECTED');
  });

  it('a file error exits 1', async () => {
    const f = path.join(dir, 'empty.xlsx');
    fs.writeFileSync(f, '');
    const { out, exitCode } = await cli(['validate', f, '--json']);
    expect(JSON.parse(out).fileErrors[0].code).toBe('FILE_EMPTY');
    expect(exitCode).toBe(1);
  });

  it('--type and --period are checked', async () => {
    expect(parseTypes('otf').map((t) => t.layout)).toEqual([OTF]);
    expect(parseTypes('RTF,otf').map((l) => l.name)).toEqual(['RTF', 'OTF']);
    expect(() => parseTypes('mif')).toThrow(UsageError);
    await expect(cli(['validate', 'x.xlsx', '--period', '2026-13'])).rejects.toThrow(UsageError);
    await expect(cli(['validate', path.join(dir, 'missing.xlsx')])).rejects.toThrow(UsageError);
  });
});

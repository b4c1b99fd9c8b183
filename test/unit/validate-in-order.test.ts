// The validator hands each row's values twice: by column key (what the rules and the context
// read) and in the layout's column order (what staging writes as it is). The two must never
// disagree: a value staged under the wrong column would be applied to the wrong field. Checked
// on every provider workbook among the fixtures (RTF, OTF, CSPRTF, several sheets, blanks,
// rejected rows), and against the staging line built from the values by key.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OTF } from '../../schemas/index.js';
import { loadConfig } from '../../src/config.js';
import { INBOUND_TYPES } from '../../src/filetypes/registry.js';
import { stagedKeys } from '../../src/repositories/staged-columns.js';
import { stagingLine } from '../../src/ingest/pipeline.js';
import { validateFile } from '../../src/validate/file.js';
import { valuesOf } from '../../src/validate/scope.js';
import type { ValidatedRow } from '../../src/validate/workbook.js';

const config = loadConfig({});
const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
const workbooks = fs.readdirSync(FIXTURES).filter((f) => /^(RTF|OTF|CSPRTF)_.*\.xlsx?m?$/.test(f));

describe('a validated row\'s values in column order are its values by key', () => {
  it('there are provider workbooks of each inbound type to check', () => {
    for (const type of ['RTF', 'OTF', 'CSPRTF']) expect(workbooks.some((f) => f.startsWith(`${type}_`))).toBe(true);
  });

  it.each(workbooks)('%s: every row, every column; its staging line is the one built from the values by key', async (name) => {
    const rows: ValidatedRow[] = [];
    const v = await validateFile(fs.readFileSync(path.join(FIXTURES, name)), name, {
      limits: config, types: INBOUND_TYPES.types, context: { config, receivedDate: '2026-12-03', expectedPeriod: '2026-11' },
      onRow: (row) => void rows.push(row),
    });
    // (a file rejected as a whole hands over no rows: RTF_LOSANGELESFQHC's)
    if (rows.length === 0) expect(v.fileErrors.length).toBeGreaterThan(0);
    for (const row of rows) {
      const keys = stagedKeys(row.layout);
      expect(Object.keys(row.values)).toEqual(keys);
      expect(row.inOrder).toHaveLength(keys.length);
      keys.forEach((k, i) => expect(row.inOrder![i]).toBe(row.values[k]));
      const { inOrder: _, ...byKey } = row;
      expect(stagingLine(3, keys, row)).toBe(stagingLine(3, keys, byKey));
    }
  });
});

describe('valuesOf', () => {
  it('makes one object with every column key of the layout, in its order', () => {
    const inOrder = OTF.columns.map((_, i) => (i % 3 === 0 ? undefined : `v${i}`));
    const values = valuesOf(OTF, inOrder);
    expect(Object.keys(values)).toEqual(OTF.columns.map((c) => c.key));
    OTF.columns.forEach((c, i) => expect(values[c.key]).toBe(inOrder[i]));
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
  });

  it('serves every inbound file type of the registry', () => {
    for (const { layout } of INBOUND_TYPES.types) {
      const values = valuesOf(layout, layout.columns.map((c) => c.key));
      expect(Object.entries(values)).toEqual(layout.columns.map((c) => [c.key, c.key]));
    }
  });

  it('refuses a layout whose column key is not a plain identifier (it would be written into generated code)', () => {
    const odd = (key: string) => ({ ...OTF, name: 'ODD', columns: [{ ...OTF.columns[0]!, key: 'pcp_npi' }, { ...OTF.columns[1]!, key }] });
    expect(() => valuesOf(odd('__proto__'), [1, 2])).toThrow(/ODD: column key "__proto__" is not a plain identifier/);
    expect(() => valuesOf(odd('a b'), [1, 2])).toThrow(/ODD: column key "a b" is not a plain identifier/);
    expect(() => valuesOf(odd('x}; process.exit(1); ({y'), [1, 2])).toThrow(/is not a plain identifier/);
    expect(valuesOf(odd('second'), [1, 2])).toEqual({ pcp_npi: 1, second: 2 });
  });
});

describe('on a hardened Node that refuses to compile code at run time', () => {
  it('a workbook validates to the same rows (--disallow-code-generation-from-strings)', () => {
    const name = 'RTF_OTF_VALLEYCLINIC_202611.xlsx';
    const script = `
      const fs = await import('node:fs');
      const { loadConfig } = await import('./src/config.ts');
      const { INBOUND_TYPES } = await import('./src/filetypes/registry.ts');
      const { validateFile } = await import('./src/validate/file.ts');
      const config = loadConfig({});
      const rows = [];
      const v = await validateFile(fs.readFileSync('test/fixtures/${name}'), '${name}', {
        limits: config, types: INBOUND_TYPES.types, context: { config, receivedDate: '2026-12-03', expectedPeriod: '2026-11' },
        onRow: (row) => void rows.push({ values: row.values, keys: Object.keys(row.values), accepted: row.accepted }),
      });
      console.log(JSON.stringify({ outcome: v.outcome, rows }));`;
    const run = (flags: string[]) => {
      const out = execFileSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
      return JSON.parse(out.trim().split('\n').pop()!) as { outcome: string; rows: unknown[] };
    };
    const hardened = run(['--disallow-code-generation-from-strings']);
    expect(hardened.rows.length).toBeGreaterThan(0);
    expect(hardened).toEqual(run([]));
  });
});

// samples/: the blank templates derive from the layouts; the example uploads are what the
// demo's providers send, good and bad, and the offline validator says so.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, SETTINGS } from '../../src/config.js';
import { INBOUND_TYPES } from '../../src/filetypes/registry.js';
import { validateFile } from '../../src/validate/file.js';
import { readLayoutRecords } from '../../src/xlsx/layout-records.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const config = loadConfig({});
const check = (file: string) =>
  validateFile(fs.readFileSync(path.join(root, 'samples', 'uploads', file)), file, { limits: config, types: INBOUND_TYPES.types, context: { config, receivedDate: '2026-12-05', expectedPeriod: '2026-11' } });

describe('samples', () => {
  it.each(['RTF', 'OTF', 'CSPRTF'])('the blank %s template is recognised as its layout', async (name) => {
    const recs = await readLayoutRecords(fs.readFileSync(path.join(root, 'samples', 'templates', `${name}_TEMPLATE.xlsx`)));
    expect(Object.values(recs).map((s) => [s.layout.name, s.rows.length])).toEqual([[name, 0]]);
  });

  it('example uploads: a clean RTF passes, an RTF with errors is partially accepted, a CSV renamed .xlsx is rejected', async () => {
    expect((await check('RTF_ACMEHLTH_202611.xlsx')).rowsRejected).toBe(0);
    const bad = await check('RTF_CENTRLCM_202611.xlsx');
    expect(bad.outcome).toBe('PARTIALLY_ACCEPTED');
    expect(bad.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['CIN_IDCARD_NUMBER', 'RTF_END_BEFORE_START', 'RTF_ENROLLED_NEEDS_LCM']));
    expect((await check('CSPRTF_DESERTCS_202611.xlsx')).fileErrors.map((e) => e.code)).toEqual(['FILE_CSV']);
    expect((await check('RTF_OTF_SUNVLYCM_202611.xlsx')).layouts.sort()).toEqual(['OTF', 'RTF']);
  });

  it('the README documents every setting', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const name of Object.keys(SETTINGS)) expect(readme, name).toContain(`\`${name}\``);
    expect(readme).toContain('npm install && npm run demo');
    expect(readme).toContain('npm install && npm test');
  });
});

// `npm run demo` as a new user runs it: one month end to end, outputs that open in a
// spreadsheet program, and a second run that starts clean.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { readWithOpenpyxl } from '../helpers/workbook.js';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-demo-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

interface DemoDoc { steps: { when: string; what: string }[]; counts: Record<string, number>; seconds: number; outputs: Record<string, string> }
const files = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String) : []);

describe('demo', () => {
  let first: DemoDoc;

  it('plays a whole month with no set-up and exits 0', async () => {
    const r = await runCli(['demo', '--out', out, '--json'], { DATABASE_URL: undefined, SFTP_HOST: undefined });
    expect(r.code, r.stderr).toBe(0);
    first = r.json as DemoDoc;
    const what = first.steps.map((s) => s.what).join('\n');
    for (const expected of [/Monthly MIF: \d+ file\(s\) published/, /CSASF: \d+ file\(s\) published/, /mini-MIF: \d+ file\(s\) published/, /SLA check: \d+ referral/,
      /: ACCEPTED \(ON_TIME\)/, /PARTIALLY_ACCEPTED \(ON_TIME\)/, /PARTIALLY_ACCEPTED \(RESUBMISSION\)/, /REJECTED \(DECLINED_LATE\)/, /REJECTED$/m,
      /already done, nothing published twice/, /Missing-submission digest after the 5th/])
      expect(what).toMatch(expected);
  });

  it('leaves files a person can open: MIF, CSASF, responses (read by openpyxl), emails', () => {
    const all = files(path.join(out, 'sftp'));
    const mif = all.find((f) => /\/downloads\/HN_MIF_\d{10}_20261115\.xlsx$/.test(f))!;
    const csasf = all.find((f) => /\/downloads\/[A-Z-]+_CSASF_\d{10}_20261129\.xlsx$/.test(f))!;
    const responses = all.filter((f) => /_RESPONSE_\d{14}_\d+\.xlsx$/.test(f));
    expect(responses.length).toBeGreaterThanOrEqual(8);
    const wb = readWithOpenpyxl(path.join(out, 'sftp', mif));
    expect(Object.keys(wb)).toEqual(['MIF', 'RTF']);
    expect(wb.MIF!.length).toBeGreaterThan(10);
    expect(readWithOpenpyxl(path.join(out, 'sftp', csasf)).CSASF!.length).toBeGreaterThan(2);
    for (const r of responses) expect(Object.keys(readWithOpenpyxl(path.join(out, 'sftp', r)))).toContain('Summary');
    expect(files(path.join(out, 'outbox')).filter((f) => f.endsWith('.eml')).length).toBeGreaterThan(10);
    expect(all.some((f) => /\/uploads\/failed\//.test(f))).toBe(true);
    expect(all.some((f) => /\/uploads\/processed\//.test(f))).toBe(true);
  });

  it('a second run starts clean and gives the same month', async () => {
    fs.writeFileSync(path.join(out, 'leftover.txt'), 'x');
    const r = await runCli(['demo', '--out', out, '--json'], { DATABASE_URL: undefined });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'leftover.txt'))).toBe(false);
    expect((r.json as DemoDoc).counts).toEqual(first.counts);
  });
});

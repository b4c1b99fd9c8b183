// `npm run demo` as a new user runs it: one month end to end, outputs that open in a
// spreadsheet program, and a second run that starts clean.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
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
    // the sample members extract gives most members a PCP: the MIF shows it (name, NPI as text)
    const [header, ...rows] = wb.MIF! as unknown[][];
    const pcp = rows.map((r) => [r[header!.indexOf('Member PCP Name')], r[header!.indexOf('Member PCP NPI')]]);
    expect(pcp.filter(([name, npi]) => typeof name === 'string' && typeof npi === 'string' && /^[12]\d{9}$/.test(npi)).length).toBeGreaterThan(rows.length / 2);
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

  it('--serve then serves the web pages on its data: a login per role, the liaison sees only their providers; SIGTERM ends it', async () => {
    const child = spawn(process.execPath, [BIN, 'demo', '--out', out, '--serve', '--port', '0'], {
      cwd: ROOT, env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const ready = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (/auditor .*password \S+/.test(stdout)) resolve(stdout);
      });
      void exited.then((code) => reject(new Error(`demo --serve exited ${code}: ${stderr}`)));
    });
    const url = /Web pages: (http:\/\/[\d.]+:\d+)\//.exec(ready)![1]!;
    const [, email, password] = /liaison\s+(\S+)\s+password (\S+)/.exec(ready)!;
    const form = await fetch(`${url}/login`);
    const cookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const login = await fetch(`${url}/login`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, email: email!, password: password! }) });
    expect(login.status).toBe(303);
    const session = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const board = await (await fetch(`${url}/`, { headers: { cookie: session } })).text();
    expect(board).toContain('Month board: 11/2026');
    const shown = new Set([...board.matchAll(/href="\/providers\/([A-Z0-9]+)"/g)].map((m) => m[1]));
    const providers = fs.readFileSync(path.join(ROOT, 'samples', 'plan', 'providers.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    // a provider has one liaison; listed once per contract, it keeps one of its rows' (the
    // import's choice): the liaison sees some providers, and only ones a row names them for
    const named = new Set(providers.filter((p) => p[8] === email).map((p) => p[0]));
    expect(shown.size).toBeGreaterThan(0);
    for (const code of shown) expect(named, code).toContain(code);
    expect(shown.size).toBeLessThan(new Set(providers.map((p) => p[0])).size);
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
  });
});

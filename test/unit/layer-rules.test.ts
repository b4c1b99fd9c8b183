// The layer rules (issue 16): `npm run lint:deps` runs dependency-cruiser with
// .dependency-cruiser.mjs over src/, schemas/ and jobs/, and `npm test` fails on a violation.
// Here the same command, with the same config, runs over test/fixtures/layers/ (a small tree
// laid out like the project, one planted import per rule): each rule must report its planted
// import by name, and nothing else; and the real tree must come out clean.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const CONFIG = path.join(ROOT, '.dependency-cruiser.mjs');
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'layers');

interface Violation { rule: { name: string; severity: string }; from: string; to: string; cycle?: { name: string }[] }
interface CruiseJson { summary: { violations: Violation[]; error: number; totalCruised: number } }

function depcruise(cwd: string, outputType: 'json' | 'err'): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [DEPCRUISE, 'src', 'schemas', 'jobs', '--config', CONFIG, '--output-type', outputType],
      { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
      },
    );
  });
}

const line = (v: Violation): string => `${v.rule.name}: ${v.from} → ${v.to}`;

let fixtureRun: Promise<{ code: number; stdout: string; stderr: string }> | undefined;
/** The fixture tree cruised once, as JSON (two tests read it). */
const fixtureJson = async (): Promise<CruiseJson> => JSON.parse((await (fixtureRun ??= depcruise(FIXTURES, 'json'))).stdout) as CruiseJson;

describe('layer rules (dependency-cruiser)', () => {
  it('the config exists and `npm test` runs it (lint:deps, before the tests)', () => {
    expect(fs.existsSync(CONFIG), `${CONFIG} missing`).toBe(true);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['lint:deps']).toMatch(/^depcruise src schemas jobs --config \.dependency-cruiser\.mjs/);
    expect(pkg.scripts.test).toMatch(/npm run lint:deps && .*npm run test:run/);
  });

  it('catches each planted violation by rule name, and reports nothing else', async () => {
    const out = await fixtureJson();
    const found = out.summary.violations.map(line).sort();
    const pkg = (p: string) => `../../../node_modules/${p}`;
    expect(found).toEqual(
      [
        // cycles: between modules, and between folders of one layer (no module cycle)
        'no-circular: src/ingest/loop-a.ts → src/ingest/loop-b.ts',
        'sideways-import-from-demo: src/demo/run.ts → src/cli/transport.ts',
        // layers
        'upward-import-from-schemas: schemas/index.ts → src/xlsx/types.ts',
        'upward-import-from-core: src/calendar/deadline.ts → src/ingest/loop-a.ts',
        'upward-import-from-orchestration: jobs/poll.ts → src/cli/main.ts',
        'module-outside-layers: src/newthing/orphan.ts → schemas/index.ts',
        'import-of-module-outside-layers: src/health/probe.ts → src/newthing/orphan.ts',
        // what a layer may touch
        'pure-core-no-io: src/calendar/deadline.ts → fs',
        `pure-core-no-io: src/validate/row.ts → ${pkg('pg/esm/index.mjs')}`,
        'pure-core-no-io: src/filetypes/rtf/rules.ts → fs',
        `xlsx-libraries-only-in-src-xlsx: src/reports/sheet.ts → ${pkg('exceljs/excel.js')}`,
        `exceljs-public-entry-only: src/xlsx/sax.ts → ${pkg('exceljs/lib/utils/parse-sax.js')}`,
        `pg-runtime-only-in-src-db: src/ingest/apply.ts → ${pkg('pg/esm/index.mjs')}`,
        'sftp-transport-no-database: src/sftp/pickup.ts → src/db/poll-state.ts',
        'no-test-code-in-production: src/health/probe.ts → test/helper.ts',
        // packages
        'not-to-unresolvable: src/notify/mail.ts → ./missing.js',
        `no-non-package-json: src/notify/mail.ts → ${pkg('zod/index.d.cts')}`,
        `not-to-dev-dep: src/notify/mail.ts → ${pkg('vitest/dist/index.d.ts')}`,
      ].sort(),
    );
    // every one is an error (the err reporter that lint:deps uses then exits non-zero: below)
    expect(out.summary.violations.every((v) => v.rule.severity === 'error')).toBe(true);
    expect(out.summary.error).toBe(found.length);
  });

  it('every rule of the config is shown catching something here (the generated layer-order rules by example)', async () => {
    const config = ((await import(pathToFileURL(CONFIG).href)) as { default: { forbidden: { name: string; severity: string; comment?: string }[] } }).default;
    const caught = new Set((await fixtureJson()).summary.violations.map((v) => v.rule.name));
    const generated = /^(upward|sideways)-import-from-/;
    for (const rule of config.forbidden) {
      expect(rule.severity, rule.name).toBe('error');
      expect(rule.comment, `${rule.name} says why`).toBeTruthy();
      if (!generated.test(rule.name)) expect(caught.has(rule.name), `${rule.name} has no planted violation`).toBe(true);
    }
    expect([...caught].filter((n) => n.startsWith('upward-')).length).toBeGreaterThan(0);
    expect([...caught].filter((n) => n.startsWith('sideways-')).length).toBeGreaterThan(0);
  });

  it('fails the command with a readable report (what `npm run lint:deps` prints)', async () => {
    const r = await depcruise(FIXTURES, 'err');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/error no-circular: src\/ingest\/loop-a\.ts → /);
    expect(r.stdout).toMatch(/error upward-import-from-core: src\/calendar\/deadline\.ts → src\/ingest\/loop-a\.ts/);
    expect(r.stdout).toMatch(/18 dependency violations \(18 errors, 0 warnings\)/);
  });

  it('the real tree (src, schemas, jobs) passes every rule', async () => {
    const r = await depcruise(ROOT, 'err');
    expect(r.stdout + r.stderr).toMatch(/no dependency violations found/);
    expect(r.code).toBe(0);
  });
});

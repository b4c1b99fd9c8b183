// `npm run build`: tsc (tsconfig.build.json) → dist/, then the stamp bin/build-state.js compares
// the sources with. The stamp carries the time the build started, so a source saved while tsc
// runs leaves the build stale (the bin then runs the source) rather than wrongly current.
// `--if-possible` (the `prepare` hook) skips quietly when TypeScript is not installed, as in a
// production install (`npm ci --omit=dev`): the bin then runs the source through tsx.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { STAMP } from '../bin/build-state.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let tsc;
try {
  tsc = createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  if (process.argv.includes('--if-possible')) {
    process.stderr.write('calaim-exchange: TypeScript is not installed, no build: the CLI runs the source through tsx\n');
    process.exit(0);
  }
  process.stderr.write('calaim-exchange: TypeScript is not installed (npm install --include=dev)\n');
  process.exit(1);
}

// Whole seconds before the start: a file system with coarse mtimes can never make a source saved
// during the build look older than the stamp.
const started = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
const stamp = path.join(root, STAMP);
fs.rmSync(stamp, { force: true });
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
if (r.status !== 0) process.exit(r.status ?? 1);
fs.writeFileSync(stamp, `built from the sources as they were at ${started.toISOString()}\n`);
fs.utimesSync(stamp, started, started);

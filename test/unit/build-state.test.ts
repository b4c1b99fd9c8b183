// Which code bin/calaim-exchange.js runs: the build under dist/ only when no source, folder or
// build setting changed after the build started; anything else (a stale, partial or missing
// build) runs the source. Checked on a scratch tree with set mtimes (no clock, no waiting).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { currentBuild, ENTRY, STAMP } from '../../bin/build-state.js';

let root: string;
const T = (s: number) => new Date(Date.UTC(2026, 10, 1, 12, 0, s));
function write(rel: string, at: Date): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, rel);
  fs.utimesSync(file, at, at);
}
function touch(rel: string, at: Date): void {
  fs.utimesSync(path.join(root, rel), at, at);
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-build-state-'));
  for (const f of ['package.json', 'tsconfig.json', 'src/cli/main.ts', 'src/db/migrate.ts', 'schemas/rtf.ts', 'jobs/mif.ts']) write(f, T(0));
  for (const d of ['src/cli', 'src/db', 'src', 'schemas', 'jobs']) touch(d, T(0));
  write(ENTRY, T(20));
  write(STAMP, T(10));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('bin: compiled or source', () => {
  it('runs the build when every source is older than the build stamp', () => {
    expect(currentBuild(root)).toBe(path.join(root, ENTRY));
  });

  it('runs the source when a source file changed after the build started', () => {
    touch('src/db/migrate.ts', T(11));
    expect(currentBuild(root)).toBeUndefined();
  });

  it('runs the source when a file was saved while the build ran (after its start, before its end)', () => {
    touch('schemas/rtf.ts', T(15));
    expect(currentBuild(root)).toBeUndefined();
  });

  it('runs the source when a file was added or deleted since (its folder changed)', () => {
    touch('jobs', T(12));
    expect(currentBuild(root)).toBeUndefined();
  });

  it('runs the source when package.json or tsconfig.json changed since', () => {
    touch('tsconfig.json', T(12));
    expect(currentBuild(root)).toBeUndefined();
  });

  it('runs the source without a stamp (a build that failed or is under way) or without the entry point', () => {
    fs.rmSync(path.join(root, STAMP));
    expect(currentBuild(root)).toBeUndefined();
    write(STAMP, T(10));
    fs.rmSync(path.join(root, ENTRY));
    expect(currentBuild(root)).toBeUndefined();
  });

  it('runs the build where the TypeScript trees are absent (the production image: dist/ and src/db/migrations only)', () => {
    fs.rmSync(path.join(root, 'schemas'), { recursive: true });
    fs.rmSync(path.join(root, 'jobs'), { recursive: true });
    fs.rmSync(path.join(root, 'src'), { recursive: true });
    write('src/db/migrations/0001_core.sql', T(0));
    for (const d of ['src/db/migrations', 'src/db', 'src']) touch(d, T(0));
    expect(currentBuild(root)).toBe(path.join(root, ENTRY));
    // what is there still counts
    touch('src/db/migrations/0001_core.sql', T(11));
    expect(currentBuild(root)).toBeUndefined();
  });
});

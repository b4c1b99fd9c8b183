// The demo's output folder is emptied before each run, so it must be one the demo made: a
// mistyped --out (a file, the home folder, `.`) would otherwise be deleted. The demo leaves a
// marker file in every folder it writes; a folder without it is never emptied.
import fs from 'node:fs';
import path from 'node:path';
import { folderProblem } from '../out-path.js';

/** The file that says "a demo wrote this folder" (any content). */
const DEMO_MARKER = '.calaim-exchange-demo';

/** Why the folder cannot be used; the message names the path, never anything inside it. */
export class DemoOutRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoOutRefused';
  }
}

/**
 * Throws DemoOutRefused unless `out` may be emptied and written: a folder that does not exist yet
 * (and can be made), an empty folder, or a folder holding the marker.
 */
export function checkDemoOut(out: string): void {
  const problem = folderProblem(out);
  if (problem) throw new DemoOutRefused(`${problem}: the demo empties its folder first, so give a new or empty folder`);
  const dir = path.resolve(out);
  if (!fs.existsSync(dir)) return;
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch (err) {
    throw new DemoOutRefused(`${out} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (entries.length > 0 && !entries.includes(DEMO_MARKER))
    throw new DemoOutRefused(`${out} is not empty and no demo left it (no ${DEMO_MARKER} file): the demo empties its folder first, so give a new or empty folder`);
}

/**
 * Empties (or creates) a folder checkDemoOut accepts and marks it as the demo's. Its contents go,
 * not the folder: `--out .` or a symlink to a demo folder stays where it is. The marker is
 * written before anything else, so a run that stops part-way leaves a folder the next run may
 * empty.
 */
export function prepareDemoOut(out: string): string {
  checkDemoOut(out);
  const dir = path.resolve(out);
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, DEMO_MARKER), 'Written by `calaim-exchange demo`: the next demo run with this --out empties this folder.\n');
  return dir;
}

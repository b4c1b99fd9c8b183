#!/usr/bin/env node
// Runs the compiled CLI (dist/, `npm run build`) when it is built from the current source, else
// the TypeScript source through tsx: a fresh clone without a build still works, and a change
// made since the last build is never silently ignored (bin/build-state.js decides).
// CALAIM_RUN_SOURCE=1 forces the source.
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { currentBuild } from './build-state.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = process.env.CALAIM_RUN_SOURCE === '1' ? undefined : currentBuild(root);
if (built) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(path.join(root, 'src', 'cli', 'main.ts')).href);
}

// Is the compiled CLI under dist/ the current source? Shared by bin/calaim-exchange.js (which
// runs dist/ only when it is) and scripts/build.js (which writes the stamp it compares with).
//
// The build stamp's mtime is the moment the build *started* reading the sources. The build is
// current when no file or folder under the compiled trees (src/, schemas/, jobs/) nor a
// tsconfig or package.json was modified after that moment; a tree absent altogether has nothing
// newer. Folders count too, so a file added, deleted or renamed since the build also makes it
// stale. Anything in doubt (no stamp, no
// output, an unreadable tree) means "not current": the bin then runs the source through tsx.
import fs from 'node:fs';
import path from 'node:path';

export const COMPILED_TREES = ['src', 'schemas', 'jobs'];
export const COMPILED_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json'];
export const STAMP = path.join('dist', '.build-stamp');
export const ENTRY = path.join('dist', 'src', 'cli', 'main.js');

/** Latest mtime (ms) of the compiled sources, their folders and the build settings. */
export function newestSourceMtime(root) {
  let newest = 0;
  const see = (p) => {
    const st = fs.statSync(p);
    if (st.mtimeMs > newest) newest = st.mtimeMs;
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) see(path.join(p, name));
  };
  // A tree that is not there has no source to be newer: the production image carries dist/
  // without the TypeScript (Dockerfile), and keeps only src/db/migrations of src/.
  for (const t of COMPILED_TREES) if (fs.existsSync(path.join(root, t))) see(path.join(root, t));
  for (const f of COMPILED_FILES) if (fs.existsSync(path.join(root, f))) see(path.join(root, f));
  return newest;
}

/** The compiled entry point when it is current, else undefined (run the source). */
export function currentBuild(root) {
  try {
    const entry = path.join(root, ENTRY);
    if (!fs.existsSync(entry)) return undefined;
    const built = fs.statSync(path.join(root, STAMP)).mtimeMs;
    return newestSourceMtime(root) < built ? entry : undefined;
  } catch {
    return undefined;
  }
}

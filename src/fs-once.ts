// Create-once files (a dev host key, a dev secret) that several processes may race to create
// on an empty DATA_DIR: the content is written to a private temp file and hard-linked into
// place, which fails if another process got there first; then everyone reads the one winner.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function readOrCreateOnce(file: string, create: () => string, mode = 0o600): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, create(), { mode });
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return fs.readFileSync(file, 'utf8');
}

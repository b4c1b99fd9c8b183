// The package's root folder (where package.json, samples/ and src/db/migrations live), found the
// same way whether this code runs from src/ through tsx or compiled under dist/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name === 'calaim-exchange') return (root = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error('calaim-exchange: package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

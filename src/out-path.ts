// Whether a command may write where it was told to (--out): checked before it opens or records
// anything, so a mistyped path is refused up front instead of failing after the work is done
// (a submission recorded but never answered). Each returns a plain sentence, or undefined when
// the path will do; the sentence names the path, never anything read from a file.
import fs from 'node:fs';
import path from 'node:path';

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'unreadable';
/** Not there: nothing at the path, or a file where a folder on the way should be (the check above it says which). */
const missing = (err: unknown) => errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR';

/** A folder to write into: an existing writable folder, or a path that can be made one. */
export function folderProblem(target: string): string | undefined {
  const dir = path.resolve(target);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (err) {
    return missing(err) ? creatableProblem(target, dir) : unusable(target, err);
  }
  if (!stat.isDirectory()) return `${target} is a file, not a folder`;
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    return unusable(target, err);
  }
  return undefined;
}

/** A file to write (a report): not a folder, and in a folder that exists or can be made. */
export function fileProblem(target: string): string | undefined {
  const file = path.resolve(target);
  try {
    if (fs.statSync(file).isDirectory()) return `${target} is a folder`;
  } catch (err) {
    if (!missing(err)) return unusable(target, err);
  }
  const parent = folderProblem(path.dirname(file));
  return parent && `${target} cannot be written: ${parent}`;
}

function unusable(target: string, err: unknown): string {
  return `${target} cannot be used (${errno(err)})`;
}

/** A missing folder: the nearest one above it that exists must be a writable folder. */
function creatableProblem(target: string, dir: string): string | undefined {
  let up = path.dirname(dir);
  while (!fs.existsSync(up) && path.dirname(up) !== up) up = path.dirname(up);
  try {
    if (!fs.statSync(up).isDirectory()) return `${target} cannot be made: ${up} is a file, not a folder`;
    fs.accessSync(up, fs.constants.W_OK);
  } catch (err) {
    return `${target} cannot be made (${errno(err)})`;
  }
  return undefined;
}

// Whether a command may write where it was told to (--out): checked before it opens or records
// anything, so a mistyped path is refused up front instead of failing after the work is done
// (a submission recorded but never answered). Each returns a plain sentence, or undefined when
// the path will do; the sentence names the path, never anything read from a file.
//
// The checks try what the command will do (create an entry in the folder, open the file for
// writing) and undo it at once: stat and access(2) alone said yes to paths that cannot be written
// (as root every path is "writable" to access(2): /proc, /sys, a read-only mount).
import fs from 'node:fs';
import path from 'node:path';

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'unreadable';
/** Not there: nothing at the path, or a file where a folder on the way should be (the check above it says which). */
const missing = (err: unknown) => errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR';

/** The reason a probe failed, in words (the code alone for the rare ones). */
function reason(err: unknown): string {
  switch (errno(err)) {
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'EROFS': return 'read-only file system';
    case 'ENOSPC': return 'no space left on the device';
    case 'EDQUOT': return 'disk quota exceeded';
    case 'ENOENT': return 'nothing can be created there';
    default: return errno(err);
  }
}

/** Creates and removes a private folder in `dir`: whether a command can write there. */
function probeFolder(dir: string): unknown {
  try {
    fs.rmdirSync(fs.mkdtempSync(path.join(dir, '.calaim-exchange-probe-')));
    return undefined;
  } catch (err) {
    return err;
  }
}

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
  const err = probeFolder(dir);
  return err === undefined ? undefined : `${target} cannot be written (${reason(err)})`;
}

/** A file to write (a report): a regular file or nothing yet, in a folder that exists or can be made. */
export function fileProblem(target: string): string | undefined {
  const file = path.resolve(target);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    if (!missing(err)) return unusable(target, err);
  }
  if (stat?.isDirectory()) return `${target} is a folder`;
  if (stat && !stat.isFile()) return `${target} is not a regular file`;
  const parent = folderProblem(path.dirname(file));
  if (parent) return `${target} cannot be written: ${parent}`;
  // (a folder still to be made: its nearest existing folder took a new entry, which will do)
  if (!fs.existsSync(path.dirname(file))) return undefined;
  // the folder takes new entries; the file itself must open for writing (opened, not truncated)
  try {
    if (stat) fs.closeSync(fs.openSync(file, 'r+'));
    else {
      fs.closeSync(fs.openSync(file, 'wx'));
      fs.rmSync(file);
    }
  } catch (err) {
    // (another process took the name between the stat and the open: the write will say so)
    if (errno(err) !== 'EEXIST') return `${target} cannot be written (${reason(err)})`;
  }
  return undefined;
}

function unusable(target: string, err: unknown): string {
  return `${target} cannot be used (${errno(err)})`;
}

/** A missing folder: the nearest one above it that exists must be a folder new entries can be made in. */
function creatableProblem(target: string, dir: string): string | undefined {
  let up = path.dirname(dir);
  while (!fs.existsSync(up) && path.dirname(up) !== up) up = path.dirname(up);
  try {
    if (!fs.statSync(up).isDirectory()) return `${target} cannot be made: ${up} is a file, not a folder`;
  } catch (err) {
    return `${target} cannot be made (${errno(err)})`;
  }
  const err = probeFolder(up);
  return err === undefined ? undefined : `${target} cannot be made (${reason(err)})`;
}

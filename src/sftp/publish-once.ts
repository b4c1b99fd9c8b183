// Publishing a file that may already be there from an interrupted attempt of the same unit:
// the same bytes under the final name count as published; different bytes never overwrite.
import { createHash } from 'node:crypto';
import { SftpError, type SftpSession } from './client.js';

/**
 * What the check of a name already there can find besides our bytes, each meaning the name is
 * held by something else: not a regular file (a link, a folder: never read through), a larger
 * file, or one being changed (ours is renamed into place whole).
 */
const HELD_BY_ANOTHER = new Set(['NOT_A_FILE', 'FILE_TOO_LARGE', 'FILE_CHANGED']);

/**
 * @throws SftpError REMOTE_EXISTS when the name is held by anything but these bytes (a caller
 *   that can choose another name does; nothing is overwritten or written through a link)
 */
export async function publishOnce(session: SftpSession, dir: string, name: string, bytes: Buffer): Promise<string> {
  try {
    return (await session.publish(dir, name, bytes)).path;
  } catch (err) {
    if (!(err instanceof SftpError && err.code === 'REMOTE_EXISTS')) throw err;
    let remote;
    try {
      remote = await session.download(`${dir}/${name}`, { maxBytes: bytes.length + 1 });
    } catch (checkErr) {
      if (checkErr instanceof SftpError && HELD_BY_ANOTHER.has(checkErr.code)) throw err;
      throw checkErr;
    }
    if (remote.sha256 === createHash('sha256').update(bytes).digest('hex')) return `${dir}/${name}`;
    throw err;
  }
}

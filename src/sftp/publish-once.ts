// Publishing a file that may already be there from an interrupted attempt of the same unit:
// the same bytes under the final name count as published; different bytes never overwrite.
import { createHash } from 'node:crypto';
import { SftpError, type SftpSession } from './client.js';

export async function publishOnce(session: SftpSession, dir: string, name: string, bytes: Buffer): Promise<string> {
  try {
    return (await session.publish(dir, name, bytes)).path;
  } catch (err) {
    if (err instanceof SftpError && err.code === 'REMOTE_EXISTS') {
      const remote = await session.download(`${dir}/${name}`, { maxBytes: bytes.length + 1 });
      if (remote.sha256 === createHash('sha256').update(bytes).digest('hex')) return `${dir}/${name}`;
    }
    throw err;
  }
}

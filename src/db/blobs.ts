// The immutable copy of every file sent or received, keyed by content hash.
import { createHash } from 'node:crypto';
import type pg from 'pg';

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

export async function putBlob(c: pg.Pool | pg.PoolClient, bytes: Buffer, hash = sha256(bytes)): Promise<string> {
  await c.query('insert into file_blobs (sha256, size, bytes) values ($1, $2, $3) on conflict (sha256) do nothing', [hash, bytes.length, bytes]);
  return hash;
}

export async function getBlob(c: pg.Pool | pg.PoolClient, hash: string): Promise<Buffer | undefined> {
  const r = await c.query<{ bytes: Buffer }>('select bytes from file_blobs where sha256 = $1', [hash]);
  return r.rows[0]?.bytes;
}

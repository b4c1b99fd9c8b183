// What a case runner needs to reach the bench's sFTP server (started by the parent).
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import '../../src/db/pool.js';
import { applyHeapGrowth } from '../../src/heap.js';
import { openSftp } from '../../src/sftp/client.js';

export interface SftpArgs { host: string; port: number; username: string; password: string; hostKeySha256: string }

/** The product's dependencies inside a case process: settings, a pool and the bench's sFTP server. */
export function productDeps(a: { url: string; dataDir: string; sftp: SftpArgs }, env: Record<string, string> = {}) {
  const config = loadConfig({ DATA_DIR: a.dataDir, DATABASE_URL: a.url, LOG_LEVEL: 'warn', ...env });
  applyHeapGrowth(config); // as the CLI does at start
  const pool = new pg.Pool({ connectionString: a.url, max: config.DB_POOL_SIZE });
  const openSession = () => openSftp({ ...a.sftp, connectTimeoutMs: 10_000, retries: 2, stallMs: 60_000, retryBaseMs: 100 });
  return { pool, config, openSession };
}

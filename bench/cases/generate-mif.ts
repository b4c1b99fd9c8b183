// Case D: the monthly MIF run for 100 providers (100,000 members) through the product path:
// per provider × line of business, query the members, build the workbook (MIF sheet and the
// pre-filled RTF sheet), record the file and its rows, publish over sFTP atomically.
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import '../../src/db/pool.js';
import { generate } from '../../src/generate/run.js';
import { openSftp } from '../../src/sftp/client.js';
import { caseArgs, runCase, timed } from '../lib/child.js';
import type { SftpArgs } from '../lib/sftp.js';

runCase(async () => {
  const a = caseArgs<{ url: string; dataDir: string; sftp: SftpArgs }>();
  const config = loadConfig({ DATA_DIR: a.dataDir, DATABASE_URL: a.url, LOG_LEVEL: 'warn' });
  const pool = new pg.Pool({ connectionString: a.url, max: config.DB_POOL_SIZE });
  const deps = { pool, config, openSession: () => openSftp({ ...a.sftp, connectTimeoutMs: 10_000, retries: 2, stallMs: 60_000, retryBaseMs: 100 }) };
  try {
    const { value: r, seconds, cpuSeconds } = await timed(() => generate('mif', { date: '2026-11-15' }, deps));
    if (r.failed) throw new Error(`MIF run failed: ${JSON.stringify(r.units.filter((u) => u.error))}`);
    const rows = r.units.reduce((n, u) => n + u.rows, 0);
    return { rows, seconds, cpuSeconds, extra: { files: r.published } };
  } finally {
    await pool.end();
  }
});

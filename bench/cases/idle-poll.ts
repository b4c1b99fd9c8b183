// Case E: one poll over 500 provider folders with nothing to take, on one sFTP session.
// Two polls: the first lists every folder for the first time (poll state created), the second
// is the steady state of the scheduler's every-five-minutes poll.
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import '../../src/db/pool.js';
import { pollOnce } from '../../src/ingest/poll.js';
import { openSftp } from '../../src/sftp/client.js';
import { caseArgs, runCase, timed } from '../lib/child.js';
import type { SftpArgs } from '../lib/sftp.js';

runCase(async () => {
  const a = caseArgs<{ url: string; dataDir: string; sftp: SftpArgs }>();
  const config = loadConfig({ DATA_DIR: a.dataDir, DATABASE_URL: a.url, LOG_LEVEL: 'warn' });
  const pool = new pg.Pool({ connectionString: a.url, max: config.DB_POOL_SIZE });
  const deps = { pool, config, openSession: () => openSftp({ ...a.sftp, connectTimeoutMs: 10_000, retries: 2, stallMs: 60_000, retryBaseMs: 100 }) };
  try {
    const first = await timed(() => pollOnce(deps, { now: new Date('2026-12-03T18:00:00Z') }));
    const second = await timed(() => pollOnce(deps, { now: new Date('2026-12-03T18:05:00Z') }));
    for (const r of [first.value, second.value])
      if (r.providers !== 500 || r.failedProviders || r.files) throw new Error(`idle poll: ${JSON.stringify({ ...r, byProvider: undefined })}`);
    return { rows: second.value.providers, seconds: Math.max(first.seconds, second.seconds), cpuSeconds: Math.max(first.cpuSeconds, second.cpuSeconds), extra: { firstPollSeconds: first.seconds, steadyPollSeconds: second.seconds } };
  } finally {
    await pool.end();
  }
});

// Case F: what a provider feels. The scheduler runs (the real command, default POLL_CRON,
// SFTP_STABLE_SECONDS and POLL_RECHECK) against the bench's sFTP server and Postgres; once its
// start-up poll is done, the provider uploads its RTF at a random moment of the poll cycle (as
// a client does: a .part file renamed when complete). Measured: from the end of the upload to
// the response appearing in the provider's downloads/.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { openSftp } from '../../src/sftp/client.js';
import { caseArgs, runCase } from '../lib/child.js';
import type { SftpArgs } from '../lib/sftp.js';

interface Args { url: string; dataDir: string; sftp: SftpArgs; file: string; provider: string; sftpRoot: string; rows: number; offsetSeconds: number }

runCase(async () => {
  const a = caseArgs<Args>();
  const pool = new pg.Pool({ connectionString: a.url, max: 2 });
  const scheduler = spawn(process.execPath, ['bin/calaim-exchange.js', 'scheduler', '--jobs', 'poll', '--now', '2026-12-03T18:00:00Z'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env, DATABASE_URL: a.url, DATA_DIR: a.dataDir, LOG_LEVEL: 'warn', HEALTH_PORT: '0',
      SFTP_HOST: a.sftp.host, SFTP_PORT: String(a.sftp.port), SFTP_USER: a.sftp.username, SFTP_PASSWORD: a.sftp.password, SFTP_HOST_KEY_SHA256: a.sftp.hostKeySha256,
    },
  });
  let stderr = '';
  scheduler.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => scheduler.on('close', resolve));
  const downloads = path.join(a.sftpRoot, a.provider, 'downloads');
  try {
    // the signal that the scheduler is up: its start-up poll is in the run ledger
    for (;;) {
      const r = await pool.query(`select 1 from runs where job = 'poll' and status = 'SUCCEEDED' limit 1`).catch(() => ({ rowCount: 0 }));
      if (r.rowCount) break;
      if (scheduler.exitCode !== null) throw new Error(`scheduler exited: ${stderr}`);
      await sleep(200);
    }
    await sleep(a.offsetSeconds * 1000); // somewhere in the poll cycle
    const session = await openSftp({ ...a.sftp, connectTimeoutMs: 10_000, retries: 2, stallMs: 60_000, retryBaseMs: 100 });
    await session.publish(`/${a.provider}/uploads`, path.basename(a.file), fs.readFileSync(a.file));
    const uploaded = performance.now();
    await session.close();
    for (;;) {
      if (fs.readdirSync(downloads).some((f) => f.includes('_RESPONSE_'))) break;
      if (scheduler.exitCode !== null) throw new Error(`scheduler exited: ${stderr}`);
      if (performance.now() - uploaded > 15 * 60_000) throw new Error('no response after 15 minutes');
      await sleep(100);
    }
    const seconds = (performance.now() - uploaded) / 1000;
    return { rows: a.rows, seconds, extra: { offsetSeconds: a.offsetSeconds } };
  } finally {
    scheduler.kill('SIGTERM');
    await exited;
    await pool.end();
  }
});

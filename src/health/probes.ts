// The scheduler's own dependencies as /healthz probes: its database pool, the sFTP server
// through the same settings and client the poll uses (the in-process server without
// SFTP_HOST), and the run ledger for the last successful poll.
import type pg from 'pg';
import type { Config } from '../config.js';
import { ping } from '../db/pool.js';
import { lastSuccessfulRun } from '../repositories/metrics.js';
import { openSftp, type SftpSettings } from '../sftp/client.js';
import type { HealthProbes } from './server.js';

export function schedulerProbes(pool: pg.Pool, sftp: SftpSettings, config: Pick<Config, 'SFTP_ROOT' | 'HEALTH_CHECK_TIMEOUT_MS'>): HealthProbes {
  return {
    database: () => ping(pool),
    sftp: async () => {
      // One attempt, no retries: a probe reports the present, and the caller bounds it anyway.
      const session = await openSftp({ ...sftp, retries: 0, connectTimeoutMs: config.HEALTH_CHECK_TIMEOUT_MS });
      try {
        await session.stat(config.SFTP_ROOT);
      } finally {
        await session.close().catch(() => undefined);
      }
    },
    lastPollSuccessAt: () => lastSuccessfulRun(pool, 'poll'),
  };
}

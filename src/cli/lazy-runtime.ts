// withRuntime, loaded on first use: the database modules (pg, node-pg-migrate) are not loaded
// for --help, --version or a usage error.
import type { Config } from '../config.js';
import type { Database } from '../db/pool.js';
import type { Transport } from '../sftp/transport.js';
import type { Runtime } from './runtime.js';

export async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>, opts: { migrate?: boolean } = {}): Promise<T> {
  const { withRuntime: run } = await import('./runtime.js');
  return run(fn, opts);
}

/**
 * What a long-running command (scheduler, serve) works on, loaded on first use like withRuntime:
 * the database, opened now; `start` migrates it and opens the sFTP transport (inside the
 * command's try, so a failure there still closes the database).
 */
export async function openService(config: Config): Promise<{ db: Database; start: () => Promise<Transport> }> {
  const { migrate } = await import('../db/migrate.js');
  const { openDatabase } = await import('../db/pool.js');
  const { openTransport } = await import('../sftp/transport.js');
  const { providerSftpFolders } = await import('../repositories/providers.js');
  const { applyHeapGrowth } = await import('../heap.js');
  applyHeapGrowth(config);
  const db = await openDatabase(config);
  return {
    db,
    start: async () => {
      await migrate(db.pool);
      return openTransport(config, () => providerSftpFolders(db.pool));
    },
  };
}

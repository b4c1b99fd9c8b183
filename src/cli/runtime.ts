// What a command needs at run time: settings, a migrated database, and clean shutdown.
import { getConfig, type Config } from '../config.js';
import { migrate } from '../db/migrate.js';
import { openDatabase, type Database } from '../db/pool.js';
import { applyHeapGrowth } from '../heap.js';

export interface Runtime {
  config: Config;
  db: Database;
}

/** Opens the database (embedded when DATABASE_URL is unset), migrates, runs fn, always closes. */
export async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>, opts: { migrate?: boolean } = {}): Promise<T> {
  const config = getConfig();
  applyHeapGrowth(config);
  const db = await openDatabase(config);
  const onSignal = () => {
    void db.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (opts.migrate !== false) await migrate(db.pool);
    return await fn({ config, db });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await db.close();
  }
}

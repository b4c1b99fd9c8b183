// Plain SQL migrations in src/db/migrations, applied in order by node-pg-migrate. They are read
// from the package's src/ folder also when the code runs compiled from dist/ (one copy only).
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import type pg from 'pg';
import { log } from '../log.js';
import { packageRoot } from '../package-root.js';

export const MIGRATIONS_DIR = path.join(packageRoot(), 'src', 'db', 'migrations');

export interface MigrateResult { applied: string[] }

export async function migrate(pool: pg.Pool): Promise<MigrateResult> {
  const client = await pool.connect();
  try {
    const done = await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      count: Infinity,
      checkOrder: true,
      // Two processes starting together: the second waits for the first's lock.
      advisoryLockMode: 'wait',
      logger: { debug: () => undefined, info: (m: string) => log.debug(m), warn: (m: string) => log.warn(m), error: (m: string) => log.error(m) },
    });
    return { applied: done.map((m) => m.name) };
  } finally {
    client.release();
  }
}

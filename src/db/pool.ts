// One entry point to the database: the configured server, or the embedded one.
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config.js';
import { log } from '../log.js';
import { startEmbedded, type EmbeddedHandle } from './embedded.js';

// Dates are calendar dates: never let the driver turn a DATE into a JS Date at some zone's midnight.
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);
// int8 (bigserial ids, counts) as numbers: ours never exceed 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

export interface Database {
  pool: pg.Pool;
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries with backoff: the database may be restarting when a scheduled run begins. */
export async function connectWithRetry(pool: pg.Pool, retries: number, baseMs = 500): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const c = await pool.connect();
      c.release();
      return;
    } catch (err) {
      if (attempt >= retries) throw new Error(`database unavailable after ${attempt + 1} attempts: ${(err as Error).message}`);
      const wait = Math.min(10_000, baseMs * 2 ** attempt) * (0.5 + Math.random() / 2);
      log.warn({ attempt: attempt + 1, waitMs: Math.round(wait) }, 'database not reachable, retrying');
      await sleep(wait);
    }
  }
}

export async function openDatabase(config: Config, opts: { retries?: number } = {}): Promise<Database> {
  let url = config.DATABASE_URL;
  let handle: EmbeddedHandle | undefined;
  if (!url) {
    handle = await startEmbedded(path.join(config.dataDir, 'pg'), config.EMBEDDED_PG_PORT);
    url = handle.url;
  }
  const pool = new pg.Pool({ connectionString: url, max: config.DB_POOL_SIZE, connectionTimeoutMillis: 10_000 });
  let closing = false;
  // An idle client losing its server must not crash the process; the next query fails cleanly.
  pool.on('error', (err) => {
    if (!closing) log.warn({ err: { message: err.message } }, 'idle database connection lost');
  });
  // A checked-out client whose server goes away (restart, failover, pg_terminate_backend) emits
  // 'error' while the pool is not listening: unhandled, that kills the process. The query in
  // flight fails on its own (the transaction rolls back) and the pool discards the client.
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      if (!closing) log.warn({ err: { message: err.message } }, 'database connection lost');
    });
  });
  try {
    await connectWithRetry(pool, opts.retries ?? config.DB_CONNECT_RETRIES);
  } catch (err) {
    await pool.end().catch(() => undefined);
    await handle?.stop();
    throw err;
  }
  return {
    pool,
    url,
    embedded: !!handle,
    close: async () => {
      closing = true;
      await pool.end().catch(() => undefined);
      await handle?.stop();
    },
  };
}

/** Runs fn in one transaction; rolls back on any error. */
/**
 * @param opts.snapshot one snapshot for every statement, read only (REPEATABLE READ READ ONLY):
 *   reads that must agree with each other and with what they record having seen
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, opts: { snapshot?: boolean } = {}): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(opts.snapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Runs fn inside a savepoint of the client's open transaction: on an error, what fn wrote is
 * undone and the transaction stays usable, so the caller can decide whether the error ends it.
 * The savepoint is gone either way (released, or rolled back to and released).
 */
export async function withSavepoint<T>(client: pg.PoolClient, name: string, fn: () => Promise<T>): Promise<T> {
  // the name goes into the statement as an identifier: only plain ones
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`savepoint name must be a plain identifier: ${name}`);
  await client.query(`SAVEPOINT ${name}`);
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    // fn's error is the one worth reporting; a connection too broken to roll back fails the next statement anyway
    await client.query(`ROLLBACK TO SAVEPOINT ${name}`).then(() => client.query(`RELEASE SAVEPOINT ${name}`)).catch(() => undefined);
    throw err;
  }
  await client.query(`RELEASE SAVEPOINT ${name}`);
  return result;
}

/** One round trip: the health probe's "the database answers". */
export async function ping(db: pg.Pool | pg.PoolClient): Promise<void> {
  await db.query('select 1');
}

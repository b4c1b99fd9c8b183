// GET /healthz and GET /metrics of the long-running scheduler, as ops run it: the real
// `calaim-exchange scheduler` child process on HEALTH_PORT, against a test database and the
// in-process sFTP server. The database is reached through a proxy this test controls, so it
// can be cut from under the running scheduler (and given back) without touching Postgres.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/net.js';
import { BIN, ROOT } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { until } from '../helpers/gate.js';
import { seedPlan } from '../helpers/plan.js';

/** A TCP proxy to Postgres; while cut, it drops every connection, open or new. */
async function startProxy(target: { host: string; port: number }) {
  let cut = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    if (cut) return void inbound.destroy();
    const outbound = net.connect(target.port, target.host);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut: () => {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    restore: () => {
      cut = false;
    },
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

let db: TestDb;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let dataDir: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  // what the gauges should count: a file rejected unread and a notification not sent yet
  await db.pool.query(`insert into submissions (provider_code, original_name, size, received_at, outcome, state)
                       values ('ACME', 'RTF_ACME_202611.xlsx', 999999999, now(), 'REJECTED', 'RESPONDED')`);
  await db.pool.query(`insert into notifications (kind, recipients, subject, status, body) values ('response', '{liaison@plan.example}', 'subject', 'PENDING', 'body')`);
  const u = new URL(db.url);
  proxy = await startProxy({ host: u.hostname, port: Number(u.port) });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-health-e2e-'));
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await proxy?.close();
  await db?.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

interface LogLine { msg?: string; url?: string; [k: string]: unknown }

describe('scheduler health and metrics (real process)', () => {
  it('serves /healthz and /metrics from start-up, says which check fails, and stops with the scheduler', async () => {
    const u = new URL(db.url);
    u.host = `127.0.0.1:${proxy.port}`;
    const healthPort = await freePort();
    child = spawn(process.execPath, [BIN, 'scheduler', '--jobs', 'poll'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: u.toString(),
        DB_CONNECT_RETRIES: '0',
        DATA_DIR: dataDir,
        DEV_SFTP_PORT: '0',
        HEALTH_PORT: String(healthPort),
        HEALTH_CHECK_TIMEOUT_MS: '2000',
        // cron must not poll during the test: only the start-up poll runs
        POLL_CRON: '0 0 1 1 *',
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: LogLine[] = [];
    let stderr = '';
    let pending = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      pending += d.toString();
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const p of parts) {
        try {
          lines.push(JSON.parse(p) as LogLine);
        } catch {
          // not a log line
        }
      }
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child!.on('close', (code, signal) => r({ code, signal })));
    const logged = (msg: string) => lines.find((l) => l.msg?.startsWith(msg));
    const ended = () => child!.exitCode !== null || child!.signalCode !== null;
    const waitFor = <T>(what: string, probe: () => T | undefined) => until(what, probe, 300_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${stderr.slice(-5000)}`);
    });

    // 'scheduler running' comes after the start-up catch-up; the server must be up before it
    const listening = await waitFor('the health server to listen', () => {
      if (logged('health and metrics listening')) return logged('health and metrics listening');
      if (logged('scheduler running') || ended()) throw new Error(`the scheduler started without a health server:\n${stderr}`);
      return undefined;
    });
    expect(listening.url).toBe(`http://127.0.0.1:${healthPort}`);
    const base = listening.url!;
    await waitFor('the start-up catch-up to finish', () => {
      if (ended()) throw new Error(`the scheduler exited:\n${stderr}`);
      return logged('scheduler running');
    });

    const health = await fetch(`${base}/healthz`);
    const body = (await health.json()) as { status: string; checks: Record<string, { ok: boolean; ms?: number; lastPollAgeSeconds?: number | null }> };
    expect(health.status, JSON.stringify(body)).toBe(200);
    expect(health.headers.get('content-type')).toMatch(/^application\/json/);
    expect(body.status).toBe('ok');
    expect(body.checks.database).toMatchObject({ ok: true, ms: expect.any(Number) });
    expect(body.checks.sftp).toMatchObject({ ok: true, ms: expect.any(Number) });
    // the start-up poll has just succeeded
    expect(body.checks.poll).toMatchObject({ ok: true, lastPollAgeSeconds: expect.any(Number), maxAgeSeconds: 10 * 86_400 });

    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    for (const name of ['calaim_run_attempts', 'calaim_submissions', 'calaim_submission_rows_read', 'calaim_submission_rows_accepted', 'calaim_submission_rows_rejected', 'calaim_poll_lag_seconds', 'calaim_notifications', 'calaim_poll_last_success_age_seconds'])
      expect(text).toContain(`# TYPE ${name} gauge`);
    expect(text).toContain('calaim_metrics_database_up 1');
    // the start-up poll, counted from the run ledger
    expect(text).toMatch(/^calaim_run_attempts\{job="poll",status="SUCCEEDED"\} 1$/m);
    expect(text).toMatch(/^calaim_submissions\{outcome="REJECTED"\} 1$/m);
    expect(text).toMatch(/^calaim_submission_rows_read 0$/m);
    expect(text).toMatch(/^calaim_notifications\{status="PENDING"\} 1$/m);
    // every polled provider has a lag, by provider code; the start-up poll listed them all
    for (const code of ['ACME', 'RIVAL', 'HOMEWAY', 'MEALS']) expect(text).toMatch(new RegExp(`^calaim_poll_lag_seconds\\{provider="${code}"\\} \\d+(\\.\\d+)?(e[-+]?\\d+)?$`, 'm'));
    // counts and codes only: no member identifier, no file name
    expect(text).not.toMatch(/9100000\d[A-Z]|RTF_ACME/);

    // other paths and methods are answered, and nothing a client sends stops the process
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not found' });
    const post = await fetch(`${base}/healthz`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    const garbage = await new Promise<string>((resolve, reject) => {
      const s = net.connect(healthPort, '127.0.0.1', () => s.end('NOT HTTP AT ALL\r\n\r\n'));
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', reject);
    });
    expect(garbage).toMatch(/^HTTP\/1\.1 400/);

    // the database goes away: down, naming the database; the metrics say they could not read it
    proxy.cut();
    const down = await fetch(`${base}/healthz`);
    const downBody = (await down.json()) as { status: string; checks: Record<string, { ok: boolean; error?: string }> };
    expect(down.status).toBe(503);
    expect(downBody.status).toBe('down');
    expect(downBody.checks.database!.ok).toBe(false);
    expect(downBody.checks.database!.error).toBeTruthy();
    expect(downBody.checks.sftp!.ok).toBe(true);
    const noDb = await (await fetch(`${base}/metrics`)).text();
    expect(noDb).toContain('calaim_metrics_database_up 0');
    expect(noDb).not.toMatch(/^calaim_run_attempts\{/m);

    // and comes back: healthy again, without a restart
    proxy.restore();
    const back = await until('health to recover', async () => {
      const r = await fetch(`${base}/healthz`);
      return r.status === 200 ? r : undefined;
    });
    expect(((await back.json()) as { status: string }).status).toBe('ok');

    child.kill('SIGTERM');
    const exit = await exited;
    expect(exit.code, stderr).toBe(0);
    // the server went with the scheduler
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});

// The long-running scheduler's HTTP side: GET /healthz (JSON, 200 or 503) and GET /metrics
// (Prometheus text). Node's own http server: two routes need no framework. A request the
// server cannot parse, an unknown path or method, or a check that throws is answered; none
// of them reaches the scheduler.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import { log } from '../log.js';
import { httpStatusOf, overallStatus, pollCheck, type HealthReport, type PollCheck, type TimedCheck } from './status.js';

/** The I/O behind /healthz; each resolves when its dependency is fine and rejects when not. */
export interface HealthProbes {
  database(): Promise<unknown>;
  sftp(): Promise<unknown>;
  /** End of the latest successful poll (the run ledger), or null when none is recorded. */
  lastPollSuccessAt(): Promise<Date | null>;
}

export interface HealthOptions {
  probes: HealthProbes;
  /** The scheduler clock. */
  now: Clock;
  /** When the scheduler started, by that clock (the grace for a first poll). */
  startedAt: Date;
  pollMaxAgeSeconds: number;
  /** Each check's limit: a dependency that hangs is a failed check, not a hung probe. */
  timeoutMs: number;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Errors from drivers are short and carry hosts and codes, no member data; capped all the same. */
const reason = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 200);

async function timed(probe: () => Promise<unknown>, timeoutMs: number): Promise<TimedCheck> {
  const t0 = performance.now();
  try {
    await withTimeout(probe(), timeoutMs);
    return { ok: true, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return { ok: false, ms: Math.round(performance.now() - t0), error: reason(err) };
  }
}

/** Runs the three checks side by side. Never throws. */
export async function checkHealth(o: HealthOptions): Promise<HealthReport> {
  const poll = async (): Promise<PollCheck> => {
    try {
      const last = await withTimeout(o.probes.lastPollSuccessAt(), o.timeoutMs);
      return pollCheck({ lastSuccessAt: last, startedAt: o.startedAt, now: o.now(), maxAgeSeconds: o.pollMaxAgeSeconds });
    } catch (err) {
      return { ok: false, lastPollAgeSeconds: null, maxAgeSeconds: o.pollMaxAgeSeconds, error: `run ledger unreadable: ${reason(err)}` };
    }
  };
  const [database, sftp, pollResult] = await Promise.all([timed(() => o.probes.database(), o.timeoutMs), timed(() => o.probes.sftp(), o.timeoutMs), poll()]);
  const checks = { database, sftp, poll: pollResult };
  return { status: overallStatus(checks), checks };
}

export interface HealthServer {
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function startHealthServer(o: HealthOptions & { registry: Registry; host: string; port: number }): Promise<HealthServer> {
  // Probes arriving while a check runs share it: a probe storm costs one set of checks.
  let running: Promise<HealthReport> | undefined;
  const health = () => {
    running ??= checkHealth(o).finally(() => {
      running = undefined;
    });
    return running;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://health.invalid').pathname;
    } catch {
      sendJson(res, 400, { error: 'bad request' });
      return;
    }
    if (pathname !== '/healthz' && pathname !== '/metrics') {
      sendJson(res, 404, { error: 'not found', paths: ['/healthz', '/metrics'] });
      return;
    }
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: 'method not allowed', allow: 'GET' }, { allow: 'GET' });
      return;
    }
    if (pathname === '/healthz') {
      const report = await health();
      if (report.status !== 'ok') log.warn({ status: report.status, failing: Object.entries(report.checks).filter(([, c]) => !c.ok).map(([k]) => k) }, 'health check not ok');
      sendJson(res, httpStatusOf(report.status), report);
      return;
    }
    const text = await o.registry.metrics();
    res.writeHead(200, { 'content-type': o.registry.contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err: { message: reason(err) } }, 'health server: request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  // Malformed HTTP is answered (or the socket dropped), never thrown.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: 23\r\n\r\n{"error":"bad request"}');
    else socket.destroy();
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err: { message: err.message } }, 'health server error'));
  const addr = server.address() as AddressInfo;
  const hostInUrl = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    host: addr.address,
    port: addr.port,
    url: `http://${hostInUrl}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

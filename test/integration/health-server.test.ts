// The health server with its probes wired to a real database and the in-process sFTP server,
// and a clock the test sets: each way /healthz can fail is produced for real (the sFTP server
// stopped, the poll stale, a dependency that hangs) and named in the answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../src/health/metrics.js';
import { schedulerProbes } from '../../src/health/probes.js';
import { startHealthServer, type HealthProbes, type HealthServer } from '../../src/health/server.js';
import { metricsSnapshot } from '../../src/repositories/metrics.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSftp, type TestSftp } from '../helpers/dev-sftp.js';
import { seedPlan } from '../helpers/plan.js';

const POLLED = new Date('2026-11-30T16:00:00Z');
let db: TestDb;
let sftp: TestSftp;
let clock = new Date(POLLED.getTime() + 60_000);
const now = () => clock;

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  sftp = await startTestSftp([]);
  await db.pool.query(`insert into runs (job, slot, status, trigger, owner, finished_at) values ('poll', '2026-11-30T08:00', 'SUCCEEDED', 'cron', 'test', $1)`, [POLLED]);
  await db.pool.query(`insert into poll_folders (folder, last_listed_at) values ('/ACME/uploads', $1)`, [POLLED]);
});
afterAll(async () => {
  await sftp?.stop().catch(() => undefined);
  await db?.drop();
});

async function serve(probes: HealthProbes): Promise<HealthServer> {
  return startHealthServer({
    host: '127.0.0.1',
    port: 0,
    probes,
    registry: createMetricsRegistry({ snapshot: () => metricsSnapshot(db.pool, '/'), now }),
    now,
    startedAt: POLLED,
    pollMaxAgeSeconds: 900,
    timeoutMs: 1500,
  });
}
type Report = { status: string; checks: Record<string, { ok: boolean; error?: string; lastPollAgeSeconds?: number | null }> };
const healthz = async (s: HealthServer) => {
  const r = await fetch(`${s.url}/healthz`);
  return { code: r.status, body: (await r.json()) as Report };
};

describe('health server', () => {
  it('answers ok, then names the stale poll and the stopped sFTP server', async () => {
    const probes = schedulerProbes(db.pool, sftp.settings(), { SFTP_ROOT: '/', HEALTH_CHECK_TIMEOUT_MS: 1500 });
    const server = await serve(probes);
    try {
      const ok = await healthz(server);
      expect(ok.code).toBe(200);
      expect(ok.body).toMatchObject({ status: 'ok', checks: { database: { ok: true }, sftp: { ok: true }, poll: { ok: true, lastPollAgeSeconds: 60 } } });

      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/^calaim_poll_lag_seconds\{provider="ACME"\} 60$/m);
      // a provider whose folder was never listed
      expect(metrics).toMatch(/^calaim_poll_lag_seconds\{provider="RIVAL"\} \+Inf$/m);
      expect(metrics).toMatch(/^calaim_poll_last_success_age_seconds 60$/m);
      expect(metrics).toMatch(/^calaim_run_attempts\{job="poll",status="SUCCEEDED"\} 1$/m);

      // the scheduler clock moves past HEALTH_POLL_MAX_AGE_FACTOR poll intervals
      clock = new Date(POLLED.getTime() + 901_000);
      const stale = await healthz(server);
      expect(stale.code).toBe(503);
      expect(stale.body.status).toBe('degraded');
      expect(stale.body.checks.poll).toMatchObject({ ok: false, lastPollAgeSeconds: 901 });
      expect(stale.body.checks.database!.ok).toBe(true);
      clock = new Date(POLLED.getTime() + 60_000);

      await sftp.server.stop();
      const noSftp = await healthz(server);
      expect(noSftp.code).toBe(503);
      expect(noSftp.body.status).toBe('degraded');
      expect(noSftp.body.checks.sftp!.ok).toBe(false);
      expect(noSftp.body.checks.sftp!.error).toMatch(/sFTP connect/);
      expect(noSftp.body.checks.database!.ok).toBe(true);
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('a dependency that never answers fails its check at the timeout', async () => {
    const server = await serve({
      database: () => new Promise(() => undefined),
      sftp: async () => undefined,
      lastPollSuccessAt: async () => POLLED,
    });
    try {
      for (const r of [await healthz(server)]) {
        expect(r.code).toBe(503);
        expect(r.body.status).toBe('down');
        expect(r.body.checks.database).toMatchObject({ ok: false, error: 'timed out after 1500 ms' });
        expect(r.body.checks.sftp!.ok).toBe(true);
      }
    } finally {
      await server.close();
    }
  });

  it('answers unknown paths 404 and other methods 405, and keeps serving', async () => {
    const server = await serve({ database: async () => undefined, sftp: async () => undefined, lastPollSuccessAt: async () => POLLED });
    try {
      expect((await fetch(`${server.url}/`)).status).toBe(404);
      expect((await fetch(`${server.url}/metrics?x=1`)).status).toBe(200);
      const del = await fetch(`${server.url}/metrics`, { method: 'DELETE' });
      expect(del.status).toBe(405);
      expect(await del.json()).toEqual({ error: 'method not allowed', allow: 'GET' });
      expect((await healthz(server)).code).toBe(200);
    } finally {
      await server.close();
    }
  });
});

// GET /metrics: Prometheus gauges read from Postgres at scrape time (prom-client `collect`), so
// every scheduler process reports the same numbers and nothing is lost with a restart. One
// scrape reads one snapshot: the gauges' collect callbacks, which prom-client starts together,
// share it. Labels are job names, statuses, outcomes and provider codes: never member data.
import client from 'prom-client';
import { log } from '../log.js';
import type { MetricsSnapshot } from '../repositories/metrics.js';

export interface MetricsSource {
  snapshot(): Promise<MetricsSnapshot>;
  /** The scheduler clock (ages are measured with it, as the poll state was written with it). */
  now(): Date;
}

export const METRIC_NAMES = [
  'calaim_metrics_database_up',
  'calaim_run_attempts',
  'calaim_submissions',
  'calaim_submission_rows_read',
  'calaim_submission_rows_accepted',
  'calaim_submission_rows_rejected',
  'calaim_poll_lag_seconds',
  'calaim_poll_last_success_age_seconds',
  'calaim_notifications',
] as const;

const ageSeconds = (now: Date, at: Date) => Math.max(0, (now.getTime() - at.getTime()) / 1000);

export function createMetricsRegistry(source: MetricsSource): client.Registry {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });

  let inFlight: Promise<MetricsSnapshot | null> | undefined;
  const snapshot = (): Promise<MetricsSnapshot | null> => {
    inFlight ??= source
      .snapshot()
      .catch((err: Error) => {
        log.warn({ err: { message: err.message } }, 'metrics: could not read the database');
        return null;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  /** A gauge filled from the scrape's snapshot; without one (database unreachable) it has no series. */
  const gauge = <L extends string>(name: (typeof METRIC_NAMES)[number], help: string, labelNames: readonly L[], fill: (g: client.Gauge<L>, s: MetricsSnapshot) => void) =>
    new client.Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const s = await snapshot();
        this.reset();
        if (s) fill(this, s);
      },
    });

  new client.Gauge({
    name: 'calaim_metrics_database_up',
    help: '1 when this scrape could read the database, 0 when not (the other calaim_ gauges are then absent)',
    registers: [registry],
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  });
  gauge('calaim_run_attempts', 'Run attempts in the run ledger, by job and status (RUNNING, SUCCEEDED, FAILED, ABANDONED, DEFERRED)', ['job', 'status'], (g, s) => {
    for (const r of s.runs) g.set({ job: r.job, status: r.status }, r.count);
  });
  gauge('calaim_submissions', 'Inbound files (submissions) by outcome; NONE: still being processed', ['outcome'], (g, s) => {
    for (const r of s.submissions) g.set({ outcome: r.outcome }, r.count);
  });
  gauge('calaim_submission_rows_read', 'Data rows read from inbound files', [], (g, s) => g.set(s.rows.read));
  gauge('calaim_submission_rows_accepted', 'Data rows accepted from inbound files', [], (g, s) => g.set(s.rows.accepted));
  gauge('calaim_submission_rows_rejected', 'Data rows rejected from inbound files', [], (g, s) => g.set(s.rows.rejected));
  gauge('calaim_poll_lag_seconds', "Seconds since the provider's uploads folder was last listed by a poll (+Inf: never)", ['provider'], (g, s) => {
    const now = source.now();
    for (const p of s.pollFolders) g.set({ provider: p.provider }, p.lastListedAt ? ageSeconds(now, p.lastListedAt) : Infinity);
  });
  gauge('calaim_poll_last_success_age_seconds', 'Seconds since the latest successful poll run (any scheduler) ended (+Inf: none recorded)', [], (g, s) => {
    g.set(s.lastPollSuccessAt ? ageSeconds(source.now(), s.lastPollSuccessAt) : Infinity);
  });
  gauge('calaim_notifications', 'Notification outbox by status (PENDING, SENT, FAILED, GAVE_UP)', ['status'], (g, s) => {
    for (const r of s.notifications) g.set({ status: r.status }, r.count);
  });
  return registry;
}

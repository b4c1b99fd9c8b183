// What /healthz answers, as pure rules: the overall status from the checks, and whether the
// last successful poll is recent enough. No I/O and no clock of its own: the caller passes
// `now` (the scheduler's clock), so the rules are tested without a server or a database.
import cron from 'node-cron';

export type HealthStatus = 'ok' | 'degraded' | 'down';

/** A check that reaches a dependency: whether it answered, and how long it took. */
export interface TimedCheck {
  ok: boolean;
  ms: number;
  /** Why it failed (no PHI: a timeout or the driver's connection error). */
  error?: string;
}

export interface PollCheck {
  ok: boolean;
  /** Seconds since the last successful poll; null when none is recorded (or the ledger is unreadable). */
  lastPollAgeSeconds: number | null;
  /** The age above which the poll counts as stalled (pollMaxAgeSeconds: HEALTH_POLL_MAX_AGE_FACTOR poll intervals). */
  maxAgeSeconds: number;
  error?: string;
}

export interface HealthChecks {
  database: TimedCheck;
  sftp: TimedCheck;
  poll: PollCheck;
}

export interface HealthReport {
  status: HealthStatus;
  checks: HealthChecks;
}

/**
 * `down` without the database (no job can run, nothing can be recorded); `degraded` when the
 * database answers but the sFTP server does not or polling has stalled (outbound files and
 * inbound answers wait); `ok` otherwise.
 */
export function overallStatus(checks: HealthChecks): HealthStatus {
  if (!checks.database.ok) return 'down';
  if (!checks.sftp.ok || !checks.poll.ok) return 'degraded';
  return 'ok';
}

/** 200 only when everything is ok: a probe (compose, a load balancer) needs a yes or a no. */
export function httpStatusOf(status: HealthStatus): 200 | 503 {
  return status === 'ok' ? 200 : 503;
}

const DAY_SECONDS = 86_400;

/**
 * The poll interval of a cron expression: the longest gap, in seconds, between two consecutive
 * fires within a day (its second, minute and hour fields; a poll restricted to some days is
 * not expected). `*\/5 * * * *` → 300; `0,30 8-17 * * *` → the night's 14.5 hours.
 */
export function pollIntervalSeconds(expression: string): number {
  const f = cron.parse(expression);
  const fires = new Set<number>();
  for (const h of f.hour) for (const m of f.minute) for (const s of f.second) fires.add(h * 3600 + m * 60 + s);
  const sorted = [...fires].sort((a, b) => a - b);
  if (sorted.length === 0) return DAY_SECONDS;
  let longest = sorted[0]! + DAY_SECONDS - sorted[sorted.length - 1]!;
  for (let i = 1; i < sorted.length; i++) longest = Math.max(longest, sorted[i]! - sorted[i - 1]!);
  return longest;
}

/**
 * The age above which the poll counts as stalled: `factor` poll intervals, an interval shorter
 * than a minute counted as a minute. A poll that fires every few seconds is no less entitled to a
 * long run (a month-start burst takes minutes, and its later fires are skipped meanwhile), and a
 * five-field cron keeps the limit it always had.
 */
export function pollMaxAgeSeconds(expression: string, factor: number): number {
  return factor * Math.max(60, pollIntervalSeconds(expression));
}

/**
 * The poll check. `lastSuccessAt`: end of the latest successful poll (any scheduler: the run
 * ledger is shared). With none recorded, a scheduler that started less than maxAgeSeconds ago
 * is given that long for its first poll; after that it is stalled too.
 */
export function pollCheck(input: { lastSuccessAt: Date | null; startedAt: Date; now: Date; maxAgeSeconds: number }): PollCheck {
  const { lastSuccessAt, startedAt, now, maxAgeSeconds } = input;
  if (lastSuccessAt === null) {
    const up = (now.getTime() - startedAt.getTime()) / 1000;
    return up <= maxAgeSeconds
      ? { ok: true, lastPollAgeSeconds: null, maxAgeSeconds }
      : { ok: false, lastPollAgeSeconds: null, maxAgeSeconds, error: `no successful poll recorded, ${Math.round(up)} s after start-up` };
  }
  // A database clock a little ahead of the scheduler's must not make an age negative.
  const age = Math.max(0, Math.round((now.getTime() - lastSuccessAt.getTime()) / 1000));
  return age <= maxAgeSeconds
    ? { ok: true, lastPollAgeSeconds: age, maxAgeSeconds }
    : { ok: false, lastPollAgeSeconds: age, maxAgeSeconds, error: `last successful poll ${age} s ago (limit ${maxAgeSeconds} s)` };
}

// The pure rules behind /healthz: overall status from the checks, the poll interval of a cron
// expression, and the poll-age threshold. No server, no database, no wall clock.
import { describe, expect, it } from 'vitest';
import { httpStatusOf, overallStatus, pollCheck, pollIntervalSeconds, pollMaxAgeSeconds, type HealthChecks } from '../../src/health/status.js';

const up = { ok: true, ms: 3 };
const failed = { ok: false, ms: 3000, error: 'timed out' };
const polled = { ok: true, lastPollAgeSeconds: 10, maxAgeSeconds: 900 };
const stalled = { ok: false, lastPollAgeSeconds: 2000, maxAgeSeconds: 900 };
const checks = (over: Partial<HealthChecks>): HealthChecks => ({ database: up, sftp: up, poll: polled, ...over });

describe('overall status', () => {
  it('is ok (200) only when every check is ok', () => {
    expect(overallStatus(checks({}))).toBe('ok');
    expect(httpStatusOf('ok')).toBe(200);
  });
  it('is degraded (503) when the database answers but sFTP or the poll does not', () => {
    expect(overallStatus(checks({ sftp: failed }))).toBe('degraded');
    expect(overallStatus(checks({ poll: stalled }))).toBe('degraded');
    expect(httpStatusOf('degraded')).toBe(503);
  });
  it('is down (503) without the database, whatever else says', () => {
    expect(overallStatus(checks({ database: failed }))).toBe('down');
    expect(overallStatus(checks({ database: failed, sftp: failed, poll: stalled }))).toBe('down');
    expect(httpStatusOf('down')).toBe(503);
  });
});

describe('poll interval of POLL_CRON', () => {
  it('is the longest gap between fires within a day', () => {
    expect(pollIntervalSeconds('*/5 * * * *')).toBe(300);
    expect(pollIntervalSeconds('7 * * * *')).toBe(3600);
    expect(pollIntervalSeconds('*/20 * * * * *')).toBe(20);
    expect(pollIntervalSeconds('0,10 * * * *')).toBe(50 * 60);
    // business hours only: the night is the longest wait
    expect(pollIntervalSeconds('0,30 8-17 * * *')).toBe((24 - 17.5 + 8) * 3600);
    expect(pollIntervalSeconds('0 0 1 1 *')).toBe(86_400);
  });
});

describe('the age limit of the poll', () => {
  it('is factor × interval, an interval under a minute counted as a minute', () => {
    // the default 15-s poll keeps the 10 minutes of the minute poll: a burst's poll runs for minutes
    expect(pollMaxAgeSeconds('*/15 * * * * *', 10)).toBe(600);
    expect(pollMaxAgeSeconds('* * * * *', 10)).toBe(600);
    expect(pollMaxAgeSeconds('*/20 * * * * *', 3)).toBe(180);
    // five-field crons keep the limit they had
    expect(pollMaxAgeSeconds('*/5 * * * *', 10)).toBe(3000);
    expect(pollMaxAgeSeconds('0 0 1 1 *', 10)).toBe(864_000);
  });
});

describe('poll age', () => {
  const startedAt = new Date('2026-11-30T10:00:00Z');
  const at = (iso: string) => new Date(iso);
  it('is ok up to the limit and stalled past it', () => {
    const last = at('2026-11-30T10:00:00Z');
    expect(pollCheck({ lastSuccessAt: last, startedAt, now: at('2026-11-30T10:15:00Z'), maxAgeSeconds: 900 })).toEqual({ ok: true, lastPollAgeSeconds: 900, maxAgeSeconds: 900 });
    const late = pollCheck({ lastSuccessAt: last, startedAt, now: at('2026-11-30T10:15:01Z'), maxAgeSeconds: 900 });
    expect(late).toMatchObject({ ok: false, lastPollAgeSeconds: 901, maxAgeSeconds: 900 });
    expect(late.error).toMatch(/901 s ago/);
  });
  it('never reports a negative age when the database clock is a little ahead', () => {
    expect(pollCheck({ lastSuccessAt: at('2026-11-30T10:00:02Z'), startedAt, now: at('2026-11-30T10:00:00Z'), maxAgeSeconds: 900 })).toMatchObject({ ok: true, lastPollAgeSeconds: 0 });
  });
  it('with no poll recorded: a fresh scheduler gets the limit for its first poll, then is stalled', () => {
    expect(pollCheck({ lastSuccessAt: null, startedAt, now: at('2026-11-30T10:14:00Z'), maxAgeSeconds: 900 })).toEqual({ ok: true, lastPollAgeSeconds: null, maxAgeSeconds: 900 });
    expect(pollCheck({ lastSuccessAt: null, startedAt, now: at('2026-11-30T10:16:00Z'), maxAgeSeconds: 900 })).toMatchObject({ ok: false, lastPollAgeSeconds: null });
  });
});

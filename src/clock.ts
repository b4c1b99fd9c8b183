// One clock, injected (issue 17): this is the one place that asks the wall clock what time it is
// (systemClock). Everything else is handed a Clock, or an instant read from one, so a replay or
// a test pins generation, ingestion and alerts to one timeline with `--now`
// (test/unit/clock-rule.test.ts keeps it so).
//
// Elapsed time (durations, timeouts, polling deadlines) is not "what time is it": it is measured
// with performance.now(), which is monotonic (never jumps with NTP or a pinned clock) and says
// nothing about the date.
import { DateTime } from 'luxon';

/** What time it is. */
export type Clock = () => Date;

/** The wall clock: the one reading of the system time in src/. */
export const systemClock: Clock = () => new Date();

/** Always `at`: a one-shot command run "at" an instant (every reading is that instant). */
export function fixedClock(at: Date): Clock {
  const t = checked(at);
  return () => new Date(t);
}

/**
 * A clock pinned to `at` that then runs: its first reading is `at` exactly, each later one `at`
 * plus the real time elapsed since that first reading (monotonic). For the long-running
 * scheduler: catch-up passes, health ages and cron slots see time pass as they would, on the
 * pinned timeline; readings never go backwards. `elapsedMs` is injectable for tests.
 */
export function pinnedClock(at: Date, elapsedMs: () => number = () => performance.now()): Clock {
  const t = checked(at);
  let first: number | undefined;
  return () => {
    const e = elapsedMs();
    first ??= e;
    return new Date(t + Math.max(0, e - first));
  };
}

function checked(at: Date): number {
  const t = at.getTime();
  if (Number.isNaN(t)) throw new RangeError('a clock cannot be pinned to an invalid date');
  return t;
}

/** An example in every message about a date-time option. */
export const INSTANT_EXAMPLE = '2026-12-05T09:00:00-08:00';

/** A date-time option (`--now`, `--received-at`) that is not an ISO date-time with a zone. */
export class InstantSyntaxError extends RangeError {
  constructor(readonly option: string, readonly value: string) {
    super(`${option} takes an ISO date-time with zone, e.g. ${INSTANT_EXAMPLE}`);
    this.name = 'InstantSyntaxError';
  }
}

// YYYY-MM-DDTHH:mm[:ss[.fff]] and a zone: Z or ±HH:mm (±HHmm, ±HH; at most ±14:00). Without a
// zone the instant would depend on the server's time zone, so a zone is required.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:0\d|1[0-4])(?::?[0-5]\d)?)$/i;

/**
 * The instant of a date-time option: an ISO date-time with an offset or Z
 * (`2026-12-05T09:00:00-08:00`, `2026-12-05T17:00:00Z`), a real calendar date and time
 * (2026-02-30 and 24:00 are refused, not rolled over). Throws InstantSyntaxError.
 */
export function parseInstant(value: string, option = '--now'): Date {
  const s = value.trim();
  if (!ISO_INSTANT.test(s)) throw new InstantSyntaxError(option, value);
  const dt = DateTime.fromISO(s, { setZone: true });
  if (!dt.isValid) throw new InstantSyntaxError(option, value);
  return dt.toJSDate();
}

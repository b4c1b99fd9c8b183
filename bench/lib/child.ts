// Runs one benchmark case inside a fresh child process: reads its arguments (JSON in argv[2]),
// runs it, and prints one result line with the process's peak RSS measured at the very end.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface CaseResult {
  /** Rows (or members, folders) handled by the measured section. */
  rows: number;
  /** Seconds of the measured section (process start-up and module loading excluded). */
  seconds: number;
  /** CPU seconds of the case process over the measured section. */
  cpuSeconds?: number;
  /** Anything else worth keeping (phase timings, outcome, counts). */
  extra?: Record<string, unknown>;
}

export const RESULT_PREFIX = 'BENCH_RESULT ';

/**
 * This process's peak resident memory: on Linux its memory's high-water mark (VmHWM), not
 * getrusage's maxRSS, which keeps across the exec the size of the parent copied at the fork:
 * every case read at least the bench process's size, ~290 MB once it had written the fixture
 * workbooks itself (the first run on a machine, when they are not cached).
 */
export function peakRssMB(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch {
    // not Linux: maxRSS (in kilobytes) below
  }
  return process.resourceUsage().maxRSS / 1024;
}

export function caseArgs<T>(): T {
  const raw = process.argv[2];
  if (!raw) throw new Error('case runner: missing JSON arguments');
  return JSON.parse(raw) as T;
}

/** Times fn: wall seconds and this process's CPU seconds (user + system) over the same span. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; cpuSeconds: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
}

export function runCase(fn: () => Promise<CaseResult>): void {
  fn().then(
    (r) => {
      process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ ...r, peakRssMB: peakRssMB() })}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

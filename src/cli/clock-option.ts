// `--now`: every command that reads the time takes it (issue 17, "One clock"), so a replay or a
// test runs generation, ingestion and alerts on one timeline. A one-shot command runs *at* that
// instant (every reading of its clock is it); the long-running scheduler starts at it and then
// advances in real time (src/clock.ts). Commands that never read the time do not take it.
import { Option } from 'commander';
import { fixedClock, InstantSyntaxError, parseInstant, pinnedClock, systemClock, type Clock } from '../clock.js';
import { UsageError } from './output.js';
import { checkInstantYears } from './values.js';

/** The --now option of a command; `pins` says what the command's clock decides there. */
export function nowOption(pins: string): Option {
  return new Option('--now <ISO>', `pin the clock to this ISO date-time with zone (default: the wall clock): ${pins}`);
}

/** A date-time option's instant; a usage error (exit 2, one line) when it is not one, or is outside FLAG_YEARS. */
export function instantOption(value: string, option: string): Date {
  let at: Date;
  try {
    at = parseInstant(value, option);
  } catch (err) {
    if (err instanceof InstantSyntaxError) throw new UsageError(err.message);
    throw err;
  }
  return checkInstantYears(at, value, option);
}

/**
 * The command's clock: --now pins it (fixed for a one-shot command; `running` starts there and
 * advances, for the scheduler), else the wall clock. Read before anything is opened: a bad
 * --now is a usage error that leaves no trace.
 */
export function commandClock(opts: { now?: string }, mode: 'fixed' | 'running' = 'fixed'): Clock {
  if (opts.now === undefined) return systemClock;
  const at = instantOption(opts.now, '--now');
  return mode === 'running' ? pinnedClock(at) : fixedClock(at);
}

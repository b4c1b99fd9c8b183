// The poll: list every provider's upload folder once and process every ready file.
import type { PollResult } from '../src/ingest/poll.js';
import { declareJob, type JobCounts } from './job.js';

/**
 * What a poll attempt processed, for the run history: totals, outcomes, and per provider that
 * had files (processed, failed, outcomes). Counts only: no file names (they are the provider's text).
 */
export function pollCounts(r: PollResult): JobCounts {
  const outcomes: Record<string, number> = {};
  const byProvider: Record<string, { processed: number; failed: number; outcomes: Record<string, number> }> = {};
  for (const p of r.byProvider) if (p.processed || p.failed || p.error) byProvider[p.provider] = { processed: p.processed, failed: p.failed, outcomes: {} };
  for (const f of r.results) {
    if (!f.outcome) continue;
    outcomes[f.outcome] = (outcomes[f.outcome] ?? 0) + 1;
    const p = (byProvider[f.provider] ??= { processed: 0, failed: 0, outcomes: {} });
    p.outcomes[f.outcome] = (p.outcomes[f.outcome] ?? 0) + 1;
  }
  // submissions an interrupted poll had left applied but unanswered, finished by this one
  const recovered = r.recovered.length ? { recovered: r.recovered.length } : {};
  return { providers: r.providers, files: r.files, failedProviders: r.failedProviders, failedFiles: r.failedFiles, outcomes, byProvider, ...recovered };
}

/** A poll attempt with these counts all zero handled no file: idle (retention purges it after RUN_RETENTION_DAYS). */
export const POLL_IDLE_COUNTS = ['files', 'failedFiles', 'failedProviders', 'recovered'] as const;

export const poll = declareJob({
  name: 'poll',
  description: 'process provider uploads',
  slotKind: 'fire',
  cron: (config) => config.POLL_CRON,
  cronSetting: 'POLL_CRON',
  catchUp: 'startup',
  run: async (deps, ctx) => {
    const { pollOnce } = await import('../src/ingest/poll.js');
    const r = await pollOnce(deps, { now: ctx.now, signal: ctx.signal });
    const counts = pollCounts(r);
    // A provider folder that could not be read fails the run (visible in `runs`); the next poll retries it.
    if (r.failedProviders) throw new Error(`${r.failedProviders} provider folder(s) failed; ${r.files} file(s) processed`);
    return counts;
  },
});

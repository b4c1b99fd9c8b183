// The poll: list every provider's upload folder once and process every ready file.
import { pollOnce } from '../src/ingest/poll.js';
import type { JobContext } from '../src/runs/coordinator.js';
import type { JobCounts, JobDeps } from './common.js';

export async function runPoll(deps: JobDeps, ctx: Pick<JobContext, 'now' | 'signal'>): Promise<JobCounts> {
  const r = await pollOnce(deps, { now: ctx.now, signal: ctx.signal });
  // The ledger keeps counts only (no file names: they are the provider's text).
  const outcomes: Record<string, number> = {};
  for (const f of r.results) if (f.outcome) outcomes[f.outcome] = (outcomes[f.outcome] ?? 0) + 1;
  const counts = { providers: r.providers, files: r.files, failedProviders: r.failedProviders, failedFiles: r.failedFiles, outcomes };
  // A provider folder that could not be read fails the run (visible in `runs`); the next poll retries it.
  if (r.failedProviders) throw new Error(`${r.failedProviders} provider folder(s) failed; ${r.files} file(s) processed`);
  return counts;
}

// The missing-submission digest (the 6th and the 11th): per liaison, providers with no
// accepted RTF, OTF or CSPRTF for the previous month, and files declined or rejected.
import { missingSubmissionDigest } from '../src/reports/missing.js';
import type { JobContext } from '../src/runs/coordinator.js';
import type { JobCounts, JobDeps } from './common.js';

export async function runMissingAlert(deps: Pick<JobDeps, 'pool' | 'config'>, ctx: Pick<JobContext, 'slot'> & Partial<Pick<JobContext, 'now'>>): Promise<JobCounts> {
  const r = await missingSubmissionDigest(deps.pool, deps.config, ctx.slot, ctx.now);
  return { period: r.period, providersListed: r.rows.length, digests: r.digests, alreadySent: r.alreadySent, unrouted: r.unrouted };
}

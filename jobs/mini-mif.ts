// The daily mini-MIF: per ECM provider, referrals approved 5+ days ago not yet on any MIF or mini-MIF.
import type { JobContext } from '../src/runs/coordinator.js';
import { generateSlot, type JobCounts, type JobDeps } from './common.js';

export function runMiniMif(deps: JobDeps, ctx: Pick<JobContext, 'slot' | 'signal' | 'run'>): Promise<JobCounts> {
  return generateSlot('mini-mif', deps, ctx);
}

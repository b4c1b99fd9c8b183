// The monthly MIF (the 15th): one file per ECM provider and line of business.
import type { JobContext } from '../src/runs/coordinator.js';
import { generateSlot, type JobCounts, type JobDeps } from './common.js';

export function runMif(deps: JobDeps, ctx: Pick<JobContext, 'slot' | 'signal' | 'run'>): Promise<JobCounts> {
  return generateSlot('mif', deps, ctx);
}

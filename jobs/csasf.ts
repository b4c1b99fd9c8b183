// The CSASF (the 15th and the 29th, or the month's last day): one file per CS provider.
import type { JobContext } from '../src/runs/coordinator.js';
import { generateSlot, type JobCounts, type JobDeps } from './common.js';

export function runCsasf(deps: JobDeps, ctx: Pick<JobContext, 'slot' | 'signal' | 'run'>): Promise<JobCounts> {
  return generateSlot('csasf', deps, ctx);
}

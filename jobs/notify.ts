// The notify job (every 5 minutes, and once at start-up): sends the notifications that are due
// (recorded but not yet sent, or due a retry after a failed send); gives up on those still
// failing NOTIFY_GIVE_UP_HOURS after they were recorded (ops alerted).
import { deliverDue } from '../src/notify/mailer.js';
import type { JobContext } from '../src/runs/coordinator.js';
import type { JobCounts, JobDeps } from './common.js';

export async function runNotify(deps: Pick<JobDeps, 'pool' | 'config' | 'faults'>, ctx: Pick<JobContext, 'now' | 'signal'>): Promise<JobCounts> {
  const r = await deliverDue(deps.config, deps.pool, ctx.now, { signal: ctx.signal, faults: deps.faults });
  return { ...r };
}

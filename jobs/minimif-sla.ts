// The mini-MIF SLA alert (daily): referrals still not sent MINI_MIF_SLA_DAYS after approval
// raise one liaison alert each.
import { miniMifSlaAlert } from '../src/reports/alerts.js';
import type { JobContext } from '../src/runs/coordinator.js';
import type { JobCounts, JobDeps } from './common.js';

export async function runMiniMifSla(deps: Pick<JobDeps, 'pool' | 'config'>, ctx: Pick<JobContext, 'slot'> & Partial<Pick<JobContext, 'now'>>): Promise<JobCounts> {
  const r = await miniMifSlaAlert(deps.pool, deps.config, ctx.slot, ctx.now);
  return { referrals: r.referrals, providers: r.providers };
}

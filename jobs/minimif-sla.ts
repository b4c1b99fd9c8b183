// The mini-MIF SLA alert (daily): referrals still not sent MINI_MIF_SLA_DAYS after approval, or
// sent later than that (caught up after an outage that spanned their alert's day), raise one
// liaison alert each.
import { DAILY } from '../src/calendar/slots.js';
import { declareJob, firesAt } from './job.js';
import { miniMif as miniMifJob } from './mini-mif.js';

export const minimifSla = declareJob({
  name: 'minimif-sla',
  description: 'liaison alert: referrals unsent after the SLA days',
  ...firesAt('07:15', () => DAILY),
  catchUpLateDays: (config) => config.CATCH_UP_ALERT_DAYS,
  run: async (deps, ctx) => {
    // The day's mini-MIF (07:00) may still be sending (many providers, a slow sFTP) at 07:15, or
    // be run by another instance: referrals it is about to carry would be called overdue, once
    // and for good. The alert's attempt is deferred instead (recorded DEFERRED: waiting is no
    // failure), and catch-up makes it up once that run has ended.
    const { slotStates } = await import('../src/repositories/run-ledger.js');
    const miniMif = (await slotStates(deps.pool, miniMifJob.name, [ctx.slot], deps.config.ABANDON_AFTER_SECONDS)).get(ctx.slot);
    if (miniMif?.status === 'RUNNING' && !miniMif.stale) {
      const { RunDeferredError } = await import('../src/runs/execute.js');
      throw new RunDeferredError(`${miniMifJob.name} for ${ctx.slot} is still running; the alert waits for it (catch-up runs it when it has ended)`);
    }
    const { miniMifSlaAlert } = await import('../src/reports/alerts.js');
    const r = await miniMifSlaAlert(deps.pool, deps.config, ctx.slot, ctx.now);
    return { referrals: r.referrals, providers: r.providers };
  },
});

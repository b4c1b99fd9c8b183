// The mini-MIF SLA alert (daily): referrals still not sent MINI_MIF_SLA_DAYS after approval
// raise one liaison alert each.
import { DAILY } from '../src/calendar/slots.js';
import { declareJob, firesAt } from './job.js';

export const minimifSla = declareJob({
  name: 'minimif-sla',
  description: 'liaison alert: referrals unsent after the SLA days',
  ...firesAt('07:15', () => DAILY),
  catchUpLateDays: (config) => config.CATCH_UP_ALERT_DAYS,
  run: async (deps, ctx) => {
    const { miniMifSlaAlert } = await import('../src/reports/alerts.js');
    const r = await miniMifSlaAlert(deps.pool, deps.config, ctx.slot, ctx.now);
    return { referrals: r.referrals, providers: r.providers };
  },
});

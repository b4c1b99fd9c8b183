// The missing-submission digest (the day after each submission window closes: the 6th and the
// 11th by default): per liaison, providers with no accepted RTF, OTF or CSPRTF for the previous
// month, and files declined or rejected.
import { deadlinePolicyFromConfig } from '../src/calendar/deadlines.js';
import { missingAlertRule } from '../src/calendar/slots.js';
import { declareJob, firesAt } from './job.js';

export const missingAlert = declareJob({
  name: 'missing-alert',
  description: 'liaison digest of missing, declined and rejected submissions',
  ...firesAt('08:00', (config) => missingAlertRule(deadlinePolicyFromConfig(config))),
  catchUpLateDays: (config) => config.CATCH_UP_ALERT_DAYS,
  run: async (deps, ctx) => {
    const { missingSubmissionDigest } = await import('../src/reports/missing.js');
    const r = await missingSubmissionDigest(deps.pool, deps.config, ctx.slot, ctx.now);
    return { period: r.period, providersListed: r.rows.length, digests: r.digests, alreadySent: r.alreadySent, unrouted: r.unrouted };
  },
});

// The notify job (every 5 minutes, and once at start-up): sends the notifications that are due
// (recorded but not yet sent, or due a retry after a failed send); gives up on those still
// failing NOTIFY_GIVE_UP_HOURS after they were recorded (ops alerted).
import { declareJob } from './job.js';

/** The notify job's frequency: a failed send is retried after 1, 2, 4 … 60 minutes, checked this often. */
export const NOTIFY_CRON = '*/5 * * * *';

/** A notify pass with these counts all zero had nothing to send: idle (retention purges it after RUN_RETENTION_DAYS). */
export const NOTIFY_IDLE_COUNTS = ['sent', 'retrying', 'failed', 'gaveUp'] as const;

export const notify = declareJob({
  name: 'notify',
  description: 'send notifications that are due (first send or a retry after a failed one)',
  slotKind: 'fire',
  cron: () => NOTIFY_CRON,
  catchUp: 'startup',
  run: async (deps, ctx) => {
    const { deliverDue } = await import('../src/notify/mailer.js');
    return { ...(await deliverDue(deps.config, deps.pool, ctx.now, { signal: ctx.signal, faults: deps.faults })) };
  },
});

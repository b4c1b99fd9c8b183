// Retention (daily): the bytes of files exchanged more than BLOB_RETENTION_DAYS ago (before the
// run's instant, on the scheduler's clock) are purged; their hashes and the records pointing to
// them stay. Idle run-ledger attempts (a poll that found nothing) go after RUN_RETENTION_DAYS, the
// other attempts after BLOB_RETENTION_DAYS (never while catch-up could still read their slot);
// the bodies of notifications that ended go after NOTIFICATION_BODY_RETENTION_DAYS, with their
// .eml copies in DATA_DIR/outbox.
import { DAILY } from '../src/calendar/slots.js';
import { declareJob, firesAt } from './job.js';
import { NOTIFY_IDLE_COUNTS, notify } from './notify.js';
import { POLL_IDLE_COUNTS, poll } from './poll.js';

export const retention = declareJob({
  name: 'retention',
  description: 'purge file bytes, idle run attempts and notification bodies past their retention',
  ...firesAt('05:30', () => DAILY),
  run: async (deps, ctx) => {
    const { config, pool } = deps;
    const blobs = await (await import('../src/db/blobs.js')).purgeBlobs(pool, config.BLOB_RETENTION_DAYS, ctx.now);
    const runs = await (await import('../src/repositories/run-ledger.js')).purgeRuns(pool, {
      idle: [
        { job: poll.name, zeroCounts: POLL_IDLE_COUNTS },
        { job: notify.name, zeroCounts: NOTIFY_IDLE_COUNTS },
      ],
      idleDays: config.RUN_RETENTION_DAYS,
      recordDays: config.BLOB_RETENTION_DAYS,
      catchUpDays: config.CATCH_UP_DAYS,
      signal: ctx.signal,
    });
    const notifications = await import('../src/repositories/notifications.js');
    // the .eml copies (no SMTP_URL) hold the same bodies: removed first, so a run that stops in
    // between leaves no copy of a cleared body (the next run finds the rest)
    const copies = await notifications.outboxCopiesPastRetention(pool, config.NOTIFICATION_BODY_RETENTION_DAYS, ctx.now);
    const outboxFiles = await (await import('../src/notify/mailer.js')).removeOutboxCopies(config, copies);
    const bodies = await notifications.purgeNotificationBodies(pool, config.NOTIFICATION_BODY_RETENTION_DAYS, ctx.now);
    return { ...blobs, idleRuns: runs.idle, runs: runs.records, notificationBodies: bodies, outboxFiles };
  },
});

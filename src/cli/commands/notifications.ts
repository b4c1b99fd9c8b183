// `calaim-exchange notifications`: the notification outbox, newest first: what was sent, what
// is waiting for a retry, what was given up; times in the plan time zone.
import type { Command } from 'commander';
import { listNotifications, type NotificationSummary } from '../../repositories/notifications.js';
import { emit, table } from '../output.js';
import { withRuntime } from '../runtime.js';
import { localIso, localText } from '../../calendar/index.js';
import { countOption } from '../values.js';

interface Opts { failed?: boolean; limit?: string; json?: boolean }

const local = (d: Date | null, tz: string, f: (d: Date, tz: string) => string): string | null => (d ? f(d, tz) : null);

export function notificationJson(n: NotificationSummary, tz: string) {
  return {
    id: n.id,
    kind: n.kind,
    recipients: n.recipients,
    subject: n.subject,
    status: n.status,
    attempts: n.attempts,
    lastError: n.lastError,
    transport: n.transport,
    timeZone: tz,
    createdAt: localIso(n.createdAt, tz),
    lastAttemptAt: local(n.lastAttemptAt, tz, localIso),
    nextAttemptAt: local(n.nextAttemptAt, tz, localIso),
    sentAt: local(n.sentAt, tz, localIso),
    endedAt: local(n.endedAt, tz, localIso),
  };
}

export function registerNotifications(program: Command): void {
  program
    .command('notifications')
    .description('the notification outbox, newest first: sent, waiting for a retry, given up')
    .option('--failed', 'only those not delivered that have an error (FAILED, GAVE_UP, and PENDING being retried)')
    .option('--limit <N>', 'how many', '50')
    .option('--json', 'print one JSON array')
    .addHelpText('after', `
Every email is recorded before it is sent. Statuses: PENDING (not sent yet; after a failed
attempt the notify job retries it with exponential backoff), SENT, GAVE_UP (still not sent
NOTIFY_GIVE_UP_HOURS after it was recorded; ops alerted), FAILED (refused for good by the mail
server; ops alerted). Times are in the plan time zone (PLAN_TIME_ZONE).

Examples:
  calaim-exchange notifications --failed
  calaim-exchange notifications --limit 10 --json`)
    .action(async (opts: Opts) => {
      const limit = countOption(opts.limit ?? '50', '--limit');
      await withRuntime(async ({ config, db }) => {
        const tz = config.PLAN_TIME_ZONE;
        const rows = await listNotifications(db.pool, { failed: opts.failed, limit });
        emit(opts, rows.map((n) => notificationJson(n, tz)), () =>
          rows.length === 0
            ? opts.failed ? 'no undelivered notifications' : 'no notifications'
            : `notifications, newest first; times in ${tz}\n\n` +
              table(
                ['id', 'kind', 'to', 'subject', 'status', 'tries', `recorded (${tz})`, 'sent / next try', 'last error'],
                rows.map((n) => [
                  n.id, n.kind, n.recipients.length === 1 ? n.recipients[0] : `${n.recipients.length} recipients`, n.subject, n.status, n.attempts,
                  localText(n.createdAt, tz),
                  n.sentAt ? localText(n.sentAt, tz) : n.status === 'PENDING' && n.nextAttemptAt ? `next ${localText(n.nextAttemptAt, tz)}` : '',
                  n.lastError ?? '',
                ]),
              ),
        );
      });
    });
}

// The notification outbox (DESIGN: durable notifications): rows recorded before they are sent,
// claimed under FOR UPDATE SKIP LOCKED, marked once when they end. The sending itself (SMTP or
// an .eml file, backoff, ops alerts) is src/notify/mailer.ts. Claims and the retry schedule
// (claimed_until, next_attempt_at, queued_at) are on the database's clock (now()): they are
// agreements between the processes that send, not business time (a caller's `now` may be a
// pinned --now, or a host clock that is off; two senders whose clocks differ by the claim time
// would both send a row). The caller's `now` is what the records say happened when: created_at,
// last_attempt_at, sent_at, ended_at.
import type pg from 'pg';

export type Db = pg.Pool | pg.PoolClient;

export type NotificationStatus = 'PENDING' | 'SENT' | 'FAILED' | 'GAVE_UP';
export type NotificationTransport = 'smtp' | 'outbox' | null;

export interface NotificationRow {
  id: number;
  kind: string;
  recipients: string[];
  subject: string;
  body: string | null;
  status: NotificationStatus;
  transport: NotificationTransport;
  location: string | null;
  attempts: number;
  dedupe_key: string | null;
  created_at: Date;
}

/** A claimed row, with the database's clock at the claim and when the row was recorded on it. */
export interface ClaimedNotification extends NotificationRow {
  queued_at: Date;
  claimed_at: Date;
}

export type NotificationState = Pick<NotificationRow, 'id' | 'status' | 'transport' | 'location'>;

export interface NewNotification {
  kind: string;
  to: string[];
  subject: string;
  text: string;
  attachments: { filename: string; content: Buffer }[];
  key: string | null;
}

/**
 * Records a PENDING row and its attachments in one statement (together or not at all), due at
 * once and queued now on the database's clock, created at `now` (the message's time). Returns
 * its id, or undefined when a row with the same key was recorded before.
 */
export async function recordNotification(db: Db, msg: NewNotification, now: Date): Promise<number | undefined> {
  const ins = await db.query<{ id: number }>(
    `with n as (
       insert into notifications (kind, recipients, subject, body, status, attempts, next_attempt_at, queued_at, dedupe_key, created_at)
       values ($1, $2, $3, $4, 'PENDING', 0, now(), now(), $6, $5)
       on conflict (dedupe_key) where dedupe_key is not null do nothing
       returning id),
     a as (
       insert into notification_attachments (notification_id, position, filename, content)
       select n.id, x.ord, x.filename, x.content from n, unnest($7::text[], $8::bytea[]) with ordinality as x(filename, content, ord))
     select id from n`,
    [msg.kind, msg.to, msg.subject, msg.text, now, msg.key, msg.attachments.map((a) => a.filename), msg.attachments.map((a) => a.content)],
  );
  const id = ins.rows[0]?.id;
  return id === undefined ? undefined : Number(id);
}

export async function notificationByKey(db: Db, key: string): Promise<NotificationState | undefined> {
  return (await db.query<NotificationState>('select id, status, transport, location from notifications where dedupe_key = $1', [key])).rows[0];
}

export async function notificationById(db: Db, id: number): Promise<NotificationState | undefined> {
  return (await db.query<NotificationState>('select id, status, transport, location from notifications where id = $1', [id])).rows[0];
}

/**
 * Claims one PENDING row (that one, or the next due one) for claimSeconds on the database's
 * clock: a status lease taken under FOR UPDATE SKIP LOCKED, so two senders never hold the same
 * row, whatever their own clocks say. Counts the attempt at the claim (an attempt cut short by
 * a crash counts too), made at `now` as the records tell it.
 */
export async function claimNotification(db: Db, now: Date, claimSeconds: number, id?: number): Promise<ClaimedNotification | undefined> {
  const r = await db.query<ClaimedNotification>(
    `update notifications n set claimed_until = now() + make_interval(secs => $2), attempts = n.attempts + 1, last_attempt_at = $1
      where n.id = (
        select id from notifications
         where status = 'PENDING' and (claimed_until is null or claimed_until <= now())
           and ${id === undefined ? 'next_attempt_at <= now()' : 'id = $3'}
         order by next_attempt_at, id
         for update skip locked limit 1)
      returning n.id, n.kind, n.recipients, n.subject, n.body, n.status, n.transport, n.location, n.attempts, n.dedupe_key, n.created_at,
                n.queued_at, now() as claimed_at`,
    id === undefined ? [now, claimSeconds] : [now, claimSeconds, id],
  );
  return r.rows[0];
}

export async function notificationAttachments(db: Db, id: number): Promise<{ filename: string; content: Buffer }[]> {
  return (await db.query<{ filename: string; content: Buffer }>(
    'select filename, content from notification_attachments where notification_id = $1 order by position', [id],
  )).rows;
}

export async function markNotificationSent(db: Db, id: number, transport: 'smtp' | 'outbox', location: string, now: Date): Promise<void> {
  await db.query(
    `update notifications set status = 'SENT', transport = $2, location = $3, sent_at = $4, ended_at = $4, claimed_until = null, next_attempt_at = null, last_error = null
      where id = $1 and status = 'PENDING'`,
    [id, transport, location, now],
  );
}

/**
 * A failed attempt: PENDING again retryInSeconds from now on the database's clock (a retry), or
 * ended at `now` (FAILED, GAVE_UP). Returns when the retry is due (null: ended).
 */
export async function markNotificationFailed(
  db: Db, id: number, status: Exclude<NotificationStatus, 'SENT'>, error: string, retryInSeconds: number, now: Date,
): Promise<Date | null> {
  const r = await db.query<{ next_attempt_at: Date | null }>(
    `update notifications set status = $2, last_error = $3, claimed_until = null,
            next_attempt_at = case when $2 = 'PENDING' then now() + make_interval(secs => $4) end,
            ended_at = case when $2 = 'PENDING' then null else $5::timestamptz end
      where id = $1 and status = 'PENDING'
      returning next_attempt_at`,
    [id, status, error, retryInSeconds, now],
  );
  return r.rows[0]?.next_attempt_at ?? null;
}

export interface NotificationSummary {
  id: number;
  kind: string;
  recipients: string[];
  subject: string;
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  sentAt: Date | null;
  endedAt: Date | null;
  transport: NotificationTransport;
}

/**
 * Notifications, newest first. `failed`: those not delivered that have an error: FAILED,
 * GAVE_UP, and PENDING ones whose last attempt failed (being retried).
 */
export async function listNotifications(db: Db, opts: { failed?: boolean; limit: number }): Promise<NotificationSummary[]> {
  const r = await db.query<{
    id: number; kind: string; recipients: string[]; subject: string; status: NotificationStatus; attempts: number; last_error: string | null;
    created_at: Date; last_attempt_at: Date | null; next_attempt_at: Date | null; sent_at: Date | null; ended_at: Date | null; transport: NotificationTransport;
  }>(
    `select id, kind, recipients, subject, status, attempts, last_error, created_at, last_attempt_at, next_attempt_at, sent_at, ended_at, transport
       from notifications
      where not $1 or status in ('FAILED', 'GAVE_UP') or (status = 'PENDING' and last_error is not null)
      order by created_at desc, id desc limit $2`,
    [opts.failed ?? false, opts.limit],
  );
  return r.rows.map((x) => ({
    id: Number(x.id), kind: x.kind, recipients: x.recipients, subject: x.subject, status: x.status, attempts: x.attempts, lastError: x.last_error,
    createdAt: x.created_at, lastAttemptAt: x.last_attempt_at, nextAttemptAt: x.next_attempt_at, sentAt: x.sent_at, endedAt: x.ended_at, transport: x.transport,
  }));
}

/** A notification that ended (SENT, FAILED, GAVE_UP) more than $1 days before $2, its body not yet cleared. */
const BODY_PAST_RETENTION = `status <> 'PENDING' and body_purged_at is null
          and coalesce(ended_at, sent_at, created_at) < $2::timestamptz - make_interval(days => $1)`;

/**
 * The .eml copies (transport 'outbox', written without SMTP_URL) of the notifications
 * purgeNotificationBodies is about to clear: the copy holds the same body, and goes first.
 */
export async function outboxCopiesPastRetention(db: Db, days: number, now: Date): Promise<string[]> {
  const r = await db.query<{ location: string }>(
    `select location from notifications where transport = 'outbox' and location is not null and ${BODY_PAST_RETENTION}`,
    [days, now],
  );
  return r.rows.map((x) => x.location);
}

/**
 * [POLICY] NOTIFICATION_BODY_RETENTION_DAYS: a notification that ended (SENT, FAILED, GAVE_UP)
 * more than `days` before `now` (its own times are the recording command's) loses its body and
 * attachments (an SLA alert names members); its kind, recipients, subject, status and times stay.
 * Returns how many were cleared.
 */
export async function purgeNotificationBodies(db: Db, days: number, now: Date): Promise<number> {
  const r = await db.query<{ n: number }>(
    `with p as (
       update notifications set body = null, body_purged_at = $2
        where ${BODY_PAST_RETENTION}
        returning id),
     a as (delete from notification_attachments where notification_id in (select id from p))
     select count(*)::int n from p`,
    [days, now],
  );
  return r.rows[0]!.n;
}

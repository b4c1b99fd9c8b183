// Notifications are an outbox (DESIGN: durable notifications): every email is recorded in
// `notifications` (recipients, subject, body, attachments) before it is sent, then sent. SMTP
// when SMTP_URL is set, otherwise an .eml file in DATA_DIR/outbox that a person can open
// (written and marked SENT at once, as before). A send that fails stays PENDING and the
// `notify` job retries it with exponential backoff until it is SENT, or GAVE_UP after
// NOTIFY_GIVE_UP_HOURS; a message the server refuses for good (5xx) is FAILED. Both alert ops
// (a log error and, with OPS_EMAIL, an email). Bodies carry file names, counts and outcomes;
// never member names or DOBs. Errors recorded and logged are the mail server's, never a body.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type pg from 'pg';
import { spellInstant } from '../calendar/zone.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config.js';
import { faultPoint } from '../fault-points.js';
import { log } from '../log.js';

export interface Message {
  kind: string;
  to: string[];
  subject: string;
  text: string;
  attachments?: { filename: string; content: Buffer }[];
  /**
   * Recorded once per key: a retry after a crash (the caller could not record that it handed
   * the message over) finds the row and does not send it again. A row is sent once: exactly once
   * for the outbox (the .eml's name follows from the key and is created exclusively); for SMTP,
   * once unless the process dies between the server accepting it and the row being marked SENT.
   */
  key?: string;
}

export type NotificationStatus = 'PENDING' | 'SENT' | 'FAILED' | 'GAVE_UP';

export interface Sent {
  id: number;
  status: NotificationStatus;
  transport: 'smtp' | 'outbox' | null;
  location: string | null;
}

export type Db = pg.Pool | pg.PoolClient;

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);

/** First retry after this long; each further retry waits twice as long, up to BACKOFF_MAX_MS. */
export const BACKOFF_BASE_MS = 60_000;
export const BACKOFF_MAX_MS = 60 * 60_000;
/** A claimed row is someone's to send for this long (beyond every SMTP timeout below). */
export const CLAIM_MS = 10 * 60_000;
const SMTP_TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

/** The wait before attempt `attempts + 1`, after `attempts` failed ones. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

interface Row {
  id: number;
  kind: string;
  recipients: string[];
  subject: string;
  body: string | null;
  status: NotificationStatus;
  transport: Sent['transport'];
  location: string | null;
  attempts: number;
  dedupe_key: string | null;
  created_at: Date;
}

const toSent = (r: Pick<Row, 'id' | 'status' | 'transport' | 'location'>): Sent => ({ id: Number(r.id), status: r.status, transport: r.transport, location: r.location });

/**
 * Records the message (PENDING) and tries to send it at once. Never throws for a mail problem:
 * the message stays PENDING and the notify job retries it. Throws only when the message cannot
 * be recorded (the database). A keyed message recorded before is not recorded or sent again.
 */
export async function sendNotification(config: Config, pool: Db, msg: Message, now: Date = systemClock()): Promise<Sent | null> {
  const to = [...new Set(msg.to.filter(Boolean))];
  if (to.length === 0) {
    log.warn({ kind: msg.kind }, 'notification has no recipients; not sent');
    return null;
  }
  const att = msg.attachments ?? [];
  // One statement: the row and its attachments are recorded together or not at all.
  const ins = await pool.query<{ id: number }>(
    `with n as (
       insert into notifications (kind, recipients, subject, body, status, attempts, next_attempt_at, dedupe_key, created_at)
       values ($1, $2, $3, $4, 'PENDING', 0, $5, $6, $5)
       on conflict (dedupe_key) where dedupe_key is not null do nothing
       returning id),
     a as (
       insert into notification_attachments (notification_id, position, filename, content)
       select n.id, x.ord, x.filename, x.content from n, unnest($7::text[], $8::bytea[]) with ordinality as x(filename, content, ord))
     select id from n`,
    [msg.kind, to, msg.subject, msg.text, now, msg.key ?? null, att.map((a) => a.filename), att.map((a) => a.content)],
  );
  let id = ins.rows[0]?.id;
  if (id === undefined) {
    const had = (await pool.query<Row>('select id, status, transport, location from notifications where dedupe_key = $1', [msg.key])).rows[0]!;
    if (had.status !== 'PENDING') {
      log.info({ kind: msg.kind, notificationId: had.id, status: had.status }, 'notification already recorded; not sent again');
      return toSent(had);
    }
    id = had.id;
  }
  const r = await deliver(config, pool, now, Number(id));
  return r ? toSent(r) : toSent((await pool.query<Row>('select id, status, transport, location from notifications where id = $1', [id])).rows[0]!);
}

/**
 * Claims one PENDING row (that one, or the next due one) for CLAIM_MS: the claim is a status
 * lease taken under FOR UPDATE SKIP LOCKED, so two senders never hold the same row. Counts the
 * attempt at the claim (an attempt cut short by a crash counts too).
 */
async function claim(pool: Db, now: Date, id?: number): Promise<Row | undefined> {
  const r = await pool.query<Row>(
    `update notifications n set claimed_until = $1::timestamptz + make_interval(secs => $2), attempts = n.attempts + 1, last_attempt_at = $1
      where n.id = (
        select id from notifications
         where status = 'PENDING' and (claimed_until is null or claimed_until <= $1)
           and ${id === undefined ? 'next_attempt_at <= $1' : 'id = $3'}
         order by next_attempt_at, id
         for update skip locked limit 1)
      returning n.id, n.kind, n.recipients, n.subject, n.body, n.status, n.transport, n.location, n.attempts, n.dedupe_key, n.created_at`,
    id === undefined ? [now, CLAIM_MS / 1000] : [now, CLAIM_MS / 1000, id],
  );
  return r.rows[0];
}

/** Sends a claimed row; records SENT, or the failure (retry, FAILED or GAVE_UP). */
async function sendClaimed(config: Config, pool: Db, now: Date, row: Row): Promise<Sent & { serverDown?: boolean }> {
  const attachments = (await pool.query<{ filename: string; content: Buffer }>(
    'select filename, content from notification_attachments where notification_id = $1 order by position', [row.id],
  )).rows;
  const mail = { from: config.MAIL_FROM, to: row.recipients, subject: row.subject, text: row.body ?? '', attachments };
  let transport: 'smtp' | 'outbox';
  let location: string;
  try {
    if (config.SMTP_URL) {
      const t = nodemailer.createTransport({ url: config.SMTP_URL, ...SMTP_TIMEOUTS });
      try {
        const info = await t.sendMail(mail);
        transport = 'smtp';
        location = String(info.messageId);
      } finally {
        t.close();
      }
    } else {
      transport = 'outbox';
      location = await writeEml(config, row, mail);
    }
  } catch (err) {
    return failed(config, pool, now, row, err as Error & { code?: string; responseCode?: number });
  }
  faultPoint('notify-after-send');
  await pool.query(
    `update notifications set status = 'SENT', transport = $2, location = $3, sent_at = $4, ended_at = $4, claimed_until = null, next_attempt_at = null, last_error = null
      where id = $1 and status = 'PENDING'`,
    [row.id, transport, location, now],
  );
  log.info({ kind: row.kind, notificationId: Number(row.id), transport, recipients: row.recipients.length, attempts: row.attempts }, 'notification sent');
  return { id: Number(row.id), status: 'SENT', transport, location };
}

async function writeEml(config: Config, row: Row, mail: nodemailer.SendMailOptions): Promise<string> {
  const built = await nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }).sendMail(mail);
  const dir = path.join(config.dataDir, 'outbox');
  await fs.promises.mkdir(dir, { recursive: true });
  // One name per key (or per row: its recording time and id), created exclusively: an earlier
  // attempt's file (a crash before the row was marked SENT) means it was written.
  const file = row.dedupe_key
    ? path.join(dir, `${safe(row.kind)}_${safe(row.subject)}_${createHash('sha256').update(row.dedupe_key).digest('hex').slice(0, 12)}.eml`)
    : path.join(dir, `${row.created_at.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}_${safe(row.kind)}_${safe(row.subject)}_n${Number(row.id)}.eml`);
  try {
    await fs.promises.writeFile(file, built.message as Buffer, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    log.info({ kind: row.kind, notificationId: Number(row.id) }, 'notification already in the outbox; not written again');
  }
  return file;
}

/** The mail server's error, without the message: code, reply code, first line, bounded. */
export function mailError(err: Error & { code?: string; responseCode?: number }): string {
  const first = (err.message ?? '').split(/\r?\n/)[0]!.slice(0, 300);
  return [err.code, err.responseCode, first].filter((x) => x !== undefined && x !== '').join(' ');
}

/** The mail server could not be reached or spoken to: every other message would fail the same way now. */
const SERVER_DOWN = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EAUTH', 'EPROTOCOL']);

/** A refusal for good: the server answered the recipients or the message with a 5xx reply. */
const permanent = (err: { code?: string; responseCode?: number }): boolean =>
  (err.code === 'EENVELOPE' || err.code === 'EMESSAGE') && (err.responseCode ?? 0) >= 500;

async function failed(config: Config, pool: Db, now: Date, row: Row, err: Error & { code?: string; responseCode?: number }): Promise<Sent & { serverDown?: boolean }> {
  const error = mailError(err);
  const giveUpAt = row.created_at.getTime() + config.NOTIFY_GIVE_UP_HOURS * 3_600_000;
  const next = new Date(now.getTime() + backoffMs(row.attempts));
  const status: NotificationStatus = permanent(err) ? 'FAILED' : now.getTime() >= giveUpAt ? 'GAVE_UP' : 'PENDING';
  await pool.query(
    `update notifications set status = $2, last_error = $3, claimed_until = null,
            next_attempt_at = case when $2 = 'PENDING' then $4::timestamptz end, ended_at = case when $2 = 'PENDING' then null else $5::timestamptz end
      where id = $1 and status = 'PENDING'`,
    [row.id, status, error, next, now],
  );
  const ctx = { kind: row.kind, notificationId: Number(row.id), attempts: row.attempts, error };
  if (status === 'PENDING') {
    log.warn({ ...ctx, nextAttemptAt: next.toISOString() }, 'notification not sent; it stays PENDING and is retried');
  } else {
    log.error({ ...ctx, status }, status === 'FAILED' ? 'notification refused by the mail server; not retried (ops alerted)' : `notification not sent within NOTIFY_GIVE_UP_HOURS (${config.NOTIFY_GIVE_UP_HOURS}); given up (ops alerted)`);
    await alertOps(config, pool, now, row, status, error);
  }
  return { id: Number(row.id), status, transport: null, location: null, serverDown: SERVER_DOWN.has(err.code ?? '') };
}

/** Ops hear of a notification that will not go out: an email to OPS_EMAIL (once per row), never about an ops alert itself. */
async function alertOps(config: Config, pool: Db, now: Date, row: Row, status: NotificationStatus, error: string): Promise<void> {
  if (!config.OPS_EMAIL || row.kind === OPS_KIND) return;
  await sendNotification(config, pool, {
    kind: OPS_KIND,
    to: [config.OPS_EMAIL],
    subject: `Notification ${Number(row.id)} (${row.kind}) ${status === 'FAILED' ? 'refused by the mail server' : 'given up'}`,
    text: [
      `Notification ${Number(row.id)} (${row.kind}) to ${row.recipients.length} recipient(s) was not delivered: ${status}.`,
      `Recorded ${spellInstant(row.created_at, config.PLAN_TIME_ZONE)}, ${row.attempts} attempt(s); last error: ${error}`,
      '',
      'See: calaim-exchange notifications --failed',
    ].join('\n'),
    key: `ops-alert:${Number(row.id)}`,
  }, now).catch((e: Error) => log.error({ notificationId: Number(row.id), err: { message: e.message } }, 'could not record the ops alert'));
}

export const OPS_KIND = 'ops-notification-undelivered';

async function deliver(config: Config, pool: Db, now: Date, id?: number): Promise<(Sent & { serverDown?: boolean }) | undefined> {
  const row = await claim(pool, now, id);
  return row ? sendClaimed(config, pool, now, row) : undefined;
}

export interface DeliverCounts { sent: number; retrying: number; failed: number; gaveUp: number }

/**
 * The notify job: sends every PENDING message that is due (oldest first), one at a time, until
 * none is due or `signal` aborts. A mail server that cannot be reached ends the pass (the rest
 * stay due for the next one) instead of waiting out a timeout per message.
 */
export async function deliverDue(config: Config, pool: Db, now: Date, opts: { signal?: AbortSignal; limit?: number } = {}): Promise<DeliverCounts> {
  const counts: DeliverCounts = { sent: 0, retrying: 0, failed: 0, gaveUp: 0 };
  const limit = opts.limit ?? 500;
  for (let i = 0; i < limit && !opts.signal?.aborted; i++) {
    const r = await deliver(config, pool, now);
    if (!r) break;
    if (r.status === 'SENT') counts.sent++;
    else if (r.status === 'PENDING') counts.retrying++;
    else if (r.status === 'FAILED') counts.failed++;
    else counts.gaveUp++;
    if (r.serverDown) break;
  }
  return counts;
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
  transport: Sent['transport'];
}

/**
 * Notifications, newest first. `failed`: those not delivered that have an error: FAILED,
 * GAVE_UP, and PENDING ones whose last attempt failed (being retried).
 */
export async function listNotifications(pool: Db, opts: { failed?: boolean; limit: number }): Promise<NotificationSummary[]> {
  const r = await pool.query<{
    id: number; kind: string; recipients: string[]; subject: string; status: NotificationStatus; attempts: number; last_error: string | null;
    created_at: Date; last_attempt_at: Date | null; next_attempt_at: Date | null; sent_at: Date | null; ended_at: Date | null; transport: Sent['transport'];
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

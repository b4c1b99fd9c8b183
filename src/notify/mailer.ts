// Notifications are an outbox (DESIGN: durable notifications): every email is recorded in
// `notifications` (recipients, subject, body, attachments) before it is sent, then sent. SMTP
// when SMTP_URL is set, otherwise an .eml file in DATA_DIR/outbox that a person can open
// (written and marked SENT at once, as before). A send that fails stays PENDING and the
// `notify` job retries it with exponential backoff until it is SENT, or GAVE_UP after
// NOTIFY_GIVE_UP_HOURS (both on the database's clock, as the claims: src/repositories/
// notifications.ts); a message the server refuses for good (5xx) is FAILED. Both alert ops
// (a log error and, with OPS_EMAIL, an email). Bodies carry file names, counts and outcomes;
// never member names or DOBs. Errors recorded and logged are the mail server's, never a body.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { distinctAddresses } from '../email-address.js';
import nodemailer from 'nodemailer';
import { spellInstant } from '../calendar/zone.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config.js';
import { NO_FAULTS, type FaultPoints } from '../fault-points.js';
import { log } from '../log.js';
import {
  claimNotification, markNotificationFailed, markNotificationSent, notificationAttachments, notificationById, notificationByKey, recordNotification,
  type ClaimedNotification as Row, type Db, type NotificationState, type NotificationStatus, type NotificationTransport,
} from '../repositories/notifications.js';

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
   * once unless the process dies between the server accepting it and the row being marked SENT
   * (then it is sent again, under the same Message-ID: messageIdOf).
   */
  key?: string;
}

export interface Sent {
  id: number;
  status: NotificationStatus;
  transport: NotificationTransport;
  location: string | null;
}

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

/**
 * Each person once, as first spelled: a message about several contracts names the same contact
 * or liaison once per contract, not always in the same case (the domain part of an address is
 * case-insensitive, and no mailbox here tells case apart). Blanks (a contract with no address)
 * are left out.
 */
export function recipientsOf(msg: Pick<Message, 'to'>): string[] {
  return distinctAddresses(msg.to);
}

const toSent = (r: NotificationState): Sent => ({ id: Number(r.id), status: r.status, transport: r.transport, location: r.location });

/**
 * Records the message (PENDING) without sending it, in the caller's transaction: it goes out
 * when the transaction commits, with `sendNotification` of the same key right after, or with the
 * notify job's next pass if the process stops first. Returns whether it was recorded (one
 * recorded before under its key is not recorded again). A message nobody is on file to receive
 * is recorded too: its send fails it for that (sendClaimed), so it is listed and ops hear of it.
 */
export async function queueNotification(db: Db, msg: Message & { key: string }, now: Date): Promise<boolean> {
  return (await recordNotification(db, { kind: msg.kind, to: recipientsOf(msg), subject: msg.subject, text: msg.text, attachments: msg.attachments ?? [], key: msg.key }, now)) !== undefined;
}

/**
 * The error of a message with no recipient: a contract with neither a contact nor a liaison
 * address (the providers import allows one). [POLICY] Not retried (nothing will change until
 * someone adds an address); failed at once and ops alerted, never silently dropped.
 */
export const NO_RECIPIENT = "no recipient on file (no contact or liaison address on the provider's contracts it is about)";

/**
 * Records the message (PENDING) and tries to send it at once. Never throws for a mail problem:
 * the message stays PENDING and the notify job retries it. Throws only when the message cannot
 * be recorded (the database). A keyed message recorded before is not recorded or sent again.
 */
/** @param faults crash tests only: called at the fault point between sending and recording it */
export async function sendNotification(config: Config, pool: Db, msg: Message, now: Date = systemClock(), faults: FaultPoints = NO_FAULTS): Promise<Sent> {
  const to = recipientsOf(msg);
  const att = msg.attachments ?? [];
  let id = await recordNotification(pool, { kind: msg.kind, to, subject: msg.subject, text: msg.text, attachments: att, key: msg.key ?? null }, now);
  if (id === undefined) {
    const had = (await notificationByKey(pool, msg.key!))!;
    if (had.status !== 'PENDING') {
      log.info({ kind: msg.kind, notificationId: had.id, status: had.status }, 'notification already recorded; not sent again');
      return toSent(had);
    }
    id = Number(had.id);
  }
  const r = await deliver(config, pool, now, faults, Number(id));
  return toSent(r ?? (await notificationById(pool, id))!);
}

/**
 * The row's Message-ID, the same at every attempt: a message the SMTP server accepted but that
 * was not recorded SENT (the process stopped in between) is sent again once its claim expires,
 * and mail systems and readers that fold duplicates by Message-ID then show it once.
 */
function messageIdOf(config: Config, row: Pick<Row, 'id' | 'created_at' | 'dedupe_key'>): string {
  const domain = /@([A-Za-z0-9.-]+)/.exec(config.MAIL_FROM)?.[1] ?? 'calaim-exchange.invalid';
  const mark = createHash('sha256').update(`${Number(row.id)}|${row.created_at.toISOString()}|${row.dedupe_key ?? ''}`).digest('hex').slice(0, 16);
  return `<notification-${Number(row.id)}.${mark}@${domain}>`;
}

/** Sends a claimed row; records SENT, or the failure (retry, FAILED or GAVE_UP). */
async function sendClaimed(config: Config, pool: Db, now: Date, row: Row, faults: FaultPoints): Promise<Sent & { serverDown?: boolean }> {
  if (row.recipients.length === 0) {
    await markNotificationFailed(pool, Number(row.id), 'FAILED', NO_RECIPIENT, 0, now);
    log.error({ kind: row.kind, notificationId: Number(row.id) }, 'notification has no recipient on file; not sent (ops alerted)');
    await alertUndelivered(config, pool, now, row, 'FAILED', NO_RECIPIENT, 'has no recipient on file');
    return { id: Number(row.id), status: 'FAILED', transport: null, location: null };
  }
  const attachments = await notificationAttachments(pool, Number(row.id));
  // (dated by the send's clock, as the record's times are: a replay's --now, never the wall clock)
  const mail = { from: config.MAIL_FROM, to: row.recipients, subject: row.subject, text: row.body ?? '', attachments, messageId: messageIdOf(config, row), date: now };
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
  faults('notify-after-send');
  await markNotificationSent(pool, Number(row.id), transport, location, now);
  log.info({ kind: row.kind, notificationId: Number(row.id), transport, recipients: row.recipients.length, attempts: row.attempts }, 'notification sent');
  return { id: Number(row.id), status: 'SENT', transport, location };
}

/** Where notifications go as .eml files when there is no SMTP_URL. */
const outboxDir = (config: Config): string => path.resolve(config.dataDir, 'outbox');

/**
 * Removes the outbox's .eml copies of notifications whose bodies are cleared (retention: the copy
 * holds the same body). Only files directly in this DATA_DIR's outbox are touched: a location
 * recorded elsewhere (another DATA_DIR, moved by hand) is left as it is. Returns how many went.
 */
export async function removeOutboxCopies(config: Config, locations: readonly string[]): Promise<number> {
  const dir = outboxDir(config);
  let removed = 0;
  for (const location of locations) {
    const file = path.resolve(location);
    if (path.dirname(file) !== dir || !file.endsWith('.eml')) continue;
    try {
      await fs.promises.unlink(file);
      removed++;
    } catch (err) {
      // gone already (an earlier run that stopped before clearing the bodies, or removed by hand)
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return removed;
}

async function writeEml(config: Config, row: Row, mail: nodemailer.SendMailOptions): Promise<string> {
  const built = await nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }).sendMail(mail);
  const dir = outboxDir(config);
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
  // The retry schedule is the database's clock (the claim's time against when the row was
  // recorded on it), like the claims: `now` may be a pinned --now far from when it was queued.
  const giveUpAt = row.queued_at.getTime() + config.NOTIFY_GIVE_UP_HOURS * 3_600_000;
  const status: Exclude<NotificationStatus, 'SENT'> = permanent(err) ? 'FAILED' : row.claimed_at.getTime() >= giveUpAt ? 'GAVE_UP' : 'PENDING';
  const next = await markNotificationFailed(pool, Number(row.id), status, error, backoffMs(row.attempts) / 1000, now);
  const ctx = { kind: row.kind, notificationId: Number(row.id), attempts: row.attempts, error };
  if (status === 'PENDING') {
    log.warn({ ...ctx, nextAttemptAt: next?.toISOString() }, 'notification not sent; it stays PENDING and is retried');
  } else {
    log.error({ ...ctx, status }, status === 'FAILED' ? 'notification refused by the mail server; not retried (ops alerted)' : `notification not sent within NOTIFY_GIVE_UP_HOURS (${config.NOTIFY_GIVE_UP_HOURS}); given up (ops alerted)`);
    await alertUndelivered(config, pool, now, row, status, error, status === 'FAILED' ? 'refused by the mail server' : 'given up');
  }
  return { id: Number(row.id), status, transport: null, location: null, serverDown: SERVER_DOWN.has(err.code ?? '') };
}

/**
 * An email to ops (OPS_EMAIL; none when unset: the caller's error log has it), once per `key`.
 * Its kind starts with `ops-`. Never throws: what it is about happened already.
 */
export async function alertOps(config: Config, pool: Db, msg: Omit<Message, 'to'> & { kind: `ops-${string}`; key: string }, now: Date): Promise<void> {
  if (!config.OPS_EMAIL) return;
  await sendNotification(config, pool, { ...msg, to: [config.OPS_EMAIL] }, now)
    .catch((e: Error) => log.error({ kind: msg.kind, err: { message: e.message } }, 'could not record the ops alert'));
}

/**
 * Ops hear of a notification that will not go out (once per row), never about an ops alert
 * itself; `why` ends the subject ("refused by the mail server").
 */
async function alertUndelivered(config: Config, pool: Db, now: Date, row: Row, status: NotificationStatus, error: string, why: string): Promise<void> {
  if (row.kind.startsWith('ops-')) return;
  await alertOps(config, pool, {
    kind: OPS_KIND,
    subject: `Notification ${Number(row.id)} (${row.kind}) ${why}`,
    text: [
      `Notification ${Number(row.id)} (${row.kind}) to ${row.recipients.length} recipient(s) was not delivered: ${status}.`,
      `Recorded ${spellInstant(row.created_at, config.PLAN_TIME_ZONE)}, ${row.attempts} attempt(s); last error: ${error}`,
      '',
      'See: calaim-exchange notifications --failed',
    ].join('\n'),
    key: `ops-alert:${Number(row.id)}`,
  }, now);
}

export const OPS_KIND = 'ops-notification-undelivered';

async function deliver(config: Config, pool: Db, now: Date, faults: FaultPoints, id?: number): Promise<(Sent & { serverDown?: boolean }) | undefined> {
  const row = await claimNotification(pool, now, CLAIM_MS / 1000, id);
  return row ? sendClaimed(config, pool, now, row, faults) : undefined;
}

export interface DeliverCounts { sent: number; retrying: number; failed: number; gaveUp: number }

/**
 * The notify job: sends every PENDING message that is due (oldest first), one at a time, until
 * none is due or `signal` aborts. A mail server that cannot be reached ends the pass (the rest
 * stay due for the next one) instead of waiting out a timeout per message.
 */
export async function deliverDue(config: Config, pool: Db, now: Date, opts: { signal?: AbortSignal; limit?: number; faults?: FaultPoints } = {}): Promise<DeliverCounts> {
  const counts: DeliverCounts = { sent: 0, retrying: 0, failed: 0, gaveUp: 0 };
  const limit = opts.limit ?? 500;
  for (let i = 0; i < limit && !opts.signal?.aborted; i++) {
    const r = await deliver(config, pool, now, opts.faults ?? NO_FAULTS);
    if (!r) break;
    if (r.status === 'SENT') counts.sent++;
    else if (r.status === 'PENDING') counts.retrying++;
    else if (r.status === 'FAILED') counts.failed++;
    else counts.gaveUp++;
    if (r.serverDown) break;
  }
  return counts;
}

// Notifications: SMTP when SMTP_URL is set, otherwise an .eml file in DATA_DIR/outbox that a
// person can open. Bodies carry file names, counts and outcomes; never member names or DOBs.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type pg from 'pg';
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
   * Sent once per key: a retry after a crash (the caller could not record that it sent) does
   * not send it again. Exactly once for the outbox (the .eml's name follows from the key and is
   * created exclusively); for SMTP, once unless the process dies between the server accepting
   * the message and the notification row being written.
   */
  key?: string;
}

export interface Sent { transport: 'smtp' | 'outbox'; location: string | null }

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);

export async function sendNotification(config: Config, pool: pg.Pool | pg.PoolClient, msg: Message): Promise<Sent | null> {
  const to = [...new Set(msg.to.filter(Boolean))];
  if (to.length === 0) {
    log.warn({ kind: msg.kind }, 'notification has no recipients; not sent');
    return null;
  }
  if (msg.key) {
    const had = await pool.query<{ transport: Sent['transport']; location: string | null }>('select transport, location from notifications where dedupe_key = $1', [msg.key]);
    if (had.rows[0]) {
      log.info({ kind: msg.kind }, 'notification already sent; not sent again');
      return had.rows[0];
    }
  }
  const mail = { from: config.MAIL_FROM, to, subject: msg.subject, text: msg.text, attachments: msg.attachments };
  let sent: Sent;
  if (config.SMTP_URL) {
    const transport = nodemailer.createTransport(config.SMTP_URL);
    const info = await transport.sendMail(mail);
    sent = { transport: 'smtp', location: String(info.messageId) };
  } else {
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    const info = await transport.sendMail(mail);
    const dir = path.join(config.dataDir, 'outbox');
    await fs.promises.mkdir(dir, { recursive: true });
    if (msg.key) {
      // One name per key, created exclusively: an earlier attempt's file means it was sent.
      const file = path.join(dir, `${safe(msg.kind)}_${safe(msg.subject)}_${createHash('sha256').update(msg.key).digest('hex').slice(0, 12)}.eml`);
      try {
        await fs.promises.writeFile(file, info.message as Buffer, { flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        log.info({ kind: msg.kind }, 'notification already in the outbox; not written again');
      }
      sent = { transport: 'outbox', location: file };
    } else {
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
      const file = path.join(dir, `${stamp}_${safe(msg.kind)}_${safe(msg.subject)}_${Math.random().toString(36).slice(2, 7)}.eml`);
      await fs.promises.writeFile(file, info.message as Buffer);
      sent = { transport: 'outbox', location: file };
    }
  }
  faultPoint('notify-after-send');
  await pool.query(
    'insert into notifications (kind, recipients, subject, transport, location, dedupe_key) values ($1, $2, $3, $4, $5, $6) on conflict (dedupe_key) where dedupe_key is not null do nothing',
    [msg.kind, to, msg.subject, sent.transport, sent.location, msg.key ?? null],
  );
  log.info({ kind: msg.kind, transport: sent.transport, recipients: to.length }, 'notification sent');
  return sent;
}

// An email handed to the SMTP server whose sending was not recorded (the process stopped between
// the server's acceptance and marking it SENT) is sent again by the notify job once its claim
// expires: SMTP has no way to ask whether it arrived. The resend is the same message, Message-ID
// included, so mail systems and readers that fold duplicates by Message-ID show it once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { deliverDue, sendNotification } from '../../src/notify/mailer.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

let db: TestDb;
let smtp: SmtpSink;
let dataDir: string;
let config: Config;

beforeAll(async () => {
  db = await createTestDb();
  smtp = await startSmtpSink();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-resend-'));
  config = loadConfig({ DATA_DIR: dataDir, SMTP_URL: smtp.url });
});
afterAll(async () => {
  await smtp?.stop();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const messageId = (raw: string) => /^Message-ID: *(<[^>]+>)/im.exec(raw)?.[1];

describe('an email sent, the process stopped before recording it', () => {
  it('is sent again by the notify job as the same message: the same Message-ID', async () => {
    const now = new Date('2027-02-03T17:00:00Z');
    const msg = { kind: 'submission-response', to: ['liaison@acme.example'], subject: 'ACCEPTED: OTF_ACME.xlsx from ACME', text: 'counts only', key: 'submission-response:4242' };
    await expect(sendNotification(config, db.pool, msg, now, (point) => {
      if (point === 'notify-after-send') throw new Error(`stopped at ${point}`);
    })).rejects.toThrow('stopped at notify-after-send');
    expect(smtp.messages).toHaveLength(1);
    // the stopped process's claim runs out
    await db.pool.query(`update notifications set claimed_until = now() - interval '1 second' where dedupe_key = $1`, [msg.key]);
    expect(await deliverDue(config, db.pool, now)).toMatchObject({ sent: 1 });
    expect(smtp.messages).toHaveLength(2);
    const [first, again] = smtp.messages.map((m) => messageId(m.data));
    expect(first).toBeDefined();
    expect(again).toBe(first);
  });
});

// Durable notifications (issue 18, "Notifications are lost"), against a real SMTP server in the
// test process: a refused send stays PENDING (attempts 1, the server's error) instead of being
// lost; the notify job sends it once the server takes mail, exactly once; a message still
// refused NOTIFY_GIVE_UP_HOURS after it was recorded is GAVE_UP and ops are alerted. The
// records' times are the `now` handed in; the claims and the retry schedule are on the
// database's clock, moved on by `elapse`; nothing waits on time.
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jobDefinitions } from '../../jobs/schedule.js';
import { loadConfig, type Config } from '../../src/config.js';
import { withTransaction } from '../../src/db/pool.js';
import { backoffMs, CLAIM_MS, deliverDue, OPS_KIND, queueNotification, sendNotification } from '../../src/notify/mailer.js';
import { claimNotification } from '../../src/repositories/notifications.js';
import { OTF } from '../../schemas/index.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { respondLocally } from '../../src/ingest/respond.js';
import { Coordinator } from '../../src/runs/coordinator.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { seedPlan } from '../helpers/plan.js';
import { otfRow, workbook } from '../helpers/provider-files.js';

interface Received { to: string[]; subject: string; raw: string }

/** An SMTP server that refuses recipients (4xx or 5xx) while `refuse` says so, and keeps what it accepted. */
class TestSmtp {
  refuse: { code: number; text: string; only?: string } | null = null;
  readonly received: Received[] = [];
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo: (address, _session, cb) => {
      if (!this.refuse || (this.refuse.only && this.refuse.only !== address.address)) return cb();
      const err = new Error(this.refuse.text) as Error & { responseCode: number };
      err.responseCode = this.refuse.code;
      return cb(err);
    },
    onData: (stream, session, cb) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const subject = /^Subject: (.*)$/m.exec(raw)?.[1] ?? '';
        this.received.push({ to: session.envelope.rcptTo.map((r) => r.address), subject, raw });
        cb();
      });
    },
  });

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  subjects(): string[] {
    return this.received.map((r) => r.subject);
  }
}

let db: TestDb;
let smtp: TestSmtp;
let config: Config;
let dataDir: string;
// Each test starts a day after the last: the notify job's minute slots never repeat.
let T0 = new Date('2026-12-01T17:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const HOUR = 3_600_000;

beforeAll(async () => {
  db = await createTestDb();
  smtp = new TestSmtp();
  const port = await smtp.listen();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-notify-'));
  config = loadConfig({ DATA_DIR: dataDir, SMTP_URL: `smtp://127.0.0.1:${port}`, NOTIFY_GIVE_UP_HOURS: '3', OPS_EMAIL: 'ops@plan.example' });
});
afterAll(async () => {
  await smtp?.close();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  T0 = new Date(T0.getTime() + 24 * 3_600_000);
  smtp.refuse = null;
  smtp.received.length = 0;
  await db.pool.query('delete from notifications');
});

const dbNow = async () => (await db.pool.query<{ t: Date }>('select now() as t')).rows[0]!.t.getTime();
const row = async (id: number) =>
  (await db.pool.query<{ status: string; attempts: number; last_error: string | null; next_attempt_at: Date | null; transport: string | null; sent_at: Date | null }>(
    'select status, attempts, last_error, next_attempt_at, transport, sent_at from notifications where id = $1', [id],
  )).rows[0]!;

/**
 * The database's clock moves on by `ms` for the outbox (the claims and the retry schedule are on
 * it, not on the `now` handed in): every instant it scheduled comes that much earlier.
 */
async function elapse(ms: number): Promise<void> {
  await db.pool.query(
    `update notifications set next_attempt_at = next_attempt_at - make_interval(secs => $1), claimed_until = claimed_until - make_interval(secs => $1),
            queued_at = queued_at - make_interval(secs => $1)`, [ms / 1000]);
}

/** The real notify job, fired through the coordinator at `now`. */
async function fireNotify(now: Date) {
  const coordinator = new Coordinator(jobDefinitions({ pool: db.pool, config, openSession: () => Promise.reject(new Error('no sftp')) }, ['notify']), { pool: db.pool, config, now: () => now });
  return coordinator.fire('notify', now);
}

describe('durable notifications over SMTP', () => {
  it('a refused send stays PENDING with attempts 1 and the error; the notify job sends it exactly once when the server takes mail', async () => {
    smtp.refuse = { code: 451, text: 'Try again later' };
    const before = await dbNow();
    const sent = await sendNotification(config, db.pool, {
      kind: 'submission-response', to: ['liaison@acme.example'], subject: 'ACCEPTED: RTF_ACME_202611.xlsx from ACME', text: 'All rows accepted.',
      attachments: [{ filename: 'summary.txt', content: Buffer.from('42 rows') }], key: 'submission-response:1',
    }, T0);
    expect(sent).toMatchObject({ status: 'PENDING', transport: null });
    const pending = await row(sent!.id);
    expect(pending).toMatchObject({ status: 'PENDING', attempts: 1, transport: null, sent_at: null });
    expect(pending.last_error).toMatch(/451/);
    expect(pending.last_error).not.toContain('All rows accepted');
    // due after the first backoff on the database's clock
    expect(pending.next_attempt_at!.getTime()).toBeGreaterThanOrEqual(before + backoffMs(1));
    expect(pending.next_attempt_at!.getTime()).toBeLessThanOrEqual((await dbNow()) + backoffMs(1));
    expect(smtp.received).toHaveLength(0);

    // before its backoff it is not tried again
    smtp.refuse = null;
    await elapse(backoffMs(1) - 20_000);
    expect(await fireNotify(at(backoffMs(1) - 1000))).toMatchObject({ status: 'ran', counts: { sent: 0, retrying: 0 } });
    expect(smtp.received).toHaveLength(0);

    // due: sent, once
    await elapse(20_000);
    expect(await fireNotify(at(backoffMs(1)))).toMatchObject({ status: 'ran', counts: { sent: 1, retrying: 0, gaveUp: 0 } });
    expect(smtp.subjects()).toEqual(['ACCEPTED: RTF_ACME_202611.xlsx from ACME']);
    expect(smtp.received[0]!.to).toEqual(['liaison@acme.example']);
    expect(smtp.received[0]!.raw).toContain('summary.txt');
    expect(await row(sent!.id)).toMatchObject({ status: 'SENT', attempts: 2, transport: 'smtp', last_error: null });

    // never again: not by the job, not by the caller retrying with the same key
    expect(await fireNotify(at(2 * HOUR))).toMatchObject({ status: 'ran', counts: { sent: 0 } });
    const again = await sendNotification(config, db.pool, { kind: 'submission-response', to: ['liaison@acme.example'], subject: 'ACCEPTED: RTF_ACME_202611.xlsx from ACME', text: 'x', key: 'submission-response:1' }, at(2 * HOUR));
    expect(again).toMatchObject({ id: sent!.id, status: 'SENT' });
    expect(smtp.received).toHaveLength(1);
  });

  it('a message sent at once when the server takes it: SENT, attempts 1', async () => {
    const sent = await sendNotification(config, db.pool, { kind: 'missing-submissions', to: ['l@plan.example', 'l@plan.example'], subject: 'Missing provider submissions', text: 'digest' }, T0);
    expect(sent).toMatchObject({ status: 'SENT', transport: 'smtp' });
    expect(await row(sent!.id)).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(smtp.subjects()).toEqual(['Missing provider submissions']);
    // the message's Date: header is the send's clock (a replay's --now), as its record's times are, not the wall clock
    expect(/^Date: (.*)$/m.exec(smtp.received[0]!.raw)?.[1]).toBe(T0.toUTCString().replace('GMT', '+0000'));
  });

  it('two notify jobs at once never send the same message twice', async () => {
    smtp.refuse = { code: 421, text: 'Service not available' };
    for (let i = 1; i <= 6; i++) await sendNotification(config, db.pool, { kind: 'minimif-sla', to: [`l${i}@plan.example`], subject: `alert ${i}`, text: 'overdue' }, T0);
    expect(smtp.received).toHaveLength(0);
    smtp.refuse = null;
    await elapse(HOUR);
    const [a, b] = await Promise.all([deliverDue(config, db.pool, at(HOUR)), deliverDue(config, db.pool, at(HOUR))]);
    expect(a.sent + b.sent).toBe(6);
    expect(smtp.subjects().sort()).toEqual(['alert 1', 'alert 2', 'alert 3', 'alert 4', 'alert 5', 'alert 6']);
    expect((await db.pool.query(`select count(*)::int n from notifications where status = 'SENT'`)).rows[0]).toEqual({ n: 6 });
  });

  it('still refused NOTIFY_GIVE_UP_HOURS after it was recorded: GAVE_UP, and ops are alerted', async () => {
    smtp.refuse = { code: 450, text: 'Mailbox busy' };
    const sent = await sendNotification(config, db.pool, { kind: 'minimif-sla', to: ['liaison@acme.example'], subject: 'mini-MIF overdue: 2 referral(s) for ACME', text: 'overdue' }, T0);
    await elapse(backoffMs(1));
    expect(await fireNotify(at(backoffMs(1)))).toMatchObject({ status: 'ran', counts: { retrying: 1 } });
    expect(await row(sent!.id)).toMatchObject({ status: 'PENDING', attempts: 2 });
    // past the give-up time (3 hours after it was recorded): the next attempt fails and gives up
    await elapse(3 * HOUR - backoffMs(1));
    expect(await fireNotify(at(3 * HOUR))).toMatchObject({ status: 'ran', counts: { gaveUp: 1 } });
    const given = await row(sent!.id);
    expect(given).toMatchObject({ status: 'GAVE_UP', attempts: 3, next_attempt_at: null });
    expect(given.last_error).toMatch(/450/);
    // the ops alert is itself an outbox message (refused too, for now); it goes out when the server takes mail
    const ops = (await db.pool.query<{ id: number; recipients: string[]; subject: string; status: string }>(`select id, recipients, subject, status from notifications where kind = $1`, [OPS_KIND])).rows;
    expect(ops).toEqual([expect.objectContaining({ recipients: ['ops@plan.example'], subject: `Notification ${sent!.id} (minimif-sla) given up`, status: 'PENDING' })]);
    smtp.refuse = null;
    await elapse(HOUR);
    expect(await fireNotify(at(4 * HOUR))).toMatchObject({ status: 'ran', counts: { sent: 1 } });
    expect(smtp.received.map((r) => [r.to, r.subject])).toEqual([[['ops@plan.example'], `Notification ${sent!.id} (minimif-sla) given up`]]);
    // the given-up message is not sent later
    expect(await fireNotify(at(5 * HOUR))).toMatchObject({ counts: { sent: 0 } });
    expect(smtp.received).toHaveLength(1);
  });

  it('a mail server that cannot be reached: the message stays PENDING, and the pass stops at the first one instead of trying each', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = { ...config, SMTP_URL: `smtp://127.0.0.1:${port}` };
    const ids: number[] = [];
    for (const n of [1, 2, 3]) ids.push((await sendNotification(down, db.pool, { kind: 'minimif-sla', to: ['l@plan.example'], subject: `down ${n}`, text: 'x' }, T0))!.id);
    for (const id of ids) expect(await row(id)).toMatchObject({ status: 'PENDING', attempts: 1, last_error: expect.stringMatching(/ECONNECTION|ECONNREFUSED/) });
    await elapse(HOUR);
    expect(await deliverDue(down, db.pool, at(HOUR))).toEqual({ sent: 0, retrying: 1, failed: 0, gaveUp: 0 });
    expect((await Promise.all(ids.map(row))).map((r) => r.attempts)).toEqual([2, 1, 1]);
    // the server is back: all go out
    await elapse(HOUR);
    expect(await deliverDue(config, db.pool, at(2 * HOUR))).toMatchObject({ sent: 3 });
    expect(smtp.subjects().sort()).toEqual(['down 1', 'down 2', 'down 3']);
  });

  it('refused for good (5xx to the recipient): FAILED at once, not retried, ops alerted', async () => {
    smtp.refuse = { code: 550, text: 'No such user', only: 'gone@acme.example' };
    const sent = await sendNotification(config, db.pool, { kind: 'submission-response', to: ['gone@acme.example'], subject: 'REJECTED: x.xlsx from ACME', text: 'rejected' }, T0);
    expect(sent).toMatchObject({ status: 'FAILED' });
    expect(await row(sent!.id)).toMatchObject({ status: 'FAILED', attempts: 1, next_attempt_at: null });
    // the ops alert went out at once; the refused message is not tried again
    expect(smtp.received.map((r) => [r.to, r.subject])).toEqual([[['ops@plan.example'], `Notification ${sent!.id} (submission-response) refused by the mail server`]]);
    smtp.refuse = null;
    expect(await fireNotify(at(HOUR))).toMatchObject({ counts: { sent: 0 } });
    expect(smtp.received).toHaveLength(1);
  });
});

describe("claims and retries are on the database's clock, not the caller's `now` (which may be pinned, or a host's clock that is off)", () => {
  it('a sender whose clock is ahead by more than the claim time does not take a row another sender holds', async () => {
    smtp.refuse = { code: 451, text: 'Try again later' };
    const sent = await sendNotification(config, db.pool, { kind: 'minimif-sla', to: ['l@plan.example'], subject: 'held once', text: 'x' }, T0);
    await elapse(backoffMs(1));
    const first = await claimNotification(db.pool, at(HOUR), CLAIM_MS / 1000);
    expect(first?.id).toBe(sent!.id);
    // another process whose `now` is 11 minutes later (a pinned --now, a host clock ahead)
    expect(await claimNotification(db.pool, at(HOUR + CLAIM_MS + 60_000), CLAIM_MS / 1000)).toBeUndefined();
    expect(await claimNotification(db.pool, at(HOUR + 24 * HOUR), CLAIM_MS / 1000, sent!.id)).toBeUndefined();
    // once the claim has run out on the database's clock, it is free again
    await elapse(CLAIM_MS);
    expect((await claimNotification(db.pool, at(HOUR), CLAIM_MS / 1000))?.id).toBe(sent!.id);
  });

  it('a message recorded and refused under a later pinned --now is retried by the notify job after its backoff, and given up NOTIFY_GIVE_UP_HOURS after it was recorded', async () => {
    smtp.refuse = { code: 451, text: 'Try again later' };
    const later = new Date(T0.getTime() + 30 * 24 * HOUR);
    const sent = await sendNotification(config, db.pool, { kind: 'submission-response', to: ['l@plan.example'], subject: 'from a replay', text: 'x' }, later);
    expect(await row(sent!.id)).toMatchObject({ status: 'PENDING', attempts: 1 });
    // the time of the message stays the one it was recorded under
    expect((await db.pool.query('select created_at from notifications where id = $1', [sent!.id])).rows[0].created_at).toEqual(later);
    await elapse(backoffMs(1));
    expect(await deliverDue(config, db.pool, at(0))).toMatchObject({ retrying: 1 });
    expect(await row(sent!.id)).toMatchObject({ status: 'PENDING', attempts: 2 });
    // and a message recorded under an earlier --now is not given up at its first retry
    const earlier = new Date(T0.getTime() - 30 * 24 * HOUR);
    const old = await sendNotification(config, db.pool, { kind: 'submission-response', to: ['l@plan.example'], subject: 'from an older replay', text: 'x' }, earlier);
    await elapse(backoffMs(2));
    expect(await deliverDue(config, db.pool, at(0))).toMatchObject({ retrying: 2, gaveUp: 0 });
    expect(await row(old!.id)).toMatchObject({ status: 'PENDING', attempts: 2 });
    // three hours on the database's clock after they were recorded: given up
    await elapse(3 * HOUR);
    expect(await deliverDue(config, db.pool, at(0))).toMatchObject({ gaveUp: 2 });
  });
});

describe('without SMTP_URL: the .eml outbox, sent at once as before', () => {
  it('writes the .eml and marks the message SENT', async () => {
    const cfg = loadConfig({ DATA_DIR: dataDir });
    const sent = await sendNotification(cfg, db.pool, { kind: 'published-mif', to: ['c@acme.example'], subject: 'MIF published for ACME', text: 'hello', attachments: [{ filename: 'a.txt', content: Buffer.from('x') }] }, T0);
    expect(sent).toMatchObject({ status: 'SENT', transport: 'outbox' });
    expect(fs.readFileSync(sent!.location!, 'utf8')).toContain('Subject: MIF published for ACME');
    expect(fs.readFileSync(sent!.location!, 'utf8')).toContain('a.txt');
    expect(await row(sent!.id)).toMatchObject({ status: 'SENT', attempts: 1, transport: 'outbox' });
  });

  it('an outbox that cannot be written: PENDING, then written by the notify job; a send cut short after the write is not written twice', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-notify-eml-'));
    try {
      const cfg = loadConfig({ DATA_DIR: dir });
      fs.writeFileSync(path.join(dir, 'outbox'), 'not a folder');
      const sent = await sendNotification(cfg, db.pool, { kind: 'published-csasf', to: ['c@acme.example'], subject: 'CSASF published for ACME', text: 'hello' }, T0);
      expect(sent).toMatchObject({ status: 'PENDING' });
      expect(await row(sent!.id)).toMatchObject({ status: 'PENDING', attempts: 1 });
      fs.rmSync(path.join(dir, 'outbox'));
      await elapse(backoffMs(1));
      expect(await deliverDue(cfg, db.pool, at(backoffMs(1)))).toMatchObject({ sent: 1 });
      expect(fs.readdirSync(path.join(dir, 'outbox'))).toHaveLength(1);
      // as if the process had died after writing the .eml, before marking the row SENT: its claim holds for the hour
      await db.pool.query(`update notifications set status = 'PENDING', sent_at = null, ended_at = null, next_attempt_at = now(), claimed_until = now() + interval '1 hour' where id = $1`, [sent!.id]);
      expect(await deliverDue(cfg, db.pool, at(HOUR - 1000))).toMatchObject({ sent: 0 });
      await elapse(HOUR);
      expect(await deliverDue(cfg, db.pool, at(HOUR))).toMatchObject({ sent: 1 });
      expect(fs.readdirSync(path.join(dir, 'outbox'))).toHaveLength(1);
      expect(await row(sent!.id)).toMatchObject({ status: 'SENT', attempts: 3 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the liaison response of a submission while the mail server refuses', () => {
  it('the submission is answered, its email stays PENDING under its once-only key, and the notify job sends it once', async () => {
    await seedPlan(db.pool);
    smtp.refuse = { code: 451, text: 'Try again later' };
    const bytes = await workbook([[OTF, [otfRow({ cin: '91000001A', attemptDate: { date: '2026-11-03' } })], 'OTF']]);
    const receivedAt = at(0);
    const done = await ingestFile({ pool: db.pool, config }, { provider: 'ACME', originalName: 'OTF_ACME_202611.xlsx', bytes, receivedAt, source: 'cli' });
    await respondLocally({ pool: db.pool, config }, done, path.join(dataDir, 'responses'), receivedAt);
    expect((await db.pool.query(`select state, notified_at is not null as notified from submissions where id = $1`, [done.submissionId])).rows[0]).toEqual({ state: 'RESPONDED', notified: true });
    const mails = async () => (await db.pool.query<{ id: number; status: string; attempts: number }>(`select id, status, attempts from notifications where kind = 'submission-response'`)).rows;
    expect(await mails()).toEqual([expect.objectContaining({ status: 'PENDING', attempts: 1 })]);
    // answering again (a retry by the caller) records nothing new and sends nothing
    await respondLocally({ pool: db.pool, config }, done, path.join(dataDir, 'responses'), receivedAt);
    expect(await mails()).toHaveLength(1);
    smtp.refuse = null;
    await elapse(backoffMs(1));
    expect(await fireNotify(at(backoffMs(1)))).toMatchObject({ status: 'ran', counts: { sent: 1 } });
    expect(await fireNotify(at(2 * backoffMs(1)))).toMatchObject({ status: 'ran', counts: { sent: 0 } });
    expect(smtp.received.map((r) => [r.to, r.subject])).toEqual([[['liaison@plan.example'], expect.stringMatching(/OTF_ACME_202611\.xlsx from ACME$/)]]);
    expect(await mails()).toEqual([expect.objectContaining({ status: 'SENT', attempts: 2 })]);
  });
});

describe('a message nobody is on file to receive (a contract with no contact and no liaison address)', () => {
  it('is recorded FAILED ("no recipient on file"), listed with the failed ones, and ops are alerted, once', async () => {
    const sent = await sendNotification(config, db.pool, { kind: 'submission-response', to: ['', ' '], subject: 'ACCEPTED: x.xlsx from NOMAIL', text: 'accepted', key: 'nobody-1' }, T0);
    expect(sent).toMatchObject({ status: 'FAILED' });
    expect(await row(sent!.id)).toMatchObject({ status: 'FAILED', next_attempt_at: null, last_error: expect.stringMatching(/^no recipient on file/) });
    expect((await db.pool.query(`select recipients from notifications where id = $1`, [sent!.id])).rows[0]).toEqual({ recipients: [] });
    expect(smtp.received.map((r) => [r.to, r.subject])).toEqual([[['ops@plan.example'], `Notification ${sent!.id} (submission-response) has no recipient on file`]]);
    // the same message again (its key): nothing more recorded or sent
    expect(await sendNotification(config, db.pool, { kind: 'submission-response', to: [], subject: 'ACCEPTED: x.xlsx from NOMAIL', text: 'accepted', key: 'nobody-1' }, T0))
      .toMatchObject({ id: sent!.id, status: 'FAILED' });
    expect(smtp.received).toHaveLength(1);
    expect(await fireNotify(at(HOUR))).toMatchObject({ counts: { sent: 0, failed: 0 } });
  });

  it('queued in a transaction (a published file\'s notice) and sent by the notify job: FAILED there, ops alerted', async () => {
    await withTransaction(db.pool, (c) => queueNotification(c, { kind: 'file-published', to: [], subject: 'MIF published', text: 'a file', key: 'nobody-2' }, T0));
    expect(await fireNotify(at(0))).toMatchObject({ counts: { sent: 0, failed: 1 } });
    const r = (await db.pool.query(`select id, status, last_error from notifications where dedupe_key = 'nobody-2'`)).rows[0];
    expect(r).toMatchObject({ status: 'FAILED', last_error: expect.stringMatching(/^no recipient on file/) });
    expect(smtp.received.map((m) => m.to)).toEqual([['ops@plan.example']]);
  });
});

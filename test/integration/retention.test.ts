import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBlob, purgeBlobs, putBlob } from '../../src/db/blobs.js';
import { jobDefinitions } from '../../jobs/schedule.js';
import { loadConfig } from '../../src/config.js';
import type { RunRow } from '../../src/repositories/run-ledger.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
beforeAll(async () => { db = await createTestDb(); });
afterAll(async () => { await db.drop(); });

describe('blob retention', () => {
  it('purges the bytes of files older than the retention, keeps their hash, size and references', async () => {
    const old = await putBlob(db.pool, Buffer.from('an old RTF'));
    const recent = await putBlob(db.pool, Buffer.from('a recent RTF'));
    await db.pool.query(`update file_blobs set created_at = now() - interval '3651 days' where sha256 = $1`, [old]);
    await db.pool.query(`insert into providers (provider_code, npi, tin, name, sftp_folder) values ('P1','1234567893','123456789','P one','P1')`);
    await db.pool.query(`insert into submissions (provider_code, original_name, sha256, size, received_at, state) values ('P1', 'old.xlsx', $1, 10, now(), 'RESPONDED')`, [old]);
    expect(await purgeBlobs(db.pool, 3650)).toEqual({ purged: 1, bytes: 10 });
    expect(await getBlob(db.pool, old)).toBeUndefined();
    expect((await getBlob(db.pool, recent))!.toString()).toBe('a recent RTF');
    expect((await db.pool.query(`select size, purged_at is not null as purged from file_blobs where sha256 = $1`, [old])).rows[0]).toEqual({ size: 10, purged: true });
    expect((await db.pool.query(`select count(*)::int n from submissions where sha256 = $1`, [old])).rows[0]).toEqual({ n: 1 });
    expect(await purgeBlobs(db.pool, 3650)).toEqual({ purged: 0, bytes: 0 });
  });

  it('a file received again after its bytes were purged (the provider asked to send it again) is stored again, and kept the full retention from then', async () => {
    const bytes = Buffer.from('an RTF sent twice, ten years apart');
    const hash = await putBlob(db.pool, bytes);
    await db.pool.query(`update file_blobs set created_at = now() - interval '3651 days' where sha256 = $1`, [hash]);
    expect((await purgeBlobs(db.pool, 3650)).purged).toBe(1);
    expect(await getBlob(db.pool, hash)).toBeUndefined();
    // received again today: the immutable copy of this receipt is kept
    await putBlob(db.pool, bytes);
    expect((await getBlob(db.pool, hash))?.toString()).toBe(bytes.toString());
    expect(await purgeBlobs(db.pool, 3650)).toEqual({ purged: 0, bytes: 0 });
  });

  it('never purges bytes still to be published or read (an interrupted run\'s recorded file, an unanswered submission\'s upload and response): they would go out empty; purged once they are out', async () => {
    const old = `now() - interval '3651 days'`;
    const outbound = await putBlob(db.pool, Buffer.from('a MIF recorded by a run that stopped'));
    const response = await putBlob(db.pool, Buffer.from('a response not delivered yet'));
    const upload = await putBlob(db.pool, Buffer.from('the RTF it answers'));
    await db.pool.query(`update file_blobs set created_at = ${old} where sha256 = any($1)`, [[outbound, response, upload]]);
    await db.pool.query(`insert into providers (provider_code, npi, tin, name, sftp_folder) values ('P2','1234567893','123456789','P two','P2') on conflict do nothing`);
    const file = (await db.pool.query<{ id: number }>(
      `insert into outbound_files (kind, job, slot, provider_code, lob, status, file_name, sha256, row_count) values ('MIF', 'mif', '2016-11-15', 'P2', 'HN', 'PENDING', 'HN_MIF_1234567893_20161115.xlsx', $1, 1) returning id`, [outbound])).rows[0]!.id;
    const sub = (await db.pool.query<{ id: number }>(
      `insert into submissions (provider_code, original_name, sha256, size, received_at, state, response_name, response_sha256) values ('P2', 'RTF_P2_201611.xlsx', $1, 17, ${old}, 'APPLIED', 'RTF_P2_201611_RESPONSE.xlsx', $2) returning id`, [upload, response])).rows[0]!.id;

    // (the upload's bytes too: a submission not answered yet may still be read again)
    expect(await purgeBlobs(db.pool, 3650)).toEqual({ purged: 0, bytes: 0 });
    expect((await getBlob(db.pool, outbound))?.toString()).toBe('a MIF recorded by a run that stopped');
    expect((await getBlob(db.pool, response))?.toString()).toBe('a response not delivered yet');

    await db.pool.query(`update outbound_files set status = 'PUBLISHED', published_at = now() where id = $1`, [file]);
    await db.pool.query(`update submissions set state = 'RESPONDED', response_published_at = now() where id = $1`, [sub]);
    expect(await purgeBlobs(db.pool, 3650)).toEqual({ purged: 3, bytes: 82 });
  });

  it('a file exchanged again before its purge: retention counts from the latest exchange, not the first', async () => {
    const bytes = Buffer.from('a header-only workbook sent again');
    const hash = await putBlob(db.pool, bytes);
    await db.pool.query(`update file_blobs set created_at = now() - interval '3649 days' where sha256 = $1`, [hash]);
    await putBlob(db.pool, bytes);
    // two days on, the first copy would be over the retention; today's is not
    const twoDaysOn = (await db.pool.query<{ t: Date }>(`select now() + interval '2 days' as t`)).rows[0]!.t;
    expect(await purgeBlobs(db.pool, 3650, twoDaysOn)).toEqual({ purged: 0, bytes: 0 });
    expect((await getBlob(db.pool, hash))?.toString()).toBe(bytes.toString());
  });
});

// The run ledger and the notification outbox grow for ever without a purge: a poll every 15 s is
// ~2M attempts a year, and an SLA alert's body names members (CINs). [POLICY] Idle attempts (a
// poll that found nothing, a notify pass with nothing to send) go after RUN_RETENTION_DAYS; the
// other attempts are records of the exchange, kept BLOB_RETENTION_DAYS (and never while their
// slot could still be caught up, nor while a file or a submission points to them). A notification
// that ended keeps its recipients, subject and times, its body and attachments go after
// NOTIFICATION_BODY_RETENTION_DAYS.
describe('run ledger and notification retention (the retention job)', () => {
  const config = loadConfig({ RUN_RETENTION_DAYS: '30', NOTIFICATION_BODY_RETENTION_DAYS: '30', BLOB_RETENTION_DAYS: '3650', CATCH_UP_DAYS: '35' });
  const retention = () => jobDefinitions({ pool: db.pool, config, openSession: () => Promise.reject(new Error('no sftp')) }, ['retention'])[0]!;
  const runRetention = async (now: Date) =>
    retention().run({ slot: now.toISOString().slice(0, 10), trigger: 'manual', now, signal: new AbortController().signal, run: {} as RunRow });
  const dbNow = async () => (await db.pool.query<{ t: Date }>('select now() as t')).rows[0]!.t;
  /** An ended attempt `daysAgo` days ago (database clock), with its counts. */
  const attempt = async (job: string, slot: string, status: string, daysAgo: number, counts: Record<string, unknown> = {}) =>
    Number((await db.pool.query<{ id: string }>(
      `insert into runs (job, slot, status, trigger, owner, attempt, started_at, heartbeat_at, finished_at, counts)
       values ($1, $2, $3, 'cron', 'o', 1, now() - make_interval(days => $4), now() - make_interval(days => $4), case when $3 = 'RUNNING' then null else now() - make_interval(days => $4) end, $5)
       returning id`,
      [job, slot, status, daysAgo, JSON.stringify(counts)],
    )).rows[0]!.id);
  const left = async (ids: number[]) => (await db.pool.query<{ id: string }>('select id from runs where id = any($1) order by id', [ids])).rows.map((r) => Number(r.id));
  const idlePoll = { providers: 3, files: 0, failedProviders: 0, failedFiles: 0, outcomes: {}, byProvider: {} };

  it('purges idle attempts after RUN_RETENTION_DAYS, keeps what handled or sent a file, what failed, every slot of a date job and the latest success of each job', async () => {
    const gone = [
      await attempt('poll', 'p-old-idle', 'SUCCEEDED', 40, idlePoll),
      await attempt('notify', 'n-old-idle-1', 'SUCCEEDED', 41, { sent: 0, retrying: 0, failed: 0, gaveUp: 0 }),
    ];
    const kept = [
      await attempt('notify', 'n-old-idle-2', 'SUCCEEDED', 40, { sent: 0, retrying: 0, failed: 0, gaveUp: 0 }), // notify's latest success
      await attempt('notify', 'n-old-sent', 'SUCCEEDED', 50, { sent: 1, retrying: 0, failed: 0, gaveUp: 0 }),
      await attempt('poll', 'p-old-file', 'SUCCEEDED', 40, { ...idlePoll, files: 1, outcomes: { ACCEPTED: 1 } }),
      await attempt('poll', 'p-old-failed', 'FAILED', 40, {}),
      await attempt('poll', 'p-old-running', 'RUNNING', 40, {}),
      await attempt('poll', 'p-recent-idle', 'SUCCEEDED', 5, idlePoll),
      // a date job's slot: catch-up reads its attempts (purging it would send the slot again)
      await attempt('mini-mif', '2026-10-20', 'SUCCEEDED', 40, { units: 0, published: 0 }),
      await attempt('retention', '2026-10-20', 'SUCCEEDED', 40, { purged: 0, bytes: 0 }),
    ];
    await runRetention(await dbNow());
    expect(await left(gone)).toEqual([]);
    expect(await left(kept)).toEqual(kept);
  });

  it('purges the other attempts after BLOB_RETENTION_DAYS, unless an outbound file or a submission points to one', async () => {
    const gone = [
      await attempt('poll', 'p-ancient-file', 'SUCCEEDED', 3700, { ...idlePoll, files: 1 }),
      await attempt('minimif-sla', '2016-10-20', 'SUCCEEDED', 3700, { referrals: 1 }),
      await attempt('mif', '2016-10-15', 'FAILED', 3700, {}),
    ];
    // (the latest success of a job stays whatever its age: here a recent one)
    await attempt('minimif-sla', '2026-11-30', 'SUCCEEDED', 1, { referrals: 0 });
    const referenced = await attempt('mif', '2016-10-15', 'SUCCEEDED', 3700, { published: 1 });
    await db.pool.query(
      `insert into outbound_files (kind, job, slot, provider_code, lob, status, file_name, row_count, run_id) values ('MIF', 'mif', '2016-10-15', 'P1', 'HN', 'EMPTY', null, 0, $1)`,
      [referenced],
    );
    await runRetention(await dbNow());
    expect(await left(gone)).toEqual([]);
    expect(await left([referenced])).toEqual([referenced]);
  });

  it('never purges a date job\'s attempt its slot could still be caught up with, whatever BLOB_RETENTION_DAYS says', async () => {
    const short = loadConfig({ BLOB_RETENTION_DAYS: '1', CATCH_UP_DAYS: '35' });
    const def = jobDefinitions({ pool: db.pool, config: short, openSession: () => Promise.reject(new Error('no sftp')) }, ['retention'])[0]!;
    const mif = await attempt('mif', '2026-11-15', 'SUCCEEDED', 16, { published: 0 });
    const now = await dbNow();
    await def.run({ slot: now.toISOString().slice(0, 10), trigger: 'manual', now, signal: new AbortController().signal, run: {} as RunRow });
    expect(await left([mif])).toEqual([mif]);
  });

  it('the ledger stays append-only outside the purge: an attempt cannot be deleted by hand', async () => {
    const id = await attempt('poll', 'p-by-hand', 'SUCCEEDED', 400, idlePoll);
    await expect(db.pool.query('delete from runs where id = $1', [id])).rejects.toThrow(/append-only/);
  });

  it('clears the body and attachments of a notification that ended NOTIFICATION_BODY_RETENTION_DAYS ago; keeps who, what and when', async () => {
    const now = await dbNow();
    const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);
    const notification = async (status: string, endedDaysAgo: number | null) =>
      Number((await db.pool.query<{ id: string }>(
        `insert into notifications (kind, recipients, subject, body, status, transport, location, attempts, created_at, sent_at, ended_at, next_attempt_at)
         values ('minimif-sla', '{liaison@plan.example}', 'mini-MIF overdue: 1 referral(s) for ACME', 'REF-1 member 91000001A approved 11/01/2026', $1,
                 case when $1 = 'SENT' then 'smtp' end, null, 1, $2, case when $1 = 'SENT' then $3::timestamptz end, $3, case when $1 = 'PENDING' then now() end)
         returning id`,
        [status, ago((endedDaysAgo ?? 0) + 1), endedDaysAgo === null ? null : ago(endedDaysAgo)],
      )).rows[0]!.id);
    const oldSent = await notification('SENT', 31);
    const oldGaveUp = await notification('GAVE_UP', 31);
    const recentSent = await notification('SENT', 10);
    const pending = await notification('PENDING', null);
    await db.pool.query(`update notifications set created_at = $2 where id = $1`, [pending, ago(60)]);
    await db.pool.query(`insert into notification_attachments values ($1, 1, 'a.xlsx', '\\x01'), ($2, 1, 'b.xlsx', '\\x02')`, [oldSent, recentSent]);
    await runRetention(now);
    const rows = (await db.pool.query(
      `select id, body is null as cleared, subject, recipients, sent_at is not null as sent, (select count(*)::int from notification_attachments a where a.notification_id = n.id) as attachments
         from notifications n where id = any($1) order by id`,
      [[oldSent, oldGaveUp, recentSent, pending]],
    )).rows;
    expect(rows.map((r) => [Number(r.id), r.cleared, r.attachments])).toEqual([[oldSent, true, 0], [oldGaveUp, true, 0], [recentSent, false, 1], [pending, false, 0]]);
    expect(rows[0]).toMatchObject({ subject: 'mini-MIF overdue: 1 referral(s) for ACME', recipients: ['liaison@plan.example'], sent: true });
  });

  it('removes the outbox .eml copy (no SMTP_URL) of a notification whose body it clears; keeps recent copies and anything outside the outbox', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-retention-'));
    const outbox = path.join(dataDir, 'outbox');
    fs.mkdirSync(outbox);
    const elsewhere = path.join(dataDir, 'kept-by-hand.eml');
    const now = await dbNow();
    const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);
    const sentTo = async (location: string, endedDaysAgo: number) => {
      fs.writeFileSync(location, 'Subject: mini-MIF overdue\n\nREF-1 member 91000001A\n');
      await db.pool.query(
        `insert into notifications (kind, recipients, subject, body, status, transport, location, attempts, created_at, sent_at, ended_at)
         values ('minimif-sla', '{liaison@plan.example}', 'mini-MIF overdue', 'REF-1 member 91000001A', 'SENT', 'outbox', $1, 1, $2, $2, $2)`,
        [location, ago(endedDaysAgo)],
      );
    };
    await sentTo(path.join(outbox, 'old.eml'), 31);
    await sentTo(path.join(outbox, 'recent.eml'), 10);
    await sentTo(elsewhere, 31);
    const withOutbox = loadConfig({ RUN_RETENTION_DAYS: '30', NOTIFICATION_BODY_RETENTION_DAYS: '30', BLOB_RETENTION_DAYS: '3650', CATCH_UP_DAYS: '35', DATA_DIR: dataDir });
    const job = jobDefinitions({ pool: db.pool, config: withOutbox, openSession: () => Promise.reject(new Error('no sftp')) }, ['retention'])[0]!;
    const counts = await job.run({ slot: now.toISOString().slice(0, 10), trigger: 'manual', now, signal: new AbortController().signal, run: {} as RunRow });
    expect(fs.readdirSync(outbox)).toEqual(['recent.eml']);
    expect(fs.existsSync(elsewhere)).toBe(true);
    expect(counts).toMatchObject({ outboxFiles: 1 });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});

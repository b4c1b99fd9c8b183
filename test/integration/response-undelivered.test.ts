// A response the poll cannot deliver: the provider's downloads/ folder is broken (a file in its
// place), so publishing fails at every poll. The submission is applied once and never answered
// twice; the poll keeps trying; after RESPONSE_UNDELIVERED_ALERT_AFTER polls in a row ops are
// emailed once (OPS_EMAIL), and the failure count shows in the poll's result and on the
// submission until the response is published.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTF } from '../../schemas/index.js';
import type { Config } from '../../src/config.js';
import { generate } from '../../src/generate/run.js';
import { pollOnce } from '../../src/ingest/poll.js';
import { findSubmission } from '../../src/repositories/submissions.js';
import { runCli } from '../helpers/cli.js';
import type { TestDb } from '../helpers/db.js';
import type { TestSftp } from '../helpers/dev-sftp.js';
import { closePlanWorld, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';
import { otfRow, workbook } from '../helpers/provider-files.js';

let db: TestDb;
let sftp: TestSftp;
let config: Config;
let world: PlanWorld;

beforeAll(async () => {
  world = await openPlanWorld('undelivered', { settings: { SFTP_STABLE_SECONDS: '0', OPS_EMAIL: 'ops@plan.example' } });
  ({ db, sftp, config } = world);
  await generate('mif', onSlotDay('2026-11-15'), world.deps);
});
afterAll(() => closePlanWorld(world));

const one = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows[0];
const uploads = (p: string) => path.join(sftp.root, p, 'uploads');
const downloads = (p: string) => path.join(sftp.root, p, 'downloads');

/** The provider's downloads/ folder replaced by a regular file: nothing can be published there. */
function breakDownloads(p: string): void {
  fs.rmSync(downloads(p), { recursive: true, force: true });
  fs.writeFileSync(downloads(p), 'not a folder');
}
function fixDownloads(p: string): void {
  fs.rmSync(downloads(p), { force: true });
  fs.mkdirSync(downloads(p));
}
async function put(p: string, name: string, mtime: string): Promise<void> {
  fs.mkdirSync(uploads(p), { recursive: true });
  const file = path.join(uploads(p), name);
  fs.writeFileSync(file, await workbook([[OTF, [otfRow({ attemptDate: { date: '2027-01-14' } })], 'OTF']]));
  fs.utimesSync(file, new Date(mtime), new Date(mtime));
}

describe('a response the poll cannot publish (downloads/ broken)', () => {
  it('is retried at every poll, ops are emailed once after RESPONSE_UNDELIVERED_ALERT_AFTER polls, and once fixed it is delivered once', async () => {
    const name = 'OTF_ACME_nodownloads.xlsx';
    const alertAfter = { ...config, RESPONSE_UNDELIVERED_ALERT_AFTER: 3 };
    const poll = (at: string) => pollOnce({ pool: db.pool, config: alertAfter, openSession: () => sftp.openSession() }, { now: new Date(at), provider: 'ACME' });
    const submissions = async () => (await one(`select count(*)::int n from submissions where original_name = $1`, [name])).n as number;
    const alerts = () => db.pool.query<{ recipients: string[]; subject: string; body: string; dedupe_key: string }>(
      `select recipients, subject, body, dedupe_key from notifications where kind = 'ops-response-undelivered' order by id`);
    breakDownloads('ACME');
    await put('ACME', name, '2027-02-08T17:00:00Z');
    await poll('2027-02-08T17:59:00Z'); // (sighted)

    // the poll that takes it: applied, the response not published
    const first = await poll('2027-02-08T18:00:00Z');
    expect(first.results).toEqual([expect.objectContaining({ file: name, error: expect.any(String), responseUndelivered: { failures: 1, opsAlerted: false } })]);
    const sub = await one(`select id, state, response_name, response_published_at from submissions where original_name = $1`, [name]);
    expect(sub).toMatchObject({ state: 'APPLIED', response_published_at: null });
    expect(first.results[0]!.submissionId).toBe(sub.id);
    expect(fs.existsSync(path.join(uploads('ACME'), name))).toBe(true);

    // the next polls finish that submission (never take the upload again): one attempt a poll
    const second = await poll('2027-02-08T18:05:00Z');
    expect(second.results).toEqual([]);
    expect(second.recovered).toEqual([expect.objectContaining({ submissionId: sub.id, file: name, error: expect.any(String), responseUndelivered: { failures: 2, opsAlerted: false } })]);
    expect((await alerts()).rows).toEqual([]);
    const third = await poll('2027-02-08T18:10:00Z');
    expect(third.recovered).toEqual([expect.objectContaining({ submissionId: sub.id, responseUndelivered: { failures: 3, opsAlerted: true } })]);
    const [alert, ...more] = (await alerts()).rows;
    expect(more).toEqual([]);
    expect(alert!.recipients).toEqual(['ops@plan.example']);
    expect(alert!.subject).toContain('ACME');
    expect(alert!.subject).toContain(`submission ${sub.id}`);
    expect(alert!.body).toContain(sub.response_name);
    expect(alert!.body).toContain(third.recovered[0]!.error);
    expect(alert!.body).toMatch(/3 polls in a row/);
    expect(alert!.body).toMatch(/downloads\/[\s\S]*link[\s\S]*file in its place[\s\S]*permissions/);
    expect(alert!.body).not.toMatch(/91000001A|Alpha/); // no PHI: no CIN, no member name

    for (const [minute, failures] of [['15', 4], ['20', 5]] as const) {
      const again = await poll(`2027-02-08T18:${minute}:00Z`);
      expect(again.results).toEqual([]);
      expect(again.recovered).toEqual([expect.objectContaining({ submissionId: sub.id, responseUndelivered: { failures, opsAlerted: true } })]);
    }
    expect((await alerts()).rows).toHaveLength(1);
    expect(await submissions()).toBe(1);
    expect(await one(`select count(*)::int n from notifications where kind = 'submission-response' and subject like $1`, [`%${name}%`])).toEqual({ n: 0 });

    // ops see it without the logs: on the submission, and in `submission show`
    expect((await findSubmission(db.pool, sub.id))!.responseUndelivered).toEqual({
      failures: 5, firstFailedAt: new Date('2027-02-08T18:00:00Z'), lastFailedAt: new Date('2027-02-08T18:20:00Z'), lastError: third.recovered[0]!.error,
      opsAlertedAt: new Date('2027-02-08T18:10:00Z'),
    });
    const env = { DATABASE_URL: db.url, DATA_DIR: world.dataDir };
    const shown = await runCli(['submission', 'show', String(sub.id), '--json'], env);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.json).toMatchObject({ id: sub.id, state: 'APPLIED', responsePublishedAt: null, responseUndelivered: { failures: 5, opsAlertedAt: '2027-02-08T18:10:00.000Z' } });
    const text = await runCli(['submission', 'show', String(sub.id)], env);
    expect(text.stdout).toMatch(/not yet delivered: publishing to the provider's downloads\/ failed at 5 polls in a row/);

    // the folder fixed: the next poll publishes the response, moves the upload, emails the provider once
    fixDownloads('ACME');
    const fixed = await poll('2027-02-08T18:25:00Z');
    expect(fixed.recovered).toEqual([expect.objectContaining({ submissionId: sub.id, file: name })]);
    expect(fixed.recovered[0]!.error).toBeUndefined();
    expect(fixed.recovered[0]!.responseUndelivered).toBeUndefined();
    expect(await one(`select state, upload_disposition, response_failures from submissions where id = $1`, [sub.id])).toEqual({ state: 'RESPONDED', upload_disposition: 'processed', response_failures: 0 });
    expect(fs.readdirSync(downloads('ACME'))).toEqual([sub.response_name]);
    expect(fs.existsSync(path.join(uploads('ACME'), name))).toBe(false);
    expect(fs.readdirSync(path.join(uploads('ACME'), 'processed')).filter((n) => n.startsWith('OTF_ACME_nodownloads'))).toHaveLength(1);
    expect(await one(`select count(*)::int n from notifications where kind = 'submission-response' and subject like $1`, [`%${name}%`])).toEqual({ n: 1 });
    expect((await findSubmission(db.pool, sub.id))!.responseUndelivered).toBeNull();

    const after = await poll('2027-02-08T18:30:00Z');
    expect([after.files, after.recovered]).toEqual([0, []]);
    expect(await submissions()).toBe(1);
    expect((await alerts()).rows).toHaveLength(1);
  });

  it('RESPONSE_UNDELIVERED_ALERT_AFTER=0: the failures are counted, ops are never emailed', async () => {
    const name = 'OTF_RIVAL_nodownloads.xlsx';
    const never = { ...config, RESPONSE_UNDELIVERED_ALERT_AFTER: 0 };
    const poll = (at: string) => pollOnce({ pool: db.pool, config: never, openSession: () => sftp.openSession() }, { now: new Date(at), provider: 'RIVAL' });
    breakDownloads('RIVAL');
    await put('RIVAL', name, '2027-02-09T17:00:00Z');
    await poll('2027-02-09T17:59:00Z'); // (sighted)
    const first = await poll('2027-02-09T18:00:00Z');
    const id = first.results[0]!.submissionId!;
    expect(first.results[0]!.responseUndelivered).toEqual({ failures: 1, opsAlerted: false });
    for (const [minute, failures] of [['05', 2], ['10', 3], ['15', 4], ['20', 5]] as const)
      expect((await poll(`2027-02-09T18:${minute}:00Z`)).recovered).toEqual([expect.objectContaining({ submissionId: id, responseUndelivered: { failures, opsAlerted: false } })]);
    expect(await one(`select count(*)::int n from notifications where kind = 'ops-response-undelivered' and subject like '%RIVAL%'`)).toEqual({ n: 0 });
    expect(await one(`select count(*)::int n from submissions where original_name = $1`, [name])).toEqual({ n: 1 });
    fixDownloads('RIVAL');
    const fixed = await poll('2027-02-09T18:25:00Z');
    expect(fixed.recovered.map((r) => [r.submissionId, r.error])).toEqual([[id, undefined]]);
    expect(await one(`select state from submissions where id = $1`, [id])).toEqual({ state: 'RESPONDED' });
  });

  it('a failure after the commit is never counted towards giving up on the upload (INGEST_GIVE_UP_AFTER=1): one submission, answered once', async () => {
    const name = 'OTF_ACME_aftercommit.xlsx';
    const once = { fired: false };
    // an error of ours (not the sFTP server) right after the response was published, at the first poll only
    const faults = (point: string) => {
      if (point === 'respond-after-publish' && !once.fired) {
        once.fired = true;
        throw new Error('a bug after the commit');
      }
    };
    const poll = (at: string) => pollOnce({ pool: db.pool, config: { ...config, INGEST_GIVE_UP_AFTER: 1 }, openSession: () => sftp.openSession(), faults }, { now: new Date(at), provider: 'ACME' });
    await put('ACME', name, '2027-02-10T17:00:00Z');
    await poll('2027-02-10T17:59:00Z'); // (sighted)
    const first = await poll('2027-02-10T18:00:00Z');
    expect(first.results.map((r) => [r.file, r.error, r.gaveUpAfter])).toEqual([[name, 'a bug after the commit', undefined]]);
    const next = await poll('2027-02-10T18:05:00Z');
    expect(next.recovered.map((r) => [r.submissionId, r.error])).toEqual([[first.results[0]!.submissionId, undefined]]);
    expect((await db.pool.query(`select state, outcome from submissions where original_name = $1`, [name])).rows).toEqual([{ state: 'RESPONDED', outcome: 'ACCEPTED' }]);
    expect(fs.readdirSync(downloads('ACME')).filter((n) => n.startsWith('OTF_ACME_aftercommit'))).toHaveLength(1);
    expect(await one(`select count(*)::int n from notifications where kind = 'submission-response' and subject like $1`, [`%${name}%`])).toEqual({ n: 1 });
  });
});

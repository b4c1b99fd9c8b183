// Ops asking "which emails did not go out?": `notifications --failed` lists the messages the
// mail server would not take (waiting for a retry, given up), newest first, with their error and
// plan-local times; delivered ones are left out.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { deliverDue, sendNotification } from '../../src/notify/mailer.js';
import { runCli } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
let dataDir: string;
let env: Record<string, string>;
let server: SMTPServer;
const ids: Record<string, number> = {};
/** When the pending one's retry is due (a minute after its attempt, on the database's clock). */
let retryOfPending: Date;

beforeAll(async () => {
  db = await createTestDb();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-notifications-'));
  env = { DATABASE_URL: db.url, DATA_DIR: dataDir, DEV_SFTP_PORT: '0' };
  // a mail server that refuses every recipient for now
  server = new SMTPServer({
    authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false,
    onRcptTo: (_a, _s, cb) => cb(Object.assign(new Error('Greylisted, try again later'), { responseCode: 451 })),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const smtp = loadConfig({ DATA_DIR: dataDir, SMTP_URL: `smtp://127.0.0.1:${port}`, NOTIFY_GIVE_UP_HOURS: '1' });
  const outbox = loadConfig({ DATA_DIR: dataDir });
  const t0 = new Date('2026-12-02T17:00:00Z');
  ids.sent = (await sendNotification(outbox, db.pool, { kind: 'published-mif', to: ['c@acme.example'], subject: 'MIF published for ACME', text: 'x' }, t0))!.id;
  ids.gaveUp = (await sendNotification(smtp, db.pool, { kind: 'minimif-sla', to: ['l@acme.example'], subject: 'mini-MIF overdue for ACME', text: 'x' }, t0))!.id;
  // an hour later (on the database's clock, which the retry schedule keeps): the first one is
  // given up, a second one waits for its retry
  await db.pool.query(`update notifications set queued_at = queued_at - interval '1 hour', next_attempt_at = next_attempt_at - interval '1 hour'`);
  const t1 = new Date('2026-12-02T18:00:00Z');
  expect(await deliverDue(smtp, db.pool, t1)).toMatchObject({ gaveUp: 1 });
  ids.pending = (await sendNotification(smtp, db.pool, { kind: 'submission-response', to: ['l@acme.example', 'm@acme.example'], subject: 'ACCEPTED: RTF_ACME_202611.xlsx from ACME', text: 'x' }, t1))!.id;
  retryOfPending = (await db.pool.query<{ t: Date }>('select next_attempt_at as t from notifications where id = $1', [ids.pending])).rows[0]!.t;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('calaim-exchange notifications', () => {
  it('--failed --json: the undelivered ones, newest first, with attempts, error and plan-local times', async () => {
    const r = await runCli(['notifications', '--failed', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.json as { id: number; status: string; attempts: number; lastError: string; recipients: string[]; createdAt: string; timeZone: string; nextAttemptAt: string | null }[];
    expect(rows.map((x) => [x.id, x.status, x.attempts])).toEqual([[ids.pending, 'PENDING', 1], [ids.gaveUp, 'GAVE_UP', 2]]);
    for (const x of rows) expect(x.lastError).toMatch(/451/);
    expect(rows[0]!.recipients).toEqual(['l@acme.example', 'm@acme.example']);
    expect(rows[0]!.timeZone).toBe('America/Los_Angeles');
    expect(rows[0]!.createdAt).toBe('2026-12-02T10:00:00.000-08:00');
    expect(Date.parse(rows[0]!.nextAttemptAt!)).toBe(retryOfPending.getTime());
    expect(rows[0]!.nextAttemptAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-0[78]:00$/);
    expect(rows[1]!.nextAttemptAt).toBeNull();
  });

  it('without --failed: every notification; as text, with the time zone; --limit', async () => {
    const all = await runCli(['notifications', '--json'], env);
    expect((all.json as { id: number }[]).map((x) => x.id)).toEqual([ids.pending, ids.gaveUp, ids.sent]);
    const text = await runCli(['notifications', '--failed', '--limit', '1'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('times in America/Los_Angeles');
    expect(text.stdout).toContain('2 recipients');
    expect(text.stdout).toContain('PENDING');
    expect(text.stdout).not.toContain('GAVE_UP');
    expect((await runCli(['notifications', '--limit', '0'], env)).code).toBe(2);
  });
});

// A `reprocess` killed after its commit (SIGKILL at each fault point it reaches past the commit)
// is finished by the next poll, with no human to notice: the new submission's response is
// published to the provider's downloads/ once, its email queued once, nothing applied twice,
// and running `reprocess` again on the same submission afterwards gives no second answer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_FAULT_POINTS, type FaultPointName } from '../../src/fault-points.js';
import { runCli } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { seedPlan } from '../helpers/plan.js';

const RTF = path.join(import.meta.dirname, '..', 'fixtures', 'ingest', 'RTF_ACME_202611_v3.xlsx');
/** The points a reprocess reaches after its commit (it moves no upload: it has none). */
const AFTER_COMMIT: FaultPointName[] = ['ingest-after-commit', 'respond-after-publish', 'notify-after-send', 'respond-after-notify'];

let db: TestDb;
let dataDir: string;
let env: Record<string, string>;
let first: number;
const one = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows[0];
const ls = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);
const downloads = () => path.join(dataDir, 'sftp', 'ACME', 'downloads');
const emails = () => ls(path.join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-reprocess-crash-'));
  env = { DATABASE_URL: db.url, DATA_DIR: dataDir, SFTP_STABLE_SECONDS: '0', DEV_SFTP_PORT: '0' };
  const r = await runCli(['ingest', RTF, '--provider', 'ACME', '--received-at', '2026-12-02T09:00:00-08:00', '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  first = (r.json as { submissionId: number }).submissionId;
});
afterAll(async () => {
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a reprocess killed after its commit', () => {
  it('is finished by the next poll: one response, one email, applied once; reprocess again answers it no second time', { timeout: 1_200_000 } /* 14 CLI processes; minutes on a loaded two-core machine */, async () => {
    expect(AFTER_COMMIT.every((p) => INGEST_FAULT_POINTS.includes(p))).toBe(true);
    let minute = 0;
    const at = () => new Date(Date.UTC(2026, 11, 3, 18, minute++)).toISOString();
    let latest = first;
    for (const point of AFTER_COMMIT) {
      const emailsBefore = emails().length;
      const killed = await runCli(['reprocess', String(latest), '--reason', `stopped at ${point}`, '--now', at()], { ...env, CALAIM_FAULT_POINT: point });
      expect(killed.code, `${point}: the reprocess was not killed there (point never reached?)\n${killed.stderr}`).toBeNull();
      const stopped = await one(`select id::int id, state from submissions where reprocess_of = $1`, [latest]) as { id: number; state: string };
      expect(stopped.state, point).toBe('APPLIED');

      const poll = await runCli(['poll', '--now', at(), '--json'], env);
      expect(poll.code, `${point}: ${poll.stderr}`).toBe(0);
      expect((poll.json as { recovered: { submissionId: number; error?: string }[] }).recovered, point)
        .toEqual([expect.objectContaining({ provider: 'ACME', submissionId: stopped.id })]);

      // answered once: one response in downloads/ (no temporary left), one email, RESPONDED
      const responses = ls(downloads()).filter((f) => new RegExp(`^RTF_ACME_202611_v3_RESPONSE_\\d{14}_${stopped.id}\\.xlsx$`).test(f));
      expect(responses, `${point}: responses of submission ${stopped.id}`).toHaveLength(1);
      expect(ls(downloads()).filter((f) => f.startsWith('.')), 'no temporary files left in downloads/').toEqual([]);
      expect(emails().length - emailsBefore, `${point}: emails`).toBe(1);
      expect(await one(`select count(*)::int n from notifications where dedupe_key = $1`, [`submission-response:${stopped.id}`])).toEqual({ n: 1 });
      expect(await one(`select state, response_published_at is not null published, notified_at is not null notified from submissions where id = $1`, [stopped.id]))
        .toEqual({ state: 'RESPONDED', published: true, notified: true });
      // applied once: one current RTF sheet for ACME's period, the stopped reprocess's
      expect(await one(`select count(*)::int n, min(submission_id)::int id from submission_sheets where provider_code = 'ACME' and layout = 'RTF' and applied and superseded_by is null`))
        .toEqual({ n: 1, id: stopped.id });

      // the stopped reprocess is answered: asking again for the same submission is refused, nothing new
      const again = await runCli(['reprocess', String(latest), '--reason', 'again', '--now', at()], env);
      expect(again.code, again.stderr).toBe(2);
      expect(again.stderr).toMatch(new RegExp(`already reprocessed as submission ${stopped.id}`));
      expect(await one(`select count(*)::int n from submissions where reprocess_of = $1`, [latest])).toEqual({ n: 1 });
      expect(ls(downloads()).filter((f) => f.endsWith(`_${stopped.id}.xlsx`))).toHaveLength(1);
      latest = stopped.id;
    }
    // and nothing is left to do
    const last = await runCli(['poll', '--now', at(), '--json'], env);
    expect(last.code, last.stderr).toBe(0);
    expect(last.json).toMatchObject({ recovered: [] });
    expect(await one(`select count(*)::int n from submissions where state <> 'RESPONDED'`)).toEqual({ n: 0 });
  });

  it('killed before its commit, asked again at once: refused in one line naming the claim and when it is given up, no stack trace', { timeout: 300_000 }, async () => {
    const latest = (await one(`select max(id)::int id from submissions`)).id as number;
    const killed = await runCli(['reprocess', String(latest), '--reason', 'stopped mid-apply', '--now', '2026-12-03T20:00:00Z'], { ...env, CALAIM_FAULT_POINT: 'ingest-mid-apply' });
    expect(killed.code, killed.stderr).toBeNull();
    // the dead process's claim holds until its heartbeat is old (ABANDON_AFTER_SECONDS, on the database's clock)
    const again = await runCli(['reprocess', String(latest), '--reason', 'again', '--now', '2026-12-03T20:01:00Z'], env);
    expect(again.code, again.stderr).toBe(1);
    expect(again.stdout).toMatch(new RegExp(`^refused: reprocess for submission ${latest} is already running \\(started .* by .*\\); try again when it has finished \\(a process that stopped gives it up once its heartbeat is 120 s old: ABANDON_AFTER_SECONDS\\)\n$`));
    expect(again.stderr).not.toMatch(/"stack"|\n\s+at |RunBusyError/);
    const json = await runCli(['reprocess', String(latest), '--reason', 'again', '--now', '2026-12-03T20:02:00Z', '--json'], env);
    expect(json.code, json.stderr).toBe(1);
    expect(json.json).toMatchObject({ reprocessOf: latest, error: expect.stringMatching(/is already running/) });
  });
});

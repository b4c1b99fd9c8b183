// The crash sweep: for every fault point on the inbound path (INGEST_FAULT_POINTS, one list, so
// a new point is swept without touching this file), a `poll` child process is killed (SIGKILL)
// right there; the next `poll` must finish the job. Every upload ends with exactly one response
// in downloads/, exactly one liaison email (.eml in the outbox), exactly one move out of
// uploads/, applied once, and its submission RESPONDED.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_FAULT_POINTS } from '../../src/fault-points.js';
import { runCli } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { seedPlan } from '../helpers/plan.js';
import { rtf, rtfRow } from '../helpers/provider-files.js';

let db: TestDb;
let dataDir: string;
let env: Record<string, string>;
const one = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows[0];
const ls = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-sweep-'));
  env = { DATABASE_URL: db.url, DATA_DIR: dataDir, SFTP_STABLE_SECONDS: '0', DEV_SFTP_PORT: '0', MAX_FILE_BYTES: '200000' };
  const mif = await runCli(['generate', 'mif', '--date', '2026-11-15', '--now', '2026-11-15T07:00:00-08:00'], env);
  expect(mif.code, mif.stderr).toBe(0);
});
afterAll(async () => {
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const uploads = () => path.join(dataDir, 'sftp', 'ACME', 'uploads');
const downloads = () => path.join(dataDir, 'sftp', 'ACME', 'downloads');

/** Two uploads per point: an RTF that is read and applied, and one over MAX_FILE_BYTES (refused unread). */
async function put(i: number): Promise<string[]> {
  fs.mkdirSync(uploads(), { recursive: true });
  const names = [`RTF_ACME_202611_sweep${i}.xlsx`, `RTF_ACME_202611_big${i}.xlsx`];
  const files = [await rtf([rtfRow({ inPerson: i + 1 })]), randomBytes(300_000)];
  const mtime = new Date('2026-12-02T17:00:00Z');
  names.forEach((n, k) => {
    fs.writeFileSync(path.join(uploads(), n), files[k]!);
    fs.utimesSync(path.join(uploads(), n), mtime, mtime);
  });
  return names;
}

/** The killed poll's claim on the folder is left behind; it would expire on its own after POLL_LEASE_SECONDS. */
const expireLeftLease = () => db.pool.query(`update poll_claims set expires_at = now() - interval '1 second' where holder is not null`);

async function answeredOnce(name: string): Promise<void> {
  const stem = esc(name.replace(/\.xlsx$/, ''));
  expect(ls(downloads()).filter((f) => new RegExp(`^${stem}_RESPONSE_\\d{14}_\\d+\\.xlsx$`).test(f)), `response of ${name}`).toHaveLength(1);
  expect(ls(downloads()).filter((f) => f.startsWith('.')), 'no temporary files left in downloads/').toEqual([]);
  const moved = ['processed', 'failed'].flatMap((d) => ls(path.join(uploads(), d)).filter((f) => new RegExp(`^${stem}__\\d{8}T\\d{6}Z_\\d+\\.xlsx$`).test(f)));
  expect(moved, `moves of ${name}`).toHaveLength(1);
  expect(ls(uploads()), `${name} left in uploads/`).not.toContain(name);
  const mails = ls(path.join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml'))
    .filter((f) => new RegExp(`^Subject: [A-Z_]+: ${esc(name)} from ACME$`, 'm').test(fs.readFileSync(path.join(dataDir, 'outbox', f), 'utf8')));
  expect(mails, `emails about ${name}`).toHaveLength(1);
  expect(await one(`select count(*)::int n, min(state) state from submissions where original_name = $1`, [name]), `submission of ${name}`).toEqual({ n: 1, state: 'RESPONDED' });
  expect(await one(`select count(*)::int n from notifications where subject like $1`, [`%: ${name} from ACME`])).toEqual({ n: 1 });
}

describe('a poll killed at any fault point of the inbound path', () => {
  it('is finished by the next poll: one response, one email, one move, applied once, RESPONDED', { timeout: 1_200_000 } /* 16 CLI processes; minutes on a loaded two-core machine */, async () => {
    expect(INGEST_FAULT_POINTS.length).toBeGreaterThan(0);
    let minute = 0;
    const at = () => new Date(Date.UTC(2026, 11, 3, 18, minute++)).toISOString();
    let names = await put(0);
    const sighting = await runCli(['poll', '--now', at()], env);
    expect(sighting.code, sighting.stderr).toBe(0);
    for (const [i, point] of INGEST_FAULT_POINTS.entries()) {
      const killed = await runCli(['poll', '--now', at()], { ...env, CALAIM_FAULT_POINT: point });
      expect(killed.code, `${point}: the poll was not killed there (point never reached?)\n${killed.stderr}`).toBeNull();
      await expireLeftLease();
      const current = names;
      // the next uploads arrive meanwhile: the recovering poll only sees them (taken at the next point)
      names = i + 1 < INGEST_FAULT_POINTS.length ? await put(i + 1) : [];
      const next = await runCli(['poll', '--now', at(), '--json'], env);
      expect(next.code, `${point}: ${next.stderr}`).toBe(0);
      for (const n of current) await answeredOnce(n);
      const rtfName = current[0]!;
      expect(await one(
        `select count(*)::int n from ecm_assignment_changes c join submission_sheets s on s.id = c.sheet_id join submissions u on u.id = s.submission_id where u.original_name = $1`,
        [rtfName],
      ), `${point}: ${rtfName} applied once`).toEqual({ n: 1 });
    }
    // and nothing is left to do
    const last = await runCli(['poll', '--now', at(), '--json'], env);
    expect(last.code, last.stderr).toBe(0);
    expect(last.json).toMatchObject({ files: 0, recovered: [] });
    expect(await one(`select count(*)::int n from submissions where state <> 'RESPONDED'`)).toEqual({ n: 0 });
  });
});

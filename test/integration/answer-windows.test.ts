// The windows between the steps of an answer: each fault point of the inbound path is where its
// name says (the step done, not recorded yet: the crash sweep kills a poll there), and an answer
// interrupted anywhere is finished by the next poll with everything the uninterrupted one does,
// the ops alert of an upload given up on included. In-process: a fault point that throws stops
// the poll there as a kill would (nothing after it runs), and the next poll finishes the job.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTF } from '../../schemas/index.js';
import type { Config } from '../../src/config.js';
import { INGEST_FAULT_POINTS, type FaultPointName } from '../../src/fault-points.js';
import { generate } from '../../src/generate/run.js';
import { pollOnce } from '../../src/ingest/poll.js';
import { otfRow, workbook } from '../helpers/provider-files.js';
import { closePlanWorld, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let world: PlanWorld;
let config: Config;

beforeAll(async () => {
  world = await openPlanWorld('windows', { settings: { SFTP_STABLE_SECONDS: '0', OPS_EMAIL: 'ops@plan.example', INGEST_GIVE_UP_AFTER: '2' } });
  ({ config } = world);
  await generate('mif', onSlotDay('2026-11-15'), world.deps);
});
afterAll(() => closePlanWorld(world));

const one = async (sql: string, params: unknown[] = []) => (await world.db.pool.query(sql, params)).rows[0];
const uploads = (p: string) => path.join(world.sftp.root, p, 'uploads');
const downloads = (p: string) => path.join(world.sftp.root, p, 'downloads');
const ls = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

class Killed extends Error {}

async function put(p: string, name: string, day: number, mtime: string): Promise<void> {
  fs.mkdirSync(uploads(p), { recursive: true });
  const file = path.join(uploads(p), name);
  fs.writeFileSync(file, await workbook([[OTF, [otfRow({ attemptDate: { date: `2027-01-${String(day).padStart(2, '0')}` } })], 'OTF']]));
  fs.utimesSync(file, new Date(mtime), new Date(mtime));
}

const poll = (at: string, faults?: (point: FaultPointName) => void) =>
  pollOnce({ pool: world.db.pool, config, openSession: () => world.sftp.openSession(), faults }, { now: new Date(at), provider: 'ACME' });

/** Exactly one of each: response in downloads/, move out of uploads/, response email; RESPONDED, one submission. */
async function answeredOnce(p: string, name: string): Promise<void> {
  const stem = name.replace(/\.xlsx$/, '');
  expect(ls(downloads(p)).filter((f) => f.startsWith(`${stem}_RESPONSE_`)), `responses to ${name}`).toHaveLength(1);
  expect(ls(downloads(p)).filter((f) => f.startsWith('.')), 'no temporary file left in downloads/').toEqual([]);
  expect(['processed', 'failed'].flatMap((d) => ls(path.join(uploads(p), d))).filter((f) => f.startsWith(`${stem}__`)), `moves of ${name}`).toHaveLength(1);
  expect(ls(uploads(p)), `${name} left in uploads/`).not.toContain(name);
  expect(await one(`select count(*)::int n, min(state) state from submissions where original_name = $1`, [name]), `submissions of ${name}`).toEqual({ n: 1, state: 'RESPONDED' });
  expect(await one(`select count(*)::int n from notifications where kind = 'submission-response' and subject like $1`, [`%: ${name} from ${p}`]), `emails about ${name}`).toEqual({ n: 1 });
}

/** Throws at `point` the first time it is reached: the poll stops there, as if killed. */
const killAt = (point: FaultPointName) => {
  let armed = true;
  return (p: FaultPointName) => {
    if (armed && p === point) {
      armed = false;
      throw new Killed(`stopped at ${point}`);
    }
  };
};

/** What is recorded on the submission when the poll stops at each point after the commit: the step its name says is done, and not recorded. */
const RECORDED_AT: Partial<Record<FaultPointName, Record<string, unknown>>> = {
  'ingest-after-commit': { state: 'APPLIED', published: false, moved: false, notified: false },
  'respond-after-publish': { state: 'APPLIED', published: false, moved: false, notified: false },
  'respond-after-move': { state: 'APPLIED', published: true, moved: false, notified: false },
  'respond-after-notify': { state: 'APPLIED', published: true, moved: true, notified: true },
  'respond-after-responded': { state: 'RESPONDED', published: true, moved: true, notified: true },
};

describe('an answer stopped at a fault point after the commit', () => {
  for (const [i, point] of INGEST_FAULT_POINTS.entries()) {
    const recorded = RECORDED_AT[point];
    if (!recorded) continue;
    it(`${point}: the step before it is done and not yet recorded; the next poll finishes the answer, each step once`, async () => {
      const name = `OTF_ACME_window${i}.xlsx`;
      const minute = String(10 + i * 3).padStart(2, '0');
      await put('ACME', name, i + 1, '2027-02-02T17:00:00Z');
      await poll(`2027-02-03T17:${minute}:00Z`); // sighting
      const stopped = await poll(`2027-02-03T17:${minute}:30Z`, killAt(point));
      expect(stopped.results.map((r) => [r.file, r.error])).toEqual([[name, `stopped at ${point}`]]);
      const s = await one(
        `select state, response_published_at is not null published, moved_at is not null moved, notified_at is not null notified from submissions where original_name = $1`, [name]);
      expect(s, `${point}: what is recorded`).toEqual(recorded);
      // and on the server: the response is there once the point after publishing is reached, the upload gone once the point after moving is
      const reached = INGEST_FAULT_POINTS.indexOf(point);
      expect(ls(downloads('ACME')).some((f) => f.startsWith(`OTF_ACME_window${i}_RESPONSE_`)), `${point}: response in downloads/`).toBe(reached >= INGEST_FAULT_POINTS.indexOf('respond-after-publish'));
      expect(ls(uploads('ACME')).includes(name), `${point}: upload still in uploads/`).toBe(reached < INGEST_FAULT_POINTS.indexOf('respond-after-move'));
      await poll(`2027-02-03T17:${minute}:45Z`);
      await answeredOnce('ACME', name);
    });
  }
});

describe('an upload given up on', () => {
  const ours = (point: FaultPointName) => {
    if (point === 'ingest-mid-apply') throw new Error('apply statement failed at ingest-mid-apply');
  };

  it('whose answer stopped after its commit is finished by the next poll, and ops are still told, once', async () => {
    const name = 'OTF_ACME_poison.xlsx';
    await put('ACME', name, 20, '2027-02-04T17:00:00Z');
    await poll('2027-02-05T17:00:00Z', ours); // sighting
    expect((await poll('2027-02-05T17:01:00Z', ours)).results[0]!.error).toBe('apply statement failed at ingest-mid-apply');
    // the second failure gives up on it; its answer stops once its response is published
    const stopAfterPublish = killAt('respond-after-publish');
    await poll('2027-02-05T17:02:00Z', (p) => {
      ours(p);
      stopAfterPublish(p);
    });
    expect(await one(`select state, outcome from submissions where original_name = $1`, [name])).toEqual({ state: 'APPLIED', outcome: 'REJECTED' });
    await poll('2027-02-05T17:03:00Z', ours);
    await answeredOnce('ACME', name);
    expect(await one(`select count(*)::int n from notifications where kind = 'ops-upload-not-processed' and body like $1`, [`%${name}%`]), 'ops alerts').toEqual({ n: 1 });
    expect(await one(`select count(*)::int n from upload_failures where upload_path like $1`, [`%/${name}`]), 'failure count left').toEqual({ n: 0 });
  });

  it('is never one already applied: an error of ours after the commit leaves it to the next poll to answer, once', async () => {
    const name = 'OTF_ACME_aftercommit.xlsx';
    const once = { ...config, INGEST_GIVE_UP_AFTER: 1 };
    const pollWith = (at: string, faults?: (point: FaultPointName) => void) =>
      pollOnce({ pool: world.db.pool, config: once, openSession: () => world.sftp.openSession(), faults }, { now: new Date(at), provider: 'ACME' });
    await put('ACME', name, 22, '2027-02-06T17:00:00Z');
    await pollWith('2027-02-07T17:00:00Z'); // sighting
    const bug = (point: FaultPointName) => {
      if (point === 'ingest-after-commit') throw new Error('a bug right after the commit');
    };
    const first = await pollWith('2027-02-07T17:01:00Z', bug);
    expect(first.results.map((r) => [r.file, r.fileErrors, r.error])).toEqual([[name, undefined, 'a bug right after the commit']]);
    await pollWith('2027-02-07T17:02:00Z');
    await answeredOnce('ACME', name);
    expect(await one(`select outcome from submissions where original_name = $1`, [name])).toEqual({ outcome: 'ACCEPTED' });
  });
});

describe('odd upload names', () => {
  it('a name with a backslash before a dot (legal on the server) is moved out of uploads/ under its own name, not quarantined', async () => {
    const name = 'OTF_ACME\\.dotted 202611.xlsx';
    await put('ACME', name, 25, '2027-02-08T17:00:00Z');
    await poll('2027-02-09T17:00:00Z'); // sighting
    const r = await poll('2027-02-09T17:01:00Z');
    expect(r.results.map((x) => [x.file, x.error, x.quarantined])).toEqual([[name, undefined, undefined]]);
    expect(await one(`select state, upload_disposition from submissions where original_name = $1`, [name])).toEqual({ state: 'RESPONDED', upload_disposition: 'processed' });
    expect(ls(uploads('ACME'))).not.toContain(name);
    expect(ls(path.join(uploads('ACME'), 'processed')).filter((f) => f.startsWith('OTF_ACME\\.dotted 202611__'))).toHaveLength(1);
  });
});

// A `reprocess` of an inactive provider's file (its contract ended; ops read its last files again,
// e.g. after a correction of the plan's data) that stopped after its commit: the poll lists only
// active providers' folders, yet the next poll must finish that answer, once (one response in
// the provider's downloads/, one email, RESPONDED), without listing the inactive provider's
// uploads/, under the same per-folder claim as any other answer (two pollers never both answer
// it); and a response it cannot publish there is retried by every poll, ops told, as for an
// active provider. An upload applied just before its provider was made inactive likewise.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTF } from '../../schemas/index.js';
import type { FaultPointName } from '../../src/fault-points.js';
import { pollOnce, type PollDeps } from '../../src/ingest/poll.js';
import { checkReprocess, reprocessSubmission } from '../../src/ingest/reprocess.js';
import type { SftpSession } from '../../src/sftp/client.js';
import { Gate } from '../helpers/gate.js';
import { P } from '../helpers/plan.js';
import { otfRow, workbook } from '../helpers/provider-files.js';
import { answerUpload, closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let world: PlanWorld;
const INACTIVE = P.ECM2.code; // RIVAL: an ECM provider with a contract, made inactive below
const one = async (sql: string, params: unknown[] = []) => (await world.db.pool.query(sql, params)).rows[0];
const downloads = () => path.join(world.sftp.root, INACTIVE, 'downloads');
const ls = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d) : []);
/** The folders every poll session listed (a listing of the inactive provider's uploads/ would be a poll of its folder). */
const listed: string[] = [];
const deps = (extra: Partial<PollDeps> = {}): PollDeps => ({
  pool: world.db.pool, config: world.config,
  openSession: async () => {
    const s = await world.sftp.openSession();
    return Object.assign(Object.create(s) as SftpSession, { list: (dir: string) => { listed.push(dir); return s.list(dir); } });
  },
  ...extra,
});
const poll = (at: string, extra: Partial<PollDeps> = {}) => pollOnce(deps(extra), { now: new Date(at) });

/**
 * Reprocesses the provider's latest submission (each test reads again the attempt the one before
 * it answered: an earlier one is refused, replaced) and stops it (as a kill would) at `point`,
 * after its commit: the new submission stays APPLIED, unanswered.
 */
async function stoppedReprocess(at: string, point: FaultPointName = 'ingest-after-commit'): Promise<number> {
  const { of } = await one(`select max(id)::int "of" from submissions where provider_code = $1`, [INACTIVE]) as { of: number };
  const c = await checkReprocess(world.db.pool, of);
  const faults = (p: FaultPointName) => {
    if (p === point) throw new Error(`stopped at ${p}`);
  };
  await expect(reprocessSubmission({ pool: world.db.pool, config: world.config, openSession: () => world.sftp.openSession(), now: () => new Date(at), faults }, c, 'plan data corrected', null))
    .rejects.toThrow(`stopped at ${point}`);
  const s = await one(`select id::int id, state from submissions where reprocess_of = $1`, [of]) as { id: number; state: string };
  expect(s.state).toBe('APPLIED');
  return s.id;
}

async function answeredOnce(id: number): Promise<void> {
  expect(ls(downloads()).filter((f) => f.endsWith(`_${id}.xlsx`)), `responses of submission ${id}`).toHaveLength(1);
  expect(await one(`select count(*)::int n from notifications where dedupe_key = $1`, [`submission-response:${id}`])).toEqual({ n: 1 });
  expect(await one(`select state, response_published_at is not null published, notified_at is not null notified from submissions where id = $1`, [id]))
    .toEqual({ state: 'RESPONDED', published: true, notified: true });
}

beforeAll(async () => {
  world = await openPlanWorld('reprocess-inactive', { settings: { SFTP_STABLE_SECONDS: '0', OPS_EMAIL: 'ops@plan.example', RESPONSE_UNDELIVERED_ALERT_AFTER: '2' } });
  await answerUpload(world, INACTIVE, 'OTF_RIVAL_202611.xlsx', await workbook([[OTF, [otfRow({ cin: '91000005E', clientName: 'Ed Echo' }, P.ECM2)], 'OTF']]), '2026-12-02T17:00:00Z');
  // its contract ended: the poll no longer lists its folder
  await world.db.pool.query(`update providers set active = false where provider_code = $1`, [INACTIVE]);
});
afterAll(() => closePlanWorld(world));

describe("a stopped reprocess of an inactive provider's file", () => {
  it('is finished by the next poll, once, without its uploads/ being listed; a second poll does nothing more', async () => {
    const id = await stoppedReprocess('2027-01-05T17:00:00Z');
    listed.length = 0;
    const next = await poll('2027-01-05T17:05:00Z');
    expect(next.recovered).toEqual([expect.objectContaining({ provider: INACTIVE, submissionId: id })]);
    expect(next.recovered[0]!.error).toBeUndefined();
    expect(next.byProvider.map((b) => b.provider)).not.toContain(INACTIVE);
    expect(listed.filter((d) => d.includes(`/${INACTIVE}/`)), "the inactive provider's folders listed").toEqual([]);
    await answeredOnce(id);

    const again = await poll('2027-01-05T17:10:00Z');
    expect(again.recovered).toEqual([]);
    await answeredOnce(id);
  });

  it('is answered by one poller only: a second poller leaves it to the one that claimed its folder', async () => {
    const id = await stoppedReprocess('2027-01-06T17:00:00Z', 'respond-after-publish');
    const held = new Gate();
    const a = poll('2027-01-06T17:05:00Z', { onClaim: async (p) => { if (p === INACTIVE) await held.pass(); } });
    await held.arrived();
    const b = await poll('2027-01-06T17:05:30Z');
    expect(b.recovered, 'the second poller, while the first holds the folder').toEqual([]);
    held.open();
    const ra = await a;
    expect(ra.recovered).toEqual([expect.objectContaining({ provider: INACTIVE, submissionId: id })]);
    await answeredOnce(id);
  });

  it("whose response cannot be published (its folder gone) is retried by every poll, ops told once, as for an active provider's", async () => {
    const id = await stoppedReprocess('2027-01-07T17:00:00Z');
    const folder = path.join(world.sftp.root, INACTIVE);
    const kept = `${folder}.kept`;
    fs.renameSync(folder, kept);
    fs.writeFileSync(folder, 'not a folder'); // (a missing folder would be created by the publish)
    for (const [at, failures, opsAlerted] of [['2027-01-07T17:05:00Z', 1, false], ['2027-01-07T17:10:00Z', 2, true], ['2027-01-07T17:15:00Z', 3, true]] as const) {
      const r = await poll(at);
      expect(r.recovered).toEqual([expect.objectContaining({ provider: INACTIVE, submissionId: id, error: expect.any(String), responseUndelivered: { failures, opsAlerted } })]);
    }
    expect(await one(`select state from submissions where id = $1`, [id])).toEqual({ state: 'APPLIED' });
    expect(await one(`select count(*)::int n from notifications where kind = 'ops-response-undelivered'`)).toEqual({ n: 1 });
    expect(await one(`select count(*)::int n from notifications where dedupe_key = $1`, [`submission-response:${id}`])).toEqual({ n: 0 });

    fs.rmSync(folder);
    fs.renameSync(kept, folder);
    const fixed = await poll('2027-01-07T17:20:00Z');
    expect(fixed.recovered).toEqual([expect.objectContaining({ provider: INACTIVE, submissionId: id })]);
    expect(fixed.recovered[0]!.error).toBeUndefined();
    await answeredOnce(id);
    expect((await poll('2027-01-07T17:25:00Z')).recovered).toEqual([]);
  });
});

describe('an upload applied just before its provider was made inactive', () => {
  it('is finished by the next poll (response, move out of uploads/, email) without its uploads/ being listed', async () => {
    const name = 'OTF_RIVAL_202701_late.xlsx';
    const uploads = path.join(world.sftp.root, INACTIVE, 'uploads');
    await world.db.pool.query(`update providers set active = true where provider_code = $1`, [INACTIVE]);
    fs.mkdirSync(uploads, { recursive: true });
    fs.writeFileSync(path.join(uploads, name), await workbook([[OTF, [otfRow({ cin: '91000005E', clientName: 'Ed Echo', attemptDate: { date: '2027-01-20' } }, P.ECM2)], 'OTF']]));
    fs.utimesSync(path.join(uploads, name), new Date('2027-02-02T17:00:00Z'), new Date('2027-02-02T17:00:00Z'));
    await poll('2027-02-03T17:00:00Z'); // (sighted)
    // the poll that takes it stops once the response is published, before recording it
    const stopped = await poll('2027-02-03T17:05:00Z', { faults: (p) => { if (p === 'respond-after-publish') throw new Error('stopped at respond-after-publish'); } });
    expect(stopped.results).toEqual([expect.objectContaining({ file: name, error: 'stopped at respond-after-publish' })]);
    const { id } = await one(`select id::int id from submissions where original_name = $1 and state = 'APPLIED'`, [name]) as { id: number };
    await world.db.pool.query(`update providers set active = false where provider_code = $1`, [INACTIVE]);

    listed.length = 0;
    const next = await poll('2027-02-03T17:10:00Z');
    expect(next.recovered).toEqual([expect.objectContaining({ provider: INACTIVE, submissionId: id, file: name })]);
    expect(next.recovered[0]!.error).toBeUndefined();
    expect(listed.filter((d) => d.includes(`/${INACTIVE}/`)), "the inactive provider's folders listed").toEqual([]);
    await answeredOnce(id);
    expect(fs.existsSync(path.join(uploads, name))).toBe(false);
    expect(ls(path.join(uploads, 'processed')).filter((f) => f.startsWith('OTF_RIVAL_202701_late__'))).toHaveLength(1);
    expect((await poll('2027-02-03T17:15:00Z')).recovered).toEqual([]);
  });
});

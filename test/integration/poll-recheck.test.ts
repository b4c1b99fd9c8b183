// Issue 19, "answer within a minute": a file is taken only once two listings SFTP_STABLE_SECONDS
// apart agree, and the next listing came with the next poll (POLL_CRON, then every 5 minutes):
// a provider waited 5-10 minutes for its answer. Now the poll that sees a file arriving waits
// out the window itself, lists that folder again and answers it (POLL_RECHECK, default on).
// The wait is injected: the test decides when it ends, nothing here sleeps.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { generate } from '../../src/generate/run.js';
import { pollOnce, type PollDeps } from '../../src/ingest/poll.js';
import { rtf, rtfRow } from '../helpers/provider-files.js';
import { closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let world: PlanWorld;
beforeAll(async () => {
  world = await openPlanWorld('poll-recheck');
  await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, world.deps);
});
afterAll(() => closePlanWorld(world));

const uploads = () => path.join(world.sftp.root, 'ACME', 'uploads');
const downloads = () => fs.readdirSync(path.join(world.sftp.root, 'ACME', 'downloads')).filter((f) => f.includes('_RESPONSE_'));
async function drop(name: string, at: Date): Promise<string> {
  const file = path.join(uploads(), name);
  fs.writeFileSync(file, await rtf([rtfRow()]));
  fs.utimesSync(file, at, at);
  return file;
}
const deps = (settings: Record<string, string>, wait?: PollDeps['wait']): PollDeps => ({
  pool: world.db.pool, config: loadConfig({ DATA_DIR: world.dataDir, ...settings }), openSession: () => world.sftp.openSession(), ...(wait ? { wait } : {}),
});

describe('the poll that sees an upload arriving answers it', () => {
  it('waits out the stability window once, lists the folder again and takes the file: one poll, one answer', async () => {
    const now = new Date('2026-12-02T17:00:00Z');
    await drop('RTF_ACME_202611.xlsx', new Date(now.getTime() - 2000)); // the upload just completed
    const waits: number[] = [];
    const r = await pollOnce(deps({ SFTP_STABLE_SECONDS: '30' }, async (ms) => {
      waits.push(ms);
    }), { now });
    // until the window has passed since the listing (less the time the poll has run already), and a little more
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(29_000);
    expect(waits[0]).toBeLessThanOrEqual(30_250);
    expect(r.results.map((x) => [x.file, x.rowsAccepted])).toEqual([['RTF_ACME_202611.xlsx', 1]]);
    expect(r.byProvider.find((p) => p.provider === 'ACME')).toMatchObject({ ready: 1, waiting: 0, processed: 1 });
    expect(downloads()).toHaveLength(1);
    // received when it was uploaded, not when the second listing happened
    const sub = (await world.db.pool.query<{ received_at: Date }>(`select received_at from submissions order by id desc limit 1`)).rows[0]!;
    expect(sub.received_at.getTime()).toBeLessThanOrEqual(now.getTime());
  });

  it('a later poll that sees a file another poll saw arriving waits only for what is left of its window', async () => {
    // (the next fire's poll, 15 s later, run by another scheduler while the first is busy)
    const now = new Date('2026-12-02T18:00:00Z');
    await drop('RTF_ACME_202611_later.xlsx', new Date(now.getTime() - 1000));
    const first = await pollOnce(deps({ SFTP_STABLE_SECONDS: '30', POLL_RECHECK: 'false' }), { now });
    expect(first.results).toEqual([]);
    const waits: number[] = [];
    const r = await pollOnce(deps({ SFTP_STABLE_SECONDS: '30' }, async (ms) => {
      waits.push(ms);
    }), { now: new Date(now.getTime() + 15_000) });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(14_000);
    expect(waits[0]).toBeLessThanOrEqual(15_250);
    expect(r.results.map((x) => [x.file, x.rowsAccepted])).toEqual([['RTF_ACME_202611_later.xlsx', 1]]);
  });

  it('a file still growing during the wait is left for the next poll', async () => {
    const now = new Date('2026-12-03T17:00:00Z');
    const file = await drop('RTF_ACME_202611_v2.xlsx', now);
    const r = await pollOnce(deps({ SFTP_STABLE_SECONDS: '30' }, async () => {
      fs.appendFileSync(file, Buffer.from('more bytes')); // the transfer goes on
    }), { now });
    expect(r.results).toEqual([]);
    expect(r.byProvider.find((p) => p.provider === 'ACME')).toMatchObject({ ready: 0, waiting: 1 });
    fs.rmSync(file);
  });

  it('with POLL_RECHECK=false the poll only records the listing; nothing waits', async () => {
    const now = new Date('2026-12-04T17:00:00Z');
    const file = await drop('RTF_ACME_202611_v3.xlsx', now);
    const waits: number[] = [];
    const r = await pollOnce(deps({ SFTP_STABLE_SECONDS: '30', POLL_RECHECK: 'false' }, async (ms) => {
      waits.push(ms);
    }), { now });
    expect(waits).toEqual([]);
    expect(r.results).toEqual([]);
    fs.rmSync(file);
  });

  it('an idle poll never waits', async () => {
    const waits: number[] = [];
    await pollOnce(deps({ SFTP_STABLE_SECONDS: '30' }, async (ms) => {
      waits.push(ms);
    }), { now: new Date('2026-12-05T17:00:00Z') });
    expect(waits).toEqual([]);
  });
});

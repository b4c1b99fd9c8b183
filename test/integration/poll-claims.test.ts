// Two pollers share the provider folders (src/repositories/poll-claims.ts): each folder is
// claimed by one of them at a time, every upload is answered once whichever poller took it, and
// a claim whose holder died is taken over once it has expired.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OTF } from '../../schemas/index.js';
import { npiWithCheckDigit } from '../../schemas/primitives.js';
import { pollOnce, type PollDeps, type PollResult } from '../../src/ingest/poll.js';
import { Gate } from '../helpers/gate.js';
import { closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';
import { otfRow, workbook } from '../helpers/provider-files.js';

let world: PlanWorld;
/** The plan's providers and as many again of our own: every one uploads two files. */
let providers: { code: string; npi: string; tin: string; name: string }[];
const pools: pg.Pool[] = [];

beforeAll(async () => {
  world = await openPlanWorld('claims', { settings: { SFTP_STABLE_SECONDS: '0' } });
  const { db } = world;
  const extra = Array.from({ length: 8 }, (_, i) => ({ code: `SHARE${i}`, npi: npiWithCheckDigit(`17000000${i}`), tin: `70000000${i}`, name: `Share Care ${i}` }));
  for (const p of extra) {
    await db.pool.query(`insert into providers (provider_code, npi, tin, name, liaison_email, sftp_folder) values ($1, $2, $3, $4, 'liaison@plan.example', $1)`, [p.code, p.npi, p.tin, p.name]);
    await db.pool.query(`insert into provider_contracts values ($1, 'HN', 'ECM')`, [p.code]);
  }
  providers = [
    ...(await db.pool.query<{ code: string; npi: string; tin: string; name: string }>(`select provider_code code, npi, tin, name from providers where provider_code not like 'SHARE%'`)).rows,
    ...extra,
  ].sort((a, b) => a.code.localeCompare(b.code));
});
afterAll(async () => {
  for (const p of pools) await p.end();
  await closePlanWorld(world);
});

/** A poller of its own: its own pool (as another process would have), the shared sFTP server. */
function poller(extra: Partial<PollDeps> = {}, name = 'a-poller'): PollDeps {
  const pool = new pg.Pool({ connectionString: world.db.url, max: 3, application_name: name });
  pool.on('error', () => undefined);
  pool.on('connect', (c) => c.on('error', () => undefined));
  pools.push(pool);
  return { pool, config: world.config, openSession: () => world.sftp.openSession(), ...extra };
}

const dir = (code: string, ...sub: string[]) => path.join(world.sftp.root, code, ...sub);
const ls = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d) : []);
const one = async (sql: string, params: unknown[] = []) => (await world.db.pool.query(sql, params)).rows[0];

async function upload(code: string, name: string, bytes: Buffer): Promise<void> {
  fs.mkdirSync(dir(code, 'uploads'), { recursive: true });
  fs.mkdirSync(dir(code, 'downloads'), { recursive: true });
  fs.writeFileSync(dir(code, 'uploads', name), bytes);
  const mtime = new Date('2026-12-02T17:00:00Z');
  fs.utimesSync(dir(code, 'uploads', name), mtime, mtime);
}

/** One response in downloads/, one move out of uploads/, one notification, one RESPONDED submission. */
async function answeredOnce(code: string, name: string): Promise<void> {
  const stem = name.replace(/\.xlsx$/, '');
  expect(ls(dir(code, 'downloads')).filter((f) => f.startsWith(`${stem}_RESPONSE_`)), `response of ${name}`).toHaveLength(1);
  expect(ls(dir(code, 'uploads')), `${name} left in uploads/`).not.toContain(name);
  const moved = ['processed', 'failed'].flatMap((d) => ls(dir(code, 'uploads', d)).filter((f) => f.startsWith(`${stem}__`)));
  expect(moved, `moves of ${name}`).toHaveLength(1);
  expect(await one(`select count(*)::int n, min(state) state from submissions where provider_code = $1 and original_name = $2`, [code, name])).toEqual({ n: 1, state: 'RESPONDED' });
  expect(await one(`select count(*)::int n from notifications where subject like $1`, [`%: ${name} from ${code}`])).toEqual({ n: 1 });
}

const polled = (r: PollResult) => r.byProvider.map((p) => p.provider);

describe('two pollers at once', () => {
  it('share the folders, one poller per folder: every upload answered once, and both did part of the work', async () => {
    const names = new Map<string, string[]>();
    for (const p of providers) {
      const files = [`OTF_${p.code}_202611_a.xlsx`, `OTF_${p.code}_202611_b.xlsx`];
      names.set(p.code, files);
      for (const [i, f] of files.entries()) await upload(p.code, f, await workbook([[OTF, [otfRow({ minutes: 10 + i }, p)], 'OTF']]));
    }
    // the sighting: the stability check needs two listings
    const sighting = await pollOnce(poller(), { now: new Date('2026-12-03T17:00:00Z') });
    expect(sighting.files).toBe(0);

    // Each poller holds its first folder until the other has claimed one too: then both go on
    // claiming until no folder is left.
    const heldAt = new Map<string, string>(); // folder → the poller that claimed it (each folder once)
    const firsts = new Map<string, string>();
    const signals = new Map<string, () => void>();
    const claimedOne = new Map(['A', 'B'].map((name) => [name, new Promise<void>((r) => signals.set(name, r))]));
    const sharing = (name: 'A' | 'B', other: 'A' | 'B') =>
      poller({
        onClaim: async (provider) => {
          expect(heldAt.has(provider), `${provider} claimed twice`).toBe(false);
          heldAt.set(provider, name);
          if (firsts.has(name)) return;
          firsts.set(name, provider);
          signals.get(name)!();
          await claimedOne.get(other);
        },
      });
    const a = sharing('A', 'B');
    const b = sharing('B', 'A');
    const now = new Date('2026-12-03T17:01:00Z');
    const [ra, rb] = await Promise.all([pollOnce(a, { now }), pollOnce(b, { now })]);

    expect(ra.skipped).toBeUndefined();
    expect(rb.skipped).toBeUndefined();
    expect(polled(ra).length).toBeGreaterThan(0);
    expect(polled(rb).length).toBeGreaterThan(0);
    expect(polled(ra)).toContain(firsts.get('A'));
    expect(polled(rb)).toContain(firsts.get('B'));
    // disjoint, and every folder polled by one of them
    expect([...polled(ra), ...polled(rb)].sort()).toEqual(providers.map((p) => p.code));
    expect([...ra.results, ...rb.results].map((r) => r.error)).toEqual(Array(2 * providers.length).fill(undefined));
    expect(ra.files + rb.files).toBe(2 * providers.length);
    for (const [code, files] of names) for (const f of files) await answeredOnce(code, f);
    // each poller answered exactly the files of the folders it claimed
    for (const r of [ra, rb]) expect(new Set(r.results.map((x) => x.provider))).toEqual(new Set(polled(r)));
    expect(await one(`select count(*)::int n from poll_claims where holder is not null`)).toEqual({ n: 0 });
  });
});

describe('a poller that died holding a folder', () => {
  it('keeps it until its claim expires; then another poller takes the folder over, and the dead one, should it wake, stops', async () => {
    const victim = providers[0]!.code;
    const name = `OTF_${victim}_202611_c.xlsx`;
    await upload(victim, name, await workbook([[OTF, [otfRow({ minutes: 42 }, providers[0])], 'OTF']]));
    await pollOnce(poller(), { now: new Date('2026-12-03T17:10:00Z') }); // the sighting

    let told: ((e: string) => void) | undefined;
    const leaseEvent = () => new Promise<string>((r) => (told = r));
    let reached!: (provider: string) => void;
    const atClaim = new Promise<string>((r) => (reached = r));
    let wake!: () => void;
    const asleep = new Promise<void>((r) => (wake = r));
    // only the claim renewals are driven by the test (the dead poller renews nothing until told)
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const dead = poller({ onLease: (e) => told?.(e), onClaim: async (provider) => {
        reached(provider);
        await asleep; // stopped here, its claim taken
      } }, 'the-dead-poller');
      const deadPoll = pollOnce(dead, { now: new Date('2026-12-03T17:11:00Z'), provider: victim });
      expect(await atClaim).toBe(victim);
      // its connections are gone too, as with a killed process: the claim is a row and stays
      const killed = await world.db.pool.query(`select pg_terminate_backend(pid, 10000) from pg_stat_activity where application_name = 'the-dead-poller' and datname = current_database()`);
      expect(killed.rowCount).toBeGreaterThan(0);

      // while the claim holds, another poller leaves the folder (and its file) alone
      const meanwhile = await pollOnce(poller(), { now: new Date('2026-12-03T17:12:00Z') });
      expect(polled(meanwhile)).not.toContain(victim);
      expect(polled(meanwhile).length).toBe(providers.length - 1);
      expect(ls(dir(victim, 'uploads'))).toContain(name);

      // the claim's expiry comes (injected: the database's clock passes expires_at)
      const expired = await world.db.pool.query(`update poll_claims set expires_at = now() - interval '1 second' where provider_code = $1 and holder is not null`, [victim]);
      expect(expired.rowCount).toBe(1);
      const takeover = await pollOnce(poller(), { now: new Date('2026-12-03T17:13:00Z'), provider: victim });
      expect(polled(takeover)).toEqual([victim]);
      expect(takeover.results.map((r) => [r.file, r.error])).toEqual([[name, undefined]]);
      await answeredOnce(victim, name);

      // the dead poller wakes: its next renewal finds the claim gone, and it stops without touching the folder
      const event = leaseEvent();
      vi.advanceTimersByTime(world.config.POLL_LEASE_SECONDS * 250);
      expect(await event).toBe('lost');
      wake();
      const r = await deadPoll;
      expect(r.stopped).toMatch(/claim .* lost/);
      expect(r.results).toEqual([]);
      expect(r.recovered).toEqual([]);
      await answeredOnce(victim, name);
    } finally {
      wake();
      vi.useRealTimers();
    }
  });
});

describe('two pollers and uploads still arriving', () => {
  it('after the stability window, a poller free to work lists again the folders either of them saw arriving, not only its own', async () => {
    // Both pollers start together; the first lists every folder but one while the second holds
    // that one, so the first saw nearly every upload arriving. Once the window has passed, the
    // second is free at once and the first is still waiting: the second answers what is ripe.
    const names = new Map(providers.map((p) => [p.code, `OTF_${p.code}_202611_late.xlsx`]));
    for (const p of providers) await upload(p.code, names.get(p.code)!, await workbook([[OTF, [otfRow({ minutes: 25 }, p)], 'OTF']]));
    const config = { ...world.config, SFTP_STABLE_SECONDS: 30 };
    // the first poller waits out the window at this gate until the second has finished
    const aWaits = new Gate();
    let bHeld = false;
    const a = poller({ config, wait: () => aWaits.pass() });
    const b = poller({ config, wait: async () => undefined, onClaim: async () => {
      if (bHeld) return;
      bHeld = true;
      await aWaits.arrived(); // the first poller has listed every other folder
    } });
    const now = new Date('2026-12-04T17:00:00Z');
    const bPoll = pollOnce(b, { now }).finally(() => aWaits.open());
    const [ra, rb] = await Promise.all([pollOnce(a, { now }), bPoll]);

    // the first pass: one folder listed by the second poller, the others by the first
    expect(rb.byProvider.filter((p) => p.waiting + p.ready > 0).length).toBeGreaterThan(0);
    expect([...ra.results, ...rb.results].map((r) => r.error)).toEqual(Array(providers.length).fill(undefined));
    // the second poller, free first, answered every upload; the first found nothing left
    expect(rb.files).toBe(providers.length);
    expect(ra.files).toBe(0);
    for (const [code, name] of names) await answeredOnce(code, name);
    expect(await one(`select count(*)::int n from poll_claims where holder is not null`)).toEqual({ n: 0 });
  });
});

describe('a poller that saw nothing arriving', () => {
  it('ends its poll: it does not wait for a sighting of another poller, which that poller lists again itself', async () => {
    const config = { ...world.config, SFTP_STABLE_SECONDS: 30 };
    // A claims a folder first, and an upload lands there (A will see it arriving); B begins its
    // pass and holds the next folder, where nothing arrives, until A waits out the window; A
    // lists every other folder meanwhile, so B lists only its one folder
    let name = '';
    let aFirst = '';
    // A holds its first folder at this gate until B has claimed one; A waits out the window at
    // the other until B has finished
    const aHolds = new Gate();
    const aWaits = new Gate();
    const a = poller({ config, onClaim: async (code) => {
      if (aFirst) return;
      aFirst = code;
      const p = providers.find((x) => x.code === code)!;
      name = `OTF_${code}_202611_single.xlsx`;
      await upload(code, name, await workbook([[OTF, [otfRow({ minutes: 26 }, p)], 'OTF']]));
      await aHolds.pass();
    }, wait: () => aWaits.pass() });
    const bWaits: number[] = [];
    let bFirst = '';
    const b = poller({ config, wait: async (ms) => {
      bWaits.push(ms);
    }, onClaim: async (code) => {
      if (bFirst) return;
      bFirst = code;
      aHolds.open();
      await aWaits.arrived();
    } });
    const now = new Date('2026-12-05T17:00:00Z');
    const aPoll = pollOnce(a, { now });
    await aHolds.arrived();
    const [ra, rb] = await Promise.all([aPoll, pollOnce(b, { now }).finally(() => aWaits.open())]);

    expect(polled(rb)).toEqual([bFirst]);
    expect(polled(ra)).toContain(aFirst);
    expect(bWaits).toEqual([]);
    expect(rb.files).toBe(0);
    expect(ra.results.map((r) => [r.file, r.error])).toEqual([[name, undefined]]);
    await answeredOnce(aFirst, name);
  });
});

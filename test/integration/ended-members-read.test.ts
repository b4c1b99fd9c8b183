// The provider context's members whose eligibility with the plan ended (src/ingest/context.ts
// `ineligible`): the provider's ECM members read once, by ecmMembers (each row with the member's
// eligibility end when not eligible for the period), plus the provider's other members, by
// endedMembers (src/repositories/provider-context.ts). Both run for every inbound file, so each
// must be bounded by the provider's own members: a plan with a couple of million members loses
// hundreds of thousands a year, and a read starting from every ended member of the plan would
// grow with that churn year after year. The plan's check: EXPLAIN ANALYZE counts the members
// rows each read examines (a row count, deterministic; never a time).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../schemas/primitives.js';
import { ineligibleMembers } from '../../src/ingest/context.js';
import { ecmMembers, endedMembers, type ContextPeriod } from '../../src/repositories/provider-context.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { explainRead, expectReadByTheProvidersMembers, nodes } from '../helpers/explain.js';
import { movedByExtract, seedPlan } from '../helpers/plan.js';

let db: TestDb;
// ACME's December 2026 file, received in January 2027; switches looked for since November began
const PERIOD = '2026-12-01' as IsoDate;
const RECEIVED = new Date('2027-01-04T17:00:00Z');
const SWITCHES_SINCE = new Date('2026-11-01T07:00:00Z');
const OTHERS = 20000;

const member = (cin: string, end: string | null) => db.pool.query(
  `insert into members (cin, last_name, first_name, dob, eligibility_end) values ($1, 'X', 'Y', '1980-01-01', $2)`, [cin, end]);
const mif = async (slot: string, cins: string[], status = 'PUBLISHED') => {
  const f = await db.pool.query<{ id: string }>(
    `insert into outbound_files (kind, job, slot, provider_code, lob, status, file_name, sha256, row_count, published_at)
     values ('MIF', 'mif', $1, 'ACME', 'HN', $2, $3, repeat('a', 64), $4, case when $2 = 'PUBLISHED' then $1::date + time '15:00' end) returning id`,
    [slot, status, `MIF_HN_${slot}_${status}.xlsx`, cins.length]);
  for (const [i, cin] of cins.entries())
    await db.pool.query(`insert into outbound_file_rows (outbound_file_id, row_number, cin, ecm_status) values ($1, $2, $3, 3)`, [f.rows[0]!.id, i + 2, cin]);
};

/**
 * ACME's enrolled member since June whom an extract loaded at `loadedAt` moves to RIVAL from
 * `from`: the assignment as the import leaves it, with its lineage row (a move: migration 0049).
 */
async function movedToRival(cin: string, loadedAt: string, from: string): Promise<void> {
  await db.pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) values ($1, 'HN', 'ACME', 3, '2026-06-01')`, [cin]);
  await movedByExtract(db.pool, cin, 'HN', { provider: 'RIVAL', from }, loadedAt);
}

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  await db.pool.query(`insert into file_blobs (sha256, size, bytes) values (repeat('a', 64), 1, '\\x00')`);
  // the plan's churn: many members whose eligibility ended, none ever ACME's (some RIVAL's)
  await db.pool.query(`insert into members (cin, last_name, first_name, dob, eligibility_end)
    select lpad(g::text, 8, '0') || 'Z', 'X', 'Y', '1970-01-01', date '2020-01-31' + (g % 2000) from generate_series(1, ${OTHERS}) g`);
  await db.pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date)
    select lpad(g::text, 8, '0') || 'Z', 'HN', 'RIVAL', 3, '2020-01-01' from generate_series(1, ${OTHERS}, 10) g`);

  // ACME's members whose eligibility ended on 11/30 (before December), each ACME's in one way:
  // assigned (Ben), referred (R), authorized (S), only on the latest HN MIF (Gil, no assignment)
  await db.pool.query(`update members set eligibility_end = '2026-11-30' where cin in ('91000002B', '91000007G')`);
  await member('91100001R', '2026-11-30');
  await db.pool.query(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('R-1', '91100001R', 'ACME', 'HN', '2026-11-20')`);
  await member('91100002S', '2026-11-30');
  await db.pool.query(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end)
    values ('91100002S', 'HTN', 'ACME', 'HN', 'AUTHORIZED', 'Approved', 'A-9', '2026-10-01', '2027-03-31')`);
  // held by ACME into December, the switch (a move: migration 0049) loaded on 12/05 (before the December MIF): on
  // November's MIF, not on December's, and now RIVAL's
  await member('91100003M', '2026-11-30');
  await movedToRival('91100003M', '2026-12-05T16:00:00Z', '2026-12-10');
  // moved to RIVAL from 11/15 (before December) by an extract loaded on 11/16, inside the
  // switches' window: ACME held them no day of December, so not ACME's (its rows about them are
  // MEMBER_NOT_ASSIGNED, never "accepted" as not eligible)
  await member('91100006V', '2026-11-30');
  await movedToRival('91100006V', '2026-11-16T16:00:00Z', '2026-11-15');
  // not ended before December: eligible through 12/31 (Dee), or never ended (Ann)
  await db.pool.query(`update members set eligibility_end = '2026-12-31' where cin = '91000004D'`);
  // RIVAL's, ended: not ACME's
  await db.pool.query(`update members set eligibility_end = '2026-11-30' where cin = '91000005E'`);
  // ACME's member long ago, only on a MIF of 2024 (see the last test)
  await member('91100004O', '2025-03-31');
  // a MIF that was never published (it failed): nothing on it reached ACME
  await member('91100005U', '2026-11-30');

  // and the files other providers were sent, which carried them
  for (const slot of ['2026-10-15', '2026-11-15']) {
    const f = await db.pool.query<{ id: string }>(`insert into outbound_files (kind, job, slot, provider_code, lob, status, file_name, sha256, row_count, published_at)
      values ('MIF', 'mif', $1, 'RIVAL', 'HN', 'PUBLISHED', $2, repeat('a', 64), ${OTHERS}, $1::date + time '15:00') returning id`, [slot, `MIF_HN_RIVAL_${slot}.xlsx`]);
    await db.pool.query(`insert into outbound_file_rows (outbound_file_id, row_number, cin, ecm_status)
      select $1, g + 1, lpad(g::text, 8, '0') || 'Z', 3 from generate_series(1, ${OTHERS}) g`, [f.rows[0]!.id]);
  }
  await mif('2024-06-15', ['91100004O']);
  await mif('2026-11-15', ['91000001A', '91000002B', '91100003M']);
  await mif('2026-12-14', ['91100005U'], 'FAILED');
  await mif('2026-12-15', ['91000001A', '91000002B', '91000007G']);
  await db.pool.query('analyze');
});
afterAll(async () => {
  await db?.drop();
});

const DECEMBER: ContextPeriod = { start: PERIOD, end: '2026-12-31' as IsoDate, switchesSince: SWITCHES_SINCE };
const readEcm = (d: pg.Pool | pg.PoolClient) => ecmMembers(d, 'ACME', RECEIVED, DECEMBER);
const readEnded = (d: pg.Pool | pg.PoolClient) => endedMembers(d, 'ACME', PERIOD);
/** The context's `ineligible`, from both reads as loadProviderContext makes it: CIN → last eligible day. */
const read = async (d: pg.Pool | pg.PoolClient) => ineligibleMembers(await readEcm(d), await readEnded(d));

describe('the provider context\'s members whose eligibility ended (ecmMembers and endedMembers)', () => {
  it('the provider\'s members ended before the period, each with its last eligible day', async () => {
    const rows = [...(await read(db.pool))].sort();
    expect(rows).toEqual([
      ['91000002B', '2026-11-30'], // assigned
      ['91000007G', '2026-11-30'], // only on the latest MIF of its line
      ['91100001R', '2026-11-30'], // referred
      ['91100002S', '2026-11-30'], // authorized
      ['91100003M', '2026-11-30'], // held into the period, moved to another provider since
    ]); // (not 91100006V: moved away before the period)
  });

  it('is the set the read from the plan\'s side gave, with the same days, but for members only on files that no longer count', async () => {
    // the read as it was (every ended member of the plan, then whether any of the provider's
    // rows or of any file ever made for it names the member): the reference
    const before = (await db.pool.query<{ cin: string; eligibility_end: string }>(
      `select m.cin, m.eligibility_end from members m
        where m.eligibility_end is not null and not (m.eligibility_end >= $2::date)
          and (exists (select 1 from ecm_assignments a where a.cin = m.cin and a.provider_code = $1)
               or exists (select 1 from ecm_referrals f where f.cin = m.cin and f.provider_code = $1)
               or exists (select 1 from cs_authorizations a where a.cin = m.cin and a.provider_code = $1)
               or exists (select 1 from outbound_file_rows r join outbound_files o on o.id = r.outbound_file_id where r.cin = m.cin and o.provider_code = $1))`,
      ['ACME', PERIOD])).rows.map((r) => [r.cin, r.eligibility_end]);
    const now = [...(await read(db.pool))];
    expect(now.sort()).toEqual(before.filter(([c]) => !['91100004O', '91100005U'].includes(c!)).sort());
  });

  it('ecmMembers gives the end only of a member not eligible for the period, on each of the member\'s rows', async () => {
    const ends = new Map((await readEcm(db.pool)).map((r) => [`${r.cin}|${r.lob}`, r.eligibility_end]));
    expect(ends.get('91000002B|HN')).toBe('2026-11-30'); // assigned
    expect(ends.get('91000007G|HN')).toBe('2026-11-30'); // only on the latest MIF
    expect(ends.get('91100003M|HN')).toBe('2026-11-30'); // held into the period
    expect(ends.get('91000004D|CV')).toBeNull(); // eligible through 12/31: ends in the period, not before it
    expect(ends.get('91000001A|HN')).toBeNull(); // never ended
  });

  it('endedMembers reads only what ecmMembers does not: no assignment, lineage nor file row', async () => {
    const plan = await explainRead(db.pool, readEnded);
    const tables = new Set(nodes(plan!).map((n) => n['Relation Name']).filter(Boolean));
    for (const t of ['ecm_assignments', 'ecm_assignment_changes', 'outbound_files', 'outbound_file_rows']) expect(tables).not.toContain(t);
    // and what it returns is the referred and authorized members ecmMembers does not know
    expect((await readEnded(db.pool)).map((r) => [r.cin, r.eligibility_end]).sort()).toEqual([
      ['91100001R', '2026-11-30'], ['91100002S', '2026-11-30'],
    ]);
  });

  it('each read examines only the provider\'s members, not every member of the plan whose eligibility ended', async () => {
    // a few member rows per member of ACME's, where a read from the plan's side examines every one of the OTHERS
    await expectReadByTheProvidersMembers(db.pool, readEcm, 50);
    await expectReadByTheProvidersMembers(db.pool, readEnded, 50);
  });

  it('a member only on a MIF that was never published, or only on a MIF of years ago, is not the provider\'s', async () => {
    const cins = [...(await read(db.pool)).keys()];
    expect(cins).not.toContain('91100005U');
    expect(cins).not.toContain('91100004O');
  });
});

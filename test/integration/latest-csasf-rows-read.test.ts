// The provider context's CSASF rows (src/repositories/provider-context.ts latestCsasfRows), and
// above all their fallback for members the latest CSASF left out because their eligibility with
// the plan had ended: it runs for every inbound file, so it must be bounded by the provider's own
// CS members. A plan with a couple of million members loses hundreds of thousands a year, and a
// read starting from every ended member of the plan would grow with that churn year after year.
// The plan's check: EXPLAIN ANALYZE counts the members rows the read examines (a row count,
// deterministic; never a time).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestCsasfRows } from '../../src/repositories/provider-context.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { expectReadByTheProvidersMembers } from '../helpers/explain.js';
import { seedCsAuthorizations, seedPlan } from '../helpers/plan.js';

let db: TestDb;
// HOMEWAY's file received on 12/10: its latest CSASF by then is the one of the 12/01 slot
const RECEIVED = new Date('2026-12-10T17:00:00Z');
const OTHERS = 20000;

const member = (cin: string, end: string | null) => db.pool.query(
  `insert into members (cin, last_name, first_name, dob, eligibility_end) values ($1, 'X', 'Y', '1980-01-01', $2)`, [cin, end]);
const auth = (cin: string, service: string, num: string, start: string, end: string, superseded = false) => db.pool.query(
  `insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end, resolved, resolved_reason)
   values ($1, $2, 'HOMEWAY', 'HN', 'AUTHORIZED', 'Approved', $3, $4, $5, $6, case when $6 then 'SUPERSEDED' end)`, [cin, service, num, start, end, superseded]);
type Row = [cin: string, service: string, authNumber: string, start: string, end: string];
const csasf = async (provider: string, slot: string, rows: Row[], status = 'PUBLISHED') => {
  const f = await db.pool.query<{ id: string }>(
    `insert into outbound_files (kind, job, slot, provider_code, lob, status, file_name, sha256, row_count, published_at)
     values ('CSASF', 'csasf', $1, $2, null, $3, $4, repeat('a', 64), $5, case when $3 = 'PUBLISHED' then $1::date + time '15:00' end) returning id`,
    [slot, provider, status, `CSASF_${provider}_${slot}_${status}.xlsx`, rows.length]);
  for (const [i, [cin, service, num, start, end]] of rows.entries())
    await db.pool.query(`insert into outbound_file_rows (outbound_file_id, row_number, cin, service_code, auth_status, auth_number, auth_start, auth_end)
      values ($1, $2, $3, $4, 'Approved', $5, $6, $7)`, [f.rows[0]!.id, i + 2, cin, service, num, start, end]);
  return f.rows[0]!.id;
};

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  await seedCsAuthorizations(db.pool);
  await db.pool.query(`insert into file_blobs (sha256, size, bytes) values (repeat('a', 64), 1, '\\x00')`);
  // the plan's churn: many members whose eligibility ended, none ever HOMEWAY's; one in ten
  // MEALS's, authorized and on MEALS's CSASFs before they ended
  await db.pool.query(`insert into members (cin, last_name, first_name, dob, eligibility_end)
    select lpad(g::text, 8, '0') || 'Z', 'X', 'Y', '1970-01-01', date '2020-01-31' + (g % 2000) from generate_series(1, ${OTHERS}) g`);
  await db.pool.query(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end)
    select lpad(g::text, 8, '0') || 'Z', 'MTM', 'MEALS', 'HN', 'AUTHORIZED', 'Approved', 'M-' || g, '2020-01-01', date '2020-01-31' + (g % 2000)
      from generate_series(1, ${OTHERS}, 10) g`);
  for (const slot of ['2026-11-01', '2026-11-16', '2026-12-01']) {
    const id = await csasf('MEALS', slot, []);
    await db.pool.query(`insert into outbound_file_rows (outbound_file_id, row_number, cin, service_code, auth_status, auth_number, auth_start, auth_end)
      select $1, g + 1, lpad(g::text, 8, '0') || 'Z', 'MTM', 'Approved', 'M-' || g, '2020-01-01', '2020-01-31'::date + (g % 2000)
        from generate_series(1, ${OTHERS}, 10) g`, [id]);
  }

  // HOMEWAY's members (seedPlan authorizes Ann for HTN and Ben for RS, neither ended) and:
  // Sam, ended 11/20: HTN renewed (A-10 superseded by A-11 from 11/01) and MTM, on the CSASFs of
  // 11/01 and 11/16, not on the 12/01 one
  await member('91200001S', '2026-11-20');
  await auth('91200001S', 'HTN', 'A-10', '2026-08-01', '2026-10-31', true);
  await auth('91200001S', 'HTN', 'A-11', '2026-11-01', '2027-04-30');
  await auth('91200001S', 'MTM', 'A-12', '2026-10-01', '2027-03-31');
  // Tia, eligible through 12/15 (so on the 12/01 slot), left off the 12/01 CSASF all the same
  await member('91200002T', '2026-12-15');
  await auth('91200002T', 'HTN', 'A-20', '2026-10-01', '2026-11-30');
  // Uma, ended 11/30, only on a CSASF that failed: nothing on it reached HOMEWAY
  await member('91200003U', '2026-11-30');
  await auth('91200003U', 'HTN', 'A-30', '2026-11-01', '2027-04-30');
  // Vic, ended 11/30, authorized to HOMEWAY but only ever on MEALS's CSASF
  await member('91200004V', '2026-11-30');
  await auth('91200004V', 'HTN', 'A-40', '2026-11-20', '2027-04-30');

  await csasf('HOMEWAY', '2026-11-01', [
    ['91000001A', 'HTN', 'A-100', '2026-10-01', '2027-03-31'],
    ['91200001S', 'HTN', 'A-10', '2026-08-01', '2026-10-31'],
    ['91200001S', 'MTM', 'A-12', '2026-10-01', '2027-03-31'],
    ['91200002T', 'HTN', 'A-20', '2026-10-01', '2026-11-30'],
  ]);
  await csasf('HOMEWAY', '2026-11-16', [
    ['91000001A', 'HTN', 'A-100', '2026-10-01', '2027-03-31'],
    ['91200001S', 'HTN', 'A-11', '2026-11-01', '2027-04-30'],
    ['91200002T', 'HTN', 'A-20', '2026-10-01', '2026-11-30'],
  ]);
  await csasf('HOMEWAY', '2026-11-20', [['91200003U', 'HTN', 'A-30', '2026-11-01', '2027-04-30']], 'FAILED');
  await csasf('MEALS', '2026-11-20', [['91200004V', 'HTN', 'A-40', '2026-11-20', '2027-04-30']]);
  await csasf('HOMEWAY', '2026-12-01', [
    ['91000001A', 'HTN', 'A-100', '2026-10-01', '2027-03-31'],
    ['91000002B', 'RS', 'A-300', '2026-11-01', '2027-01-31'],
  ]);
  // published after the receipt: not what the provider was answering
  await csasf('HOMEWAY', '2026-12-16', [['91000001A', 'HTN', 'A-100', '2026-10-01', '2027-03-31']]);
  await db.pool.query('analyze');
});
afterAll(async () => {
  await db?.drop();
});

const read = (d: pg.Pool | pg.PoolClient) => latestCsasfRows(d, 'HOMEWAY', RECEIVED);


describe('latestCsasfRows (the provider context\'s CSASF rows)', () => {
  it('the latest CSASF\'s rows, and the last rows of the members it left out because their eligibility ended', async () => {
    const rows = (await read(db.pool)).map((r) => [r.cin, r.service_code, r.auth_number, r.lob, r.served_from]).sort();
    expect(rows).toEqual([
      ['91000001A', 'HTN', 'A-100', 'HN', null],
      ['91000002B', 'RS', 'A-300', 'HN', null],
      // ended 11/20: each service as the latest CSASF that carried it had it (HTN renewed on
      // 11/16's, from the chain's start; MTM only on 11/01's)
      ['91200001S', 'HTN', 'A-11', 'HN', '2026-08-01'],
      ['91200001S', 'MTM', 'A-12', 'HN', null],
    ]);
  });

  it('is the set the read from the plan\'s side gave', async () => {
    // the statement as it was (every ended member of the plan, then its rows on the provider's
    // older CSASFs): the reference
    const before = (await db.pool.query(
      `with sent as (
         select id, slot from outbound_files where provider_code = $1 and kind = 'CSASF' and status = 'PUBLISHED' and published_at <= $2
       ), latest as (
         select id, slot from sent order by slot desc, id desc limit 1
       ), rows as (
         select r.* from latest l join outbound_file_rows r on r.outbound_file_id = l.id
         union all
         select * from (
           select distinct on (r.cin, r.service_code) r.*
             from latest l join members m on m.eligibility_end is not null and not (m.eligibility_end is null or m.eligibility_end >= l.slot)
             join outbound_file_rows r on r.cin = m.cin join sent s on s.id = r.outbound_file_id and s.id <> l.id
            where not exists (select 1 from outbound_file_rows x where x.outbound_file_id = l.id and x.cin = m.cin)
            order by r.cin, r.service_code, s.slot desc, s.id desc) ended
       )
       select r.cin, r.service_code, a.lob, r.auth_status, r.auth_number, r.auth_start, r.auth_end,
              (with recursive chain(s) as (
                 select r.auth_start
                 union
                 select p.auth_start from chain c join cs_authorizations p
                   on p.cin = r.cin and p.service_code = r.service_code and p.provider_code = $1
                  and p.auth_status = 'Approved' and p.resolved_reason = 'SUPERSEDED' and p.auth_start < c.s
                  and (p.auth_end is null or p.auth_end >= c.s - 1)
               ) select min(s) from chain where s < r.auth_start) as served_from,
              m.last_name, m.first_name, m.dob
         from rows r join members m on m.cin = r.cin
         left join lateral (select a.lob from cs_authorizations a
            where a.cin = r.cin and a.service_code = r.service_code and a.provider_code = $1
            order by a.auth_key = coalesce(r.auth_number, '') desc, a.resolved, a.id desc limit 1) a on true`,
      ['HOMEWAY', RECEIVED])).rows;
    const key = (r: { cin: string; service_code: string }) => `${r.cin}|${r.service_code}`;
    const byKey = <T extends { cin: string; service_code: string }>(rows: T[]) => [...rows].sort((a, b) => key(a).localeCompare(key(b)));
    expect(before.length).toBe(4);
    expect(byKey(await read(db.pool))).toEqual(byKey(before));
  });

  it('examines only the provider\'s members, not every member of the plan whose eligibility ended', async () => {
    // a few member rows per member of HOMEWAY's, where a read from the plan's side examines every one of the OTHERS
    await expectReadByTheProvidersMembers(db.pool, read, 50);
  });
});

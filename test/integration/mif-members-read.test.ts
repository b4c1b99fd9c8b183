// The members of a provider's MIF (mifMembers, src/repositories/ecm-assignments.ts) are read
// once per provider and line of business on every monthly run: hundreds of units, each of which
// must read its own provider's assignments, not the plan's. The read has a second part, the
// assignments an extract dated after the slot that the provider held before (the member is on
// its MIF until the move's day); that part found them by reading every assignment of the line,
// 14 ms a unit at the bench's 100k assignments (npm run bench -- --cases D), growing with the
// plan times its providers. The plan's check: EXPLAIN ANALYZE counts the assignment rows the
// read examines (a row count, deterministic; never a time).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../schemas/primitives.js';
import { csasfRows } from '../../src/repositories/cs-authorizations.js';
import { mifMembers, miniMifMembers } from '../../src/repositories/ecm-assignments.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { explainRead, explainStatements, nodes, rowsExamined, wholeReads } from '../helpers/explain.js';
import { movedByExtract, seedCsAuthorizations, seedPlan } from '../helpers/plan.js';

let db: TestDb;
const SLOT = '2026-12-15' as IsoDate;
const PERIOD_START = '2026-12-01' as IsoDate;
// the plan's other members, each assigned to RIVAL in the line (HN) for years
const OTHERS = 20000;

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  await db.pool.query(`insert into members (cin, last_name, first_name, dob)
    select lpad(g::text, 8, '0') || 'Z', 'X', 'Y', '1970-01-01' from generate_series(1, ${OTHERS}) g`);
  await db.pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date)
    select lpad(g::text, 8, '0') || 'Z', 'HN', 'RIVAL', 3, '2020-01-01' from generate_series(1, ${OTHERS}) g`);
  // and the plan's other referrals (RIVAL's) and CS authorizations (MEALS')
  await db.pool.query(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date)
    select 'R-' || g, lpad(g::text, 8, '0') || 'Z', 'RIVAL', 'HN', date '2020-01-01' + (g % 2000) from generate_series(1, ${OTHERS}) g`);
  await db.pool.query(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end)
    select lpad(g::text, 8, '0') || 'Z', 'MTM', 'MEALS', 'HN', 'AUTHORIZED', 'Approved', 'M-' || g, '2026-01-01', '2027-06-30' from generate_series(1, ${OTHERS}) g`);
  await seedCsAuthorizations(db.pool);
  await db.pool.query(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('R-ACME-1', '91000001A', 'ACME', 'HN', '2026-12-01')`);
  // ACME's enrolled Ben, moved to RIVAL from 12/20 (after the slot) by an extract loaded on
  // 12/01 and applied at its load (as before migration 0054): the assignment names RIVAL now,
  // its lineage row (a move) the assignment as ACME held it
  await movedByExtract(db.pool, '91000002B', 'HN', { provider: 'RIVAL', from: '2026-12-20' }, '2026-12-01T16:00:00Z');
  await db.pool.query('analyze');
});
afterAll(async () => {
  await db?.drop();
});

const read = (d: Parameters<typeof mifMembers>[0]) => mifMembers(d, 'ACME', 'HN', SLOT, PERIOD_START);

describe("a MIF's members (mifMembers)", () => {
  it('are the provider\'s members of the line on the slot, with the one an extract moves away after it', async () => {
    expect((await read(db.pool)).map((m) => m.cin).sort()).toEqual(['91000001A', '91000002B']); // (not Fay: her enrollment ended in October)
    // and RIVAL's December MIF does not have Ben yet (the move's day is after its slot)
    expect((await mifMembers(db.pool, 'RIVAL', 'HN', SLOT, PERIOD_START)).map((m) => m.cin)).not.toContain('91000002B');
  });

  it('examines the provider\'s assignments, not every assignment of the line', async () => {
    const plan = await explainRead(db.pool, read);
    const assignments = nodes(plan!).filter((n) => n['Relation Name'] === 'ecm_assignments');
    expect(assignments.length).toBeGreaterThan(0);
    expect(assignments.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    // ACME's few, and those dated after the slot; where the scan of the line read all OTHERS
    expect(rowsExamined(assignments)).toBeLessThanOrEqual(50);
  });
});

describe('every read of an outbound file\'s members, with no sequential scan to fall back on', () => {
  // (enable_seqscan off: a scan left in the plan is one no index can replace, whatever the sizes)
  const reads: [string, (d: Parameters<typeof mifMembers>[0]) => Promise<unknown>][] = [
    ['MIF', read],
    ['CSASF', (d) => csasfRows(d, 'HOMEWAY', SLOT, 90)],
  ];
  it.each(reads)('%s: reads the plan\'s tables by key only', async (_name, run) => {
    const plans = await explainStatements(db.pool, run);
    expect(plans.length).toBeGreaterThan(0);
    for (const plan of plans)
      for (const t of ['ecm_assignments', 'ecm_assignment_changes', 'ecm_referrals', 'members', 'cs_authorizations', 'outbound_files', 'outbound_file_rows'])
        expect(wholeReads(plan, t), t).toEqual([]);
  });
});

describe("a mini-MIF's members (miniMifMembers)", () => {
  // (not checked with scans priced out: then the planner reads the referrals' CIN index whole
  // for its order, where with the tables' statistics it reads the provider's referrals by key)
  it.each([false, true])('examine the provider\'s referrals, not the plan\'s (republishing: %s)', async (republishing) => {
    const plan = await explainRead(db.pool, (d) => miniMifMembers(d, 'ACME', 'HN', SLOT, 5, republishing));
    const referrals = nodes(plan!).filter((n) => n['Relation Name'] === 'ecm_referrals');
    expect(referrals.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    expect(rowsExamined(referrals)).toBeLessThanOrEqual(50);
    expect(rowsExamined(nodes(plan!).filter((n) => n['Relation Name'] === 'ecm_assignments'))).toBeLessThanOrEqual(50);
  });
});

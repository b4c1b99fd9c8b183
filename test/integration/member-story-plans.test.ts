// `member show` reads one member's story by CIN from tables that grow by a whole file at a time:
// a year of RTFs is millions of staged rows (submission_rows) and of lineage rows
// (ecm_assignment_changes). Each of its reads must reach the member's rows by key, never read a
// table whole: every statement of src/repositories/member-story.ts is explained on a real
// database with sequential scans priced out (`enable_seqscan = off`), so a scan that remains is
// one no index can replace. And none may lean on an index on the ingest's per-row path
// (migration 0056): submission_rows is read by its primary key or by the rejected rows' partial
// index, ecm_assignment_changes by the plan's changes' partial index (0048), current_rows by its
// primary key (a skip scan of its groups, then a probe per group), never by a new index.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assignmentImages, assignmentLineage, memberAssignments, memberCsAuthorizations, memberOutboundRows, memberPendingSwitches, memberProviderRows, memberRecord,
  memberReferrals, memberRtfReports, memberSwitchesNotApplied,
} from '../../src/repositories/member-story.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { explainStatements, wholeReads, type PlanShape } from '../helpers/explain.js';


let db: TestDb;
const CIN = '91000001A';

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.drop();
});

const TABLES = [
  'members', 'ecm_assignments', 'ecm_assignment_changes', 'ecm_assignment_pending', 'ecm_switches_not_applied', 'ecm_referrals', 'ecm_referral_conflicts',
  'cs_authorizations', 'cs_engagements', 'submission_rows', 'submission_sheets', 'submissions', 'submission_issues', 'current_rows', 'outreach_attempts',
  'outbound_file_rows', 'outbound_files',
];

const whole = (plans: PlanShape[]) => plans.flatMap((p) => TABLES.flatMap((t) => wholeReads(p, t).map((how) => `${t}: ${how}`)));

/** Every node of the plans, with the index each table is read by. */
const all = (n: PlanShape): PlanShape[] => [n, ...(n.Plans ?? []).flatMap(all)];
const indexesOf = (plans: PlanShape[], table: string) => [...new Set(plans.flatMap(all)
  // (a bitmap heap scan's index is its bitmap index scan's)
  .filter((n) => n['Node Type'] === 'Bitmap Index Scan' ? n['Index Name']?.startsWith(`${table}_`) : n['Relation Name'] === table && n['Node Type'] !== 'Bitmap Heap Scan')
  .map((n) => `${n['Node Type']} ${n['Index Name'] ?? ''}`.trim()))].sort();

/** How the reads may reach the tables the ingest writes per row: their keys and indexes from before 0056, and partial indexes that accepted rows and RTF changes never enter. */
const ALLOWED: Record<string, RegExp> = {
  submission_rows: /^(Index Scan|Index Only Scan|Bitmap Index Scan) (submission_rows_pkey|submission_rows_rejected_cin_idx)$/,
  ecm_assignment_changes: /^(Index Scan|Bitmap Index Scan) ecm_assignment_changes_plan_idx$/,
  current_rows: /^(Index Scan|Index Only Scan|Bitmap Index Scan) (current_rows_pkey|current_rows_sheet_idx)$/,
};

describe('member show reads the member by key', () => {
  for (const [name, read, expected] of [
    ['the record', (p) => memberRecord(p, CIN, '2026-12-10'), {}],
    ['the assignments, with outreach counting', (p) => memberAssignments(p, CIN, '2026-12-10'), {}],
    ['the plan\'s changes of the assignments (no RTF lineage)', (p) => assignmentLineage(p, [1, 2, 3], 50), { ecm_assignment_changes: ['ecm_assignment_changes_plan_idx'] }],
    ['the assignments as they stand', (p) => assignmentImages(p, [1, 2, 3]), {}],
    ['the planned switches', (p) => memberPendingSwitches(p, CIN), {}],
    ['the switches not applied', (p) => memberSwitchesNotApplied(p, CIN, 50), {}],
    ['the referrals', (p) => memberReferrals(p, CIN, 50), {}],
    ['the CS authorizations', (p) => memberCsAuthorizations(p, CIN, 50), {}],
    ['the RTF rows that count (the RTF steps)', (p) => memberRtfReports(p, CIN, 50), { current_rows: ['current_rows_pkey'], submission_rows: ['submission_rows_pkey'] }],
    ['the provider rows: counting and rejected', (p) => memberProviderRows(p, CIN, 50), { current_rows: ['current_rows_pkey'], submission_rows: ['submission_rows_pkey', 'submission_rows_rejected_cin_idx'] }],
    ['the outbound rows', (p) => memberOutboundRows(p, CIN, 50), {}],
    // (the member page of a liaison: the same reads, for the providers they may see only)
    ['the switches not applied, of some providers', (p) => memberSwitchesNotApplied(p, CIN, 50, ['ACME', 'HOMEWAY']), {}],
    ['the referrals, of some providers', (p) => memberReferrals(p, CIN, 50, ['ACME', 'HOMEWAY']), {}],
    ['the CS authorizations, of some providers', (p) => memberCsAuthorizations(p, CIN, 50, ['ACME', 'HOMEWAY']), {}],
    ['the RTF rows that count, of some providers', (p) => memberRtfReports(p, CIN, 50, ['ACME', 'HOMEWAY']), { current_rows: ['current_rows_pkey'], submission_rows: ['submission_rows_pkey'] }],
    ['the provider rows, of some providers', (p) => memberProviderRows(p, CIN, 50, ['ACME', 'HOMEWAY']), { current_rows: ['current_rows_pkey'], submission_rows: ['submission_rows_pkey', 'submission_rows_rejected_cin_idx'] }],
    ['the outbound rows, of some providers', (p) => memberOutboundRows(p, CIN, 50, ['ACME', 'HOMEWAY']), {}],
  ] as [string, (p: import('pg').Pool) => Promise<unknown>, Record<string, string[]>][]) {
    it(name, async () => {
      const plans = await explainStatements(db.pool, read);
      expect(plans.length).toBeGreaterThan(0);
      expect(whole(plans)).toEqual([]);
      for (const [table, ok] of Object.entries(ALLOWED)) for (const how of indexesOf(plans, table)) expect(how, table).toMatch(ok);
      // (the index each promised read goes through, whatever the node: index, index-only or bitmap scan)
      for (const [table, names] of Object.entries(expected)) expect(indexesOf(plans, table).map((h) => h.split(' ').at(-1)), table).toEqual(expect.arrayContaining(names));
    });
  }

  it('no index on the ingest\'s per-row path serves them: none by CIN on the staged rows\' accepted rows, none on the lineage or current_rows', async () => {
    const idx = (await db.pool.query<{ tablename: string; indexdef: string }>(
      `select tablename, indexdef from pg_indexes where tablename in ('submission_rows', 'ecm_assignment_changes', 'current_rows') order by indexname`)).rows;
    expect(idx.filter((i) => i.tablename === 'submission_rows').map((i) => i.indexdef.replace(/^.* USING /, ''))).toEqual([
      'btree (sheet_id, row_number)',
      'btree (cin) WHERE ((NOT accepted) AND (cin IS NOT NULL))',
    ]);
    expect(idx.filter((i) => i.tablename === 'current_rows').map((i) => i.indexdef.replace(/^.* USING /, ''))).toEqual([
      'btree (provider_code, layout, lob, period, row_key)',
      'btree (sheet_id, row_number)',
    ]);
    expect(idx.filter((i) => i.tablename === 'ecm_assignment_changes').map((i) => i.indexdef).join('\n')).not.toMatch(/0056|assignment_idx|\(assignment_id, id\)$/m);
  });
});

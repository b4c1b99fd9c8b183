// `member show` reads one member's story by CIN from tables that grow by a whole file at a time:
// a year of RTFs is millions of staged rows (submission_rows) and of lineage rows
// (ecm_assignment_changes). Each of its reads must reach the member's rows by key, never read a
// table whole: every statement of src/repositories/member-story.ts is explained on a real
// database with sequential scans priced out (`enable_seqscan = off`), so a scan that remains is
// one no index can replace (before migration 0056: the staged rows, the RTFs' lineage, the
// referrals, the resolved CS episodes without a number, the switches not applied).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assignmentImages, assignmentLineage, memberAssignments, memberCsAuthorizations, memberOutboundRows, memberPendingSwitches, memberProviderRows, memberRecord,
  memberReferrals, memberSwitchesNotApplied,
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

describe('member show reads the member by key', () => {
  for (const [name, read] of [
    ['the record', (p) => memberRecord(p, CIN, '2026-12-10')],
    ['the assignments, with outreach counting', (p) => memberAssignments(p, CIN, '2026-12-10')],
    ['the lineage of the assignments', (p) => assignmentLineage(p, [1, 2, 3], 50)],
    ['the assignments as they stand', (p) => assignmentImages(p, [1, 2, 3])],
    ['the planned switches', (p) => memberPendingSwitches(p, CIN)],
    ['the switches not applied', (p) => memberSwitchesNotApplied(p, CIN, 50)],
    ['the referrals', (p) => memberReferrals(p, CIN, 50)],
    ['the CS authorizations', (p) => memberCsAuthorizations(p, CIN, 50)],
    ['the provider rows', (p) => memberProviderRows(p, CIN, 50)],
    ['the outbound rows', (p) => memberOutboundRows(p, CIN, 50)],
  ] as [string, (p: import('pg').Pool) => Promise<unknown>][]) {
    it(name, async () => {
      const plans = await explainStatements(db.pool, read);
      expect(plans.length).toBeGreaterThan(0);
      expect(whole(plans)).toEqual([]);
    });
  }
});

// The plans of the plan-side imports' batch statements: each batch names up to 2,000 members by
// CIN, and Postgres must find their assignments (and open referral conflicts) by key, through
// the (cin, lob) indexes, never by reading every assignment of the plan for each batch. A CIN
// read out of a JSON batch as `text` compared with the `char(9)` column casts the column, not
// the value: the index is out of reach and every batch scans the table (a 20,000-referral
// backfill starting new episodes took 130 s, the second 2,000-row batch alone ~4 s).
// Each statement is captured as the repository sends it and explained on a real database with
// sequential scans priced out (`enable_seqscan = off`): a scan that remains is one no index can
// replace, whatever the table's size or statistics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyAssignmentExtract, endOtherLines, startReferralEpisodes, type AssignmentExtractWrite,
} from '../../src/repositories/ecm-assignments.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { explainStatements, wholeReads } from '../helpers/explain.js';

let db: TestDb;
const cin = (i: number) => `${String(10_000_000 + i)}A`;

beforeAll(async () => {
  db = await createTestDb();
  const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
  await q(`insert into providers (provider_code, npi, tin, name, phone, contact_email, liaison_email, sftp_folder)
           values ('BIGECM', '1234567893', '123456789', 'Big ECM', '5555550100', 'big@provider.example', 'liaison@plan.example', 'BIGECM'),
                  ('OTHER', '1558598797', '987654321', 'Other ECM', '5555550101', 'other@provider.example', 'liaison@plan.example', 'OTHER')`);
  await q(`insert into members (cin, last_name, first_name, dob)
           select (10000000 + g)::text || 'A', 'Member', 'Test', date '1980-01-01' from generate_series(0, 19999) g`);
  await q(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date)
           select (10000000 + g)::text || 'A', 'HN', 'BIGECM', 2, date '2026-10-01' from generate_series(0, 19999) g`);
  await q(`insert into ecm_referral_conflicts (referral_id, cin, lob, current_provider, referred_provider, approved_date, detected_at)
           select 'C-' || g, (10000000 + g)::text || 'A', 'HN', 'BIGECM', 'OTHER', date '2026-10-01', now() from generate_series(0, 1999) g`);
  await q('analyze members, ecm_assignments, ecm_referral_conflicts');
});
afterAll(async () => {
  await db.drop();
});

const now = new Date('2026-11-20T17:00:00Z');

describe('the imports find a batch\'s members by key', () => {
  it('referrals starting new episodes: the assignments they replace and the ones they must not duplicate', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({
      row: i + 2, action: 'episode' as const, referral_id: `R-${i}`, cin: cin(i * 7), provider_code: 'OTHER', lob: 'HN', approved_date: '2026-11-02',
    }));
    const [plan] = await explainStatements(db.pool, (p) => startReferralEpisodes(p, rows, now));
    expect(wholeReads(plan!, 'ecm_assignments')).toEqual([]);
  });

  it('the assignment extract opening a member in another line: the member\'s assignments in the other lines', async () => {
    const opened = Array.from({ length: 2000 }, (_, i) => ({ row: i + 2, cin: cin(i * 7), lob: 'CV', assigned_date: '2026-11-01', listed: ['CV'] }));
    const [plan] = await explainStatements(db.pool, (p) => endOtherLines(p, opened, now));
    expect(wholeReads(plan!, 'ecm_assignments')).toEqual([]);
  });

  it('the assignment extract switching members: the open referral conflicts it settles', async () => {
    const rows: AssignmentExtractWrite[] = Array.from({ length: 2000 }, (_, i) => ({
      row: i + 2, action: 'switch', take: [], id: i + 1, cin: cin(i), lob: 'HN', provider_code: 'OTHER', status: 1, assigned_date: '2026-11-01',
      pof: [], enrollment_start: null, enrollment_end: null, acuity: null, lcm_name: null, lcm_phone: null,
      upstream_values: {} as AssignmentExtractWrite['upstream_values'], as_of: now.toISOString(), field_as_of: {} as AssignmentExtractWrite['field_as_of'],
    }));
    for (const plan of await explainStatements(db.pool, (p) => applyAssignmentExtract(p, rows, now))) {
      expect(wholeReads(plan, 'ecm_assignments')).toEqual([]);
      expect(wholeReads(plan, 'ecm_referral_conflicts')).toEqual([]);
    }
  });
});

// The member page and `member show` list a member's rows that count (current_rows, one per key:
// domain §6). current_rows has no index by CIN (it is written per accepted row by every ingest),
// so the rows are found by walking its key's (provider, file type, line, period) groups. Walking
// every group of the plan grew with the whole exchange: ten years of 300 providers' monthly RTFs
// and OTFs in two lines are 144,000 groups, 2.2 s per read and two reads per page (measured on
// Postgres with `bench/member-story.ts`). A row can count only for a member its provider held
// (an assignment now or before one of the plan's moves, a CS authorization, a referral, a row on
// a file the plan sent it: the context rules refuse every other member), so the walk visits
// only those providers' groups. Here: the member's rows of each kind of provider are all found,
// and the walk's index descents do not grow with other providers' groups. EXPLAIN ANALYZE loop
// counts, never timings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProviderRows, memberRtfReports } from '../../src/repositories/member-story.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { explainRead, nodes } from '../helpers/explain.js';
import { movedByExtract } from '../helpers/plan.js';

let db: TestDb;
const IVY = '91000009J';
/** Providers of nobody's story here, with a few periods of RTF rows each. */
const OTHERS = 400;

beforeAll(async () => {
  db = await createTestDb();
  const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
  // ACME holds Ivy in Health Net now; OLDECM held her until the extract moved her to ACME;
  // HOMEWAY has her CS authorization; MIFONLY was sent her on a MIF (and holds her no more)
  for (const code of ['ACME', 'OLDECM', 'HOMEWAY', 'MIFONLY'])
    await q(`insert into providers (provider_code, npi, tin, name, sftp_folder) values ($1, '1234567893', '123456789', $1, $1)`, [code]);
  await q(`insert into members (cin, last_name, first_name, dob) values ($1, 'India', 'Ivy', '1985-04-04')`, [IVY]);
  await q(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) values ($1, 'HN', 'OLDECM', 2, '2026-01-01')`, [IVY]);
  await movedByExtract(db.pool, IVY, 'HN', { provider: 'ACME', from: '2026-06-01', status: 1 });
  await q(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status) values ($1, 'HTN', 'HOMEWAY', 'HN', 'AUTHORIZED', 'Approved')`, [IVY]);
  await q(`insert into file_blobs (sha256, size, bytes) select repeat('a', 63) || i, 1, '\\x00' from generate_series(0, 4) i`);
  await q(`insert into outbound_files (kind, job, slot, provider_code, status, lob) values ('MIF', 'mif', '2026-03-15', 'MIFONLY', 'EMPTY', 'HN')`);
  await q(`insert into outbound_file_rows (outbound_file_id, row_number, cin) select id, 2, $1 from outbound_files`, [IVY]);
  // one file of each of Ivy's providers, with a row about her that counts
  for (const [i, [code, layout, key]] of ([
    ['ACME', 'RTF', IVY], ['OLDECM', 'RTF', IVY], ['MIFONLY', 'RTF', IVY], ['HOMEWAY', 'CSPRTF', `${IVY}|HTN`], ['ACME', 'OTF', `${IVY}|2026-11-04|1`],
  ] as const).entries()) {
    const sub = (await q(
      `insert into submissions (provider_code, original_name, size, received_at, sha256, state) values ($1, $2, 1, $3, repeat('a', 63) || $4, 'RESPONDED') returning id`,
      [code, `${layout}_${code}_2026${String(i + 1).padStart(2, '0')}.xlsx`, `2026-0${i + 1}-03T18:00:00Z`, i],
    )).rows[0].id as number;
    const sheet = (await q(
      `insert into submission_sheets (submission_id, sheet_name, layout, provider_code, period, columns, applied) values ($1, $2, $2, $3, '2026-0${i + 1}-01', '{mcpId}', true) returning id`,
      [sub, layout, code],
    )).rows[0].id as number;
    await q(`insert into submission_rows (sheet_id, row_number, cin, accepted, data) values ($1, 2, $2, true, '["HN"]')`, [sheet, IVY]);
    await q(
      `insert into current_rows (provider_code, layout, lob, period, row_key, sheet_id, row_number, submission_id, received_at)
       values ($1, $2, 'HN', '2026-0${i + 1}-01', $3, $4, 2, $5, '2026-0${i + 1}-03T18:00:00Z')`,
      [code, layout, key, sheet, sub],
    );
  }
  // the rest of the plan: other providers' rows (about other members), three periods each
  await q(
    `insert into current_rows (provider_code, layout, lob, period, row_key, sheet_id, row_number, submission_id, received_at)
     select 'OTHER' || lpad(p::text, 3, '0'), 'RTF', 'HN', date '2026-08-01' + make_interval(months => m), lpad((p * 10 + k)::text, 8, '0') || 'A', 0, k, 0, now()
       from generate_series(1, ${OTHERS}) p, generate_series(0, 2) m, generate_series(1, 3) k`,
  );
  await q('analyze');
});
afterAll(async () => db?.drop());

describe('the member\'s rows that count', () => {
  it('are found for every provider that held the member: now, before a move, by a CS authorization, on a file sent', async () => {
    const rows = await memberProviderRows(db.pool, IVY, 50);
    expect(rows.items.filter((r) => r.counts).map((r) => `${r.provider_code} ${r.layout}`).sort()).toEqual(['ACME OTF', 'ACME RTF', 'HOMEWAY CSPRTF', 'MIFONLY RTF', 'OLDECM RTF']);
    expect((await memberRtfReports(db.pool, IVY, 50)).map((r) => r.provider_code).sort()).toEqual(['ACME', 'MIFONLY', 'OLDECM']);
    // a liaison's page: their providers' rows alone
    expect((await memberRtfReports(db.pool, IVY, 50, ['OLDECM'])).map((r) => r.provider_code)).toEqual(['OLDECM']);
    expect((await memberProviderRows(db.pool, IVY, 50, ['HOMEWAY'])).items.map((r) => r.layout)).toEqual(['CSPRTF']);
  });

  for (const [name, read] of [
    ['the provider rows', (p) => memberProviderRows(p, IVY, 50)],
    ['the RTF steps', (p) => memberRtfReports(p, IVY, 50)],
  ] as [string, (p: import('pg').Pool) => Promise<unknown>][]) {
    it(`${name}: the walk visits the member's providers' groups, not the ${OTHERS * 3} groups of ${OTHERS} other providers`, async () => {
      const plan = await explainRead(db.pool, read);
      const descents = nodes(plan!).filter((n) => n['Relation Name'] === 'current_rows').reduce((s, n) => s + n['Actual Loops'], 0);
      expect(descents).toBeGreaterThan(0);
      // Ivy's 4 providers have 5 groups: a descent to find each, one past each provider's last, one probe each
      expect(descents).toBeLessThanOrEqual(20);
    });
  }
});

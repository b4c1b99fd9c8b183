// The referral extract imported again (what a re-import keeps of "sent" and "alerted"), across
// the import's batches, and streamed (a large extract held a batch at a time, never whole).
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPSTREAM } from '../../schemas/upstream.js';
import { IMPORT_BATCH, ImportFileError, importUpstream } from '../../src/import/upstream.js';
import { closePlanWorld, importExtract, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('import-referrals');
});
afterAll(async () => {
  await closePlanWorld(w);
});

const one = async (sql: string, params: unknown[] = []) => (await w.db.pool.query(sql, params)).rows[0];
const marks = (id: string) => one('select mini_mif_file_id is not null as sent, sla_alerted_at is not null as alerted from ecm_referrals where referral_id = $1', [id]);

/** Marks the referral as sent on a file of its provider (of slot `slot`) and alerted on as overdue. */
async function markSentAndAlerted(id: string, slot: string): Promise<void> {
  const file = (await one(`insert into outbound_files (kind, job, slot, provider_code, lob, status, row_count)
    values ('MINIMIF', 'mini-mif', $1, 'ACME', 'HN', 'EMPTY', 0) returning id`, [slot])).id;
  await w.db.pool.query('update ecm_referrals set mini_mif_file_id = $2, sla_alerted_at = now() where referral_id = $1', [id, file]);
}

describe('a referral imported again', () => {
  it('keeps "sent" and "alerted" when unchanged, and loses them when re-approved (a new approval date), where both stayed and the new approval was never sent', async () => {
    // 91000003C's HN episode with ACME ended: the referral starts a new one
    expect(await importExtract(w, 'referrals', 'ref-1.csv', ['R-5,91000003C,ACME,HN,2026-10-05'], '2026-10-06T17:00:00Z')).toMatchObject({ rowsImported: 1 });
    await markSentAndAlerted('R-5', '2026-10-15');
    // the same file again: nothing new to send or alert on
    expect(await importExtract(w, 'referrals', 'ref-1.csv', ['R-5,91000003C,ACME,HN,2026-10-05'], '2026-10-20T17:00:00Z')).toMatchObject({ rowsImported: 1 });
    expect(await marks('R-5')).toEqual({ sent: true, alerted: true });
    // re-approved on November 10: sent and alerted on afresh (by the rule, from the new approval)
    expect(await importExtract(w, 'referrals', 'ref-2.csv', ['R-5,91000003C,ACME,HN,2026-11-10'], '2026-11-11T17:00:00Z')).toMatchObject({ rowsImported: 1 });
    expect(await one("select approved_date from ecm_referrals where referral_id = 'R-5'")).toEqual({ approved_date: '2026-11-10' });
    expect(await marks('R-5')).toEqual({ sent: false, alerted: false });
  });

  it('named with another provider is rejected, and keeps its marks (nothing of it changed)', async () => {
    await markSentAndAlerted('R-5', '2026-11-15');
    const moved = await importExtract(w, 'referrals', 'ref-3.csv', ['R-5,91000003C,RIVAL,HN,2026-11-10'], '2026-11-12T17:00:00Z');
    expect(moved).toMatchObject({ rowsImported: 0, rowsRejected: 1 });
    expect(await marks('R-5')).toEqual({ sent: true, alerted: true });
  });
});

describe('referrals across the import\'s batches', () => {
  it('two new referrals of one member and line in the two batches of one file: the first approved starts the episode, as when they share a batch, where the first row did', async () => {
    // 1,999 rows of members not on file (rejected), then the later approval as the batch's 2,000th
    // row and the earlier one as the next batch's first
    const filler = Array.from({ length: 1999 }, (_, i) => `F-${i},9${String(i + 1).padStart(7, '0')}Z,ACME,HN,2026-11-01`);
    const s = await importExtract(w, 'referrals', 'ref-batches.csv', [...filler, 'R-7B,91000007G,RIVAL,HN,2026-11-02', 'R-7A,91000007G,ACME,HN,2026-11-01'], '2026-11-20T17:00:00Z');
    expect(s).toMatchObject({ rowsRead: 2001, rowsImported: 1, rowsRejected: 2000 });
    expect(s.conflicts).toEqual([{ row: 2001, referralId: 'R-7B', cin: '91000007G', lob: 'HN', currentProvider: 'ACME', referredProvider: 'RIVAL' }]);
    expect(await one("select provider_code, assigned_date from ecm_assignments where cin = '91000007G' and lob = 'HN'"))
      .toEqual({ provider_code: 'ACME', assigned_date: '2026-11-01' });
  });
});

describe('a large referral extract is streamed, a batch at a time, and still applied in approval order', () => {
  // 6,000 members with no assignment, each referred to ACME, the file in reverse approval order;
  // and one more member referred twice: to RIVAL (approved October 20) on the file's first row
  // and to ACME (approved October 2) on its last, three batches later
  const N = 6000;
  const cin = (i: number) => `8${String(i).padStart(7, '0')}M`;
  const day = (i: number) => `2026-10-${String(1 + ((N - i) % 28)).padStart(2, '0')}`;
  const twice = cin(N + 1);
  let file: string;
  beforeAll(async () => {
    await w.db.pool.query(`insert into members (cin, last_name, first_name, dob)
      select '8' || lpad(i::text, 7, '0') || 'M', 'Stream', 'Member', '1980-01-01' from generate_series(1, $1::int) i`, [N + 1]);
    file = path.join(w.dataDir, 'ref-backfill.csv');
    const rows = [`R-BIG-LATE,${twice},RIVAL,HN,2026-10-20`];
    for (let i = 1; i <= N; i++) rows.push(`R-BIG-${i},${cin(i)},ACME,HN,${day(i)}`);
    rows.push(`R-BIG-EARLY,${twice},ACME,HN,2026-10-02`);
    fs.writeFileSync(file, [UPSTREAM.referrals.columns.join(','), ...rows, ''].join('\n'));
  });
  const importBackfill = async (at: string) => {
    let peak = 0;
    const s = await importUpstream(w.db.pool, 'referrals', file, { config: w.config, now: new Date(at), onRowsHeld: (n) => { peak = Math.max(peak, n); } });
    return { s, peak };
  };
  const assigned = async () => (await w.db.pool.query(`select count(*)::int n, min(status) lo, max(status) hi,
      count(*) filter (where provider_code = 'ACME')::int acme from ecm_assignments where cin like '8%M' and lob = 'HN'`)).rows[0];

  it('holds no more than a batch of the file\'s rows at once (the whole file was held to be sorted), and the earlier approval three batches later still wins', async () => {
    const { s, peak } = await importBackfill('2026-11-20T17:00:00Z');
    expect(s).toMatchObject({ rowsRead: N + 2, rowsImported: N + 1, rowsRejected: 1 });
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(IMPORT_BATCH);
    // the first row, approved after the last one, meets the episode the last one started
    expect(s.conflicts).toEqual([{ row: 2, referralId: 'R-BIG-LATE', cin: twice, lob: 'HN', currentProvider: 'ACME', referredProvider: 'RIVAL' }]);
    expect(s.rejects).toEqual([expect.objectContaining({ row: 2, column: 'provider_code' })]);
    expect(await one(`select provider_code, status, assigned_date from ecm_assignments where cin = $1 and lob = 'HN'`, [twice]))
      .toEqual({ provider_code: 'ACME', status: 1, assigned_date: '2026-10-02' });
    expect(await assigned()).toEqual({ n: N + 1, lo: 1, hi: 1, acme: N + 1 });
    expect(await one(`select assigned_date from ecm_assignments where cin = $1 and lob = 'HN'`, [cin(N)])).toEqual({ assigned_date: day(N) });
    expect(await one(`select count(*)::int n from ecm_referrals where referral_id like 'R-BIG-%'`)).toEqual({ n: N + 1 });
  });

  it('imported again: the same outcome, nothing moved, still a batch at a time', async () => {
    const before = await w.db.pool.query(`select id, provider_code, assigned_date, episode_started_at from ecm_assignments where cin like '8%M' order by id`);
    const { s, peak } = await importBackfill('2026-11-21T17:00:00Z');
    expect(s).toMatchObject({ rowsRead: N + 2, rowsImported: N + 1, rowsRejected: 1 });
    expect(peak).toBeLessThanOrEqual(IMPORT_BATCH);
    expect(s.conflicts).toEqual([{ row: 2, referralId: 'R-BIG-LATE', cin: twice, lob: 'HN', currentProvider: 'ACME', referredProvider: 'RIVAL' }]);
    expect((await w.db.pool.query(`select id, provider_code, assigned_date, episode_started_at from ecm_assignments where cin like '8%M' order by id`)).rows)
      .toEqual(before.rows);
  });

  it('a row the database refuses in an early batch is rejected on its own (its batch written again row by row), and the batches after it still come', async () => {
    // (a rule of the test's: the database refuses one referral id)
    await w.db.pool.query(`alter table ecm_referrals add constraint test_refused_referral check (referral_id <> 'R-SP-REFUSED')`);
    try {
      const file = path.join(w.dataDir, 'ref-refused.csv');
      // the members' referrals to ACME, which holds them (no new episode), the refused one
      // approved first but on the file's last row
      const rows = Array.from({ length: 4500 }, (_, k) => `R-SP-${k + 1},${cin(k + 1)},ACME,HN,2026-11-${String(2 + (k % 20)).padStart(2, '0')}`);
      fs.writeFileSync(file, [UPSTREAM.referrals.columns.join(','), ...rows, `R-SP-REFUSED,${cin(4501)},ACME,HN,2026-11-01`, ''].join('\n'));
      let peak = 0;
      const s = await importUpstream(w.db.pool, 'referrals', file, { config: w.config, now: new Date('2026-11-22T12:00:00Z'), onRowsHeld: (n) => { peak = Math.max(peak, n); } });
      expect(s).toMatchObject({ rowsRead: 4501, rowsImported: 4500, rowsRejected: 1, conflicts: [] });
      expect(s.rejects).toEqual([{ row: 4502, message: 'refused by the database rule test_refused_referral' }]);
      expect(peak).toBeLessThanOrEqual(IMPORT_BATCH);
      expect(await one(`select count(*)::int n from ecm_referrals where referral_id like 'R-SP-%'`)).toEqual({ n: 4500 });
    } finally {
      await w.db.pool.query('alter table ecm_referrals drop constraint test_refused_referral');
    }
  });

  it('refused whole after a batch was staged (a quote never closed on its last row): nothing applied, and the next imports on the same connection stage afresh', async () => {
    // one connection: the staging table is the transaction's, gone with its rollback or commit
    const pool = new pg.Pool({ connectionString: w.db.url, max: 1 });
    try {
      const cut = path.join(w.dataDir, 'ref-cut.csv');
      const rows = Array.from({ length: 2500 }, (_, k) => `R-CUT-${k + 1},${cin(k + 1)},RIVAL,HN,2026-11-01`);
      fs.writeFileSync(cut, [UPSTREAM.referrals.columns.join(','), ...rows, 'R-CUT-X,"91000001A,ACME,HN,2026-11-01', ''].join('\n'));
      const err = await importUpstream(pool, 'referrals', cut, { config: w.config, now: new Date('2026-11-22T17:00:00Z') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImportFileError);
      expect((err as Error).message).toMatch(/never closed/);
      expect(await one(`select count(*)::int n from ecm_referrals where referral_id like 'R-CUT-%'`)).toEqual({ n: 0 });
      expect(await one(`select count(*)::int n from ecm_referral_conflicts where referral_id like 'R-CUT-%'`)).toEqual({ n: 0 });
      const good = path.join(w.dataDir, 'ref-after-cut.csv');
      fs.writeFileSync(good, [UPSTREAM.referrals.columns.join(','), ...rows.slice(0, 3), ''].join('\n'));
      for (const at of ['2026-11-22T18:00:00Z', '2026-11-22T19:00:00Z'])
        expect(await importUpstream(pool, 'referrals', good, { config: w.config, now: new Date(at) })).toMatchObject({ rowsRead: 3, rowsRejected: 3 });
      expect(await one(`select count(*)::int n from ecm_referral_conflicts where referral_id like 'R-CUT-%'`)).toEqual({ n: 3 });
    } finally {
      await pool.end();
    }
  });
});

describe('an enrollment with a planned end (an end date after the approval day) is open until that end', () => {
  // Ben (91000002B) is enrolled with ACME in Health Net; the assignment extract gave the
  // enrollment an end at the end of January
  const ben = () => one(`select provider_code, status, assigned_date, enrollment_start, enrollment_end, acuity, lcm_name from ecm_assignments where cin = '91000002B' and lob = 'HN'`);
  beforeAll(async () => {
    await w.db.pool.query(`update ecm_assignments set enrollment_end = '2027-01-31' where cin = '91000002B' and lob = 'HN'`);
  });

  it('a referral to another provider approved before the end is a conflict: the member stays with ACME, enrolled', async () => {
    const before = await ben();
    const s = await importExtract(w, 'referrals', 'ref-planned-1.csv', ['R-PE-1,91000002B,RIVAL,HN,2026-11-05'], '2026-11-06T17:00:00Z');
    expect(s.conflicts).toEqual([{ row: 2, referralId: 'R-PE-1', cin: '91000002B', lob: 'HN', currentProvider: 'ACME', referredProvider: 'RIVAL' }]);
    expect(await ben()).toEqual(before);
  });

  it('a referral to ACME itself approved before the end starts no new episode: what ACME reported stays', async () => {
    const before = await ben();
    const s = await importExtract(w, 'referrals', 'ref-planned-2.csv', ['R-PE-2,91000002B,ACME,HN,2026-11-07'], '2026-11-08T17:00:00Z');
    expect(s).toMatchObject({ rowsImported: 1, conflicts: [] });
    expect(await ben()).toEqual(before);
  });

  it('a referral approved after the end starts a new episode with the provider referred to', async () => {
    const s = await importExtract(w, 'referrals', 'ref-planned-3.csv', ['R-PE-3,91000002B,RIVAL,HN,2027-02-03'], '2027-02-04T17:00:00Z');
    expect(s).toMatchObject({ rowsImported: 1, conflicts: [] });
    expect(await ben()).toMatchObject({ provider_code: 'RIVAL', status: 1, assigned_date: '2027-02-03', enrollment_start: null, enrollment_end: null });
  });
});


describe('a back-dated referral: approved while another provider held the member, imported after that assignment ended', () => {
  // Fay (91000006F) is enrolled with ACME in Health Net with an end on October 31 (the extract's
  // planned end: status 3): a referral to RIVAL approved on October 20 reaches the plan on
  // November 20, when ACME no longer holds her
  const fay = () => one(`select provider_code, status, assigned_date, enrollment_start, enrollment_end from ecm_assignments where cin = '91000006F' and lob = 'HN'`);

  it('is applied (a new episode with the provider referred to from the approval date), not a conflict that leaves the member with no provider', async () => {
    const s = await importExtract(w, 'referrals', 'ref-back-dated.csv', ['R-BD-1,91000006F,RIVAL,HN,2026-10-20'], '2026-11-20T17:00:00Z');
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0, conflicts: [] });
    expect(await fay()).toEqual({ provider_code: 'RIVAL', status: 1, assigned_date: '2026-10-20', enrollment_start: null, enrollment_end: null });
    expect(await one(`select count(*)::int n from ecm_referral_conflicts where referral_id = 'R-BD-1'`)).toEqual({ n: 0 });
  });
});

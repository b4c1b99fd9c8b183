// The referral extract imported again (what a re-import keeps of "sent" and "alerted"), and
// across the import's batches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

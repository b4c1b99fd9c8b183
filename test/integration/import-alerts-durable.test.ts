// An import's liaison alerts (referral conflicts, line switches) are part of what the import
// committed: they are recorded in the import's own transaction, so a process that stops right
// after the commit (before any email is sent) leaves them PENDING for the notify job, never
// lost. The probe afterCommit stands for the process stopping there.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUpstream } from '../../src/import/upstream.js';
import { deliverDue } from '../../src/notify/mailer.js';
import { closePlanWorld, importExtract, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const fx = (name: string) => path.join(import.meta.dirname, '..', 'fixtures', 'upstream', name);
/** Ben assigned in CalViva with RIVAL from 2026-12-01 (the extract no longer lists him in Health Net, where ACME has him). */
const BEN_CV = '91000002B,RIVAL,CV,1,2026-12-01,,,,,,';
const stopped = () => {
  throw new Error('the process stopped after the commit');
};

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('import-alerts');
  await w.db.pool.query(`update providers set liaison_email = lower(provider_code) || '-liaison@plan.example'`);
  await w.db.pool.query(`insert into provider_contracts (provider_code, lob, program) values ('RIVAL', 'CV', 'ECM')`);
  // RIVAL reported 91000005E enrolled in Health Net: ACME's referral for the member is a conflict
  await w.db.pool.query(`update ecm_assignments set status = 3, enrollment_start = '2026-10-01' where cin = '91000005E' and lob = 'HN'`);
});
afterAll(() => closePlanWorld(w));

const rows = async (kind: string) =>
  (await w.db.pool.query<{ status: string; recipients: string[]; body: string }>(`select status, recipients, body from notifications where kind = $1 order by id`, [kind])).rows;

describe('an import stopped right after its commit', () => {
  it('has its referral-conflict alert on record, PENDING, and the notify job sends it once', async () => {
    await expect(importUpstream(w.db.pool, 'referrals', fx('referrals_conflict.csv'), { config: w.config, now: new Date('2026-11-03T16:00:00Z'), afterCommit: stopped }))
      .rejects.toThrow(/stopped after the commit/);
    // committed: the other referral applied, the conflict recorded
    expect((await w.db.pool.query(`select provider_code from ecm_assignments where cin = '91000007G' and lob = 'HN'`)).rows).toEqual([{ provider_code: 'ACME' }]);
    const pending = await rows('referral-conflict');
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ status: 'PENDING' });
    expect(pending[0]!.recipients.sort()).toEqual(['acme-liaison@plan.example', 'rival-liaison@plan.example']);
    expect(pending[0]!.body).toMatch(/row 2: referred to ACME \(HN\); currently with RIVAL/);
    expect(pending[0]!.body).not.toMatch(/91000005E/);

    await deliverDue(w.config, w.db.pool, new Date('2026-11-03T16:05:00Z'));
    expect((await rows('referral-conflict')).map((r) => r.status)).toEqual(['SENT']);
    // the same file again: the conflict is listed again, and not emailed again
    const again = await importUpstream(w.db.pool, 'referrals', fx('referrals_conflict.csv'), { config: w.config, now: new Date('2026-11-04T16:00:00Z') });
    expect(again.conflicts.map((k) => k.row)).toEqual([2]);
    expect(await rows('referral-conflict')).toHaveLength(1);
  });

  it('has its line-switch alert on record, PENDING, and the notify job sends it once', async () => {
    await expect(importExtract(w, 'ecm-assignments', 'ecm-assignments_cv.csv', [BEN_CV], '2026-11-20T16:00:00Z', undefined, { afterCommit: stopped }))
      .rejects.toThrow(/stopped after the commit/);
    expect((await w.db.pool.query(`select plan_end from ecm_assignments where cin = '91000002B' and lob = 'HN'`)).rows).toEqual([{ plan_end: '2026-11-30' }]);
    const pending = await rows('line-switch');
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ status: 'PENDING', recipients: ['acme-liaison@plan.example'] });
    expect(pending[0]!.body).toMatch(/row 2: left HN \(provider ACME\), last day 2026-11-30; now in CV/);
    expect(pending[0]!.body).not.toMatch(/91000002B/);

    await deliverDue(w.config, w.db.pool, new Date('2026-11-20T16:05:00Z'));
    expect((await rows('line-switch')).map((r) => r.status)).toEqual(['SENT']);
  });

  it('an import that is not stopped sends its alert at once, as before', async () => {
    // Gil, referred to ACME in Health Net by the first import (applied), moves to CalViva too
    const s = await importExtract(w, 'ecm-assignments', 'ecm-assignments_cv2.csv', [BEN_CV, '91000007G,RIVAL,CV,1,2026-12-01,,,,,,'], '2026-11-21T16:00:00Z');
    expect(s.lineSwitches.map((k) => k.cin)).toEqual(['91000007G']);
    expect((await rows('line-switch')).map((r) => r.status)).toEqual(['SENT', 'SENT']);
  });
});

// The mini-MIF SLA alert tells the liaison of each overdue referral once: the alert is recorded
// and its referrals marked alerted together, so a run that stops between the two leaves neither,
// and the next run (with one more referral overdue) names each referral in one email only. A
// referral whose provider has no liaison to tell is not marked as alerted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobDefinitions } from '../../jobs/schedule.js';
import { miniMifSlaAlert } from '../../src/reports/alerts.js';
import { claimRun, finishRun } from '../../src/repositories/run-ledger.js';
import { Coordinator } from '../../src/runs/coordinator.js';
import { closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('sla');
});
afterAll(() => closePlanWorld(w));

const q = (sql: string, params: unknown[] = []) => w.db.pool.query(sql, params);
const alertsNaming = async (id: string) =>
  (await q(`select count(*)::int n from notifications where kind = 'minimif-sla' and body like '%' || $1 || '%'`, [id])).rows[0].n as number;

describe('mini-MIF SLA alert', () => {
  it('a run stopped between recording the alert and marking its referrals: the next run names each referral once', async () => {
    await q(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('REF-S-1', '91000001A', 'ACME', 'HN', '2026-11-01')`);
    // the run stops where it marks the referrals alerted
    await q(`create function stop_marking() returns trigger language plpgsql as $$ begin raise exception 'stopped here'; end $$`);
    await q(`create trigger stop_marking before update of sla_alerted_at on ecm_referrals for each row execute function stop_marking()`);
    await expect(miniMifSlaAlert(w.db.pool, w.config, '2026-11-12', new Date('2026-11-12T16:00:00Z'))).rejects.toThrow(/stopped here/);
    await q(`drop trigger stop_marking on ecm_referrals`);
    // the next day one more referral is overdue
    await q(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('REF-S-2', '91000002B', 'ACME', 'HN', '2026-11-02')`);
    expect(await miniMifSlaAlert(w.db.pool, w.config, '2026-11-13', new Date('2026-11-13T16:00:00Z'))).toEqual({ referrals: 2, providers: 1 });
    expect([await alertsNaming('REF-S-1'), await alertsNaming('REF-S-2')]).toEqual([1, 1]);
    expect((await q(`select count(*)::int n from ecm_referrals where sla_alerted_at is null`)).rows[0].n).toBe(0);
  });

  it('a provider with no liaison: nothing is sent, and the referral stays unalerted for when one is set', async () => {
    await q(`update providers set liaison_email = null where provider_code = 'RIVAL'`);
    await q(`update provider_contracts set liaison_email = null where provider_code = 'RIVAL'`);
    await q(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('REF-S-3', '91000005E', 'RIVAL', 'HN', '2026-11-03')`);
    expect(await miniMifSlaAlert(w.db.pool, w.config, '2026-11-14', new Date('2026-11-14T16:00:00Z'))).toEqual({ referrals: 0, providers: 0 });
    expect((await q(`select sla_alerted_at from ecm_referrals where referral_id = 'REF-S-3'`)).rows[0].sla_alerted_at).toBeNull();
    await q(`update providers set liaison_email = 'rival-liaison@plan.example' where provider_code = 'RIVAL'`);
    expect(await miniMifSlaAlert(w.db.pool, w.config, '2026-11-15', new Date('2026-11-15T16:00:00Z'))).toEqual({ referrals: 1, providers: 1 });
    expect(await alertsNaming('REF-S-3')).toBe(1);
  });

  it('while the day\'s mini-MIF is still being sent, the alert waits for it: a referral that run carries is never called overdue', async () => {
    await q(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('REF-S-4', '91000003C', 'ACME', 'HN', '2026-11-06')`);
    // another instance's mini-MIF of the 16th is live (slow sFTP, many providers) past 07:15
    const miniMif = await claimRun(w.db.pool, 'mini-mif', '2026-11-16', 'instance-A', 'cron', w.config.ABANDON_AFTER_SECONDS);
    if (!miniMif.claimed) throw new Error('mini-mif slot not claimed');
    const coordinator = new Coordinator(jobDefinitions({ pool: w.db.pool, config: w.config, openSession: () => Promise.reject(new Error('no sftp')) }, ['minimif-sla']), { pool: w.db.pool, config: w.config, owner: 'instance-B', now: () => new Date('2026-11-16T15:15:00Z') });
    const first = await coordinator.fire('minimif-sla', new Date('2026-11-16T15:15:00Z'));
    // waiting is no failure: the attempt is recorded DEFERRED (alert rules on FAILED attempts do not see it)
    expect(first).toMatchObject({ status: 'deferred', detail: expect.stringMatching(/mini-mif .*2026-11-16.* still running/) });
    const attempts = async () => (await q(`select status from runs where job = 'minimif-sla' and slot = '2026-11-16' order by id`)).rows.map((r) => r.status as string);
    expect(await attempts()).toEqual(['DEFERRED']);
    expect((await q(`select status from run_slots where job = 'minimif-sla' and slot = '2026-11-16'`)).rows[0].status).toBe('DEFERRED');
    expect(await alertsNaming('REF-S-4')).toBe(0);
    expect((await q(`select sla_alerted_at from ecm_referrals where referral_id = 'REF-S-4'`)).rows[0].sla_alerted_at).toBeNull();
    // that run ends (here: without sending it); catch-up makes the alert up, once
    await finishRun(w.db.pool, miniMif.run.id, 'instance-A', 'FAILED', {}, 'sftp down');
    expect((await coordinator.catchUp()).map((r) => [r.job, r.slot, r.status])).toEqual([['minimif-sla', '2026-11-16', 'ran']]);
    expect(await alertsNaming('REF-S-4')).toBe(1);
    expect(await attempts()).toEqual(['DEFERRED', 'SUCCEEDED']);
  });

  it('a referral whose member the assignment extract has since moved to another provider is not called overdue: no mini-MIF will ever carry it to that provider', async () => {
    // approved to ACME; the member is with RIVAL in that line now (switched through the extract)
    await q(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('REF-S-5', '91000005E', 'ACME', 'HN', '2026-11-07')`);
    // and one still ACME's, overdue the same day: that one is alerted
    await q(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('REF-S-6', '91000001A', 'ACME', 'HN', '2026-11-07')`);
    expect(await miniMifSlaAlert(w.db.pool, w.config, '2026-11-17', new Date('2026-11-17T16:00:00Z'))).toEqual({ referrals: 1, providers: 1 });
    expect([await alertsNaming('REF-S-5'), await alertsNaming('REF-S-6')]).toEqual([0, 1]);
  });

  it('a referral whose member is no longer eligible is not blamed on the mini-MIF run: the alert says why it was not sent, and to close it', async () => {
    // the member's eligibility ended before the referral fell due: no mini-MIF may carry it (no
    // PHI of a member the plan no longer covers); a referral of an eligible member falls due the same day
    await q(`update members set eligibility_end = '2026-11-10' where cin = '91000002B'`);
    await q(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('REF-S-7', '91000002B', 'ACME', 'HN', '2026-11-08')`);
    await q(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('REF-S-8', '91000003C', 'ACME', 'HN', '2026-11-08')`);
    expect(await miniMifSlaAlert(w.db.pool, w.config, '2026-11-18', new Date('2026-11-18T16:00:00Z'))).toEqual({ referrals: 2, providers: 1 });
    const body = (await q(`select body from notifications where kind = 'minimif-sla' and body like '%REF-S-7%'`)).rows.map((r) => r.body as string);
    expect(body).toHaveLength(1);
    const [sendable, ineligible] = body[0]!.split(/\n(?=.*not eligible)/);
    // the eligible member's referral is the run's to send; the other one's is the liaison's to close
    expect(sendable).toMatch(/REF-S-8/);
    expect(sendable).not.toMatch(/REF-S-7/);
    expect(ineligible).toMatch(/1 referral\(s\) .*not eligible with the plan on 11\/18\/2026[\s\S]*close/i);
    expect(ineligible).toMatch(/REF-S-7/);
    expect(ineligible).not.toMatch(/REF-S-8/);
    await q(`update members set eligibility_end = null where cin = '91000002B'`);
  });

  it('an alert with only referrals of members no longer eligible says so in its subject, and asks nobody to check the run', async () => {
    await q(`update members set eligibility_end = '2026-11-10' where cin = '91000004D'`);
    await q(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('REF-S-9', '91000004D', 'ACME', 'CV', '2026-11-09')`);
    expect(await miniMifSlaAlert(w.db.pool, w.config, '2026-11-19', new Date('2026-11-19T16:00:00Z'))).toEqual({ referrals: 1, providers: 1 });
    const n = (await q(`select subject, body from notifications where kind = 'minimif-sla' and body like '%REF-S-9%'`)).rows;
    expect(n).toHaveLength(1);
    expect(n[0].subject).toMatch(/not eligible/);
    expect(n[0].body).not.toMatch(/Check the mini-MIF run/);
    await q(`update members set eligibility_end = null where cin = '91000004D'`);
  });
});

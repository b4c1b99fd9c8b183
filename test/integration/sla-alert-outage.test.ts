// The mini-MIF SLA alert after a long outage: the scheduler was down on the day a referral fell
// overdue (MINI_MIF_SLA_DAYS after approval). When it comes back, catch-up sends the day's
// mini-MIF (07:00) before the day's alert (07:15): the referral goes out late, and the alert
// still names it, once, as sent late. A referral still not out after the outage is alerted as
// overdue by the first alert that runs, whatever day that is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobDefinitions } from '../../jobs/schedule.js';
import { Coordinator } from '../../src/runs/coordinator.js';
import { closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('sla-outage');
});
afterAll(() => closePlanWorld(w));

const q = (sql: string, params: unknown[] = []) => w.db.pool.query(sql, params);
const alerts = async (id: string) =>
  (await q(`select subject, body from notifications where kind = 'minimif-sla' and body like '%' || $1 || '%' order by id`, [id])).rows as { subject: string; body: string }[];
const scheduler = (at: string, sftpDown = false) =>
  new Coordinator(
    jobDefinitions({ pool: w.db.pool, config: w.config, openSession: sftpDown ? () => Promise.reject(new Error('sFTP connect failed: server down')) : () => w.sftp.openSession() }, ['mini-mif', 'minimif-sla']),
    { pool: w.db.pool, config: w.config, owner: 'back', now: () => new Date(at) },
  );

describe('mini-MIF SLA alert after an outage', () => {
  it('a referral the catch-up mini-MIF sent after its SLA day is alerted once, as sent late', async () => {
    await q(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) values ('91000007G', 'HN', 'ACME', 1, '2026-11-02')`);
    await q(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('REF-O-1', '91000007G', 'ACME', 'HN', '2026-11-02')`);
    // down from November 3 to the 16th (its SLA day, 10 days after approval, was the 12th); back at 08:00 on the 16th
    const back = await scheduler('2026-11-16T16:00:00Z').catchUp();
    expect(back.map((r) => [r.job, r.slot, r.status])).toEqual([['mini-mif', '2026-11-16', 'ran'], ['minimif-sla', '2026-11-16', 'ran']]);
    const sent = (await q(`select o.slot::text from ecm_referrals f join outbound_files o on o.id = f.mini_mif_file_id where f.referral_id = 'REF-O-1'`)).rows;
    expect(sent).toEqual([{ slot: '2026-11-16' }]);
    const said = await alerts('REF-O-1');
    expect(said).toHaveLength(1);
    expect(said[0]!.subject).toMatch(/ACME/);
    expect(said[0]!.body).toMatch(/1 approved ECM referral\(s\) to provider ACME went out late/);
    expect(said[0]!.body).toMatch(/REF-O-1 .* 11\/02\/2026 +11\/16\/2026/);
    expect(said[0]!.body).not.toMatch(/have not gone out/);
    // once: the next day's alert does not name it again
    expect((await scheduler('2026-11-17T16:00:00Z').catchUp()).map((r) => [r.job, r.slot, r.status]))
      .toEqual([['mini-mif', '2026-11-17', 'ran'], ['minimif-sla', '2026-11-17', 'ran']]);
    expect(await alerts('REF-O-1')).toHaveLength(1);
  });

  it('a referral sent within its SLA days is not alerted', async () => {
    await q(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) values ('91000008H', 'HN', 'ACME', 1, '2026-11-08')`);
    await q(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('REF-O-2', '91000008H', 'ACME', 'HN', '2026-11-08')`);
    // down from the 9th; back on the 18th, 10 days after approval: on time (the plan sends within 5-10 days)
    expect((await scheduler('2026-11-18T16:00:00Z').catchUp()).map((r) => [r.job, r.status])).toEqual([['mini-mif', 'ran'], ['minimif-sla', 'ran']]);
    expect((await q(`select mini_mif_file_id is not null as sent, sla_alerted_at from ecm_referrals where referral_id = 'REF-O-2'`)).rows).toEqual([{ sent: true, sla_alerted_at: null }]);
    expect(await alerts('REF-O-2')).toHaveLength(0);
  });

  it('a referral still not out when the scheduler comes back (the mini-MIF fails) is alerted as overdue by the first alert that runs', async () => {
    await q(`update ecm_assignments set provider_code = 'ACME' where cin = '91000005E' and lob = 'HN'`);
    await q(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('REF-O-3', '91000005E', 'ACME', 'HN', '2026-11-10')`);
    // down from the 11th to the 25th (SLA day the 20th); the sFTP server is down too
    const back = await scheduler('2026-11-25T16:00:00Z', true).catchUp();
    expect(back.map((r) => [r.job, r.slot, r.status])).toEqual([['mini-mif', '2026-11-25', 'failed'], ['minimif-sla', '2026-11-25', 'ran']]);
    const said = await alerts('REF-O-3');
    expect(said).toHaveLength(1);
    expect(said[0]!.body).toMatch(/have not gone out on a mini-MIF or MIF/);
  });
});

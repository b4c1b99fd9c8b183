// `generate <kind> --provider P` is one provider's file, not the slot's run: run before the
// scheduler's fire (a new provider sent early) or after a failed slot (one provider's folder fixed),
// it leaves every other provider's file of that slot to the scheduler, which sends them once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { closeCliWorld, openCliWorld, type CliWorld } from '../helpers/world.js';

let w: CliWorld;
beforeAll(async () => { w = await openCliWorld('one-provider'); });
afterAll(() => closeCliWorld(w));

const mifProviders = async (): Promise<string[]> =>
  (await w.db.pool.query(`select distinct provider_code from outbound_files where kind = 'MIF' and slot = '2026-11-15' and status in ('PUBLISHED', 'EMPTY') order by 1`)).rows.map((r) => r.provider_code as string);

describe('generate --provider, then the scheduler', () => {
  it('one provider\'s MIF sent by hand at 06:00 on the 15th: the 06:30 fire still sends everyone else\'s, and ACME\'s once', async () => {
    const one = await runCli(['generate', 'mif', '--date', '2026-11-15', '--provider', 'ACME', '--now', '2026-11-15T14:00:00Z', '--json'], w.env);
    expect(one.code, one.stderr).toBe(0);
    expect(await mifProviders()).toEqual(['ACME']);
    const ecm = (await w.db.pool.query(`select distinct provider_code from provider_contracts where program = 'ECM' order by 1`)).rows.map((r) => r.provider_code as string);
    expect(ecm.length).toBeGreaterThan(1);

    const fire = await runCli(['scheduler', '--fire', 'mif', '--now', '2026-11-15T14:30:00Z', '--json'], w.env);
    expect(fire.code, fire.stderr).toBe(0);
    expect(await mifProviders()).toEqual(ecm);
    // ACME's file went out once: the fire skipped its unit
    expect((await w.one(`select count(*)::int n from outbound_files where kind = 'MIF' and slot = '2026-11-15' and provider_code = 'ACME' and status = 'PUBLISHED'`)).n)
      .toBe((await w.one(`select count(distinct lob)::int n from provider_contracts where provider_code = 'ACME' and program = 'ECM'`)).n);
    // and the slot is done now: a catch-up pass finds nothing to do
    const again = await runCli(['scheduler', '--once', '--jobs', 'mif', '--now', '2026-11-15T15:00:00Z', '--json'], w.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json).toEqual(expect.not.arrayContaining([expect.objectContaining({ job: 'mif', status: 'ran' })]));
  });

  it('one provider\'s mini-MIF by hand before the day\'s 07:00 run: no SLA alert about another provider\'s referrals that run is about to send', async () => {
    await w.db.pool.query(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('REF-RIVAL-1', '91000001A', 'RIVAL', 'HN', '2026-11-06')`);
    const one = await runCli(['generate', 'mini-mif', '--date', '2026-11-16', '--provider', 'ACME', '--now', '2026-11-16T14:00:00Z', '--json'], w.env);
    expect(one.code, one.stderr).toBe(0);
    expect((await w.one(`select count(*)::int n from notifications where kind = 'minimif-sla'`)).n).toBe(0);
    expect((await w.one(`select sla_alerted_at from ecm_referrals where referral_id = 'REF-RIVAL-1'`)).sla_alerted_at).toBeNull();
  });
});

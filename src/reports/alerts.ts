// Liaison alerts. Digests carry provider codes, counts, referral ids and CINs only: never
// names, dates of birth or addresses.
import type pg from 'pg';
import type { IsoDate } from '../../schemas/primitives.js';
import { spellDate } from '../calendar/zone.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config.js';
import { log } from '../log.js';
import { sendNotification } from '../notify/mailer.js';

/**
 * A referral counts as sent once any published MIF or mini-MIF for its provider, dated on or
 * after its approval, carried the member (e.g. the referral was loaded after the monthly MIF).
 */
export async function markReferralsCarried(pool: pg.Pool | pg.PoolClient): Promise<number> {
  const r = await pool.query(
    `update ecm_referrals f set mini_mif_file_id = (
         select o.id from outbound_files o join outbound_file_rows r on r.outbound_file_id = o.id
          where o.provider_code = f.provider_code and o.kind in ('MIF', 'MINIMIF') and o.status = 'PUBLISHED'
            and r.cin = f.cin and o.slot >= f.approved_date order by o.slot limit 1)
      where f.mini_mif_file_id is null
        and exists (select 1 from outbound_files o join outbound_file_rows r on r.outbound_file_id = o.id
                     where o.provider_code = f.provider_code and o.kind in ('MIF', 'MINIMIF') and o.status = 'PUBLISHED'
                       and r.cin = f.cin and o.slot >= f.approved_date)`,
  );
  return r.rowCount ?? 0;
}

export interface SlaAlertResult { referrals: number; providers: number }

/**
 * A referral still not sent on a MIF or mini-MIF MINI_MIF_SLA_DAYS after approval raises one
 * liaison alert (per provider, once per referral).
 */
export async function miniMifSlaAlert(pool: pg.Pool, config: Config, slot: IsoDate, now: Date = systemClock()): Promise<SlaAlertResult> {
  await markReferralsCarried(pool);
  const r = await pool.query<{ provider_code: string; liaison_email: string | null; referrals: { id: string; cin: string; approved: string; lob: string }[] }>(
    `select f.provider_code, p.liaison_email,
            json_agg(json_build_object('id', f.referral_id, 'cin', f.cin, 'approved', f.approved_date, 'lob', f.lob) order by f.approved_date, f.referral_id) as referrals
       from ecm_referrals f join providers p using (provider_code)
      where f.mini_mif_file_id is null and f.sla_alerted_at is null and f.approved_date <= ($1::date - $2::int)
      group by f.provider_code, p.liaison_email order by f.provider_code`,
    [slot, config.MINI_MIF_SLA_DAYS],
  );
  let referrals = 0;
  for (const row of r.rows) {
    const lines = [
      `${row.referrals.length} approved ECM referral(s) to provider ${row.provider_code} have not gone out on a mini-MIF or MIF`,
      `${config.MINI_MIF_SLA_DAYS} or more days after approval (the plan sends them within 5-10 days).`,
      '',
      'referral_id  lob  CIN        approved',
      ...row.referrals.map((x) => `${x.id.padEnd(12)} ${x.lob.padEnd(4)} ${x.cin}  ${spellDate(x.approved)}`),
      '',
      `Check the mini-MIF run for ${spellDate(slot)} (calaim-exchange runs --job mini-mif) and the provider's contract and folder.`,
    ];
    await sendNotification(config, pool, {
      kind: 'minimif-sla',
      to: [row.liaison_email ?? ''],
      subject: `mini-MIF overdue: ${row.referrals.length} referral(s) for ${row.provider_code}`,
      text: lines.join('\n'),
    }, now);
    await pool.query(`update ecm_referrals set sla_alerted_at = $2 where referral_id = any($1)`, [row.referrals.map((x) => x.id), now]);
    referrals += row.referrals.length;
  }
  if (referrals) log.warn({ slot, referrals, providers: r.rows.length }, 'mini-MIF SLA alert raised');
  return { referrals, providers: r.rows.length };
}

// Liaison alerts. Digests carry provider codes, counts, referral ids and CINs only: never
// names, dates of birth or addresses.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { addDays, type IsoDate } from '../../schemas/primitives.js';
import { spellDate } from '../calendar/zone.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config.js';
import { log } from '../log.js';
import { withTransaction } from '../db/pool.js';
import { accessPeriodDate } from '../calendar/period.js';
import { normaliseEmail } from '../email-address.js';
import { queueNotification, recipientsOf, sendNotification } from '../notify/mailer.js';
import { liaisonsWhoMaySee } from '../repositories/board.js';
import { markReferralsAlerted, markReferralsCarried, overdueReferrals, type OverdueReferrals } from '../repositories/ecm-assignments.js';
import { dueSwitchesApplied } from '../import/ecm.js';

export interface SlaAlertResult { referrals: number; providers: number }

/**
 * [POLICY] Whom an SLA alert about a provider goes to (it names members by CIN: only to a liaison
 * who may see the provider, spec's "a member is shown only to who may see that provider"):
 * `lineLiaison`, the liaison of the referrals' line (overdueReferrals), while they are one of
 * `maySee`, the liaisons who may see the provider now (liaisonsWhoMaySee: of its contracts in
 * force, the web pages' rule, asked here, never written again); otherwise every one of `maySee`
 * (the liaisons of its other contracts in force: the line's contract has ended, or names someone
 * who no longer may see the provider). None: nobody is told.
 */
export function slaAlertRecipients(lineLiaison: string | null, maySee: readonly string[]): string[] {
  const seers = [...new Set(maySee.map(normaliseEmail))].sort();
  if (lineLiaison !== null && seers.includes(normaliseEmail(lineLiaison))) return [lineLiaison.trim()];
  return seers;
}

/**
 * The overdue rows (per provider and line liaison) addressed by slaAlertRecipients, one per
 * provider and set of recipients: two lines whose alert goes to the same people (the line's
 * contract has ended and another line's liaison stands in) make one alert, its referrals in the
 * order overdueReferrals gives them (approval day, then id).
 */
function addressed(rows: readonly OverdueReferrals[], maySee: ReadonlyMap<string, readonly string[]>): { provider_code: string; to: string[]; referrals: OverdueReferrals['referrals'] }[] {
  const out = new Map<string, { provider_code: string; to: string[]; referrals: OverdueReferrals['referrals'] }>();
  for (const row of rows) {
    const to = slaAlertRecipients(row.liaison_email, maySee.get(row.provider_code) ?? []);
    const key = `${row.provider_code}|${to.map(normaliseEmail).join(',')}`;
    const had = out.get(key);
    if (had) had.referrals = [...had.referrals, ...row.referrals].sort((a, b) => a.approved.localeCompare(b.approved) || a.id.localeCompare(b.id));
    else out.set(key, { provider_code: row.provider_code, to, referrals: row.referrals });
  }
  return [...out.values()];
}

/**
 * A referral still not sent on a MIF or mini-MIF MINI_MIF_SLA_DAYS after approval, or sent later
 * than that (a file caught up after an outage that spanned the alert's day: catch-up sends the
 * day's mini-MIF before the day's alert), raises one liaison alert (per provider and recipients,
 * once per referral): to the liaison of the referral's line while they may see the provider at
 * `now`, else to those who may (slaAlertRecipients). Sent late: by a file that went out within
 * CATCH_UP_DAYS of the slot (what catch-up makes up), not years of history.
 */
export async function miniMifSlaAlert(pool: pg.Pool, config: Config, slot: IsoDate, now: Date = systemClock()): Promise<SlaAlertResult> {
  // who holds the referrals' members today: the switches an assignment extract planned for today
  // or before are applied first
  await dueSwitchesApplied(pool, now, config.PLAN_TIME_ZONE, config);
  // a referral loaded after the MIF that carried its member was sent on that MIF: not overdue
  await markReferralsCarried(pool);
  const found = await overdueReferrals(pool, slot, config.MINI_MIF_SLA_DAYS, config.PLAN_TIME_ZONE, addDays(slot, -config.CATCH_UP_DAYS));
  // who may see each provider when the alert goes out (the run's clock), as the web pages decide it
  const maySee = found.length ? await liaisonsWhoMaySee(pool, accessPeriodDate(now, config.PLAN_TIME_ZONE)) : new Map<string, string[]>();
  const overdue = addressed(found, maySee);
  let referrals = 0;
  const alerted = new Set<string>();
  for (const row of overdue) {
    // A referral of a member no longer eligible with the plan on the slot's day is unsent on
    // purpose (no mini-MIF carries a member the plan no longer covers): the liaison closes it;
    // only the others are the mini-MIF run's to look into.
    const late = row.referrals.filter((x) => x.sent !== null);
    const due = row.referrals.filter((x) => x.sent === null && x.eligible);
    const ineligible = row.referrals.filter((x) => x.sent === null && !x.eligible);
    const table = (xs: typeof row.referrals) => ['referral_id  lob  CIN        approved', ...xs.map((x) => `${x.id.padEnd(12)} ${x.lob.padEnd(4)} ${x.cin}  ${spellDate(x.approved)}`)];
    const lateTable = ['referral_id  lob  CIN        approved    sent', ...late.map((x) => `${x.id.padEnd(12)} ${x.lob.padEnd(4)} ${x.cin}  ${spellDate(x.approved)}  ${spellDate(x.sent!)}`)];
    const lines = [
      ...(late.length ? [
        `${late.length} approved ECM referral(s) to provider ${row.provider_code} went out late: on a mini-MIF or MIF more than`,
        `${config.MINI_MIF_SLA_DAYS} days after approval (the plan sends them within 5-10 days; the scheduler was down, or the run failed, on their alert's day).`,
        '',
        ...lateTable,
        '',
        'They have reached the provider now: check with the provider that outreach has started.',
      ] : []),
      ...(late.length && (due.length || ineligible.length) ? [''] : []),
      ...(due.length ? [
        `${due.length} approved ECM referral(s) to provider ${row.provider_code} have not gone out on a mini-MIF or MIF`,
        `${config.MINI_MIF_SLA_DAYS} or more days after approval (the plan sends them within 5-10 days).`,
        '',
        ...table(due),
        '',
        `Check the mini-MIF run for ${spellDate(slot)} (calaim-exchange runs --job mini-mif) and the provider's contract and folder.`,
      ] : []),
      ...(due.length && ineligible.length ? [''] : []),
      ...(ineligible.length ? [
        `${ineligible.length} referral(s) to provider ${row.provider_code} were not sent because the member is not eligible with the plan on ${spellDate(slot)}`,
        '(the members extract ended their eligibility): no mini-MIF carries them. Close the referral, or re-check the member\'s eligibility.',
        '',
        ...table(ineligible),
      ] : []),
    ];
    const subject = due.length
      ? `mini-MIF overdue: ${row.referrals.length} referral(s) for ${row.provider_code}${ineligible.length ? ` (${ineligible.length} of members not eligible)` : ''}${late.length ? ` (${late.length} sent late)` : ''}`
      : late.length
        ? `mini-MIF sent late: ${late.length} referral(s) for ${row.provider_code}${ineligible.length ? ` (and ${ineligible.length} not sent, members not eligible)` : ''}`
        : `Referrals not sent, members not eligible: ${ineligible.length} for ${row.provider_code}`;
    const alert = {
      kind: 'minimif-sla',
      to: row.to,
      subject,
      text: lines.join('\n'),
      // once per provider and set of referrals (a retry of the same run finds it recorded)
      key: `minimif-sla:${row.provider_code}:${createHash('sha256').update(row.referrals.map((x) => x.id).sort().join(',')).digest('hex').slice(0, 32)}`,
    };
    // The alert is recorded and its referrals marked alerted in one transaction: a run that
    // stops between the two would leave them unmarked, and the next day's alert (another set
    // of referrals, another key) would name them again. Nobody to tell (no liaison may see the
    // provider: no contract in force names one): nothing recorded, nothing marked; the next run
    // tries again (asked here: the mailer would record a message nobody is to receive as failed,
    // for ops). [POLICY] Not OPS_EMAIL either: ops emails carry no member identifiers.
    if (recipientsOf(alert).length === 0) {
      log.warn({ provider: row.provider_code, referrals: row.referrals.length }, 'mini-MIF SLA alert: nobody to tell (no liaison may see the provider: no contract in force names one); not marked alerted');
      continue;
    }
    const recorded = await withTransaction(pool, async (c) => {
      if (!(await queueNotification(c, alert, now))) return false;
      await markReferralsAlerted(c, row.referrals.map((x) => x.id), now);
      return true;
    });
    if (!recorded) continue; // (recorded before under its key: that run marked its referrals)
    // (sent now; if not, the outbox retries it)
    await sendNotification(config, pool, alert, now);
    referrals += row.referrals.length;
    alerted.add(row.provider_code);
  }
  const providers = alerted.size;
  if (referrals) log.warn({ slot, referrals, providers }, 'mini-MIF SLA alert raised');
  return { referrals, providers };
}

// What the database says about the submitting provider, loaded once per submission so the
// context rules run row by row in memory (no query per row). Bounded by the provider's own
// caseload, never by the size of the file.
import type pg from 'pg';
import { periodFirstDay, periodForReceipt, periodLastDay } from '../calendar/period.js';
import type { Config } from '../config.js';
import {
  csasfPublished, eachEcmMember, endedMembers, latestCsasfRows, leftLineMembers, outreachHistory, providerWithContracts, replacedIdentities,
  type EcmMemberRow, type EndedMemberRow,
} from '../repositories/provider-context.js';
import { previousIdentities, previousIdentitySince, switchesSince as switchesLoadedSince, type CsasfEntry, type ProviderContext } from '../filetypes/provider-context.js';
import { OutreachAttempts } from '../filetypes/outreach-attempts.js';
import { dueSwitchesApplied } from '../import/ecm.js';
import { EcmMembers } from './ecm-members.js';

export type { ProviderContext };

export class UnknownProviderError extends Error {
  constructor(code: string) {
    super(`provider ${code} is not known: import it first (calaim-exchange import providers …)`);
    this.name = 'UnknownProviderError';
  }
}

/** The settings the context depends on: the window of replaced NPIs and TINs, how far back switches are looked for, and the plan's days. */
export type ContextConfig = Pick<Config, 'PREVIOUS_IDENTITY_DAYS' | 'SWITCH_LOOKBACK_DAYS' | 'PLAN_TIME_ZONE'>;

/**
 * The provider's members not eligible with the plan for the file's period, CIN → last eligible
 * day: its ECM members' (ecmMembers says it of each) and its referred and authorized ones
 * (endedMembers, which reads only those, so no member is read twice). A member in both has the
 * same day in both.
 */
export function ineligibleMembers(ecmRows: readonly Pick<EcmMemberRow, 'cin' | 'eligibility_end'>[], ended: readonly EndedMemberRow[]): Map<string, string> {
  const ineligible = new Map<string, string>();
  for (const r of ecmRows) if (r.eligibility_end !== null) ineligible.set(r.cin, r.eligibility_end);
  for (const r of ended) ineligible.set(r.cin, r.eligibility_end);
  return ineligible;
}

export async function loadProviderContext(pool: pg.Pool, code: string, receivedAt: Date, config: ContextConfig): Promise<ProviderContext> {
  // who holds the members on the receipt's day: the switches an assignment extract planned for
  // that day or before are applied first (dueSwitchesApplied; none due: one indexed look-up)
  await dueSwitchesApplied(pool, receivedAt, config.PLAN_TIME_ZONE);
  // the contracts in force for the reporting period the receipt answers (as the pipeline reads it)
  const { period } = periodForReceipt(receivedAt, config.PLAN_TIME_ZONE);
  const periodDate = periodFirstDay(period);
  const row = await providerWithContracts(pool, code, periodDate);
  if (!row) throw new UnknownProviderError(code);

  // The reads are independent: they run side by side on the pool's connections.
  const since = previousIdentitySince(receivedAt, config.PREVIOUS_IDENTITY_DAYS, config.PLAN_TIME_ZONE);
  // (switches are looked for among those loaded SWITCH_LOOKBACK_DAYS before the period, at
  // least since the period before began: an extract may date a switch months ahead, and the
  // member is then off the period's MIF all the same)
  const periodDates = { start: periodDate, end: periodLastDay(period), switchesSince: switchesLoadedSince(period, config.SWITCH_LOOKBACK_DAYS, config.PLAN_TIME_ZONE) };
  // The members are packed as they arrive (a large provider's hundreds of thousands of rows
  // are never all held as objects); only the few not eligible are kept as rows.
  const ecm = new EcmMembers();
  const ecmIneligible: Pick<EcmMemberRow, 'cin' | 'eligibility_end'>[] = [];
  const [, cs, ot, replaced, ended, leftLine] = await Promise.all([
    eachEcmMember(pool, code, receivedAt, periodDates, (a) => {
      ecm.set(a.cin, { lob: a.lob, status: a.status, lastName: a.last_name, firstName: a.first_name, onLatestMif: a.on_mif, enrolledOnLatestMif: a.enrolled_on_mif, lcmName: a.lcm_name, reassigned: a.reassigned });
      if (a.eligibility_end !== null) ecmIneligible.push(a);
    }),
    latestCsasfRows(pool, code, receivedAt), outreachHistory(pool, code),
    since ? replacedIdentities(pool, code, since) : [],
    // the provider's referred and authorized members not eligible for the period
    // (memberEligible), with their last eligible day; ecmMembers' rows say it of the others
    endedMembers(pool, code, periodDate),
    // the provider's assignments the plan ended before the period, moving the member to another line (assignmentInLine)
    leftLineMembers(pool, code, periodDate),
  ]);
  const csasf = new Map<string, CsasfEntry>();
  for (const c of cs)
    csasf.set(`${c.cin}|${c.service_code}`, {
      lob: c.lob ?? '', authStatus: c.auth_status, authNumber: c.auth_number, authStart: c.auth_start, authEnd: c.auth_end, servedFrom: c.served_from,
      lastName: c.last_name, firstName: c.first_name, dob: c.dob,
    });

  const outreach = new OutreachAttempts();
  for (const o of ot) outreach.addKeys(o.cin, o.attempts);

  return {
    code: row.provider_code,
    npi: row.npi,
    tin: row.tin,
    previousIdentities: previousIdentities(replaced.map((r) => ({ npi: r.npi, tin: r.tin, replacedAt: r.replaced_at })), row, config.PLAN_TIME_ZONE),
    name: row.name,
    sftpFolder: row.sftp_folder,
    ecmLobs: new Set(row.ecm),
    csLobs: new Set(row.cs),
    ecm,
    csasf,
    csasfSent: cs.length > 0 || (await csasfPublished(pool, code, receivedAt)),
    outreach,
    ineligible: ineligibleMembers(ecmIneligible, ended),
    leftLine: new Map(leftLine.map((a) => [`${a.cin}|${a.lob}`, a.plan_end])),
  };
}

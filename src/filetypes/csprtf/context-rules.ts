// The CSPRTF's rules that need the database context: the member × service is on the latest
// CSASF sent to the provider, in the authorization's line of business, with matching name and
// date of birth; a row reports on the authorization sent (its number, on any status that gives
// one); "delivering service" needs an approved authorization, its number, and a start inside it;
// "discontinued" reports on the same authorization (its dates, when given). Pure: reads the
// loaded context.
import { showIsoDate } from '../../calendar/zone.js';
import { NOT_APPROVED_ACTION } from '../../validate/catalogue.js';
import { makeIssue } from '../../validate/issues.js';
import { issueAt, sameName } from '../common-context.js';
import type { ContextFile, ContextRuleSet } from '../types.js';
import type { CsprtfKey } from './rules.js';

export function csprtfContextRules({ ctx }: ContextFile): ContextRuleSet<CsprtfKey> {
  return {
    check(row, lob, out) {
      const v = row.values;
      const service = typeof v.serviceCode === 'string' ? v.serviceCode : undefined;
      if (!service) return;
      const entry = ctx.csasf.get(`${row.cin}|${service}`);
      if (!entry) {
        out.push(makeIssue('NOT_ON_CSASF', issueAt(row, 'serviceCode', { value: service }), { detail: ctx.csasfSent ? '' : ' (no CSASF has been sent to you yet)' }));
        return;
      }
      // The row would be stored under its own line of business: it must be the authorization's.
      if (lob && entry.lob && lob !== entry.lob)
        out.push(makeIssue('CS_LOB_MISMATCH', issueAt(row, 'mcpId', { value: lob }), { expected: entry.lob }));
      if (typeof v.lastName === 'string' && !sameName(v.lastName, entry.lastName)) out.push(makeIssue('NAME_MISMATCH', issueAt(row, 'lastName')));
      if (typeof v.dob === 'string' && v.dob !== entry.dob) out.push(makeIssue('DOB_MISMATCH', issueAt(row, 'dob')));
      const status = v.engagementStatus;
      if (status === '3' && entry.authStatus !== 'Approved') {
        out.push(makeIssue('AUTH_NOT_APPROVED', issueAt(row, 'engagementStatus', { value: entry.authStatus ?? 'not authorized (potential member)' }), { detail: NOT_APPROVED_ACTION[entry.authStatus === 'Denied' || entry.authStatus === 'Expired' ? entry.authStatus : 'other'] }));
        return;
      }
      // Every row reports on the authorization sent (layouts.md CSPRTF 10: "must equal the
      // approved number"), whatever its status: a row in outreach (1, 2) naming another number
      // (a typo, another provider's) reports on no authorization of the provider's, and a status 4
      // one would resolve no episode (resolve-authorizations.ts). A blank is fine where the number is not required (rules.ts),
      // and so is a number on a pair the CSASF sent without one (a pending request, a potential
      // member): there is nothing to compare it with [POLICY, README].
      if (typeof v.authNumber === 'string' && entry.authNumber && v.authNumber.trim().toUpperCase() !== entry.authNumber.trim().toUpperCase())
        out.push(makeIssue('AUTH_NUMBER_MISMATCH', issueAt(row, 'authNumber', { value: v.authNumber }), { expected: entry.authNumber }));
      if (status !== '3' && status !== '4') return;
      // Delivering (3) and discontinued (4): a service started outside the authorization's dates
      // was not delivered under it.
      // (a re-authorization: services that began under the authorization it renewed go on under it)
      const from = entry.servedFrom ?? entry.authStart;
      const start = typeof v.serviceStartDate === 'string' ? v.serviceStartDate : undefined;
      if (start && ((from && start < from) || (entry.authEnd && start > entry.authEnd)))
        out.push(makeIssue('SERVICE_OUTSIDE_AUTH', issueAt(row, 'serviceStartDate', { value: start }), {
          value: showIsoDate(start),
          expected: `${from ? showIsoDate(from) : '…'} to ${entry.authEnd ? showIsoDate(entry.authEnd) : '…'}`,
        }));
    },
  };
}


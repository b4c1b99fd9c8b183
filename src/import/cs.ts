// CS authorizations: episodes keyed member x service x authorization number (domain §5 item 1).
// One row per member and service per extract; at most one open (unresolved) episode per pair,
// so a pair has one provider at a time (domain §5 item 2).
import {
  applyCsAuthorizations, csEpisodes, recordCsAssignmentConflicts, type CsAssignmentConflict, type CsAuthorizationWrite, type CsEpisode,
} from '../repositories/cs-authorizations.js';
import { existingCins } from '../repositories/members.js';
import { contractKeys } from '../repositories/providers.js';
import { contractRefusal, fieldsOf, orNull, type Applier, type Row } from './common.js';

/**
 * Per row, against the pair's episodes:
 * - one of the same provider with the same authorization number: that episode, updated in
 *   place; a resolved one stays resolved (re-importing an extract never brings a discontinued
 *   authorization back). Without a number (a potential member) a resolved episode is the row's
 *   only with the same assignment date: a later one is the plan referring the pair again, a new
 *   episode, back on the next CSASF; a resolved or open episode with a number and the same
 *   assignment date is that request's, numbered since: the row is an older extract's, rejected;
 * - else an open one with another provider that still holds the pair (holdsPair): refused
 *   (recorded for the CSASF run);
 * - else an open one of this provider without a number that is not denied or expired: the same
 *   request, now with its number (updated in place);
 * - else an open one: superseded (resolved) by a new episode with the new number;
 * - else (none open): a new episode, back on the next CSASF.
 */
/**
 * [POLICY] Whether another provider's open episode still holds the pair against row `r`: a
 * denied or expired authorization does not (it authorizes nothing; once past
 * CSASF_CLOSED_RETENTION_DAYS it is on no CSASF, so its provider could never resolve it and the
 * pair would be refused to every other provider for good), nor one whose end date is before the
 * new authorization starts (or, without a start, before the new assignment). The new episode
 * supersedes it.
 */
function holdsPair(open: CsEpisode, r: Row): boolean {
  if (open.auth_status === 'Denied' || open.auth_status === 'Expired') return false;
  const from = typeof r.auth_start === 'string' ? r.auth_start : typeof r.assigned_date === 'string' ? r.assigned_date : null;
  return !(open.auth_end && from && open.auth_end < from);
}

/** One authorization number, compared ignoring case (and surrounding blanks) as a CSPRTF's is. */
const sameAuthNumber = (a: string, b: string) => a.trim().toUpperCase() === b.trim().toUpperCase();

export const CS_AUTHORIZATIONS: Applier = {
  async check(c, rows, { reject, state, now }) {
    let firstBy = state.get('pair') as Map<string, { provider: string; row: number }> | undefined;
    if (!firstBy) state.set('pair', (firstBy = new Map()));
    const inFile: Row[] = [];
    const conflicts: CsAssignmentConflict[] = [];
    const inFileConflicts: typeof conflicts = [];
    for (const r of rows) {
      const k = `${String(r.cin)}|${String(r.service_code)}`;
      const prev = firstBy.get(k);
      if (prev) {
        if (prev.provider !== r.provider_code)
          inFileConflicts.push({ cin: String(r.cin), service: String(r.service_code), owner: prev.provider, refused: String(r.provider_code) });
        reject(
          r.__row,
          prev.provider === r.provider_code
            ? `duplicate member and service: already given on row ${prev.row}`
            : `member and service ${String(r.service_code)} already assigned to provider ${prev.provider} on row ${prev.row}: each member and CS service goes to exactly one provider`,
          'provider_code',
        );
        continue;
      }
      firstBy.set(k, { provider: String(r.provider_code), row: r.__row });
      inFile.push(r);
    }
    const members = await existingCins(c, inFile.map((r) => String(r.cin)));
    const ctr = await contractKeys(c, [...new Set(inFile.map((r) => String(r.provider_code)))]);
    const episodes = await csEpisodes(c, inFile.map((r) => String(r.cin)));
    const byPair = new Map<string, CsEpisode[]>();
    for (const e of episodes) byPair.set(`${e.cin}|${e.service_code}`, [...(byPair.get(`${e.cin}|${e.service_code}`) ?? []), e]);
    const accepted = inFile.filter((r) => {
      if (!members.has(String(r.cin))) return reject(r.__row, 'member not found: import the member first', 'cin'), false;
      const dayColumn = typeof r.assigned_date === 'string' ? 'assigned_date' : 'auth_start';
      const refusal = contractRefusal(ctr, r, 'CS', orNull(r[dayColumn]), dayColumn);
      if (refusal) return reject(r.__row, refusal, 'provider_code'), false;
      const pair = byPair.get(`${String(r.cin)}|${String(r.service_code)}`) ?? [];
      const key = typeof r.auth_number === 'string' ? r.auth_number : '';
      const assigned = typeof r.assigned_date === 'string' ? r.assigned_date : null;
      // (another provider's episode is never this row's: the pair would change hands unrefused)
      // (a number compared ignoring case, as a CSPRTF's is: A-100 and a-100 are one authorization)
      const match = pair.find((e) => e.provider_code === r.provider_code && sameAuthNumber(e.auth_key, key) && (key !== '' || !e.resolved || e.assigned_date === assigned));
      const open = pair.find((e) => !e.resolved);
      // [POLICY] without a number, a request this provider's numbered episode has the same
      // assignment date as is that request before it had its number: an older extract loaded
      // again, which would supersede the authorization (or reopen the pair once it is over)
      if (!match && key === '' && assigned !== null && pair.some((e) => e.provider_code === r.provider_code && e.auth_key !== '' && e.assigned_date === assigned))
        return reject(r.__row, 'the request assigned on this date has an authorization number since: an older extract? not applied', 'auth_number'), false;
      if (match) {
        r.__action = 'update';
        r.__id = match.id;
        return true;
      }
      if (open && open.provider_code !== r.provider_code && holdsPair(open, r)) {
        conflicts.push({ cin: String(r.cin), service: String(r.service_code), owner: open.provider_code, refused: String(r.provider_code) });
        return reject(r.__row, `member and service ${String(r.service_code)} are already assigned to provider ${open.provider_code}: each member and CS service goes to exactly one provider (end that assignment first)`, 'provider_code'), false;
      }
      // the number on record for the pair in other case (another provider's, or a numberless row's
      // match) is that authorization, as the CSPRTF rule and the resolve statement read it: a new
      // episode under it is refused as the database refuses the same case (cs_authorizations_episode_uq)
      if (key !== '' && pair.some((e) => sameAuthNumber(e.auth_key, key)))
        return reject(r.__row, 'this authorization number is already on record for the member and service (compared ignoring case): not applied', 'auth_number'), false;
      if (open && open.provider_code === r.provider_code && open.auth_key === '' && open.auth_status !== 'Denied' && open.auth_status !== 'Expired') {
        r.__action = 'update';
        r.__id = open.id;
      } else {
        r.__action = 'insert';
        if (open) r.__supersedes = open.id;
      }
      return true;
    });
    // The refused second assignment stays visible to the CSASF run until someone resolves it.
    for (const k of inFileConflicts) if (members.has(k.cin)) conflicts.push(k);
    if (conflicts.length) await recordCsAssignmentConflicts(c, conflicts, now);
    return accepted;
  },

  async upsert(c, rows, { now }) {
    await applyCsAuthorizations(c, rows.map((r): CsAuthorizationWrite => ({
      ...fieldsOf<'cs-authorizations'>(r),
      action: r.__action as CsAuthorizationWrite['action'], id: (r.__id as number | undefined) ?? null, supersedes: (r.__supersedes as number | undefined) ?? null,
    })), now);
  },
};

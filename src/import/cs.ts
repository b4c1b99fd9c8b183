// CS authorizations: episodes keyed member x service x authorization number (domain §5 item 1).
// One row per member and service per extract; at most one open (unresolved) episode per pair,
// so a pair has one provider at a time (domain §5 item 2).
import { contracts, existing, type Applier, type Row } from './common.js';

interface Episode { id: number; cin: string; service_code: string; provider_code: string; auth_key: string; auth_status: string | null; resolved: boolean }

/**
 * Per row, against the pair's episodes:
 * - one with the same authorization number (or both without): that episode, updated in place;
 *   a resolved one stays resolved (re-importing an extract never brings a discontinued
 *   authorization back);
 * - else an open one with another provider: refused (recorded for the CSASF run);
 * - else an open one without a number that is not denied or expired: the same request, now
 *   with its number (updated in place);
 * - else an open one: superseded (resolved) by a new episode with the new number;
 * - else (none open): a new episode, back on the next CSASF.
 */
export const CS_AUTHORIZATIONS: Applier = {
  async check(c, rows, { reject, state, now }) {
    let firstBy = state.get('pair') as Map<string, { provider: string; row: number }> | undefined;
    if (!firstBy) state.set('pair', (firstBy = new Map()));
    const inFile: Row[] = [];
    const conflicts: { cin: string; service: string; owner: string; refused: string }[] = [];
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
    const members = await existing(c, 'select cin as k from members where cin = any($1)', inFile.map((r) => String(r.cin)));
    const ctr = await contracts(c, [...new Set(inFile.map((r) => String(r.provider_code)))]);
    const episodes = (await c.query<Episode>(
      `select id, cin, service_code, provider_code, auth_key, auth_status, resolved from cs_authorizations where cin = any($1)`,
      [inFile.map((r) => String(r.cin))],
    )).rows;
    const byPair = new Map<string, Episode[]>();
    for (const e of episodes) byPair.set(`${e.cin}|${e.service_code}`, [...(byPair.get(`${e.cin}|${e.service_code}`) ?? []), e]);
    const accepted = inFile.filter((r) => {
      if (!members.has(String(r.cin))) return reject(r.__row, 'member not found: import the member first', 'cin'), false;
      if (!ctr.has(`${String(r.provider_code)}|${String(r.lob)}|CS`))
        return reject(r.__row, `provider ${String(r.provider_code)} has no CS contract for ${String(r.lob)}`, 'provider_code'), false;
      const pair = byPair.get(`${String(r.cin)}|${String(r.service_code)}`) ?? [];
      const key = typeof r.auth_number === 'string' ? r.auth_number : '';
      const match = pair.find((e) => e.auth_key === key);
      const open = pair.find((e) => !e.resolved);
      if (match) {
        r.__action = 'update';
        r.__id = match.id;
        return true;
      }
      if (open && open.provider_code !== r.provider_code) {
        conflicts.push({ cin: String(r.cin), service: String(r.service_code), owner: open.provider_code, refused: String(r.provider_code) });
        return reject(r.__row, `member and service ${String(r.service_code)} are already assigned to provider ${open.provider_code}: each member and CS service goes to exactly one provider (end that assignment first)`, 'provider_code'), false;
      }
      if (open && open.auth_key === '' && open.auth_status !== 'Denied' && open.auth_status !== 'Expired') {
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
    if (conflicts.length)
      await c.query(
        `insert into cs_assignment_conflicts (cin, service_code, owner_provider, refused_provider, source, detected_at)
         select cin, service, owner, refused, 'import', $2 from jsonb_to_recordset($1::jsonb) as x(cin text, service text, owner text, refused text)
          where exists (select 1 from providers p where p.provider_code = x.owner)
         on conflict (cin, service_code, refused_provider) do update set owner_provider = excluded.owner_provider, detected_at = excluded.detected_at, resolved_at = null`,
        [JSON.stringify(conflicts), now],
      );
    return accepted;
  },

  async upsert(c, rows, { now }) {
    const payload = JSON.stringify(rows.map((r) => ({
      action: r.__action, id: r.__id ?? null, supersedes: r.__supersedes ?? null, cin: r.cin, service_code: r.service_code, provider_code: r.provider_code,
      lob: r.lob, record_type: r.record_type, auth_status: r.auth_status ?? null, auth_number: r.auth_number ?? null, auth_start: r.auth_start ?? null,
      auth_end: r.auth_end ?? null, requested_date: r.requested_date ?? null, decision_date: r.decision_date ?? null, assigned_date: r.assigned_date ?? null,
      referring_org: r.referring_org ?? null,
    })));
    const cols = `action text, id bigint, supersedes bigint, cin text, service_code text, provider_code text, lob text, record_type text,
      auth_status text, auth_number text, auth_start date, auth_end date, requested_date date, decision_date date, assigned_date date, referring_org text`;
    // first the superseded episodes close, so the new ones can open (one open episode per pair)
    await c.query(
      `update cs_authorizations a set resolved = true, resolved_reason = 'SUPERSEDED', resolved_at = $2, updated_at = now()
         from jsonb_to_recordset($1::jsonb) as x(${cols})
        where x.supersedes = a.id and not a.resolved`,
      [payload, now],
    );
    await c.query(
      `update cs_authorizations a set lob = x.lob, record_type = x.record_type, auth_status = x.auth_status, auth_number = x.auth_number,
         auth_start = x.auth_start, auth_end = x.auth_end, requested_date = x.requested_date, decision_date = x.decision_date,
         assigned_date = x.assigned_date, referring_org = x.referring_org, updated_at = now()
         from jsonb_to_recordset($1::jsonb) as x(${cols})
        where x.action = 'update' and a.id = x.id`,
      [payload],
    );
    await c.query(
      `insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end,
         requested_date, decision_date, assigned_date, referring_org)
       select cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end,
              requested_date, decision_date, assigned_date, referring_org
         from jsonb_to_recordset($1::jsonb) as x(${cols})
        where x.action = 'insert'`,
      [payload],
    );
  },
};

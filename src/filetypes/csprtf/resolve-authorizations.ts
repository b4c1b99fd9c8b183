// A CSPRTF row with services discontinued (status 4) resolves the authorization episode it
// reports on (domain §5 item 1: "resolved" is a recorded state): the number on the row, else
// the one the provider's latest CSASF carried for the pair. A later authorization for the same
// pair is another episode and stays open, except the re-authorization that superseded the one
// reported on (services that ended end it too). A pair a file received later reported on (an
// older period read again by `reprocess`) is not resolved: the later report stands. (A
// reopening needs no such guard: it only undoes what a file received no later than this one
// did, see reopenCorrectedCsAuthorizations.) One statement per sheet (or batch of rows).
// The pair's authorizations are looked up by CIN and service; their provider is compared by "is
// not distinct from", which no index serves: with statistics from before the authorizations were
// loaded, Postgres ANDed a bitmap of the provider's every authorization with the CIN's, per row
// (5M rows a batch of 1,000 rows of a provider of 10,000; test/integration/apply-plans-fresh.test.ts).
import type pg from 'pg';
import { CSPRTF } from '../../../schemas/csprtf.js';
import { LATER_REPORTS } from '../later-reports.js';
import { stagedColumns } from '../../repositories/staged-columns.js';

const col = stagedColumns(CSPRTF, 'r.data').text;

export async function resolveReportedCsAuthorizations(c: pg.PoolClient, sheetId: number, provider: string, range: { from: number; to: number }): Promise<number> {
  const r = await c.query(
    `/* apply CSPRTF: resolve authorization episodes */ with ${LATER_REPORTS}, sub as (
       select u.received_at from submission_sheets s join submissions u on u.id = s.submission_id where s.id = $1
     ), latest as (
       select o.id from outbound_files o, sub
        where o.provider_code = $2 and o.kind = 'CSASF' and o.status = 'PUBLISHED' and o.published_at <= sub.received_at
        order by o.slot desc, o.id desc limit 1
     ), src as (
       select r.cin, r.service_code, nullif(${col('authNumber')}, '') as auth_number, ${col('discontinuationReasonCode')} as reason,
              (select nullif(f.auth_number, '') from latest l join outbound_file_rows f on f.outbound_file_id = l.id
                where f.cin = r.cin and f.service_code = r.service_code limit 1) as sent_number
         from submission_rows r
        where r.sheet_id = $1 and r.row_number between $3 and $4 and r.accepted and r.cin is not null and r.service_code is not null
          and ${col('engagementStatus')} = '4'
          -- the pair's engagement a later file reported stands (applyEngagements ran first: its row is that file's)
          and not exists (select 1 from cs_engagements e join submission_sheets es on es.id = e.sheet_id
                           where e.cin = r.cin and e.service_code = r.service_code and e.provider_code = $2 and es.submission_id in (select id from later))
     )
     update cs_authorizations a set resolved = true, resolved_at = (select received_at from sub),
            resolved_reason = case when src.reason = 'SC' then 'COMPLETED' else 'DISCONTINUED' end, resolved_sheet_id = $1, updated_at = now()
       from src
      where a.cin = src.cin and a.service_code = src.service_code and a.provider_code is not distinct from $2 and not a.resolved
        -- a number (on the row, else on the CSASF) names the episode; without one the open episode is meant.
        -- Ignoring case, as the row's number was checked against the CSASF's (context-rules.ts).
        and (coalesce(src.auth_number, src.sent_number) is null or upper(a.auth_key) = upper(coalesce(src.auth_number, src.sent_number))
             -- a number the CSASF did not carry (a pending request, a potential member) that names no
             -- authorization of the pair: the office's own reference for the open episode, not another one
             or (src.sent_number is null and not exists (select 1 from cs_authorizations x where x.cin = src.cin and x.service_code = src.service_code
                                                            and x.provider_code is not distinct from $2 and upper(x.auth_key) = upper(src.auth_number)))
             -- the authorization in force that a re-authorization of the same provider superseded (the
             -- CSASF shows it until the new one starts): services ended under it end the renewal too
             or exists (select 1 from cs_authorizations s where s.cin = a.cin and s.service_code = a.service_code and s.provider_code is not distinct from $2
                            and s.id < a.id and s.resolved_reason = 'SUPERSEDED' and upper(s.auth_key) = upper(coalesce(src.auth_number, src.sent_number))))`,
    [sheetId, provider, range.from, range.to],
  );
  return r.rowCount ?? 0;
}

/**
 * A later row of the same period for a pair whose earlier row of the period resolved its
 * episode, now saying anything but status 4, replaces that row (corrections merge by key,
 * spec §6): what the replaced row did is undone, so the member stays on the CSASF. Only an
 * episode resolved by this provider's CSPRTF of the same period, received no later than this
 * file (an older file read again never undoes a newer one), and only while the pair has no
 * other open episode (one given to another provider meanwhile is not taken back). Runs before
 * the resolution, so a status 4 row of this sheet still resolves.
 */
export async function reopenCorrectedCsAuthorizations(c: pg.PoolClient, sheetId: number, provider: string, range: { from: number; to: number }): Promise<number> {
  const r = await c.query(
    `/* apply CSPRTF: reopen episodes a corrected row resolved */ with sub as (
       select s.period, u.received_at, u.id from submission_sheets s join submissions u on u.id = s.submission_id where s.id = $1
     ), src as (
       select distinct r.cin, r.service_code from submission_rows r
        where r.sheet_id = $1 and r.row_number between $3 and $4 and r.accepted and r.cin is not null and r.service_code is not null
          and ${col('engagementStatus')} <> '4'
     )
     update cs_authorizations a set resolved = false, resolved_at = null, resolved_reason = null, resolved_sheet_id = null, updated_at = now()
       from src, sub
      where a.cin = src.cin and a.service_code = src.service_code and a.provider_code is not distinct from $2 and a.resolved
        and a.resolved_reason in ('DISCONTINUED', 'COMPLETED') and a.resolved_sheet_id <> $1
        and exists (select 1 from submission_sheets rs join submissions ru on ru.id = rs.submission_id
                     where rs.id = a.resolved_sheet_id and rs.provider_code = $2 and rs.layout = 'CSPRTF' and rs.period = sub.period
                       and (ru.received_at, ru.id) <= (sub.received_at, sub.id))
        and not exists (select 1 from cs_authorizations o where o.cin = a.cin and o.service_code = a.service_code and not o.resolved)`,
    [sheetId, provider, range.from, range.to],
  );
  return r.rowCount ?? 0;
}

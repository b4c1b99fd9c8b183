// A CSPRTF row with services discontinued (status 4) resolves the authorization episode it
// reports on (domain §5 item 1: "resolved" is a recorded state): the number on the row, else
// the one the provider's latest CSASF carried for the pair. A later authorization for the same
// pair is another episode and stays open. One statement per sheet (or batch of rows).
import type pg from 'pg';
import { CSPRTF } from '../../../schemas/csprtf.js';
import { stagedColumns } from '../staged.js';

const col = stagedColumns(CSPRTF, 'r.data').text;

export async function resolveReportedCsAuthorizations(c: pg.PoolClient, sheetId: number, provider: string, range: { from: number; to: number }): Promise<number> {
  const r = await c.query(
    `/* apply CSPRTF: resolve authorization episodes */ with sub as (
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
     )
     update cs_authorizations a set resolved = true, resolved_at = (select received_at from sub),
            resolved_reason = case when src.reason = 'SC' then 'COMPLETED' else 'DISCONTINUED' end, resolved_sheet_id = $1, updated_at = now()
       from src
      where a.cin = src.cin and a.service_code = src.service_code and a.provider_code = $2 and not a.resolved
        -- a number (on the row, else on the CSASF) names the episode; without one the open episode is meant
        and (coalesce(src.auth_number, src.sent_number) is null or a.auth_key = coalesce(src.auth_number, src.sent_number))`,
    [sheetId, provider, range.from, range.to],
  );
  return r.rowCount ?? 0;
}

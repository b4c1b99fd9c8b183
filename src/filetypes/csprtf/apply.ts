// Set-based application of a CSPRTF sheet's accepted rows, inside the submission's transaction.
import type pg from 'pg';
import { CSPRTF } from '../../../schemas/csprtf.js';
import { LATER_REPORTS } from '../later-reports.js';
import { stagedColumns } from '../../repositories/staged-columns.js';
import { ALL_ROWS, type MergeKey, type RowRange } from '../types.js';
import { reopenCorrectedCsAuthorizations, resolveReportedCsAuthorizations } from './resolve-authorizations.js';

const cs = stagedColumns(CSPRTF, 'r.data');

/** Member × CS service (submission_rows.service_code is staged for it). */
export const CSPRTF_MERGE_KEY: MergeKey = { key: `r.cin || '|' || r.service_code`, lob: cs.text('mcpId'), uniquePerFile: false };

/**
 * The provider's latest engagement status per member x service, with lineage: its own row (two
 * providers may report on a pair handed from one to the other: migration 0040). A pair a file
 * received later last reported (an older period read again by `reprocess` after a newer one)
 * keeps that report.
 */
async function applyEngagements(c: pg.PoolClient, sheetId: number, provider: string, range: RowRange): Promise<number> {
  const r = await c.query(
    `/* apply CSPRTF: engagements */ with ${LATER_REPORTS}
     insert into cs_engagements (cin, service_code, provider_code, lob, status, outreach_date, outreach_method, provider_type,
        service_start, service_end, discontinuation_reason, housed, date_housed, referral_status, referral_status_date,
        referral_closure_reason, sheet_id, row_number, updated_at)
     select distinct on (r.cin, r.service_code) r.cin, r.service_code, $2, ${cs.text('mcpId')}, (${cs.text('engagementStatus')})::smallint,
            (${cs.text('outreachDate')})::date, (${cs.text('outreachMethod')})::smallint, (${cs.text('providerType')})::smallint,
            (${cs.text('serviceStartDate')})::date, (${cs.text('serviceEndDate')})::date, ${cs.text('discontinuationReasonCode')},
            case ${cs.text('housed')} when '1' then true when '0' then false end, (${cs.text('dateHoused')})::date,
            ${cs.text('referralStatus')}, (${cs.text('referralStatusDate')})::date, ${cs.text('referralClosureReason')}, $1, r.row_number, now()
       from submission_rows r where r.sheet_id = $1 and r.row_number between $3 and $4 and r.accepted and r.cin is not null and r.service_code is not null
      order by r.cin, r.service_code, r.row_number desc
     on conflict (cin, service_code, provider_code) do update set lob = excluded.lob, status = excluded.status,
        outreach_date = excluded.outreach_date, outreach_method = excluded.outreach_method, provider_type = excluded.provider_type,
        service_start = excluded.service_start, service_end = excluded.service_end,
        discontinuation_reason = excluded.discontinuation_reason, housed = excluded.housed, date_housed = excluded.date_housed,
        referral_status = excluded.referral_status, referral_status_date = excluded.referral_status_date,
        referral_closure_reason = excluded.referral_closure_reason, sheet_id = excluded.sheet_id, row_number = excluded.row_number,
        updated_at = now()
      -- a file received before the one that last reported the pair takes nothing back from it: the
      -- later report stands (the reporting sheet's submission by its key, then a hashed look-up)
      where (select es.submission_id from submission_sheets es where es.id = cs_engagements.sheet_id) not in (select id from later)`,
    [sheetId, provider, range.from, range.to],
  );
  return r.rowCount ?? 0;
}

/**
 * Engagements; a discontinuation also resolves the authorization episode it reports on, and a
 * correction of one reopens it (resolve-authorizations.ts).
 */
export async function applyCsprtf(c: pg.PoolClient, sheetId: number, provider: string, range: RowRange = ALL_ROWS): Promise<number> {
  const n = await applyEngagements(c, sheetId, provider, range);
  await reopenCorrectedCsAuthorizations(c, sheetId, provider, range);
  await resolveReportedCsAuthorizations(c, sheetId, provider, range);
  return n;
}

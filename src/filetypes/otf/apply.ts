// Set-based application of an OTF sheet's accepted attempts, inside the submission's transaction.
import type pg from 'pg';
import { OTF } from '../../../schemas/otf.js';
import { stagedColumns } from '../../repositories/staged-columns.js';
import { ALL_ROWS, type MergeKey, type RowRange } from '../types.js';

const otf = stagedColumns(OTF, 'r.data');

/**
 * The attempt: member × date × method. The cross-row check (OTF_CROSS_ROW) accepts it again in
 * one file only as an exact repeat, the same minutes too (a possible double entry): the last
 * row stands, once.
 */
export const OTF_MERGE_KEY: MergeKey = {
  key: `r.cin || '|' || ${otf.text('attemptDate')} || '|' || ${otf.text('method')}`,
  lob: otf.text('mcpId'),
  uniquePerFile: false,
};

/** Every accepted attempt; an attempt counts while its row is the current one of its key (current_outreach_attempts). */
export async function applyOtf(c: pg.PoolClient, sheetId: number, provider: string, range: RowRange = ALL_ROWS): Promise<number> {
  const r = await c.query(
    `insert into outreach_attempts (sheet_id, row_number, provider_code, lob, cin, attempt_date, method, successful, minutes, provider_type)
     select $1, r.row_number, $2, ${otf.text('mcpId')}, r.cin, (${otf.text('attemptDate')})::date, (${otf.text('method')})::smallint,
            (${otf.text('successful')})::boolean, (${otf.text('minutes')})::int, (${otf.text('providerType')})::smallint
       from submission_rows r where r.sheet_id = $1 and r.row_number between $3 and $4 and r.accepted
        -- second guard behind the context rules: a member assigned to, or last sent to, the submitter
        -- (the provider by "is not distinct from", which no index serves: the member is looked up by
        -- CIN, and never, with statistics from before the plan's members were loaded, by a bitmap of
        -- the provider's every assignment ANDed with the CIN's, per row: 10M rows a batch of 1,000)
        and (exists (select 1 from ecm_assignments a where a.cin = r.cin and a.provider_code is not distinct from $2)
             or exists (select 1 from outbound_files o join outbound_file_rows f on f.outbound_file_id = o.id
                         where o.provider_code = $2 and o.kind = 'MIF' and o.status = 'PUBLISHED' and f.cin = r.cin))`,
    [sheetId, provider, range.from, range.to],
  );
  return r.rowCount ?? 0;
}

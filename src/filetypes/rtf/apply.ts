// Set-based application of an RTF sheet's accepted staged rows, inside the submission's
// transaction: one statement per sheet (or batch) and table, never one per row.
import type pg from 'pg';
import { RTF } from '../../../schemas/rtf.js';
import type { Config } from '../../config.js';
import { assignmentInLine } from '../../repositories/ecm-assignments.js';
import { caseloadsOver } from '../../repositories/submission-store.js';
import { makeIssue, type Issue } from '../../validate/issues.js';
import { LATER_REPORTS } from '../later-reports.js';
import { stagedColumns } from '../../repositories/staged-columns.js';
import { ALL_ROWS, type MergeKey, type RowRange } from '../types.js';
import { assignmentSetClauses } from './assignment.js';

const rtf = stagedColumns(RTF, 'src.d');
const staged = stagedColumns(RTF, 'r.data');

/** One member per key (the cross-row check accepts a CIN once per file). */
export const RTF_MERGE_KEY: MergeKey = { key: 'r.cin', lob: staged.text('mcpId'), uniquePerFile: true };

/**
 * Each accepted row (one per member) updates its ECM assignment, with lineage, in one
 * statement; the member contact details it reports follow in a second (applyRtfContacts).
 */
export async function applyRtf(c: pg.PoolClient, sheetId: number, provider: string, range: RowRange = ALL_ROWS): Promise<number> {
  const r = await c.query(
    // (the leading comment names the statement in pg_stat_activity, which truncates long queries)
    `/* apply RTF: assignments, lineage */ with src as materialized (
       -- (a CIN is accepted once per line per file, by the cross-row check: no distinct-on sort needed)
       select r.cin, r.row_number, r.data d from submission_rows r
        where r.sheet_id = $1 and r.row_number between $3 and $4 and r.accepted and r.cin is not null
     ), ${LATER_REPORTS}, upd as (
       update ecm_assignments a set
         pof = case when (${rtf.text('pofIndicator')})::boolean is true and jsonb_typeof(${rtf.json('pof')}) = 'array'
                    then array(select jsonb_array_elements_text(${rtf.json('pof')})) else a.pof end,
         ${assignmentSetClauses(rtf.text).join(',\n         ')},
         last_submission_id = (select submission_id from submission_sheets where id = $1),
         last_row_number = src.row_number,
         updated_at = now()
       -- "old" is the same row as the statement saw it: its image before the update, taken in
       -- the same join (a separate CTE joined back to upd was planned as a nested loop over
       -- the staged rows, quadratic in the file's size).
       from src join ecm_assignments old on old.cin = src.cin and old.lob = ${rtf.text('mcpId')} and old.provider_code = $2
       where a.id = old.id
         -- a file received before the one that last reported the member (an older period read
         -- again by \`reprocess\`) takes nothing back from it: the later report stands
         and (old.last_submission_id is null or old.last_submission_id not in (select id from later))
         -- a row whose enrollment or outreach ended before the assignment's episode began (an RTF
         -- for the month a member left, received after a referral started a new episode with the
         -- provider) is the earlier episode's: it counts for its period and leaves this one as it is
         and not coalesce(coalesce((${rtf.text('endDate')})::date, (${rtf.text('discontinuationDate')})::date) < old.assigned_date, false)
       -- (the image as a row constructor: the whole-row reference \`old\` took the statement 100 ms
       -- a 5,000-row batch against 78, in psql on a copy of bench B's database; the same value)
       returning a.id, src.row_number, row(old.*)::ecm_assignments as before
     )
     -- lineage: the assignment as it was (typed, no conversion); the row that changed it is
     -- submission_rows (sheet_id, row_number)
     insert into ecm_assignment_changes (assignment_id, sheet_id, row_number, before)
     select upd.id, $1, upd.row_number, upd.before from upd`,
    [sheetId, provider, range.from, range.to],
  );
  await applyRtfContacts(c, sheetId, provider, range);
  return r.rowCount ?? 0;
}

/** Contact details the provider reported as new flow into the member record (and the next MIF). */
async function applyRtfContacts(c: pg.PoolClient, sheetId: number, provider: string, range: RowRange): Promise<number> {
  const r = await c.query(
    // (no distinct on: a CIN is accepted once per line per file, and sorting the sheet's rows spilled to disk;
    // a member reported in two lines updates the member record once, from either row: the provider's own report both times)
    `/* apply RTF: member contacts */ with ${LATER_REPORTS}, src as (
       select r.cin, r.data d from submission_rows r where r.sheet_id = $1 and r.row_number between $3 and $4 and r.accepted and r.cin is not null
     )
     update members m set
       address = case when (${rtf.text('newAddress')})::boolean is true then ${rtf.text('address')} else m.address end,
       city = case when (${rtf.text('newAddress')})::boolean is true then ${rtf.text('city')} else m.city end,
       state = case when (${rtf.text('newAddress')})::boolean is true then ${rtf.text('state')} else m.state end,
       zip = case when (${rtf.text('newAddress')})::boolean is true then ${rtf.text('zip')} else m.zip end,
       phone = case when (${rtf.text('newPhone')})::boolean is true then ${rtf.text('phone')} else m.phone end,
       homeless = coalesce((${rtf.text('homeless')})::boolean, m.homeless),
       updated_at = now()
     from src where m.cin = src.cin
       and ((${rtf.text('newAddress')})::boolean is true or (${rtf.text('newPhone')})::boolean is true
            or m.homeless is distinct from coalesce((${rtf.text('homeless')})::boolean, m.homeless))
       -- second guard behind the context rules: only the submitter's own members, held in their
       -- line for the file's period (a member the plan moved to another line is another
       -- provider's now: the row counts, with MEMBER_LEFT_LINE, but the member's record is not
       -- this provider's to change); and not a member a later-received file of the provider
       -- reported (its contacts stand)
       and exists (select 1 from ecm_assignments a where a.cin = m.cin and a.provider_code = $2
                      and ${assignmentInLine('a', '(select period from submission_sheets where id = $1)')}
                      and (a.last_submission_id is null or a.last_submission_id not in (select id from later)))`,
    [sheetId, provider, range.from, range.to],
  );
  return r.rowCount ?? 0;
}

/** Once the RTF counts: Lead Care Managers over the caseload limit (a warning for the liaison). */
export async function caseloadWarnings(c: pg.PoolClient, args: { config: Config; provider: string; sheet: string; periodDate: string }): Promise<Issue[]> {
  const { config, provider, sheet, periodDate } = args;
  const over = await caseloadsOver(c, provider, config.CASELOAD_WARN_LIMIT, periodDate);
  return over.map((x) => makeIssue('CASELOAD_HIGH', { sheet }, { detail: x.lcmName, count: x.members, limit: config.CASELOAD_WARN_LIMIT }));
}

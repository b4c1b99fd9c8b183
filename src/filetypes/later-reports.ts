// An older period read again by `reprocess` (its receipt time is the original's) after a newer
// one was applied: what a later file of the provider reported of a member (RTF) or a member x
// service (CSPRTF) stands, and the older file takes nothing back from it.

/**
 * The provider's submissions received after the sheet `$1`'s (receipt time, then id), as a CTE
 * `later` for a statement whose `$1` is the sheet and `$2` the provider (a few rows: the
 * provider's files since; none for a file read as it arrives). A member last reported by one of
 * them keeps that report: the statements skip it with one hashed look-up per row, never a join
 * per row. A CTE of the statement's `with` list (the caller writes the commas).
 */
export const LATER_REPORTS = `later as materialized (
       select s.id from submissions s
         join submission_sheets me on me.id = $1 join submissions mine on mine.id = me.submission_id
        where s.provider_code = $2 and (s.received_at, s.id) > (mine.received_at, mine.id)
     )`;

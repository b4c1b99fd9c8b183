-- Up Migration
-- One member's story for ops (calaim-exchange member show, src/repositories/member-story.ts)
-- reads by the member's CIN. None of these indexes is on the ingest's per-row path: an ops
-- command run a few times a day must not slow every ingest (issue 19), so nothing indexes the
-- accepted staged rows (submission_rows) nor the assignment lineage (ecm_assignment_changes).
--
-- submission_rows: only the rejected rows. `accepted` is decided per row by validation and
-- COPYed as it is (src/ingest/sheet-writer.ts stagingLine, submission-store.ts stageRows): an
-- accepted row never enters this partial index, a rejected row (a row with an error: few) does.
-- The one UPDATE of `accepted` is rejectStagedRows (src/ingest/pipeline.ts): a file rejected
-- whole (a limit or damage mid-way, declined late) turns its rows to rejected, and those with a
-- CIN then enter the index: a rejected file's cost, not an applied file's. The member's accepted
-- rows that count are read through current_rows' own primary key (provider, type, line,
-- period, row_key: row_key is the CIN, or starts with it), one probe per provider x type x
-- line x period found by a skip scan of that key: current_rows is written per accepted row by
-- the merge (mergeByKey), so it gets no index either. Accepted rows that no longer count are
-- not listed (`submission show ID` has them).
--
-- ecm_assignment_changes: the plan's changes (extract, referral, line switch) by assignment
-- through 0048's ecm_assignment_changes_plan_idx (assignment_id, id) WHERE source <> 'RTF'; the
-- RTFs' steps are read from the member's counting RTF rows (what the provider reported), not
-- from the lineage, which has no index by (sheet_id, row_number) either.
--
-- The three below are off the ingest's per-row path: ecm_referrals and ecm_switches_not_applied
-- are written by the referral import and the day's switches, cs_authorizations by the CS
-- authorization import (a CSPRTF ingest only updates an episode's resolution, never its cin:
-- an index on cin does not make those updates non-HOT). Their unique indexes are partial (a
-- resolved CS episode without a number was in none), so without these each read the whole table.
CREATE INDEX submission_rows_rejected_cin_idx ON submission_rows (cin) WHERE NOT accepted AND cin IS NOT NULL;
CREATE INDEX ecm_referrals_cin_idx ON ecm_referrals (cin);
CREATE INDEX cs_authorizations_cin_idx ON cs_authorizations (cin);
CREATE INDEX ecm_switches_not_applied_cin_idx ON ecm_switches_not_applied (cin);

-- Down Migration
DROP INDEX ecm_switches_not_applied_cin_idx;
DROP INDEX cs_authorizations_cin_idx;
DROP INDEX ecm_referrals_cin_idx;
DROP INDEX submission_rows_rejected_cin_idx;

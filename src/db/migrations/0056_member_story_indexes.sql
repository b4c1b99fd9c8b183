-- Up Migration
-- One member's story for ops (calaim-exchange member show, src/repositories/member-story.ts)
-- reads, by the member's CIN, what no index reached: every provider row that named the member
-- (submission_rows: accepted or rejected, any file type, any provider), every change of the
-- member's assignments (ecm_assignment_changes: the RTFs' changes were only reachable by
-- reading the whole lineage; 0048's index holds the extracts' changes only), the member's
-- referrals, CS authorization episodes (the unique indexes on them are partial: a resolved
-- episode without a number was in neither) and planned switches not applied. Without these each
-- look-up read the whole table: a year of RTFs is millions of staged rows and lineage rows.
-- The two on the ingest's path (submission_rows, ecm_assignment_changes) cost each staged row
-- and each RTF change one more index entry (submission_rows': only rows with a CIN). Measured
-- (2026-12-03, this 2-vCPU VM, 100k rows with scattered CINs and assignments inserted into a
-- table already holding 1.1M, medians of 5): the staged rows 212 -> 588 ms, the lineage
-- 223 -> 648 ms, so about 0.8 s more for a 100k-row RTF (bench B: 3.5 s) until measured in
-- bench B itself. The cheaper way, if that is too much: only the rejected rows indexed (partial,
-- `where not accepted`), the counting rows found through current_rows' key (row_key is the CIN)
-- per provider, line and period, and the RTFs' steps read from their rows instead of the lineage.
CREATE INDEX submission_rows_cin_idx ON submission_rows (cin) WHERE cin IS NOT NULL;
CREATE INDEX ecm_assignment_changes_assignment_idx ON ecm_assignment_changes (assignment_id, id);
CREATE INDEX ecm_referrals_cin_idx ON ecm_referrals (cin);
CREATE INDEX cs_authorizations_cin_idx ON cs_authorizations (cin);
CREATE INDEX ecm_switches_not_applied_cin_idx ON ecm_switches_not_applied (cin);

-- Down Migration
DROP INDEX ecm_switches_not_applied_cin_idx;
DROP INDEX cs_authorizations_cin_idx;
DROP INDEX ecm_referrals_cin_idx;
DROP INDEX ecm_assignment_changes_assignment_idx;
DROP INDEX submission_rows_cin_idx;

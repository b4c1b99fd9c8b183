-- Up Migration
-- A MIF's members (mifMembers, src/repositories/ecm-assignments.ts) include the assignments an
-- extract dated after the slot that the provider held before (the member stays on its MIF until
-- the move's day). Those were found by reading every assignment of the line, once per provider
-- and line on every monthly run: at the bench's 100k assignments 14 ms of a unit's 21 ms read
-- (npm run bench -- --cases D), and growing with the plan's assignments times its providers.
-- Indexed by line and assigned date, the read takes only those dated after the slot: few.
-- An RTF's update never changes either column (assignmentSetClauses), so its updates stay in
-- place (HOT, migration 0053); the extract's and a referral's, which change the provider
-- (indexed already) when they change the date, were never in place.
CREATE INDEX ecm_assignments_lob_assigned_idx ON ecm_assignments (lob, assigned_date);

-- Down Migration
DROP INDEX ecm_assignments_lob_assigned_idx;

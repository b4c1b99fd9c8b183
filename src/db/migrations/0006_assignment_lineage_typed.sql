-- Up Migration
-- Lineage of ECM assignment changes, cheaper to write at volume (issue 10): a 100k-row RTF
-- changes 100k assignments in one statement, and the jsonb before-image (to_jsonb per row),
-- a second copy of the provider's row (`after`) and two foreign-key triggers per row were
-- more than half of that statement's time.
-- * `before` is the assignment row itself, typed (the table's own row type): no conversion
--   on write, queryable as (before).status. Adding columns to ecm_assignments stays possible;
--   changing a column's type needs this column migrated first.
-- * `after` is dropped: the row that made the change is submission_rows (sheet_id, row_number),
--   whose normalised values are kept there.
-- * No foreign keys: an append-only audit log, written only by the apply statement with the
--   ids it has just updated; it must outlive what it points to, not cascade away with it.
ALTER TABLE ecm_assignment_changes ADD COLUMN before_row ecm_assignments;
UPDATE ecm_assignment_changes SET before_row = jsonb_populate_record(NULL::ecm_assignments, before) WHERE before IS NOT NULL;
ALTER TABLE ecm_assignment_changes DROP COLUMN before, DROP COLUMN after;
ALTER TABLE ecm_assignment_changes RENAME COLUMN before_row TO before;
ALTER TABLE ecm_assignment_changes DROP CONSTRAINT ecm_assignment_changes_assignment_id_fkey;
ALTER TABLE ecm_assignment_changes DROP CONSTRAINT ecm_assignment_changes_sheet_id_fkey;

-- Down Migration
ALTER TABLE ecm_assignment_changes ADD COLUMN before_json jsonb, ADD COLUMN after jsonb;
UPDATE ecm_assignment_changes c SET before_json = to_jsonb(c.before),
  after = coalesce((SELECT r.data FROM submission_rows r WHERE r.sheet_id = c.sheet_id AND r.row_number = c.row_number), '{}'::jsonb);
ALTER TABLE ecm_assignment_changes DROP COLUMN before;
ALTER TABLE ecm_assignment_changes RENAME COLUMN before_json TO before;
ALTER TABLE ecm_assignment_changes ALTER COLUMN after SET NOT NULL;
ALTER TABLE ecm_assignment_changes ADD CONSTRAINT ecm_assignment_changes_assignment_id_fkey FOREIGN KEY (assignment_id) REFERENCES ecm_assignments ON DELETE CASCADE;
ALTER TABLE ecm_assignment_changes ADD CONSTRAINT ecm_assignment_changes_sheet_id_fkey FOREIGN KEY (sheet_id) REFERENCES submission_sheets;

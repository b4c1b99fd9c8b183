-- Up Migration
-- [POLICY LOB_SWITCH] A member is enrolled in one of the plan's lines of business at a time. When
-- the assignment extract opens or moves the member's assignment in one line (an insert or a
-- switch) with an assigned date D, an open assignment of the member in another line assigned
-- before D, which the same extract does not list, ends from the plan's side: plan_end is its last
-- day in its line (D - 1), plan_ended_at the import's clock. A plan-side end of its own: the
-- provider's reported status, enrollment end and discontinuation stay as the provider reported
-- them. An assignment holds its member in its line on a day when plan_end has not passed
-- (assignmentInLine in src/repositories/ecm-assignments.ts, the one place the rule is written).
-- The import row that ended it is its lineage row (source LINE_SWITCH, row_number: the extract's
-- row of the line the member joined). A later extract or referral that assigns the member in the
-- line again, from a day after plan_end, clears both.
ALTER TABLE ecm_assignments ADD COLUMN plan_end date, ADD COLUMN plan_ended_at timestamptz;
ALTER TABLE ecm_assignments ADD CONSTRAINT ecm_assignments_plan_end_ck CHECK ((plan_end IS NULL) = (plan_ended_at IS NULL));
ALTER TABLE ecm_assignment_changes DROP CONSTRAINT ecm_assignment_changes_source_check;
ALTER TABLE ecm_assignment_changes ADD CONSTRAINT ecm_assignment_changes_source_check
  CHECK (source IN ('RTF', 'REFERRAL', 'ASSIGNMENT_IMPORT', 'LINE_SWITCH'));

-- Down Migration
DELETE FROM ecm_assignment_changes WHERE source = 'LINE_SWITCH';
ALTER TABLE ecm_assignment_changes DROP CONSTRAINT ecm_assignment_changes_source_check;
ALTER TABLE ecm_assignment_changes ADD CONSTRAINT ecm_assignment_changes_source_check
  CHECK (source IN ('RTF', 'REFERRAL', 'ASSIGNMENT_IMPORT'));
ALTER TABLE ecm_assignments DROP CONSTRAINT ecm_assignments_plan_end_ck;
ALTER TABLE ecm_assignments DROP COLUMN plan_ended_at, DROP COLUMN plan_end;

-- Up Migration
-- The provider context reads, for the file's period, the assignments the plan moved away from
-- the submitting provider (src/repositories/provider-context.ts, HELD_IN_PERIOD): that
-- provider's lineage rows loaded since a given time, and for each the next change of the same
-- assignment. The table had no index, so each read scanned the whole lineage, which the RTF
-- apply grows by one row per member reported every month. Only rows that are no RTF's: an RTF
-- never moves an assignment, so the reads need none of them, and the RTF apply (the bulk of the
-- writes) maintains neither index.
CREATE INDEX ecm_assignment_changes_moved_from_idx ON ecm_assignment_changes (((before).provider_code), changed_at) WHERE source <> 'RTF';
CREATE INDEX ecm_assignment_changes_plan_idx ON ecm_assignment_changes (assignment_id, id) WHERE source <> 'RTF';

-- Down Migration
DROP INDEX ecm_assignment_changes_plan_idx;
DROP INDEX ecm_assignment_changes_moved_from_idx;

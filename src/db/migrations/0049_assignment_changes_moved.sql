-- Up Migration
-- The provider context looks for the assignments the plan moved away from the submitting
-- provider among that provider's lineage rows loaded since SWITCH_LOOKBACK_DAYS before the
-- file's period (src/repositories/provider-context.ts, HELD_IN_PERIOD). Through 0048's index
-- that read every change the extracts made to the provider's assignments (a status, an acuity,
-- a care manager), not only the moves: at a provider of 100k members whose assignments the
-- extracts change by a fifth a month, a half-year window read ~130k rows for ~15k moves and
-- doubled the context's time. `moved`: this change left the assignment with another provider
-- (set when written; here from the next change's image of it, or the row as it stands), and
-- the index holds those rows only. 0048's index on every change is read by nothing else.
ALTER TABLE ecm_assignment_changes ADD COLUMN moved boolean NOT NULL DEFAULT false;
UPDATE ecm_assignment_changes c SET moved = true
 WHERE c.source <> 'RTF' AND (c.before).provider_code IS NOT NULL
   AND (c.before).provider_code IS DISTINCT FROM coalesce(
         (SELECT (n.before).provider_code FROM ecm_assignment_changes n
           WHERE n.assignment_id = c.assignment_id AND n.source <> 'RTF' AND n.id > c.id ORDER BY n.id LIMIT 1),
         (SELECT a.provider_code FROM ecm_assignments a WHERE a.id = c.assignment_id));
CREATE INDEX ecm_assignment_changes_moved_idx ON ecm_assignment_changes (((before).provider_code), changed_at) WHERE moved;
DROP INDEX ecm_assignment_changes_moved_from_idx;

-- Down Migration
CREATE INDEX ecm_assignment_changes_moved_from_idx ON ecm_assignment_changes (((before).provider_code), changed_at) WHERE source <> 'RTF';
DROP INDEX ecm_assignment_changes_moved_idx;
ALTER TABLE ecm_assignment_changes DROP COLUMN moved;

-- Up Migration
-- The extract's as-of per field (domain §4 item 4b): since when the extract has said each
-- field's value in upstream_values. One as-of for the whole row (upstream_as_of, reset when any
-- field changed) made a new POF outrank the status and enrollment the provider reported after
-- the extract last changed them; each field now follows whichever is newer on its own.
-- upstream_as_of stays: the latest of them (when the extract last changed anything).
ALTER TABLE ecm_assignments ADD COLUMN upstream_field_as_of jsonb;

-- When a referral last started a new episode on the row (domain §4 item 4a), null once the
-- extract switched the member since. The episode is news newer than an extract repeating what
-- it said before it: only an extract value given since moves it (the status, the dates, and
-- who holds it too).
ALTER TABLE ecm_assignments ADD COLUMN episode_started_at timestamptz;
-- Rows loaded before: the latest REFERRAL change in the lineage that no extract change followed
-- (its changed_at is the database's clock at the import, the best record there is).
UPDATE ecm_assignments a SET episode_started_at = r.changed_at
  FROM (SELECT DISTINCT ON (assignment_id) assignment_id, id, changed_at FROM ecm_assignment_changes
         WHERE source = 'REFERRAL' ORDER BY assignment_id, id DESC) r
 WHERE r.assignment_id = a.id
   AND NOT EXISTS (SELECT 1 FROM ecm_assignment_changes c WHERE c.assignment_id = a.id AND c.source = 'ASSIGNMENT_IMPORT' AND c.id > r.id);

-- upstream_values also keeps who the extract said holds the assignment, to tell an extract
-- repeating it from one changing it. Rows loaded before: the row's own, or, where a referral
-- moved it since, the row as that referral found it (only the extract and referrals set them).
UPDATE ecm_assignments a
   SET upstream_values = a.upstream_values || jsonb_build_object(
         'provider_code', coalesce((e.before).provider_code, a.provider_code),
         'assigned_date', to_char(coalesce((e.before).assigned_date, a.assigned_date), 'YYYY-MM-DD'))
  FROM ecm_assignments a0 LEFT JOIN LATERAL (
         SELECT c.before FROM ecm_assignment_changes c
          WHERE a0.episode_started_at IS NOT NULL AND c.assignment_id = a0.id AND c.source = 'REFERRAL'
            AND NOT EXISTS (SELECT 1 FROM ecm_assignment_changes i WHERE i.assignment_id = a0.id AND i.source = 'ASSIGNMENT_IMPORT' AND i.id > c.id)
          ORDER BY c.id LIMIT 1) e ON true
 WHERE a0.id = a.id AND a.upstream_values IS NOT NULL;

-- Rows loaded before: every field as of the row's one as-of (the most the row knows).
UPDATE ecm_assignments a
   SET upstream_field_as_of = (SELECT jsonb_object_agg(k, a.upstream_as_of) FROM jsonb_object_keys(a.upstream_values) k)
 WHERE a.upstream_values IS NOT NULL AND a.upstream_as_of IS NOT NULL;

-- Down Migration
UPDATE ecm_assignments SET upstream_values = upstream_values - 'provider_code' - 'assigned_date' WHERE upstream_values IS NOT NULL;
ALTER TABLE ecm_assignments DROP COLUMN episode_started_at, DROP COLUMN upstream_field_as_of;

-- Up Migration
-- The extract's as-of per field (domain §4 item 4b): since when the extract has said each
-- field's value in upstream_values. One as-of for the whole row (upstream_as_of, reset when any
-- field changed) made a new POF outrank the status and enrollment the provider reported after
-- the extract last changed them; each field now follows whichever is newer on its own.
-- upstream_as_of stays: the latest of them (when the extract last changed anything).
ALTER TABLE ecm_assignments ADD COLUMN upstream_field_as_of jsonb;
-- Rows loaded before: every field as of the row's one as-of (the most the row knows).
UPDATE ecm_assignments a
   SET upstream_field_as_of = (SELECT jsonb_object_agg(k, a.upstream_as_of) FROM jsonb_object_keys(a.upstream_values) k)
 WHERE a.upstream_values IS NOT NULL AND a.upstream_as_of IS NOT NULL;

-- Down Migration
ALTER TABLE ecm_assignments DROP COLUMN upstream_field_as_of;

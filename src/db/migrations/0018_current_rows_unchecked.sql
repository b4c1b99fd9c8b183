-- Up Migration
-- current_rows is derived state that the ingest writes a whole file at a time (100k rows for a
-- large RTF). Its foreign keys cost three referential checks per row, and they were most of
-- the merge's cost (bench B at 100k rows: the merge statements took ~2.9 s of Postgres time).
-- The pipeline writes only the provider, sheet and submission it holds in the same
-- transaction, and nothing deletes submissions or their sheets (the plan keeps every file).
ALTER TABLE current_rows
  DROP CONSTRAINT current_rows_provider_code_fkey,
  DROP CONSTRAINT current_rows_sheet_id_fkey,
  DROP CONSTRAINT current_rows_submission_id_fkey;

-- Down Migration
ALTER TABLE current_rows
  ADD CONSTRAINT current_rows_provider_code_fkey FOREIGN KEY (provider_code) REFERENCES providers,
  ADD CONSTRAINT current_rows_sheet_id_fkey FOREIGN KEY (sheet_id) REFERENCES submission_sheets ON DELETE CASCADE,
  ADD CONSTRAINT current_rows_submission_id_fkey FOREIGN KEY (submission_id) REFERENCES submissions;

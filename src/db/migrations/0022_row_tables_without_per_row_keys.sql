-- Up Migration
-- submission_rows and outbound_file_rows are written a whole file at a time (100k rows for a
-- large RTF or a large provider's MIF), each row in the same transaction as the sheet or
-- outbound file it belongs to. Their foreign keys cost a referential check per row (two for
-- outbound_file_rows): for a 100k-row RTF, about a third of staging's Postgres time (bench B),
-- and most of recording a MIF's rows (bench D). Nothing deletes submissions, sheets, outbound
-- files or members (the plan keeps every file; 0015 removed its republished outbound files'
-- rows itself), so the cascade had nothing to do. As 0006 did for lineage and 0018 for
-- current_rows, the writers that hold the parent row in the same transaction are the guarantee.
ALTER TABLE submission_rows DROP CONSTRAINT submission_rows_sheet_id_fkey;
ALTER TABLE outbound_file_rows
  DROP CONSTRAINT outbound_file_rows_outbound_file_id_fkey,
  DROP CONSTRAINT outbound_file_rows_cin_fkey;

-- Down Migration
ALTER TABLE submission_rows ADD CONSTRAINT submission_rows_sheet_id_fkey FOREIGN KEY (sheet_id) REFERENCES submission_sheets ON DELETE CASCADE;
ALTER TABLE outbound_file_rows
  ADD CONSTRAINT outbound_file_rows_outbound_file_id_fkey FOREIGN KEY (outbound_file_id) REFERENCES outbound_files ON DELETE CASCADE,
  ADD CONSTRAINT outbound_file_rows_cin_fkey FOREIGN KEY (cin) REFERENCES members;

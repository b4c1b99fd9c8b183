-- Up Migration
-- outreach_attempts is written a whole OTF sheet at a time (a provider's month of attempts),
-- each row in the transaction that holds its sheet, by the one statement of src/filetypes/otf/
-- apply.ts, which inserts only the submitting provider, rows of the sheet it has just written,
-- and members the context rules and that statement's own guard found assigned to or sent to
-- the provider. Its three foreign keys cost three referential checks per row: in a month-start
-- burst of 30 providers (bench G), its insert statements took 1.35 s of Postgres for 60,000
-- attempts with them, 0.42 s without (statement times from the server's log).
-- Nothing deletes sheets, providers or members (the plan keeps every file), so the cascade had
-- nothing to do. As 0006 did for lineage, 0018 for current_rows and 0022 for the staged rows,
-- the writer that holds the parent rows in the same transaction is the guarantee.
ALTER TABLE outreach_attempts
  DROP CONSTRAINT outreach_attempts_sheet_id_fkey,
  DROP CONSTRAINT outreach_attempts_provider_code_fkey,
  DROP CONSTRAINT outreach_attempts_cin_fkey;

-- Down Migration
ALTER TABLE outreach_attempts
  ADD CONSTRAINT outreach_attempts_sheet_id_fkey FOREIGN KEY (sheet_id) REFERENCES submission_sheets ON DELETE CASCADE,
  ADD CONSTRAINT outreach_attempts_provider_code_fkey FOREIGN KEY (provider_code) REFERENCES providers,
  ADD CONSTRAINT outreach_attempts_cin_fkey FOREIGN KEY (cin) REFERENCES members;

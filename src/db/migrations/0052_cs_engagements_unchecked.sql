-- Up Migration
-- cs_engagements is written a whole CSPRTF sheet at a time (every member x service a CS
-- provider reports on, each month), in the transaction that holds the sheet, by the one
-- statement of src/filetypes/csprtf/apply.ts, which writes only the submitting provider, the
-- sheet it has just written, and members whose rows the context rules accepted (each on the
-- provider's CSASF, so a member of the plan). Its three foreign keys cost referential checks on
-- every row inserted, and on every row updated (each update moves sheet_id to the new sheet):
-- 50,000 member x service rows took 0.89 s to insert with them and 0.24 s without, 0.67 s
-- and 0.44 s to update (a throwaway script against a migrated embedded database, 3 runs each).
-- Nothing deletes sheets, providers or members (the plan keeps every file), so the keys had
-- nothing to cascade or refuse. As 0051 did for the OTF attempts, and 0006, 0018 and 0022 for
-- the other row tables, the writer that holds the parent rows in the same transaction is the
-- guarantee.
ALTER TABLE cs_engagements
  DROP CONSTRAINT cs_engagements_cin_fkey,
  DROP CONSTRAINT cs_engagements_provider_code_fkey,
  DROP CONSTRAINT cs_engagements_sheet_id_fkey;

-- Down Migration
ALTER TABLE cs_engagements
  ADD CONSTRAINT cs_engagements_cin_fkey FOREIGN KEY (cin) REFERENCES members,
  ADD CONSTRAINT cs_engagements_provider_code_fkey FOREIGN KEY (provider_code) REFERENCES providers,
  ADD CONSTRAINT cs_engagements_sheet_id_fkey FOREIGN KEY (sheet_id) REFERENCES submission_sheets;

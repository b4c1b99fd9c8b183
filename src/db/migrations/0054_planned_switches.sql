-- Up Migration
-- A switch the assignment extract dates after the day it is loaded (a planned transition: loaded
-- November 20th, the member another provider's from December 20th) is held here until that day,
-- and the member's assignment stays the old provider's: the old provider's files about the days
-- it still holds the member are its own (its RTF updates the assignment), and the new
-- provider's are about a member not yet assigned to it. On its day (plan-local) the first run
-- that reads who holds members (an import, an ingest, a MIF or mini-MIF, the SLA alert) applies
-- it as the extract would have (src/import/ecm.ts, applyDueSwitches): the lineage keeps the old
-- provider's assignment as it then stood. One planned switch per member and line: a later
-- extract's row for them replaces it (another provider or date), or cancels it (the member
-- listed with the provider that holds them, or a switch dated on or before its own day).
-- `extract`: the row's fields as the import read them; `loaded_at`: since when the extract has
-- said it (a row repeated unchanged keeps it: no news).
CREATE TABLE ecm_assignment_pending (
  cin char(9) NOT NULL REFERENCES members,
  lob text NOT NULL CHECK (lob IN ('HN', 'CV', 'CHPIV')),
  provider_code text NOT NULL REFERENCES providers,
  assigned_date date NOT NULL,
  extract jsonb NOT NULL,
  row_number int NOT NULL,
  loaded_at timestamptz NOT NULL,
  PRIMARY KEY (cin, lob)
);
CREATE INDEX ecm_assignment_pending_due_idx ON ecm_assignment_pending (assigned_date);

-- Down Migration
DROP TABLE ecm_assignment_pending;

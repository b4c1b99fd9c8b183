-- Up Migration
-- A planned switch (ecm_assignment_pending, 0054) that the run applying it on its day did not
-- apply: checked again then, the assignment as it stood kept the member (a referral's episode
-- that started after the extract was loaded, the new provider's contract no longer in force on
-- the day, a row the database refused). Until now that was a log line with counts; the record is
-- what ops list (calaim-exchange switches --not-applied, with the members) and what the liaisons'
-- email is about (src/import/ecm.ts, applyDueSwitches: queued in the same transaction, once per
-- record). from_provider: who kept the member (null: no assignment in the line at all);
-- reason: plain words, never a member's data. `file_name` of the pending switch: the extract that
-- planned it (null for switches planned before this migration), kept with `loaded_at` (the same
-- row again is no news: the first file that said it).
ALTER TABLE ecm_assignment_pending ADD COLUMN file_name text;

CREATE TABLE ecm_switches_not_applied (
  id bigserial PRIMARY KEY,
  cin char(9) NOT NULL REFERENCES members,
  lob text NOT NULL CHECK (lob IN ('HN', 'CV', 'CHPIV')),
  from_provider text REFERENCES providers,
  to_provider text NOT NULL REFERENCES providers,
  assigned_date date NOT NULL,
  row_number int NOT NULL,
  file_name text,
  loaded_at timestamptz NOT NULL,
  reason text NOT NULL,
  checked_at timestamptz NOT NULL
);
CREATE INDEX ecm_switches_not_applied_checked_idx ON ecm_switches_not_applied (checked_at);

-- Down Migration
DROP TABLE ecm_switches_not_applied;
ALTER TABLE ecm_assignment_pending DROP COLUMN file_name;

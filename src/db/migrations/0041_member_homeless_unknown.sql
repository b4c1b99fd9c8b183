-- Up Migration
-- A member's homelessness may be unknown: a blank Homelessness Indicator in the members extract
-- says nothing (the column is optional in the extract and on the MIF), and was stored as "not
-- homeless", asserting on the next MIF what nobody said. Null: nobody has said; the MIF leaves
-- the cell blank. Members on file keep what they have.
ALTER TABLE members ALTER COLUMN homeless DROP NOT NULL;

-- Down Migration
-- The older column cannot say "unknown": it read as not homeless then.
UPDATE members SET homeless = false WHERE homeless IS NULL;
ALTER TABLE members ALTER COLUMN homeless SET NOT NULL;

-- Up Migration
-- The email about a response (spec §7: file name, outcome, counts, the deadline to fix), written
-- in the transaction that answers the submission. A poll stopped after that commit leaves the
-- answer to the next one, which has only the stored rows: the provider's name, the deadline to
-- fix and what the file merged and changed are not among them, and that email said less than
-- the first would have. Now it sends this text, as the first attempt would have. Null for a
-- submission answered before this column (its email is rebuilt from the rows, as it was).
ALTER TABLE submissions ADD COLUMN response_email text;

-- Down Migration
ALTER TABLE submissions DROP COLUMN response_email;

-- Up Migration
-- A member's last eligible day with the plan, from the members extract's optional
-- eligibility_end column; null: eligible, open-ended (every member on file until this
-- migration). A member is eligible on a day when eligibility has not ended before that day, and
-- for a reporting period when eligible on its first day (memberEligible in
-- src/repositories/members.ts, the one place the rule is written). An extract row with a blank
-- eligibility_end re-opens eligibility (re-enrollment); an extract without the column leaves the
-- end on file.
ALTER TABLE members ADD COLUMN eligibility_end date;
-- the few members whose eligibility ended: what an inbound file's provider context reads (endedMembers)
CREATE INDEX members_eligibility_end_idx ON members (eligibility_end) WHERE eligibility_end IS NOT NULL;

-- Down Migration
DROP INDEX IF EXISTS members_eligibility_end_idx;
ALTER TABLE members DROP COLUMN eligibility_end;

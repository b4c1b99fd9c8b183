-- Up Migration
-- What the members extract last said of a member's contact details, per group (address: the
-- address, city, state and zip together; phone; homeless), so that an extract repeating them is
-- no news and does not undo what a provider reported since on an accepted RTF (spec §4 item 2:
-- provider updates flow into the next MIF). A group the extract changes is news and is taken
-- (upsertMembers in src/repositories/members.ts). Null (every member on file until this
-- migration): the next extract's values are taken, as before it.
ALTER TABLE members ADD COLUMN upstream_contact jsonb;

-- Down Migration
ALTER TABLE members DROP COLUMN upstream_contact;

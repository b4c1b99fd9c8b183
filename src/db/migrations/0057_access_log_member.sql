-- Up Migration
-- The member page (/members/CIN: one member's story, src/web/server.ts) is a view of member data
-- that names no one submission: the access log says which member was viewed, or asked for and
-- refused (a liaison's member of none of their providers, an unknown CIN: both `denied`).
-- NULL: a page about a submission or a provider (as before), or a value asked for that is no CIN
-- (kept out: it may be anything a user typed). No reference to members: an unknown CIN asked
-- for is recorded too. It is kept here, in the database, never in the application log. The index
-- answers "who saw this member" (`calaim-exchange audit access --member CIN`).
ALTER TABLE access_log ADD COLUMN member_cin char(9) CHECK (member_cin ~ '^[0-9]{8}[A-Z]$');
CREATE INDEX access_log_member_idx ON access_log (member_cin, at) WHERE member_cin IS NOT NULL;

-- Down Migration
DROP INDEX access_log_member_idx;
ALTER TABLE access_log DROP COLUMN member_cin;

-- Up Migration
-- Every accepted RTF row rewrites its member's ECM assignment, and most months most of them
-- keep their status (the only indexed column that changes): with room left on each page
-- Postgres updates such rows in place (HOT), with no new entries in the table's three indexes.
-- New and rewritten pages keep 30% free; existing pages get the room as rows move.
ALTER TABLE ecm_assignments SET (fillfactor = 70);

-- Down Migration
ALTER TABLE ecm_assignments RESET (fillfactor);

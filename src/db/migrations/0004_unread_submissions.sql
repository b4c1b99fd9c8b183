-- Up Migration
-- A file refused before it could be read whole (over MAX_FILE_BYTES) is still a submission
-- with a response; it has no stored bytes, so no hash.
ALTER TABLE submissions ALTER COLUMN sha256 DROP NOT NULL;
ALTER TABLE submissions ADD CONSTRAINT submissions_unread_check CHECK (sha256 IS NOT NULL OR (rows_read = 0 AND outcome = 'REJECTED'));

-- Down Migration
ALTER TABLE submissions DROP CONSTRAINT submissions_unread_check;
ALTER TABLE submissions ALTER COLUMN sha256 SET NOT NULL;

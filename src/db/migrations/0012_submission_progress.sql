-- Up Migration
-- What is done of answering an sFTP submission, step by step, so that a poll interrupted at any
-- point (a kill, Postgres or the sFTP server lost) is finished by the next one, each step once:
-- the response published, the upload moved (to moved_to, chosen before the move so a retry
-- knows where to look), the liaison notified, then state RESPONDED.
ALTER TABLE submissions
  ADD COLUMN upload_path            text,
  ADD COLUMN response_published_at  timestamptz,
  ADD COLUMN moved_to               text,
  ADD COLUMN moved_at               timestamptz,
  -- where the upload went: processed/ or failed/; gone (no longer there to move, e.g. the
  -- provider removed it); quarantined (it cannot be moved: left in uploads/, not taken again
  -- while unchanged, ops alerted)
  ADD COLUMN upload_disposition     text CHECK (upload_disposition IN ('processed', 'failed', 'gone', 'quarantined')),
  ADD COLUMN quarantine_reason      text,
  ADD COLUMN notified_at            timestamptz;
CREATE INDEX submissions_unanswered_idx ON submissions (provider_code) WHERE state = 'APPLIED';

-- An upload that could not be moved: not taken again while its size and mtime are unchanged.
ALTER TABLE poll_files
  ADD COLUMN quarantined_at             timestamptz,
  ADD COLUMN quarantined_submission_id  bigint REFERENCES submissions ON DELETE SET NULL;

-- A notification sent for a key (e.g. one submission's response) is not sent again by a retry.
ALTER TABLE notifications ADD COLUMN dedupe_key text;
CREATE UNIQUE INDEX notifications_dedupe_uq ON notifications (dedupe_key) WHERE dedupe_key IS NOT NULL;

-- Down Migration
DROP INDEX notifications_dedupe_uq;
ALTER TABLE notifications DROP COLUMN dedupe_key;
ALTER TABLE poll_files DROP COLUMN quarantined_submission_id, DROP COLUMN quarantined_at;
DROP INDEX submissions_unanswered_idx;
ALTER TABLE submissions DROP COLUMN notified_at, DROP COLUMN quarantine_reason, DROP COLUMN upload_disposition,
  DROP COLUMN moved_at, DROP COLUMN moved_to, DROP COLUMN response_published_at, DROP COLUMN upload_path;

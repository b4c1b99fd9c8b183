-- Up Migration
-- A response the poll could not publish to the provider's downloads/ (a link or a regular file
-- in the folder's place, permissions that refuse writes): its submission is applied and stays
-- unanswered, and every poll tries the response again. How many polls in a row failed to publish
-- it, the first and last of them, the last error (masked: errorText; names of ours, no cell
-- values), and when ops were told (once per submission, after RESPONSE_UNDELIVERED_ALERT_AFTER
-- polls). The count and the error are cleared when the response is published; when ops were
-- told stays.
ALTER TABLE submissions
  ADD COLUMN response_failures         integer NOT NULL DEFAULT 0,
  ADD COLUMN response_first_failed_at  timestamptz,
  ADD COLUMN response_last_failed_at   timestamptz,
  ADD COLUMN response_last_error       text,
  ADD COLUMN response_alerted_at       timestamptz;

-- Down Migration
ALTER TABLE submissions DROP COLUMN response_alerted_at, DROP COLUMN response_last_error, DROP COLUMN response_last_failed_at,
  DROP COLUMN response_first_failed_at, DROP COLUMN response_failures;

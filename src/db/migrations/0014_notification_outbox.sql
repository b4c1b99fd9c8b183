-- Up Migration
-- Notifications are an outbox: every email is recorded (recipients, subject, body,
-- attachments) before it is sent, then sent; a failed send stays PENDING and the notify job
-- retries it with exponential backoff until it is SENT, or GAVE_UP after NOTIFY_GIVE_UP_HOURS
-- (ops alerted). FAILED: refused for good by the mail server (a 5xx answer to the recipients or
-- the message); ops alerted, not retried. A row is sent by whoever claims it (claimed_until, a
-- lease taken with FOR UPDATE SKIP LOCKED), so two schedulers never send the same row.
ALTER TABLE notifications
  ADD COLUMN status          text NOT NULL DEFAULT 'SENT' CHECK (status IN ('PENDING', 'SENT', 'FAILED', 'GAVE_UP')),
  ADD COLUMN body            text,
  ADD COLUMN attempts        integer NOT NULL DEFAULT 1 CHECK (attempts >= 0),
  ADD COLUMN next_attempt_at timestamptz,
  ADD COLUMN last_attempt_at timestamptz,
  ADD COLUMN claimed_until   timestamptz,
  ADD COLUMN last_error      text,
  ADD COLUMN sent_at         timestamptz,
  ADD COLUMN ended_at        timestamptz;
-- rows from before the outbox were sent when they were recorded
UPDATE notifications SET sent_at = created_at, last_attempt_at = created_at;
ALTER TABLE notifications ALTER COLUMN status DROP DEFAULT, ALTER COLUMN attempts SET DEFAULT 0;
-- the transport is known once it is sent
ALTER TABLE notifications ALTER COLUMN transport DROP NOT NULL;
ALTER TABLE notifications ADD CONSTRAINT notifications_sent_transport CHECK (status <> 'SENT' OR transport IS NOT NULL);
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX notifications_created_idx ON notifications (created_at DESC, id DESC);

CREATE TABLE notification_attachments (
  notification_id  bigint NOT NULL REFERENCES notifications ON DELETE CASCADE,
  position         integer NOT NULL,
  filename         text NOT NULL,
  content          bytea NOT NULL,
  PRIMARY KEY (notification_id, position)
);

-- Down Migration
DROP TABLE notification_attachments;
DROP INDEX notifications_created_idx;
DROP INDEX notifications_due_idx;
-- what was never sent has no place in the table as it was
DELETE FROM notifications WHERE status <> 'SENT';
ALTER TABLE notifications DROP CONSTRAINT notifications_sent_transport;
ALTER TABLE notifications ALTER COLUMN transport SET NOT NULL;
ALTER TABLE notifications DROP COLUMN ended_at, DROP COLUMN sent_at, DROP COLUMN last_error, DROP COLUMN claimed_until,
  DROP COLUMN last_attempt_at, DROP COLUMN next_attempt_at, DROP COLUMN attempts, DROP COLUMN body, DROP COLUMN status;

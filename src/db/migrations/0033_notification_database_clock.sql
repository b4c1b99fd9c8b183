-- Up Migration
-- The outbox's claims and retry schedule (claimed_until, next_attempt_at, and now the give-up
-- time) are agreements between the processes that send, on the database's clock (now()), like
-- poll_claims: a sender's `now` may be a pinned --now or a host clock that is off, and two
-- senders whose clocks differ by the claim time could both send one email. created_at stays the
-- business time of the message (the caller's now); queued_at is when it was recorded on the
-- database's clock, from which NOTIFY_GIVE_UP_HOURS counts.
ALTER TABLE notifications ADD COLUMN queued_at timestamptz NOT NULL DEFAULT now();
-- rows from before: their business time is the best there is (not later than now)
UPDATE notifications SET queued_at = least(created_at, now());
-- a schedule set from a later pinned --now would wait for the real clock to catch up: no retry
-- waits longer than the longest backoff (BACKOFF_MAX_MS, an hour), no claim outlives CLAIM_MS
-- (10 minutes) from now
UPDATE notifications SET next_attempt_at = least(next_attempt_at, now() + interval '1 hour'),
                         claimed_until = least(claimed_until, now() + interval '10 minutes')
 WHERE status = 'PENDING';

-- Down Migration
-- (the schedule as repaired is a valid schedule for the older code too)
ALTER TABLE notifications DROP COLUMN queued_at;

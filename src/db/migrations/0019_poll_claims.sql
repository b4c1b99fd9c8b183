-- Up Migration
-- The poll's unit of work is one provider's folder, claimed in a row of its own instead of one
-- lease for the whole poll: any number of pollers (schedulers, an operator's `poll`) share the
-- providers, and a provider's folder is still handled by one poller at a time (two would take
-- the same stable file and answer the second copy "duplicate"). A poller claims the next free
-- row with FOR UPDATE SKIP LOCKED in one short statement that sets its holder and expiry, so
-- the claim outlives that transaction and its connection (a dropped connection does not free
-- it, as it would a session lock: see 0011); it is renewed while held and released when done.
-- A poller that died stops renewing: its claim expires and another takes the folder over.
-- Expiry is measured on the database's clock (now()), which every poller sees alike.
-- polled_at: when a poller last finished the folder, so a poller that started before it skips
-- a folder already polled during its own pass (its share was done by another).
CREATE TABLE poll_claims (
  provider_code text PRIMARY KEY REFERENCES providers ON DELETE CASCADE,
  holder        text,
  taken_at      timestamptz,
  expires_at    timestamptz NOT NULL DEFAULT '-infinity',
  polled_at     timestamptz
);
-- The one lease of the whole poll (0011) is replaced by the claims.
DROP TABLE poll_lease;

-- Down Migration
DROP TABLE poll_claims;
-- 0011's lease, as it was
CREATE TABLE poll_lease (name text PRIMARY KEY, holder text, taken_at timestamptz, expires_at timestamptz NOT NULL DEFAULT '-infinity');
INSERT INTO poll_lease (name) VALUES ('poll');

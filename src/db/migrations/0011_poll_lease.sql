-- Up Migration
-- One poll at a time across every process, as a lease in a row instead of a session advisory
-- lock: a session lock is lost when its connection drops (a network blip, a Postgres restart,
-- pg_terminate_backend) while the poll that took it carries on, and a second poller then takes
-- it too. A lease lives in the table: it holds until its holder releases it or stops renewing
-- it and it expires. Expiry is measured on the database's clock (now()): it is a lease between
-- processes, which all see that one clock, not business time (`poll --now` pins business time
-- to a past slot; the hosts' own clocks may disagree).
CREATE TABLE poll_lease (
  name        text PRIMARY KEY,
  holder      text,
  taken_at    timestamptz,
  expires_at  timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO poll_lease (name) VALUES ('poll');

-- Down Migration
DROP TABLE poll_lease;

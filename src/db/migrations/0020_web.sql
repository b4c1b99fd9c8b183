-- Up Migration
-- The web pages (issue 20): local accounts with a role, their sessions, and the access log
-- (HIPAA access accounting: who saw which provider's and submission's member data, when).

CREATE TABLE web_users (
  id             bigserial PRIMARY KEY,
  -- stored lower-cased: the liaison's providers are matched on providers.liaison_email, case-insensitively
  email          text NOT NULL UNIQUE CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+$'),
  role           text NOT NULL CHECK (role IN ('liaison', 'ops', 'auditor')),
  password_hash  text NOT NULL,
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);

-- Only a hash of the session id is kept: a copy of this table does not log anyone in.
CREATE TABLE web_sessions (
  id_hash        char(64) PRIMARY KEY CHECK (id_hash ~ '^[0-9a-f]{64}$'),
  user_id        bigint NOT NULL REFERENCES web_users ON DELETE CASCADE,
  created_at     timestamptz NOT NULL,
  last_seen_at   timestamptz NOT NULL,
  expires_at     timestamptz NOT NULL
);
CREATE INDEX web_sessions_user_idx ON web_sessions (user_id);

-- Append-only: a view of member data (or a refused attempt at one) is recorded once and never
-- changed or removed, not even by the service's own database role through SQL.
CREATE TABLE access_log (
  id             bigserial PRIMARY KEY,
  user_id        bigint NOT NULL REFERENCES web_users,
  email          text NOT NULL,
  at             timestamptz NOT NULL,
  provider_code  text,
  submission_id  bigint,
  page           text NOT NULL,
  -- true: the user asked for a page they may not see (answered 404, nothing shown)
  denied         boolean NOT NULL DEFAULT false
);
CREATE INDEX access_log_at_idx ON access_log (at);

CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'access_log is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
  FOR EACH ROW EXECUTE FUNCTION access_log_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
  FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();

-- Down Migration
DROP TABLE access_log;
DROP FUNCTION access_log_append_only();
DROP TABLE web_sessions;
DROP TABLE web_users;

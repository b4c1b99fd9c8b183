-- Up Migration
-- An upload the poll could not process (an error of ours, not the provider's file being
-- refused): how many polls in a row failed on it, so that one that keeps failing is answered
-- (REJECTED, FILE_NOT_PROCESSED) and ops are told, instead of the provider never hearing back
-- (INGEST_GIVE_UP_AFTER). Keyed by the upload as listed: a new upload under the same name
-- (another size or mtime) starts again. Holds no PHI: the error text is masked (errorText).
CREATE TABLE upload_failures (
  provider_code  text NOT NULL REFERENCES providers,
  upload_path    text NOT NULL,
  size           bigint NOT NULL,
  mtime          timestamptz,
  failures       integer NOT NULL,
  first_failed_at timestamptz NOT NULL,
  last_failed_at timestamptz NOT NULL,
  last_error     text NOT NULL,
  PRIMARY KEY (provider_code, upload_path)
);

-- Down Migration
DROP TABLE upload_failures;

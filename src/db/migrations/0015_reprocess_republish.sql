-- Up Migration
-- Ops actions started by hand carry the reason they were started, on the attempt itself
-- (reprocess, republish); like who and when, it never changes once written.
ALTER TABLE runs ADD COLUMN reason text;
CREATE OR REPLACE FUNCTION runs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'runs are append-only: attempt % cannot be deleted', OLD.id;
  END IF;
  IF OLD.status <> 'RUNNING' THEN
    RAISE EXCEPTION 'runs are append-only: attempt % ended % and cannot change', OLD.id, OLD.status;
  END IF;
  IF NEW.job <> OLD.job OR NEW.slot <> OLD.slot OR NEW.trigger <> OLD.trigger OR NEW.owner <> OLD.owner
     OR NEW.attempt <> OLD.attempt OR NEW.started_at <> OLD.started_at OR NEW.reason IS DISTINCT FROM OLD.reason THEN
    RAISE EXCEPTION 'runs are append-only: attempt % keeps who, what, why and when it started', OLD.id;
  END IF;
  RETURN NEW;
END
$$;

-- A reprocessed submission is a new submission of the stored bytes, linked to the one it
-- answers again (one new attempt per submission: a chain, never a fan). It is not a copy of
-- the provider's file (it has no upload of its own), so it does not hold the provider's one
-- "first copy" of those bytes and is never taken for a duplicate's original.
ALTER TABLE submissions ADD COLUMN reprocess_of bigint REFERENCES submissions;
ALTER TABLE submissions ADD COLUMN reprocess_reason text;
ALTER TABLE submissions ADD COLUMN reprocess_run_id bigint REFERENCES runs;
ALTER TABLE submissions ADD CONSTRAINT submissions_reprocess_reason_ck CHECK (reprocess_of IS NULL OR reprocess_reason IS NOT NULL);
ALTER TABLE submissions DROP CONSTRAINT submissions_source_check;
ALTER TABLE submissions ADD CONSTRAINT submissions_source_check CHECK (source IN ('sftp', 'cli', 'reprocess'));
CREATE UNIQUE INDEX submissions_reprocess_uq ON submissions (reprocess_of) WHERE reprocess_of IS NOT NULL;
DROP INDEX submissions_once_uq;
CREATE UNIQUE INDEX submissions_once_uq ON submissions (provider_code, sha256)
  WHERE duplicate_of IS NULL AND reprocess_of IS NULL AND verdict IS DISTINCT FROM 'DECLINED_LATE';

-- A republished outbound file is a new version of a slot's unit under a new name; the version
-- it replaces stays recorded (and on the server) with the time it was replaced.
ALTER TABLE outbound_files ADD COLUMN replaces_id bigint REFERENCES outbound_files;
ALTER TABLE outbound_files ADD COLUMN replaced_at timestamptz;
ALTER TABLE outbound_files ADD COLUMN reason text;
CREATE UNIQUE INDEX outbound_files_replaces_uq ON outbound_files (replaces_id) WHERE replaces_id IS NOT NULL;
DROP INDEX outbound_files_unit_uq;
CREATE UNIQUE INDEX outbound_files_unit_uq ON outbound_files (kind, slot, provider_code, coalesce(lob, ''))
  WHERE status IN ('PENDING', 'PUBLISHED', 'EMPTY') AND replaced_at IS NULL;

-- Down Migration
DROP INDEX outbound_files_unit_uq;
DELETE FROM outbound_file_rows WHERE outbound_file_id IN (SELECT id FROM outbound_files WHERE replaces_id IS NOT NULL);
UPDATE outbound_files SET replaced_at = NULL WHERE id IN (SELECT replaces_id FROM outbound_files WHERE replaces_id IS NOT NULL);
DELETE FROM outbound_files WHERE replaces_id IS NOT NULL;
CREATE UNIQUE INDEX outbound_files_unit_uq ON outbound_files (kind, slot, provider_code, coalesce(lob, ''))
  WHERE status IN ('PENDING', 'PUBLISHED', 'EMPTY');
DROP INDEX outbound_files_replaces_uq;
ALTER TABLE outbound_files DROP COLUMN reason;
ALTER TABLE outbound_files DROP COLUMN replaced_at;
ALTER TABLE outbound_files DROP COLUMN replaces_id;
-- (a reprocessed submission becomes what the older schema can say: a later copy of the first)
UPDATE submissions s SET duplicate_of = (SELECT min(o.id) FROM submissions o WHERE o.provider_code = s.provider_code AND o.sha256 = s.sha256)
 WHERE reprocess_of IS NOT NULL;
DROP INDEX submissions_once_uq;
CREATE UNIQUE INDEX submissions_once_uq ON submissions (provider_code, sha256)
  WHERE duplicate_of IS NULL AND verdict IS DISTINCT FROM 'DECLINED_LATE';
DROP INDEX submissions_reprocess_uq;
ALTER TABLE submissions DROP CONSTRAINT submissions_source_check;
UPDATE submissions SET source = 'cli' WHERE source = 'reprocess';
ALTER TABLE submissions ADD CONSTRAINT submissions_source_check CHECK (source IN ('sftp', 'cli'));
ALTER TABLE submissions DROP CONSTRAINT submissions_reprocess_reason_ck;
ALTER TABLE submissions DROP COLUMN reprocess_run_id;
ALTER TABLE submissions DROP COLUMN reprocess_reason;
ALTER TABLE submissions DROP COLUMN reprocess_of;
CREATE OR REPLACE FUNCTION runs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'runs are append-only: attempt % cannot be deleted', OLD.id;
  END IF;
  IF OLD.status <> 'RUNNING' THEN
    RAISE EXCEPTION 'runs are append-only: attempt % ended % and cannot change', OLD.id, OLD.status;
  END IF;
  IF NEW.job <> OLD.job OR NEW.slot <> OLD.slot OR NEW.trigger <> OLD.trigger OR NEW.owner <> OLD.owner
     OR NEW.attempt <> OLD.attempt OR NEW.started_at <> OLD.started_at THEN
    RAISE EXCEPTION 'runs are append-only: attempt % keeps who, what and when it started', OLD.id;
  END IF;
  RETURN NEW;
END
$$;
ALTER TABLE runs DROP COLUMN reason;

-- Up Migration
-- The run history is append-only: one row per attempt at a (job, slot) (what started it, its
-- outcome, its counts), never rewritten by a later attempt. At most one attempt of a slot is
-- RUNNING (the live claimant); the slot's status is derived from its attempts (run_slots).
ALTER TABLE runs DROP CONSTRAINT runs_job_slot_key;
CREATE UNIQUE INDEX runs_live_uq ON runs (job, slot) WHERE status = 'RUNNING';
CREATE INDEX runs_job_slot_idx ON runs (job, slot, id);

-- An attempt changes only while it is RUNNING (heartbeat, then its outcome, once); who, what
-- and when it started never change, and no attempt is deleted.
CREATE FUNCTION runs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER runs_append_only BEFORE UPDATE OR DELETE ON runs FOR EACH ROW EXECUTE FUNCTION runs_append_only();

-- A slot's status from its attempts: RUNNING while one is; otherwise the outcome of the latest
-- attempt that reached one (SUCCEEDED or FAILED: an abandoned re-run does not undo a success);
-- ABANDONED when every attempt was abandoned.
CREATE VIEW run_slots AS
SELECT a.job, a.slot,
       CASE WHEN l.id IS NOT NULL THEN 'RUNNING' ELSE coalesce(d.status, 'ABANDONED') END AS status,
       a.attempts, a.last_attempt_id,
       l.id AS running_attempt_id, l.owner AS running_owner, l.heartbeat_at AS running_heartbeat_at,
       d.id AS decided_attempt_id
  FROM (SELECT job, slot, count(*)::int AS attempts, max(id) AS last_attempt_id FROM runs GROUP BY job, slot) a
  LEFT JOIN runs l ON l.job = a.job AND l.slot = a.slot AND l.status = 'RUNNING'
  LEFT JOIN LATERAL (
    SELECT x.id, x.status FROM runs x
     WHERE x.job = a.job AND x.slot = a.slot AND x.status IN ('SUCCEEDED', 'FAILED')
     ORDER BY x.id DESC LIMIT 1
  ) d ON true;

-- Which attempt published (or recorded as empty) each outbound file.
ALTER TABLE outbound_files ADD COLUMN run_id bigint REFERENCES runs;
CREATE INDEX outbound_files_run_idx ON outbound_files (run_id) WHERE run_id IS NOT NULL;

-- Down Migration
DROP INDEX outbound_files_run_idx;
ALTER TABLE outbound_files DROP COLUMN run_id;
DROP VIEW run_slots;
DROP TRIGGER runs_append_only ON runs;
DROP FUNCTION runs_append_only();
-- One row per (job, slot) again: the latest attempt stands for the slot.
DELETE FROM runs r WHERE EXISTS (SELECT 1 FROM runs n WHERE n.job = r.job AND n.slot = r.slot AND n.id > r.id);
DROP INDEX runs_job_slot_idx;
DROP INDEX runs_live_uq;
ALTER TABLE runs ADD CONSTRAINT runs_job_slot_key UNIQUE (job, slot);

-- Up Migration
-- DEFERRED: an attempt that found its slot could not run yet (the mini-MIF SLA alert while the
-- day's mini-MIF is still being sent) and ended without doing anything. It is no failure
-- (alert rules on FAILED attempts must not see it): the slot stays owed, and catch-up runs it
-- again, as after an ABANDONED attempt.
ALTER TABLE runs DROP CONSTRAINT runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'ABANDONED', 'DEFERRED'));

-- A slot with no decided attempt is DEFERRED when its latest ended attempt was, else ABANDONED.
CREATE OR REPLACE VIEW run_slots AS
SELECT a.job, a.slot,
       CASE WHEN l.id IS NOT NULL THEN 'RUNNING'
            ELSE coalesce(d.status, CASE WHEN e.status = 'DEFERRED' THEN 'DEFERRED' ELSE 'ABANDONED' END) END AS status,
       a.attempts, a.last_attempt_id,
       l.id AS running_attempt_id, l.owner AS running_owner, l.heartbeat_at AS running_heartbeat_at,
       d.id AS decided_attempt_id
  FROM (SELECT job, slot, count(*)::int AS attempts, max(id) AS last_attempt_id FROM runs GROUP BY job, slot) a
  LEFT JOIN runs l ON l.job = a.job AND l.slot = a.slot AND l.status = 'RUNNING'
  LEFT JOIN LATERAL (
    SELECT x.id, x.status FROM runs x
     WHERE x.job = a.job AND x.slot = a.slot AND x.status IN ('SUCCEEDED', 'FAILED') AND x.provider IS NULL
     ORDER BY x.id DESC LIMIT 1
  ) d ON true
  LEFT JOIN LATERAL (
    SELECT x.status FROM runs x
     WHERE x.job = a.job AND x.slot = a.slot AND x.status <> 'RUNNING'
     ORDER BY x.id DESC LIMIT 1
  ) e ON true;

-- Retention ([POLICY] RUN_RETENTION_DAYS, BLOB_RETENTION_DAYS; src/repositories/run-ledger.ts
-- purgeRuns): an ended attempt may be deleted, only by the retention purge, which turns
-- calaim.purge_runs on for its own transaction. Any other delete, and any delete of a RUNNING
-- attempt, is refused as before; an ended attempt still never changes.
CREATE OR REPLACE FUNCTION runs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'RUNNING' AND current_setting('calaim.purge_runs', true) = 'on' THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'runs are append-only: attempt % cannot be deleted', OLD.id;
  END IF;
  IF OLD.status <> 'RUNNING' THEN
    RAISE EXCEPTION 'runs are append-only: attempt % ended % and cannot change', OLD.id, OLD.status;
  END IF;
  IF NEW.job <> OLD.job OR NEW.slot <> OLD.slot OR NEW.trigger <> OLD.trigger OR NEW.owner <> OLD.owner
     OR NEW.attempt <> OLD.attempt OR NEW.started_at <> OLD.started_at OR NEW.reason IS DISTINCT FROM OLD.reason
     OR NEW.provider IS DISTINCT FROM OLD.provider THEN
    RAISE EXCEPTION 'runs are append-only: attempt % keeps who, what, why and when it started', OLD.id;
  END IF;
  RETURN NEW;
END
$$;

-- [POLICY] NOTIFICATION_BODY_RETENTION_DAYS: a notification that ended keeps its recipients,
-- subject and times; its body and attachments (an SLA alert names members) are cleared, when.
ALTER TABLE notifications ADD COLUMN body_purged_at timestamptz;

-- Down Migration
ALTER TABLE notifications DROP COLUMN body_purged_at;
CREATE OR REPLACE FUNCTION runs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'runs are append-only: attempt % cannot be deleted', OLD.id;
  END IF;
  IF OLD.status <> 'RUNNING' THEN
    RAISE EXCEPTION 'runs are append-only: attempt % ended % and cannot change', OLD.id, OLD.status;
  END IF;
  IF NEW.job <> OLD.job OR NEW.slot <> OLD.slot OR NEW.trigger <> OLD.trigger OR NEW.owner <> OLD.owner
     OR NEW.attempt <> OLD.attempt OR NEW.started_at <> OLD.started_at OR NEW.reason IS DISTINCT FROM OLD.reason
     OR NEW.provider IS DISTINCT FROM OLD.provider THEN
    RAISE EXCEPTION 'runs are append-only: attempt % keeps who, what, why and when it started', OLD.id;
  END IF;
  RETURN NEW;
END
$$;
-- (the older schema knows no DEFERRED: such an attempt gave its claim back, as an ABANDONED one)
CREATE OR REPLACE VIEW run_slots AS
SELECT a.job, a.slot,
       CASE WHEN l.id IS NOT NULL THEN 'RUNNING' ELSE coalesce(d.status, 'ABANDONED') END AS status,
       a.attempts, a.last_attempt_id,
       l.id AS running_attempt_id, l.owner AS running_owner, l.heartbeat_at AS running_heartbeat_at,
       d.id AS decided_attempt_id
  FROM (SELECT job, slot, count(*)::int AS attempts, max(id) AS last_attempt_id FROM runs GROUP BY job, slot) a
  LEFT JOIN runs l ON l.job = a.job AND l.slot = a.slot AND l.status = 'RUNNING'
  LEFT JOIN LATERAL (
    SELECT x.id, x.status FROM runs x
     WHERE x.job = a.job AND x.slot = a.slot AND x.status IN ('SUCCEEDED', 'FAILED') AND x.provider IS NULL
     ORDER BY x.id DESC LIMIT 1
  ) d ON true;
ALTER TABLE runs DISABLE TRIGGER runs_append_only;
UPDATE runs SET status = 'ABANDONED' WHERE status = 'DEFERRED';
ALTER TABLE runs ENABLE TRIGGER runs_append_only;
ALTER TABLE runs DROP CONSTRAINT runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'ABANDONED'));

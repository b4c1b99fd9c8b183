-- Up Migration
-- An attempt may be one provider's (`generate <kind> --provider P`): it holds the slot's claim
-- while it runs (never beside the slot's run, which builds the same units), but it decides
-- nothing for the slot: the slot's other providers are still owed, so a cron fire or catch-up
-- still runs the slot (skipping that provider's unit, done). Like who and why, it never changes.
ALTER TABLE runs ADD COLUMN provider text;
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

-- The slot's decided outcome is its latest whole-slot attempt's: one provider's attempt (SUCCEEDED
-- or FAILED) neither makes the slot done nor undoes a success.
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

-- Down Migration
-- (one provider's attempts count for their slots again, as every attempt did before)
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
     WHERE x.job = a.job AND x.slot = a.slot AND x.status IN ('SUCCEEDED', 'FAILED')
     ORDER BY x.id DESC LIMIT 1
  ) d ON true;
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
ALTER TABLE runs DROP COLUMN provider;

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

-- Down Migration
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

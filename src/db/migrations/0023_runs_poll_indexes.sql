-- Up Migration
-- The poll fires every 15 s by default (5,760 attempts a day, the run ledger keeps them all):
-- /healthz and /metrics ask for a job's last success on every request, and the runs page and
-- `runs` list the newest attempts first; without these each of them read the whole table.
CREATE INDEX runs_last_success_idx ON runs (job, finished_at) WHERE status = 'SUCCEEDED';
CREATE INDEX runs_started_idx ON runs (started_at DESC, id DESC);

-- Down Migration
DROP INDEX runs_started_idx;
DROP INDEX runs_last_success_idx;

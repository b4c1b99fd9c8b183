-- Up Migration
-- Every accepted RTF row rewrites its member's ECM assignment, all of a provider's members in
-- one transaction, every month. Postgres can write the new version in place (a HOT update: no
-- new entry in any of the table's indexes) only when no indexed column changes and the page
-- has room for it; and the old versions of a page cannot be pruned while that transaction
-- runs, so a page whose every row is updated at once needs as much room free as its rows take.
-- 0009's 30% free was not enough: measured on the bench's 100k-row RTF (a copy of case B's
-- database, CLI ingests, this month's file then next month's with a vacuum between), 26% of the
-- first month's updates and 60% of the next month's were in place; with 70% of each page left
-- free and the status out of the provider index, 100% of both, and the ingest took 0.3 s less
-- the first month (3.92-4.09 s against 4.26-4.38 s) and 0.15 s the next (3.98-4.14 against
-- 4.16-4.28 s). The table is 2.3 times the size (37 MB per 100k assignments against 16 MB).
-- The provider index loses the status because a changed indexed column makes the update move,
-- and statuses change every month (in 8% of the bench file's rows); the queries that filter one
-- provider's assignments by status read at most that provider's few thousand rows anyway.
-- CLUSTER (with a table name it may run in the migration's transaction) rewrites the existing
-- pages with the new room.
ALTER TABLE ecm_assignments SET (fillfactor = 30);
DROP INDEX ecm_assignments_provider_idx;
CREATE INDEX ecm_assignments_provider_idx ON ecm_assignments (provider_code);
CLUSTER ecm_assignments USING ecm_assignments_pkey;
ALTER TABLE ecm_assignments SET WITHOUT CLUSTER;

-- Down Migration
DROP INDEX ecm_assignments_provider_idx;
CREATE INDEX ecm_assignments_provider_idx ON ecm_assignments (provider_code, status);
ALTER TABLE ecm_assignments SET (fillfactor = 70);

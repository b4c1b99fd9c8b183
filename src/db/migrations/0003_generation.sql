-- Up Migration
-- An outbound file is recorded (with its bytes) before it is published, so a crash between
-- the two republishes the same bytes instead of building a different file.
ALTER TABLE outbound_files DROP CONSTRAINT outbound_files_status_check;
ALTER TABLE outbound_files ADD CONSTRAINT outbound_files_status_check
  CHECK (status IN ('PENDING', 'PUBLISHED', 'EMPTY', 'DRY_RUN', 'FAILED'));
DROP INDEX outbound_files_unit_uq;
CREATE UNIQUE INDEX outbound_files_unit_uq ON outbound_files (kind, slot, provider_code, coalesce(lob, ''))
  WHERE status IN ('PENDING', 'PUBLISHED', 'EMPTY');

-- A second provider for a member x CS service is a plan-side data error: the import refuses
-- it and records it here, the CSASF run reports it until someone resolves it.
CREATE TABLE cs_assignment_conflicts (
  id                bigserial PRIMARY KEY,
  cin               char(9) NOT NULL REFERENCES members,
  service_code      text NOT NULL,
  owner_provider    text NOT NULL REFERENCES providers,
  refused_provider  text NOT NULL,
  source            text NOT NULL,
  detected_at       timestamptz NOT NULL DEFAULT now(),
  resolved_at       timestamptz,
  UNIQUE (cin, service_code, refused_provider)
);

-- Down Migration
DROP TABLE cs_assignment_conflicts;
DROP INDEX outbound_files_unit_uq;
CREATE UNIQUE INDEX outbound_files_unit_uq ON outbound_files (kind, slot, provider_code, coalesce(lob, ''))
  WHERE status IN ('PUBLISHED', 'EMPTY');
ALTER TABLE outbound_files DROP CONSTRAINT outbound_files_status_check;
ALTER TABLE outbound_files ADD CONSTRAINT outbound_files_status_check
  CHECK (status IN ('PUBLISHED', 'EMPTY', 'DRY_RUN', 'FAILED'));

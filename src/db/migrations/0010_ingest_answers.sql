-- Up Migration
-- Duplicate detection considers only files that were read. A file declined as late was never
-- read: the same bytes sent again in a later window are read then (spec §6 "a byte-identical
-- file already processed": a declined file was not processed). So a declined submission no
-- longer holds the provider's one "first copy" of those bytes.
DROP INDEX submissions_once_uq;
CREATE UNIQUE INDEX submissions_once_uq ON submissions (provider_code, sha256)
  WHERE duplicate_of IS NULL AND verdict IS DISTINCT FROM 'DECLINED_LATE';

-- Down Migration
DROP INDEX submissions_once_uq;
CREATE UNIQUE INDEX submissions_once_uq ON submissions (provider_code, sha256) WHERE duplicate_of IS NULL;

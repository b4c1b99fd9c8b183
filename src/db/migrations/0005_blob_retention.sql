-- Up Migration
-- Retention: after BLOB_RETENTION_DAYS the bytes of an exchanged file are purged; its hash,
-- size and every record that points to it stay (the audit trail outlives the content).
ALTER TABLE file_blobs ADD COLUMN purged_at timestamptz;
ALTER TABLE file_blobs DROP CONSTRAINT file_blobs_check;
ALTER TABLE file_blobs ADD CONSTRAINT file_blobs_bytes_check
  CHECK ((purged_at IS NULL AND octet_length(bytes) = size) OR (purged_at IS NOT NULL AND octet_length(bytes) = 0));

-- Down Migration
ALTER TABLE file_blobs DROP CONSTRAINT file_blobs_bytes_check;
DELETE FROM file_blobs WHERE purged_at IS NOT NULL;
ALTER TABLE file_blobs ADD CONSTRAINT file_blobs_check CHECK (octet_length(bytes) = size);
ALTER TABLE file_blobs DROP COLUMN purged_at;

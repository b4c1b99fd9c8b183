-- Up Migration
-- Exchanged files are .xlsx (zip-compressed already): Postgres's TOAST compression (pglz)
-- spent ~0.2 s per 13 MB file trying and failing to shrink them. Store the bytes out of line
-- without compression (existing rows keep their storage).
ALTER TABLE file_blobs ALTER COLUMN bytes SET STORAGE EXTERNAL;

-- Down Migration
ALTER TABLE file_blobs ALTER COLUMN bytes SET STORAGE EXTENDED;

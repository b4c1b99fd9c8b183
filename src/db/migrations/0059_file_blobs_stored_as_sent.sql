-- Up Migration
-- Every blob is a workbook (an upload, a response, an outbound file): an .xlsx is a zip, its
-- parts deflated already, and Postgres's own compression of a large value (pglz, tried on any
-- value over 2 kB before it is moved out of line) finds nothing to take out of it. It still
-- tries, over the whole value: for the bench's 100k-row RTF (13 MB) 0.28 s of the 0.43 s its
-- blob took to write in the submission's transaction, against 0.15 s stored as sent
-- (measured on a copy of bench B's database, three writes each way). EXTERNAL keeps a large
-- value out of line, uncompressed; rows written before this keep what they have.
ALTER TABLE file_blobs ALTER COLUMN bytes SET STORAGE EXTERNAL;

-- Down Migration
ALTER TABLE file_blobs ALTER COLUMN bytes SET STORAGE EXTENDED;

-- Up Migration
-- Every blob is a workbook (an upload, a response, an outbound file): an .xlsx is a zip, its
-- parts deflated already, and Postgres's own compression of a large value (pglz, tried on any
-- value over 2 kB before it is moved out of line) finds nothing to take out of it. It still
-- tries, over the whole value: the bench's 100k-row RTF (13 MB) written with putBlob's
-- statement on a copy of bench B's database took 0.44-0.51 s, against 0.23-0.29 s stored as
-- sent (three writes each way, alternated). EXTERNAL keeps a large value out of line,
-- uncompressed; rows written before this keep what they have.
ALTER TABLE file_blobs ALTER COLUMN bytes SET STORAGE EXTERNAL;

-- Down Migration
ALTER TABLE file_blobs ALTER COLUMN bytes SET STORAGE EXTENDED;

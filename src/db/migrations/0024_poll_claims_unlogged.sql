-- Up Migration
-- The poll fires every 15 s and claims and releases every provider folder on each pass: two
-- commits per folder, each waiting for its WAL to reach the disk (500 idle folders: a poll of
-- 3.7 s, most of it those flushes; bench E). The claims are agreements between running
-- pollers, nothing more: after a database crash they only have to be empty (an unlogged table
-- is emptied then), and startPass makes every provider's row again. A commit that touches only
-- an unlogged table writes no WAL to wait for. (poll_folders and poll_files stay logged: the
-- receipt-time clamp reads them.)
ALTER TABLE poll_claims SET UNLOGGED;

-- Down Migration
ALTER TABLE poll_claims SET LOGGED;

-- Up Migration
-- settling_until: a poller saw an upload still arriving in this folder (not yet held still for
-- SFTP_STABLE_SECONDS), and this is when, on the poll's clock, every such file will have held
-- still for the window. After waiting it out (POLL_RECHECK), any poller may claim the folder and
-- list it again, not only the one that saw it: two schedulers starting together race through
-- the first listings, and the one that listed most folders was left with most of the month-start
-- burst to answer while the other sat idle (bench G, 60 providers: 116 files against 4). Cleared
-- by the claim that lists the folder again, and by any release that saw nothing arriving.
ALTER TABLE poll_claims ADD COLUMN settling_until timestamptz;

-- Down Migration
ALTER TABLE poll_claims DROP COLUMN settling_until;

-- Up Migration
-- Whether a MIF or mini-MIF carried a referral's new episode is whether the read of its members
-- saw the episode, not whether the file was recorded after the episode's timestamp: a MIF that
-- read its members while the referral import was still open (and was recorded after the
-- import's timestamp) carried the ended episode, not the new one. The file keeps the snapshot
-- its members were read in; the referral, the transaction that started its episode.
-- Rows recorded before this migration have neither: the timestamp rule stays for them.
ALTER TABLE outbound_files ADD COLUMN members_snapshot pg_snapshot;
ALTER TABLE ecm_referrals ADD COLUMN episode_xid xid8;

-- Down Migration
ALTER TABLE ecm_referrals DROP COLUMN episode_xid;
ALTER TABLE outbound_files DROP COLUMN members_snapshot;

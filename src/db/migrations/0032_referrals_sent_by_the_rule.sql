-- Up Migration
-- Referrals marked as sent by the rule before 0026 and 0031 (any MIF or mini-MIF of the
-- provider carrying the member) may name a file that did not send them: one of another line of
-- business, or one built before the referral's episode started. Each referral so marked is
-- marked again by the rule now in force (ecm-assignments.ts, CARRIED, as of this migration):
-- the earliest file that did carry it, or none, so it goes out on the next mini-MIF while the
-- member is still with the provider, and the day-10 alert (once per referral) tells the liaison.
UPDATE ecm_referrals f SET mini_mif_file_id = (
    SELECT o.id FROM outbound_files o JOIN outbound_file_rows r ON r.outbound_file_id = o.id
     WHERE o.provider_code = f.provider_code AND o.lob = f.lob AND o.kind IN ('MIF', 'MINIMIF') AND o.status = 'PUBLISHED'
       AND r.cin = f.cin AND o.slot >= f.approved_date
       AND (f.episode_started_at IS NULL
            OR CASE WHEN f.episode_xid IS NOT NULL AND o.members_snapshot IS NOT NULL THEN pg_visible_in_snapshot(f.episode_xid, o.members_snapshot)
                    ELSE o.created_at >= f.episode_started_at END)
     ORDER BY o.slot, o.id LIMIT 1)
 WHERE f.mini_mif_file_id IS NOT NULL
   AND NOT EXISTS (
    SELECT 1 FROM outbound_files o JOIN outbound_file_rows r ON r.outbound_file_id = o.id
     WHERE o.id = f.mini_mif_file_id
       AND o.provider_code = f.provider_code AND o.lob = f.lob AND o.kind IN ('MIF', 'MINIMIF') AND o.status = 'PUBLISHED'
       AND r.cin = f.cin AND o.slot >= f.approved_date
       AND (f.episode_started_at IS NULL
            OR CASE WHEN f.episode_xid IS NOT NULL AND o.members_snapshot IS NOT NULL THEN pg_visible_in_snapshot(f.episode_xid, o.members_snapshot)
                    ELSE o.created_at >= f.episode_started_at END));

-- Down Migration
-- (a repair of data: going down keeps the referrals as marked now, which the older rule reads as sent too)

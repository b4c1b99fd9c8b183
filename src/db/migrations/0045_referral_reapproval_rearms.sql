-- Up Migration
-- A referral's "sent" (mini_mif_file_id) and "alerted" (sla_alerted_at) marks are about the
-- approval they were made for. A re-import that changes what the referral is (its approval
-- date: re-approved; or whom it refers where, which the import refuses today) clears them, so
-- the rules decide again from the new approval: sent by a MIF or mini-MIF dated on or after it
-- that carried the member (CARRIED in src/repositories/ecm-assignments.ts), else on the next
-- mini-MIF, and alerted on once if overdue from it. A re-import of the same row changes none of
-- these columns and keeps both marks. A trigger, so every writer of referrals keeps the rule.
CREATE FUNCTION ecm_referral_rearm() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.mini_mif_file_id := NULL;
  NEW.sla_alerted_at := NULL;
  RETURN NEW;
END $$;
CREATE TRIGGER ecm_referral_changed BEFORE UPDATE OF approved_date, provider_code, cin, lob ON ecm_referrals
  FOR EACH ROW WHEN (OLD.approved_date IS DISTINCT FROM NEW.approved_date OR OLD.provider_code IS DISTINCT FROM NEW.provider_code
                     OR OLD.cin IS DISTINCT FROM NEW.cin OR OLD.lob IS DISTINCT FROM NEW.lob)
  EXECUTE FUNCTION ecm_referral_rearm();

-- Down Migration
DROP TRIGGER ecm_referral_changed ON ecm_referrals;
DROP FUNCTION ecm_referral_rearm();

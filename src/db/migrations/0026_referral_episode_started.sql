-- Up Migration
-- When the import of a referral started the member's new episode with the provider (null: it
-- started none, the member was already open with that provider). A MIF or mini-MIF built
-- before then carried the member's old, ended episode, not this referral: it must not count
-- as having sent it (domain §2, §4.2). The database's clock, as outbound_files.created_at:
-- the two are compared, and imports and runs may each carry a clock of their own.
ALTER TABLE ecm_referrals ADD COLUMN episode_started_at timestamptz;
-- A re-referral on record left its lineage row when it started the episode; one that gave a
-- member a first assignment in the line left none, and no earlier file carried that member
-- in that line for the provider, so null (the rule before this column) answers it as well.
UPDATE ecm_referrals f SET episode_started_at = c.changed_at
  FROM ecm_assignment_changes c
 WHERE c.source = 'REFERRAL' AND c.referral_id = f.referral_id;

-- Down Migration
ALTER TABLE ecm_referrals DROP COLUMN episode_started_at;

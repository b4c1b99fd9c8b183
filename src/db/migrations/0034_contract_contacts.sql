-- Up Migration
-- Each contract (line of business × program) keeps the contact and liaison emails its row of the
-- providers extract names: the extract is one row per contract, and a provider's lines and
-- programs have different liaisons and contacts (domain §7: every file posted to downloads/
-- emails the provider's contact and the liaison). providers.contact_email / liaison_email stay,
-- as the addresses of a contract that has none of its own. Every contract on file gets its
-- provider's addresses now: they are the addresses it was emailed at until this migration.
ALTER TABLE provider_contracts ADD COLUMN contact_email text, ADD COLUMN liaison_email text;
UPDATE provider_contracts c SET contact_email = p.contact_email, liaison_email = p.liaison_email
  FROM providers p WHERE p.provider_code = c.provider_code;

-- Down Migration
ALTER TABLE provider_contracts DROP COLUMN liaison_email, DROP COLUMN contact_email;

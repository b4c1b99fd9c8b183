-- Up Migration
-- A pair without an authorization number (a potential member) is one referral: resolved once
-- (declined, discontinued), the plan may refer the pair again, a new episode that goes back on
-- the CSASF (domain §5 item 1). An authorization number stays unique per member and service;
-- episodes without one are told apart by their assignment date (src/import/cs.ts), and at most
-- one episode of a pair is open (cs_authorizations_open_uq). The index keeps the constraint's
-- name, which the import's row messages know.
ALTER TABLE cs_authorizations DROP CONSTRAINT cs_authorizations_episode_uq;
CREATE UNIQUE INDEX cs_authorizations_episode_uq ON cs_authorizations (cin, service_code, auth_key) WHERE auth_key <> '';

-- Down Migration
DROP INDEX cs_authorizations_episode_uq;
ALTER TABLE cs_authorizations ADD CONSTRAINT cs_authorizations_episode_uq UNIQUE (cin, service_code, auth_key);

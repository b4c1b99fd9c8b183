-- Up Migration
-- Member state across months, upstream side (issue 17).

-- Lineage also records what an upstream import changed (a re-referral that starts a new
-- episode, a switch through the assignment extract, a newer extract value): those changes
-- have no submission sheet, only the import's row (row_number) and where it came from.
ALTER TABLE ecm_assignment_changes ALTER COLUMN sheet_id DROP NOT NULL;
ALTER TABLE ecm_assignment_changes ADD COLUMN source text NOT NULL DEFAULT 'RTF'
  CHECK (source IN ('RTF', 'REFERRAL', 'ASSIGNMENT_IMPORT'));
ALTER TABLE ecm_assignment_changes ADD COLUMN referral_id text;
ALTER TABLE ecm_assignment_changes ADD CONSTRAINT ecm_assignment_changes_sheet_ck CHECK ((source = 'RTF') = (sheet_id IS NOT NULL));

-- What the plan's assignment extract last said of the fields the provider reports on its RTF
-- (status, enrollment dates, acuity, care manager, POF), and since when it has said so: a
-- re-import that repeats the same values carries no news, so it never outranks an RTF
-- received after those values were first loaded (domain §4 item 4b).
ALTER TABLE ecm_assignments ADD COLUMN upstream_values jsonb;
ALTER TABLE ecm_assignments ADD COLUMN upstream_as_of timestamptz;

-- An approved referral to one provider for a member with an open assignment with another is
-- not applied (domain §4 item 4a): it is kept here, for ops and the liaison, until a later
-- import can apply it (the other assignment ended) or the extract switched the member.
CREATE TABLE ecm_referral_conflicts (
  referral_id        text PRIMARY KEY,
  cin                char(9) NOT NULL REFERENCES members,
  lob                text NOT NULL CHECK (lob IN ('HN', 'CV', 'CHPIV')),
  current_provider   text NOT NULL REFERENCES providers,
  referred_provider  text NOT NULL REFERENCES providers,
  approved_date      date NOT NULL,
  detected_at        timestamptz NOT NULL,
  resolved_at        timestamptz
);
CREATE INDEX ecm_referral_conflicts_open_idx ON ecm_referral_conflicts (cin, lob) WHERE resolved_at IS NULL;

-- CS authorizations are episodes keyed member x service x authorization number (domain §5
-- item 1): a second Housing Deposit is a new row, the first one stays on record. At most one
-- episode of a pair is open (not resolved), so a pair still has one provider at a time.
-- "Resolved" is recorded: when, why and (for a CSPRTF) which sheet said so.
ALTER TABLE cs_authorizations DROP CONSTRAINT cs_authorizations_cin_service_code_key;
ALTER TABLE cs_authorizations ADD COLUMN auth_key text GENERATED ALWAYS AS (coalesce(auth_number, '')) STORED;
ALTER TABLE cs_authorizations ADD COLUMN resolved_at timestamptz;
ALTER TABLE cs_authorizations ADD COLUMN resolved_reason text CHECK (resolved_reason IN ('DISCONTINUED', 'COMPLETED', 'SUPERSEDED'));
ALTER TABLE cs_authorizations ADD COLUMN resolved_sheet_id bigint;
ALTER TABLE cs_authorizations ADD CONSTRAINT cs_authorizations_episode_uq UNIQUE (cin, service_code, auth_key);
CREATE UNIQUE INDEX cs_authorizations_open_uq ON cs_authorizations (cin, service_code) WHERE NOT resolved;
-- Pairs a provider already reported as services discontinued are resolved from that report.
UPDATE cs_authorizations a SET resolved = true, resolved_at = e.updated_at,
       resolved_reason = CASE WHEN e.discontinuation_reason = 'SC' THEN 'COMPLETED' ELSE 'DISCONTINUED' END, resolved_sheet_id = e.sheet_id
  FROM cs_engagements e
 WHERE e.cin = a.cin AND e.service_code = a.service_code AND e.provider_code = a.provider_code AND e.status = 4 AND NOT a.resolved;
UPDATE cs_authorizations SET resolved_reason = 'DISCONTINUED', resolved_at = updated_at WHERE resolved AND resolved_reason IS NULL;
ALTER TABLE cs_authorizations ADD CONSTRAINT cs_authorizations_resolved_ck CHECK (resolved = (resolved_reason IS NOT NULL));

-- Down Migration
-- The older schema holds one row per member x service: the open episode (else the latest) stays.
DELETE FROM cs_authorizations a
 WHERE EXISTS (SELECT 1 FROM cs_authorizations b
                WHERE b.cin = a.cin AND b.service_code = a.service_code AND b.id <> a.id
                  AND (NOT b.resolved, b.id) > (NOT a.resolved, a.id));
ALTER TABLE cs_authorizations DROP CONSTRAINT cs_authorizations_resolved_ck;
DROP INDEX cs_authorizations_open_uq;
ALTER TABLE cs_authorizations DROP CONSTRAINT cs_authorizations_episode_uq;
ALTER TABLE cs_authorizations DROP COLUMN resolved_sheet_id, DROP COLUMN resolved_reason, DROP COLUMN resolved_at, DROP COLUMN auth_key;
ALTER TABLE cs_authorizations ADD CONSTRAINT cs_authorizations_cin_service_code_key UNIQUE (cin, service_code);
DROP TABLE ecm_referral_conflicts;
ALTER TABLE ecm_assignments DROP COLUMN upstream_as_of, DROP COLUMN upstream_values;
DELETE FROM ecm_assignment_changes WHERE sheet_id IS NULL;
ALTER TABLE ecm_assignment_changes DROP CONSTRAINT ecm_assignment_changes_sheet_ck;
ALTER TABLE ecm_assignment_changes DROP COLUMN referral_id, DROP COLUMN source;
ALTER TABLE ecm_assignment_changes ALTER COLUMN sheet_id SET NOT NULL;

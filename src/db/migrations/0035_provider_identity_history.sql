-- Up Migration
-- Each provider's NPI and TIN over time. providers holds only the current pair; an RTF answering
-- a MIF pre-filled with the pair the plan replaced since still carries it, and is accepted with a
-- warning for PREVIOUS_IDENTITY_DAYS (src/ingest/context.ts), which needs to know that the pair
-- was the provider's and until when. One row per pair the provider had: valid_to null is the
-- current one; valid_to is when it stopped being current.
--
-- Kept by triggers on providers, so every path that writes providers.npi or tin keeps it (the
-- providers extract, a hand-made fix in psql). The instant of a change is the providers row's
-- updated_at when the statement set it (the providers import sets it to its own clock, the
-- --now it ran with, so receipts and changes compare on one clock), else the database's clock.
CREATE TABLE provider_identities (
  id            bigserial PRIMARY KEY,
  provider_code text NOT NULL REFERENCES providers ON DELETE CASCADE,
  npi           char(10) NOT NULL,
  tin           char(9) NOT NULL,
  valid_from    timestamptz NOT NULL,
  valid_to      timestamptz
);
-- one current pair per provider; the context loader reads a provider's replaced pairs by valid_to
CREATE UNIQUE INDEX provider_identities_current_uq ON provider_identities (provider_code) WHERE valid_to IS NULL;
CREATE INDEX provider_identities_replaced_idx ON provider_identities (provider_code, valid_to) WHERE valid_to IS NOT NULL;

CREATE FUNCTION provider_identity_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  at timestamptz := CASE WHEN TG_OP = 'INSERT' OR NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN NEW.updated_at ELSE now() END;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    UPDATE provider_identities SET valid_to = at WHERE provider_code = NEW.provider_code AND valid_to IS NULL;
  END IF;
  INSERT INTO provider_identities (provider_code, npi, tin, valid_from) VALUES (NEW.provider_code, NEW.npi, NEW.tin, at);
  RETURN NULL;
END $$;
CREATE TRIGGER provider_identity_added AFTER INSERT ON providers
  FOR EACH ROW EXECUTE FUNCTION provider_identity_history();
CREATE TRIGGER provider_identity_changed AFTER UPDATE OF npi, tin ON providers
  FOR EACH ROW WHEN (OLD.npi IS DISTINCT FROM NEW.npi OR OLD.tin IS DISTINCT FROM NEW.tin) EXECUTE FUNCTION provider_identity_history();

-- Providers on file: their current pair, current since the row was last written (what came
-- before is not on record: an RTF carrying it stays refused, as it was until this migration).
INSERT INTO provider_identities (provider_code, npi, tin, valid_from)
  SELECT provider_code, npi, tin, updated_at FROM providers;

-- Down Migration
DROP TRIGGER provider_identity_changed ON providers;
DROP TRIGGER provider_identity_added ON providers;
DROP FUNCTION provider_identity_history();
DROP TABLE provider_identities;

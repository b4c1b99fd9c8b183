-- Up Migration
-- The last day a contract (line of business × program) is in force, from the providers
-- extract's optional contract_end column; null: open-ended (every contract on file until this
-- migration). A contract is in force for a reporting period when it has not ended before the
-- period's first day, and on a day when it has not ended before that day (contractInForce in
-- src/repositories/providers.ts, the one place the rule is written). An extract row with a blank
-- contract_end re-opens the contract; an extract without the column leaves the end on file.
ALTER TABLE provider_contracts ADD COLUMN contract_end date;

-- Down Migration
ALTER TABLE provider_contracts DROP COLUMN contract_end;

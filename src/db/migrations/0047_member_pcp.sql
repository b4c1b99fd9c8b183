-- Up Migration
-- The member's primary care physician, from the members extract's optional pcp_name and pcp_npi
-- columns, written on the MIF and mini-MIF (Member PCP Name, Member PCP NPI). null: not known
-- (every member on file until this migration; the MIF leaves the cell blank). An extract row
-- with a blank cell clears it; an extract without the column leaves what is on file
-- (upsertMembers in src/repositories/members.ts). pcp_npi is a valid NPI (10 digits, check
-- digit), checked by the import; stored as providers.npi is.
ALTER TABLE members
  ADD COLUMN pcp_name text CHECK (length(pcp_name) BETWEEN 1 AND 100),
  ADD COLUMN pcp_npi char(10) CHECK (pcp_npi ~ '^[12][0-9]{9}$');

-- Down Migration
ALTER TABLE members DROP COLUMN pcp_npi, DROP COLUMN pcp_name;

-- Up Migration
-- A CS provider's engagement with a member x service is its own: with a hand-over to another
-- provider from the day after the current authorization ends, both providers have the pair on
-- their CSASF for a while and both report on it in the same window. Keyed by member x service
-- alone, the later report replaced the other provider's (its status, dates, housing), so one of
-- the two was lost. Now one row per member x service x provider.
ALTER TABLE cs_engagements DROP CONSTRAINT cs_engagements_pkey;
ALTER TABLE cs_engagements ADD PRIMARY KEY (cin, service_code, provider_code);

-- Down Migration
-- The older key holds one row per member x service: the latest report stays.
DELETE FROM cs_engagements e
 WHERE EXISTS (SELECT 1 FROM cs_engagements x
                WHERE x.cin = e.cin AND x.service_code = e.service_code AND x.provider_code <> e.provider_code
                  AND (x.updated_at, x.provider_code) > (e.updated_at, e.provider_code));
ALTER TABLE cs_engagements DROP CONSTRAINT cs_engagements_pkey;
ALTER TABLE cs_engagements ADD PRIMARY KEY (cin, service_code);

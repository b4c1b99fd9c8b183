-- Up Migration
-- The month board and `status` read one reporting period of every provider: the sheets and the
-- files of that period, not one provider's. Without these, each page view scanned every sheet
-- and every submission ever received (bench case H: 500 providers, 13 months).
CREATE INDEX submission_sheets_period_idx ON submission_sheets (period);
CREATE INDEX submissions_period_all_idx ON submissions (period) WHERE duplicate_of IS NULL;

-- Down Migration
DROP INDEX submissions_period_all_idx;
DROP INDEX submission_sheets_period_idx;

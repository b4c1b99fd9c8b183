-- Up Migration
-- Corrections merge by business key (spec §6): per provider × line of business × file type ×
-- period, the latest accepted row of each key counts (RTF: the member; CSPRTF: member ×
-- service; OTF: the attempt, member × date × method), whichever file it came in. A file no
-- longer replaces an earlier file whole: rows it does not carry keep counting. `current_rows`
-- is that state, kept by the ingest pipeline; a sheet's lines of business are recorded so
-- verdicts and digests work per line.
ALTER TABLE submission_sheets ADD COLUMN lobs text[] NOT NULL DEFAULT '{}';

CREATE TABLE current_rows (
  provider_code  text NOT NULL REFERENCES providers,
  layout         text NOT NULL CHECK (layout IN ('RTF', 'OTF', 'CSPRTF')),
  lob            text NOT NULL CHECK (lob IN ('HN', 'CV', 'CHPIV')),
  period         date NOT NULL,
  row_key        text NOT NULL,
  sheet_id       bigint NOT NULL REFERENCES submission_sheets ON DELETE CASCADE,
  row_number     integer NOT NULL,
  submission_id  bigint NOT NULL REFERENCES submissions,
  -- the order in which rows replace each other: receipt time, then submission
  received_at    timestamptz NOT NULL,
  PRIMARY KEY (provider_code, layout, lob, period, row_key)
);
CREATE INDEX current_rows_sheet_idx ON current_rows (sheet_id, row_number);

-- What counted before: the rows of applied sheets nobody superseded, the latest of each key.
WITH src AS (
  SELECT ss.provider_code, ss.layout, ss.period, ss.id AS sheet_id, r.row_number, u.id AS submission_id, u.received_at, r.cin, r.service_code,
         submission_row_object(ss.columns, r.data) AS d
    FROM submission_sheets ss JOIN submissions u ON u.id = ss.submission_id JOIN submission_rows r ON r.sheet_id = ss.id
   WHERE ss.applied AND ss.superseded_by IS NULL AND ss.period IS NOT NULL AND r.accepted AND r.cin IS NOT NULL
)
INSERT INTO current_rows (provider_code, layout, lob, period, row_key, sheet_id, row_number, submission_id, received_at)
SELECT DISTINCT ON (provider_code, layout, d->>'mcpId', period, k) provider_code, layout, d->>'mcpId', period, k, sheet_id, row_number, submission_id, received_at
  FROM (SELECT src.*, CASE layout WHEN 'RTF' THEN cin WHEN 'CSPRTF' THEN cin || '|' || service_code
                                  ELSE cin || '|' || (d->>'attemptDate') || '|' || (d->>'method') END AS k FROM src) x
 WHERE d->>'mcpId' IN ('HN', 'CV', 'CHPIV') AND k IS NOT NULL
 ORDER BY provider_code, layout, d->>'mcpId', period, k, received_at DESC, submission_id DESC, sheet_id DESC, row_number DESC;
UPDATE submission_sheets ss SET lobs = coalesce((SELECT array_agg(DISTINCT c.lob ORDER BY c.lob) FROM current_rows c WHERE c.sheet_id = ss.id), '{}');

-- An attempt counts while its row is the current one of its key.
CREATE OR REPLACE VIEW current_outreach_attempts AS
  SELECT a.* FROM outreach_attempts a
  JOIN current_rows c ON c.sheet_id = a.sheet_id AND c.row_number = a.row_number;

-- Down Migration
-- Back to whole-file replacement: of each provider × type × period, the latest applied sheet
-- stands and the earlier ones are superseded by it.
UPDATE submission_sheets s SET superseded_by = l.id
  FROM (SELECT DISTINCT ON (ss.provider_code, ss.layout, ss.period) ss.id, ss.provider_code, ss.layout, ss.period
          FROM submission_sheets ss JOIN submissions u ON u.id = ss.submission_id
         WHERE ss.applied ORDER BY ss.provider_code, ss.layout, ss.period, u.received_at DESC, ss.id DESC) l
 WHERE s.provider_code = l.provider_code AND s.layout = l.layout AND s.period = l.period AND s.applied AND s.id <> l.id AND s.superseded_by IS NULL
   AND s.submission_id <> (SELECT submission_id FROM submission_sheets WHERE id = l.id);
CREATE OR REPLACE VIEW current_outreach_attempts AS
  SELECT a.* FROM outreach_attempts a
  JOIN submission_sheets s ON s.id = a.sheet_id
  WHERE s.superseded_by IS NULL AND s.applied;
DROP TABLE current_rows;
ALTER TABLE submission_sheets DROP COLUMN lobs;

-- Up Migration
-- The system of record for the CalAIM file exchange. Constraints carry the rules that
-- must hold whatever code writes the row (one provider per member x CS service, codes
-- from their sets, counts that add up).

CREATE TABLE providers (
  provider_code   text PRIMARY KEY CHECK (provider_code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$'),
  npi             char(10) NOT NULL CHECK (npi ~ '^[12][0-9]{9}$'),
  tin             char(9)  NOT NULL CHECK (tin ~ '^[0-9]{9}$'),
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  phone           char(10) CHECK (phone ~ '^[0-9]{10}$'),
  contact_email   text,
  liaison_email   text,
  sftp_folder     text NOT NULL,
  active          boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (sftp_folder)
);
CREATE INDEX providers_npi_idx ON providers (npi);

CREATE TABLE provider_contracts (
  provider_code text NOT NULL REFERENCES providers ON DELETE CASCADE,
  lob           text NOT NULL CHECK (lob IN ('HN', 'CV', 'CHPIV')),
  program       text NOT NULL CHECK (program IN ('ECM', 'CS')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider_code, lob, program)
);

CREATE TABLE members (
  cin            char(9) PRIMARY KEY CHECK (cin ~ '^[0-9]{8}[A-Z]$'),
  mcp_member_id  text,
  last_name      text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 60),
  first_name     text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 60),
  dob            date NOT NULL,
  gender         char(1) NOT NULL DEFAULT 'U' CHECK (gender IN ('F', 'M', 'X', 'U')),
  language       text,
  address        text CHECK (length(address) <= 100),
  city           text CHECK (length(city) <= 60),
  state          char(2) CHECK (state ~ '^[A-Z]{2}$'),
  zip            text CHECK (zip ~ '^[0-9]{5}(-?[0-9]{4})?$'),
  phone          char(10) CHECK (phone ~ '^[0-9]{10}$'),
  county         text,
  homeless       boolean NOT NULL DEFAULT false,
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Immutable copy of every file sent or received.
CREATE TABLE file_blobs (
  sha256      char(64) PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size        bigint NOT NULL CHECK (size >= 0),
  bytes       bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (octet_length(bytes) = size)
);

-- Files the plan published (or decided not to publish) for a slot.
CREATE TABLE outbound_files (
  id            bigserial PRIMARY KEY,
  kind          text NOT NULL CHECK (kind IN ('MIF', 'MINIMIF', 'CSASF')),
  job           text NOT NULL,
  slot          date NOT NULL,
  provider_code text NOT NULL REFERENCES providers,
  lob           text CHECK (lob IN ('HN', 'CV', 'CHPIV')),
  status        text NOT NULL CHECK (status IN ('PUBLISHED', 'EMPTY', 'DRY_RUN', 'FAILED')),
  file_name     text,
  remote_path   text,
  sha256        char(64) REFERENCES file_blobs,
  row_count     integer NOT NULL DEFAULT 0 CHECK (row_count >= 0),
  reporting_period date,
  error         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz,
  CHECK (status <> 'PUBLISHED' OR (file_name IS NOT NULL AND sha256 IS NOT NULL AND published_at IS NOT NULL))
);
-- Idempotency per (kind, slot, provider, lob): one published (or empty) outcome.
CREATE UNIQUE INDEX outbound_files_unit_uq ON outbound_files (kind, slot, provider_code, coalesce(lob, ''))
  WHERE status IN ('PUBLISHED', 'EMPTY');
CREATE UNIQUE INDEX outbound_files_name_uq ON outbound_files (provider_code, file_name) WHERE status = 'PUBLISHED';

-- The exact member rows each outbound file carried: "on the latest MIF/CSASF" is a query.
CREATE TABLE outbound_file_rows (
  outbound_file_id bigint NOT NULL REFERENCES outbound_files ON DELETE CASCADE,
  row_number       integer NOT NULL CHECK (row_number >= 2),
  cin              char(9) NOT NULL REFERENCES members,
  service_code     text,
  auth_status      text,
  auth_number      text,
  auth_start       date,
  auth_end         date,
  ecm_status       smallint,
  referral_id      text,
  PRIMARY KEY (outbound_file_id, row_number)
);
CREATE INDEX outbound_file_rows_cin_idx ON outbound_file_rows (cin, service_code);

CREATE TABLE ecm_assignments (
  id                     bigserial PRIMARY KEY,
  cin                    char(9) NOT NULL REFERENCES members,
  lob                    text NOT NULL CHECK (lob IN ('HN', 'CV', 'CHPIV')),
  provider_code          text NOT NULL REFERENCES providers,
  status                 smallint NOT NULL CHECK (status BETWEEN 1 AND 4),
  assigned_date          date NOT NULL,
  pof                    text[] NOT NULL DEFAULT '{}',
  enrollment_start       date,
  enrollment_end         date,
  discontinuation_date   date,
  discontinuation_reason text CHECK (discontinuation_reason IN ('WM','DP','UE','UBE','EXP','NE','OH','CAP','ERR','SC','OTH')),
  discontinuation_text   text,
  acuity                 text CHECK (acuity IN ('Low', 'Medium', 'High')),
  lcm_name               text,
  lcm_phone              char(10),
  lcm_email              text,
  care_plan_revised      date,
  care_conference        date,
  assessment_started     date,
  assessment_completed   date,
  last_encounter         date,
  in_person_count        integer CHECK (in_person_count >= 0),
  telephonic_count       integer CHECK (telephonic_count >= 0),
  referral_status        text,
  referral_status_date   date,
  referral_closure_reason text,
  last_submission_id     bigint,
  last_row_number        integer,
  updated_at             timestamptz NOT NULL DEFAULT now(),
  -- one ECM provider per member and line of business
  UNIQUE (cin, lob),
  CHECK (enrollment_end IS NULL OR (enrollment_start IS NOT NULL AND enrollment_end >= enrollment_start)),
  CHECK (discontinuation_date IS NULL OR enrollment_start IS NULL)
);
CREATE INDEX ecm_assignments_provider_idx ON ecm_assignments (provider_code, status);

CREATE TABLE ecm_referrals (
  referral_id       text PRIMARY KEY,
  cin               char(9) NOT NULL REFERENCES members,
  provider_code     text NOT NULL REFERENCES providers,
  lob               text NOT NULL CHECK (lob IN ('HN', 'CV', 'CHPIV')),
  approved_date     date NOT NULL,
  mini_mif_file_id  bigint REFERENCES outbound_files,
  sla_alerted_at    timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ecm_referrals_provider_idx ON ecm_referrals (provider_code, approved_date);

-- Member x CS service belongs to exactly one provider: the unique key is the rule.
CREATE TABLE cs_authorizations (
  id              bigserial PRIMARY KEY,
  cin             char(9) NOT NULL REFERENCES members,
  service_code    text NOT NULL CHECK (service_code IN ('HTN','HD','HTSS','STPHH','RC','RS','DHP','NFTD','CTS','PCH','EAA','MTM','SOB','AR')),
  provider_code   text NOT NULL REFERENCES providers,
  lob             text NOT NULL CHECK (lob IN ('HN', 'CV', 'CHPIV')),
  record_type     text NOT NULL CHECK (record_type IN ('AUTHORIZED', 'POTENTIAL')),
  auth_status     text CHECK (auth_status IN ('Approved', 'Pending', 'Denied', 'Expired')),
  auth_number     text CHECK (length(auth_number) <= 30),
  auth_start      date,
  auth_end        date,
  requested_date  date,
  decision_date   date,
  assigned_date   date,
  referring_org   text,
  resolved        boolean NOT NULL DEFAULT false,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (cin, service_code),
  CHECK ((record_type = 'POTENTIAL') = (auth_status IS NULL)),
  CHECK (auth_end IS NULL OR auth_start IS NULL OR auth_end >= auth_start)
);
CREATE INDEX cs_authorizations_provider_idx ON cs_authorizations (provider_code);

-- Inbound files.
CREATE TABLE submissions (
  id                bigserial PRIMARY KEY,
  provider_code     text NOT NULL REFERENCES providers,
  original_name     text NOT NULL,
  sha256            char(64) NOT NULL REFERENCES file_blobs,
  size              bigint NOT NULL CHECK (size >= 0),
  file_types        text[] NOT NULL DEFAULT '{}',
  period            date CHECK (period IS NULL OR extract(day FROM period) = 1),
  received_at       timestamptz NOT NULL,
  server_mtime      timestamptz,
  first_seen_at     timestamptz,
  last_absent_at    timestamptz,
  source            text NOT NULL DEFAULT 'sftp' CHECK (source IN ('sftp', 'cli')),
  verdict           text CHECK (verdict IN ('ON_TIME', 'RESUBMISSION', 'LATE_ACCEPTED', 'DECLINED_LATE')),
  outcome           text CHECK (outcome IN ('ACCEPTED', 'ACCEPTED_WITH_WARNINGS', 'PARTIALLY_ACCEPTED', 'REJECTED')),
  state             text NOT NULL DEFAULT 'RECEIVED' CHECK (state IN ('RECEIVED', 'APPLIED', 'RESPONDED')),
  duplicate_of      bigint REFERENCES submissions,
  rows_read         integer NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
  rows_accepted     integer NOT NULL DEFAULT 0 CHECK (rows_accepted >= 0),
  rows_rejected     integer NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0),
  warnings          integer NOT NULL DEFAULT 0 CHECK (warnings >= 0),
  response_name     text,
  response_sha256   char(64) REFERENCES file_blobs,
  created_at        timestamptz NOT NULL DEFAULT now(),
  -- every row ends accepted or rejected
  CHECK (rows_accepted + rows_rejected = rows_read)
);
-- A byte-identical file is applied once per provider; later copies point at the first.
CREATE UNIQUE INDEX submissions_once_uq ON submissions (provider_code, sha256) WHERE duplicate_of IS NULL;
CREATE INDEX submissions_period_idx ON submissions (provider_code, period);

-- One recognised sheet of a submission: the unit of supersession (provider, layout, period).
CREATE TABLE submission_sheets (
  id              bigserial PRIMARY KEY,
  submission_id   bigint NOT NULL REFERENCES submissions ON DELETE CASCADE,
  sheet_name      text NOT NULL,
  layout          text NOT NULL CHECK (layout IN ('RTF', 'OTF', 'CSPRTF')),
  provider_code   text NOT NULL REFERENCES providers,
  period          date,
  applied         boolean NOT NULL DEFAULT false,
  supersedes_id   bigint REFERENCES submission_sheets,
  superseded_by   bigint REFERENCES submission_sheets,
  rows_read       integer NOT NULL DEFAULT 0,
  rows_accepted   integer NOT NULL DEFAULT 0,
  rows_rejected   integer NOT NULL DEFAULT 0,
  warnings        integer NOT NULL DEFAULT 0,
  UNIQUE (submission_id, sheet_name),
  CHECK (rows_accepted + rows_rejected = rows_read)
);
CREATE INDEX submission_sheets_current_idx ON submission_sheets (provider_code, layout, period) WHERE superseded_by IS NULL;

CREATE TABLE submission_rows (
  sheet_id      bigint NOT NULL REFERENCES submission_sheets ON DELETE CASCADE,
  row_number    integer NOT NULL CHECK (row_number >= 1),
  cin           char(9),
  service_code  text,
  accepted      boolean NOT NULL,
  data          jsonb NOT NULL,
  PRIMARY KEY (sheet_id, row_number)
);

CREATE TABLE submission_issues (
  id            bigserial PRIMARY KEY,
  submission_id bigint NOT NULL REFERENCES submissions ON DELETE CASCADE,
  sheet_name    text,
  row_number    integer,
  column_label  text,
  code          text NOT NULL,
  severity      text NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
  message       text NOT NULL,
  cin           char(9)
);
CREATE INDEX submission_issues_sub_idx ON submission_issues (submission_id);

-- OTF attempts; those of a superseded sheet stop counting (see current_outreach_attempts).
CREATE TABLE outreach_attempts (
  sheet_id       bigint NOT NULL REFERENCES submission_sheets ON DELETE CASCADE,
  row_number     integer NOT NULL,
  provider_code  text NOT NULL REFERENCES providers,
  lob            text NOT NULL CHECK (lob IN ('HN', 'CV', 'CHPIV')),
  cin            char(9) NOT NULL REFERENCES members,
  attempt_date   date NOT NULL,
  method         smallint NOT NULL CHECK (method IN (1, 2)),
  successful     boolean NOT NULL,
  minutes        integer NOT NULL CHECK (minutes >= 1),
  provider_type  smallint NOT NULL CHECK (provider_type IN (1, 2)),
  PRIMARY KEY (sheet_id, row_number)
);
CREATE INDEX outreach_attempts_member_idx ON outreach_attempts (provider_code, cin);

CREATE VIEW current_outreach_attempts AS
  SELECT a.* FROM outreach_attempts a
  JOIN submission_sheets s ON s.id = a.sheet_id
  WHERE s.superseded_by IS NULL AND s.applied;

-- Latest CS engagement status per member x service, with lineage.
CREATE TABLE cs_engagements (
  cin                 char(9) NOT NULL REFERENCES members,
  service_code        text NOT NULL,
  provider_code       text NOT NULL REFERENCES providers,
  lob                 text NOT NULL,
  status              smallint NOT NULL CHECK (status BETWEEN 1 AND 4),
  outreach_date       date,
  outreach_method     smallint CHECK (outreach_method IN (1, 2, 3)),
  provider_type       smallint CHECK (provider_type IN (1, 2)),
  service_start       date,
  service_end         date,
  discontinuation_reason text,
  housed              boolean,
  date_housed         date,
  referral_status     text,
  referral_status_date date,
  referral_closure_reason text,
  sheet_id            bigint NOT NULL REFERENCES submission_sheets,
  row_number          integer NOT NULL,
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (cin, service_code)
);

-- Lineage of every change an accepted row made to an ECM assignment.
CREATE TABLE ecm_assignment_changes (
  id             bigserial PRIMARY KEY,
  assignment_id  bigint NOT NULL REFERENCES ecm_assignments ON DELETE CASCADE,
  sheet_id       bigint NOT NULL REFERENCES submission_sheets,
  row_number     integer NOT NULL,
  before         jsonb,
  after          jsonb NOT NULL,
  changed_at     timestamptz NOT NULL DEFAULT now()
);

-- Run ledger: a (job, slot) is claimed once; units inside it are done once.
CREATE TABLE runs (
  id            bigserial PRIMARY KEY,
  job           text NOT NULL,
  slot          text NOT NULL,
  status        text NOT NULL CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'ABANDONED')),
  trigger       text NOT NULL DEFAULT 'manual' CHECK (trigger IN ('cron', 'catch-up', 'manual')),
  owner         text NOT NULL,
  attempt       integer NOT NULL DEFAULT 1,
  started_at    timestamptz NOT NULL DEFAULT now(),
  heartbeat_at  timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  counts        jsonb NOT NULL DEFAULT '{}',
  error         text,
  UNIQUE (job, slot)
);

CREATE TABLE run_units (
  job          text NOT NULL,
  slot         text NOT NULL,
  unit         text NOT NULL,
  status       text NOT NULL CHECK (status IN ('DONE', 'FAILED', 'SKIPPED')),
  detail       jsonb NOT NULL DEFAULT '{}',
  finished_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job, slot, unit)
);

-- What the poller saw, per remote folder, for the receipt-time clamp.
CREATE TABLE poll_folders (
  folder          text PRIMARY KEY,
  last_listed_at  timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE poll_files (
  folder          text NOT NULL REFERENCES poll_folders ON DELETE CASCADE,
  name            text NOT NULL,
  size            bigint NOT NULL,
  mtime           timestamptz NOT NULL,
  first_seen_at   timestamptz NOT NULL,
  last_absent_at  timestamptz,
  stable_since    timestamptz NOT NULL,
  last_seen_at    timestamptz NOT NULL,
  PRIMARY KEY (folder, name)
);

CREATE TABLE notifications (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL,
  recipients  text[] NOT NULL,
  subject     text NOT NULL,
  transport   text NOT NULL CHECK (transport IN ('smtp', 'outbox')),
  location    text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE IF EXISTS notifications, poll_files, poll_folders, run_units, runs, ecm_assignment_changes,
  cs_engagements CASCADE;
DROP VIEW IF EXISTS current_outreach_attempts;
DROP TABLE IF EXISTS outreach_attempts, submission_issues, submission_rows, submission_sheets, submissions,
  cs_authorizations, ecm_referrals, ecm_assignments, outbound_file_rows, outbound_files, file_blobs, members,
  provider_contracts, providers CASCADE;

// Environment → typed, validated settings. Every [POLICY] of the spec is a setting here
// with the spec's default, so a plan can change a rule without a code change.
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), 'expected true or false')
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const list = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(z.string()).min(1, 'expected a comma-separated list'));

const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `expected a URL starting with ${protocols.join(' or ')}//`);

const timeZone = z
  .string()
  .trim()
  .refine((v) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: v });
      return true;
    } catch {
      return false;
    }
  }, 'expected an IANA time zone such as America/Los_Angeles');

/**
 * An OpenSSH SHA256 host key fingerprint exactly as `ssh-keygen -lf` prints it: "SHA256:" and the
 * 43-character unpadded base64 of a 32-byte digest. A placeholder copied from documentation
 * ("SHA256:...") must stop the process, not reach the connection as a pin that never matches.
 */
const sha256Fingerprint = z
  .string()
  .trim()
  .refine((v) => {
    const m = /^SHA256:([A-Za-z0-9+/]{43})$/.exec(v);
    if (!m) return false;
    const digest = Buffer.from(m[1]!, 'base64');
    return digest.length === 32 && digest.toString('base64').replace(/=+$/, '') === m[1];
  }, 'expected the sFTP server host key fingerprint: SHA256: followed by 43 base64 characters, as `ssh-keygen -lf <host key>.pub` prints it (with docker compose: docker compose run --rm -T sftp-fingerprint), not a placeholder');

/** A TCP port, 0 (any free port), or off. */
const healthPort = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => v === 'off' || (/^\d+$/.test(v) && Number(v) <= 65535), 'expected a port (0-65535) or off')
  .transform((v) => (v === 'off' ? null : Number(v)));

/** Each variable: schema + default (string, as it would appear in the environment) + meaning. */
export const SETTINGS = {
  DATA_DIR: { schema: z.string().min(1), default: '.data', doc: 'Local state: embedded Postgres, in-process sFTP root, outbox, reports.' },
  DATABASE_URL: { schema: url(['postgres:', 'postgresql:']).optional(), default: undefined, doc: 'Postgres connection string. Unset: embedded Postgres under DATA_DIR/pg.' },
  EMBEDDED_PG_PORT: { schema: int(1024, 65535), default: '54329', doc: 'Port of the embedded Postgres (only without DATABASE_URL).' },
  DB_POOL_SIZE: { schema: int(1, 100), default: '5', doc: 'Maximum Postgres connections per process.' },
  DB_CONNECT_RETRIES: { schema: int(0, 100), default: '5', doc: 'Attempts to reach Postgres before a run fails.' },
  HEAP_GROWTH_PERCENT: {
    schema: int(0, 300),
    default: '50',
    doc: '[POLICY] How far the JavaScript heap may grow past its live size before a full collection, in percent (0: V8\'s own rule, up to 300%). Lower keeps a large upload\'s memory down for a little more CPU.',
  },

  SFTP_HOST: { schema: z.string().trim().min(1).optional(), default: undefined, doc: 'sFTP server host. Unset: the in-process server on DATA_DIR/sftp.' },
  SFTP_PORT: { schema: int(1, 65535), default: '22', doc: 'sFTP server port.' },
  SFTP_USER: { schema: z.string().min(1).optional(), default: undefined, doc: 'Service account that sees every provider folder.' },
  SFTP_PASSWORD: { schema: z.string().min(1).optional(), default: undefined, doc: 'Password of the service account (or use SFTP_PRIVATE_KEY_PATH).' },
  SFTP_PRIVATE_KEY_PATH: { schema: z.string().min(1).optional(), default: undefined, doc: 'Private key file of the service account.' },
  SFTP_HOST_KEY_SHA256: { schema: sha256Fingerprint.optional(), default: undefined, doc: 'Pinned server host key: its OpenSSH SHA256 fingerprint, SHA256: and 43 base64 characters, as ssh-keygen -lf prints it. Required with SFTP_HOST.' },
  SFTP_ROOT: { schema: z.string().min(1), default: '/', doc: 'Remote folder holding one folder per provider code.' },
  SFTP_STABLE_SECONDS: { schema: int(0, 3600), default: '30', doc: 'A file is taken only when size and mtime held across two listings this far apart.' },
  SFTP_CONNECT_TIMEOUT_MS: { schema: int(100, 600000), default: '20000', doc: 'Connect and handshake timeout.' },
  SFTP_RETRIES: { schema: int(0, 20), default: '4', doc: 'Retries (exponential backoff with jitter) for connect and idempotent operations.' },
  SFTP_STALL_MS: { schema: int(100, 600000), default: '30000', doc: 'A transfer with no progress for this long is aborted and retried.' },
  DEV_SFTP_PORT: { schema: int(0, 65535), default: '2222', doc: 'Port of the in-process sFTP server (demo / no SFTP_HOST); 0 picks a free port.' },

  SMTP_URL: { schema: url(['smtp:', 'smtps:']).optional(), default: undefined, doc: 'SMTP server for notifications. Unset: .eml files in DATA_DIR/outbox.' },
  MAIL_FROM: { schema: z.string().min(3), default: 'calaim-exchange@plan.example', doc: 'Sender address of notifications.' },
  NOTIFY_GIVE_UP_HOURS: { schema: int(1, 720), default: '24', doc: 'A notification the mail server does not take is retried (exponential backoff, by the notify job) for this many hours after it was recorded (on the database\'s clock, whatever `--now` the recording command had), then given up (status GAVE_UP) and ops alerted.' },
  OPS_EMAIL: { schema: z.string().trim().pipe(z.email()).optional(), default: undefined, doc: 'Operations address alerted when a notification is given up or refused by the mail server. Unset: only the error log.' },

  LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', doc: 'pino log level (logs go to stderr; PHI is redacted).' },
  LOG_FORMAT: { schema: z.enum(['auto', 'json', 'pretty']), default: 'auto', doc: 'Log lines on stderr: json (one JSON object a line), pretty (one plain line an event), or auto: pretty when stderr is a terminal, else json.' },
  PLAN_TIME_ZONE: { schema: timeZone, default: 'America/Los_Angeles', doc: '[POLICY] Time zone of every calendar rule.' },

  INGEST_GIVE_UP_AFTER: {
    schema: int(0, 100),
    default: '3',
    doc: "[POLICY] An upload the poll fails on this many times in a row with an error of the plan's own (not the sFTP server or the database out of reach) is answered as REJECTED (FILE_NOT_PROCESSED), moved to failed/, and ops are emailed (OPS_EMAIL); one the sFTP server will not let the plan read (permission denied on the file: the provider changed its permissions) the same way, as FILE_UNREADABLE (upload it again, readable). 0: retried at every poll, never answered.",
  },
  RESPONSE_UNDELIVERED_ALERT_AFTER: {
    schema: int(0, 100),
    default: '3',
    doc: "[POLICY] A response that could not be published to the provider's downloads/ at this many polls in a row (its submission is applied: the poll keeps trying at every poll, and never answers it twice) is reported to ops by email (OPS_EMAIL), once per submission. 0: never emailed (the count still shows in `poll --json` and `submission show`).",
  },
  MAX_FILE_BYTES: { schema: int(1024, 2 ** 31), default: String(50 * 1024 * 1024), doc: 'Largest inbound file accepted.' },
  MAX_ROWS: { schema: int(1, 5_000_000), default: '250000', doc: 'Most data rows per sheet.' },
  MAX_COLUMNS: { schema: int(10, 16384), default: '200', doc: 'Most columns per sheet.' },
  MAX_UNCOMPRESSED_BYTES: { schema: int(1024, 2 ** 40), default: String(1024 * 1024 * 1024), doc: 'Bound on the unzipped size of an inbound workbook (decompression bombs).' },
  MAX_ZIP_ENTRIES: { schema: int(10, 100000), default: '2000', doc: 'Bound on the number of parts in an inbound workbook.' },

  OTF_CORRECTIONS: {
    schema: z.enum(['merge', 'replace-line']), default: 'merge',
    doc: "[POLICY] A later OTF for the same line of business and period: merge (attempts are updated and added by member × date × method; attempts it does not carry keep counting, so one reported by mistake is withdrawn by the plan on the provider's request), or replace-line (it replaces every earlier attempt of each line it carries: a provider withdraws an attempt by sending its whole corrected tracker).",
  },
  REASSIGNED_MEMBER_ROWS: {
    schema: z.enum(['count', 'reject']), default: 'count',
    doc: "[POLICY] An RTF or OTF row about a member on the provider's latest MIF whom the plan has since assigned to another ECM provider in the line, or about a member whose assignment in the line the provider held on some day of the file's reporting period before the plan moved it to another provider (a switch dated inside the period, by the assigned dates in the assignment's lineage, even when it left the member off that period's MIF): count (accepted with the warning MEMBER_REASSIGNED_COUNTED: it counts for the period the provider reports on, changes nothing of the member's, and the member stays owed on that RTF as sent) or reject (MEMBER_REASSIGNED, and the member is not owed).",
  },
  SWITCH_LOOKBACK_DAYS: {
    schema: int(0, 731), default: '183',
    doc: "[POLICY] How far back the switches a file's period may owe rows to are looked for (REASSIGNED_MEMBER_ROWS): an assignment the plan moved away from the provider by an extract (or referral) loaded this many days (plan-local) before the first day of the file's reporting period, or later, and dated inside the period, leaves the provider the period's first days. Never less than since the first day of the period before. A switch the extract dates after the day it is loaded is planned, and recorded on its day, so always found; the bound matters for switches loaded before migration 0054 (recorded when loaded): 183, half a year: one dated up to 183 days after it was loaded is found for every file of the month it takes effect; each day more reads a little more of the provider's assignment lineage for every file it sends (one row per change the plan's extracts made to its assignments). 0 (or anything up to 28): only since the period before began; a switch loaded earlier is not found and the provider's rows about the member are MEMBER_NOT_ASSIGNED.",
  },
  LOB_SWITCH: {
    schema: z.enum(['end-other-lines', 'keep']), default: 'end-other-lines',
    doc: "[POLICY] A member is enrolled in one of the plan's lines of business at a time. When an assignment extract row opens or moves the member's assignment in one line (a new assignment, another provider, or the member back in a line) from an assigned date, and the member has an open assignment (status 1-3, not ended) in another line assigned before that date which the same file does not list: end-other-lines (the plan ends it as of that date, its last day the day before: from then on no MIF or mini-MIF of that line carries the member, an RTF of that line for a period from then does not owe them and a row about them is accepted with the warning MEMBER_LEFT_LINE, a referral conflict no longer counts it; the provider's reported status and dates stay as reported; listed under lineSwitches and the old line's liaison emailed, without CINs; a switch an earlier extract planned for the member in a line the file does not list is cancelled, a planned-switch-cancelled warning) or keep (the other assignment stays open until an extract or the provider ends it: the member is on both lines' MIFs).",
  },
  PREVIOUS_IDENTITY_DAYS: {
    schema: int(0, 366), default: '62',
    doc: "[POLICY] A row whose provider NPI or TIN is not the provider's current one but the one the plan replaced (the providers extract) within this many days before the file's receipt (plan-local calendar days) is accepted with the warning PROVIDER_NPI_PREVIOUS / PROVIDER_TIN_PREVIOUS, naming the new one to use from the next file; any other NPI or TIN stays an error (PROVIDER_NPI_MISMATCH / PROVIDER_TIN_MISMATCH). 62, two long months: the files of the month of the change and their corrections (through the 10th of the next month, at most 41 days later) are always inside it, whatever day of the month the change came. 0: strict, only the current NPI and TIN.",
  },
  LATE_FIRST_SUBMISSION: { schema: z.enum(['accept', 'decline']), default: 'accept', doc: '[POLICY] A first RTF or OTF on days 6-10: accept flagged late, or decline.' },
  ON_TIME_LAST_DAY: { schema: int(1, 28), default: '5', doc: '[POLICY] Last on-time day of the month for RTF and OTF. The missing-submission digest goes out the day after each window (this one, RESUBMISSION_LAST_DAY, CSPRTF_ON_TIME_LAST_DAY) closes; [POLICY] a month without that day (28 here in a 28-day February) has it on its last day.' },
  RESUBMISSION_LAST_DAY: { schema: int(1, 28), default: '10', doc: '[POLICY] Last day an RTF or OTF is accepted; later files are declined.' },
  CSPRTF_ON_TIME_LAST_DAY: { schema: int(1, 28), default: '10', doc: '[POLICY] CSPRTF window ("between the 5th through the 10th"): days 1 through this day are on time (a second file then is a resubmission); later files are declined. CS providers are listed as missing only after it.' },
  MIF_INCLUDES_RTF_TEMPLATE: { schema: bool, default: 'true', doc: '[POLICY] The MIF carries a pre-filled RTF sheet.' },
  EMPTY_FILES_PUBLISHED: { schema: bool, default: 'true', doc: '[POLICY] A provider with no members for a MIF or CSASF slot still gets the file: header-only, with a one-line note, so "nothing this month" differs from "forgotten" (mini-MIFs are only sent with members).' },
  MINI_MIF_MIN_DAYS: { schema: int(0, 60), default: '5', doc: '[POLICY] A referral goes on a mini-MIF this many days after approval.' },
  MINI_MIF_SLA_DAYS: { schema: int(1, 60), default: '10', doc: '[POLICY] A referral still unsent this many days after approval raises a liaison alert.' },
  CSASF_SECOND_RUN_DAY: { schema: int(16, 31), default: '29', doc: '[POLICY] Second CSASF day; months without it use their last day.' },
  CSASF_CLOSED_RETENTION_DAYS: { schema: int(0, 3650), default: '60', doc: '[POLICY] A denied or expired authorization stays on the cumulative CSASF this many days after its decision date (a denial; one without a decision date stays until resolved; a denied re-authorization shown only once the approved authorization it would renew has ended, after that end) or its end date (an expiry: also an authorization whose end date has passed, whatever status the extract gives it, shown as Expired).' },
  SWITCHES_AT: {
    schema: z.string().trim().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time HH:mm').refine((v) => v < '01:00' || v >= '03:00', 'not between 01:00 and 03:00, where a daylight-saving change skips or repeats an hour'),
    default: '00:05',
    doc: "[POLICY] When (plan-local HH:mm) the scheduler's `switches` job applies the day's planned ECM switches (an assignment extract's move to another provider of the line from a later day): just after midnight, so from the start of its day every page, report and file reads the new provider as the member's. Catch-up makes up the day's run (a scheduler started later that day applies them at once). Never between 01:00 and 03:00 (a daylight-saving change skips or repeats an hour). A run that reads who holds members on a day the job has not run yet (an import, an ingest, a MIF or mini-MIF, the SLA alert) still applies them first.",
  },
  CATCH_UP_DAYS: { schema: int(1, 366), default: '35', doc: '[POLICY] Catch-up looks this many days back for a missed slot, and makes up only the current one (the latest due slot of each job): a file slot superseded by a later slot is never sent late.' },
  CATCH_UP_ALERT_DAYS: { schema: int(1, 366), default: '2', doc: '[POLICY] A missed digest or alert (missing-submission digest, mini-MIF SLA alert) is sent late only within this many days of its slot date (1 = only on its own day); an older one is out of date and skipped.' },
  HEARTBEAT_SECONDS: { schema: int(1, 3600), default: '15', doc: 'Run heartbeat interval.' },
  ABANDON_AFTER_SECONDS: { schema: int(5, 86400), default: '120', doc: "A run without heartbeat this long is abandoned and re-run. The scheduler's catch-up pass records such an attempt ABANDONED even when nothing claims its slot again (a `reprocess` or `republish` killed mid-way), so `runs` never shows a dead attempt as running." },
  POLL_LEASE_SECONDS: { schema: int(5, 3600), default: '120', doc: 'How long a poller\'s claim on one provider folder (pollers share the folders, one poller per folder at a time) outlives a poller that stopped renewing it (killed, stalled); renewed every quarter of it.' },
  POLL_CRON: { schema: z.string().min(9), default: '*/15 * * * * *', doc: 'How often the scheduler polls provider folders (node-cron in the plan time zone; with six fields the first is the second): every 15 s, so an upload is answered about 15 s + SFTP_STABLE_SECONDS + processing after it ends, within a minute. An idle poll only lists and claims the folders (500 in about 3 s, bench case E); a fire that comes while the previous poll still runs (a burst) is skipped. A five-field expression (`* * * * *`) polls at most once a minute.' },
  POLL_RECHECK: { schema: bool, default: 'true', doc: '[POLICY] A poll that sees an upload still arriving (not yet held for SFTP_STABLE_SECONDS) marks its folder, waits until the window has passed and lists it again before it ends, so the file is answered by the poll that first saw it rather than the next one. It waits only for what is left of the window of the earliest folder any poll marked (on any scheduler), and lists again whichever marked folder is ripe, not only those it saw itself; a poll that saw nothing arriving does not wait.' },
  HEALTH_PORT: { schema: healthPort, default: '9464', doc: 'Port of the long-running scheduler\'s GET /healthz and GET /metrics (Prometheus). 0: any free port (the address is logged: "health and metrics listening"); off: no server. A port already in use stops the scheduler.' },
  HEALTH_HOST: { schema: z.string().trim().min(1), default: '127.0.0.1', doc: 'Address the health and metrics server listens on: localhost only unless set (0.0.0.0 to let another host scrape it).' },
  HEALTH_POLL_MAX_AGE_FACTOR: { schema: int(1, 1000), default: '10', doc: '/healthz reports the poll stalled when the last successful poll (any scheduler, from the run ledger) is older than this many poll intervals: the longest gap between POLL_CRON fires in a day, counted as at least a minute (10 minutes with the default 15-s poll, as with a minute poll: room for a month-start burst, when one poll runs for minutes).' },
  HEALTH_CHECK_TIMEOUT_MS: { schema: int(100, 60000), default: '3000', doc: 'Time each /healthz check (database select 1, sFTP connect and stat of SFTP_ROOT) may take before it counts as failed.' },
  WEB_PORT: { schema: int(0, 65535), default: '8080', doc: 'Port of the web pages (`calaim-exchange serve`, `scheduler --serve`); 0: any free port (the address is printed).' },
  WEB_HOST: { schema: z.string().trim().min(1), default: '127.0.0.1', doc: 'Address the web pages listen on: localhost only unless set. In production a TLS-terminating proxy on the same host forwards to it (README "Web").' },
  WEB_TRUST_PROXY: { schema: bool, default: 'false', doc: 'Trust X-Forwarded-For / -Proto from the proxy in front (the client address used for login rate limiting). Set it only when a proxy is in front, or clients can pick their own address.' },
  WEB_COOKIE_SECURE: { schema: bool, default: 'false', doc: 'Mark the session cookie Secure (sent over HTTPS only). Set it in production, behind the TLS-terminating proxy; off only for plain http on localhost.' },
  WEB_COOKIE_SECRET: { schema: z.string().min(32, 'at least 32 characters').optional(), default: undefined, doc: 'Secret that signs the session cookie and the CSRF tokens (32 characters or more). Unset: a random one per process, so a restart logs everyone out; set it when several processes serve the pages.' },
  WEB_SESSION_IDLE_MINUTES: { schema: int(1, 1440), default: '30', doc: 'A session not used for this many minutes expires (the user logs in again).' },
  WEB_SESSION_MAX_HOURS: { schema: int(1, 168), default: '12', doc: 'A session expires this many hours after login, however active.' },
  WEB_LOGIN_MAX_FAILURES: { schema: int(1, 1000), default: '5', doc: 'Failed logins allowed per email address within WEB_LOGIN_WINDOW_MINUTES (four times as many per client address) before further attempts are refused until the window passes.' },
  WEB_LOGIN_WINDOW_MINUTES: { schema: int(1, 1440), default: '15', doc: 'The window of WEB_LOGIN_MAX_FAILURES.' },
  WEB_PASSWORD_COST: { schema: int(8, 15), default: '12', doc: 'bcrypt cost of new password hashes (each step doubles the work of a login and of a guess).' },
  CASELOAD_WARN_LIMIT: { schema: int(1, 10000), default: '50', doc: '[PLAN] Enrolled members per Lead Care Manager above which the liaison is warned.' },
  ASSESSMENT_START_DAYS: { schema: int(1, 365), default: '30', doc: '[PLAN] Assessment started within this many days of enrollment (warning).' },
  ASSESSMENT_COMPLETE_DAYS: { schema: int(1, 365), default: '60', doc: '[PLAN] Assessment completed within this many days (warning).' },
  CARE_PLAN_DAYS: { schema: int(1, 365), default: '90', doc: '[PLAN] Care plan within this many days (warning).' },
  OUTREACH_MIN_ATTEMPTS: { schema: int(1, 100), default: '5', doc: '[PLAN] Attempts before "unable to engage".' },
  OUTREACH_MIN_MODALITIES: { schema: int(1, 3), default: '3', doc: '[PLAN] Distinct outreach modalities before "unable to engage" (OTF has 2 methods; CS adds Electronic).' },
  OUTREACH_MIN_DAYS: { schema: int(1, 365), default: '90', doc: '[PLAN] Days of outreach before "unable to engage".' },
  OTF_LOOKBACK_DAYS: { schema: int(0, 365), default: '90', doc: '[POLICY] An OTF attempt may date from the reporting period or this many days before it.' },
  REFERRAL_STATUS_VALUES: { schema: list, default: 'Declined,Accepted,Pending,Services Received', doc: 'Allowed closed-loop Referral Status values.' },
  REFERRAL_CLOSURE_REASONS: { schema: list, default: 'Services Received,Member Declined,Unable to Contact,Not Eligible,Provider at Capacity,Other', doc: 'Allowed Reason for Referral Loop Closure values.' },
  BLOB_RETENTION_DAYS: { schema: int(1, 36500), default: '3650', doc: '[POLICY] How long the immutable copies of exchanged files are kept (10 years, the Medi-Cal record retention), from the latest exchange of the same bytes: a file received again after its bytes were purged is stored again. Bytes still to go out (a file an interrupted run recorded, a response not yet delivered) are kept until they are out, however old.' },
  RUN_RETENTION_DAYS: { schema: int(1, 36500), default: '30', doc: '[POLICY] Idle attempts in the run ledger (a poll that found no file, a notify pass with nothing to send: ~6,000 a day) are deleted this many days after they ended; the latest successful one of each job stays. Every other attempt is a record of the exchange, kept BLOB_RETENTION_DAYS (never less than CATCH_UP_DAYS, and never while an outbound file or a submission points to it).' },
  NOTIFICATION_BODY_RETENTION_DAYS: { schema: int(1, 36500), default: '30', doc: '[POLICY] A notification that ended (sent, refused, given up) keeps its recipients, subject and times; its body and attachments (an SLA alert names members by CIN), and its .eml copy in DATA_DIR/outbox when there is no SMTP_URL, are cleared this many days after it ended.' },
  MCP_NAME_HN: { schema: z.string().min(1), default: 'Health Net', doc: 'MCP Name written for line of business HN.' },
  MCP_NAME_CV: { schema: z.string().min(1), default: 'CalViva Health', doc: 'MCP Name written for line of business CV.' },
  MCP_NAME_CHPIV: { schema: z.string().min(1), default: 'Community Health Plan of Imperial Valley', doc: 'MCP Name written for line of business CHPIV.' },
} as const;

type Settings = typeof SETTINGS;
export type Config = {
  -readonly [K in keyof Settings]: z.output<Settings[K]['schema']>;
} & { dataDir: string };

export class ConfigError extends Error {
  constructor(public readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Pure: the same environment always gives the same settings or the same error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const out: Record<string, unknown> = {};
  const problems: { variable: string; message: string }[] = [];
  for (const [name, setting] of Object.entries(SETTINGS)) {
    const raw = env[name];
    const value = raw === undefined || raw === '' ? setting.default : raw;
    const parsed = (setting.schema as z.ZodType).safeParse(value);
    if (parsed.success) out[name] = parsed.data;
    else {
      const msg = parsed.error.issues.map((i) => i.message).join('; ');
      problems.push({ variable: name, message: `${msg} (got ${JSON.stringify(raw)})` });
    }
  }
  if (problems.length === 0) {
    if (out.SFTP_HOST && !out.SFTP_HOST_KEY_SHA256)
      problems.push({
        variable: 'SFTP_HOST_KEY_SHA256',
        message: 'required with SFTP_HOST: the server host key must be pinned (its fingerprint, SHA256:…, from `ssh-keygen -lf <host key>.pub`; ' +
          'with docker compose: docker compose run --rm -T sftp-fingerprint >> .env)',
      });
    if (out.SFTP_HOST && !out.SFTP_USER) problems.push({ variable: 'SFTP_USER', message: 'required with SFTP_HOST' });
    if (out.SFTP_HOST && !out.SFTP_PASSWORD && !out.SFTP_PRIVATE_KEY_PATH)
      problems.push({ variable: 'SFTP_PRIVATE_KEY_PATH', message: 'SFTP_PRIVATE_KEY_PATH or SFTP_PASSWORD is required with SFTP_HOST' });
    if ((out.ON_TIME_LAST_DAY as number) > (out.RESUBMISSION_LAST_DAY as number))
      problems.push({ variable: 'ON_TIME_LAST_DAY', message: 'must not be after RESUBMISSION_LAST_DAY' });
    if ((out.MINI_MIF_MIN_DAYS as number) > (out.MINI_MIF_SLA_DAYS as number))
      problems.push({ variable: 'MINI_MIF_MIN_DAYS', message: 'must not be after MINI_MIF_SLA_DAYS' });
  }
  if (problems.length) throw new ConfigError(problems);
  const config = out as Config;
  config.dataDir = path.resolve(String(out.DATA_DIR));
  return config;
}

let cached: Config | undefined;
/** The process-wide settings; loads once. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
/** Tests and the demo override settings for a process. */
export function setConfig(config: Config | undefined): void {
  cached = config;
}

export function mcpName(config: Config, lob: string): string {
  if (lob === 'HN') return config.MCP_NAME_HN;
  if (lob === 'CV') return config.MCP_NAME_CV;
  if (lob === 'CHPIV') return config.MCP_NAME_CHPIV;
  return lob;
}

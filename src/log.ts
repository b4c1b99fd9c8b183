// pino to stderr, with every PHI-bearing path redacted: stdout belongs to --json output,
// and logs are shipped to places where member data must never go.
//
// Format (LOG_FORMAT): `json` (one JSON object a line, for log shippers), `pretty` (one plain
// line an event, via pino-pretty, for a person), or `auto` (the default): pretty when stderr is
// a terminal, JSON otherwise. Redaction happens before either format sees the object.
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

/** Keys that carry PHI or raw provider cell values wherever they appear in a log object. */
export const PHI_KEYS = [
  'cin', 'CIN', 'memberCin', 'cins',
  'name', 'lastName', 'firstName', 'last_name', 'first_name', 'clientName', 'memberName', 'lcmName', 'lcm_name',
  'dob', 'dateOfBirth', 'birthDate',
  'phone', 'lcmPhone', 'lcm_phone',
  'address', 'city', 'zip', 'email',
  'value', 'values', 'raw', 'cells', 'cell', 'row', 'rows', 'record', 'member', 'members', 'data',
];

export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = 'json' | 'pretty';

/**
 * The format the logs take: LOG_FORMAT when it says json or pretty; otherwise (unset, auto, or a
 * value the settings check reports) pretty only when stderr is a terminal.
 */
export function logFormat(setting: string | undefined = process.env.LOG_FORMAT, stderrIsTty: boolean = process.stderr.isTTY === true): LogFormat {
  const v = setting?.trim().toLowerCase();
  if (v === 'json' || v === 'pretty') return v;
  return stderrIsTty ? 'pretty' : 'json';
}

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const k of PHI_KEYS) paths.push(k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`);
  return paths;
}

/** One line an event (stderr by default): time, level, message, then the (redacted) fields on the same line. */
export function prettyDestination(destination: number | NodeJS.WritableStream = 2): pino.DestinationStream {
  // loaded only when asked for: JSON logging (services, tests) does not pay for it at start-up
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return pretty({
    destination,
    sync: true,
    colorize: destination === 2 && process.stderr.isTTY === true && !process.env.NO_COLOR,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,app',
  });
}

export function createLogger(
  level = process.env.LOG_LEVEL ?? 'info',
  destination: pino.DestinationStream = logFormat() === 'pretty' ? prettyDestination() : pino.destination(2),
): Logger {
  return pino(
    {
      level,
      base: { app: 'calaim-exchange' },
      redact: { paths: redactPaths(), censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export const log: Logger = createLogger();
export type { Logger };

/**
 * An error as logs, run results and the CLI show it. A Postgres error's message may quote the
 * value it refused (`value "…" is out of range for type integer`, `invalid input syntax for
 * type date: "…"`), and that value can be a cell of a provider's file: its quoted parts are
 * masked, and its SQLSTATE and constraint (names of ours) say what failed.
 */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const db = err as Error & { code?: unknown; severity?: unknown; constraint?: unknown };
  if (typeof db.code !== 'string' || !/^[0-9A-Z]{5}$/.test(db.code) || typeof db.severity !== 'string') return err.message;
  const constraint = typeof db.constraint === 'string' ? `, constraint ${db.constraint}` : '';
  return `${err.message.replace(/"[^"]*"/g, '"…"')} (SQLSTATE ${db.code}${constraint})`;
}

// pino to stderr, with every PHI-bearing path redacted: stdout belongs to --json output,
// and logs are shipped to places where member data must never go.
import pino, { type Logger } from 'pino';

/** Keys that carry PHI or raw provider cell values wherever they appear in a log object. */
export const PHI_KEYS = [
  'cin', 'CIN', 'memberCin', 'cins',
  'name', 'lastName', 'firstName', 'last_name', 'first_name', 'clientName', 'memberName', 'lcmName', 'lcm_name',
  'dob', 'dateOfBirth', 'birthDate',
  'phone', 'lcmPhone', 'lcm_phone',
  'address', 'city', 'zip', 'email',
  'value', 'values', 'raw', 'cells', 'cell', 'row', 'rows', 'record', 'member', 'members', 'data',
];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const k of PHI_KEYS) paths.push(k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`);
  return paths;
}

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination: pino.DestinationStream = pino.destination(2)): Logger {
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

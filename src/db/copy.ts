// COPY … FROM STDIN on the caller's client. pg-copy-streams extends the driver, so it loads
// here with it (pg-runtime-only-in-src-db); the statement itself is the repository's.
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Runs `statement` (a COPY … FROM STDIN) with `bytes` as its whole input; part of the client's transaction. */
export async function copyIn(c: pg.PoolClient, statement: string, bytes: Buffer): Promise<void> {
  const sink = c.query(copyFrom(statement));
  // written in one call, now: a stream pipeline would hand the bytes over in later event-loop
  // turns, which wait behind the reader's synchronous work and left Postgres idle
  sink.end(bytes);
  await finished(sink);
}

/**
 * A field of a COPY text-format line: backslash, tab, newline and carriage return escaped,
 * null as \N. (JSON text has no raw control characters: only its backslashes need doubling.)
 */
export function copyField(v: string | null): string {
  if (v === null) return '\\N';
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : v;
}
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One row of COPY text format (without its newline): fields tab-separated, null as \N, booleans t / f. */
export function copyLine(fields: readonly (string | number | boolean | null)[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    const v = fields[i]!;
    if (i) line += '\t';
    line += typeof v === 'string' || v === null ? copyField(v) : typeof v === 'boolean' ? (v ? 't' : 'f') : String(v);
  }
  return line;
}

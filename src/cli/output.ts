// --json prints exactly one JSON document on stdout; humans get text. Logs stay on stderr.
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OutputOptions { json?: boolean }

/**
 * What a terminal would act on rather than show: C0 controls, DEL, C1 controls (ESC [2J clears
 * the screen, ESC [31m paints, a newline or carriage return breaks a line or overwrites it),
 * the bidirectional embeddings, overrides and isolates (a name that reads backwards) and the
 * Unicode line and paragraph separators.
 */
const PAST_C0 = '\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069'; // (DEL, C1, separators, bidi)
const CONTROL = new RegExp(`[\\u0000-\\u001f${PAST_C0}]`, 'g');
// (the same but the line breaks the text layout makes itself)
const CONTROL_BUT_NEWLINE = new RegExp(`[\\u0000-\\u0009\\u000b-\\u001f${PAST_C0}]`, 'g');
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escape = (c: string): string => {
  const code = c.charCodeAt(0);
  return SHORT[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
};

/**
 * Text from outside (a provider's file or sheet name, a cell quoted in a message, a server's
 * error) as it may be printed on a terminal: every control character shown as an escape
 * (`\x1b`, `\n`, `\u202e`), so ops see that the name is odd and the terminal does nothing with it.
 * For the text output only: --json keeps the exact values (JSON.stringify escapes C0 itself).
 */
export function printable(s: string): string {
  return s.replace(CONTROL, escape);
}

export function emit(opts: OutputOptions, doc: unknown, human: () => string): void {
  if (opts.json) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  // (a last guard: a value a command printed without printable() still never acts on the
  // terminal; only the line breaks of the text itself stay)
  else process.stdout.write(human().replace(CONTROL_BUT_NEWLINE, escape).replace(/\n?$/, '\n'));
}

/** Fixed-width table for human summaries; every cell printable(), one line a row. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : printable(String(c)))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

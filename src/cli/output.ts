// --json prints exactly one JSON document on stdout; humans get text. Logs stay on stderr.
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OutputOptions { json?: boolean }

export function emit(opts: OutputOptions, doc: unknown, human: () => string): void {
  if (opts.json) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  else process.stdout.write(human().replace(/\n?$/, '\n'));
}

/** Fixed-width table for human summaries. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

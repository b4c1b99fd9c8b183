import type { MonthRow } from './drive.js';

const COLUMNS: [keyof MonthRow, string][] = [
  ['month', 'month'], ['imports', 'imports'], ['published', 'files out'], ['outboundRows', 'rows out'], ['uploads', 'uploads'], ['rowsRead', 'rows read'],
  ['rowsAccepted', 'accepted'], ['declinedOrDuplicate', 'declined/dup'], ['conflicts', 'conflicts'], ['members', 'ECM members'], ['attempts', 'attempts'],
  ['endedContracts', 'ended'], ['importRejects', 'rejects'], ['switchesNotApplied', 'not applied'],
  ['mismatches', 'mismatches'], ['seconds', 'seconds'],
];

/** The per-month table the simulation prints. */
export function formatTable(rows: readonly MonthRow[]): string {
  const cells = [COLUMNS.map(([, h]) => h), ...rows.map((r) => COLUMNS.map(([k]) => String(r[k])))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ')).join('\n');
}

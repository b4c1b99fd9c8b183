// The outcome of a file (domain §6): ACCEPTED, ACCEPTED_WITH_WARNINGS, PARTIALLY_ACCEPTED,
// REJECTED. accepted + rejected = rows read, always.
export const OUTCOMES = ['ACCEPTED', 'ACCEPTED_WITH_WARNINGS', 'PARTIALLY_ACCEPTED', 'REJECTED'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface OutcomeCounts {
  /** File- or sheet-level errors (unreadable, missing columns, no data, declined, duplicate). */
  fileErrors: number;
  rowsRead: number;
  rowsRejected: number;
  warnings: number;
}

export function computeOutcome(c: OutcomeCounts): Outcome {
  if (c.rowsRejected < 0 || c.rowsRejected > c.rowsRead) throw new Error('rowsRejected must be between 0 and rowsRead');
  if (c.fileErrors > 0 || c.rowsRead === 0 || c.rowsRejected === c.rowsRead) return 'REJECTED';
  if (c.rowsRejected > 0) return 'PARTIALLY_ACCEPTED';
  return c.warnings > 0 ? 'ACCEPTED_WITH_WARNINGS' : 'ACCEPTED';
}

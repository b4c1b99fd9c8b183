// Rules several layouts share: dates not after receipt, the reporting period, the
// closed-loop referral date.
import type { RowRule } from './file-type.js';

export type { RowRule };

/** `2026-10` → `10/2026`, as providers write it. */
export const displayPeriod = (p: string): string => `${p.slice(5, 7)}/${p.slice(0, 4)}`;
/** `2026-10-05` → `10/05/2026`. */
export const displayDate = (d: string): string => `${d.slice(5, 7)}/${d.slice(8, 10)}/${d.slice(0, 4)}`;

export const notAfterReceipt = <K extends string>(keys: readonly K[]): RowRule<K> => (s) => {
  const limit = s.ctx.receivedDate ?? s.ctx.today;
  if (!limit) return;
  for (const key of keys) {
    const d = s.str(key);
    if (d && d > limit) s.add('DATE_AFTER_RECEIPT', key, { expected: displayDate(limit) });
  }
};

export const periodMatches: RowRule<'reportingPeriod'> = (s) => {
  const expected = s.ctx.expectedPeriod;
  const got = s.str('reportingPeriod');
  if (expected && got && got !== expected) s.add('PERIOD_MISMATCH', 'reportingPeriod', { expected: displayPeriod(expected) });
};

export const referralDate: RowRule<'referralStatus' | 'referralStatusDate'> = (s) => {
  s.require(s.filled('referralStatus'), 'referralStatusDate', 'REFERRAL_DATE_REQUIRED');
};

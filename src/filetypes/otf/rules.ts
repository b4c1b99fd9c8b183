// OTF row rules (spec/layouts.md OTF, domain.md §4.9) and the cross-row key. Pure.
import type { ColumnKey } from '../../../schemas/layout.js';
import type { OTF } from '../../../schemas/otf.js';
import { addDays } from '../../../schemas/primitives.js';
import { displayPeriod, notAfterReceipt } from '../../validate/common-rules.js';
import type { CrossRowKey, RowRule as Rule } from '../../validate/file-type.js';

export type OtfKey = ColumnKey<typeof OTF>;
type RowRule = Rule<OtfKey>;

/** The last day of a `YYYY-MM` month. */
export function periodEnd(period: string): string {
  return addDays(addDays(`${period}-01`, 31).slice(0, 7) + '-01', -1);
}

const attemptInWindow: RowRule = (s) => {
  const period = s.ctx.expectedPeriod;
  const date = s.str('attemptDate');
  if (!period || !date) return;
  const days = s.ctx.config.OTF_LOOKBACK_DAYS;
  const earliest = addDays(`${period}-01`, -days);
  if (date < earliest || date > periodEnd(period)) s.add('OTF_DATE_OUTSIDE_PERIOD', 'attemptDate', { period: displayPeriod(period), days });
};

export const OTF_RULES: readonly RowRule[] = [attemptInWindow, notAfterReceipt<OtfKey>(['attemptDate'])];

/** An exact repeat of an attempt is a possible double entry (a warning). */
export const OTF_CROSS_ROW: CrossRowKey<OtfKey> = { keys: ['cin', 'attemptDate', 'method', 'minutes'], code: 'OTF_DUPLICATE_ATTEMPT' };

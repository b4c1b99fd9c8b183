// OTF row rules (spec/layouts.md OTF, domain.md §4.9).
import { addDays } from '../../../schemas/primitives.js';
import { displayPeriod, notAfterReceipt, type RowRule } from './common.js';

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

export const OTF_RULES: readonly RowRule[] = [attemptInWindow, notAfterReceipt(['attemptDate'])];

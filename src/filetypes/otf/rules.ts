// OTF row rules (spec/layouts.md OTF, domain.md §4.9) and the cross-row key. Pure.
import type { OTF_METHOD } from '../../../schemas/codes.js';
import { normaliseLabel } from '../../../schemas/index.js';
import type { ColumnKey } from '../../../schemas/layout.js';
import type { OTF } from '../../../schemas/otf.js';
import { addDays } from '../../../schemas/primitives.js';
import { trimCell } from '../../validate/cells.js';
import { displayPeriod, notAfterReceipt } from '../../validate/common-rules.js';
import type { CrossRowKey, RowRule as Rule, SetCell } from '../../validate/file-type.js';
import { unquoted } from '../../validate/types.js';
import type { CellValue } from '../../xlsx/types.js';

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

/** The method mail is recorded as (spec §4.9: Telephonic/Electronic). */
const MAIL_METHOD: keyof typeof OTF_METHOD = '2';
/** The method cell's forms that name mail, normalised: the word alone or after its code (`Mail`, `2 - Mail`). */
const MAIL_FORMS: ReadonlySet<string> = new Set(['mail', `${MAIL_METHOD}mail`]);

/**
 * The method cell names mail, the word by itself (`Mail`, `2 - Mail`, `“mail”`; the code reads
 * them as method 2). Email (`Email`, `e-mail`) is an attempt of its own and is not mail: the
 * minutes the provider gives it stand.
 */
export function namesMail(cell: CellValue | undefined): boolean {
  if (typeof cell !== 'string') return false;
  const text = trimCell(cell);
  return MAIL_FORMS.has(normaliseLabel(unquoted(text) ?? text));
}

/**
 * [PLAN] domain §4.9: "Mail is recorded as Telephonic/Electronic with 1 minute". Whatever time
 * the provider reports for a mail attempt (or none), 1 minute is stored, and the row is warned
 * when the cell said otherwise: the row is accepted, the cell does not count. The method itself is read as
 * method 2 by its code column (`Mail` is one of the items its meaning lists).
 */
export const OTF_SET_CELLS: { readonly minutes: SetCell } = {
  minutes: { when: (cells) => namesMail(cells.value('method')), value: 1, code: 'OTF_MAIL_ONE_MINUTE' },
};

/**
 * An attempt is member × date × method (spec §6, the key corrections merge by: OTF_MERGE_KEY),
 * once per file. [POLICY] The attempt again with other minutes is rejected
 * (OTF_ATTEMPT_MINUTES_DIFFER), naming the row that holds it: accepted, one of the two rows
 * would not count, and which one the plan cannot tell. An exact repeat, the same minutes too, is
 * a possible double entry (a warning, layouts OTF), counted once. The key takes the values
 * recorded, so two mail rows of one member on one day are a repeat whatever minutes each
 * reported (both are 1): they are the same attempt to the plan, as stored.
 */
export const OTF_CROSS_ROW: CrossRowKey<OtfKey> = {
  keys: ['cin', 'attemptDate', 'method'],
  code: 'OTF_ATTEMPT_MINUTES_DIFFER',
  same: { keys: ['minutes'], code: 'OTF_DUPLICATE_ATTEMPT' },
};

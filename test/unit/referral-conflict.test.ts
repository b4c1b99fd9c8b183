// Whether another provider's ECM assignment stops a referral (domain §4 item 4a, a conflict):
// pure, the assignment and the two days in (the approval, the import's plan-local day).
// test/integration/import-referrals.test.ts imports referrals through it.
import { describe, expect, it } from 'vitest';
import { holdsAgainstReferral } from '../../src/import/common.js';

const open = { status: 3, enrollment_end: null, discontinuation_date: null, plan_end: null };

describe('holdsAgainstReferral', () => {
  it.each([
    // open with no end: a conflict whenever the referral was approved and imported
    ['open, no end', open, '2026-10-20', '2026-11-20', true],
    // a planned end after the import: the member is still with the provider
    ['enrolled until Jan 31, imported Nov 20', { ...open, enrollment_end: '2027-01-31' }, '2026-10-20', '2026-11-20', true],
    // the end is the last day: imported on it, still held
    ['enrolled until Oct 31, imported Oct 31', { ...open, enrollment_end: '2026-10-31' }, '2026-10-20', '2026-10-31', true],
    // approved before the end, imported after it (back-dated): nothing held any more
    ['enrolled until Oct 31, imported Nov 20', { ...open, enrollment_end: '2026-10-31' }, '2026-10-20', '2026-11-20', false],
    ['discontinued Oct 31 (status 2), imported Nov 20', { ...open, status: 2, discontinuation_date: '2026-10-31' }, '2026-10-20', '2026-11-20', false],
    // the provider reported the member left (status 4): held on no day
    ['status 4 ending Oct 31', { ...open, status: 4, enrollment_end: '2026-10-31' }, '2026-10-20', '2026-11-20', false],
    // ended before the approval: never held
    ['enrolled until Oct 15', { ...open, enrollment_end: '2026-10-15' }, '2026-10-20', '2026-11-20', false],
    // the plan moved the member to another line after the approval: still held (the referral, approved in the line left, is not applied)
    ['line ended Oct 31 by the plan', { ...open, plan_end: '2026-10-31' }, '2026-10-20', '2026-11-20', true],
    // ... and not for a referral approved after that end
    ['line ended Oct 31, approved Nov 5', { ...open, plan_end: '2026-10-31' }, '2026-11-05', '2026-11-20', false],
  ] as const)('%s', (_what, a, approved, today, held) => {
    expect(holdsAgainstReferral(a, approved, today)).toBe(held);
  });
});

import { describe, expect, it } from 'vitest';
import { receiptTime } from '../../src/calendar/receipt.js';

// Pacific Standard Time in November 2026 is UTC-8.
const pt = (local: string) => new Date(`${local}-08:00`);

describe('receiptTime', () => {
  it.each([
    {
      case: 'upload 23:58 Pacific on the 10th, first seen 00:05 on the 11th → 23:58 the 10th',
      mtime: pt('2026-11-10T23:58:00'),
      lastAbsentAt: pt('2026-11-10T23:55:00'),
      firstSeenAt: pt('2026-11-11T00:05:00'),
      expected: pt('2026-11-10T23:58:00'),
    },
    {
      case: 'mtime forged into the past (before the last absent listing) → last absent',
      mtime: pt('2026-11-01T08:00:00'),
      lastAbsentAt: pt('2026-11-11T00:00:00'),
      firstSeenAt: pt('2026-11-11T00:05:00'),
      expected: pt('2026-11-11T00:00:00'),
    },
    {
      case: 'mtime in the future → first seen',
      mtime: pt('2026-11-20T12:00:00'),
      lastAbsentAt: pt('2026-11-11T00:00:00'),
      firstSeenAt: pt('2026-11-11T00:05:00'),
      expected: pt('2026-11-11T00:05:00'),
    },
    {
      case: 'poller down for a day, mtime in between → mtime',
      mtime: pt('2026-11-10T14:30:00'),
      lastAbsentAt: pt('2026-11-10T00:05:00'),
      firstSeenAt: pt('2026-11-11T00:05:00'),
      expected: pt('2026-11-10T14:30:00'),
    },
    {
      case: 'folder never listed before (no lower bound), mtime in the past → mtime',
      mtime: pt('2026-11-01T09:00:00'),
      lastAbsentAt: null,
      firstSeenAt: pt('2026-11-11T00:05:00'),
      expected: pt('2026-11-01T09:00:00'),
    },
    {
      case: 'mtime exactly on a bound → that bound',
      mtime: pt('2026-11-11T00:05:00'),
      lastAbsentAt: pt('2026-11-11T00:00:00'),
      firstSeenAt: pt('2026-11-11T00:05:00'),
      expected: pt('2026-11-11T00:05:00'),
    },
    // two pollers whose clocks disagree (or a clock stepped back): the listing that saw the file
    // absent is stamped after the one that saw it present. The mtime is then bounded by nothing
    // the plan can trust, so a forged one must not pass: the first listing that saw it decides.
    {
      case: 'inconsistent bounds (last absent after first seen), mtime forged into the past → first seen',
      mtime: pt('2026-11-01T00:00:00'),
      lastAbsentAt: pt('2026-11-12T00:00:00'),
      firstSeenAt: pt('2026-11-11T00:05:00'),
      expected: pt('2026-11-11T00:05:00'),
    },
    {
      case: 'inconsistent bounds, mtime between them → first seen',
      mtime: pt('2026-11-11T12:00:00'),
      lastAbsentAt: pt('2026-11-12T00:00:00'),
      firstSeenAt: pt('2026-11-11T00:05:00'),
      expected: pt('2026-11-11T00:05:00'),
    },
  ])('$case', ({ mtime, lastAbsentAt, firstSeenAt, expected }) => {
    expect(receiptTime({ mtime, firstSeenAt, lastAbsentAt }).toISOString()).toBe(expected.toISOString());
  });

  it('does not mutate its inputs', () => {
    const mtime = pt('2026-11-20T12:00:00');
    const firstSeenAt = pt('2026-11-11T00:05:00');
    const out = receiptTime({ mtime, firstSeenAt });
    expect(out).not.toBe(firstSeenAt);
    expect(mtime.toISOString()).toBe(pt('2026-11-20T12:00:00').toISOString());
  });
});

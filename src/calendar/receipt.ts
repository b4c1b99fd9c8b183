// Receipt time of an inbound file (spec/domain.md §2 "Receipt time"): the server mtime
// clamped into [last listing where the file was absent, first listing where it was present].
// Pure: no clock, no I/O.

export interface ReceiptInput {
  /** Modification time the sFTP server reported (the provider can forge it). */
  mtime: Date;
  /** Time of the first listing at which this version of the file was present. */
  firstSeenAt: Date;
  /** Time of the last listing at which the file was absent; null when the folder had never been listed. */
  lastAbsentAt?: Date | null;
}

/**
 * mtime clamped to [lastAbsentAt ?? -∞, firstSeenAt]. A lower bound later than the upper bound
 * (two pollers whose clocks disagree, a clock stepped back, a listing re-run with a past clock)
 * bounds the mtime by nothing the plan can trust: the first listing that saw the file decides,
 * never the mtime (which the provider can forge).
 */
export function receiptTime({ mtime, firstSeenAt, lastAbsentAt }: ReceiptInput): Date {
  const hi = firstSeenAt.getTime();
  if (lastAbsentAt && lastAbsentAt.getTime() > hi) return new Date(hi);
  let t = mtime.getTime();
  if (Number.isNaN(t)) t = hi;
  if (lastAbsentAt && t < lastAbsentAt.getTime()) t = lastAbsentAt.getTime();
  if (t > hi) t = hi;
  return new Date(t);
}

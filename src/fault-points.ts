// Fault injection for the crash tests: a process started with CALAIM_FAULT_POINT=<name> kills
// itself (SIGKILL, no clean-up) when it reaches that point. Unset in production: a no-op.
//
// Every point is named in this one list (faultPoint takes only these names), and the crash
// sweep (test/e2e/ingest-crash-sweep.test.ts) kills a poll at each of them in turn: a point
// added here is swept, a point not added here does not compile.

/** The points on the inbound path: taking an upload, applying it, answering it. In path order. */
export const INGEST_FAULT_POINTS = [
  /** Inside the submission's transaction, between applying a sheet and marking it applied. */
  'ingest-mid-apply',
  /** The submission is committed (APPLIED), nothing published yet. */
  'ingest-after-commit',
  /** The response is in downloads/; that is not recorded yet. */
  'respond-after-publish',
  /** The upload was moved out of uploads/; that is not recorded yet. */
  'respond-after-move',
  /** The liaison's email is written (outbox) or handed to SMTP; not recorded yet. */
  'notify-after-send',
  /** The email is recorded; the submission is not RESPONDED yet. */
  'respond-after-notify',
  /** RESPONDED; the poll state still remembers the upload. */
  'respond-after-responded',
] as const;

export type FaultPointName = (typeof INGEST_FAULT_POINTS)[number];

export function faultPoint(name: FaultPointName): void {
  if (process.env.CALAIM_FAULT_POINT === name) process.kill(process.pid, 'SIGKILL');
}

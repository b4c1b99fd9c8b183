// Fault points for the crash tests: named places on the inbound path where a test may kill the
// process. Production code is handed a FaultPoints function (default: nothing happens) and calls
// it at each point; it never looks at the environment. Only the command line's entry
// (src/cli/test-hooks.ts) turns CALAIM_FAULT_POINT into a function that kills the process.
//
// Every point is named in this one list (a FaultPoints call takes only these names), and the
// crash sweep (test/e2e/ingest-crash-sweep.test.ts) kills a poll at each of them in turn: a
// point added here is swept, a point not added here does not compile.

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

/** Told each time the path reaches a fault point. */
export type FaultPoints = (point: FaultPointName) => void;

/** What production runs with: reaching a point does nothing. */
export const NO_FAULTS: FaultPoints = () => undefined;

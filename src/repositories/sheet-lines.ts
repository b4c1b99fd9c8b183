// The lines of business a recorded sheet is a submission of, as SQL over a submission_sheets
// row: what verdicts ("already submitted"), digests and the diff's "earlier file" are keyed by.
//
// `lobs` holds the lines its rows named (migration 0016). Empty, the sheet is one of two kinds:
// - it has rows whose lines are unknown: recorded before lines were (0016 took them from the
//   rows that still counted, and a superseded or rejected sheet had none), or read no further
//   than its header (a missing column). It stands for every line, as '*'.
// - it has no data rows (a tab with a header and nothing under it, next to another with rows):
//   no submission of its type for any line.
// rows_read tells them apart: it was recorded for every sheet from the start.

/** The lines `s` (a submission_sheets alias) stands for: its lines, '{*}' or none. */
export const sheetLines = (s: string): string =>
  `(case when ${s}.lobs <> '{}' then ${s}.lobs when ${s}.rows_read > 0 then array['*'] else '{}'::text[] end)`;

// The reason ops give for a manual run (reprocess, republish), shared by the command line and
// the web pages. A module of its own, importing nothing: the CLI loads it for --help too.

/** A reason is kept in the run history: one line, at most this long. */
export const MAX_REASON = 500;

/** The reason as it is kept (whitespace folded); empty or over MAX_REASON is the caller's to refuse. */
export const normaliseReason = (value: string | undefined): string => (value ?? '').replace(/\s+/g, ' ').trim();

// A streaming CSV reader (RFC 4180 with the leniencies upstream extracts need: BOM, CRLF/LF/CR,
// blank lines skipped, blanks around values trimmed). It replaces csv-parse for imports because a
// malformed record must cost one row, never the file, and must never be described by its content:
// csv-parse's errors quote the raw field ("value is \"Garc\"") and its skip mode loses the rows after
// some quote errors. Here a malformed record comes back as a coded problem with its line number
// only, and reading resumes at the next line.

/** Why a record could not be read; the text for people is in CSV_PROBLEM_TEXT. */
export type CsvProblem = 'csv-stray-quote' | 'csv-text-after-quote';

export const CSV_PROBLEM_TEXT: Record<CsvProblem, string> = {
  'csv-stray-quote':
    'a double quote inside a value that does not start with one: put the whole value in double quotes and write each quote inside it twice ("")',
  'csv-text-after-quote':
    'text after the closing quote of a quoted value: put the whole value in double quotes and write each quote inside it twice ("")',
};

export type CsvRecord = { line: number; fields: string[] } | { line: number; problem: CsvProblem };

/** Raised when the file as a whole cannot be read; the message names a line, never a value. */
export class CsvFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvFileError';
  }
}

/** Longest record accepted: a quote never closed would otherwise read the rest of the file into memory. */
export const MAX_RECORD_CHARS = 1_000_000;

const QUOTE = 34; // "
const COMMA = 44;
const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;

type State =
  | 'field-start' // before a value (blanks skipped)
  | 'unquoted' // inside a value without quotes
  | 'quoted' // inside a quoted value
  | 'quote' // just after a quote inside a quoted value: closing, or the first of ""
  | 'after-quoted' // blanks after a closing quote
  | 'skip'; // a malformed record: ignore up to the end of the line

/** Records of a CSV text given in chunks (strings already decoded). */
export async function* csvRecords(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  let state: State = 'field-start';
  let fields: string[] = [];
  let field = '';
  let pendingBlanks = ''; // blanks inside an unquoted value, kept only if more text follows
  let problem: CsvProblem | undefined;
  let line = 1; // the physical line being read
  let recordLine = 1; // the line the current record started on
  let recordChars = 0;
  let lastWasCR = false; // a LF right after a CR belongs to the same line break
  let first = true;

  const endField = () => {
    fields.push(field);
    field = '';
    pendingBlanks = '';
  };

  for await (const chunk of chunks) {
    let text = chunk;
    if (first) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.length) first = false;
    }
    const out: CsvRecord[] = [];
    const endRecord = () => {
      if (state === 'skip') out.push({ line: recordLine, problem: problem! });
      else if (!(fields.length === 0 && state === 'field-start')) {
        endField();
        out.push({ line: recordLine, fields });
      }
      // else: a blank line, skipped
      fields = [];
      field = '';
      pendingBlanks = '';
      problem = undefined;
      state = 'field-start';
      recordChars = 0;
    };
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (recordChars > MAX_RECORD_CHARS)
        throw new CsvFileError(
          `the record starting on row ${recordLine} is over ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters` +
            (state === 'quoted' ? ': a quoted value opened there is probably never closed' : ''),
        );
      const c = text.charCodeAt(i);
      if (c === LF && lastWasCR) {
        // second half of a CRLF: the line break was counted on the CR
        lastWasCR = false;
        if (state === 'quoted') field += '\n';
        i++;
        continue;
      }
      lastWasCR = c === CR;
      const isBreak = c === LF || c === CR;
      if (isBreak) line++;
      switch (state) {
        case 'field-start':
          if (c === SPACE || c === TAB) break;
          if (c === QUOTE) state = 'quoted';
          else if (c === COMMA) endField();
          else if (isBreak) endRecord();
          else {
            state = 'unquoted';
            field = text[i]!;
          }
          break;
        case 'unquoted': {
          // take the run of ordinary characters at once
          let j = i;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (d === COMMA || d === QUOTE || d === CR || d === LF || d === SPACE || d === TAB) break;
            j++;
          }
          if (j > i) {
            field += pendingBlanks + text.slice(i, j);
            pendingBlanks = '';
            recordChars += j - i;
            i = j;
            continue;
          }
          if (c === SPACE || c === TAB) pendingBlanks += text[i]!;
          else if (c === COMMA) {
            endField();
            state = 'field-start';
          } else if (isBreak) endRecord();
          else {
            problem = 'csv-stray-quote';
            state = 'skip';
          }
          break;
        }
        case 'quoted': {
          let j = i;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (d === QUOTE || d === CR || d === LF) break;
            j++;
          }
          if (j > i) {
            field += text.slice(i, j);
            recordChars += j - i;
            i = j;
            continue;
          }
          if (c === QUOTE) state = 'quote';
          else field += text[i]!; // a line break inside a quoted value is part of it
          break;
        }
        case 'quote':
          if (c === QUOTE) {
            field += '"';
            state = 'quoted';
          } else if (c === COMMA) {
            endField();
            state = 'field-start';
          } else if (isBreak) endRecord();
          else if (c === SPACE || c === TAB) state = 'after-quoted';
          else {
            problem = 'csv-text-after-quote';
            state = 'skip';
          }
          break;
        case 'after-quoted':
          if (c === SPACE || c === TAB) break;
          if (c === COMMA) {
            endField();
            state = 'field-start';
          } else if (isBreak) endRecord();
          else {
            problem = 'csv-text-after-quote';
            state = 'skip';
          }
          break;
        case 'skip':
          if (isBreak) endRecord();
          break;
      }
      // after a record ends, the next one starts on the current line
      if (state === 'field-start' && fields.length === 0 && field === '') recordLine = line;
      recordChars++;
      i++;
    }
    yield* out;
  }
  if (state === 'quoted')
    throw new CsvFileError(`a quoted value on row ${recordLine} is never closed: the rest of the file cannot be read (close the quote, or write a quote inside a quoted value twice)`);
  if (state === 'skip') yield { line: recordLine, problem: problem! };
  else if (!(fields.length === 0 && state === 'field-start')) {
    fields.push(field);
    yield { line: recordLine, fields };
  }
}

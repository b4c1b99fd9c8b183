// The values a command line takes (record IDs, counts, months, days, --out paths), checked before anything is
// opened: a mistake is a usage error (exit 2, one line naming the flag and what it accepts),
// never a database or calendar error deep inside a command (exit 1 and a stack trace).
import fs from 'node:fs';
import path from 'node:path';
import { isPeriod } from '../calendar/period.js';
import { parseIsoDate } from '../calendar/zone.js';
import { MAX_RECORD_ID, parseRecordId } from '../../schemas/primitives.js';
import { fileProblem, folderProblem } from '../out-path.js';
import { UsageError } from './output.js';

/**
 * The years a date, month or instant on the command line may fall in. The calendar holds
 * 1900-2199 (schemas/primitives.ts isValidYmd); a year of room at each end keeps the months a
 * command derives from the one given (the period a receipt answers, the month before a CSASF
 * slot, the month after a deadline) inside it, in every time zone.
 */
export const FLAG_YEARS = { first: 1901, last: 2198 } as const;

const inYears = (year: number) => year >= FLAG_YEARS.first && year <= FLAG_YEARS.last;

/** A submission (or other record) number: digits, 1 to MAX_RECORD_ID (inside Postgres bigint). */
export function recordIdArgument(value: string, name = 'ID', what = 'a submission number'): number {
  nonEmpty(value, name, what);
  const id = parseRecordId(value);
  if (!id.ok) throw new UsageError(`${name}: ${value} is not ${what}: 1 to ${MAX_RECORD_ID}, digits only (see \`calaim-exchange submissions\`)`);
  return id.value;
}

/** A --limit: a whole number, 1 to MAX_RECORD_ID (the database refuses a LIMIT beyond bigint). */
export function countOption(value: string, flag: string): number {
  const n = parseRecordId(value);
  if (!n.ok) throw new UsageError(`${flag} takes a whole number from 1 to ${MAX_RECORD_ID}`);
  return n.value;
}

/** A --period: YYYY-MM, a real month within FLAG_YEARS. */
export function periodOption(value: string, flag: string): string {
  nonEmpty(value, flag, 'a month YYYY-MM');
  if (!isPeriod(value) || !inYears(Number(value.slice(0, 4))))
    throw new UsageError(`${flag}: ${value} is not a month from ${FLAG_YEARS.first}-01 to ${FLAG_YEARS.last}-12 (it takes YYYY-MM)`);
  return value;
}

/** A --date: YYYY-MM-DD, a real calendar date within FLAG_YEARS. */
export function dateOption(value: string, flag: string): string {
  let year: number;
  try {
    year = parseIsoDate(value).year;
  } catch (err) {
    throw new UsageError(`${flag}: ${(err as Error).message} (it takes YYYY-MM-DD)`);
  }
  if (!inYears(year)) throw new UsageError(`${flag}: ${value} is outside the years ${FLAG_YEARS.first} to ${FLAG_YEARS.last} (it takes YYYY-MM-DD)`);
  return value;
}

/** An instant given as `value` to `flag`, refused outside FLAG_YEARS (read in UTC). */
export function checkInstantYears(at: Date, value: string, flag: string): Date {
  if (!inYears(at.getUTCFullYear())) throw new UsageError(`${flag}: ${value} is outside the years ${FLAG_YEARS.first} to ${FLAG_YEARS.last}`);
  return at;
}

/**
 * A value that is there: '' (a shell variable that was not set) or blanks are refused, never read
 * as "no flag" (every type, the current folder, no wait, no provider).
 */
export function nonEmpty(value: string, flag: string, takes: string): string {
  if (value.trim() === '') throw new UsageError(`${flag} is empty: it takes ${takes}`);
  return value;
}

/** A --provider code as given (upper-cased where the command reads codes that way): never empty. */
export function providerOption(value: string, flag = '--provider'): string {
  return nonEmpty(value, flag, 'a provider code').trim();
}

/** The longest wait Node's timers hold (2^31 - 1 ms, in whole seconds): a longer one fires after 1 ms instead. */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Seconds as typed on a command line: digits, a fraction allowed; NaN otherwise (Number() would read '0x10' as 16, '1e2' as 100, ' 5' as 5). */
export const decimalSeconds = (value: string): number => (/^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN);

/** A number of seconds to wait: digits (a fraction allowed), 0 to MAX_TIMER_SECONDS. */
export function secondsOption(value: string, flag: string): number {
  const n = decimalSeconds(value);
  if (!(n >= 0 && n <= MAX_TIMER_SECONDS)) throw new UsageError(`${flag} takes a number of seconds: 0 to ${MAX_TIMER_SECONDS}, digits only`);
  return n;
}

/** An --out folder: an existing writable folder, or one that can be made (returned resolved). */
export function outFolderOption(value: string, flag: string): string {
  nonEmpty(value, flag, 'a folder');
  const problem = folderProblem(value);
  if (problem) throw new UsageError(`${flag}: ${problem}: it takes a folder`);
  return path.resolve(value);
}

/** An --out file (a report): not a folder, in a folder that exists or can be made (returned resolved). */
export function outFileOption(value: string, flag: string): string {
  nonEmpty(value, flag, 'the report file to write');
  const problem = fileProblem(value);
  if (problem) throw new UsageError(`${flag}: ${problem}: --out names the report file to write`);
  return path.resolve(value);
}

/**
 * The FILE a command reads (ingest's workbook, import's extract): one that is not there, or is
 * not a regular file, is the command line's mistake, refused before anything is opened.
 * `folder` is how the message names a folder given instead (each command's own word).
 */
export function inputFileArgument(file: string, takes: string, folder: string): string {
  // ('' or blanks: a shell variable that was not set, never "file not found: ")
  if (file.trim() === '') throw new UsageError(`FILE is empty: ${takes}`);
  if (!fs.existsSync(file)) throw new UsageError(`file not found: ${file}`);
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw new UsageError(`${file} is ${stat.isDirectory() ? folder : 'not a regular file'}, not a file: ${takes}`);
  return file;
}

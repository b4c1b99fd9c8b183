// Plan-local calendar arithmetic (spec/domain.md §2: "day" is the local calendar date in the
// plan's time zone, whatever the server's zone). All zone math goes through luxon; nothing
// here reads the clock or the process time zone.
import { DateTime } from 'luxon';
import { isValidYmd, type IsoDate } from '../../schemas/primitives.js';

/** The plan-local reading of an instant. */
export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
  hour: number; // 0-23
  minute: number;
  second: number;
  millisecond: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Offset from UTC in minutes at that instant (Pacific: -480 standard, -420 daylight). */
  offsetMinutes: number;
  /** Zone abbreviation at that instant, e.g. PST / PDT. */
  zoneAbbreviation: string;
  /** The local calendar date, YYYY-MM-DD. */
  date: IsoDate;
  /** The local wall-clock time, HH:mm:ss. */
  time: string;
}

/** Throws a RangeError for a zone name the runtime does not know. */
export function assertTimeZone(tz: string): void {
  if (!DateTime.fromMillis(0).setZone(tz).isValid) throw new RangeError(`unknown time zone ${JSON.stringify(tz)}`);
}

function inZone(instant: Date, tz: string): DateTime {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new RangeError('invalid instant');
  const dt = DateTime.fromJSDate(instant, { zone: tz });
  if (!dt.isValid) throw new RangeError(`unknown time zone ${JSON.stringify(tz)}`);
  return dt;
}

/** Parses an IsoDate strictly (YYYY-MM-DD, a real calendar date); throws RangeError. */
export function parseIsoDate(date: IsoDate): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`expected a date as YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!isValidYmd(year, month, day)) throw new RangeError(`${date} is not a real calendar date`);
  return { year, month, day };
}

export function localParts(instant: Date, tz: string): LocalParts {
  const dt = inZone(instant, tz);
  return {
    year: dt.year,
    month: dt.month,
    day: dt.day,
    hour: dt.hour,
    minute: dt.minute,
    second: dt.second,
    millisecond: dt.millisecond,
    weekday: dt.weekday,
    offsetMinutes: dt.offset,
    // read when asked: naming the zone goes through Intl, most of a call's time (~0.1 ms), and
    // the period of every receipt (three times a file) needs only the date
    get zoneAbbreviation() {
      return dt.toFormat('ZZZZ');
    },
    date: dt.toFormat('yyyy-MM-dd'),
    time: dt.toFormat('HH:mm:ss'),
  };
}

/** The plan-local calendar date of an instant. */
export function localDate(instant: Date, tz: string): IsoDate {
  return inZone(instant, tz).toFormat('yyyy-MM-dd');
}

/** The first instant of a local calendar day (local midnight, or the first valid time after it). */
export function startOfLocalDay(date: IsoDate, tz: string): Date {
  const { year, month, day } = parseIsoDate(date);
  const dt = DateTime.fromObject({ year, month, day }, { zone: tz });
  if (!dt.isValid) throw new RangeError(`unknown time zone ${JSON.stringify(tz)}`);
  return dt.startOf('day').toJSDate();
}

/**
 * A local wall-clock time (`HH:mm` or `HH:mm:ss`) on a local date → the instant.
 * DST: a time that does not exist (the spring-forward gap, e.g. 02:30 on 2026-03-08 Pacific)
 * is moved forward by the gap (03:30 PDT); a time that occurs twice (01:30 on 2026-11-01
 * Pacific) is the first occurrence (daylight time, PDT).
 */
export function localDateTimeToInstant(date: IsoDate, time: string, tz: string): Date {
  const { year, month, day } = parseIsoDate(date);
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!m) throw new RangeError(`expected a time as HH:mm or HH:mm:ss, got ${JSON.stringify(time)}`);
  const [hour, minute, second] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) throw new RangeError(`${time} is not a valid time of day`);
  const dt = DateTime.fromObject({ year, month, day, hour, minute, second }, { zone: tz });
  if (!dt.isValid) throw new RangeError(`unknown time zone ${JSON.stringify(tz)}`);
  const candidates = dt.getPossibleOffsets();
  const first = candidates.reduce((a, b) => (b.toMillis() < a.toMillis() ? b : a), candidates[0] ?? dt);
  return first.toJSDate();
}

/**
 * A date as people read it here: MM/DD/YYYY ("12/01/2026"), the one format of every message,
 * workbook and email, the same as the date cells' number format.
 */
export function spellDate(date: IsoDate): string {
  const { year, month, day } = parseIsoDate(date);
  return `${String(month).padStart(2, '0')}/${String(day).padStart(2, '0')}/${String(year).padStart(4, '0')}`;
}

/** Text that is an ISO date (`2026-12-02`) as people read it (`12/02/2026`); any other text as it is. */
export function showIsoDate(text: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text.slice(5, 7)}/${text.slice(8, 10)}/${text.slice(0, 4)}` : text;
}

/** An instant in the plan's zone as people read it: "11/11/2026 at 12:30 AM PST". */
export function spellInstant(instant: Date, tz: string): string {
  return inZone(instant, tz).setLocale('en-US').toFormat("MM/dd/yyyy 'at' h:mm a ZZZZ");
}

/** An instant in the plan time zone, ISO with its offset (JSON) or as people read it (text). */
export const localIso = (d: Date, tz: string): string => DateTime.fromJSDate(d, { zone: tz }).toISO() ?? d.toISOString();
export const localText = (d: Date, tz: string): string => DateTime.fromJSDate(d, { zone: tz }).toFormat('yyyy-MM-dd HH:mm:ss ZZZZ');

// Rows of an upstream extract as header-keyed string records, streamed: CSV via csv.ts,
// xlsx via our streaming reader. Row numbers are the ones a person sees in the file.
import fs from 'node:fs';
import path from 'node:path';
import { excelSerialToDate, paddedDigits } from '../../schemas/primitives.js';
import type { NumberCell } from '../../schemas/upstream.js';
import { CSV_PROBLEM_TEXT, CsvFileError, csvRecords, type CsvProblem } from './csv.js';
import { columnLetter } from '../xlsx/cell-ref.js';
import { isCellDate, isCellError, type CellValue } from '../xlsx/types.js';

/** A row that could not be read into a record: a code and a sentence (and the column, where one is to blame), never a value. */
export interface RowProblem { code: CsvProblem | 'csv-field-count' | 'csv-encoding' | 'xlsx-cell-error' | 'xlsx-number-identifier'; message: string; column?: string }
export interface TableRow { rowNumber: number; record: Record<string, string>; problem?: RowProblem }
/** A column with no header name that holds values (A-style letter; rows: how many rows have one there). */
export interface UnnamedColumn { column: string; rows: number }
export interface Table {
  /** The named columns of the header row (a column with no name is not one). */
  header: string[];
  rows: AsyncIterable<TableRow>;
  /** Once the rows are read: the columns with no header name that held values, left to right. */
  unnamedColumns(): UnnamedColumn[];
}

/** Counts, per 0-based column with no header name, the rows holding a value there. */
class UnnamedTally {
  private readonly counts = new Map<number, number>();
  constructor(private readonly names: readonly (string | undefined)[]) {}
  see(cells: readonly unknown[], blank: (v: unknown) => boolean): void {
    for (let i = 0; i < cells.length; i++)
      if (!this.names[i] && !blank(cells[i])) this.counts.set(i, (this.counts.get(i) ?? 0) + 1);
  }
  result(): UnnamedColumn[] {
    return [...this.counts].sort((a, b) => a[0] - b[0]).map(([i, rows]) => ({ column: columnLetter(i + 1), rows }));
  }
}

export class TableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TableError';
  }
}

/**
 * An operating system error reading the file (permissions, a folder, a disk error) as a
 * TableError naming its code, never a value from the file; anything else is returned as it was.
 */
function unreadable(err: unknown, file: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code === 'string' && typeof e.syscall === 'string') return new TableError(`${file} cannot be read (${e.code})`);
  return err;
}

function cellText(v: CellValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (isCellDate(v)) return v.date;
  if (isCellError(v)) return '';
  return String(v);
}

/** What the UTF-8 decoder makes of bytes that are not UTF-8. */
const NOT_UTF8 = '\uFFFD';

async function openCsv(file: string): Promise<Table> {
  const stream = fs.createReadStream(file, { encoding: 'utf8' });
  const it = csvRecords(stream as AsyncIterable<string>)[Symbol.asyncIterator]();
  const next = async () => {
    try {
      return await it.next();
    } catch (err) {
      if (err instanceof CsvFileError) throw new TableError(err.message);
      throw unreadable(err, file);
    }
  };
  const first = await next();
  if (first.done) {
    stream.destroy();
    throw new TableError('the file is empty: expected a header row');
  }
  if ('problem' in first.value) {
    stream.destroy();
    throw new TableError(`the header row (row ${first.value.line}) cannot be read: ${CSV_PROBLEM_TEXT[first.value.problem]}`);
  }
  const names = first.value.fields.map((h) => h.trim());
  const header = names.filter(Boolean);
  const unnamed = new UnnamedTally(names);
  // Excel's other text formats read as one column, every name missing: say what the file is
  const notCsv = names.join(',').includes('\u0000')
    ? 'the file is UTF-16 text (Excel\'s "Unicode Text")'
    : names.length === 1 && /[;\t]/.test(names[0]!)
      ? `the file is separated by ${names[0]!.includes('\t') ? 'tabs' : 'semicolons'}, not commas`
      : undefined;
  if (notCsv) {
    stream.destroy();
    throw new TableError(`${notCsv}: save it as "CSV UTF-8 (Comma delimited)"`);
  }
  async function* rows(): AsyncGenerator<TableRow> {
    try {
      for (;;) {
        const n = await next();
        if (n.done) return;
        const r = n.value;
        if ('problem' in r) {
          yield { rowNumber: r.line, record: {}, problem: { code: r.problem, message: CSV_PROBLEM_TEXT[r.problem] } };
          continue;
        }
        // a row of empty cells (Excel saves formatted blank rows as ",,,") is a blank line, as in a workbook
        if (r.fields.every((f) => f.trim() === '')) continue;
        if (r.fields.length !== names.length) {
          // A short row would blank every missing column of the record it updates; a long one has
          // its values shifted. Either way no value can be trusted to its column.
          yield {
            rowNumber: r.line,
            record: {},
            problem: {
              code: 'csv-field-count',
              message: `the row has ${r.fields.length} field(s) but the header has ${names.length}: it is refused whole ` +
                '(a line cut short, or a comma inside a value that is not in double quotes)',
            },
          };
          continue;
        }
        if (r.fields.some((f) => f.includes(NOT_UTF8))) {
          // bytes that are no UTF-8 (a file saved as Windows-1252: Peña) decode to U+FFFD: stored,
          // the name or address would be altered for good
          yield {
            rowNumber: r.line,
            record: {},
            problem: {
              code: 'csv-encoding',
              message: 'the row has characters that are not UTF-8 text (a file saved in another encoding): it is refused whole; save the file as "CSV UTF-8"',
            },
          };
          continue;
        }
        const rec: Record<string, string> = {};
        names.forEach((h, i) => { if (h) rec[h] = r.fields[i]!; });
        unnamed.see(r.fields, (f) => (f as string).trim() === '');
        yield { rowNumber: r.line, record: rec };
      }
    } finally {
      stream.destroy();
    }
  }
  return { header, rows: rows(), unnamedColumns: () => unnamed.result() };
}

const isBlankCell = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/**
 * A number cell of a column as text (NumberCell), or null when the column refuses it: the
 * digits of an identifier Excel kept as a number, zero-padded to the width it shows; the date a
 * bare serial counts to; else the number's digits.
 */
function numberText(n: number, rule: NumberCell | undefined, date1904: boolean): string | null {
  if (rule === 'identifier') return null;
  if (rule === 'date') {
    const d = excelSerialToDate(n, date1904);
    return d.ok ? d.value : String(n);
  }
  return (rule ? paddedDigits(n, rule.digits) : undefined) ?? String(n);
}

async function openXlsx(file: string, expected: readonly string[], known: readonly string[], numberCells: Readonly<Record<string, NumberCell>>): Promise<Table> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    throw unreadable(err, file);
  }
  // Loaded on demand: CSV imports never pay for the xlsx stack.
  const { readWorkbook, XlsxReadError } = await import('../xlsx/reader.js');
  const wanted = new Set(expected);
  const workbook = readWorkbook(bytes, {
    // The header row is the first row carrying most of the expected column names.
    recognise: (cells) => {
      const labels = cells.map((c) => cellText(c).trim());
      const hits = labels.filter((l) => wanted.has(l)).length;
      return hits >= Math.max(1, Math.ceil(expected.length / 2)) ? labels : null;
    },
    maxRows: 5_000_000,
    maxColumns: 200,
  })[Symbol.asyncIterator]();
  // a file that is not a workbook (a CSV renamed .xlsx) is found on the first read, or later
  const events = {
    next: async () => {
      try {
        return await workbook.next();
      } catch (err) {
        // the reader's message is plain and carries no cell value
        if (err instanceof XlsxReadError) throw new TableError(err.message);
        throw unreadable(err, file);
      }
    },
  };
  let header: string[] | undefined;
  let sheet: string | undefined;
  let date1904 = false;
  for (;;) {
    const n = await events.next();
    if (n.done) break;
    if (n.value.type === 'sheet') {
      header = n.value.match;
      sheet = n.value.name;
      date1904 = n.value.date1904 === true;
      break;
    }
  }
  if (!header) throw new TableError(`no sheet has a header row with the expected columns (${expected.join(', ')})`);
  const cols = header;
  const read = new Set(known);
  const unnamed = new UnnamedTally(cols);
  async function* rows(): AsyncGenerator<TableRow> {
    for (;;) {
      const n = await events.next();
      if (n.done) return;
      const ev = n.value;
      if (ev.type === 'row' && ev.sheet === sheet) {
        // a formula's error (#N/A of a lookup) or a formula never calculated is no value: read as
        // blank it says "none" (an eligibility or a contract re-opened, a date cleared)
        const bad = cols.findIndex((h, i) => h && read.has(h) && isCellError(ev.cells[i]));
        if (bad >= 0) {
          yield {
            rowNumber: ev.rowNumber,
            record: {},
            problem: {
              code: 'xlsx-cell-error', column: cols[bad]!,
              message: `${cols[bad]!} is a formula error or a formula with no saved result: it is refused whole; fix the formula (or paste the values) and import again`,
            },
          };
          continue;
        }
        unnamed.see(ev.cells, isBlankCell);
        const rec: Record<string, string> = {};
        let refused: string | undefined;
        cols.forEach((h, i) => {
          if (!h) return;
          const v = ev.cells[i];
          const text = typeof v === 'number' && read.has(h) ? numberText(v, numberCells[h], date1904) : cellText(v).trim();
          if (text === null) refused ??= h;
          else rec[h] = text;
        });
        if (refused !== undefined) {
          yield {
            rowNumber: ev.rowNumber,
            record: {},
            problem: {
              code: 'xlsx-number-identifier', column: refused,
              message: `${refused} is a number cell: an identifier's leading zeros Excel may have dropped cannot be told; it is refused whole. ` +
                'Format the column as Text and type or paste the identifiers again (or import the extract as CSV)',
            },
          };
          continue;
        }
        yield { rowNumber: ev.rowNumber, record: rec };
      } else if (ev.type === 'sheet-end' && ev.name === sheet) {
        // [POLICY] an extract is one sheet: another sheet with its header holds rows this import
        // would leave out unsaid (an extract split across sheets), so the file is refused whole
        for (;;) {
          const more = await events.next();
          if (more.done) return;
          if (more.value.type === 'sheet')
            throw new TableError(`sheet "${more.value.name}" also has the extract's header row: an extract is one sheet ` +
              '(move its rows onto one sheet, or import that sheet as a file of its own); nothing was imported');
        }
      }
      else if (ev.type === 'limit') throw new TableError(`the file exceeds a size limit (${ev.code})`);
    }
  }
  return { header: cols.filter(Boolean), rows: rows(), unnamedColumns: () => unnamed.result() };
}

/**
 * `expected`: the columns every file has (how a workbook's header row is found); `known`: those
 * and the optional ones; `numberCells`: how a workbook's number cell of a column is read.
 */
export async function openTable(
  file: string, expected: readonly string[], known: readonly string[] = expected, numberCells: Readonly<Record<string, NumberCell>> = {},
): Promise<Table> {
  if (!fs.existsSync(file)) throw new TableError(`file not found: ${file}`);
  if (fs.statSync(file).isDirectory()) throw new TableError(`${file} is a folder, not a file`);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.txt') return openCsv(file);
  if (ext === '.xlsx' || ext === '.xlsm') return openXlsx(file, expected, known, numberCells);
  throw new TableError(`unsupported file type ${ext || '(none)'}: use .csv or .xlsx`);
}

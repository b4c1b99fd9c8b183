// Rows of an upstream extract as header-keyed string records, streamed: CSV via csv-parse,
// xlsx via our streaming reader. Row numbers are the ones a person sees in the file.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import { isCellDate, isCellError, type CellValue } from '../xlsx/types.js';

export interface TableRow { rowNumber: number; record: Record<string, string> }
export interface Table { header: string[]; rows: AsyncIterable<TableRow> }

export class TableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TableError';
  }
}

function cellText(v: CellValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (isCellDate(v)) return v.date;
  if (isCellError(v)) return '';
  return String(v);
}

async function openCsv(file: string): Promise<Table> {
  const parser = fs.createReadStream(file).pipe(
    parse({ bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true }),
  );
  const it = parser[Symbol.asyncIterator]() as AsyncIterator<{ record: string[]; info: { lines: number } }>;
  const first = await it.next();
  if (first.done) throw new TableError('the file is empty: expected a header row');
  const header = first.value.record.map((h) => h.trim());
  async function* rows(): AsyncGenerator<TableRow> {
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      const rec: Record<string, string> = {};
      header.forEach((h, i) => { rec[h] = n.value.record[i] ?? ''; });
      yield { rowNumber: n.value.info.lines, record: rec };
    }
  }
  return { header, rows: rows() };
}

async function openXlsx(file: string, expected: readonly string[]): Promise<Table> {
  const bytes = await fs.promises.readFile(file);
  // Loaded on demand: CSV imports never pay for the xlsx stack.
  const { readWorkbook } = await import('../xlsx/reader.js');
  const wanted = new Set(expected);
  const events = readWorkbook(bytes, {
    // The header row is the first row carrying most of the expected column names.
    recognise: (cells) => {
      const labels = cells.map((c) => cellText(c).trim());
      const hits = labels.filter((l) => wanted.has(l)).length;
      return hits >= Math.max(1, Math.ceil(expected.length / 2)) ? labels : null;
    },
    maxRows: 5_000_000,
    maxColumns: 200,
  })[Symbol.asyncIterator]();
  let header: string[] | undefined;
  let sheet: string | undefined;
  for (;;) {
    const n = await events.next();
    if (n.done) break;
    if (n.value.type === 'sheet') {
      header = n.value.match;
      sheet = n.value.name;
      break;
    }
  }
  if (!header) throw new TableError(`no sheet has a header row with the expected columns (${expected.join(', ')})`);
  const cols = header;
  async function* rows(): AsyncGenerator<TableRow> {
    for (;;) {
      const n = await events.next();
      if (n.done) return;
      const ev = n.value;
      if (ev.type === 'row' && ev.sheet === sheet) {
        const rec: Record<string, string> = {};
        cols.forEach((h, i) => { if (h) rec[h] = cellText(ev.cells[i]).trim(); });
        yield { rowNumber: ev.rowNumber, record: rec };
      } else if (ev.type === 'sheet-end' && ev.name === sheet) return;
      else if (ev.type === 'limit') throw new TableError(`the file exceeds a size limit (${ev.code})`);
    }
  }
  return { header: cols.filter(Boolean), rows: rows() };
}

export async function openTable(file: string, expected: readonly string[]): Promise<Table> {
  if (!fs.existsSync(file)) throw new TableError(`file not found: ${file}`);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.txt') return openCsv(file);
  if (ext === '.xlsx' || ext === '.xlsm') return openXlsx(file, expected);
  throw new TableError(`unsupported file type ${ext || '(none)'}: use .csv or .xlsx`);
}

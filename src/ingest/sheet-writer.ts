// The writing half of the read stage: each validated row is staged as it arrives, in batches,
// one batch in flight (Postgres stages, and with `applyEarly` applies, one batch while the next
// is read and validated; statements queue on the one client, in order, and at most two batches
// are held). It also records each sheet once, and the lines of business its rows name
// (verdicts, merges and digests are per line).
import type pg from 'pg';
import { LOB_CODES } from '../../schemas/codes.js';
import { copyLine } from '../db/copy.js';
import { stagedKeys } from '../repositories/staged-columns.js';
import type { FileTypeDefinition, RowRange } from '../filetypes/types.js';
import { defaultPlans, insertSheet, lookupPlans, stageRows } from '../repositories/submission-store.js';
import type { ValidatedRow } from '../validate/workbook.js';
import { mergeRange, newTally, type MergeTally } from './apply.js';
import { StagingBuffer } from './staging-buffer.js';

// Rows per batch. Each batch costs its statements' planning and round trips besides its rows:
// 5,000 against 2,000 took the CLI ingest of the bench's 100k-row RTF ~8% less wall time
// (farm-bench, 6 pairs, median A/B 0.92); 10,000 was no better (1.00 against 5,000), and leaves
// a longer last batch that nothing overlaps.
export const STAGE_BATCH = 5000;
/** Rows validated between two turns of the event loop while a batch's statements run. */
const YIELD_ROWS = 10;
const LOBS: ReadonlySet<string> = new Set(LOB_CODES);

export interface StagedSheet { id: number; type: FileTypeDefinition; keys: string[] }

export interface SheetWriterTarget {
  client: pg.PoolClient;
  submissionId: number;
  provider: string;
  /** First day of the reporting period (YYYY-MM-01). */
  periodDate: string;
  receivedAt: Date;
  /** The file type of a layout read (the registry's). */
  typeOf: (layout: string) => FileTypeDefinition;
  /** OTF_CORRECTIONS=replace-line: a correction replaces every earlier row of its line. */
  replaceLine: (type: FileTypeDefinition) => boolean;
}

/**
 * A validated row as one line of `COPY submission_rows (sheet_id, row_number, cin,
 * service_code, accepted, data)` in text format, made the moment the row is validated and
 * copied into the batch's buffer (staging-buffer.ts), so the row's objects and this string die
 * young. `data` is the values in `keys` order (the sheet's columns) as a JSON array, null where
 * blank or invalid.
 */
export function stagingLine(sheetId: number, keys: readonly string[], row: Pick<ValidatedRow, 'rowNumber' | 'cin' | 'accepted' | 'values' | 'inOrder'>): string {
  const values = row.values;
  // the validator's values in column order are the staged array as they are (JSON writes
  // undefined in an array as null), when the sheet's keys are its layout's columns, as staged
  const data = row.inOrder?.length === keys.length ? row.inOrder : keys.map((k) => values[k] ?? null);
  const service = typeof values.serviceCode === 'string' ? values.serviceCode : null;
  return copyLine([sheetId, row.rowNumber, row.cin ?? null, service, row.accepted, JSON.stringify(data)]);
}

export class SheetWriter {
  /** Sheet name → its submission_sheets row. */
  readonly sheets = new Map<string, StagedSheet>();
  /** Sheet name → the lines of business its rows name. */
  readonly lobs = new Map<string, Set<string>>();
  /** Sheet name → its merge by key so far (mergeRange per batch, finishMerge once read). */
  readonly tallies = new Map<string, MergeTally>();
  /** Sheet name → rows applied batch by batch (applyEarly only). */
  readonly appliedEarly = new Map<string, number>();
  batchesApplied = 0;
  private readonly staged = new StagingBuffer();
  /** Accepted rows' row-number range per sheet in the batch being staged. */
  private ranges = new Map<string, RowRange>();
  private inFlight: Promise<unknown>;
  private chainRunning = false;
  private sinceYield = 0;

  /** @param ready settles when the submission row is written: the first batch waits for it. */
  constructor(private readonly t: SheetWriterTarget, readonly applyEarly: boolean, ready: Promise<unknown>) {
    this.inFlight = ready;
  }

  tallyOf(name: string): MergeTally {
    return this.tallies.get(name) ?? this.tallies.set(name, newTally()).get(name)!;
  }

  lobsOf(name: string): string[] {
    return [...(this.lobs.get(name) ?? [])].sort();
  }

  /**
   * The validator's onRow: synchronous but for a sheet's first row and each full batch (a
   * promise per row would cost more than the row's staging).
   */
  readonly onRow = (row: ValidatedRow): Promise<void> | undefined => {
    const lob = row.values.mcpId;
    if (typeof lob === 'string' && LOBS.has(lob)) {
      const set = this.lobs.get(row.sheet);
      if (set) set.add(lob);
      else this.lobs.set(row.sheet, new Set([lob]));
    }
    if (!this.sheets.has(row.sheet)) return this.ensureSheet(row.sheet, row.layout.name).then(() => this.stage(row));
    return this.stage(row);
  };

  /** Records the sheet (once). A sheet with no row is recorded when the file is read. */
  async ensureSheet(name: string, layout: string): Promise<void> {
    if (this.sheets.has(name)) return;
    const type = this.t.typeOf(layout);
    await this.inFlight;
    const keys = stagedKeys(type.layout);
    const id = await insertSheet(this.t.client, { submissionId: this.t.submissionId, name, layout: type.name, provider: this.t.provider, period: this.t.periodDate, columns: keys });
    this.sheets.set(name, { id, type, keys });
  }

  /** Stages what is left and waits for every batch. */
  async finish(): Promise<void> {
    await this.flush();
    await this.inFlight;
  }

  private stage(row: ValidatedRow): Promise<void> | undefined {
    const sheet = this.sheets.get(row.sheet)!;
    this.staged.add(stagingLine(sheet.id, sheet.keys, row));
    if (row.accepted) {
      const range = this.ranges.get(row.sheet);
      if (!range) this.ranges.set(row.sheet, { from: row.rowNumber, to: row.rowNumber });
      else {
        range.from = Math.min(range.from, row.rowNumber);
        range.to = Math.max(range.to, row.rowNumber);
      }
    }
    if (this.staged.rows >= STAGE_BATCH) return this.flush();
    // While a batch's statements run, let the event loop turn now and then: the reader's
    // synchronous stretches would otherwise hold each statement's reply, and Postgres would wait
    // for the next statement of the chain (bench B at 100k rows, medians of 3: 8.9 s without,
    // 6.6 s every 25 rows, 6.5 s every 10).
    if (this.chainRunning && ++this.sinceYield >= YIELD_ROWS) {
      this.sinceYield = 0;
      return new Promise((resolve) => setImmediate(resolve));
    }
    return undefined;
  }

  private async flush(): Promise<void> {
    await this.inFlight;
    const lines = this.staged.take();
    if (!lines) return;
    const batchRanges = this.ranges;
    this.ranges = new Map();
    // Statements run one after another on the client (pg forbids overlapping queries); the
    // chain runs while this function returns and the reader moves on.
    this.chainRunning = true;
    this.inFlight = (async () => {
      await stageRows(this.t.client, lines);
      if (!this.applyEarly) return;
      // (look-ups, never a whole table hashed: see lookupPlans)
      await lookupPlans(this.t.client);
      for (const [name, range] of batchRanges) {
        const sheet = this.sheets.get(name)!;
        this.batchesApplied++;
        const n = await sheet.type.apply(this.t.client, sheet.id, this.t.provider, range);
        this.appliedEarly.set(name, (this.appliedEarly.get(name) ?? 0) + n);
        await mergeRange(this.t.client, { id: sheet.id, type: sheet.type, submissionId: this.t.submissionId, receivedAt: this.t.receivedAt }, this.t.provider,
          this.t.periodDate, this.tallyOf(name), { range, replaceLine: this.t.replaceLine(sheet.type) });
      }
      await defaultPlans(this.t.client);
    })().finally(() => {
      this.chainRunning = false;
    });
    this.inFlight.catch(() => undefined); // awaited by the next flush; never an unhandled rejection
  }
}

// Loads an upstream extract (providers, members, assignments, referrals, CS authorizations):
// every row validated by its zod schema and against the database, good rows upserted in
// bulk inside one transaction, bad rows listed with their row number and reason. A batch the
// database refuses is retried row by row (savepoints), so one bad row never stops the others
// and no raw database error reaches ops.
import path from 'node:path';
import type pg from 'pg';
import { UPSTREAM, type UpstreamKind } from '../../schemas/upstream.js';
import { localDate } from '../calendar/zone.js';
import { systemClock } from '../clock.js';
import { SETTINGS, type Config } from '../config.js';
import { withTransaction } from '../db/pool.js';
import { analyzeTables } from '../db/statistics.js';
import { log } from '../log.js';
import { upsertMembers } from '../repositories/members.js';
import { upsertProvidersAndContracts } from '../repositories/providers.js';
import { openUpstreamStaging, stagedUpstreamRows, stageUpstreamRows } from '../repositories/upstream-staging.js';
import { CS_AUTHORIZATIONS } from './cs.js';
import { applyDueSwitches, ECM_ASSIGNMENTS, queueLineSwitchAlerts, queueReferralConflictAlerts, REFERRALS, sendQueuedNotices, type DueSwitches, type QueuedNotice } from './ecm.js';
import {
  dedupe, fields, seen, upsertGuarded, type Applier, type ApplyCtx, type ImportConflict, type ImportDisagreement, type ImportLineSwitch, type ImportOlderThanReferral,
  type ImportRowWarning, type Row,
} from './common.js';
import { openTable, TableError } from './read-table.js';

export type { ImportConflict, ImportDisagreement, ImportLineSwitch, ImportOlderThanReferral, ImportRowWarning } from './common.js';

/** code is set for a row the CSV reader could not split into fields (csv-field-count, csv-stray-quote, csv-text-after-quote) or decode (csv-encoding), or a workbook row with a formula error in a column (xlsx-cell-error) or an identifier kept as a number (xlsx-number-identifier). */
export interface ImportReject { row: number; column?: string; message: string; code?: string }
/** Something about the file as a whole that loaded nothing wrong but left something out (no cell value). */
/** unnamed-column: a column with no header name holds values (its letter); they were not read. Or a row's warning (ImportRowWarning). */
export type ImportWarning = { code: 'unnamed-column'; column: string; message: string } | ImportRowWarning;
export interface ImportSummary {
  kind: UpstreamKind;
  file: string;
  rowsRead: number;
  rowsImported: number;
  rowsRejected: number;
  rejects: ImportReject[];
  ignoredColumns: string[];
  warnings: ImportWarning[];
  /** referrals: approved referrals not applied because the member is with another provider (also in rejects). */
  conflicts: ImportConflict[];
  /** ecm-assignments: where the extract and the provider's accepted RTF disagree, and which side was kept. */
  disagreements: ImportDisagreement[];
  /** ecm-assignments: rows naming the provider a referral's newer episode replaced (nothing applied). */
  olderThanReferral: ImportOlderThanReferral[];
  /**
   * ecm-assignments [POLICY LOB_SWITCH]: open assignments in another line of business the plan
   * ended because a row put the member in a line the file lists them in instead (the old line's
   * liaisons are emailed, without CINs).
   */
  lineSwitches: ImportLineSwitch[];
}

export interface ImportOptions {
  /** Settings: needed to alert liaisons (referral conflicts, line switches); without them nothing is emailed (and LOB_SWITCH is its default). */
  config?: Config;
  /** The import's instant (default: the wall clock). */
  now?: Date;
  /**
   * A probe (the tests'): told how many of the file's parsed rows the import holds in memory at
   * once, each time that number grows. Streamed, it is never more than a batch (IMPORT_BATCH).
   */
  onRowsHeld?: (rows: number) => void;
  /**
   * A probe (the tests'): called once the import's transaction has committed, before any email
   * is sent. A probe that throws stands for the process stopping there.
   */
  afterCommit?: () => void;
}

/** Rows per batch: checked, written and (referrals) staged together; the most rows an import holds. */
export const IMPORT_BATCH = 2000;

/**
 * An import that wrote at least this many rows analyzes the tables it writes (WRITES) once it has
 * committed: a file read in the minutes after a large extract is planned from them
 * (src/db/statistics.ts). A smaller one changes too little of a table to mislead its plans, and
 * autovacuum analyzes it in time.
 */
export const IMPORT_ANALYZE_ROWS = 1000;
/** The tables each kind of extract writes rows of. */
const WRITES: Record<UpstreamKind, readonly string[]> = {
  providers: ['providers', 'provider_contracts'],
  members: ['members'],
  'ecm-assignments': ['ecm_assignments', 'ecm_assignment_changes', 'ecm_assignment_pending'],
  referrals: ['ecm_referrals', 'ecm_assignments', 'ecm_assignment_changes'],
  'cs-authorizations': ['cs_authorizations'],
};

export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

export async function importUpstream(pool: pg.Pool, kind: UpstreamKind, file: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  const now = opts.now ?? systemClock();
  const spec = UPSTREAM[kind];
  let table;
  try {
    table = await openTable(file, spec.columns, [...spec.columns, ...spec.optionalColumns], spec.numberCells);
  } catch (err) {
    if (err instanceof TableError) throw new ImportFileError(err.message);
    throw err;
  }
  const missing = spec.columns.filter((c) => !table.header.includes(c));
  if (missing.length) {
    // a name written another way (CIN, Last Name) is named back: only one matching a column is, never another cell
    const loose = (h: string) => h.toLowerCase().replace(/[\s_-]+/g, '_');
    const near = missing.flatMap((c) => table.header.filter((h) => loose(h) === c).map((h) => `"${h}" for ${c}`));
    throw new ImportFileError(`missing column(s): ${missing.join(', ')} (header names must be exactly: ${spec.columns.join(', ')}` +
      `${near.length ? `; the header has ${near.join(', ')}` : ''})`);
  }
  const known: readonly string[] = [...spec.columns, ...spec.optionalColumns];
  // a column named twice (a lookup pasted beside the extract) has two values per row, and the
  // record would silently keep the last: no one can say which is the member's
  const twice = known.filter((c) => table.header.indexOf(c) !== table.header.lastIndexOf(c));
  if (twice.length) throw new ImportFileError(`column(s) named more than once in the header: ${twice.join(', ')} (keep one of each)`);
  const ignoredColumns = table.header.filter((h) => !known.includes(h));

  const summary: ImportSummary = { kind, file, rowsRead: 0, rowsImported: 0, rowsRejected: 0, rejects: [], ignoredColumns, warnings: [], conflicts: [], disagreements: [], olderThanReferral: [], lineSwitches: [] };
  const reject = (row: number, message: string, column?: string) => {
    summary.rowsRejected++;
    summary.rejects.push({ row, message, ...(column ? { column } : {}) });
  };
  const applier = APPLIERS[kind];
  const rowWarnings: ImportRowWarning[] = [];
  const ctx: ApplyCtx = {
    reject, warn: (w) => rowWarnings.push(w), state: new Map(), now, header: table.header, conflicts: summary.conflicts, disagreements: summary.disagreements, olderThanReferral: summary.olderThanReferral,
    lineSwitches: summary.lineSwitches, lobSwitch: opts.config?.LOB_SWITCH ?? 'end-other-lines', fileName: path.basename(file),
    today: localDate(now, opts.config?.PLAN_TIME_ZONE ?? SETTINGS.PLAN_TIME_ZONE.default),
  };
  const due: { switches?: DueSwitches; alerts: QueuedNotice[] } = { alerts: [] };
  try {
    await withTransaction(pool, async (client) => {
      // the switches an earlier assignment extract planned for today or before first: the rows
      // are checked against who holds the members on the import's day
      if (kind === 'ecm-assignments' || kind === 'referrals') due.switches = await applyDueSwitches(client, now, opts.config?.PLAN_TIME_ZONE ?? SETTINGS.PLAN_TIME_ZONE.default);
      let batch: Row[] = [];
      const flush = async () => {
        if (!batch.length) return;
        const accepted = await applier.check(client, batch, ctx);
        if (accepted.length) summary.rowsImported += await upsertGuarded(client, applier, accepted, ctx);
        batch = [];
      };
      // An applier with an order (referrals: approval order) sees the file's valid rows in it,
      // whatever the batches: they are staged as they are read, a batch at a time, in the
      // transaction's own table, and checked and written from there in that order, a batch at a
      // time. So the import holds a batch of the file's rows, never the file (it held them all to
      // sort them, growing with the file).
      const { orderKey } = applier;
      let staging = false;
      const stage = async () => {
        if (!batch.length || !orderKey) return;
        if (!staging) {
          await openUpstreamStaging(client);
          staging = true;
        }
        await stageUpstreamRows(client, batch.map((r) => {
          const { __row, ...data } = r;
          return { row: __row, key: orderKey(r), data };
        }));
        batch = [];
      };
      const full = orderKey ? stage : flush;
      for await (const { rowNumber, record, problem } of table.rows) {
        // [POLICY] the header again (two extracts joined into one file) is no row, as in a provider's workbook
        if (!problem && spec.columns.every((c) => record[c]?.trim() === c)) continue;
        summary.rowsRead++;
        if (problem) {
          summary.rowsRejected++;
          summary.rejects.push({ row: rowNumber, message: problem.message, code: problem.code, ...(problem.column ? { column: problem.column } : {}) });
          continue;
        }
        const parsed = spec.schema.safeParse(record);
        if (!parsed.success) {
          const first = parsed.error.issues[0]!;
          const column = first.path.map(String).join('.') || undefined;
          const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'row'} ${i.message}`).join('; ');
          reject(rowNumber, msg, column);
          continue;
        }
        batch.push({ ...(parsed.data as Record<string, unknown>), __row: rowNumber });
        opts.onRowsHeld?.(batch.length);
        if (batch.length >= IMPORT_BATCH) await full();
      }
      if (orderKey) {
        await stage();
        if (staging)
          for await (const rows of stagedUpstreamRows(client, IMPORT_BATCH)) {
            batch = rows.map((r): Row => ({ ...r.data, __row: r.row }));
            opts.onRowsHeld?.(batch.length);
            await flush();
          }
      }
      await flush();
      if (applier.finish) await applier.finish(client, ctx);
      // the liaisons' alerts are recorded with what they are about: a process that stops after
      // the commit leaves them to the notify job, never lost (without settings nobody is emailed)
      if (opts.config) {
        const fileName = path.basename(file);
        due.alerts.push(...await queueReferralConflictAlerts(client, fileName, [...summary.conflicts].sort((a, b) => a.row - b.row), now));
        due.alerts.push(...await queueLineSwitchAlerts(client, fileName, summary.lineSwitches, now));
      } else if (summary.conflicts.length || summary.lineSwitches.length) {
        log.warn({ conflicts: summary.conflicts.length, lineSwitches: summary.lineSwitches.length }, 'import alerts: no settings given, liaisons not alerted');
      }
    });
    opts.afterCommit?.();
  } catch (err) {
    if (err instanceof TableError) throw new ImportFileError(err.message);
    throw err;
  }
  if (summary.rowsImported >= IMPORT_ANALYZE_ROWS) {
    // (committed already: a failure here costs plans until autovacuum runs, never the import)
    await analyzeTables(pool, WRITES[kind]).catch((err: unknown) => log.warn({ kind, err: err instanceof Error ? err.message : String(err) }, 'import: the tables it wrote were not analyzed (autovacuum will)'));
  }
  // [POLICY] values under a column with no header are read as no column's: said, never guessed at
  summary.rejects.sort((a, b) => a.row - b.row);
  // a row the database refused after its checks carries no disagreement, nor warning: nothing of it was written
  const refused = new Set(summary.rejects.map((r) => r.row));
  const unnamed = table.unnamedColumns();
  summary.warnings = [
    ...unnamed.map(({ column, rows }): ImportWarning => ({
      code: 'unnamed-column', column,
      message: `column ${column} has no header but holds values in ${rows} row(s): they were not imported (name the column, or delete it)`,
    })),
    ...rowWarnings.filter((w) => !refused.has(w.row)),
  ];
  summary.disagreements = summary.disagreements.filter((d) => !refused.has(d.row)).sort((a, b) => a.row - b.row);
  summary.olderThanReferral = summary.olderThanReferral.filter((d) => !refused.has(d.row)).sort((a, b) => a.row - b.row);
  summary.conflicts.sort((a, b) => a.row - b.row);
  log.info({
    kind, rowsRead: summary.rowsRead, rowsImported: summary.rowsImported, rowsRejected: summary.rowsRejected,
    conflicts: summary.conflicts.length, disagreements: summary.disagreements.length, olderThanReferral: summary.olderThanReferral.length,
    lineSwitches: summary.lineSwitches.length,
    ...(unnamed.length ? { unnamedColumns: unnamed.map((x) => x.column) } : {}),
    ...(summary.warnings.length > unnamed.length ? { contractsWithoutRecipient: summary.warnings.length - unnamed.length } : {}),
  }, 'upstream import done');
  // (each queued with what it is about, which the import's transaction committed)
  await sendQueuedNotices(opts.config, pool, [...(due.switches?.notices ?? []), ...due.alerts], now);
  return summary;
}

const APPLIERS: Record<UpstreamKind, Applier> = {
  providers: {
    async check(_c, rows, { reject, warn, state }) {
      const ids = seen(state, 'provider') as Map<string, { npi: string; tin: string; name: string; row: number }>;
      const keys = seen(state, 'contract');
      const out: Row[] = [];
      for (const r of rows) {
        const code = String(r.provider_code);
        const first = ids.get(code);
        if (first && (first.npi !== r.npi || first.tin !== r.tin || first.name !== r.name)) {
          reject(r.__row, `provider ${code} has a different NPI, TIN or name on row ${first.row}: one provider code is one organisation`);
          continue;
        }
        if (!first) ids.set(code, { npi: String(r.npi), tin: String(r.tin), name: String(r.name), row: r.__row });
        // [POLICY] imported all the same (the provider may be onboarded before its people are
        // known): its emails are recorded as failed, "no recipient on file", and ops alerted
        if (!r.contact_email && !r.liaison_email)
          warn({ code: 'no-recipient', row: r.__row, message: `row ${r.__row}: contract ${code} ${String(r.lob)} ${String(r.program)} has neither a contact nor a liaison address: its files and responses are published, but nobody is emailed (ops are alerted instead)` });
        out.push(r);
      }
      return dedupe(out, (r) => `${String(r.provider_code)}|${String(r.lob)}|${String(r.program)}`, keys, reject, 'contract (provider_code, lob, program)');
    },
    async upsert(c, rows, { now, header }) {
      // without the contract_end column the extract says nothing of ends: the ones on file stay
      await upsertProvidersAndContracts(c, fields<'providers'>(rows), now, { ends: header.includes('contract_end') });
    },
  },

  members: {
    async check(_c, rows, { reject, state }) {
      return dedupe(rows, (r) => String(r.cin), seen(state, 'cin'), reject, 'CIN');
    },
    async upsert(c, rows, { header }) {
      // an optional column the header lacks says nothing: what is on file stays (eligibility, PCP)
      await upsertMembers(c, fields<'members'>(rows), header);
    },
  },

  'ecm-assignments': ECM_ASSIGNMENTS,
  referrals: REFERRALS,
  'cs-authorizations': CS_AUTHORIZATIONS,
};

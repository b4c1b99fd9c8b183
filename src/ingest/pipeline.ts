// The inbound pipeline for one file, as named stages over one state object (IngestRun):
//
//   resume → record → classify → read (validate, stage, apply early) → decide verdict
//          → apply (merge by key, diff) → answer (issues, response workbook, commit)
//
// Everything from the submission row to the stored response happens in ONE transaction: a
// crash leaves the submission fully applied or not at all. Publishing the response and moving
// the source file happen after commit (respond.ts) and are resumable. The SQL is in
// src/repositories/submission-store.ts; the batching of staged rows in ./sheet-writer.ts.
import type pg from 'pg';
import {
  declinedParams, deadlinePolicyFromConfig, localDate, nextPeriod, periodDay, periodForReceipt, periodLastDay, reportingPeriodLabel, submissionVerdict,
  submissionWindow, spellInstant, verdictLabel, type DeadlinePolicy, type Verdict,
} from '../calendar/index.js';
import { showIsoDate } from '../calendar/zone.js';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { putBlob, sha256 as hashOf } from '../db/blobs.js';
import { NO_FAULTS, type FaultPoints } from '../fault-points.js';
import { ContextRules } from '../filetypes/context-rules.js';
import { INBOUND_TYPES } from '../filetypes/registry.js';
import type { FileTypeRegistry } from '../filetypes/types.js';
import { log } from '../log.js';
import {
  appliedUnanswered, begin, commit, earlierSheetErrors, earlierTypeLines, firstReadCopy, insertIssues, insertSubmission, lockProviderSubmissions,
  markApplied, markSheetApplied, nextSubmissionId, previousSheet, rejectStagedRows, reportedEarlier, rollback, rollbackToSavepoint, savepoint, storedSubmission,
  submissionNames, updateSheetCounts,
} from '../repositories/submission-store.js';
import { rejectedSheetName, responseToBuffer } from '../reports/response.js';
import { validateFile, type FileValidation } from '../validate/file.js';
import { makeIssue, type Issue } from '../validate/issues.js';
import { computeOutcome, type Outcome } from '../validate/outcome.js';
import { RejectedRowCollector } from '../validate/rejected.js';
import { finishMerge, mergeRange, type MergeStats } from './apply.js';
import { loadProviderContext, type ProviderContext } from './context.js';
import type { Fence } from './fence.js';
import { responseName, typesSuggestedByName } from './names.js';
import { SheetWriter, type StagedSheet } from './sheet-writer.js';

export { stagingLine } from './sheet-writer.js';

export interface InboundFile {
  provider: string;
  originalName: string;
  bytes: Buffer;
  /** The bytes' SHA-256 (hex) when the caller has it already (the sFTP download hashes what it read); computed otherwise. */
  sha256?: string;
  /** Receipt time after the clamp (spec §2); for `ingest`, the --received-at given. */
  receivedAt: Date;
  serverMtime?: Date | null;
  firstSeenAt?: Date | null;
  lastAbsentAt?: Date | null;
  source: 'sftp' | 'cli' | 'reprocess';
  /** Remote path the upload was taken from (sFTP): where the upload is moved from once answered. */
  uploadPath?: string;
  /** A stored file read again by ops (`reprocess`): never a duplicate of itself, linked to the attempt it answers again. */
  reprocess?: Reprocess;
}

export interface Reprocess {
  /** The submission answered again. */
  of: number;
  /** It and the submissions it answered again in turn: none of them makes this file a resubmission. */
  chain: readonly number[];
  reason: string;
  runId: number | null;
  /** The submission answered again had rows applied (they keep counting if this attempt is rejected). */
  earlierApplied: boolean;
}

/** The `ingest --json` document (DESIGN.md §2: names are a contract; fields may be added). */
export interface IngestDocument {
  file: string;
  sha256: string;
  outcome: Outcome;
  verdict: Verdict | null;
  period: string | null;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  warnings: number;
  sheets: { name: string; layout: string; rowsRead: number; rowsAccepted: number; rowsRejected: number; warnings: number }[];
  fileErrors: { code: string; message: string; sheet?: string }[];
  issues: { sheet: string | null; row: number | null; column: string | null; columnLetter: string | null; code: string; severity: string; message: string; cin?: string }[];
  report: string | null;
  provider: string;
  submissionId: number;
  duplicateOf?: number;
  /** Earlier submissions some of whose rows this file updated (corrections merge by key). */
  supersedes?: { submissionId: number; file: string; sheet: string }[];
  /** Compared with the latest earlier file of the same type and line: errors fixed, still failing, new, and not sent again. */
  diff?: { fixed: number; stillFailing: number; new: number; notResent?: number };
  /** What each sheet did, per line of business: rows updated (from which submissions), added, kept from earlier files. */
  merge?: {
    sheet: string; layout: string; lob: string; updated: number; added: number; kept: number; updatedFrom: { submissionId: number; rows: number }[];
    // (MergeStats, src/ingest/apply.ts; absent from documents made before they were counted)
    withdrawn?: number; withdrawnFrom?: { submissionId: number; rows: number }[]; heldByLater?: number;
  }[];
  responseName: string;
}

export interface Ingested {
  submissionId: number;
  document: IngestDocument;
  response: { name: string; bytes: Buffer };
  /** The submission was already applied by an earlier, interrupted attempt. */
  resumed: boolean;
  /** Liaison notification text (counts and outcome only). */
  liaisonSummary: string;
  /** Whose file it is and where its answer goes (whom it is emailed to: ./recipients.ts). */
  context: Pick<ProviderContext, 'code' | 'sftpFolder'>;
}

function docIssues(issues: readonly Issue[]): IngestDocument['issues'] {
  return issues.map((i) => ({ sheet: i.sheet, row: i.row, column: i.column, columnLetter: i.columnLetter, code: i.code, severity: i.severity, message: i.message, ...(i.cin ? { cin: i.cin } : {}) }));
}

/** Issues found after the validator finished (file-wide warnings, the deadline): counts follow. */
function addLate(v: FileValidation, issues: Issue[]): void {
  for (const i of issues) {
    v.countsByCode[i.code] = (v.countsByCode[i.code] ?? 0) + 1;
    if (i.severity === 'warning') v.warnings++;
    if (i.severity === 'error' && i.row === null) v.fileErrors.push(i);
    else v.issues.push(i);
  }
  if (v.fileErrors.length) {
    for (const s of v.sheets) {
      s.rowsRejected = s.rowsRead;
      s.rowsAccepted = 0;
    }
    v.rowsRejected = v.rowsRead;
    v.rowsAccepted = 0;
  }
  v.outcome = computeOutcome({ fileErrors: v.fileErrors.length, rowsRead: v.rowsRead, rowsRejected: v.rowsRejected, warnings: v.warnings });
}

// An error is matched across files by its member (the CIN, or the CIN an ID-card number starts
// with: the validator names it on the issue), column and code: a correction rarely keeps row
// numbers (the response's "Rejected rows" sheet renumbers them). A row naming no member (its CIN
// blank, malformed or a placeholder) can be matched by nothing else but its row number: right
// when the file is corrected in place; otherwise its error shows as not sent again.
const errorKey = (i: { cin?: string | null; row: number | null; column: string | null; code: string }) => `${i.cin ?? `row ${i.row}`}|${i.column ?? ''}|${i.code}`;

/**
 * The (file type, line of business) pairs a file carries; a sheet whose rows named no line
 * stands for its type alone ('*'), and a sheet with no rows for nothing (as sheetLines in
 * src/repositories/sheet-lines.ts reads them back).
 */
function fileLinePairs(sheets: readonly { name: string; layout: string; rowsRead: number }[], lobs: ReadonlyMap<string, ReadonlySet<string>>): [string, string][] {
  const out = new Map<string, [string, string]>();
  for (const s of sheets) {
    if (s.rowsRead === 0) continue;
    const set = lobs.get(s.name);
    if (!set?.size) out.set(`${s.layout}|*`, [s.layout, '*']);
    else for (const lob of set) out.set(`${s.layout}|${lob}`, [s.layout, lob]);
  }
  return [...out.values()];
}

const mergeText = (m: MergeStats, names: ReadonlyMap<number, string>): string => {
  const list = (l: MergeStats['updatedFrom']) => l.map((f) => `${f.rows} from ${names.get(f.submissionId) ?? 'an earlier file'} (submission ${f.submissionId})`).join(', ');
  const from = list(m.updatedFrom);
  return `${m.updated + m.added + m.kept}: ${m.updated} updated${from ? ` (replacing ${from})` : ''}, ${m.added} added, ${m.kept} kept from earlier files${mergeNotCounting(m, list(m.withdrawnFrom))}`;
};

/** The rows a merge left out of what counts: withdrawn earlier rows (replace-line), and this file's rows a later file's stand over. */
function mergeNotCounting(m: Pick<MergeStats, 'withdrawn' | 'heldByLater'>, withdrawnFrom?: string): string {
  const parts: string[] = [];
  if (m.withdrawn) parts.push(`${m.withdrawn} earlier row(s) withdrawn${withdrawnFrom ? ` (${withdrawnFrom})` : ''}: this file replaced their line`);
  if (m.heldByLater) parts.push(`${m.heldByLater} row(s) of this file not counting: a file received after it reports the same ${m.heldByLater === 1 ? 'key' : 'keys'}`);
  return parts.length ? `; ${parts.join('; ')}` : '';
}

/**
 * This sheet's errors against the earlier sheet's, by member, column and code: fixed (the
 * member was sent again without that error), still failing, new, and not sent again (the
 * member's row was not in this file: a fix sheet carries only what it corrects). A member is
 * sent again by a row with its CIN (staged), or by one rejected for naming it by its ID-card
 * number (no CIN staged: its errors name the member).
 */
async function errorChanges(c: pg.PoolClient, oldSheetId: number, newSheetId: number, now: readonly Issue[]): Promise<{ fixed: number; stillFailing: number; new: number; notResent: number }> {
  const oldErrors = await earlierSheetErrors(c, oldSheetId, newSheetId);
  const after = new Set(now.map(errorKey));
  const named = new Set(now.flatMap((i) => (i.code === 'CIN_IDCARD_NUMBER' && i.cin ? [i.cin] : [])));
  const d = { fixed: 0, stillFailing: 0, new: 0, notResent: 0 };
  const before = new Set<string>();
  for (const o of oldErrors) {
    const k = errorKey({ cin: o.cin, row: o.row_number, column: o.column_label, code: o.code });
    if (before.has(k)) continue;
    before.add(k);
    if (after.has(k)) d.stillFailing++;
    else if (o.resent || (o.cin !== null && named.has(o.cin))) d.fixed++;
    else d.notResent++;
  }
  for (const k of after) if (!before.has(k)) d.new++;
  return d;
}

export interface IngestDeps {
  pool: pg.Pool;
  config: Config;
  now?: Clock;
  /** The file types read (default: the production registry; a test may add a type of its own). */
  fileTypes?: FileTypeRegistry;
  /** Crash tests only: called at the pipeline's fault points (default: nothing). */
  faults?: FaultPoints;
  /** The poll's check that it still holds the provider's folder (src/ingest/fence.ts), run in the transaction before it commits; none outside a poll. */
  fence?: Fence;
}

/** What the stages share: the file, where it stands, and what each stage found. */
interface IngestRun {
  readonly deps: IngestDeps;
  readonly file: InboundFile;
  readonly client: pg.PoolClient;
  readonly ctx: ProviderContext;
  readonly types: FileTypeRegistry;
  readonly sha: string;
  readonly now: Clock;
  readonly tz: string;
  readonly policy: DeadlinePolicy;
  /** The reporting period (YYYY-MM) of the receipt, and its first day. */
  readonly period: string;
  readonly periodDate: string;
  readonly submissionId: number;
  readonly responseName: string;
  /** The first file READ with the same bytes: this one is a copy of it. */
  readonly copyOf: { id: number; receivedAt: Date } | undefined;
  /** The windows of the file types its name suggests: they pick the window before the sheets are read. */
  readonly suggested: readonly string[];
  /** The submission row and the file's bytes, being written while the reader opens the workbook. */
  readonly recorded: Promise<void>;
  v: FileValidation;
  verdict: Verdict | null;
  /** The read pass that counts (none for a copy or a file declined unread). */
  sheets: SheetWriter | undefined;
  /** Lines for the response's summary sheet. */
  extra: [string, string][];
  supersedes: NonNullable<IngestDocument['supersedes']>;
  merged: NonNullable<IngestDocument['merge']>;
  diff: IngestDocument['diff'];
}

/**
 * @param preloaded.context the provider's context when the caller started loading it already
 *   (the poll loads it while the file downloads); loaded here otherwise
 */
export async function ingestFile(deps: IngestDeps, file: InboundFile, preloaded: { context?: Promise<ProviderContext> } = {}): Promise<Ingested> {
  const sha = file.sha256 ?? hashOf(file.bytes);
  const ctx = await (preloaded.context ?? loadProviderContext(deps.pool, file.provider, file.receivedAt, deps.config));
  const ctxOut = { code: ctx.code, sftpFolder: ctx.sftpFolder };
  const client = await deps.pool.connect();
  try {
    await begin(client);
    await lockProviderSubmissions(client, file.provider);
    const resumed = await resume(client, file, sha);
    if (resumed !== undefined) {
      // Applied by an attempt that stopped before responding: finish that one, apply nothing.
      await commit(client);
      return { ...(await storedResult(deps.pool, resumed)), resumed: true, context: ctxOut };
    }
    const run = await record(deps, client, file, sha, ctx);
    const path = classify(run);
    if (path === 'read') {
      await read(run);
      if (run.v.outcome !== 'REJECTED') await apply(run);
      // every row rejected, the file itself read: nothing applies, but the provider still
      // learns what the correction fixed and what is new
      else if (!run.v.fileErrors.length) for (const [name, s] of run.sheets!.sheets) await compareWithEarlier(run, name, s);
    }
    const { responseBytes, email } = await answer(run);
    (deps.faults ?? NO_FAULTS)('ingest-after-commit');
    const document = ingestDocument(run);
    log.info({ submissionId: run.submissionId, provider: file.provider, outcome: run.v.outcome, verdict: run.verdict, rowsRead: run.v.rowsRead, rowsAccepted: run.v.rowsAccepted, rowsRejected: run.v.rowsRejected }, 'submission processed');
    return { submissionId: run.submissionId, document, response: { name: run.responseName, bytes: responseBytes }, resumed: false, liaisonSummary: email, context: ctxOut };
  } catch (err) {
    await rollback(client).catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Stage resume: this very upload, applied by an attempt that stopped before it answered (the
 * submission to answer again). An upload taken from the server is itself by its path and
 * version (its mtime; the bytes give the size); a local file (`ingest FILE`, whose receipt time
 * may be the command's clock) by its bytes and having no upload path.
 */
async function resume(client: pg.PoolClient, file: InboundFile, sha: string): Promise<number | undefined> {
  return appliedUnanswered(client, file.provider, sha, {
    source: file.source, uploadPath: file.uploadPath ?? null, serverMtime: file.uploadPath ? (file.serverMtime ?? null) : null, reprocessOf: file.reprocess?.of ?? null,
  });
}

/**
 * Stage record: the submission's id, period and response name; its row and the file's bytes
 * (~0.1 s for a large file) are written while the reader opens the workbook (the statements
 * queue on the client, in order, and the first batch of rows waits for them).
 */
async function record(deps: IngestDeps, client: pg.PoolClient, file: InboundFile, sha: string, ctx: ProviderContext): Promise<IngestRun> {
  const { config } = deps;
  const now = deps.now ?? systemClock;
  const types = deps.fileTypes ?? INBOUND_TYPES;
  const tz = config.PLAN_TIME_ZONE;
  const copyOf = file.reprocess ? undefined : await firstReadCopy(client, file.provider, sha);
  const period = periodForReceipt(file.receivedAt, tz).period;
  const periodDate = `${period}-01`;
  const submissionId = await nextSubmissionId(client);
  const recorded = (async () => {
    await putBlob(client, file.bytes, sha);
    await insertSubmission(client, {
      id: submissionId, provider: file.provider, originalName: file.originalName, sha256: sha, size: file.bytes.length, receivedAt: file.receivedAt,
      serverMtime: file.serverMtime ?? null, firstSeenAt: file.firstSeenAt ?? null, lastAbsentAt: file.lastAbsentAt ?? null, source: file.source, period: periodDate,
      duplicateOf: copyOf?.id ?? null, uploadPath: file.uploadPath ?? null,
      reprocessOf: file.reprocess?.of ?? null, reprocessReason: file.reprocess?.reason ?? null, reprocessRunId: file.reprocess?.runId ?? null,
    });
  })();
  recorded.catch(() => undefined); // awaited on every path (read, answer)
  return {
    deps, file, client, ctx, types, sha, now, tz, policy: deadlinePolicyFromConfig(config), period, periodDate, submissionId,
    responseName: responseName(file.originalName, now(), tz, submissionId), copyOf, suggested: windowsOf(types, typesSuggestedByName(file.originalName, types.names)), recorded,
    v: emptyValidation(file, sha), verdict: null, sheets: undefined, extra: [], supersedes: [], merged: [], diff: undefined,
  };
}

/**
 * Stage classify: a copy of a file already read is answered as a duplicate, a file past its
 * window as declined (nothing of either is read); anything else is read.
 */
function classify(run: IngestRun): 'read' | 'unread' {
  const { file, tz, policy, copyOf } = run;
  if (copyOf) {
    // Byte-identical to a file already processed for this provider: answered, never applied again.
    addLate(run.v, [makeIssue('DUPLICATE_FILE', {}, { date: spellInstant(copyOf.receivedAt, tz) })]);
    run.extra.push(['Duplicate of', `submission ${copyOf.id}, received ${spellInstant(copyOf.receivedAt, tz)}`]);
    return 'unread';
  }
  // Before reading, the name's types pick the window (a CSPRTF has its own); after reading, the sheets'.
  const early = submissionVerdict({ receivedAt: file.receivedAt, tz, alreadySubmittedForPeriod: true, policy, fileTypes: run.suggested });
  if (early.verdict === 'DECLINED_LATE') {
    // After the last day nothing is read: the response says why and when the next window opens.
    run.verdict = 'DECLINED_LATE';
    addLate(run.v, [declinedIssue(run, run.suggested)]);
    return 'unread';
  }
  return 'read';
}

function declinedIssue(run: IngestRun, types: readonly string[]): Issue {
  return makeIssue('DECLINED_LATE', {}, declinedParams(run.period, run.file.receivedAt, run.tz, run.policy, types));
}

/**
 * Stage read: rows are read, validated (the database-dependent rules too) and staged in
 * batches, then the verdict decided. Each batch's accepted rows are also applied as soon as
 * they are staged, so Postgres applies one batch while the next is read (accepted rows are
 * final when staged: a CIN (per line), CIN × service, is accepted once per file, so batch by batch gives
 * the same result as one statement per sheet). If the file then turns out REJECTED (a limit
 * or a damaged part mid-way, a late decline), everything after the savepoint is undone and
 * the file is read again without applying.
 */
async function read(run: IngestRun): Promise<void> {
  const beforeRows = run.recorded.then(() => savepoint(run.client, 'before_rows'));
  beforeRows.catch(() => undefined); // awaited by the read pass
  let pass = await readPass(run, true, beforeRows);
  if (pass.v.outcome === 'REJECTED' && pass.sheets.batchesApplied > 0) {
    await rollbackToSavepoint(run.client, 'before_rows');
    pass = await readPass(run, false, Promise.resolve());
  }
  run.v = pass.v;
  run.verdict = pass.verdict;
  run.sheets = pass.sheets;
  if (run.v.outcome === 'REJECTED') await rejectStagedRows(run.client, [...pass.sheets.sheets.values()].map((s) => s.id));
}

async function readPass(run: IngestRun, applyEarly: boolean, ready: Promise<unknown>): Promise<{ v: FileValidation; verdict: Verdict | null; sheets: SheetWriter }> {
  const { deps: { config }, file, client, ctx, period, periodDate, submissionId } = run;
  const { types } = run;
  const rules = new ContextRules(types, ctx, config, periodLastDay(period));
  const sheets = new SheetWriter(
    {
      client, submissionId, provider: file.provider, periodDate, receivedAt: file.receivedAt,
      typeOf: (layout) => types.get(layout), replaceLine: (type) => type.replacesLine?.(config) ?? false,
    },
    applyEarly,
    ready,
  );
  const v = await validateFile(file.bytes, file.originalName, {
    sha256: run.sha,
    limits: config,
    types: types.types,
    context: { config, receivedDate: localDate(file.receivedAt, run.tz), expectedPeriod: period },
    contextRules: rules.check,
    onRow: sheets.onRow,
  });
  await sheets.finish();
  for (const s of v.sheets) await sheets.ensureSheet(s.name, s.layout);
  // keys an earlier file of the period still counts (corrections merge)
  addLate(v, await rules.finish({ countingEarlier: (layout, keys) => reportedEarlier(client, file.provider, layout, periodDate, keys, submissionId) }));
  const verdict = await decideVerdict(run, v, sheets);
  return { v, verdict, sheets };
}

/**
 * Stage decide verdict: "already submitted for the period" is per file type × line of
 * business: the file's (type, line) pairs against those of earlier files (a sheet recorded
 * before lines were stands for every line). A file declined now gets its DECLINED_LATE issue.
 */
async function decideVerdict(run: IngestRun, v: FileValidation, sheets: SheetWriter): Promise<Verdict | null> {
  if (!v.layouts.length) return null;
  const pairs = fileLinePairs(v.sheets, sheets.lobs);
  const had = await earlierTypeLines(run.client, run.file.provider, run.periodDate, v.layouts, run.submissionId, run.file.reprocess?.chain ?? []);
  const seen = pairs.map(([layout, lob]) => had.has(`${layout}|${lob}`) || had.has(`${layout}|*`));
  // A file mixing a line already submitted with a first one: flagged late under the default
  // policy; under LATE_FIRST_SUBMISSION=decline its resubmitted part keeps it in.
  const alreadySubmittedForPeriod = run.policy.lateFirstSubmission === 'decline' ? seen.some(Boolean) : seen.length > 0 && seen.every(Boolean);
  const windows = windowsOf(run.types, v.layouts);
  const verdict = submissionVerdict({ receivedAt: run.file.receivedAt, tz: run.tz, alreadySubmittedForPeriod, policy: run.policy, fileTypes: windows }).verdict;
  if (verdict === 'DECLINED_LATE') addLate(v, [declinedIssue(run, windows)]);
  return verdict;
}

/**
 * Stage apply: each sheet's accepted rows (applied batch by batch while the file was read, or
 * now in one statement per sheet) merge by key into what counts for the period; the response
 * says what each sheet replaced, and what changed since the latest earlier file.
 */
async function apply(run: IngestRun): Promise<void> {
  const { client, file, periodDate, submissionId, v } = run;
  const sheets = run.sheets!;
  const appliedEarly = sheets.applyEarly;
  for (const [name, s] of sheets.sheets) {
    const applied = appliedEarly ? (sheets.appliedEarly.get(name) ?? 0) : await s.type.apply(client, s.id, file.provider);
    (run.deps.faults ?? NO_FAULTS)('ingest-mid-apply');
    await markSheetApplied(client, s.id);
    const merging = { id: s.id, type: s.type, submissionId, receivedAt: file.receivedAt };
    if (!appliedEarly) await mergeRange(client, merging, file.provider, periodDate, sheets.tallyOf(name), { replaceLine: s.type.replacesLine?.(run.deps.config) ?? false });
    const stats = await finishMerge(client, merging, file.provider, periodDate, sheets.tallyOf(name));
    log.debug({ submissionId, sheet: s.type.name, applied }, 'sheet applied');
    // the earlier files whose rows this sheet updated or withdrew
    const replaced = new Set(stats.flatMap((m) => [...m.updatedFrom, ...m.withdrawnFrom].map((f) => f.submissionId)));
    const names = await submissionNames(client, [...replaced]);
    for (const m of stats) {
      run.merged.push({ sheet: name, layout: s.type.name, ...m });
      run.extra.push([`Rows now counting (${s.type.name} ${m.lob})`, mergeText(m, names)]);
    }
    for (const id of replaced)
      run.supersedes.push({ submissionId: id, file: names.get(id) ?? '', sheet: name });
    await compareWithEarlier(run, name, s);
  }
  // each type's warnings once its rows count, shown on the file's first sheet
  for (const type of new Set([...sheets.sheets.values()].map((s) => s.type)))
    if (type.afterApply) addLate(v, await type.afterApply(client, { config: run.deps.config, provider: file.provider, sheet: [...sheets.sheets.keys()][0]!, periodDate }));
}

/**
 * A sheet's errors against those of the latest earlier file of its type and lines that was
 * read, applied or rejected (errorChanges); a tab with no rows is no file of its type: nothing
 * to compare.
 */
async function compareWithEarlier(run: IngestRun, name: string, s: StagedSheet): Promise<void> {
  const { client, file, periodDate, submissionId, v } = run;
  const rowsRead = v.sheets.find((x) => x.name === name)?.rowsRead ?? 0;
  const old = rowsRead ? await previousSheet(client, file.provider, s.type.name, periodDate, run.sheets!.lobsOf(name), submissionId) : null;
  if (!old) return;
  const d = await errorChanges(client, old.sheetId, s.id, v.issues.filter((i) => i.severity === 'error' && i.sheet === name));
  const diff = run.diff;
  run.diff = diff ? { fixed: diff.fixed + d.fixed, stillFailing: diff.stillFailing + d.stillFailing, new: diff.new + d.new, notResent: (diff.notResent ?? 0) + d.notResent } : d;
  run.extra.push([`Changes since ${old.name}`, `${d.fixed} error(s) fixed, ${d.stillFailing} still failing, ${d.new} new, ${d.notResent} not sent again (received ${spellInstant(old.receivedAt, run.tz)}, submission ${old.submissionId})`]);
}

/**
 * Stage answer: everything the provider and liaison see is stored with the submission while
 * the response workbook is written (statements queue on the client, in order); then the
 * submission is marked APPLIED with its response and its email, and the transaction commits.
 */
async function answer(run: IngestRun): Promise<{ responseBytes: Buffer; email: string }> {
  const { client, v, file, tz, policy, submissionId, verdict, ctx } = run;
  await run.recorded; // (settled already when rows were read; its error, if any, is the real one)
  const extra = run.extra;
  if (verdict) extra.unshift(['Deadline verdict', verdictLabel(verdict, policy, v.layouts.length ? windowsOf(run.types, v.layouts) : run.suggested)]);
  if (file.reprocess) {
    extra.unshift(['Reprocessed by the plan', `a new answer to submission ${file.reprocess.of} (the same file), read again under the plan's current rules and records; this response replaces that one`]);
    if (v.outcome === 'REJECTED' && file.reprocess.earlierApplied) extra.push(['Earlier answer', `nothing in this file was applied: what submission ${file.reprocess.of} applied still counts`]);
  }
  extra.unshift(['Reporting period', reportingPeriodLabel(run.period)], ['Received', spellInstant(file.receivedAt, tz)], ['Provider', `${ctx.name} (${ctx.code})`]);

  const dbTail = (async () => {
    await insertIssues(client, submissionId, [...v.fileErrors, ...v.issues].map((i) => ({ sheet: i.sheet, row: i.row, column: i.column, code: i.code, severity: i.severity, message: i.message, cin: i.cin ?? null })));
    for (const s of v.sheets) {
      const id = run.sheets?.sheets.get(s.name)?.id;
      if (id) await updateSheetCounts(client, id, s, run.sheets!.lobsOf(s.name));
    }
  })();
  dbTail.catch(() => undefined); // awaited right after the response is written
  const { config } = run.deps;
  const generated = run.now();
  const responseBytes = await responseToBuffer(v, {
    extra,
    codeSettings: { REFERRAL_STATUS_VALUES: config.REFERRAL_STATUS_VALUES, REFERRAL_CLOSURE_REASONS: config.REFERRAL_CLOSURE_REASONS },
    generatedAt: spellInstant(generated, tz),
    created: generated,
    layoutOf: (name) => run.types.get(name).layout,
    deadlines: policy,
  });
  await dbTail;
  const responseSha = await putBlob(client, responseBytes);
  // (the document without its copy of every issue: the email counts them from the run's own,
  // and the copy, up to 200k objects, is made once the transaction is over, as before)
  const head = ingestDocument(run, false);
  // Stored, not rebuilt later: what the file merged and changed, and the deadline to fix, are
  // known only now (a poll that stops after the commit leaves the email to the next one).
  const email = liaisonText(head, ctx.name, { fixUntil: fixBy(head, policy, (t) => windowsOf(run.types, t)), issues: v.issues, answeredLocally: file.source === 'cli' });
  await markApplied(client, submissionId, {
    fileTypes: v.layouts, verdict, outcome: v.outcome, rowsRead: v.rowsRead, rowsAccepted: v.rowsAccepted, rowsRejected: v.rowsRejected, warnings: v.warnings,
    responseName: run.responseName, responseSha256: responseSha, responseEmail: email,
  });
  // a poller that lost the folder to another one commits nothing: that one answers the upload
  await run.deps.fence?.(client);
  await commit(client);
  return { responseBytes, email };
}

/** The `ingest --json` document of a run. */
function ingestDocument(run: IngestRun, withIssues = true): IngestDocument {
  const { v, file, copyOf } = run;
  return {
    file: file.originalName, sha256: run.sha, outcome: v.outcome, verdict: run.verdict, period: copyOf ? null : run.period,
    rowsRead: v.rowsRead, rowsAccepted: v.rowsAccepted, rowsRejected: v.rowsRejected, warnings: v.warnings,
    sheets: v.sheets.map((s) => ({ name: s.name, layout: s.layout, rowsRead: s.rowsRead, rowsAccepted: s.rowsAccepted, rowsRejected: s.rowsRejected, warnings: s.warnings })),
    fileErrors: v.fileErrors.map((e) => ({ code: e.code, message: e.message, ...(e.sheet ? { sheet: e.sheet } : {}) })),
    issues: withIssues ? docIssues(v.issues) : [],
    report: null,
    provider: file.provider,
    submissionId: run.submissionId,
    ...(copyOf ? { duplicateOf: copyOf.id } : {}),
    ...(run.supersedes.length ? { supersedes: run.supersedes } : {}),
    ...(run.diff ? { diff: run.diff } : {}),
    ...(run.merged.length ? { merge: run.merged } : {}),
    responseName: run.responseName,
  };
}

function emptyValidation(file: InboundFile, sha: string): FileValidation {
  return {
    file: file.originalName, size: file.bytes.length, sha256: sha, outcome: 'REJECTED', layouts: [], rowsRead: 0, rowsAccepted: 0, rowsRejected: 0,
    warnings: 0, sheets: [], fileErrors: [], issues: [], issuesOmitted: 0, countsByCode: {},
    rejectedRows: new RejectedRowCollector(0),
  };
}

/** The calendar knows submission windows, not file types: each type names the window it follows. */
const windowsOf = (types: FileTypeRegistry, names: readonly string[]): string[] => names.map((n) => types.get(n).deadlineWindow);

/** Until when the provider can still correct this file's rows (none once accepted whole, declined or a copy). */
function fixBy(d: IngestDocument, policy: DeadlinePolicy, windows: (types: readonly string[]) => readonly string[]): string | undefined {
  if (!d.period || d.outcome === 'ACCEPTED' || d.verdict === 'DECLINED_LATE' || d.duplicateOf !== undefined) return undefined;
  const last = submissionWindow(policy, windows(d.sheets.map((x) => x.layout))).acceptedLastDay;
  return showIsoDate(periodDay(nextPeriod(d.period), last));
}

/** The response's fix sheets by name, as the response names them ("Rejected RTF rows" in a file of several layouts). */
function fixSheetsOf(d: IngestDocument): string {
  const layouts = [...new Set(d.sheets.map((s) => s.layout))];
  const rejected = [...new Set(d.sheets.filter((s) => s.rowsRejected > 0).map((s) => s.layout))];
  const names = rejected.map((l) => `"${rejectedSheetName(l, layouts.length)}"`);
  if (names.length === 0) return '"Rejected rows" sheet'; // (a document rebuilt without its sheets)
  return names.length === 1 ? `${names[0]} sheet` : `${names.slice(0, -1).join(', ')} and ${names.at(-1)} sheets`;
}

export interface LiaisonTextOptions {
  /** Until when the provider can still correct the file's rows (none: no sentence on corrections). */
  fixUntil?: string;
  /** The issues to count by code (the run's own, when the document carries none). */
  issues?: readonly { severity: string; code: string }[];
  /**
   * The response was written to a folder on the plan's side (`ingest FILE`), not posted to the
   * provider's downloads/: the email must not send the liaison looking for it there.
   */
  answeredLocally?: boolean;
}

/** The email about a response (liaison and provider): counts, codes and file names, never PHI. */
export function liaisonText(d: IngestDocument, providerName: string, opts: LiaisonTextOptions = {}): string {
  const { fixUntil, issues = d.issues } = opts;
  const lines = [
    `${providerName} (${d.provider}) sent ${d.file}.`,
    `Outcome: ${d.outcome}${d.verdict ? `   Deadline verdict: ${d.verdict}` : ''}${d.period ? `   Reporting period: ${reportingPeriodLabel(d.period)}` : ''}`,
    `Rows read ${d.rowsRead}, accepted ${d.rowsAccepted}, rejected ${d.rowsRejected}, warnings ${d.warnings}.`,
  ];
  for (const e of d.fileErrors) lines.push(`File error ${e.code}: ${e.message}`);
  for (const m of d.merge ?? [])
    lines.push(`${m.layout} ${m.lob}: ${m.updated} row(s) updated, ${m.added} added, ${m.kept} kept from earlier files${mergeNotCounting({ withdrawn: m.withdrawn ?? 0, heldByLater: m.heldByLater ?? 0 })}.`);
  if (d.diff) lines.push(`Compared with the earlier file: ${d.diff.fixed} error(s) fixed, ${d.diff.stillFailing} still failing, ${d.diff.new} new, ${d.diff.notResent ?? 0} not sent again.`);
  const byCode = new Map<string, number>();
  for (const i of issues) byCode.set(`${i.severity} ${i.code}`, (byCode.get(`${i.severity} ${i.code}`) ?? 0) + 1);
  if (byCode.size) lines.push('', 'Issues by code:', ...[...byCode].sort().map(([k, n]) => `  ${k}: ${n}`));
  // (a file rejected whole has nothing applied, and its fix sheet, if any, only the rows with errors of their own)
  if (fixUntil && d.fileErrors.length)
    lines.push('', `Corrected files for ${reportingPeriodLabel(d.period!)} are accepted through ${fixUntil}: fix what the file errors say and upload the whole file again (nothing of this file was applied).`);
  else if (fixUntil && d.rowsRejected > 0) lines.push('', `Corrected rows for ${reportingPeriodLabel(d.period!)} are accepted through ${fixUntil}: fix the ${fixSheetsOf(d)} of the response and upload it.`);
  // (warnings only: the response has no rejected rows sheet to fix)
  else if (fixUntil) lines.push('', `Corrections for ${reportingPeriodLabel(d.period!)} are accepted through ${fixUntil}: send the rows you correct (a row sent again replaces the one sent before).`);
  lines.push('', opts.answeredLocally
    ? `The response ${d.responseName} was written on the plan's side by the ingest command; it is not in the provider's downloads folder.`
    : `The response ${d.responseName} is in the provider's downloads folder.`);
  return lines.join('\n');
}

/** The document and response of a submission already applied (resume after a crash). */
export async function storedResult(pool: pg.Pool | pg.PoolClient, submissionId: number): Promise<Omit<Ingested, 'resumed' | 'context'>> {
  const { submission: s, sheets, issues } = await storedSubmission(pool, submissionId);
  const fileErrors = issues.filter((i) => i.severity === 'error' && i.row_number === null);
  const document: IngestDocument = {
    file: s.original_name, sha256: s.sha256, outcome: s.outcome as Outcome, verdict: s.verdict as Verdict | null, period: s.period ? String(s.period).slice(0, 7) : null,
    rowsRead: s.rows_read, rowsAccepted: s.rows_accepted, rowsRejected: s.rows_rejected, warnings: s.warnings,
    sheets: sheets.map((x) => ({ name: x.sheet_name, layout: x.layout, rowsRead: x.rows_read, rowsAccepted: x.rows_accepted, rowsRejected: x.rows_rejected, warnings: x.warnings })),
    fileErrors: fileErrors.map((e) => ({ code: e.code, message: e.message, ...(e.sheet_name ? { sheet: e.sheet_name } : {}) })),
    issues: issues.filter((i) => !fileErrors.includes(i)).map((i) => ({ sheet: i.sheet_name, row: i.row_number, column: i.column_label, columnLetter: null, code: i.code, severity: i.severity, message: i.message, ...(i.cin ? { cin: i.cin } : {}) })),
    report: null, provider: s.provider_code, submissionId, responseName: s.response_name,
  };
  // (a submission answered before migration 0028 has no stored email: rebuilt from its rows, without what they do not keep)
  return { submissionId, document, response: { name: s.response_name, bytes: s.response_bytes }, liaisonSummary: s.response_email ?? liaisonText(document, s.provider_name) };
}

/**
 * The email about a file refused before it was read (over MAX_FILE_BYTES): said as for a file
 * read and rejected whole (a damaged workbook): its reporting period by receipt, and the
 * deadline to fix unless the file came after its name's last window (nothing is read then) or
 * the plan could not process it (FILE_NOT_PROCESSED: nothing of the provider's to fix).
 */
export function unreadResponseEmail(
  config: Config,
  f: { provider: string; providerName: string; file: string; receivedAt: Date; submissionId: number; responseName: string; fileError: { code: string; message: string } },
  types: FileTypeRegistry = INBOUND_TYPES,
): string {
  const tz = config.PLAN_TIME_ZONE;
  const policy = deadlinePolicyFromConfig(config);
  const document: IngestDocument = {
    file: f.file, sha256: '', outcome: 'REJECTED', verdict: null, period: periodForReceipt(f.receivedAt, tz).period,
    rowsRead: 0, rowsAccepted: 0, rowsRejected: 0, warnings: 0, sheets: [], fileErrors: [f.fileError], issues: [], report: null,
    provider: f.provider, submissionId: f.submissionId, responseName: f.responseName,
  };
  const suggested = windowsOf(types, typesSuggestedByName(f.file, types.names));
  const late = submissionVerdict({ receivedAt: f.receivedAt, tz, alreadySubmittedForPeriod: true, policy, fileTypes: suggested }).verdict === 'DECLINED_LATE';
  // a file the plan could not process has nothing for the provider to fix: the plan follows up
  const ours = f.fileError.code === 'FILE_NOT_PROCESSED';
  return liaisonText(document, f.providerName, late || ours ? {} : { fixUntil: fixBy(document, policy, (t) => windowsOf(types, t)) });
}

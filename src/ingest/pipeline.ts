// The inbound pipeline for one file: recognise → deadline verdict → validate in context →
// stage rows → apply → build the response. Everything from the submission row to the stored
// response happens in ONE transaction: a crash leaves the submission fully applied or not at
// all. Publishing the response and moving the source file happen after commit (respond.ts)
// and are resumable.
import type pg from 'pg';
import { LINES_OF_BUSINESS } from '../../schemas/codes.js';
import type { Layout } from '../../schemas/layout.js';
import {
  declinedMessage, deadlinePolicyFromConfig, localDate, nextPeriod, periodDay, periodForReceipt, periodLastDay, reportingPeriodLabel, submissionVerdict,
  submissionWindow, spellInstant, verdictLabel, type Verdict,
} from '../calendar/index.js';
import { showIsoDate } from '../calendar/zone.js';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { putBlob, sha256 as hashOf } from '../db/blobs.js';
import { faultPoint } from '../fault-points.js';
import { ContextRules } from '../filetypes/context-rules.js';
import { INBOUND_TYPES } from '../filetypes/registry.js';
import { stagedKeys } from '../filetypes/staged.js';
import type { FileTypeDefinition, FileTypeRegistry } from '../filetypes/types.js';
import { log } from '../log.js';
import { responseToBuffer } from '../reports/response.js';
import { validateFile, type FileValidation } from '../validate/file.js';
import { makeIssue, type Issue } from '../validate/issues.js';
import { computeOutcome, type Outcome } from '../validate/outcome.js';
import type { ValidatedRow } from '../validate/workbook.js';
import { RejectedRowCollector } from '../validate/rejected.js';
import { finishMerge, mergeRange, newTally, previousSheet, type MergeStats, type MergeTally } from './apply.js';
import { loadProviderContext, type ProviderContext } from './context.js';
import { responseName, typesSuggestedByName } from './names.js';
import { StagingBuffer } from './staging-buffer.js';

export interface InboundFile {
  provider: string;
  originalName: string;
  bytes: Buffer;
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
  merge?: { sheet: string; layout: string; lob: string; updated: number; added: number; kept: number; updatedFrom: { submissionId: number; rows: number }[] }[];
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
  context: Pick<ProviderContext, 'code' | 'liaisonEmail' | 'contactEmail' | 'sftpFolder'>;
}

const STAGE_BATCH = 2000;

/**
 * A validated row as one element of the staging JSON array, made the moment the row is
 * validated and copied into the batch's buffer (staging-buffer.ts), so the row's objects and
 * this string die young. `data` is the values in `keys` order (the sheet's columns), null
 * where blank or invalid.
 */
export function stagingJson(sheetId: number, keys: readonly string[], row: Pick<ValidatedRow, 'rowNumber' | 'cin' | 'accepted' | 'values'>): string {
  const values = row.values;
  const data = new Array<unknown>(keys.length);
  for (let i = 0; i < keys.length; i++) data[i] = values[keys[i]!] ?? null;
  const service = typeof values.serviceCode === 'string' ? JSON.stringify(values.serviceCode) : 'null';
  return `{"sheet_id":${sheetId},"row_number":${row.rowNumber},"cin":${row.cin ? JSON.stringify(row.cin) : 'null'},"service_code":${service},"accepted":${row.accepted},"data":${JSON.stringify(data)}}`;
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

const errorKey = (i: { cin?: string | null; row: number | null; column: string | null; code: string }) => `${i.cin ?? `row ${i.row}`}|${i.column ?? ''}|${i.code}`;

const LOBS: ReadonlySet<string> = new Set(Object.keys(LINES_OF_BUSINESS));

/** The (file type, line of business) pairs a file carries; a sheet with no line read stands for its type alone. */
function fileLinePairs(sheets: readonly { name: string; layout: string }[], lobs: ReadonlyMap<string, ReadonlySet<string>>): [string, string][] {
  const out = new Map<string, [string, string]>();
  for (const s of sheets) {
    const set = lobs.get(s.name);
    if (!set?.size) out.set(`${s.layout}|*`, [s.layout, '*']);
    else for (const lob of set) out.set(`${s.layout}|${lob}`, [s.layout, lob]);
  }
  return [...out.values()];
}

const mergeText = (m: MergeStats, names: ReadonlyMap<number, string>): string => {
  const from = m.updatedFrom.map((f) => `${f.rows} from ${names.get(f.submissionId) ?? 'an earlier file'} (submission ${f.submissionId})`).join(', ');
  return `${m.updated + m.added + m.kept}: ${m.updated} updated${from ? ` (replacing ${from})` : ''}, ${m.added} added, ${m.kept} kept from earlier files`;
};

async function submissionNames(c: pg.PoolClient, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const r = await c.query<{ id: number; original_name: string }>(`select id, original_name from submissions where id = any($1)`, [ids]);
  return new Map(r.rows.map((x) => [Number(x.id), x.original_name]));
}

/**
 * This sheet's errors against the earlier sheet's, by member, column and code: fixed (the
 * member was sent again without that error), still failing, new, and not sent again (the
 * member's row was not in this file: a fix sheet carries only what it corrects).
 */
async function errorChanges(c: pg.PoolClient, oldSheetId: number, newSheetId: number, now: readonly Issue[]): Promise<{ fixed: number; stillFailing: number; new: number; notResent: number }> {
  const oldErrors = await c.query<{ cin: string | null; row_number: number | null; column_label: string | null; code: string; resent: boolean }>(
    `select i.cin, i.row_number, i.column_label, i.code, n.cin is not null as resent
       from submission_issues i join submission_sheets s on s.submission_id = i.submission_id and s.sheet_name = i.sheet_name
       left join (select distinct cin from submission_rows where sheet_id = $2 and cin is not null) n on n.cin = i.cin
      where s.id = $1 and i.severity = 'error'`,
    [oldSheetId, newSheetId],
  );
  const after = new Set(now.map(errorKey));
  const d = { fixed: 0, stillFailing: 0, new: 0, notResent: 0 };
  const before = new Set<string>();
  for (const o of oldErrors.rows) {
    const k = errorKey({ cin: o.cin, row: o.row_number, column: o.column_label, code: o.code });
    if (before.has(k)) continue;
    before.add(k);
    if (after.has(k)) d.stillFailing++;
    else if (o.resent) d.fixed++;
    else d.notResent++;
  }
  for (const k of after) if (!before.has(k)) d.new++;
  return d;
}

export interface IngestDeps {
  pool: pg.Pool;
  config: Config;
  now?: Clock;
  /** The file types read (default: the production registry; a test may add its own type). */
  fileTypes?: FileTypeRegistry;
}

/**
 * @param preloaded.context the provider's context when the caller started loading it already
 *   (the poll loads it while the file downloads); loaded here otherwise
 */
export async function ingestFile(deps: IngestDeps, file: InboundFile, preloaded: { context?: Promise<ProviderContext> } = {}): Promise<Ingested> {
  const { pool, config } = deps;
  const now = deps.now ?? systemClock;
  const types = deps.fileTypes ?? INBOUND_TYPES;
  // the calendar knows submission windows, not types: each type names the window it follows
  const windowsOf = (names: readonly string[]) => names.map((n) => types.get(n).deadlineWindow);
  const tz = config.PLAN_TIME_ZONE;
  const sha = hashOf(file.bytes);
  const ctx = await (preloaded.context ?? loadProviderContext(pool, file.provider, file.receivedAt));
  const ctxOut = { code: ctx.code, liaisonEmail: ctx.liaisonEmail, contactEmail: ctx.contactEmail, sftpFolder: ctx.sftpFolder };

  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // One submission at a time per provider: two pollers never race on the same upload.
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`ingest:${file.provider}`]);

    const pending = await client.query<{ id: number }>(
      // (a provider's upload never resumes an ops reprocess of the same bytes, nor the reverse)
      `select id from submissions where provider_code = $1 and sha256 = $2 and state = 'APPLIED' and (source = 'reprocess') = $3 order by id limit 1`,
      [file.provider, sha, file.reprocess !== undefined],
    );
    if (pending.rows[0]) {
      // Applied by an attempt that stopped before responding: finish that one, apply nothing.
      await client.query('COMMIT');
      const resumed = await storedResult(pool, pending.rows[0].id);
      return { ...resumed, resumed: true, context: ctxOut };
    }
    // A duplicate is a copy of a file that was READ: a file declined as late was not, and the
    // same bytes sent again in a later window are read then (migration 0010).
    const prior = file.reprocess
      ? { rows: [] }
      : await client.query<{ id: number; received_at: Date }>(
        `select id, received_at from submissions where provider_code = $1 and sha256 = $2 and duplicate_of is null and reprocess_of is null
            and verdict is distinct from 'DECLINED_LATE' order by id limit 1`,
        [file.provider, sha],
      );
    const first = prior.rows[0];
    const chain = [...(file.reprocess?.chain ?? [])];

    const period = periodForReceipt(file.receivedAt, tz).period;
    const periodDate = `${period}-01`;
    const policy = deadlinePolicyFromConfig(config);
    const receivedDate = localDate(file.receivedAt, tz);
    const submissionId = (await client.query<{ id: number }>(`select nextval('submissions_id_seq') as id`)).rows[0]!.id;
    // The file's bytes (~0.1 s for a large file) and its submission row are written while the
    // reader opens the workbook: the statements queue on this client, in order, and the first
    // batch of rows waits for them.
    const recorded = (async () => {
      await putBlob(client, file.bytes, sha);
      await client.query(
        `insert into submissions (id, provider_code, original_name, sha256, size, received_at, server_mtime, first_seen_at, last_absent_at, source, period, duplicate_of, upload_path,
            reprocess_of, reprocess_reason, reprocess_run_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [submissionId, file.provider, file.originalName.slice(0, 500), sha, file.bytes.length, file.receivedAt, file.serverMtime ?? null, file.firstSeenAt ?? null,
          file.lastAbsentAt ?? null, file.source, periodDate, first ? first.id : null, file.uploadPath ?? null,
          file.reprocess?.of ?? null, file.reprocess?.reason ?? null, file.reprocess?.runId ?? null],
      );
    })();
    recorded.catch(() => undefined); // awaited below on every path
    const respName = responseName(file.originalName, now(), tz, submissionId);

    let v: FileValidation;
    let verdict: Verdict | null = null;
    let supersedes: IngestDocument['supersedes'] = [];
    const merged: NonNullable<IngestDocument['merge']> = [];
    let diff: IngestDocument['diff'];
    const extra: [string, string][] = [];
    const sheetIds = new Map<string, { id: number; type: FileTypeDefinition; keys: string[] }>();
    // the lines of business each sheet's rows name (verdicts, merges and digests are per line)
    const sheetLobs = new Map<string, Set<string>>();
    // each sheet's merge by key, batch by batch (mergeRange), finished once read (finishMerge)
    const tallies = new Map<string, MergeTally>();
    const tallyOf = (name: string) => tallies.get(name) ?? tallies.set(name, newTally()).get(name)!;
    const replaceLine = (type: FileTypeDefinition) => type.replacesLine?.(config) ?? false;
    // Before reading, the name's types pick the window (a CSPRTF has its own); after reading, the sheets'.
    const suggested = windowsOf(typesSuggestedByName(file.originalName, types.names));
    const early = submissionVerdict({ receivedAt: file.receivedAt, tz, alreadySubmittedForPeriod: true, policy, fileTypes: suggested });

    if (first) {
      // Byte-identical to a file already processed for this provider: answered, never applied again.
      v = emptyValidation(file, sha);
      addLate(v, [makeIssue('DUPLICATE_FILE', {}, { date: spellInstant(first.received_at, tz) })]);
      extra.push(['Duplicate of', `submission ${first.id}, received ${spellInstant(first.received_at, tz)}`]);
    } else if (early.verdict === 'DECLINED_LATE') {
      // After the last day nothing is read: the response says why and when the next window opens.
      verdict = 'DECLINED_LATE';
      v = emptyValidation(file, sha);
      const issue = makeIssue('DECLINED_LATE', {}, {});
      issue.message = declinedMessage(period, file.receivedAt, tz, policy, suggested);
      addLate(v, [issue]);
    } else {
      // Rows are read, validated and staged in batches; with `applyEarly` each batch's accepted
      // rows are also applied as soon as they are staged, so Postgres applies one batch while
      // the next is read (accepted rows are final when staged: a CIN, CIN × service, is accepted
      // once per file, so batch by batch gives the same result as one statement per sheet). If
      // the file then turns out REJECTED (a limit or a damaged part mid-way, a late decline),
      // everything after the savepoint is undone and the file is read again without applying.
      const readAndStage = async (applyEarly: boolean, ready: Promise<unknown> = Promise.resolve()) => {
        sheetIds.clear();
        sheetLobs.clear();
        tallies.clear();
        const appliedEarly = new Map<string, number>(); // sheet name → rows applied
        let batchesApplied = 0;
        const rules = new ContextRules(types, ctx, config, periodLastDay(period));
        const staged = new StagingBuffer();
        // accepted rows' row-number range per sheet in the batch being staged
        let ranges = new Map<string, { from: number; to: number }>();
        // One batch in flight: Postgres stages (and applies) it while the next batch is read and
        // validated (statements queue on the one client, in order; at most two batches are held).
        let inFlight: Promise<unknown> = ready;
        const flush = async () => {
          await inFlight;
          // sent as bytes: read by Postgres as text, then parsed as jsonb
          const json = staged.take();
          if (!json) return;
          const batchRanges = ranges;
          ranges = new Map();
          // Statements run one after another on the client (pg 9 forbids overlapping queries);
          // the chain runs while this function returns and the reader moves on.
          inFlight = (async () => {
            await client.query(
              `insert into submission_rows (sheet_id, row_number, cin, service_code, accepted, data)
               select sheet_id, row_number, cin, service_code, accepted, data from jsonb_to_recordset($1::text::jsonb)
                 as x(sheet_id bigint, row_number int, cin text, service_code text, accepted boolean, data jsonb)`,
              [json],
            );
            if (!applyEarly) return;
            for (const [name, range] of batchRanges) {
              const sheet = sheetIds.get(name)!;
              batchesApplied++;
              const n = await sheet.type.apply(client, sheet.id, file.provider, range);
              appliedEarly.set(name, (appliedEarly.get(name) ?? 0) + n);
              await mergeRange(client, { id: sheet.id, type: sheet.type, submissionId, receivedAt: file.receivedAt }, file.provider, periodDate, tallyOf(name),
                { range, replaceLine: replaceLine(sheet.type) });
            }
          })();
          inFlight.catch(() => undefined); // awaited by the next flush; never an unhandled rejection
        };
        const ensureSheet = async (name: string, layout: Layout) => {
          if (sheetIds.has(name)) return;
          await inFlight;
          const keys = stagedKeys(layout);
          const r = await client.query<{ id: number }>(
            `insert into submission_sheets (submission_id, sheet_name, layout, provider_code, period, columns) values ($1, $2, $3, $4, $5, $6) returning id`,
            [submissionId, name, layout.name, file.provider, periodDate, keys],
          );
          sheetIds.set(name, { id: r.rows[0]!.id, type: types.get(layout.name), keys });
        };
        const stageRow = (row: ValidatedRow): Promise<void> | undefined => {
          const sheet = sheetIds.get(row.sheet)!;
          staged.add(stagingJson(sheet.id, sheet.keys, row));
          if (row.accepted) {
            const range = ranges.get(row.sheet);
            if (!range) ranges.set(row.sheet, { from: row.rowNumber, to: row.rowNumber });
            else {
              range.from = Math.min(range.from, row.rowNumber);
              range.to = Math.max(range.to, row.rowNumber);
            }
          }
          return staged.rows >= STAGE_BATCH ? flush() : undefined;
        };
        const v = await validateFile(file.bytes, file.originalName, {
          sha256: sha,
          limits: config,
          types: types.types,
          context: { config, receivedDate, expectedPeriod: period },
          contextRules: rules.check,
          // synchronous but for a sheet's first row and each full batch: a promise per row
          // would cost more than the row's staging
          onRow: (row) => {
            const lob = row.values.mcpId;
            if (typeof lob === 'string' && LOBS.has(lob)) {
              const set = sheetLobs.get(row.sheet);
              if (set) set.add(lob);
              else sheetLobs.set(row.sheet, new Set([lob]));
            }
            const sheet = sheetIds.get(row.sheet);
            if (!sheet) return ensureSheet(row.sheet, row.layout).then(() => stageRow(row));
            return stageRow(row);
          },
        });
        await flush();
        await inFlight;
        for (const s of v.sheets) await ensureSheet(s.name, types.get(s.layout).layout);
        addLate(v, await rules.finish({
          // keys an earlier file of the period still counts (corrections merge)
          countingEarlier: async (layout, keys) => new Set((await client.query<{ row_key: string }>(
            `select row_key from current_rows where provider_code = $1 and layout = $5 and period = $2 and row_key = any($3) and submission_id <> $4`,
            [file.provider, periodDate, keys, submissionId, layout])).rows.map((x) => x.row_key)),
        }));

        let verdict: Verdict | null = null;
        if (v.layouts.length) {
          // "Already submitted for the period" is per file type × line of business: the file's
          // (type, line) pairs against those of earlier files (a sheet recorded before lines
          // were, `lobs` empty, stands for every line).
          const pairs = fileLinePairs(v.sheets, sheetLobs);
          const earlier = await client.query<{ layout: string; lob: string }>(
            `select distinct s.layout, l.lob from submission_sheets s join submissions u on u.id = s.submission_id
               cross join lateral unnest(case when s.lobs = '{}' then array['*'] else s.lobs end) as l(lob)
              where s.provider_code = $1 and s.period = $2 and s.layout = any($3) and s.submission_id <> $4 and s.submission_id <> all($5::bigint[])
                and u.duplicate_of is null and u.verdict is distinct from 'DECLINED_LATE'`,
            [file.provider, periodDate, v.layouts, submissionId, chain],
          );
          const had = new Set(earlier.rows.map((x) => `${x.layout}|${x.lob}`));
          const seen = pairs.map(([layout, lob]) => had.has(`${layout}|${lob}`) || had.has(`${layout}|*`));
          // A file mixing a line already submitted with a first one: flagged late under the
          // default policy; under LATE_FIRST_SUBMISSION=decline its resubmitted part keeps it in.
          const alreadySubmittedForPeriod = policy.lateFirstSubmission === 'decline' ? seen.some(Boolean) : seen.length > 0 && seen.every(Boolean);
          verdict = submissionVerdict({ receivedAt: file.receivedAt, tz, alreadySubmittedForPeriod, policy, fileTypes: windowsOf(v.layouts) }).verdict;
          if (verdict === 'DECLINED_LATE') {
            const issue = makeIssue('DECLINED_LATE', {}, {});
            issue.message = declinedMessage(period, file.receivedAt, tz, policy, windowsOf(v.layouts));
            addLate(v, [issue]);
          }
        }
        return { v, verdict, appliedEarly: applyEarly ? appliedEarly : null, batchesApplied };
      };
      const beforeRows = recorded.then(() => client.query('savepoint before_rows'));
      beforeRows.catch(() => undefined); // awaited by readAndStage
      let read = await readAndStage(true, beforeRows);
      if (read.v.outcome === 'REJECTED' && read.batchesApplied > 0) {
        await client.query('rollback to savepoint before_rows');
        read = await readAndStage(false);
      }
      v = read.v;
      verdict = read.verdict;
      const appliedEarly = read.appliedEarly;
      if (v.outcome === 'REJECTED') await client.query(`update submission_rows set accepted = false where sheet_id = any($1)`, [[...sheetIds.values()].map((s) => s.id)]);

      if (v.outcome !== 'REJECTED') {
        for (const [name, s] of sheetIds) {
          // Applied batch by batch while the file was read, or now in one statement per sheet.
          const applied = appliedEarly ? (appliedEarly.get(name) ?? 0) : await s.type.apply(client, s.id, file.provider);
          faultPoint('ingest-mid-apply');
          await client.query(`update submission_sheets set applied = true where id = $1`, [s.id]);
          const lobs = [...(sheetLobs.get(name) ?? [])].sort();
          // compared with before this sheet counted: the latest earlier file of its type and lines
          const old = await previousSheet(client, file.provider, s.type.name, periodDate, lobs, submissionId);
          const merging = { id: s.id, type: s.type, submissionId, receivedAt: file.receivedAt };
          if (!appliedEarly) await mergeRange(client, merging, file.provider, periodDate, tallyOf(name), { replaceLine: replaceLine(s.type) });
          const stats = await finishMerge(client, merging, file.provider, periodDate, tallyOf(name));
          log.debug({ submissionId, sheet: s.type.name, applied }, 'sheet applied');
          const names = await submissionNames(client, stats.flatMap((m) => m.updatedFrom.map((f) => f.submissionId)));
          for (const m of stats) {
            merged.push({ sheet: name, layout: s.type.name, ...m });
            extra.push([`Rows now counting (${s.type.name} ${m.lob})`, mergeText(m, names)]);
          }
          for (const id of new Set(stats.flatMap((m) => m.updatedFrom.map((f) => f.submissionId))))
            supersedes.push({ submissionId: id, file: names.get(id) ?? '', sheet: name });
          if (old) {
            const d = await errorChanges(client, old.sheetId, s.id, v.issues.filter((i) => i.severity === 'error' && i.sheet === name));
            diff = diff ? { fixed: diff.fixed + d.fixed, stillFailing: diff.stillFailing + d.stillFailing, new: diff.new + d.new, notResent: (diff.notResent ?? 0) + d.notResent } : d;
            extra.push([`Changes since ${old.name}`, `${d.fixed} error(s) fixed, ${d.stillFailing} still failing, ${d.new} new, ${d.notResent} not sent again (received ${spellInstant(old.receivedAt, tz)}, submission ${old.submissionId})`]);
          }
        }
        // each type's warnings once its rows count, shown on the file's first sheet
        for (const type of new Set([...sheetIds.values()].map((s) => s.type)))
          if (type.afterApply) addLate(v, await type.afterApply(client, { config, provider: file.provider, sheet: [...sheetIds.keys()][0]! }));
      }
    }
    await recorded; // (settled already when rows were read; its error, if any, is the real one)
    if (verdict) extra.unshift(['Deadline verdict', verdictLabel(verdict, policy, v.layouts.length ? windowsOf(v.layouts) : suggested)]);
    if (file.reprocess) {
      extra.unshift(['Reprocessed by the plan', `a new answer to submission ${file.reprocess.of} (the same file), read again under the plan's current rules and records; this response replaces that one`]);
      if (v.outcome === 'REJECTED' && file.reprocess.earlierApplied) extra.push(['Earlier answer', `nothing in this file was applied: what submission ${file.reprocess.of} applied still counts`]);
    }
    extra.unshift(['Reporting period', reportingPeriodLabel(period)], ['Received', spellInstant(file.receivedAt, tz)], ['Provider', `${ctx.name} (${ctx.code})`]);
    if (!supersedes.length) supersedes = undefined;

    // Everything the provider and liaison see, stored with the submission, while the response
    // workbook is written. (Statements queue on the client, in order.)
    const allIssues = [...v.fileErrors, ...v.issues];
    const dbTail = (async () => {
      if (allIssues.length)
        await client.query(
          `insert into submission_issues (submission_id, sheet_name, row_number, column_label, code, severity, message, cin)
           select $1, sheet, row, col, code, severity, message, cin from jsonb_to_recordset($2::jsonb)
             as x(sheet text, row int, col text, code text, severity text, message text, cin text)`,
          [submissionId, JSON.stringify(allIssues.map((i) => ({ sheet: i.sheet, row: i.row, col: i.column, code: i.code, severity: i.severity, message: i.message, cin: i.cin ?? null })))],
        );
      for (const s of v.sheets) {
        const id = sheetIds.get(s.name)?.id;
        if (id)
          await client.query(`update submission_sheets set rows_read = $2, rows_accepted = $3, rows_rejected = $4, warnings = $5, lobs = $6 where id = $1`,
            [id, s.rowsRead, s.rowsAccepted, s.rowsRejected, s.warnings, [...(sheetLobs.get(s.name) ?? [])].sort()]);
      }
    })();
    dbTail.catch(() => undefined); // awaited right after the response is written
    const responseBytes = await responseToBuffer(v, {
      extra,
      codeSettings: { REFERRAL_STATUS_VALUES: config.REFERRAL_STATUS_VALUES, REFERRAL_CLOSURE_REASONS: config.REFERRAL_CLOSURE_REASONS },
      generatedAt: spellInstant(now(), tz),
      layoutOf: (name) => types.get(name).layout,
    });
    await dbTail;
    const responseSha = await putBlob(client, responseBytes);
    await client.query(
      `update submissions set file_types = $2, verdict = $3, outcome = $4, state = 'APPLIED', rows_read = $5, rows_accepted = $6,
         rows_rejected = $7, warnings = $8, response_name = $9, response_sha256 = $10 where id = $1`,
      [submissionId, v.layouts, verdict, v.outcome, v.rowsRead, v.rowsAccepted, v.rowsRejected, v.warnings, respName, responseSha],
    );
    await client.query('COMMIT');
    faultPoint('ingest-after-commit');

    const document: IngestDocument = {
      file: file.originalName, sha256: sha, outcome: v.outcome, verdict, period: first ? null : period,
      rowsRead: v.rowsRead, rowsAccepted: v.rowsAccepted, rowsRejected: v.rowsRejected, warnings: v.warnings,
      sheets: v.sheets.map((s) => ({ name: s.name, layout: s.layout, rowsRead: s.rowsRead, rowsAccepted: s.rowsAccepted, rowsRejected: s.rowsRejected, warnings: s.warnings })),
      fileErrors: v.fileErrors.map((e) => ({ code: e.code, message: e.message, ...(e.sheet ? { sheet: e.sheet } : {}) })),
      issues: docIssues(v.issues),
      report: null,
      provider: file.provider,
      submissionId,
      ...(first ? { duplicateOf: first.id } : {}),
      ...(supersedes ? { supersedes } : {}),
      ...(diff ? { diff } : {}),
      ...(merged.length ? { merge: merged } : {}),
      responseName: respName,
    };
    log.info({ submissionId, provider: file.provider, outcome: v.outcome, verdict, rowsRead: v.rowsRead, rowsAccepted: v.rowsAccepted, rowsRejected: v.rowsRejected }, 'submission processed');
    return { submissionId, document, response: { name: respName, bytes: responseBytes }, resumed: false, liaisonSummary: liaisonText(document, ctx.name, fixBy(document, policy, windowsOf)), context: ctxOut };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

function emptyValidation(file: InboundFile, sha: string): FileValidation {
  return {
    file: file.originalName, size: file.bytes.length, sha256: sha, outcome: 'REJECTED', layouts: [], rowsRead: 0, rowsAccepted: 0, rowsRejected: 0,
    warnings: 0, sheets: [], fileErrors: [], issues: [], issuesOmitted: 0, countsByCode: {},
    rejectedRows: new RejectedRowCollector(0),
  };
}

/** Until when the provider can still correct this file's rows (none once accepted whole, declined or a copy). */
function fixBy(d: IngestDocument, policy: ReturnType<typeof deadlinePolicyFromConfig>, windowsOf: (types: readonly string[]) => readonly string[]): string | undefined {
  if (!d.period || d.outcome === 'ACCEPTED' || d.verdict === 'DECLINED_LATE' || d.duplicateOf !== undefined) return undefined;
  const last = submissionWindow(policy, windowsOf(d.sheets.map((x) => x.layout))).acceptedLastDay;
  return showIsoDate(periodDay(nextPeriod(d.period), last));
}

/** The email about a response (liaison and provider): counts, codes and file names, never PHI. */
function liaisonText(d: IngestDocument, providerName: string, fixUntil?: string): string {
  const lines = [
    `${providerName} (${d.provider}) sent ${d.file}.`,
    `Outcome: ${d.outcome}${d.verdict ? `   Deadline verdict: ${d.verdict}` : ''}${d.period ? `   Reporting period: ${reportingPeriodLabel(d.period)}` : ''}`,
    `Rows read ${d.rowsRead}, accepted ${d.rowsAccepted}, rejected ${d.rowsRejected}, warnings ${d.warnings}.`,
  ];
  for (const e of d.fileErrors) lines.push(`File error ${e.code}: ${e.message}`);
  for (const m of d.merge ?? []) lines.push(`${m.layout} ${m.lob}: ${m.updated} row(s) updated, ${m.added} added, ${m.kept} kept from earlier files.`);
  if (d.diff) lines.push(`Compared with the earlier file: ${d.diff.fixed} error(s) fixed, ${d.diff.stillFailing} still failing, ${d.diff.new} new, ${d.diff.notResent ?? 0} not sent again.`);
  const byCode = new Map<string, number>();
  for (const i of d.issues) byCode.set(`${i.severity} ${i.code}`, (byCode.get(`${i.severity} ${i.code}`) ?? 0) + 1);
  if (byCode.size) lines.push('', 'Issues by code:', ...[...byCode].sort().map(([k, n]) => `  ${k}: ${n}`));
  if (fixUntil) lines.push('', `Corrected rows for ${reportingPeriodLabel(d.period!)} are accepted through ${fixUntil}: fix the "Rejected rows" sheet of the response and upload it.`);
  lines.push('', `The response ${d.responseName} is in the provider's downloads folder.`);
  return lines.join('\n');
}

/** The document and response of a submission already applied (resume after a crash). */
export async function storedResult(pool: pg.Pool | pg.PoolClient, submissionId: number): Promise<Omit<Ingested, 'resumed' | 'context'>> {
  const s = (await pool.query(`select s.*, b.bytes as response_bytes from submissions s join file_blobs b on b.sha256 = s.response_sha256 where s.id = $1`, [submissionId])).rows[0];
  const sheets = (await pool.query(`select sheet_name, layout, rows_read, rows_accepted, rows_rejected, warnings from submission_sheets where submission_id = $1 order by id`, [submissionId])).rows;
  const issues = (await pool.query(`select sheet_name, row_number, column_label, code, severity, message, cin from submission_issues where submission_id = $1 order by id`, [submissionId])).rows;
  const fileErrors = issues.filter((i) => i.severity === 'error' && i.row_number === null);
  const document: IngestDocument = {
    file: s.original_name, sha256: s.sha256, outcome: s.outcome, verdict: s.verdict, period: s.period ? String(s.period).slice(0, 7) : null,
    rowsRead: s.rows_read, rowsAccepted: s.rows_accepted, rowsRejected: s.rows_rejected, warnings: s.warnings,
    sheets: sheets.map((x) => ({ name: x.sheet_name, layout: x.layout, rowsRead: x.rows_read, rowsAccepted: x.rows_accepted, rowsRejected: x.rows_rejected, warnings: x.warnings })),
    fileErrors: fileErrors.map((e) => ({ code: e.code, message: e.message, ...(e.sheet_name ? { sheet: e.sheet_name } : {}) })),
    issues: issues.filter((i) => !fileErrors.includes(i)).map((i) => ({ sheet: i.sheet_name, row: i.row_number, column: i.column_label, columnLetter: null, code: i.code, severity: i.severity, message: i.message, ...(i.cin ? { cin: i.cin } : {}) })),
    report: null, provider: s.provider_code, submissionId, responseName: s.response_name,
  };
  return { submissionId, document, response: { name: s.response_name, bytes: s.response_bytes }, liaisonSummary: liaisonText(document, s.provider_code) };
}

// What every upstream applier shares: the row shape, the context a batch is checked and
// written in, and the database look-ups several kinds need.
import type pg from 'pg';
import type { UpstreamKind, UpstreamRow } from '../../schemas/upstream.js';
import { inLineOn } from '../repositories/ecm-assignments.js';
import { notEnded } from '../repositories/last-day.js';
import { existingCins } from '../repositories/members.js';
import { contractKeys } from '../repositories/providers.js';
import { withSavepoint } from '../db/pool.js';
import { log } from '../log.js';

export type Row = Record<string, unknown> & { __row: number };
export type Reject = (row: number, message: string, column?: string) => void;

/** An approved referral not applied: the member has an open ECM assignment with another provider (domain §4 item 4a). */
export interface ImportConflict {
  row: number;
  referralId: string;
  /** PHI: shown to ops in the CLI output and --json only, never logged or emailed. */
  cin: string;
  lob: string;
  currentProvider: string;
  referredProvider: string;
}

/** A field of an ECM assignment where the plan's extract and the provider's accepted RTF disagree (domain §4 item 4b). */
export interface ImportDisagreement {
  row: number;
  /** PHI: as above. */
  cin: string;
  lob: string;
  provider: string;
  fields: { field: string; extract: string | null; provider: string | null }[];
  /**
   * Which side the assignment now carries: 'extract' when it took every field listed, else
   * 'provider' (some of the provider's report stands; fieldsKept says which).
   */
  kept: 'provider' | 'extract';
  /** Per field listed, which side the assignment now carries (each follows the newer side on its own). */
  fieldsKept: Record<string, 'provider' | 'extract'>;
  /** Receipt time of the RTF that reported the provider's values, and its submission. */
  reportedAt: string;
  submissionId: number;
}

/**
 * An assignment-extract row naming the provider a referral's newer episode replaced, or the
 * episode's own provider from before it (domain §4 item 4a): nothing of it applied, the member
 * stays with the referred provider in the new episode. Listed so ops
 * see the extract lagging behind the referral; it is no conflict to settle.
 */
export interface ImportOlderThanReferral {
  row: number;
  /** PHI: as above. */
  cin: string;
  lob: string;
  /** The provider the extract row names. */
  extractProvider: string;
  /** The provider holding the assignment, since the episode started. */
  provider: string;
  /** When the referral's episode started (the import that applied it). */
  episodeStartedAt: string;
}

/**
 * A row imported as it is that ops should still look at. no-recipient (providers): its contract
 * has neither a contact nor a liaison address. planned-switch (ecm-assignments): the row moves the
 * member to another provider of the line from a day still to come, held until then
 * (applyDueSwitches); planned-switch-cancelled: the row lists the member with the provider that
 * holds them, or (LOB_SWITCH=end-other-lines) puts them in another line and no longer lists them
 * in the switch's line, and the switch an earlier extract planned will not happen.
 */
export interface ImportRowWarning { code: 'no-recipient' | 'planned-switch' | 'planned-switch-cancelled'; row: number; message: string }

export interface ApplyCtx {
  reject: Reject;
  warn: (w: ImportRowWarning) => void;
  /** Per-file memory (rows seen so far), for rules across batches. */
  state: Map<string, unknown>;
  /** The import's clock: when it happened (compared with RTF receipt times, recorded on what it resolves). */
  now: Date;
  /** The plan-local day of `now` (PLAN_TIME_ZONE): what still holds a member when the file is read (holdsAgainstReferral). */
  today: string;
  /** The columns the file's header names (an optional column may be absent). */
  header: readonly string[];
  conflicts: ImportConflict[];
  disagreements: ImportDisagreement[];
  olderThanReferral: ImportOlderThanReferral[];
  /** ecm-assignments: assignments in another line the plan ended (LOB_SWITCH). */
  lineSwitches: ImportLineSwitch[];
  /** LOB_SWITCH: what an extract row opening a member's assignment in one line does to the member's open assignment in another. */
  lobSwitch: 'end-other-lines' | 'keep';
  /** The file's name (no folder), kept with a planned switch: what its liaisons are told if it is not applied on its day. */
  fileName?: string;
}

export interface Applier {
  /** Context rules (database, earlier rows of the file); returns the rows to write. Writes nothing a row failure must undo. */
  check(c: pg.PoolClient, rows: Row[], ctx: ApplyCtx): Promise<Row[]>;
  /** Set-based writes for the rows; called again one row at a time when a batch breaks a database rule. */
  upsert(c: pg.PoolClient, rows: Row[], ctx: ApplyCtx): Promise<void>;
  /**
   * The order the file's rows are checked and written in, when their outcome depends on it
   * (one row read after another): by this key, compared byte by byte (Postgres's "C"
   * collation: an ISO date sorts as days), then by row number. The valid rows are then staged in the import's
   * transaction as they are read, a batch at a time, and checked and written from there in
   * that order, a batch at a time (src/repositories/upstream-staging.ts): where the import's
   * batches fall changes nothing, and no more than a batch of the file is held. Absent: file
   * order, streamed.
   */
  orderKey?: (r: Row) => string;
  /** After the file's last batch, in its transaction: rules over the whole file (what it lists, what it wrote). */
  finish?: (c: pg.PoolClient, ctx: ApplyCtx) => Promise<void>;
}

/**
 * The file's fields of rows parsed by UPSTREAM[kind].schema, as the repositories write them (one
 * set-based statement per batch): keys starting `__` are ours (row number, decisions), not the file's.
 */
export const fieldsOf = <K extends UpstreamKind>(r: Row): UpstreamRow<K> =>
  Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('__'))) as UpstreamRow<K>;
export const fields = <K extends UpstreamKind>(rows: Row[]): UpstreamRow<K>[] => rows.map((r) => fieldsOf<K>(r));

/** An optional field of a parsed row, null when the file left it blank. */
export const orNull = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));

export function seen(state: Map<string, unknown>, name: string): Map<string, unknown> {
  let m = state.get(name) as Map<string, unknown> | undefined;
  if (!m) state.set(name, (m = new Map()));
  return m;
}

/**
 * Why the provider's contract for the row's line and program cannot take it (undefined: it can):
 * none, or one that ended before `day` (the row's date; null: not checked). [POLICY] A row dated
 * after the contract's last day gives the member to a provider no MIF or CSASF goes to
 * (contractInForce); one dated before stays the provider's until the plan moves the member.
 */
export function contractRefusal(contracts: Map<string, string | null>, r: Row, program: 'ECM' | 'CS', day: string | null, dayColumn: string): string | undefined {
  const key = `${String(r.provider_code)}|${String(r.lob)}|${program}`;
  if (!contracts.has(key)) return `provider ${String(r.provider_code)} has no ${program} contract for ${String(r.lob)}`;
  const end = contracts.get(key);
  if (end && day && day > end) return `provider ${String(r.provider_code)}'s ${program} contract for ${String(r.lob)} ended on ${end}, before the row's ${dayColumn}: not applied`;
  return undefined;
}

/** Rows whose member exists and whose provider's ECM contract for the row's line of business is in force on the row's `dayColumn`. */
export async function knownMemberWithEcmContract(c: pg.PoolClient, rows: Row[], reject: Reject, dayColumn: 'approved_date' | 'assigned_date'): Promise<Row[]> {
  const members = await existingCins(c, rows.map((r) => String(r.cin)));
  const ctr = await contractKeys(c, [...new Set(rows.map((r) => String(r.provider_code)))]);
  return rows.filter((r) => {
    if (!members.has(String(r.cin))) return reject(r.__row, 'member not found: import the member first', 'cin'), false;
    const refusal = contractRefusal(ctr, r, 'ECM', orNull(r[dayColumn]), dayColumn);
    if (refusal) return reject(r.__row, refusal, 'provider_code'), false;
    return true;
  });
}

export function dedupe(rows: Row[], key: (r: Row) => string, seenKeys: Map<string, unknown>, reject: Reject, what: string): Row[] {
  const out: Row[] = [];
  for (const r of rows) {
    const k = key(r);
    const prev = seenKeys.get(k);
    if (prev !== undefined) {
      reject(r.__row, `duplicate ${what}: already given on row ${String(prev)}`);
      continue;
    }
    seenKeys.set(k, r.__row);
    out.push(r);
  }
  return out;
}

/**
 * What the provider reported still holds the member on `day` (YYYY-MM-DD): status 1-3, and no
 * enrollment end or discontinuation before the day (one dated on or after it, a planned end as
 * the assignment extract gives one, has not happened yet: the member is still enrolled).
 * endOtherLines asks the same, in SQL, of the day the member joins another line.
 */
export const reportedOpen = (a: { status: number; enrollment_end: string | null; discontinuation_date: string | null }, day: string): boolean =>
  a.status >= 1 && a.status <= 3 && notEnded(a.enrollment_end, day) && notEnded(a.discontinuation_date, day);

/**
 * The member is with that provider on `day` (domain §4 item 4a: an open ECM assignment): open as
 * reported (reportedOpen), and not moved by the plan to another line before it (inLineOn: the one
 * rule, assignmentInLine).
 */
export const isOpenEcm = (a: { status: number; enrollment_end: string | null; discontinuation_date: string | null; plan_end: string | null }, day: string) =>
  reportedOpen(a, day) && inLineOn(a, day);

/**
 * [POLICY] Another provider's assignment `a` stops a referral approved on `approved` and imported
 * on `today` (plan-local days; domain §4 item 4a, a conflict): the member was with that provider on
 * the approval day (isOpenEcm), and what the provider reported, or the extract's planned end,
 * still holds them on the import's day (reportedOpen). An enrollment or outreach that ended
 * between the two (a referral approved October 20 reaching the plan November 20, the enrollment
 * ended October 31) takes nothing from that provider any more: the referral is applied, where it
 * was a conflict that left the member with no provider and told the liaisons the member stayed
 * with the old one. The plan's own line end between the two still stops it (the member left the
 * line: a referral approved before that is not applied, see LOB_SWITCH).
 */
export const holdsAgainstReferral = (a: Parameters<typeof isOpenEcm>[0], approved: string, today: string): boolean =>
  isOpenEcm(a, approved) && reportedOpen(a, today);

/** [POLICY LOB_SWITCH] An assignment the plan ended because the assignment extract put its member in another line (see endOtherLines). */
export interface ImportLineSwitch {
  /** The extract's row that opened or moved the member's assignment in the line joined. */
  row: number;
  /** PHI: as above. */
  cin: string;
  lineLeft: string;
  lineJoined: string;
  /** The provider of the assignment ended (the line left). */
  provider: string;
  /** The assignment's last day in the line left (the day before the line joined's assigned date). */
  lastDay: string;
  /** The assignment ended (its lineage: ecm_assignment_changes, source LINE_SWITCH). */
  assignmentId: number;
}

/**
 * Why the database refused a row, in plain words and without its values (a constraint's
 * error detail repeats the row: PHI). Known rules by constraint name, else the rule's name.
 */
const RULES: Record<string, string> = {
  ecm_assignments_check: 'an enrollment end date needs a start date on or before it',
  ecm_assignments_check1: 'a discontinuation date and an enrollment start date cannot both be set',
  cs_authorizations_check: 'a POTENTIAL member has no authorization status, an AUTHORIZED one needs one',
  cs_authorizations_check1: 'auth_end is before auth_start',
  cs_authorizations_episode_uq: 'this authorization number is already on record for the member and service',
  cs_authorizations_open_uq: 'the member and service already have an open authorization',
  providers_sftp_folder_key: "another provider already uses this provider code's sFTP folder",
};
export function plainDbReason(err: unknown): string | undefined {
  const e = err as { code?: string; constraint?: string };
  if (typeof e.code !== 'string' || !/^2[23]/.test(e.code)) return undefined;
  const rule = e.constraint ? RULES[e.constraint] : undefined;
  if (rule) return `refused by the database: ${rule}`;
  if (e.constraint) return `refused by the database rule ${e.constraint}`;
  return e.code.startsWith('22') ? 'refused by the database: a value is out of range or malformed' : 'refused by the database: the row breaks an integrity rule';
}

/**
 * The batch in one go (the fast path for a good file); when the database refuses it, the batch
 * is undone and its rows written one at a time, each refused one rejected with a plain reason.
 * Errors that are not about a row's data (connection, syntax) still fail the import.
 */
export async function upsertGuarded(c: pg.PoolClient, applier: Applier, rows: Row[], ctx: ApplyCtx): Promise<number> {
  try {
    await withSavepoint(c, 'import_batch', () => applier.upsert(c, rows, ctx));
    return rows.length;
  } catch (err) {
    if (!plainDbReason(err)) throw err;
  }
  let written = 0;
  for (const r of rows) {
    try {
      await withSavepoint(c, 'import_row', () => applier.upsert(c, [r], ctx));
      written++;
    } catch (err) {
      const reason = plainDbReason(err);
      if (!reason) throw err;
      ctx.reject(r.__row, reason);
    }
  }
  log.warn({ rows: rows.length, refused: rows.length - written }, 'upstream rows: the database refused rows of a batch; they were rejected one by one');
  return written;
}

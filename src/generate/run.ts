// MIF, mini-MIF and CSASF for one slot: per provider (and line of business for ECM files)
// query → workbook → record (PENDING, with bytes and rows) → atomic publish → PUBLISHED.
// A unit already done for the slot is skipped, so a re-run publishes nothing new.
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { CSASF, codesFor, MIF, RTF } from '../../schemas/index.js';
import type { IsoDate } from '../../schemas/primitives.js';
import { addMonths, csasfSlotsForMonth, deadlinePolicyFromConfig, dueForPeriod, mifSlot, nextPeriod, periodLastDay, periodOfDate, reportingPeriodLabel, windowClosedBefore, type DeadlinePolicy, type Period } from '../calendar/index.js';
import { localDate, showIsoDate } from '../calendar/zone.js';
import { systemClock } from '../clock.js';
import { mcpName, type Config } from '../config.js';
import { putBlob } from '../db/blobs.js';
import { FILE_TYPES } from '../filetypes/registry.js';
import { dueSwitchesApplied } from '../import/ecm.js';
import { withTransaction } from '../db/pool.js';
import { errorText, log } from '../log.js';
import { queueNotification, sendNotification, type Message } from '../notify/mailer.js';
import { csasfRows, openRefusalsOf, type OpenRefusal } from '../repositories/cs-authorizations.js';
import { markReferralsSentOn, mifMembers, miniMifMembers, readMembersInSnapshot } from '../repositories/ecm-assignments.js';
import {
  closeUnpublished, currentVersion, hasCurrentVersion, markPublished, markReplaced, recordedBytes, recordEmptyFile, recordPendingFile, renamePendingFile, supersededPending,
  takenFileNames,
} from '../repositories/outbound-files.js';
import { holdSlotClaims } from '../repositories/run-ledger.js';
import { outboundProviders } from '../repositories/providers.js';
import { markUnit, unitDone } from '../repositories/run-units.js';
import { SftpError, type SftpSession } from '../sftp/client.js';
import { providerFolders } from '../sftp/pickup.js';
import { publishOnce } from '../sftp/publish-once.js';
import { writeWorkbookToBuffer, type WriteSheet } from '../xlsx/writer.js';
import { csasfRecord, mifRecord, type ProviderRow } from './rows.js';
import { layoutSheet } from './sheets.js';

export type OutboundKind = 'mif' | 'mini-mif' | 'csasf';
const KIND_CODE = { mif: 'MIF', 'mini-mif': 'MINIMIF', csasf: 'CSASF' } as const;

export interface GenerateOptions {
  date: IsoDate;
  provider?: string;
  dryRun?: boolean;
  out?: string;
  onProgress?: (done: number, total: number, unit: string) => void;
  signal?: AbortSignal;
  /** The run attempt (ledger id) this generation belongs to: each file records it. */
  runId?: number;
  /**
   * The generation's instant (the scheduler's or the command's clock): when its files are recorded
   * as published (published_at: a provider file received before it does not answer it) or replaced,
   * and when the publish notifications are recorded. Default: the wall clock as generate starts.
   */
  now?: Date;
  /** `republish`: each unit's current file is replaced by a new version under a new name (why: kept on the record). */
  republish?: { reason: string };
}

export interface UnitResult {
  provider: string;
  lob: string | null;
  status: 'PUBLISHED' | 'EMPTY' | 'ALREADY_DONE' | 'DRY_RUN' | 'FAILED' | 'SKIPPED';
  rows: number;
  file: string | null;
  path: string | null;
  /** republish: the file name of the version this one replaces (null: that version had no rows). */
  replaces?: string | null;
  error?: string;
  refused?: { cin: string; serviceCode: string; owner: string }[];
  /** Versions of earlier slots of the unit, recorded and never published, that this run closed (closingSuperseded). */
  superseded?: number;
}

export interface GenerateResult {
  kind: OutboundKind;
  slot: IsoDate;
  dryRun: boolean;
  units: UnitResult[];
  published: number;
  empty: number;
  failed: number;
  /** Versions of earlier slots, recorded by interrupted runs and never published, closed by this run. */
  superseded: number;
}

/** The slot a date belongs to: MIF → that month's 15th; CSASF → the latest slot on or before it; mini-MIF → the day. */
export function slotFor(kind: OutboundKind, date: IsoDate, config: Config): IsoDate {
  if (kind === 'mini-mif') return date;
  const period = periodOfDate(date);
  if (kind === 'mif') return mifSlot(period);
  const [y, m] = period.split('-').map(Number) as [number, number];
  const [first, second] = csasfSlotsForMonth(y, m, config.CSASF_SECOND_RUN_DAY);
  if (date >= second) return second;
  if (date >= first) return first;
  const prevMonth = m === 1 ? [y - 1, 12] : [y, m - 1];
  return csasfSlotsForMonth(prevMonth[0]!, prevMonth[1]!, config.CSASF_SECOND_RUN_DAY)[1];
}

/**
 * A day of the latest slot due on or before `date` (what a run without a date takes): `date`
 * itself, whose slot (slotFor) is due, except a MIF's before the 15th: its slot is the month's
 * 15th, so the latest MIF due is last month's (a run without a date on the 1st to the
 * 14th would otherwise publish the month's MIF ahead of its day, its members read before the RTFs
 * of the 1st to the 10th were applied, and the 15th's run would find it done).
 */
export function latestSlotDue(kind: OutboundKind, date: IsoDate, config: Config): IsoDate {
  return slotFor(kind, date, config) <= date ? date : mifSlot(addMonths(periodOfDate(date), -1));
}

/**
 * Why the slot may not go out on `today` (the plan-local date of the command's clock), or
 * undefined when it may: a slot after today is ahead of its day. Published early, its file is
 * built from records before that day's (a December MIF before December's RTFs are applied), and
 * the scheduled run on its day finds the slot done and sends nothing. `generate` and
 * `republish` refuse it (a `--dry-run` of it is a preview, and allowed).
 */
export function slotAhead(kind: OutboundKind, slot: IsoDate, today: IsoDate): string | undefined {
  return slot > today ? `the ${kind} slot ${slot} is in the future (today is ${today} in the plan time zone)` : undefined;
}

const compact = (d: IsoDate) => d.replace(/-/g, '');

/**
 * `<LOB>_<KIND>_<NPI>_<YYYYMMDD>.xlsx`; a second file of the same name the same day gets `_2`.
 * @param heldOnServer names found held on the server by files the database does not know
 */
async function fileName(
  pool: pg.Pool | pg.PoolClient, provider: ProviderRow, lobLabel: string, kind: OutboundKind, slot: IsoDate, heldOnServer: ReadonlySet<string> = new Set(),
): Promise<string> {
  const stem = `${lobLabel}_${KIND_CODE[kind]}_${provider.npi}_${compact(slot)}`;
  const names = await takenFileNames(pool, provider.provider_code, stem);
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${stem}.xlsx` : `${stem}_${n}.xlsx`;
    if (!names.has(name) && !heldOnServer.has(name)) return name;
  }
}

/**
 * Names tried for one file before its unit fails (the next run goes on from the last one
 * recorded): a folder holding this many strangers under its names wants a person.
 */
const NAMES_TRIED = 20;

/**
 * Publishes a recorded (PENDING) version. When its name is held on the server by something
 * else (a file the database does not know, after a restore or copied in by hand; a link), the
 * version is renamed to the next free name and published there: the name is never overwritten
 * nor written through, and a unit is never stuck on it. The rename commits before the publish,
 * so an attempt that stops between the two leaves the new name to the next one, and the
 * file goes out under one name only.
 */
async function publishRecorded(
  pool: pg.Pool, session: SftpSession, dir: string, fileId: number, name: string, bytes: Buffer, u: Unit, kind: OutboundKind, slot: IsoDate,
): Promise<{ name: string; remote: string }> {
  const held = new Set<string>();
  for (;;) {
    try {
      return { name, remote: await publishOnce(session, dir, name, bytes) };
    } catch (err) {
      if (!(err instanceof SftpError && err.code === 'REMOTE_EXISTS') || held.size + 1 >= NAMES_TRIED) throw err;
      held.add(name);
      const taken = name;
      name = await withTransaction(pool, async (c) => {
        const next = await fileName(c, u.provider, u.lobLabel, kind, slot, held);
        await renamePendingFile(c, fileId, next);
        return next;
      });
      log.warn({ provider: u.provider.provider_code, file: taken, renamedTo: name }, 'outbound file name held on the server by another file or a link (left as it is): published under the next free name');
    }
  }
}

interface Built {
  sheets: WriteSheet[];
  rows: { cin: string; serviceCode?: string; authStatus?: string | null; authNumber?: string | null; authStart?: string | null; authEnd?: string | null; ecmStatus?: number; referralId?: string | null }[];
  refused?: UnitResult['refused'];
  /** The snapshot a MIF's or mini-MIF's members were read in (which referral episodes it carried). */
  membersSnapshot?: string;
}

/**
 * The file's Production Date column (MIF, mini-MIF, CSASF). A slot's first version, on its day
 * or caught up later, is the slot's file and says the slot's date, as the file name does. A
 * republished version is built from the records as they are the day it is produced, so it says
 * that day (plan-local, by the run's clock): a provider holding both versions of a slot sees
 * which is newer and when its data was read. Everything else tied to the slot (the reporting
 * period, the name, which members are in line on the slot's day) stays the slot's.
 */
function productionDateOf(slot: IsoDate, at: Date, config: Config, republishing: boolean): IsoDate {
  return republishing ? localDate(at, config.PLAN_TIME_ZONE) : slot;
}

async function buildEcm(
  pool: pg.Pool, config: Config, kind: 'mif' | 'mini-mif', provider: ProviderRow, lob: string, slot: IsoDate, republishing: boolean, productionDate: IsoDate,
): Promise<Built> {
  const period = periodOfDate(slot);
  const { members, snapshot } = await readMembersInSnapshot(pool, (c) =>
    kind === 'mif'
      ? mifMembers(c, provider.provider_code, lob, slot, `${period}-01`)
      : miniMifMembers(c, provider.provider_code, lob, slot, config.MINI_MIF_MIN_DAYS, republishing));
  const ctx = { lob, mcpName: mcpName(config, lob), kind: kind === 'mif' ? 'MONTHLY' as const : 'MINI' as const, productionDate, period: reportingPeriodLabel(period), periodEnd: periodLastDay(period), provider };
  const sheets: WriteSheet[] = [layoutSheet(MIF, members.map((m) => mifRecord(m, ctx)))];
  if (config.MIF_INCLUDES_RTF_TEMPLATE && members.length) {
    const settings = { REFERRAL_STATUS_VALUES: config.REFERRAL_STATUS_VALUES, REFERRAL_CLOSURE_REASONS: config.REFERRAL_CLOSURE_REASONS };
    sheets.push(layoutSheet(RTF, members.map((m) => FILE_TYPES.RTF.prefill(m, ctx)), {
      lists: true,
      listFor: (c) => {
        const codes = codesFor(c, settings);
        return codes && c.type === 'code' ? Object.keys(codes) : undefined;
      },
    }));
  }
  return { sheets, rows: members.map((m) => ({ cin: m.cin, ecmStatus: m.status, referralId: m.referral_id })), membersSnapshot: snapshot };
}

async function buildCsasf(pool: pg.Pool, config: Config, provider: ProviderRow, slot: IsoDate, productionDate: IsoDate): Promise<Built> {
  const rows = await csasfRows(pool, provider.provider_code, slot, config.CSASF_CLOSED_RETENTION_DAYS);
  const conflicts = await openRefusalsOf(pool, provider.provider_code);
  const ctx = { mcpName: (lob: string) => mcpName(config, lob), productionDate, provider };
  return {
    sheets: [layoutSheet(CSASF, rows.map((r) => csasfRecord(r, ctx)))],
    rows: rows.map((r) => ({ cin: r.cin, serviceCode: r.service_code, authStatus: r.auth_status, authNumber: r.auth_number, authStart: r.auth_start, authEnd: r.auth_end })),
    refused: refusedOf(conflicts),
  };
}

/** The member × service pairs a CS provider's file leaves out because another provider holds them. */
function refusedOf(conflicts: readonly OpenRefusal[]): NonNullable<UnitResult['refused']> {
  return conflicts.map((c) => ({ cin: c.cin, serviceCode: c.service_code, owner: c.owner_provider }));
}


export interface GenerateDeps {
  pool: pg.Pool;
  config: Config;
  /** Opens an sFTP session for the run: one per delivery lane, DELIVERIES at most (not used in dry runs). */
  openSession?: () => Promise<SftpSession>;
}

/** One file of a run: a provider, and its line of business (null for a CSASF, which has all of them). */
type Unit = { provider: ProviderRow; lob: string | null; lobLabel: string };
/** A unit's key in the run ledger: provider and line of business (`*` for a CSASF). */
const unitKeyOf = (u: Pick<Unit, 'provider' | 'lob'>) => `${u.provider.provider_code}|${u.lob ?? '*'}`;

export async function generate(kind: OutboundKind, opts: GenerateOptions, deps: GenerateDeps): Promise<GenerateResult> {
  const { pool, config } = deps;
  const at = opts.now ?? systemClock();
  const slot = slotFor(kind, opts.date, config);
  const job = kind;
  // who holds the members today: the switches an assignment extract planned for today or before
  // are applied first (the mini-MIF's daily run applies those of a day nothing else ran on)
  if (kind !== 'csasf' && !opts.dryRun) await dueSwitchesApplied(pool, at, config.PLAN_TIME_ZONE, config);
  // (only contracts in force on the slot's day: no member data under an ended contract)
  const providers = await outboundProviders(pool, kind === 'csasf' ? 'CS' : 'ECM', slot, opts.provider);
  if (opts.provider && providers.length === 0) throw new Error(`provider ${opts.provider} has no ${kind === 'csasf' ? 'CS' : 'ECM'} contract in force on ${slot}`);
  const units: Unit[] = [];
  for (const p of providers) {
    if (kind === 'csasf') units.push({ provider: p, lob: null, lobLabel: p.lobs.join('-') });
    else for (const lob of p.lobs) units.push({ provider: p, lob, lobLabel: lob });
  }
  const results: UnitResult[] = [];
  // A pipeline: while units are recorded and published (Postgres, sFTP: mostly waiting), the
  // next PREPARE_AHEAD units read their rows (Postgres) and write their workbooks (CPU), so the
  // one thread always has a workbook to write. DELIVERIES lanes deliver at once, each with its
  // own sFTP session (opened on first use) and transactions; unit i goes to lane i % DELIVERIES,
  // after that lane's previous unit.
  const delivering: Promise<void>[] = Array.from({ length: DELIVERIES }, () => Promise.resolve());
  const sessions: (SftpSession | undefined)[] = [];
  const preparing = new Map<number, Promise<Prepared | { error: unknown }>>();
  const prepareAt = (i: number) => {
    // signal: no new unit is started once a stop is asked for
    if (i >= units.length || preparing.has(i) || opts.signal?.aborted) return;
    preparing.set(i, closingSuperseded(prepareUnit(kind, job, slot, units[i]!, opts, deps, at), kind, job, slot, units[i]!, opts, deps).catch((error: unknown) => ({ error })));
  };
  const failed = async (i: number, u: Unit, err: unknown) => {
    const message = errorText(err);
    log.error({ job, slot, provider: u.provider.provider_code, lob: u.lob, err: { message } }, 'outbound unit failed');
    results[i] = { provider: u.provider.provider_code, lob: u.lob, status: 'FAILED', rows: 0, file: null, path: null, error: message };
    if (!opts.dryRun) await markUnit(pool, job, slot, unitKeyOf(u), 'FAILED', { error: message }).catch(() => undefined);
  };
  try {
    for (const [i, u] of units.entries()) {
      if (opts.signal?.aborted) throw new Error('run stopped before it finished');
      opts.onProgress?.(i, units.length, unitKeyOf(u));
      for (let k = i; k <= i + PREPARE_AHEAD; k++) prepareAt(k);
      const prepared = await preparing.get(i)!;
      preparing.delete(i); // its workbook is the delivery's now: not kept for the whole run
      if ('error' in prepared) {
        await failed(i, u, prepared.error);
        continue;
      }
      if ('result' in prepared) {
        results[i] = prepared.result;
        continue;
      }
      const lane = i % DELIVERIES;
      await delivering[lane];
      // a stop asked for while earlier units were delivered: this one is left for the next run
      if (opts.signal?.aborted) throw new Error('run stopped before it finished');
      delivering[lane] = prepared.deliver(() => openOnce(lane)).then(
        (r) => {
          results[i] = r;
        },
        async (err: unknown) => {
          await failed(i, u, err);
          // A broken connection must not poison the other providers: the lane opens a fresh one.
          await sessions[lane]?.close().catch(() => undefined);
          sessions[lane] = undefined;
        },
      );
    }
    await Promise.all(delivering);
    opts.onProgress?.(units.length, units.length, '');
  } finally {
    await Promise.all(delivering.map((d) => d.catch(() => undefined)));
    // units started ahead of a stop or a failure settle before the run returns (none is left running)
    await Promise.all(preparing.values());
    await Promise.all(sessions.map((s) => s?.close().catch(() => undefined)));
  }
  async function openOnce(lane: number): Promise<SftpSession> {
    if (!deps.openSession) throw new Error('no sFTP transport configured');
    return (sessions[lane] ??= await deps.openSession());
  }
  const count = (s: UnitResult['status']) => results.filter((r) => r.status === s).length;
  const superseded = results.reduce((n, r) => n + (r.superseded ?? 0), 0);
  return { kind, slot, dryRun: !!opts.dryRun, units: results, published: count('PUBLISHED'), empty: count('EMPTY'), failed: count('FAILED'), superseded };
}

/**
 * Units read and written ahead of the one the loop waits for: with one, a unit's rows are read
 * while another's workbook is written (bench case D).
 */
const PREPARE_AHEAD = 1;
/** Units recorded and published at once (bench case D: one at a time left the thread idle a third of the run). */
const DELIVERIES = 2;

/** A unit either settled while preparing (already done, empty, dry run) or ready to deliver. */
type Prepared = { result: UnitResult } | { deliver: (session: () => Promise<SftpSession>) => Promise<UnitResult> };

/**
 * A run of a slot supersedes the unit's versions of earlier slots that an interrupted run recorded
 * and never published (catch-up never resumes an older slot; what they carried, this slot's file
 * carries: supersededPending). Each is closed (FAILED, saying so) and the `.part` its attempt
 * may have left in the provider's downloads/ is removed, on the unit's delivery (with its sFTP
 * session, even when the unit has nothing to send). Never while another run holds that slot, or
 * a republish of it (a second scheduler, an operator's generate --date: it may be writing that
 * very `.part`): the claims are held while the version is closed, so none starts meanwhile, and
 * the next run closes it once that one has ended. Left for the next run too when the sFTP
 * server refuses the removal (a warning): the version stays PENDING until its `.part` is gone.
 */
async function closingSuperseded(
  preparing: Promise<Prepared>, kind: OutboundKind, job: string, slot: IsoDate, u: Unit, opts: GenerateOptions, deps: GenerateDeps,
): Promise<Prepared> {
  const prepared = await preparing;
  if (opts.dryRun || opts.republish) return prepared;
  const stale = await supersededPending(deps.pool, KIND_CODE[kind], slot, u.provider.provider_code, u.lob);
  if (stale.length === 0) return prepared;
  return {
    deliver: async (session) => {
      const dir = providerFolders(deps.config.SFTP_ROOT, u.provider.sftp_folder).downloads;
      let superseded = 0;
      for (const v of stale) {
        const held: [string, string][] = [[job, v.slot], ['republish', `${kind} ${v.slot} ${u.provider.provider_code}`]];
        const ctx = { job, slot, provider: u.provider.provider_code, lob: u.lob, supersededSlot: v.slot, file: v.file_name };
        try {
          const closed = await withTransaction(deps.pool, async (c) => {
            if ((await holdSlotClaims(c, held, deps.config.ABANDON_AFTER_SECONDS)).live) {
              log.info(ctx, 'an unpublished file of an earlier slot is left to the run that holds that slot');
              return false;
            }
            if (v.file_name) await removeIfThere(await session(), `${dir}/.${v.file_name}.part`);
            return closeUnpublished(c, v.id, `never published (its run stopped before confirming it); superseded by the ${kind} of ${slot}, which carries what it would have`);
          });
          if (closed) {
            superseded++;
            log.warn(ctx, 'unpublished file of a superseded slot closed (FAILED) and its .part removed: this slot\'s file carries its members');
          }
        } catch (err) {
          log.warn({ ...ctx, err: { message: errorText(err) } }, 'could not close an unpublished file of a superseded slot; the next run tries again');
        }
      }
      const r = 'result' in prepared ? prepared.result : await prepared.deliver(session);
      return superseded ? { ...r, superseded } : r;
    },
  };
}

/** Removes a remote file, if it is there (unlink: a link itself, never its target). */
async function removeIfThere(session: SftpSession, remotePath: string): Promise<void> {
  try {
    await session.remove(remotePath);
  } catch (err) {
    if (!(err instanceof SftpError && err.code === 'NOT_FOUND')) throw err;
  }
}

/** Reads the unit's rows and writes its workbook; recording and publishing are left to `deliver`. */
async function prepareUnit(
  kind: OutboundKind,
  job: string,
  slot: IsoDate,
  u: Unit,
  opts: GenerateOptions,
  deps: GenerateDeps,
  at: Date,
): Promise<Prepared> {
  const { pool, config } = deps;
  const code = KIND_CODE[kind];
  const unitKey = unitKeyOf(u);
  const base = { provider: u.provider.provider_code, lob: u.lob };

  // republish: the version this unit's new file replaces (PUBLISHED or EMPTY), set below
  let replacing: { id: number; file: string | null } | undefined;
  /** What a new version of this unit records besides its contents (called once `replacing` is settled). */
  const version = () => ({
    kind: code, job, slot, provider: u.provider.provider_code, lob: u.lob, runId: opts.runId ?? null,
    replacesId: replacing?.id ?? null, reason: opts.republish?.reason ?? null,
  });
  if (!opts.dryRun) {
    const p = await currentVersion(pool, code, slot, u.provider.provider_code, u.lob);
    if (opts.republish && !p) return { result: { ...base, status: 'SKIPPED', rows: 0, file: null, path: null, error: 'nothing published for this slot yet: use generate' } };
    if (opts.republish && p && p.status !== 'PENDING') replacing = { id: p.id, file: p.file_name };
    else if (p?.status === 'PUBLISHED' || p?.status === 'EMPTY' || (!p && (await unitDone(pool, job, slot, unitKey)))) {
      return { result: { ...base, status: 'ALREADY_DONE', rows: p?.row_count ?? 0, file: p?.file_name ?? null, path: p?.remote_path ?? null } };
    }
    if (p?.status === 'PENDING') {
      // An earlier run recorded this file and stopped before confirming it: publish those bytes.
      const finish = async (session: () => Promise<SftpSession>): Promise<UnitResult> => {
        const bytes = await recordedBytes(pool, p.sha256);
        const dir = providerFolders(config.SFTP_ROOT, u.provider.sftp_folder).downloads;
        const { name, remote } = await publishRecorded(pool, await session(), dir, p.id, p.file_name!, bytes, u, kind, slot);
        // (the provider is told now: the attempt that recorded the file never got to; the
        // refusals are the ones still open, as the file's own build would have listed them)
        const refused = kind === 'csasf' ? refusedOf(await openRefusalsOf(pool, u.provider.provider_code)) : [];
        const notice = publishedNotice(config, kind, slot, u, p.id, name, p.row_count, refused, at, p.replaces_file);
        await confirmPublished(pool, kind, job, slot, unitKey, p.id, remote, u, opts.runId, at, notice);
        await sendNotice(deps, u.provider.provider_code, notice, at);
        return { ...base, status: 'PUBLISHED', rows: p.row_count, file: name, path: remote, ...(refused.length ? { refused } : {}) };
      };
      if (!opts.republish) return { deliver: finish };
      // A republish must carry today's records, but the recorded file may be on the server
      // already (the stop came after its upload): it goes out as recorded and is confirmed first,
      // then the new version is built and replaces it, as it would replace any published one.
      return {
        deliver: async (session) => {
          await finish(session);
          const next = await prepareUnit(kind, job, slot, u, opts, deps, at);
          return 'result' in next ? next.result : next.deliver(session);
        },
      };
    }
  }

  const republishing = replacing !== undefined;
  const productionDate = productionDateOf(slot, at, config, republishing);
  const built = kind === 'csasf'
    ? await buildCsasf(pool, config, u.provider, slot, productionDate)
    : await buildEcm(pool, config, kind, u.provider, u.lob!, slot, republishing, productionDate);
  const refused = built.refused?.length ? { refused: built.refused } : {};
  // A MIF or CSASF with no members still goes out, header-only with a note (spec §7): the
  // provider can tell "nothing this month" from "not sent". A mini-MIF only ever carries news.
  if (built.rows.length === 0 && kind !== 'mini-mif' && config.EMPTY_FILES_PUBLISHED) built.sheets.push(emptyNote(kind, u, slot));
  else if (built.rows.length === 0) {
    if (!opts.dryRun) {
      await withTransaction(pool, async (c) => {
        await replaceVersion(c, replacing, at);
        await recordEmptyFile(c, version());
        await markUnit(c, job, slot, unitKey, 'DONE', { empty: true });
      });
    }
    return { result: { ...base, status: 'EMPTY', rows: 0, file: null, path: null, ...refused, ...(replacing ? { replaces: replacing.file } : {}) } };
  }

  // (created: the run's clock, like published_at: a replayed slot's file says when it was made for)
  const bytes = await writeWorkbookToBuffer(built.sheets, { created: at });
  const name = await fileName(pool, u.provider, u.lobLabel, kind, slot);
  if (opts.dryRun) {
    const dir = path.resolve(opts.out ?? path.join(config.dataDir, 'dry-run'));
    await fs.promises.mkdir(dir, { recursive: true });
    const file = path.join(dir, name);
    await fs.promises.writeFile(file, bytes);
    return { result: { ...base, status: 'DRY_RUN', rows: built.rows.length, file: name, path: file, ...refused } };
  }
  // Recorded with the rows it carries, published atomically, confirmed.
  return {
    deliver: async (session) => {
      const id = await withTransaction(pool, async (c) => {
        const hash = await putBlob(c, bytes);
        await replaceVersion(c, replacing, at);
        return recordPendingFile(
          c,
          { ...version(), fileName: name, sha256: hash, reportingPeriod: `${periodOfDate(slot)}-01`, membersSnapshot: built.membersSnapshot ?? null },
          // n is the Excel row the member is on (row 1 is the header).
          built.rows.map((x, i) => ({
            n: i + 2,
            cin: x.cin, service_code: x.serviceCode ?? null, auth_status: x.authStatus ?? null, auth_number: x.authNumber ?? null,
            auth_start: x.authStart ?? null, auth_end: x.authEnd ?? null, ecm_status: x.ecmStatus ?? null, referral_id: x.referralId ?? null,
          })),
        );
      });
      const dir = providerFolders(config.SFTP_ROOT, u.provider.sftp_folder).downloads;
      const published = await publishRecorded(pool, await session(), dir, id, name, bytes, u, kind, slot);
      const notice = publishedNotice(config, kind, slot, u, id, published.name, built.rows.length, refused.refused, at, replacing?.file);
      await confirmPublished(pool, kind, job, slot, unitKey, id, published.remote, u, opts.runId, at, notice);
      await sendNotice(deps, u.provider.provider_code, notice, at);
      return {
        ...base, status: 'PUBLISHED', rows: built.rows.length, file: published.name, path: published.remote, ...refused, ...(replacing ? { replaces: replacing.file } : {}),
      };
    },
  };
}

/** The one-line note of a header-only file. */
function emptyNote(kind: OutboundKind, u: Unit, slot: IsoDate): WriteSheet {
  const what = kind === 'csasf' ? 'No members have a Community Supports authorization or referral with you' : `No members are assigned to you for ${u.lob}`;
  return {
    name: 'Note',
    columns: [{ label: 'Note', width: 100, wrap: true }],
    rows: [[`${what} as of ${showIsoDate(slot)} (reporting period ${reportingPeriodLabel(periodOfDate(slot))}): this file is empty on purpose, nothing to report on.`]],
  };
}

/** The unit's current version steps aside for the new one (in the new one's transaction). */
async function replaceVersion(c: pg.PoolClient, replacing: { id: number } | undefined, at: Date): Promise<void> {
  if (replacing) await markReplaced(c, replacing.id, at);
}

/** Refused before anything is built: the slot has nothing to republish for the provider. */
export class RepublishRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RepublishRefused';
  }
}

/** checkRepublish's refusal of a slot after `today`, without the database (the CLI says it before opening one); undefined when the day has come. */
export function republishAhead(kind: OutboundKind, slot: IsoDate, today: IsoDate): string | undefined {
  const ahead = slotAhead(kind, slot, today);
  return ahead && `${ahead}: a file is republished only once its day has come`;
}

/**
 * Refused (RepublishRefused) before anything is claimed or built when the slot is after `today`
 * (the plan-local date of the caller's clock: a file is never republished ahead of its day, even
 * one a mistaken run published early), or when the provider was sent nothing for the slot.
 */
export async function checkRepublish(pool: pg.Pool, kind: OutboundKind, slot: IsoDate, provider: string, today: IsoDate): Promise<void> {
  const ahead = republishAhead(kind, slot, today);
  if (ahead) throw new RepublishRefused(ahead);
  if (!(await hasCurrentVersion(pool, KIND_CODE[kind], slot, provider))) throw new RepublishRefused(`nothing was published to ${provider} for the ${kind} slot ${slot}: use generate`);
}

/**
 * `republish` (after checkRepublish): a new version of each of the provider's files for the
 * slot, built from today's records and published under a new name (the old file stays on the
 * server and on record).
 */
export function republish(
  kind: OutboundKind,
  opts: { date: IsoDate; provider: string; reason: string; runId?: number; now?: Date },
  deps: GenerateDeps,
): Promise<GenerateResult> {
  return generate(kind, { date: opts.date, provider: opts.provider, runId: opts.runId, now: opts.now, republish: { reason: opts.reason } }, deps);
}

async function confirmPublished(
  pool: pg.Pool, kind: OutboundKind, job: string, slot: IsoDate, unitKey: string, fileId: number, remote: string,
  u: { provider: ProviderRow; lob: string | null },
  runId: number | undefined,
  at: Date,
  notice: PublishedNotice,
): Promise<void> {
  await withTransaction(pool, async (c) => {
    // The provider's email is recorded with the confirmation: a file published is one the
    // provider is told about, once, whichever attempt published it and wherever one stopped.
    await queueNotification(c, notice, at);
    // The attempt that published the file is the one it belongs to (a file recorded by an
    // interrupted attempt and published by the next is the next one's).
    // published_at is compared with uploads' receipt times (the latest CSASF or MIF a file
    // answers), so it follows the run's clock: a replay or a simulation pins it.
    await markPublished(c, fileId, remote, runId ?? null, at);
    if (kind !== 'csasf') {
      // Referrals whose member this file carried have now been sent (mini-MIF 5-10 day rule).
      await markReferralsSentOn(c, fileId, u.provider.provider_code, u.lob, slot);
    }
    await markUnit(c, job, slot, unitKey, 'DONE', { fileId });
  });
}

type PublishedNotice = Message & { key: string };

/**
 * Whom a published file is announced to (spec §7: the provider's contact, and the liaison): the
 * contracts it is about. A MIF or mini-MIF is one line's: its ECM contract in that line. A CSASF
 * lists every CS line: each CS contract's contact and liaison (the mailer sends each person once).
 */
function publishedTo(u: Pick<Unit, 'provider' | 'lob'>): string[] {
  const about = u.provider.contracts.filter((c) => u.lob === null || c.lob === u.lob);
  return [...about.map((c) => c.contact_email ?? ''), ...about.map((c) => c.liaison_email ?? '')];
}

/**
 * What a file with members asks back, for its period (`today`: the plan-local day it goes out).
 * A file that goes out after its period's window closed (caught up after a long outage) says so,
 * and names the next period's window, where it named days already past.
 */
function dueBack(policy: DeadlinePolicy, kind: OutboundKind, period: Period, today: IsoDate): string {
  const [types, what, ask] = kind === 'csasf'
    ? [['CSPRTF'], 'CS Provider Return Transmission File', 'Report on these members with your'] as const
    : [['RTF', 'OTF'], 'RTF and Outreach Tracker File', 'Return your'] as const;
  const closed = windowClosedBefore(policy, types, period, today);
  if (closed === null) return `${ask} ${what} ${dueForPeriod(policy, types, period)}.`;
  return `The window for reporting period ${reportingPeriodLabel(period)} closed on ${showIsoDate(closed)}, before this file was sent: a file for that period is no longer accepted. `
    + `Report these members on your ${what} ${dueForPeriod(policy, types, nextPeriod(period))}.`;
}

/** The provider's email about a published file (kept once per outbound file version). */
function publishedNotice(
  config: Config, kind: OutboundKind, slot: IsoDate, u: Pick<Unit, 'provider' | 'lob'>, fileId: number, name: string, rows: number, refused: UnitResult['refused'] | undefined,
  at: Date, replaces?: string | null,
): PublishedNotice {
  const provider = u.provider;
  // the deadlines as the configured policy has them, never a copy of the defaults
  const policy = deadlinePolicyFromConfig(config);
  const what = { mif: 'Member Information File (MIF)', 'mini-mif': 'mini-MIF (newly referred members)', csasf: 'Community Supports Authorization Status File (CSASF)' }[kind];
  const lines = [
    `A new ${what} is in your sFTP downloads folder:`,
    '',
    `  ${name}  (${rows} row${rows === 1 ? '' : 's'})`,
    ...(rows === 0 ? ['', 'It lists no members this time: nothing to report on. It is sent so that an empty month is never mistaken for a file not sent.'] : []),
    // a republish: two files of one slot are in the folder, and the provider must know which counts.
    // Its production date is the day it was made, not the slot's (productionDateOf): said here so
    // the two dates in the file are not taken for a mistake. (Not the date itself: a version an
    // interrupted attempt recorded is published as recorded, on a later day than it was made.)
    ...(replaces
      ? ['', `It replaces ${replaces}, sent earlier for the same date (${showIsoDate(slot)}): use this one. Its production date is the day it was made from the plan's records; the date in its name stays the earlier file's.`]
      : []),
    '',
    // the dates of the window that answers the file's own period (the month after the slot's),
    // not "next month": a file caught up or republished after its month is answered all the same
    // A header-only file owes nothing (owedLines, src/repositories/status.ts): asking for a file
    // back would ask for one the plan rejects (a file with no rows) and never misses.
    rows === 0
      ? kind === 'csasf'
        ? 'Nothing is due back for this file: no CS Provider Return Transmission File is owed for it.'
        : `Nothing is due back for this file: no RTF or Outreach Tracker File is owed for reporting period ${reportingPeriodLabel(periodOfDate(slot))} in this line of business.`
      : dueBack(policy, kind, periodOfDate(slot), localDate(at, config.PLAN_TIME_ZONE)),
  ];
  if (refused?.length)
    lines.push('', `Plan liaison: ${refused.length} member/service assignment(s) to this provider were refused because another provider holds them; see the CSASF run summary.`);
  return {
    kind: `published-${kind}`,
    to: publishedTo(u),
    subject: `${what} published for ${provider.provider_code}: ${name}`,
    text: lines.join('\n'),
    key: `published-file:${fileId}`,
  };
}

/** Sends the email recorded with the file's confirmation (the notify job retries it if this fails). */
async function sendNotice(deps: GenerateDeps, provider: string, notice: PublishedNotice, now: Date): Promise<void> {
  try {
    await sendNotification(deps.config, deps.pool, notice, now);
  } catch (err) {
    // The file is published; a mail problem must not make the unit look unpublished.
    log.warn({ provider, kind: notice.kind, err: { message: (err as Error).message } }, 'publish notification failed');
  }
}


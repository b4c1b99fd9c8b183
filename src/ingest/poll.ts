// One pass over the providers' uploads/ folders, shared with any other poller running (each
// folder claimed by one of them at a time), on one sFTP connection: files that are stable are taken, processed one at a time, answered and moved. One provider's failure never
// stops the others; a file that could not be processed stays where it is for the next poll.
// A provider the poll does not list (inactive) that still owes an answer (a `reprocess` stopped
// after its commit) has its folder claimed too, for that answer alone.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { systemClock } from '../clock.js';
import type { Config } from '../config.js';
import type { FaultPoints } from '../fault-points.js';
import { errorText, log } from '../log.js';
import { failedUpload, uploadProcessed } from './give-up.js';
import { SftpError, type SftpSession } from '../sftp/client.js';
import { claimNext, claimSettled, nextSettling, releaseClaim, renewClaim, startPass, type PassMark } from '../repositories/poll-claims.js';
import { pollableProviders, type PollableProvider } from '../repositories/providers.js';
import { unansweredSftpSubmissions, unansweredUnlisted } from '../repositories/submission-store.js';
import { providerFolders } from '../sftp/pickup.js';
import { loadProviderContext } from './context.js';
import { ClaimLost, type Fence } from './fence.js';
import { ingestFile, type IngestDocument } from './pipeline.js';
import { finishUnanswered, isUpload, pendingUpload, rejectUnread, respondOverSftp } from './respond.js';
import { scanFolder, type ReadyFile } from './scan.js';
import { ResponseUndelivered, undeliveredInfo, type ResponseUndeliveredInfo } from './undelivered.js';

export interface PollFileResult {
  provider: string;
  file: string;
  submissionId?: number;
  outcome?: IngestDocument['outcome'];
  verdict?: IngestDocument['verdict'];
  rowsRead?: number;
  rowsAccepted?: number;
  rowsRejected?: number;
  response?: string;
  movedTo?: string;
  /** The upload was answered but could not be moved: left in uploads/, not taken again while unchanged. */
  quarantined?: boolean;
  /** Codes of the file-level errors (why a file was rejected whole). */
  fileErrors?: string[];
  /** Answered as not processed (FILE_NOT_PROCESSED, or FILE_UNREADABLE: the plan may not read it) after this many failed polls in a row (INGEST_GIVE_UP_AFTER). */
  gaveUpAfter?: number;
  /**
   * The submission is applied but its response could not be published to the provider's
   * downloads/ at this poll: at how many polls in a row, and whether ops were emailed
   * (RESPONSE_UNDELIVERED_ALERT_AFTER). The next poll tries again.
   */
  responseUndelivered?: ResponseUndeliveredInfo;
  error?: string;
}

export interface PollProviderResult { provider: string; ready: number; waiting: number; processed: number; failed: number; error?: string }

export interface PollResult {
  /** Set when this poll could claim no provider folder: other pollers held them, or polled them since it began. */
  skipped?: string;
  /**
   * Set when this poll stopped early: it lost its claim on a folder midway (it stalled past
   * expiry and another poller took over), or could not claim the next one (database unreachable).
   */
  stopped?: string;
  /** Active providers with a contract (all of them, whichever poller handled each). */
  providers: number;
  files: number;
  failedProviders: number;
  failedFiles: number;
  /** The providers this poll claimed and polled (other pollers handled the rest). */
  byProvider: PollProviderResult[];
  results: PollFileResult[];
  /**
   * Submissions an earlier, interrupted poll (or `reprocess`) applied but did not answer, finished
   * by this one; also those of providers the poll does not list (inactive ones), whose folders
   * are claimed for that alone and not listed.
   */
  recovered: PollFileResult[];
}

type Provider = PollableProvider;

/** A provider the poll does not list (inactive, or without a contract) with a submission applied but not answered. */
interface Unlisted { provider_code: string; sftp_folder: string }

export interface PollDeps {
  pool: pg.Pool;
  config: Config;
  openSession: () => Promise<SftpSession>;
  /** Told each time the claim on the folder being polled is renewed, or found lost (observability; tests wait on it). */
  onLease?: (event: 'renewed' | 'lost') => void;
  /** Told when this poll has claimed a provider's folder, before it touches it (tests hold a poller there). */
  onClaim?: (provider: string) => Promise<void> | void;
  /**
   * Waits out the stability window before a poll lists again the folders where it saw a file
   * still arriving (POLL_RECHECK). Default: a timer. Tests inject one they release themselves.
   */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Crash tests only: called at the inbound path's fault points (default: nothing). */
  faults?: FaultPoints;
}

const timer = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

/**
 * One poll pass. Its unit of work is one provider's folder, claimed in Postgres
 * (src/repositories/poll-claims.ts): any number of pollers (schedulers, an operator's `poll`)
 * run side by side and share the folders, each folder handled by one poller at a time (two
 * would take the same stable file, and the second would answer the provider "duplicate" for a
 * file it sent once). A poller claims the next free folder that no poller finished since its
 * own pass began, finishes what an interrupted poll left there, lists it, takes what is ready,
 * releases it, and claims the next. A claim is a row, renewed while held: it survives a dropped
 * database connection, which a session advisory lock does not, and a poller that died stops
 * renewing, so its claim expires and another poller takes the folder over.
 */
export async function pollOnce(deps: PollDeps, opts: { now?: Date; signal?: AbortSignal; provider?: string } = {}): Promise<PollResult> {
  const { pool } = deps;
  const providers = await pollableProviders(pool, opts.provider);
  // An answer owed by a provider whose folder is not polled (a `reprocess` of an inactive
  // provider's file stopped after its commit) has no one else to finish it: its folder is claimed
  // like the others, for finishUnanswered alone, so two pollers never both answer it.
  const unlisted = await unansweredUnlisted(pool, providers.map((p) => p.provider_code), opts.provider);
  const out: PollResult = { providers: providers.length, files: 0, failedProviders: 0, failedFiles: 0, byProvider: [], results: [], recovered: [] };
  if (!providers.length && !unlisted.length) return out;
  const holder = `${process.pid}:${randomUUID()}`;
  const seconds = deps.config.POLL_LEASE_SECONDS;
  const pass = await startPass(pool, [...providers, ...unlisted].map((p) => p.provider_code));
  let claims = 0;
  // The claim held now (one at a time), renewed well before it expires. Should a renewal find
  // it taken by another poller (this one stalled past its expiry), this poll stops at the next file.
  let held: { provider: string } | undefined;
  const lost = new AbortController();
  /** The claim was found taken by another poller (by the renewal or a fence): this poll stops. */
  const loseClaim = (claim: { provider: string }) => {
    if (lost.signal.aborted) return;
    log.error({ provider: claim.provider }, 'claim on a provider folder lost to another poller; stopping this poll');
    out.stopped = 'claim on a provider folder lost to another poller';
    lost.abort(new Error('poll claim lost'));
    deps.onLease?.('lost');
  };
  const renewing = setInterval(() => {
    const claim = held;
    if (!claim) return;
    renewClaim(pool, claim.provider, holder, seconds).then(
      (ours) => {
        if (held !== claim) return; // released meanwhile: nothing to renew
        if (ours) deps.onLease?.('renewed');
        else loseClaim(claim);
      },
      (err: unknown) => log.warn({ err: { message: (err as Error).message } }, 'poll claim renewal failed; retried'),
    );
  }, (seconds * 1000) / 4);
  renewing.unref();
  /**
   * Runs `work` on the folder `pick` claims for this poll, if any (claimNext, claimSettled), then
   * releases it, marked with when the uploads `work` saw arriving there will have held still.
   */
  const claimed: Claimed = async (pick, work) => {
    const provider = await pick(holder, seconds);
    if (!provider) return false;
    claims++;
    const claim = { provider };
    held = claim;
    // Checked before anything that answers the provider (./fence.ts): the renewal above looks only
    // every quarter lease, and a poller stalled past its lease must not answer what the poller
    // that took the folder over answers. Found held, the claim is extended, as a renewal would.
    const fence: Fence = async (c) => {
      if (held !== claim || lost.signal.aborted) throw new ClaimLost();
      if (await renewClaim(c ?? pool, provider, holder, seconds)) return;
      loseClaim(claim);
      throw new ClaimLost();
    };
    let settlingUntil: Date | null = null;
    try {
      await deps.onClaim?.(provider);
      settlingUntil = (await work(provider, fence)) ?? null;
    } finally {
      held = undefined;
      await releaseClaim(pool, provider, holder, settlingUntil).catch((err: unknown) => log.warn({ provider, err: { message: (err as Error).message } }, 'poll claim not released; it expires'));
    }
    return true;
  };
  try {
    const signal = opts.signal ? AbortSignal.any([opts.signal, lost.signal]) : lost.signal;
    await pollProviders(deps, { ...opts, signal }, providers, unlisted, pass, claimed, out);
    if (!claims && !out.stopped && !signal.aborted) {
      out.skipped = 'another poll is in progress';
      log.info('poll skipped: every provider folder was held or already polled by another poller');
    }
    return out;
  } finally {
    clearInterval(renewing);
  }
}

/**
 * What a poll does with a folder it claimed, handed the claim's fence; returns when the uploads
 * it saw still arriving there will have held still for the window, if any.
 */
type Work = (provider: string, fence: Fence) => Promise<Date | undefined | void>;
/** Claims a folder with `pick` (given the poll's holder and lease) and runs `work` on it; false when `pick` found none. */
type Claimed = (pick: (holder: string, seconds: number) => Promise<string | null>, work: Work) => Promise<boolean>;

async function pollProviders(
  deps: PollDeps,
  opts: { now?: Date; signal?: AbortSignal },
  providers: Provider[],
  unlisted: Unlisted[],
  pass: PassMark,
  claimed: Claimed,
  out: PollResult,
): Promise<PollResult> {
  const { pool, config } = deps;
  const byCode = new Map(providers.map((p) => [p.provider_code, p]));
  const unlistedByCode = new Map(unlisted.map((u) => [u.provider_code, u]));
  let session: SftpSession | undefined;
  const open = async () => (session ??= await deps.openSession());
  const started = opts.now ?? systemClock();
  const t0 = performance.now();
  /** A folder's counts in this poll's result: one per folder, made when the poll first lists it (first pass or recheck). */
  const summaries = new Map<string, PollProviderResult>();
  const summaryOf = (provider: string): PollProviderResult => {
    let summary = summaries.get(provider);
    if (!summary) {
      summaries.set(provider, (summary = { provider, ready: 0, waiting: 0, processed: 0, failed: 0 }));
      out.byProvider.push(summary);
    }
    return summary;
  };
  /** A claim that failed (the database unreachable): what was done so far is reported, and the next poll goes on. */
  const orStop = async <T>(claim: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await claim();
    } catch (err) {
      log.error({ err: { message: (err as Error).message } }, 'could not claim a provider folder; this poll stops here');
      out.stopped = 'could not claim a provider folder';
      return undefined;
    }
  };
  try {
    let sawArriving = false;
    // every folder no poller has finished since this pass began, one claim at a time
    const left = new Set([...byCode.keys(), ...unlistedByCode.keys()]);
    while (left.size && !opts.signal?.aborted) {
      const more = await orStop(() => claimed((holder, seconds) => claimNext(pool, holder, seconds, [...left], pass), async (code, fence) => {
        left.delete(code);
        const p = byCode.get(code);
        if (!p) return finishUnlisted(unlistedByCode.get(code)!, opts.now ?? systemClock(), fence);
        const ripeAt = await pollProvider(p, opts.now ?? systemClock(), summaryOf(code), true, fence);
        if (ripeAt) sawArriving = true;
        return ripeAt;
      }));
      if (!more) break;
    }
    // A file seen arriving is answered by this poll, not the next one: wait until the folders
    // where files were arriving are ripe (held still for the window), list them again and take
    // what held still. Not only the folders this poll listed: pollers race through the first
    // listings, and the next fire's poll (another scheduler's, this one busy) listed them again
    // 15 s later; each rechecked only its own, so one scheduler answered most of a month-start
    // burst while the other sat in a full window of its own. So a poll that saw a file arriving
    // waits only until the earliest folder any poller marked is ripe, and claims whichever is
    // ripe, until none is left that ripens within one window of its own recheck starting. (A
    // poll that saw nothing arriving ends: the pollers that saw it recheck it, and waiting
    // would only hold this scheduler's next fires.)
    const among = [...byCode.keys()];
    if (config.POLL_RECHECK && config.SFTP_STABLE_SECONDS > 0 && sawArriving && !out.stopped) await recheck(among);
  } finally {
    await session?.close().catch(() => undefined);
  }
  return out;

  /**
   * What an interrupted poll (or reprocess) left applied but unanswered (its upload may be gone
   * from uploads/ already): answered, moved and notified, each step once. A response that cannot
   * be published stays for the next poll (counted, ops told: ./undelivered.ts).
   */
  async function recover(p: Unlisted, now: Date, fence: Fence, summary?: PollProviderResult): Promise<void> {
    for (const r of await finishUnanswered({ ...deps, fence }, await open(), { code: p.provider_code, sftpFolder: p.sftp_folder }, now)) {
      out.recovered.push({ provider: p.provider_code, file: r.file, submissionId: r.submissionId, response: r.response, movedTo: r.movedTo, ...(r.disposition === 'quarantined' ? { quarantined: true } : {}), ...(r.undelivered ? { responseUndelivered: r.undelivered } : {}), ...(r.error ? { error: r.error } : {}) });
      if (r.error) {
        if (summary) summary.failed++;
        out.failedFiles++;
      }
    }
  }

  /**
   * The recheck after the first pass. The poll's clock: its start plus the time it has run, or
   * waited (an injected wait returns at once: the poll's time still moves on by what it waited).
   */
  async function recheck(among: string[]): Promise<void> {
    let reached = 0;
    const clock = () => started.getTime() + Math.max(reached, performance.now() - t0);
    const limit = clock() + config.SFTP_STABLE_SECONDS * 1000 + 250;
    while (!opts.signal?.aborted) {
      const next = await orStop(() => nextSettling(pool, among));
      if (!next || next.getTime() > limit) return;
      const ms = next.getTime() + 250 - clock();
      if (ms > 0) {
        const before = performance.now() - t0;
        await (deps.wait ?? timer)(ms, opts.signal);
        reached = Math.max(reached, before + ms);
      }
      const at = new Date(clock());
      let took = 0;
      while (!opts.signal?.aborted) {
        // (a folder another poller holds now is being listed by it: left to it; one still
        // arriving after the window is left unmarked, to the next poll's first listing)
        const more = await orStop(() => claimed((holder, seconds) => claimSettled(pool, holder, seconds, among, at), async (code, fence) => {
          await pollProvider(byCode.get(code)!, at, summaryOf(code), false, fence);
        }));
        if (!more) break;
        took++;
      }
      // (ripe, yet none claimable: other pollers hold them now, and list them)
      if (!took) return;
    }
  }

  /** Drops the sFTP session after a failure, unless only a path was missing (the connection is fine). */
  async function dropSessionAfter(err: unknown): Promise<void> {
    if (err instanceof SftpError && err.code === 'NOT_FOUND') return;
    await session?.close().catch(() => undefined);
    session = undefined;
  }

  /**
   * A provider the poll does not list: its unanswered submissions finished, its uploads/ never
   * listed (an inactive provider's new files are not taken). Not in byProvider: not polled.
   */
  async function finishUnlisted(u: Unlisted, now: Date, fence: Fence): Promise<void> {
    if (opts.signal?.aborted) return;
    try {
      await recover(u, now, fence);
    } catch (err) {
      // (the connection, say: counted as a folder that failed, so the run shows it; the next poll tries again)
      out.failedProviders++;
      log.error({ provider: u.provider_code, err: { message: errorText(err) } }, 'could not finish the unanswered submissions of a provider the poll does not list');
      await dropSessionAfter(err);
    }
  }

  /** Lists the provider's uploads and takes what is ready; returns when the files still arriving will have held still (ScanResult.ripeAt). */
  async function pollProvider(p: Provider, now: Date, summary: PollProviderResult, first: boolean, fence: Fence): Promise<Date | undefined> {
    if (opts.signal?.aborted) return; // (its claim may be lost: the folder is another poller's now)
    const folders = providerFolders(config.SFTP_ROOT, p.sftp_folder);
    const fenced = { ...deps, fence };
    let scan, ready;
    try {
      if (first) await recover(p, now, fence, summary);
      if (opts.signal?.aborted) return; // a fence found the claim lost: the folder is another poller's
      scan = await scanFolder(await open(), pool, folders.uploads, now, config.SFTP_STABLE_SECONDS);
      ready = await notUnanswered(pool, p.provider_code, folders.uploads, scan.ready);
    } catch (err) {
      summary.error = (err as Error).message;
      out.failedProviders++;
      log.error({ provider: p.provider_code, err: { message: summary.error } }, 'could not list provider folder');
      await dropSessionAfter(err);
      return;
    }
    summary.ready += ready.length;
    summary.waiting = scan.waiting.length;
    for (const f of ready) {
      if (opts.signal?.aborted) break;
      const r = await processOne(fenced, await open(), p, f, opts.now ? now : undefined);
      out.results.push(r);
      out.files++;
      if (r.error) {
        summary.failed++;
        out.failedFiles++;
      } else summary.processed++;
    }
    return scan.ripeAt;
  }
}

/**
 * The ready uploads that are not already a submission applied but not answered: one
 * finishUnanswered could not finish (its response cannot be published, say) is left to the next
 * poll's finishUnanswered. Taken again it would only be downloaded and resumed as that same
 * submission, a second attempt at the same answer in the same poll.
 */
async function notUnanswered(pool: pg.Pool, provider: string, uploadsFolder: string, ready: ReadyFile[]): Promise<ReadyFile[]> {
  if (!ready.length) return ready;
  const pending = (await unansweredSftpSubmissions(pool, provider)).map((s) => pendingUpload(s, uploadsFolder));
  return pending.length ? ready.filter((f) => !pending.some((u) => isUpload(u, f))) : ready;
}

async function processOne(
  deps: PollDeps & { fence: Fence },
  session: SftpSession,
  p: Provider,
  f: ReadyFile,
  nowOverride?: Date,
): Promise<PollFileResult> {
  const base: PollFileResult = { provider: p.provider_code, file: f.name };
  const at = nowOverride ?? systemClock();
  // whom a file answered unread (too large, or given up on) is addressed to
  const answerTo = { code: p.provider_code, name: p.name, sftpFolder: p.sftp_folder };
  // the submission once committed: a failure after it is that submission's to finish (the next
  // poll's finishUnanswered), never the upload's to give up on (that would answer it twice)
  let applied: number | undefined;
  try {
    if (f.size > deps.config.MAX_FILE_BYTES) {
      const id = await rejectUnread(deps, session, answerTo, f, 'FILE_TOO_LARGE', at);
      return { ...base, submissionId: id, outcome: 'REJECTED', rowsRead: 0, rowsAccepted: 0, rowsRejected: 0, fileErrors: ['FILE_TOO_LARGE'] };
    }
    // The provider's context (its members, the latest MIF: a large provider's takes a while)
    // loads from Postgres while the file downloads.
    const context = loadProviderContext(deps.pool, p.provider_code, f.receivedAt, deps.config);
    context.catch(() => undefined); // awaited by ingestFile; unused if the download fails
    const dl = await session.download(f.path, { maxBytes: deps.config.MAX_FILE_BYTES, expect: { size: f.size, mtime: f.mtime } });
    const done = await ingestFile(
      { pool: deps.pool, config: deps.config, faults: deps.faults, fence: deps.fence, ...(nowOverride ? { now: () => nowOverride } : {}) },
      { provider: p.provider_code, originalName: f.name, bytes: dl.bytes, sha256: dl.sha256, receivedAt: f.receivedAt, serverMtime: f.mtime, firstSeenAt: f.firstSeenAt, lastAbsentAt: f.lastAbsentAt, source: 'sftp', uploadPath: f.path },
      { context },
    );
    applied = done.submissionId;
    const answered = await respondOverSftp(deps, session, done, f, at);
    await uploadProcessed(deps, p.provider_code, f.path);
    const d = done.document;
    return {
      ...base, submissionId: done.submissionId, outcome: d.outcome, verdict: d.verdict, rowsRead: d.rowsRead, rowsAccepted: d.rowsAccepted, rowsRejected: d.rowsRejected,
      response: answered.response, movedTo: answered.movedTo, ...(answered.disposition === 'quarantined' ? { quarantined: true } : {}), fileErrors: d.fileErrors.map((e) => e.code),
    };
  } catch (err) {
    const message = errorText(err);
    if (err instanceof ClaimLost) {
      // nothing of the file's: not counted towards giving up on it; the poller holding the folder answers it
      log.warn({ provider: p.provider_code }, 'claim on the provider folder lost: the upload is left to the poller holding it');
      return { ...base, error: message };
    }
    // (logged where it was counted: ./undelivered.ts)
    if (err instanceof ResponseUndelivered) return { ...base, submissionId: err.submissionId, responseUndelivered: undeliveredInfo(err), error: message };
    if (applied !== undefined) {
      log.error({ provider: p.provider_code, submissionId: applied, err: { message } }, 'submission applied but not answered; the next poll finishes it');
      return { ...base, submissionId: applied, error: message };
    }
    const gaveUp = await failedUpload(deps, session, answerTo, f, err, at);
    if (gaveUp) return { ...base, submissionId: gaveUp.submissionId, outcome: 'REJECTED', rowsRead: 0, rowsAccepted: 0, rowsRejected: 0, fileErrors: [gaveUp.code], gaveUpAfter: gaveUp.failures };
    log.error({ provider: p.provider_code, err: { message } }, 'file not processed; it stays in uploads for the next poll');
    return { ...base, error: message };
  }
}

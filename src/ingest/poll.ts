// One pass over every provider's uploads/ folder on one sFTP connection: files that are
// stable are taken, processed one at a time, answered and moved. One provider's failure never
// stops the others; a file that could not be processed stays where it is for the next poll.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { systemClock } from '../clock.js';
import type { Config } from '../config.js';
import type { FaultPoints } from '../fault-points.js';
import { log } from '../log.js';
import { SftpError, type SftpSession } from '../sftp/client.js';
import { releaseLease, renewLease, takeLease } from '../db/poll-state.js';
import { providerFolders } from '../sftp/pickup.js';
import { loadProviderContext } from './context.js';
import { ingestFile, type IngestDocument } from './pipeline.js';
import { finishUnanswered, rejectUnread, respondOverSftp } from './respond.js';
import { scanFolder, type ReadyFile } from './scan.js';

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
  error?: string;
}

export interface PollProviderResult { provider: string; ready: number; waiting: number; processed: number; failed: number; error?: string }

export interface PollResult {
  /** Set when another poll (another scheduler, an operator) held the poll lease: nothing was done. */
  skipped?: string;
  /** Set when this poll lost its lease midway (it stalled past expiry and another took over): it stopped. */
  stopped?: string;
  providers: number;
  files: number;
  failedProviders: number;
  failedFiles: number;
  byProvider: PollProviderResult[];
  results: PollFileResult[];
  /** Submissions an earlier, interrupted poll applied but did not answer, finished by this one. */
  recovered: PollFileResult[];
}

/** The lease row's name, and how long a lease holds without renewal (renewed every quarter of it). */
export const POLL_LEASE = 'poll';

export interface PollDeps {
  pool: pg.Pool;
  config: Config;
  openSession: () => Promise<SftpSession>;
  /** Told each time the poll lease is renewed, or found lost (observability; tests wait on it). */
  onLease?: (event: 'renewed' | 'lost') => void;
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

export async function pollOnce(deps: PollDeps, opts: { now?: Date; signal?: AbortSignal; provider?: string } = {}): Promise<PollResult> {
  const { pool } = deps;
  const providers = (
    await pool.query<{ provider_code: string; sftp_folder: string; liaison_email: string | null; contact_email: string | null }>(
      `select provider_code, sftp_folder, liaison_email, contact_email from providers p where active and ($1::text is null or provider_code = $1)
        and exists (select 1 from provider_contracts c where c.provider_code = p.provider_code) order by provider_code`,
      [opts.provider ?? null],
    )
  ).rows;
  const out: PollResult = { providers: providers.length, files: 0, failedProviders: 0, failedFiles: 0, byProvider: [], results: [], recovered: [] };
  if (!providers.length) return out;
  // One poll at a time across every process: two pollers would take the same stable file,
  // and the second would answer the provider "duplicate" for a file it sent once. The
  // exclusion is a lease row (db/poll-state.ts), renewed while the poll runs: it survives a
  // dropped database connection, which a session advisory lock does not.
  const holder = `${process.pid}:${randomUUID()}`;
  const leaseSeconds = deps.config.POLL_LEASE_SECONDS;
  if (!(await takeLease(pool, POLL_LEASE, holder, leaseSeconds))) {
    out.skipped = 'another poll is in progress';
    log.info('poll skipped: another poll holds the lease');
    return out;
  }
  // Renewed well before it expires. Should a renewal find the lease taken by another process
  // (this one stalled past its expiry), this poll stops at the next file.
  const lost = new AbortController();
  const renewing = setInterval(() => {
    renewLease(pool, POLL_LEASE, holder, leaseSeconds).then(
      (ours) => {
        if (ours) deps.onLease?.('renewed');
        else if (!lost.signal.aborted) {
          log.error('poll lease lost to another process; stopping this poll');
          out.stopped = 'poll lease lost to another process';
          lost.abort(new Error('poll lease lost'));
          deps.onLease?.('lost');
        }
      },
      (err: unknown) => log.warn({ err: { message: (err as Error).message } }, 'poll lease renewal failed; retried'),
    );
  }, (leaseSeconds * 1000) / 4);
  renewing.unref();
  try {
    const signal = opts.signal ? AbortSignal.any([opts.signal, lost.signal]) : lost.signal;
    return await pollProviders(deps, { ...opts, signal }, providers, out);
  } finally {
    clearInterval(renewing);
    await releaseLease(pool, POLL_LEASE, holder).catch((err: unknown) => log.warn({ err: { message: (err as Error).message } }, 'poll lease not released; it expires'));
  }
}

async function pollProviders(
  deps: PollDeps,
  opts: { now?: Date; signal?: AbortSignal },
  providers: { provider_code: string; sftp_folder: string; liaison_email: string | null; contact_email: string | null }[],
  out: PollResult,
): Promise<PollResult> {
  const { pool, config } = deps;
  let session: SftpSession | undefined;
  const open = async () => (session ??= await deps.openSession());
  const started = opts.now ?? systemClock();
  const t0 = performance.now();
  try {
    const settling: typeof providers = [];
    for (const p of providers) {
      if (opts.signal?.aborted) break;
      const summary: PollProviderResult = { provider: p.provider_code, ready: 0, waiting: 0, processed: 0, failed: 0 };
      out.byProvider.push(summary);
      await pollProvider(p, opts.now ?? systemClock(), summary, true);
      if (summary.waiting) settling.push(p);
    }
    // A file seen arriving is answered by this poll, not the next one (minutes later): wait out
    // the stability window once, list those folders again, and take what held still.
    if (config.POLL_RECHECK && settling.length && config.SFTP_STABLE_SECONDS > 0 && !opts.signal?.aborted) {
      const waitMs = config.SFTP_STABLE_SECONDS * 1000 + 250;
      await (deps.wait ?? timer)(waitMs, opts.signal);
      // on the poll's own timeline: its start plus the time waited (at least the window)
      const at = new Date(started.getTime() + Math.max(waitMs, performance.now() - t0));
      for (const p of settling) {
        if (opts.signal?.aborted) break;
        await pollProvider(p, at, out.byProvider.find((x) => x.provider === p.provider_code)!, false);
      }
    }
  } finally {
    await session?.close().catch(() => undefined);
  }
  return out;

  async function pollProvider(p: (typeof providers)[number], now: Date, summary: PollProviderResult, first: boolean): Promise<void> {
    const folders = providerFolders(config.SFTP_ROOT, p.sftp_folder);
    let scan;
    try {
      // First what an interrupted poll left applied but unanswered (its upload may be gone
      // from uploads/ already): answered, moved and notified, each step once.
      if (first) for (const r of await finishUnanswered(deps, await open(), { code: p.provider_code, sftpFolder: p.sftp_folder, liaisonEmail: p.liaison_email, contactEmail: p.contact_email }, now)) {
        out.recovered.push({ provider: p.provider_code, file: r.file, submissionId: r.submissionId, response: r.response, movedTo: r.movedTo, ...(r.disposition === 'quarantined' ? { quarantined: true } : {}), ...(r.error ? { error: r.error } : {}) });
        if (r.error) {
          summary.failed++;
          out.failedFiles++;
        }
      }
      scan = await scanFolder(await open(), pool, folders.uploads, now, config.SFTP_STABLE_SECONDS);
    } catch (err) {
      summary.error = (err as Error).message;
      out.failedProviders++;
      log.error({ provider: p.provider_code, err: { message: summary.error } }, 'could not list provider folder');
      if (!(err instanceof SftpError && err.code === 'NOT_FOUND')) {
        await session?.close().catch(() => undefined);
        session = undefined;
      }
      return;
    }
    summary.ready += scan.ready.length;
    summary.waiting = scan.waiting.length;
    for (const f of scan.ready) {
      if (opts.signal?.aborted) break;
      const r = await processOne(deps, await open(), p, f, opts.now ? now : undefined);
      out.results.push(r);
      out.files++;
      if (r.error) {
        summary.failed++;
        out.failedFiles++;
      } else summary.processed++;
    }
  }
}

async function processOne(
  deps: PollDeps,
  session: SftpSession,
  p: { provider_code: string; sftp_folder: string; liaison_email: string | null; contact_email: string | null },
  f: ReadyFile,
  nowOverride?: Date,
): Promise<PollFileResult> {
  const base: PollFileResult = { provider: p.provider_code, file: f.name };
  const at = nowOverride ?? systemClock();
  try {
    if (f.size > deps.config.MAX_FILE_BYTES) {
      const id = await rejectUnread(deps, session, { code: p.provider_code, sftpFolder: p.sftp_folder, liaisonEmail: p.liaison_email, contactEmail: p.contact_email }, f, 'FILE_TOO_LARGE', at);
      return { ...base, submissionId: id, outcome: 'REJECTED', rowsRead: 0, rowsAccepted: 0, rowsRejected: 0, fileErrors: ['FILE_TOO_LARGE'] };
    }
    // The provider's context (its members, the latest MIF: a large provider's takes a while)
    // loads from Postgres while the file downloads.
    const context = loadProviderContext(deps.pool, p.provider_code, f.receivedAt);
    context.catch(() => undefined); // awaited by ingestFile; unused if the download fails
    const dl = await session.download(f.path, { maxBytes: deps.config.MAX_FILE_BYTES, expect: { size: f.size, mtime: f.mtime } });
    const done = await ingestFile(
      { pool: deps.pool, config: deps.config, faults: deps.faults, ...(nowOverride ? { now: () => nowOverride } : {}) },
      { provider: p.provider_code, originalName: f.name, bytes: dl.bytes, receivedAt: f.receivedAt, serverMtime: f.mtime, firstSeenAt: f.firstSeenAt, lastAbsentAt: f.lastAbsentAt, source: 'sftp', uploadPath: f.path },
      { context },
    );
    const answered = await respondOverSftp(deps, session, done, f, at);
    const d = done.document;
    return {
      ...base, submissionId: done.submissionId, outcome: d.outcome, verdict: d.verdict, rowsRead: d.rowsRead, rowsAccepted: d.rowsAccepted, rowsRejected: d.rowsRejected,
      response: answered.response, movedTo: answered.movedTo, ...(answered.disposition === 'quarantined' ? { quarantined: true } : {}), fileErrors: d.fileErrors.map((e) => e.code),
    };
  } catch (err) {
    const message = (err as Error).message;
    log.error({ provider: p.provider_code, err: { message } }, 'file not processed; it stays in uploads for the next poll');
    return { ...base, error: message };
  }
}

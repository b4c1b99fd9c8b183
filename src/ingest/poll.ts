// One pass over every provider's uploads/ folder on one sFTP connection: files that are
// stable are taken, processed one at a time, answered and moved. One provider's failure never
// stops the others; a file that could not be processed stays where it is for the next poll.
import type pg from 'pg';
import type { Config } from '../config.js';
import { log } from '../log.js';
import { SftpError, type SftpSession } from '../sftp/client.js';
import { forgetFile } from '../db/poll-state.js';
import { providerFolders, scanFolder, type ReadyFile } from '../sftp/pickup.js';
import { loadProviderContext } from './context.js';
import { ingestFile, type IngestDocument } from './pipeline.js';
import { rejectUnread, respondOverSftp } from './respond.js';

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
  /** Codes of the file-level errors (why a file was rejected whole). */
  fileErrors?: string[];
  error?: string;
}

export interface PollProviderResult { provider: string; ready: number; waiting: number; processed: number; failed: number; error?: string }

export interface PollResult {
  /** Set when another poll (another scheduler, an operator) held the poll lock: nothing was done. */
  skipped?: string;
  providers: number;
  files: number;
  failedProviders: number;
  failedFiles: number;
  byProvider: PollProviderResult[];
  results: PollFileResult[];
}

export interface PollDeps { pool: pg.Pool; config: Config; openSession: () => Promise<SftpSession> }

export async function pollOnce(deps: PollDeps, opts: { now?: Date; signal?: AbortSignal; provider?: string } = {}): Promise<PollResult> {
  const { pool } = deps;
  const providers = (
    await pool.query<{ provider_code: string; sftp_folder: string; liaison_email: string | null }>(
      `select provider_code, sftp_folder, liaison_email from providers p where active and ($1::text is null or provider_code = $1)
        and exists (select 1 from provider_contracts c where c.provider_code = p.provider_code) order by provider_code`,
      [opts.provider ?? null],
    )
  ).rows;
  const out: PollResult = { providers: providers.length, files: 0, failedProviders: 0, failedFiles: 0, byProvider: [], results: [] };
  if (!providers.length) return out;
  // One poll at a time across every process: two pollers would take the same stable file,
  // and the second would answer the provider "duplicate" for a file it sent once.
  const lock = await pool.connect();
  try {
    const got = await lock.query<{ ok: boolean }>(`select pg_try_advisory_lock(hashtext('calaim-exchange:poll')) as ok`);
    if (!got.rows[0]?.ok) {
      out.skipped = 'another poll is in progress';
      log.info('poll skipped: another poll holds the lock');
      return out;
    }
    return await pollProviders(deps, opts, providers, out);
  } finally {
    await lock.query(`select pg_advisory_unlock_all()`).catch(() => undefined);
    lock.release();
  }
}

async function pollProviders(
  deps: PollDeps,
  opts: { now?: Date; signal?: AbortSignal },
  providers: { provider_code: string; sftp_folder: string; liaison_email: string | null }[],
  out: PollResult,
): Promise<PollResult> {
  const { pool, config } = deps;
  let session: SftpSession | undefined;
  const open = async () => (session ??= await deps.openSession());
  try {
    for (const p of providers) {
      if (opts.signal?.aborted) break;
      const folders = providerFolders(config.SFTP_ROOT, p.sftp_folder);
      const now = opts.now ?? new Date();
      const summary: PollProviderResult = { provider: p.provider_code, ready: 0, waiting: 0, processed: 0, failed: 0 };
      out.byProvider.push(summary);
      let scan;
      try {
        scan = await scanFolder(await open(), pool, folders.uploads, now, config.SFTP_STABLE_SECONDS);
      } catch (err) {
        summary.error = (err as Error).message;
        out.failedProviders++;
        log.error({ provider: p.provider_code, err: { message: summary.error } }, 'could not list provider folder');
        if (!(err instanceof SftpError && err.code === 'NOT_FOUND')) {
          await session?.close().catch(() => undefined);
          session = undefined;
        }
        continue;
      }
      summary.ready = scan.ready.length;
      summary.waiting = scan.waiting.length;
      for (const f of scan.ready) {
        if (opts.signal?.aborted) break;
        const r = await processOne(deps, await open(), p, f, opts.now);
        out.results.push(r);
        out.files++;
        if (r.error) {
          summary.failed++;
          out.failedFiles++;
        } else summary.processed++;
      }
    }
  } finally {
    await session?.close().catch(() => undefined);
  }
  return out;
}

async function processOne(
  deps: PollDeps,
  session: SftpSession,
  p: { provider_code: string; sftp_folder: string; liaison_email: string | null },
  f: ReadyFile,
  nowOverride?: Date,
): Promise<PollFileResult> {
  const base: PollFileResult = { provider: p.provider_code, file: f.name };
  const at = nowOverride ?? new Date();
  try {
    if (f.size > deps.config.MAX_FILE_BYTES) {
      const id = await rejectUnread(deps, session, { code: p.provider_code, sftpFolder: p.sftp_folder, liaisonEmail: p.liaison_email }, f, 'FILE_TOO_LARGE', at);
      await forgetFile(deps.pool, providerFolders(deps.config.SFTP_ROOT, p.sftp_folder).uploads, f.name);
      return { ...base, submissionId: id, outcome: 'REJECTED', rowsRead: 0, rowsAccepted: 0, rowsRejected: 0, fileErrors: ['FILE_TOO_LARGE'] };
    }
    // The provider's context (its members, the latest MIF: a large provider's takes a while)
    // loads from Postgres while the file downloads.
    const context = loadProviderContext(deps.pool, p.provider_code, f.receivedAt);
    context.catch(() => undefined); // awaited by ingestFile; unused if the download fails
    const dl = await session.download(f.path, { maxBytes: deps.config.MAX_FILE_BYTES, expect: { size: f.size, mtime: f.mtime } });
    const done = await ingestFile(
      { pool: deps.pool, config: deps.config, ...(nowOverride ? { now: () => nowOverride } : {}) },
      { provider: p.provider_code, originalName: f.name, bytes: dl.bytes, receivedAt: f.receivedAt, serverMtime: f.mtime, firstSeenAt: f.firstSeenAt, lastAbsentAt: f.lastAbsentAt, source: 'sftp' },
      { context },
    );
    const { response, movedTo } = await respondOverSftp(deps, session, done, f, at);
    await forgetFile(deps.pool, providerFolders(deps.config.SFTP_ROOT, p.sftp_folder).uploads, f.name);
    const d = done.document;
    return { ...base, submissionId: done.submissionId, outcome: d.outcome, verdict: d.verdict, rowsRead: d.rowsRead, rowsAccepted: d.rowsAccepted, rowsRejected: d.rowsRejected, response, movedTo, fileErrors: d.fileErrors.map((e) => e.code) };
  } catch (err) {
    const message = (err as Error).message;
    log.error({ provider: p.provider_code, err: { message } }, 'file not processed; it stays in uploads for the next poll');
    return { ...base, error: message };
  }
}

// After a submission is committed (APPLIED): the response goes to the provider's downloads/ (or
// a local folder for `ingest`), the upload is moved out of uploads/, the liaison is told, and
// the submission is marked RESPONDED. Each step is recorded on the submission when done
// (migration 0012) and skipped when found done, so a poll interrupted anywhere (killed, Postgres
// or the sFTP server lost) is finished by the next poll, every step exactly once:
// finishUnanswered runs first in every poll and picks up every APPLIED sFTP submission, whether
// or not its upload is still in uploads/, and every APPLIED reprocess (a `reprocess` stopped
// after its commit).
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { deadlinePolicyFromConfig, spellInstant } from '../calendar/index.js';
import type { Config } from '../config.js';
import { putBlob } from '../db/blobs.js';
import { forgetFile, quarantineFile, type FileVersion } from '../db/poll-state.js';
import { withTransaction } from '../db/pool.js';
import { NO_FAULTS, type FaultPoints } from '../fault-points.js';
import { errorText, log } from '../log.js';
import { sendNotification } from '../notify/mailer.js';
import { makeIssue } from '../validate/issues.js';
import { responseToBuffer } from '../reports/response.js';
import { SftpError, type SftpSession } from '../sftp/client.js';
import { providerFolders } from '../sftp/pickup.js';
import { publishOnce } from '../sftp/publish-once.js';
import {
  answerProgress, chooseMoveTarget, insertIssues, insertUnreadSubmission, markMoved, markNotified, markResponded, markResponsePublished, nextSubmissionId, POLL_FINISHES, unansweredSubmissions,
  type Disposition,
} from '../repositories/submission-store.js';
import { ClaimLost, type Fence } from './fence.js';
import { movedName, responseName } from './names.js';
import { storedResult, unreadResponseEmail, type Ingested } from './pipeline.js';
import { responseRecipients } from './recipients.js';
import { responseNotPublished, undeliveredInfo, type ResponseUndeliveredInfo } from './undelivered.js';
import type { FileTypeRegistry } from '../filetypes/types.js';
import type { ReadyFile } from './scan.js';

const posix = path.posix;

/** The file-level codes an upload given up on is answered with (./give-up.ts). */
export type GiveUpCode = 'FILE_NOT_PROCESSED' | 'FILE_UNREADABLE';

/** File-level codes meaning the file could not be read at all (or not processed: ops look at it there): it goes to uploads/failed/. */
const UNREADABLE = new Set(['FILE_NOT_PROCESSED', 'FILE_UNREADABLE', 'FILE_EMPTY', 'FILE_TOO_LARGE', 'FILE_WRONG_TYPE', 'FILE_XLS_LEGACY', 'FILE_CSV', 'FILE_CORRUPT', 'FILE_ENCRYPTED', 'FILE_ZIP_BOMB', 'FILE_UNSAFE_ZIP', 'FILE_XML_ENTITIES']);
export const isUnreadable = (done: Pick<Ingested, 'document'>): boolean => done.document.fileErrors.some((e) => UNREADABLE.has(e.code));

export interface RespondDeps {
  pool: pg.Pool;
  config: Config;
  /** Crash tests only: called at the answering steps' fault points (default: nothing). */
  faults?: FaultPoints;
  /**
   * The poll's check that it still holds the provider's folder (src/ingest/fence.ts), before each
   * step that answers the provider (publish, move, email) and in the transaction recording an
   * upload refused unread; none outside a poll (`reprocess`).
   */
  fence?: Fence;
  /** The file types (their programs say which contracts a response is about; default: the production registry). */
  fileTypes?: FileTypeRegistry;
}

export type { Disposition };

export interface Answered {
  submissionId: number;
  response: string;
  movedTo: string;
  disposition: Disposition | null;
  /** False when the liaison could not be told yet: the submission stays APPLIED and the next poll tries again. */
  responded: boolean;
}

const notificationKey = (submissionId: number) => `submission-response:${submissionId}`;

/**
 * The upload a submission answers: where it was taken from, and the version taken (size and the
 * server's mtime; null for a submission recorded before the version was kept): only that
 * version is moved away, and only its poll state forgotten.
 */
export interface AnsweredUpload {
  path: string;
  name: string;
  size: number | null;
  mtime: Date | null;
}

const versionOf = (u: AnsweredUpload): FileVersion => (u.size !== null && u.mtime !== null ? { size: u.size, mtime: u.mtime } : null);

/**
 * The upload a submission applied from sFTP answers, as recorded when it was taken: its path
 * (rows from before migration 0012 have none: the upload was uploads/<its name>) and its version
 * (none recorded: whichever is there).
 */
export function pendingUpload(s: { original_name: string; upload_path: string | null; size: number; server_mtime: Date | null }, uploadsFolder: string): AnsweredUpload {
  const uploadPath = s.upload_path ?? posix.join(uploadsFolder, s.original_name);
  return { path: uploadPath, name: posix.basename(uploadPath), size: s.server_mtime ? s.size : null, mtime: s.server_mtime };
}

/** Whether a listed file is that upload: the same path, and the same version when one was recorded (a newer one under the name is not it). */
export const isUpload = (u: AnsweredUpload, f: { path: string; size: number; mtime: Date }): boolean =>
  u.path === f.path && (u.mtime === null || (u.size === f.size && u.mtime.getTime() === f.mtime.getTime()));

/**
 * sFTP pickup: the steps not yet done for this submission, in order.
 * @param source the upload answered, moved out of uploads/ once answered; null when there is no
 *   upload (a stored file reprocessed by ops)
 */
export async function respondOverSftp(
  deps: RespondDeps,
  session: SftpSession,
  done: Ingested,
  source: AnsweredUpload | null,
  at: Date,
): Promise<Answered> {
  const folders = providerFolders(deps.config.SFTP_ROOT, done.context.sftpFolder);
  const { pool } = deps;
  const faultPoint = deps.faults ?? NO_FAULTS;
  const fence = deps.fence ?? (async () => undefined);
  const id = done.submissionId;
  const p = await answerProgress(pool, id);
  const response = posix.join(folders.downloads, done.response.name);
  if (p.state === 'RESPONDED') return { submissionId: id, response, movedTo: p.moved_to ?? '(not moved)', disposition: p.upload_disposition, responded: true };

  if (!p.response_published_at) {
    await fence();
    try {
      await publishOnce(session, folders.downloads, done.response.name, done.response.bytes);
    } catch (err) {
      // counted on the submission; ops told after RESPONSE_UNDELIVERED_ALERT_AFTER polls in a row (./undelivered.ts)
      throw await responseNotPublished(deps, { submissionId: id, provider: done.context.code, file: done.document.file, response: done.response.name, folder: folders.downloads }, err, at);
    }
    faultPoint('respond-after-publish'); // (before it is recorded: the window the crash sweep must cover)
    await markResponsePublished(pool, id, at);
  }

  let movedTo = p.moved_to;
  let disposition = p.upload_disposition;
  if (!p.moved_at && source) {
    const outcome = isUnreadable(done) ? 'failed' : 'processed';
    if (!movedTo) {
      // chosen once and recorded before the move: a retry looks for the upload there (the
      // first choice recorded wins, should two pollers ever overlap)
      const chosen = posix.join(posix.dirname(source.path), outcome, movedName(source.name, at, id));
      movedTo = await chooseMoveTarget(pool, id, chosen, source.path);
    }
    await fence();
    const moved = await moveUpload(session, source.path, versionOf(source), movedTo, outcome, id);
    disposition = moved.disposition;
    faultPoint('respond-after-move'); // (before it is recorded, as above)
    await markMoved(pool, id, at, disposition, moved.reason ?? null);
    if (disposition === 'quarantined') {
      await quarantineFile(pool, posix.dirname(source.path), source.name, versionOf(source), id, at);
      // Ops: the provider has its response; the file stays in uploads/ until someone moves it.
      log.error({ submissionId: id, provider: done.context.code, code: moved.reason },
        'upload answered but it cannot be moved out of uploads/: quarantined there (not taken again while unchanged); move or remove it by hand');
    }
  }

  // notified_at: the liaison's email is recorded in the notification outbox (once, by its key);
  // sent now, or retried by the notify job while the mail server is down.
  if (!p.notified_at) {
    await fence();
    try {
      await sendNotification(deps.config, pool, {
        kind: 'submission-response',
        // spec §7: every response posted to downloads/ is announced to the provider's contact
        // too; the liaisons and contacts of the contracts the file reported on
        to: await responseRecipients(pool, { submissionId: id, provider: done.context.code, file: done.document.file }, { contacts: true, types: deps.fileTypes }),
        subject: `${done.document.outcome}: ${done.document.file} from ${done.context.code}`,
        text: done.liaisonSummary,
        key: notificationKey(id),
      }, at, faultPoint);
    } catch (err) {
      log.warn({ submissionId: id, err: { message: (err as Error).message } }, 'liaison notification could not be recorded; the next poll tries again');
      return { submissionId: id, response, movedTo: movedTo ?? '(not moved)', disposition, responded: false };
    }
    await markNotified(pool, id, at);
    faultPoint('respond-after-notify');
  }

  await markResponded(pool, id);
  faultPoint('respond-after-responded');
  if (source && disposition !== 'quarantined') await forgetFile(pool, posix.dirname(source.path), source.name, versionOf(source));
  log.info({ submissionId: id, response: done.response.name }, 'response delivered');
  return { submissionId: id, response, movedTo: movedTo ?? '(no upload)', disposition, responded: true };
}

/**
 * Moves the upload to `target` (a name that carries the submission id: nothing else is ever
 * moved there). Target already there: an earlier attempt moved it. Upload gone and not at the
 * target: gone. Another version under its name (the provider uploaded the file again since
 * this one was taken): the answered one is gone too, and the new one is left where it is, for a
 * poll to take and answer as itself. A failure a new connection will not cure (the name,
 * permissions, the folders): quarantined, so the upload is not answered again on every poll.
 */
async function moveUpload(
  session: SftpSession, from: string, version: FileVersion, target: string, outcome: 'processed' | 'failed', submissionId: number,
): Promise<{ disposition: Disposition; reason?: string }> {
  try {
    await session.move(from, posix.dirname(target), posix.basename(target), version ? { expect: version } : {});
    return { disposition: outcome };
  } catch (err) {
    if (!(err instanceof SftpError)) throw err;
    if (err.code === 'REMOTE_EXISTS') return { disposition: outcome };
    if (err.code === 'NOT_FOUND') {
      log.warn({ submissionId, code: err.code }, 'answered upload is no longer in uploads/; nothing to move');
      return { disposition: 'gone' };
    }
    if (err.code === 'FILE_CHANGED') {
      log.warn({ submissionId, code: err.code }, 'answered upload was replaced by a new version under its name; nothing to move (the new version is left in uploads/ for the next poll)');
      return { disposition: 'gone' };
    }
    if (err.retryable) throw err; // the next poll tries again
    return { disposition: 'quarantined', reason: err.code };
  }
}

/**
 * Every submission of this provider that was applied but not answered, finished now, each
 * missing step once: an sFTP upload (a poll stopped after its commit) and an ops reprocess of
 * one of its files (a `reprocess` stopped after its commit: nothing else would ever deliver
 * that answer; it has no upload to move). Runs before the provider's folder is scanned, so an
 * upload still in uploads/ is moved rather than taken again.
 */
export async function finishUnanswered(
  deps: RespondDeps,
  session: SftpSession,
  provider: { code: string; sftpFolder: string },
  at: Date,
): Promise<(Answered & { file: string; error?: string; undelivered?: ResponseUndeliveredInfo })[]> {
  const folders = providerFolders(deps.config.SFTP_ROOT, provider.sftpFolder);
  const pending = await unansweredSubmissions(deps.pool, provider.code, POLL_FINISHES);
  const out: (Answered & { file: string; error?: string; undelivered?: ResponseUndeliveredInfo })[] = [];
  for (const s of pending) {
    // a reprocess answers a stored file: there is no upload of its own to move
    const upload = s.source === 'sftp' ? pendingUpload(s, folders.uploads) : null;
    try {
      const stored = await storedResult(deps.pool, s.id);
      const done: Ingested = { ...stored, resumed: true, context: { code: provider.code, sftpFolder: provider.sftpFolder } };
      log.info({ submissionId: s.id, provider: provider.code }, 'finishing a submission applied but not answered');
      out.push({ ...(await respondOverSftp(deps, session, done, upload, at)), file: s.original_name });
    } catch (err) {
      const message = errorText(err);
      const undelivered = undeliveredInfo(err);
      out.push({ submissionId: s.id, file: s.original_name, response: '', movedTo: '', disposition: null, responded: false, error: message, ...(undelivered ? { undelivered } : {}) });
      if (err instanceof ClaimLost) {
        // the poller holding the folder now finishes this one and the rest
        log.warn({ submissionId: s.id, provider: provider.code }, 'claim on the provider folder lost: an unanswered submission left to the poller holding it');
        break;
      }
      // (a response not published is logged where it is counted: ./undelivered.ts)
      if (!undelivered) log.error({ submissionId: s.id, provider: provider.code, err: { message } }, 'could not finish an unanswered submission; the next poll tries again');
    }
  }
  return out;
}

/** `ingest FILE`: the response is written to a local folder (`at`: the command's clock, for the record). */
export async function respondLocally(deps: RespondDeps, done: Ingested, outDir: string, at: Date): Promise<string> {
  await fs.promises.mkdir(outDir, { recursive: true });
  const file = path.join(outDir, done.response.name);
  await fs.promises.writeFile(file, done.response.bytes);
  const p = await answerProgress(deps.pool, done.submissionId);
  if (p.state === 'RESPONDED') return file;
  if (!p.notified_at) {
    try {
      await sendNotification(deps.config, deps.pool, {
        kind: 'submission-response',
        // a local answer is not in the provider's downloads/: the liaisons only
        to: await responseRecipients(deps.pool, { submissionId: done.submissionId, provider: done.context.code, file: done.document.file }, { contacts: false, types: deps.fileTypes }),
        subject: `${done.document.outcome}: ${done.document.file} from ${done.context.code}`,
        text: done.liaisonSummary,
        key: notificationKey(done.submissionId),
      }, at, deps.faults);
      await markNotified(deps.pool, done.submissionId, at);
    } catch (err) {
      log.warn({ submissionId: done.submissionId, err: { message: (err as Error).message } }, 'liaison notification could not be recorded');
    }
  }
  await markResponded(deps.pool, done.submissionId);
  log.info({ submissionId: done.submissionId, response: path.basename(file) }, 'response delivered');
  return file;
}

/**
 * A file refused before its bytes were read (larger than MAX_FILE_BYTES), or one the poll gave
 * up on (FILE_NOT_PROCESSED, or FILE_UNREADABLE when the plan may not read it: ./give-up.ts): still a submission,
 * still a response and its email, moved to failed/. Recorded (with its response and email) in
 * one transaction, then answered like any other submission, so an interrupted answer is
 * finished by the next poll, with the same email.
 */
export async function rejectUnread(
  deps: RespondDeps,
  session: SftpSession,
  provider: { code: string; name: string; sftpFolder: string },
  file: ReadyFile,
  code: 'FILE_TOO_LARGE' | GiveUpCode,
  at: Date,
  /** Recorded with the submission, in its transaction (the give-up's ops alert): it stands whatever stops the answer after the commit. */
  withIt?: (c: pg.PoolClient, submissionId: number) => Promise<void>,
): Promise<number> {
  const tz = deps.config.PLAN_TIME_ZONE;
  const issue = makeIssue(code, {}, code === 'FILE_TOO_LARGE' ? { limit: `${Math.round(deps.config.MAX_FILE_BYTES / 1024 / 1024)} MB` } : {});
  const id = await withTransaction(deps.pool, async (c) => {
    const id = await nextSubmissionId(c);
    const name = responseName(file.name, at, tz, id);
    const bytes = await responseToBuffer({
      file: file.name, size: file.size, sha256: 'not computed (file not read)', outcome: 'REJECTED', layouts: [], rowsRead: 0, rowsAccepted: 0, rowsRejected: 0,
      warnings: 0, sheets: [], fileErrors: [issue], issues: [], countsByCode: { [code]: 1 },
    }, { extra: [['Received', spellInstant(file.receivedAt, tz)]], generatedAt: spellInstant(at, tz), created: at, deadlines: deadlinePolicyFromConfig(deps.config) });
    const responseSha = await putBlob(c, bytes);
    const email = unreadResponseEmail(deps.config, {
      provider: provider.code, providerName: provider.name, file: file.name, receivedAt: file.receivedAt, submissionId: id, responseName: name,
      fileError: { code, message: issue.message },
    });
    await insertUnreadSubmission(c, {
      id, provider: provider.code, originalName: file.name, size: file.size, receivedAt: file.receivedAt, serverMtime: file.mtime, firstSeenAt: file.firstSeenAt,
      lastAbsentAt: file.lastAbsentAt, responseName: name, responseSha256: responseSha, responseEmail: email, uploadPath: file.path,
    });
    await insertIssues(c, id, [{ sheet: null, row: null, column: null, code, severity: 'error', message: issue.message, cin: null }]);
    await withIt?.(c, id);
    // a poller that lost the folder to another one records nothing: that one answers the upload
    await deps.fence?.(c);
    return id;
  });
  const stored = await storedResult(deps.pool, id);
  const done: Ingested = {
    ...stored, resumed: false,
    context: { code: provider.code, sftpFolder: provider.sftpFolder },
  };
  await respondOverSftp(deps, session, done, file, at);
  return id;
}

// An upload the poll keeps failing on (an error of ours: a bug, a statement the database
// refuses), not a file refused for what it holds (that is a response like any other). Left
// alone it would stay in uploads/ and fail at every poll, and the provider would never hear
// back. After INGEST_GIVE_UP_AFTER failures in a row it is answered as REJECTED
// (FILE_NOT_PROCESSED: "a problem on the plan's side") and moved to failed/, and ops are told
// (OPS_EMAIL) with the error, masked. A failure that says nothing about the file (the sFTP
// server or the database out of reach) is not counted. One the server gives about the file
// itself while the session and the listing work is: the plan's service account may not read it
// (the provider took its read permission away, e.g. chmod 000 after the upload), which no later
// poll cures by itself. That one is answered FILE_UNREADABLE instead, telling the provider to
// upload it again readable (a rename out of uploads/ needs only the folders' permissions).
import { posix } from 'node:path';
import { errorText, log } from '../log.js';
import { NETWORK_CODES } from '../net.js';
import { alertOps, queueNotification } from '../notify/mailer.js';
import { unansweredSftpSubmissions } from '../repositories/submission-store.js';
import { clearUploadFailures, recordUploadFailure } from '../repositories/upload-failures.js';
import { SftpError, type SftpSession } from '../sftp/client.js';
import { isUpload, pendingUpload, rejectUnread, type GiveUpCode, type RespondDeps } from './respond.js';
import type { ReadyFile } from './scan.js';

/** SQLSTATE classes of a database out of reach or busy: connection, resources, operator intervention, rollback (deadlock, serialization). */
const TRANSIENT_SQLSTATE = /^(08|53|57|40)/;
/** The driver's own words for a lost connection (its errors carry no code). */
const LOST_CONNECTION = /connection terminated|timeout exceeded when trying to connect|connection (?:refused|reset)|not queryable/i;

/**
 * The server refused to let the plan read this very file (SSH_FX_PERMISSION_DENIED on its open
 * or read): the listing that found it and the session work, so it is about the file. Another
 * sFTP error (a connection lost or stalled, the file gone or changed since the listing) is not.
 */
const planMayNotRead = (err: unknown): boolean => err instanceof SftpError && err.code === 'PERMISSION_DENIED';

/** Whether an error says nothing about the file itself: the next poll may well succeed. */
function isTransient(err: unknown): boolean {
  if (err instanceof SftpError) return !planMayNotRead(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (TRANSIENT_SQLSTATE.test(code) || NETWORK_CODES.has(code))) return true;
  return err instanceof Error && LOST_CONNECTION.test(err.message);
}

export interface ProviderToAnswer { code: string; name: string; sftpFolder: string }

/**
 * Counts this failure of the upload; past the limit, answers it (the submission's id). Undefined
 * when the upload waits for the next poll. Never throws: the caller has a failure to report
 * already.
 */
export async function failedUpload(
  deps: RespondDeps,
  session: SftpSession,
  p: ProviderToAnswer,
  f: ReadyFile,
  err: unknown,
  at: Date,
): Promise<{ submissionId: number; failures: number; code: GiveUpCode } | undefined> {
  const limit = deps.config.INGEST_GIVE_UP_AFTER;
  if (limit === 0 || isTransient(err)) return undefined;
  try {
    // Applied already (the failure came after its commit): that submission is the answer, and
    // the next poll's finishUnanswered delivers it; given up on, the upload would be answered twice.
    const pending = await unansweredSftpSubmissions(deps.pool, p.code);
    if (pending.some((s) => isUpload(pendingUpload(s, posix.dirname(f.path)), f))) return undefined;
    const message = errorText(err);
    const failures = await recordUploadFailure(deps.pool, { provider: p.code, path: f.path, size: f.size, mtime: f.mtime }, message, at);
    if (failures < limit) return undefined;
    // The ops alert and the end of the count are recorded with the submission: an answer stopped
    // after its commit is finished by the next poll, and the alert goes out with the notify job.
    const code: GiveUpCode = planMayNotRead(err) ? 'FILE_UNREADABLE' : 'FILE_NOT_PROCESSED';
    const alert = (submissionId: number) => opsAlert(p, f, submissionId, failures, message, code);
    const submissionId = await rejectUnread(deps, session, p, f, code, at, async (c, id) => {
      await clearUploadFailures(c, p.code, f.path);
      if (deps.config.OPS_EMAIL) await queueNotification(c, { ...alert(id), to: [deps.config.OPS_EMAIL] }, at);
    });
    log.error({ provider: p.code, submissionId, failures, code, err: { message } }, `upload not processed after INGEST_GIVE_UP_AFTER polls: answered as REJECTED (${code}), moved to failed/`);
    await alertOps(deps.config, deps.pool, alert(submissionId), at);
    return { submissionId, failures, code };
  } catch (e) {
    log.error({ provider: p.code, err: { message: errorText(e) } }, 'could not count or answer a failed upload; the next poll tries again');
    return undefined;
  }
}

/** The ops alert about an upload given up on (keyed by its submission: recorded once). */
function opsAlert(p: ProviderToAnswer, f: ReadyFile, submissionId: number, failures: number, message: string, code: GiveUpCode) {
  const what = code === 'FILE_UNREADABLE'
    ? [
      `Provider ${p.code} uploaded ${f.name}. The plan's service account could not read it ${failures} times in a row (the sFTP server denies it`,
      `permission: the file's permissions were changed after the upload), so it was answered as REJECTED (FILE_UNREADABLE, submission ${submissionId}):`,
      `the provider and liaison were asked to upload it again, readable. The upload is in the provider's failed/ folder (unless the server`,
      `refused the move: then it is left in uploads/, quarantined; see below). Nothing for the plan to fix unless the provider says its permissions were right.`,
    ]
    : [
      `Provider ${p.code} uploaded ${f.name}. The poll failed on it ${failures} times in a row with an error of ours, so it was answered as`,
      `REJECTED (FILE_NOT_PROCESSED, submission ${submissionId}): the provider and liaison were told the plan will follow up. The upload is in the`,
      `provider's failed/ folder. Once the cause is fixed, move it back to uploads/ to process it.`,
    ];
  return {
    kind: 'ops-upload-not-processed' as const,
    subject: `Upload not processed after ${failures} polls: ${p.code}, submission ${submissionId}`,
    text: [
      ...what,
      '',
      `Last error: ${message}`,
      '',
      `See: calaim-exchange submission show ${submissionId}`,
    ].join('\n'),
    key: `upload-not-processed:${submissionId}`,
  };
}

/** The upload was processed: a failure count it had is over. */
export const uploadProcessed = (deps: RespondDeps, provider: string, path: string): Promise<void> =>
  clearUploadFailures(deps.pool, provider, path).catch((e: unknown) => log.warn({ provider, err: { message: errorText(e) } }, 'could not clear an upload\'s failure count'));

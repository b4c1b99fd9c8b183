// After a submission is committed: the response goes to the provider's downloads/ (or a local
// folder for `ingest`), the source file is moved out of uploads/, the liaison is told, and the
// submission is marked RESPONDED. Each step is safe to repeat after a crash.
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { spellInstant } from '../calendar/index.js';
import type { Config } from '../config.js';
import { log } from '../log.js';
import { sendNotification } from '../notify/mailer.js';
import { makeIssue } from '../validate/issues.js';
import { responseToBuffer } from '../reports/response.js';
import { SftpError, type SftpSession } from '../sftp/client.js';
import { moveTaken, providerFolders, type ReadyFile } from '../sftp/pickup.js';
import type { Ingested } from './pipeline.js';
import { responseName } from './pipeline.js';
import { publishOnce } from '../sftp/publish-once.js';

/** File-level codes meaning the file could not be read at all: it goes to uploads/failed/. */
const UNREADABLE = new Set(['FILE_EMPTY', 'FILE_TOO_LARGE', 'FILE_WRONG_TYPE', 'FILE_XLS_LEGACY', 'FILE_CSV', 'FILE_CORRUPT', 'FILE_ENCRYPTED', 'FILE_ZIP_BOMB', 'FILE_UNSAFE_ZIP', 'FILE_XML_ENTITIES']);
export const isUnreadable = (done: Pick<Ingested, 'document'>): boolean => done.document.fileErrors.some((e) => UNREADABLE.has(e.code));


export interface RespondDeps { pool: pg.Pool; config: Config }

/** sFTP pickup: response to downloads/, source to processed/ or failed/. */
export async function respondOverSftp(deps: RespondDeps, session: SftpSession, done: Ingested, source: ReadyFile, at: Date): Promise<{ response: string; movedTo: string }> {
  const folders = providerFolders(deps.config.SFTP_ROOT, done.context.sftpFolder);
  const response = await publishOnce(session, folders.downloads, done.response.name, done.response.bytes);
  let movedTo: string;
  try {
    movedTo = await moveTaken(session, source, isUnreadable(done) ? 'failed' : 'processed', at);
  } catch (err) {
    // Already moved by an earlier attempt: the submission is what matters now.
    if (!(err instanceof SftpError && err.code === 'NOT_FOUND')) throw err;
    movedTo = '(already moved)';
  }
  await finishResponded(deps, done, response);
  return { response, movedTo };
}

/** `ingest FILE`: the response is written to a local folder. */
export async function respondLocally(deps: RespondDeps, done: Ingested, outDir: string): Promise<string> {
  await fs.promises.mkdir(outDir, { recursive: true });
  const file = path.join(outDir, done.response.name);
  await fs.promises.writeFile(file, done.response.bytes);
  await finishResponded(deps, done, file);
  return file;
}

async function finishResponded(deps: RespondDeps, done: Ingested, where: string): Promise<void> {
  const st = await deps.pool.query<{ state: string }>(`select state from submissions where id = $1`, [done.submissionId]);
  if (st.rows[0]?.state === 'RESPONDED') return;
  try {
    await sendNotification(deps.config, deps.pool, {
      kind: 'submission-response',
      to: [done.context.liaisonEmail ?? ''],
      subject: `${done.document.outcome}: ${done.document.file} from ${done.context.code}`,
      text: done.liaisonSummary,
    });
  } catch (err) {
    log.warn({ submissionId: done.submissionId, err: { message: (err as Error).message } }, 'liaison notification failed');
  }
  await deps.pool.query(`update submissions set state = 'RESPONDED' where id = $1`, [done.submissionId]);
  log.info({ submissionId: done.submissionId, response: path.basename(where) }, 'response delivered');
}

/**
 * A file refused before its bytes were read (larger than MAX_FILE_BYTES): still a submission,
 * still a response, moved to failed/.
 */
export async function rejectUnread(deps: RespondDeps, session: SftpSession, provider: { code: string; sftpFolder: string; liaisonEmail: string | null }, file: ReadyFile, code: 'FILE_TOO_LARGE', at: Date): Promise<number> {
  const tz = deps.config.PLAN_TIME_ZONE;
  const issue = makeIssue(code, {}, { limit: `${Math.round(deps.config.MAX_FILE_BYTES / 1024 / 1024)} MB` });
  const name = responseName(file.name, at, tz);
  const bytes = await responseToBuffer({
    file: file.name, size: file.size, sha256: 'not computed (file not read)', outcome: 'REJECTED', layouts: [], rowsRead: 0, rowsAccepted: 0, rowsRejected: 0,
    warnings: 0, sheets: [], fileErrors: [issue], issues: [], countsByCode: { [code]: 1 },
  }, { extra: [['Received', spellInstant(file.receivedAt, tz)]], generatedAt: spellInstant(at, tz) });
  const r = await deps.pool.query<{ id: number }>(
    `insert into submissions (provider_code, original_name, sha256, size, received_at, server_mtime, first_seen_at, last_absent_at, outcome, state, response_name)
     values ($1, $2, null, $3, $4, $5, $6, $7, 'REJECTED', 'APPLIED', $8) returning id`,
    [provider.code, file.name.slice(0, 500), file.size, file.receivedAt, file.mtime, file.firstSeenAt, file.lastAbsentAt, name],
  );
  const id = r.rows[0]!.id;
  await deps.pool.query(`insert into submission_issues (submission_id, code, severity, message) values ($1, $2, 'error', $3)`, [id, code, issue.message]);
  const folders = providerFolders(deps.config.SFTP_ROOT, provider.sftpFolder);
  await publishOnce(session, folders.downloads, name, bytes);
  await moveTaken(session, file, 'failed', at);
  await sendNotification(deps.config, deps.pool, {
    kind: 'submission-response', to: [provider.liaisonEmail ?? ''], subject: `REJECTED: ${file.name} from ${provider.code}`,
    text: `${provider.code} sent ${file.name} (${file.size} bytes). ${issue.message}`,
  }).catch(() => undefined);
  await deps.pool.query(`update submissions set state = 'RESPONDED' where id = $1`, [id]);
  return id;
}

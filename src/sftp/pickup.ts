// Picking up provider uploads on the sFTP side (DESIGN §4): where a provider's folders are,
// listing `<code>/uploads/` with temporary names and folders left out, and moving a taken file
// away. Which listed file is ready (stable across two listings, with its receipt time) is the
// poll's decision, kept in Postgres: src/ingest/scan.ts.
import path from 'node:path';
import { log } from '../log.js';
import type { SftpSession } from './client.js';

const posix = path.posix;

/** Names a provider's client uses while a transfer is in progress, and hidden files. */
export function isIgnoredName(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    name.startsWith('.') ||
    lower.endsWith('.part') ||
    lower.endsWith('.filepart') ||
    lower.endsWith('.tmp') ||
    name.endsWith('~')
  );
}

export interface ProviderFolders {
  root: string;
  uploads: string;
  downloads: string;
  processed: string;
  failed: string;
}

/** The remote folders of one provider under the configured root (SFTP_ROOT). */
export function providerFolders(sftpRoot: string, providerFolder: string): ProviderFolders {
  // Files listed here are ingested as this provider: its folder must not lead into another's.
  if (!providerFolder || providerFolder === '.' || providerFolder === '..' || /[/\\\0]/.test(providerFolder))
    throw new Error('a provider sFTP folder must be a single folder name');
  const root = posix.join(sftpRoot || '/', providerFolder);
  const uploads = posix.join(root, 'uploads');
  return {
    root,
    uploads,
    downloads: posix.join(root, 'downloads'),
    processed: posix.join(uploads, 'processed'),
    failed: posix.join(uploads, 'failed'),
  };
}

/** One listing of an uploads folder, as the transport sees it. */
export interface UploadListing {
  /** Regular files, with names a provider's client does not use while a transfer is in progress. */
  files: { name: string; size: number; mtime: Date }[];
  /** Temporary or hidden names and non-regular entries (folders are left out), in listing order. */
  ignored: string[];
}

/**
 * Lists `folder` once and sorts out what could be an upload. Records nothing: the poll
 * (src/ingest/scan.ts) keeps what each listing saw and decides which files are ready.
 */
export async function listUploads(session: Pick<SftpSession, 'list'>, folder: string): Promise<UploadListing> {
  const entries = await session.list(folder);
  const ignored: string[] = [];
  const files: UploadListing['files'] = [];
  let notRegular = 0;
  for (const e of entries) {
    if (e.isDirectory) continue;
    if (!e.isFile) notRegular++;
    if (!e.isFile || isIgnoredName(e.name)) ignored.push(e.name);
    else files.push({ name: e.name, size: e.size, mtime: e.mtime });
  }
  // A link (or device, socket...) in a provider's folder is never taken or followed; ops hear
  // of it by folder and count only, since a file name may carry member data.
  if (notRegular) log.warn({ folder, entries: notRegular, reason: 'not a regular file' }, 'upload folder holds entries that are not regular files; left alone');
  return { files, ignored };
}

/** `RTF_ACME_202611.xlsx` taken at 2026-11-04T09:30:00Z → `RTF_ACME_202611__20261104T093000Z.xlsx`. */
export function takenName(name: string, at: Date): string {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  const ext = posix.extname(name);
  const stem = ext && ext !== name ? name.slice(0, -ext.length) : name;
  return `${stem}__${stamp}${ext}`;
}

/** Moves a taken upload to `uploads/processed/` or `uploads/failed/` with a timestamp suffix. */
export async function moveTaken(
  session: Pick<SftpSession, 'move'>,
  file: { path: string; name: string },
  outcome: 'processed' | 'failed',
  at: Date,
): Promise<string> {
  const toDir = posix.join(posix.dirname(file.path), outcome);
  return session.move(file.path, toDir, takenName(file.name, at));
}

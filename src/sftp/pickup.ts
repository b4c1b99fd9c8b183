// Picking up provider uploads (DESIGN §4): list `<code>/uploads/`, ignore temporary names and
// folders, take a file only when its size and mtime held across two listings at least
// SFTP_STABLE_SECONDS apart, and compute its receipt time from the poll state.
import path from 'node:path';
import { receiptTime } from '../calendar/receipt.js';
import { recordListing, type Queryable } from '../db/poll-state.js';
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

export interface ReadyFile {
  name: string;
  /** Remote path (folder + name). */
  path: string;
  size: number;
  /** Raw server modification time. */
  mtime: Date;
  /** Raw time of the first listing where this version was present. */
  firstSeenAt: Date;
  /** Raw time of the last listing where it was absent (null: folder never listed before). */
  lastAbsentAt: Date | null;
  /** mtime clamped into [lastAbsentAt, firstSeenAt]. */
  receivedAt: Date;
}

export interface ScanResult {
  ready: ReadyFile[];
  /** Files seen but not yet stable. */
  waiting: string[];
  /** Temporary or hidden names and non-regular entries (folders are left out). */
  ignored: string[];
  /** Files already answered that could not be moved: not taken again while unchanged (absent when none). */
  quarantined?: string[];
}

/**
 * Lists `folder` once at `now` (injectable: tests and `poll --now` pin it), records the listing
 * and returns the files that are ready to be taken, oldest receipt first.
 */
export async function scanFolder(
  session: Pick<SftpSession, 'list'>,
  db: Queryable,
  folder: string,
  now: Date,
  stableSeconds: number,
): Promise<ScanResult> {
  const entries = await session.list(folder);
  const ignored: string[] = [];
  const candidates = [];
  let notRegular = 0;
  for (const e of entries) {
    if (e.isDirectory) continue;
    if (!e.isFile) notRegular++;
    if (!e.isFile || isIgnoredName(e.name)) ignored.push(e.name);
    else candidates.push({ name: e.name, size: e.size, mtime: e.mtime });
  }
  // A link (or device, socket...) in a provider's folder is never taken or followed; ops hear
  // of it by folder and count only, since a file name may carry member data.
  if (notRegular) log.warn({ folder, entries: notRegular, reason: 'not a regular file' }, 'upload folder holds entries that are not regular files; left alone');
  const { files } = await recordListing(db, folder, now, candidates);
  const ready: ReadyFile[] = [];
  const waiting: string[] = [];
  const quarantined: string[] = [];
  for (const f of files) {
    if (f.quarantinedAt && f.unchanged) {
      quarantined.push(f.name);
      continue;
    }
    const heldMs = now.getTime() - f.stableSince.getTime();
    if (f.unchanged && heldMs >= stableSeconds * 1000) {
      ready.push({
        name: f.name,
        path: posix.join(folder, f.name),
        size: f.size,
        mtime: f.mtime,
        firstSeenAt: f.firstSeenAt,
        lastAbsentAt: f.lastAbsentAt,
        receivedAt: receiptTime(f),
      });
    } else waiting.push(f.name);
  }
  ready.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.name.localeCompare(b.name));
  log.debug({ folder, ready: ready.length, waiting: waiting.length, ignored: ignored.length, quarantined: quarantined.length }, 'sftp folder scanned');
  return { ready, waiting: waiting.sort(), ignored: ignored.sort(), ...(quarantined.length ? { quarantined: quarantined.sort() } : {}) };
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

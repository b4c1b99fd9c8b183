// One look at a provider's uploads folder (DESIGN §4): the transport lists it
// (src/sftp/pickup.ts), the poll state records the listing (src/db/poll-state.ts), and a file is
// ready only when its size and mtime held across two listings at least SFTP_STABLE_SECONDS
// apart; its receipt time is clamped between the listings (src/calendar/receipt.ts).
import path from 'node:path';
import { receiptTime } from '../calendar/receipt.js';
import { recordListing, type Queryable } from '../db/poll-state.js';
import { log } from '../log.js';
import type { SftpSession } from '../sftp/client.js';
import { listUploads } from '../sftp/pickup.js';

const posix = path.posix;

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
  /** When every waiting file will have held still for the window, on the listing's clock (absent when none waits). */
  ripeAt?: Date;
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
  const { files: candidates, ignored } = await listUploads(session, folder);
  const { files } = await recordListing(db, folder, now, candidates);
  const ready: ReadyFile[] = [];
  const waiting: string[] = [];
  const quarantined: string[] = [];
  let ripeMs = -Infinity;
  for (const f of files) {
    if (f.quarantinedAt && f.unchanged) {
      quarantined.push(f.name);
      continue;
    }
    // when the file will have held still for the window
    const ripe = f.stableSince.getTime() + stableSeconds * 1000;
    if (f.unchanged && now.getTime() >= ripe) {
      ready.push({
        name: f.name,
        path: posix.join(folder, f.name),
        size: f.size,
        mtime: f.mtime,
        firstSeenAt: f.firstSeenAt,
        lastAbsentAt: f.lastAbsentAt,
        receivedAt: receiptTime(f),
      });
    } else {
      waiting.push(f.name);
      ripeMs = Math.max(ripeMs, ripe);
    }
  }
  ready.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.name.localeCompare(b.name));
  log.debug({ folder, ready: ready.length, waiting: waiting.length, ignored: ignored.length, quarantined: quarantined.length }, 'sftp folder scanned');
  return {
    ready, waiting: waiting.sort(), ignored: ignored.sort(),
    ...(waiting.length ? { ripeAt: new Date(ripeMs) } : {}),
    ...(quarantined.length ? { quarantined: quarantined.sort() } : {}),
  };
}

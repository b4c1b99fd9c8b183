// `reprocess ID`: a stored file read again under the plan's current rules and records (a
// contract loaded late, a code set widened), as a new submission linked to the one it answers
// again. Its receipt time is the original's (the deadline verdict and period do not move), it
// replaces what the earlier attempt applied (supersession, never added on top), and its
// response goes to the provider's downloads/ with an email to the liaison and the provider.
import type pg from 'pg';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { FaultPoints } from '../fault-points.js';
import { getBlob } from '../db/blobs.js';
import { POLL_FINISHES } from '../repositories/submission-store.js';
import { reprocessCandidate, type ReprocessCandidate } from '../repositories/submissions.js';
import type { SftpSession } from '../sftp/client.js';
import { ingestFile, storedResult, type Ingested } from './pipeline.js';
import { loadProviderContext } from './context.js';
import { respondOverSftp, type Answered } from './respond.js';

/** Why a submission cannot be reprocessed: the operator's request, not a failure of the system. */
export class ReprocessRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReprocessRefused';
  }
}

/** The checks before anything is read or recorded; pure over what the repository returned. */
export function reprocessRefusal(c: ReprocessCandidate | undefined, id: number): string | null {
  if (!c) return `no submission ${id}`;
  if (c.duplicateOf !== null) return `submission ${id} is a copy of submission ${c.duplicateOf} (same bytes, never applied): reprocess ${c.duplicateOf}`;
  if (c.reprocessedBy && c.reprocessedBy.state === 'RESPONDED')
    return `submission ${id} was already reprocessed as submission ${c.reprocessedBy.id}: reprocess ${c.reprocessedBy.id} to read the file once more`;
  if (c.verdict === 'DECLINED_LATE') return `submission ${id} was declined as late and never read: reprocessing would decline it again (the provider sends it in the next window)`;
  if (c.replacedBy !== null) return `submission ${id} was replaced by submission ${c.replacedBy}, a later file for the same period: reprocess ${c.replacedBy}, or ask the provider for a new file`;
  if (!c.sha256 || !c.stored) return `the file of submission ${id} is no longer stored (never read, or its bytes were purged by retention): ask the provider to send it again`;
  if (c.state !== 'RESPONDED' && !c.reprocessedBy) {
    // (a poll finishes only what a poll or a reprocess took: a file `ingest` read was never in uploads/)
    if (!(POLL_FINISHES as readonly string[]).includes(c.source))
      return `submission ${id} was taken by \`ingest\` and is not answered yet (state ${c.state}): run \`ingest\` on the same file with --provider ${c.provider} again to answer it (a poll answers only the files it took)`;
    return `submission ${id} is still being answered (state ${c.state}): the next poll finishes it; try again after that`;
  }
  return null;
}

export interface ReprocessDeps {
  pool: pg.Pool;
  config: Config;
  openSession: () => Promise<SftpSession>;
  /** When the new answer is made (its response time and notifications); default the wall clock. */
  now?: Clock;
  /** Crash tests only: called at the inbound path's fault points (default: nothing). */
  faults?: FaultPoints;
}

export interface Reprocessed {
  done: Ingested;
  answered: Answered;
  /** An earlier `reprocess` of this submission had stopped after its commit: finished, not read again. */
  resumed: boolean;
}

/** Refused (ReprocessRefused) before anything is read when the submission cannot be reprocessed. */
export async function checkReprocess(pool: pg.Pool, id: number): Promise<ReprocessCandidate> {
  const c = await reprocessCandidate(pool, id);
  const refusal = reprocessRefusal(c, id);
  if (refusal) throw new ReprocessRefused(refusal);
  return c!;
}

export async function reprocessSubmission(deps: ReprocessDeps, c: ReprocessCandidate, reason: string, runId: number | null): Promise<Reprocessed> {
  const { pool, config } = deps;
  const now = deps.now ?? systemClock;
  const ctx = await loadProviderContext(pool, c.provider, c.receivedAt, config);
  const context = { code: ctx.code, sftpFolder: ctx.sftpFolder };
  let done: Ingested;
  let resumed = false;
  if (c.reprocessedBy) {
    // A reprocess that committed and stopped before its answer was delivered: deliver that one.
    done = { ...(await storedResult(pool, c.reprocessedBy.id)), resumed: true, context };
    resumed = true;
  } else {
    const bytes = await getBlob(pool, c.sha256!);
    if (!bytes) throw new ReprocessRefused(`the file of submission ${c.id} is no longer stored: ask the provider to send it again`);
    done = await ingestFile({ pool, config, now, faults: deps.faults }, {
      provider: c.provider, originalName: c.file, bytes, receivedAt: c.receivedAt, serverMtime: c.serverMtime, firstSeenAt: c.firstSeenAt,
      lastAbsentAt: c.lastAbsentAt, source: 'reprocess',
      reprocess: { of: c.id, chain: c.chain, reason, runId, earlierApplied: c.applied },
    }, { context: Promise.resolve(ctx) });
  }
  const session = await deps.openSession();
  try {
    const answered = await respondOverSftp({ pool, config, faults: deps.faults }, session, done, null, now());
    return { done, answered, resumed };
  } finally {
    await session.close().catch(() => undefined);
  }
}

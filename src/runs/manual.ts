// Ops putting right what the plan got wrong, under the run ledger: `reprocess` and `republish`
// from the command line and the ops buttons of the web pages run these, so both record the
// same attempt (trigger manual, with the reason) and refuse the same mistakes.
import type pg from 'pg';
import type { IsoDate } from '../../schemas/primitives.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { FaultPoints } from '../fault-points.js';
import { republish, type GenerateResult, type OutboundKind } from '../generate/run.js';
import { reprocessSubmission, type Reprocessed } from '../ingest/reprocess.js';
import type { ReprocessCandidate } from '../repositories/submissions.js';
import type { SftpSession } from '../sftp/client.js';
import { executeRun } from './execute.js';

export interface ManualDeps {
  pool: pg.Pool;
  config: Config;
  openSession: () => Promise<SftpSession>;
  now: Clock;
  /** Crash tests only (the CLI entry's test hooks): called at the pipeline's fault points. */
  faults?: FaultPoints;
}

/** After checkReprocess: the stored file read again as a new attempt of the `reprocess` job. */
export async function reprocessAsRun(deps: ManualDeps, candidate: ReprocessCandidate, reason: string): Promise<{ result: Reprocessed; runId: number }> {
  let result: Reprocessed | undefined;
  const run = await executeRun(deps.pool, deps.config, 'reprocess', `submission ${candidate.id}`, { trigger: 'manual', reason }, async (ctx) => {
    result = await reprocessSubmission({ pool: deps.pool, config: deps.config, openSession: deps.openSession, now: deps.now, faults: deps.faults }, candidate, reason, ctx.run.id);
    const d = result.done.document;
    return { submission: result.done.submissionId, outcome: d.outcome, rowsRead: d.rowsRead, rowsAccepted: d.rowsAccepted, rowsRejected: d.rowsRejected };
  });
  return { result: result!, runId: run.run.id };
}

/**
 * After checkRepublish: a new version of the provider's files for the slot, as an attempt of the
 * `republish` job. A unit that failed fails the attempt; the result (with the failed units) is
 * still returned so the caller can say which.
 */
export async function republishAsRun(
  deps: ManualDeps, kind: OutboundKind, o: { slot: IsoDate; date: IsoDate; provider: string; reason: string },
): Promise<{ result: GenerateResult; runId: number | null }> {
  let result: GenerateResult | undefined;
  let runId: number | null = null;
  try {
    await executeRun(deps.pool, deps.config, 'republish', `${kind} ${o.slot} ${o.provider}`, { trigger: 'manual', reason: o.reason }, async (ctx) => {
      runId = ctx.run.id;
      result = await republish(kind, { date: o.date, provider: o.provider, reason: o.reason, runId: ctx.run.id, now: deps.now() }, { pool: deps.pool, config: deps.config, openSession: deps.openSession });
      if (result.failed) throw new Error(`${result.failed} file(s) failed`);
      return { published: result.published, empty: result.empty, failed: result.failed };
    });
  } catch (err) {
    if (!result) throw err;
  }
  return { result: result!, runId };
}

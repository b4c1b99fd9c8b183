// `calaim-exchange runs`: the run ledger, newest first, with counts and durations.
import type { Command } from 'commander';
import { JOB_NAMES } from '../../../jobs/schedule.js';
import { listRuns, type RunRow } from '../../runs/ledger.js';
import { emit, table, UsageError } from '../output.js';
import { withRuntime } from '../runtime.js';

interface Opts { job?: string; limit?: string; json?: boolean }

export function durationMs(run: Pick<RunRow, 'started_at' | 'finished_at'>, now = new Date()): number {
  return (run.finished_at ?? now).getTime() - run.started_at.getTime();
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const compactCounts = (counts: Record<string, unknown>): string =>
  Object.entries(counts)
    .filter(([, v]) => v === null || typeof v !== 'object')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('run history (newest first) with counts and durations')
    .option('--job <NAME>', 'only this job (mif, csasf, mini-mif, minimif-sla, missing-alert, poll)')
    .option('--limit <N>', 'how many runs', '50')
    .option('--json', 'print one JSON array')
    .addHelpText('after', `
Statuses: RUNNING (heartbeating), SUCCEEDED, FAILED (retried by catch-up), ABANDONED
(heartbeat stopped or released at shutdown; taken over by any scheduler).

Examples:
  calaim-exchange runs --job mif
  calaim-exchange runs --limit 10 --json`)
    .action(async (opts: Opts) => {
      const limit = Number(opts.limit ?? 50);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit takes a whole number ≥ 1');
      if (opts.job !== undefined && !(JOB_NAMES as readonly string[]).includes(opts.job))
        throw new UsageError(`unknown job ${JSON.stringify(opts.job)}: use ${JOB_NAMES.join(', ')}`);
      await withRuntime(async ({ db }) => {
        const now = new Date();
        const runs = await listRuns(db.pool, { job: opts.job, limit });
        const doc = runs.map((r) => ({
          id: r.id,
          job: r.job,
          slot: r.slot,
          status: r.status,
          trigger: r.trigger,
          attempt: r.attempt,
          owner: r.owner,
          startedAt: r.started_at.toISOString(),
          heartbeatAt: r.heartbeat_at.toISOString(),
          finishedAt: r.finished_at?.toISOString() ?? null,
          durationMs: durationMs(r, now),
          counts: r.counts,
          error: r.error,
        }));
        emit(opts, doc, () =>
          runs.length === 0
            ? `no runs${opts.job ? ` of ${opts.job}` : ''}`
            : table(
                ['id', 'job', 'slot', 'status', 'trigger', 'try', 'started', 'duration', 'counts', 'error'],
                runs.map((r) => [
                  r.id, r.job, r.slot, r.status, r.trigger, r.attempt,
                  r.started_at.toISOString().replace('T', ' ').slice(0, 19),
                  `${formatDuration(durationMs(r, now))}${r.finished_at ? '' : ' (so far)'}`,
                  compactCounts(r.counts), r.error ?? '',
                ]),
              ),
        );
      });
    });
}

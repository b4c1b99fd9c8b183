// `calaim-exchange runs`: the run history, one line per attempt, newest first: what started it,
// its outcome, its slot's status (derived from all the slot's attempts), what it published per
// provider, counts and durations; times in the plan time zone.
import type { Command } from 'commander';
import { localIso, localText } from '../../calendar/index.js';
import { JOB_NAMES, OPS_ACTIONS } from '../../../jobs/index.js';

const RUN_NAMES: readonly string[] = [...JOB_NAMES, ...OPS_ACTIONS];
import type { Publication, RunRow } from '../../repositories/run-ledger.js';
import { emit, table, UsageError } from '../output.js';
import { withRuntime } from '../lazy-runtime.js';
import { commandClock, nowOption } from '../clock-option.js';
import { countOption } from '../values.js';

interface Opts { job?: string; limit?: string; before?: string; now?: string; json?: boolean }

/** How long an attempt took, or (still running) has taken by `now`. */
export function durationMs(run: Pick<RunRow, 'started_at' | 'finished_at'>, now: Date): number {
  return (run.finished_at ?? now).getTime() - run.started_at.getTime();
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}


/** What an attempt published, compactly: provider/lob of each file (empty units left out). */
const compactPublished = (pubs: Publication[]): string =>
  pubs.filter((p) => p.status === 'PUBLISHED').map((p) => (p.lob ? `${p.provider}/${p.lob}` : p.provider)).join(' ');

const compactCounts = (counts: Record<string, unknown>): string =>
  Object.entries(counts)
    .filter(([, v]) => v === null || typeof v !== 'object')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('run history: one line per attempt (newest first), what it published, counts and durations')
    .option('--job <NAME>', `only this job or ops action (${RUN_NAMES.join(', ')})`)
    .option('--limit <N>', 'how many runs', '50')
    .option('--before <ID>', 'only attempts older than this one (its id): the page after the last line shown')
    .addOption(nowOption('the "so far" of attempts still running'))
    .option('--json', 'print one JSON array')
    .addHelpText('after', `
Every attempt at a (job, slot) is its own line, never rewritten: trigger cron, catch-up or
manual; try = its number for the slot. Attempt statuses: RUNNING (heartbeating), SUCCEEDED,
FAILED, ABANDONED (heartbeat stopped or released at shutdown; taken over by another attempt),
DEFERRED (the slot could not run yet, e.g. minimif-sla waiting for the day's mini-mif: no
failure; catch-up runs the slot again).
The slot column is the slot's status from all its attempts: RUNNING while one runs, else the
outcome of its latest SUCCEEDED / FAILED attempt (a FAILED slot is retried by catch-up). An
attempt of one provider (generate --provider; "(P only)") decides nothing for the slot: the
other providers' files are still owed, and the scheduler still runs it.
published = the files that attempt published (provider/line of business). Times are in the
plan time zone (PLAN_TIME_ZONE).

Examples:
  calaim-exchange runs --job mif
  calaim-exchange runs --limit 10 --json
  calaim-exchange runs --limit 10 --before 2`)
    .action(async (opts: Opts) => {
      const limit = countOption(opts.limit ?? '50', '--limit');
      const before = opts.before === undefined ? undefined : countOption(opts.before, '--before');
      if (opts.job !== undefined && !RUN_NAMES.includes(opts.job))
        throw new UsageError(`unknown job ${JSON.stringify(opts.job)}: use ${RUN_NAMES.join(', ')}`);
      const clock = commandClock(opts);
      const { attemptExists, attemptPublications, listRuns } = await import('../../repositories/run-ledger.js');
      await withRuntime(async ({ config, db }) => {
        const now = clock();
        // (a page below an attempt that does not exist would be empty, and read as "nothing older")
        if (before !== undefined && !(await attemptExists(db.pool, before)))
          throw new UsageError(`--before: there is no attempt ${before} (its id, from the first column of \`runs\`)`);
        const tz = config.PLAN_TIME_ZONE;
        const runs = await listRuns(db.pool, { job: opts.job, limit, ...(before ? { before } : {}) });
        const pubs = await attemptPublications(db.pool, runs.map((r) => r.id));
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
          reason: r.reason ?? null,
          provider: r.provider ?? null,
          slotStatus: r.slot_status ?? null,
          timeZone: tz,
          startedAtLocal: localIso(r.started_at, tz),
          finishedAtLocal: r.finished_at ? localIso(r.finished_at, tz) : null,
          published: (pubs.get(r.id) ?? []).map((p) => ({ ...p, publishedAt: p.publishedAt?.toISOString() ?? null })),
        }));
        emit(opts, doc, () =>
          runs.length === 0
            ? `no runs${opts.job ? ` of ${opts.job}` : ''}`
            : `attempts, newest first; times in ${tz}\n\n` +
              table(
                ['id', 'job', 'slot', 'try', 'trigger', 'status', 'slot status', `started (${tz})`, 'duration', 'published', 'counts', 'reason / error'],
                runs.map((r) => [
                  r.id, r.job, r.provider ? `${r.slot} (${r.provider} only)` : r.slot, r.attempt, r.trigger, r.status, r.slot_status ?? '',
                  localText(r.started_at, tz),
                  `${formatDuration(durationMs(r, now))}${r.finished_at ? '' : ' (so far)'}`,
                  compactPublished(pubs.get(r.id) ?? []), compactCounts(r.counts), [r.reason ? `reason: ${r.reason}` : '', r.error ?? ''].filter(Boolean).join('; '),
                ]),
              ),
        );
      });
    });
}

import type { Command } from 'commander';
import type pg from 'pg';
import { localDate } from '../../calendar/index.js';
import type { GenerateResult, OutboundKind } from '../../generate/run.js';
import { emit, table, UsageError } from '../output.js';
import { refusedAsBusy } from '../run-busy.js';
import { withRuntime } from '../lazy-runtime.js';
import { commandClock, nowOption } from '../clock-option.js';
import { dateOption, outFolderOption, providerOption, secondsOption } from '../values.js';

const KINDS: OutboundKind[] = ['mif', 'mini-mif', 'csasf'];

interface Opts { date?: string; now?: string; provider?: string; dryRun?: boolean; out?: string; json?: boolean; wait?: string }

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description("build and publish the outbound files of a date's slot (idempotent per slot and provider)")
    .argument('<kind>', 'mif | mini-mif | csasf')
    .option('--date <YYYY-MM-DD>', 'a day of the slot to run (default: today in the plan time zone, by --now when given; a mif: the latest 15th on or before it)')
    .addOption(nowOption("the default --date is its plan-local date; the files' publish time"))
    .option('--provider <ID>', 'only this provider code')
    .option('--dry-run', 'write the files to --out only: nothing published or recorded')
    .option('--out <DIR>', 'folder for --dry-run files (default DATA_DIR/dry-run)')
    .option('--wait <SECONDS>', 'when the slot is being run by another process, wait this long instead of refusing', '0')
    .option('--json', 'print one JSON document')
    .addHelpText('after', `
Slots: mif → the 15th of the date's month; csasf → the latest of the 15th / CSASF_SECOND_RUN_DAY
(the 29th unless set; the last day of a month without that day) on or before the date; mini-mif →
the date itself (referrals approved MINI_MIF_MIN_DAYS+ days before it that no MIF or mini-MIF has
carried yet).

Without --date: the slot of today (the plan-local date), or for a mif before the 15th the latest
one due (last month's 15th), never a slot ahead of its day. With --date, a slot after today is
refused (exit 2): it is published on its day; --dry-run previews it.

--now runs the command as of that instant (a replay, a test): without --date the slot is that of
its plan-local date, and the files are recorded as published then.

Examples:
  calaim-exchange generate mif --date 2026-11-15
  calaim-exchange generate mif --now 2026-11-15T06:30:00-08:00 --dry-run --out .data/dry-run
  calaim-exchange generate csasf --date 2026-11-29 --provider HOMEFRST --dry-run --out .data/dry-run
  calaim-exchange generate mini-mif --date 2026-11-25 --json`)
    .action(async (kind: string, opts: Opts) => {
      if (!KINDS.includes(kind as OutboundKind)) throw new UsageError(`unknown kind "${kind}": use mif, mini-mif or csasf`);
      const clock = commandClock(opts);
      if (opts.date !== undefined) dateOption(opts.date, '--date');
      // (a real run publishes: an --out beside it would be dropped without a word)
      if (opts.out !== undefined && !opts.dryRun) throw new UsageError("--out is for --dry-run: a real run publishes to the providers' downloads/ folders, never to --out");
      const out = opts.out === undefined ? undefined : outFolderOption(opts.out, '--out');
      const waitSeconds = secondsOption(opts.wait ?? '0', '--wait');
      // (in any case, as ingest, poll and republish read a code)
      if (opts.provider !== undefined) opts.provider = providerOption(opts.provider).toUpperCase();
      const { generate, latestSlotDue, slotAhead, slotFor } = await import('../../generate/run.js');
      const { getConfig } = await import('../../config.js');
      const k = kind as OutboundKind;
      const now = clock();
      const today = localDate(now, getConfig().PLAN_TIME_ZONE);
      // without --date: the slot due today or the latest before it, never one ahead of its day
      const date = opts.date ?? latestSlotDue(k, today, getConfig());
      // With --date, a slot after today is refused too (a typo for last month's, or a run ahead
      // of its day): the file would be built before its day's records, and the run on the day
      // would find the slot done. A dry run only previews it. Refused before anything is opened.
      const ahead = opts.dryRun ? undefined : slotAhead(k, slotFor(k, date, getConfig()), today);
      if (ahead) throw new UsageError(`${ahead}: it is published on its day; --dry-run previews it`);
      const { miniMifSlaAlert } = await import('../../reports/alerts.js');
      const { executeRun } = await import('../../runs/execute.js');
      const { progressBar } = await import('../progress.js');
      const { openTransport } = await import('../../sftp/transport.js');
      const { providerSftpFolders } = await import('../../repositories/providers.js');
      await withRuntime(async ({ config, db }) => {
        // Usage errors are found before anything is opened or claimed: a typo records nothing.
        if (opts.provider !== undefined) await checkProvider(db.pool, k, opts.provider);
        const transport = opts.dryRun ? undefined : await openTransport(config, () => providerSftpFolders(db.pool));
        const bar = progressBar(opts, `${kind} ${slotFor(k, date, config)}`);
        try {
          const deps = { pool: db.pool, config, openSession: transport?.openSession };
          const run = (signal?: AbortSignal, runId?: number) =>
            generate(k, { date, now, provider: opts.provider, dryRun: opts.dryRun, out, signal, runId, onProgress: (d, t, u) => bar.update(d, t, u) }, deps);
          let result: GenerateResult | undefined;
          let alerts: number | undefined;
          if (opts.dryRun) {
            result = await run();
            // a file the dry run could not write is a failure, as it is for a real run
            if (result.failed) process.exitCode = 1;
          } else {
            const slot = slotFor(k, date, config);
            try {
              await executeRun(db.pool, config, k, slot, { trigger: 'manual', waitMs: waitSeconds * 1000, provider: opts.provider }, async (ctx) => {
                result = await run(ctx.signal, ctx.run.id);
                // (one provider's run: the other providers' referrals wait for their own mini-MIF of the day)
                if (k === 'mini-mif' && opts.provider === undefined) alerts = (await miniMifSlaAlert(db.pool, config, slot, now)).referrals;
                // A failed provider leaves the run FAILED so the scheduler retries it; the others are done.
                if (result.failed) throw new Error(`${result.failed} provider file(s) failed`);
                return { published: result.published, empty: result.empty, failed: result.failed, units: result.units.length };
              });
            } catch (err) {
              if (!result) throw err;
              process.exitCode = 1;
            }
          }
          if (!result) throw new Error('generation produced no result');
          bar.stop();
          const done = result;
          emit(opts, { ...done, ...(alerts !== undefined ? { slaAlertReferrals: alerts } : {}) }, () => summary(done));
        } catch (err) {
          bar.stop();
          if (await refusedAsBusy(err, opts, { kind })) return;
          throw err;
        } finally {
          await transport?.close();
        }
      });
    });
}

/** The provider of --provider exists, is active and has a contract for the kind's program. */
async function checkProvider(pool: pg.Pool, kind: OutboundKind, code: string): Promise<void> {
  const program = kind === 'csasf' ? 'CS' : 'ECM';
  const { providerStanding } = await import('../../repositories/providers.js');
  const p = await providerStanding(pool, code);
  if (!p) throw new UsageError(`unknown provider ${code}: no such provider code (see the providers extract)`);
  if (!p.active) throw new UsageError(`provider ${code} is not active`);
  if (!p.programs.includes(program)) throw new UsageError(`provider ${code} has no ${program} contract: ${kind} files go to ${program} providers`);
}

function summary(r: GenerateResult): string {
  const head = `${r.kind} slot ${r.slot}${r.dryRun ? ' (dry run)' : ''}: ${r.published} published, ${r.empty} with no rows, ${r.failed} failed, ${r.units.length - r.published - r.empty - r.failed} other`;
  const rows = r.units.map((u) => [u.provider, u.lob ?? '', u.status, u.rows, u.file ?? '', u.error ?? (u.refused?.length ? `${u.refused.length} refused (held by another provider)` : '')]);
  return `${head}\n\n${table(['provider', 'lob', 'status', 'rows', 'file', 'note'], rows)}`;
}

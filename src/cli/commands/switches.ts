// `calaim-exchange switches`: the ECM switches the plan's assignment extract planned for a later
// day (who holds the member until then, the provider named, the day, the extract's row and file)
// and those their day's run did not apply, with the reason. Read-only; for ops: it names members.
import type { Command } from 'commander';
import { emit, table, UsageError } from '../output.js';
import { withRuntime } from '../lazy-runtime.js';
import { commandClock, nowOption } from '../clock-option.js';
import { countOption } from '../values.js';
import { localDate, localIso, localText } from '../../calendar/index.js';

interface Opts { notApplied?: boolean; planned?: boolean; limit?: string; now?: string; json?: boolean }

/**
 * One switch as --json prints it. status: planned (its day still to come), due (its day has come
 * and no run has applied it yet: the next run that reads who holds members does, the scheduler's
 * `switches` job just after midnight), not-applied (its day's run kept the member: reason).
 * provider: who holds the member until the day, or who kept them.
 */
export interface SwitchJson {
  status: 'planned' | 'due' | 'not-applied';
  cin: string;
  lob: string;
  provider: string | null;
  to: string;
  day: string;
  row: number;
  file: string | null;
  timeZone: string;
  loadedAt: string;
  reason: string | null;
  checkedAt: string | null;
}

export function registerSwitches(program: Command): void {
  program
    .command('switches')
    .description('planned ECM switches (a member moved to another provider of the line from a later day), and those not applied on their day')
    .option('--planned', 'only those still planned (or due and not yet applied)')
    .option('--not-applied', 'only those their day\'s run did not apply, the latest first, with the reason')
    .option('--limit <N>', 'at most this many of each', '200')
    .addOption(nowOption('"today": whether a planned switch is due'))
    .option('--json', 'print one JSON array')
    .addHelpText('after', `
An assignment extract row that moves a member to another ECM provider of the same line from a
day after the import's is planned: the member stays with the provider that holds them until
that day. The scheduler's switches job applies a day's switches just after plan-local midnight
(SWITCHES_AT); any run that reads who holds members that day applies them first. Checked again
then, a switch may be not applied (a referral's episode that started after the extract was loaded
keeps the member, the named provider's contract ended): the liaisons of both providers are
emailed (no CINs), and it is listed here with the member. Statuses: planned, due (its day has
come, not applied yet), not-applied. Lists members: for ops.

Examples:
  calaim-exchange switches
  calaim-exchange switches --not-applied --json`)
    .action(async (opts: Opts) => {
      const limit = countOption(opts.limit ?? '200', '--limit');
      const clock = commandClock(opts);
      if (opts.planned && opts.notApplied) throw new UsageError('--planned and --not-applied exclude each other: give one, or neither for both');
      const { listPlannedSwitches, listSwitchesNotApplied } = await import('../../repositories/ecm-assignments.js');
      await withRuntime(async ({ config, db }) => {
        const tz = config.PLAN_TIME_ZONE;
        const today = localDate(clock(), tz);
        const planned = opts.notApplied ? [] : await listPlannedSwitches(db.pool, limit);
        const notApplied = opts.planned ? [] : await listSwitchesNotApplied(db.pool, limit);
        const rows: SwitchJson[] = [
          ...planned.map((p): SwitchJson => ({
            status: p.assigned_date <= today ? 'due' : 'planned', cin: p.cin.trim(), lob: p.lob, provider: p.from_provider, to: p.provider_code, day: p.assigned_date,
            row: p.row_number, file: p.file_name, timeZone: tz, loadedAt: localIso(p.loaded_at, tz), reason: null, checkedAt: null,
          })),
          ...notApplied.map((k): SwitchJson => ({
            status: 'not-applied', cin: k.cin.trim(), lob: k.lob, provider: k.from_provider, to: k.to_provider, day: k.assigned_date,
            row: k.row_number, file: k.file_name, timeZone: tz, loadedAt: localIso(k.loaded_at, tz), reason: k.reason, checkedAt: localIso(k.checked_at, tz),
          })),
        ];
        emit(opts, rows, () =>
          rows.length === 0
            ? opts.notApplied ? 'no planned switch was left unapplied' : opts.planned ? 'no switch planned' : 'no switch planned, none left unapplied'
            : `planned ECM switches (soonest first), then those not applied (latest first); times in ${tz}\n\n` +
              table(
                ['status', 'cin', 'lob', 'with', 'to', 'from day', 'row', 'file', `loaded (${tz})`, 'reason'],
                rows.map((x) => [x.status, x.cin, x.lob, x.provider ?? '', x.to, x.day, x.row, x.file ?? '', localText(new Date(x.loadedAt), tz), x.reason ?? '']),
              ),
        );
      });
    });
}

import type { Command } from 'commander';
import { answerWindow, deadlinePolicyFromConfig, localDate, periodForReceipt } from '../../calendar/index.js';
import { emit, table } from '../output.js';
import { withRuntime } from '../lazy-runtime.js';
import { commandClock, nowOption } from '../clock-option.js';
import { periodOption } from '../values.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('per provider and file type: what was sent, what came back, verdicts, outcomes, what is missing')
    .option('--period <YYYY-MM>', 'reporting period (default: the period files received today answer)')
    .option('--all', 'list inactive providers too (marked; never counted as expected, missing or refused)')
    .addOption(nowOption('"today": the default --period and asOf'))
    .option('--json', 'print one JSON document')
    .addHelpText('after', `
An inactive provider (providers.active false in the providers extract) is not expected to
exchange files: it is left out, as the month board and the missing-file digest leave it out,
and a line says how many were; --all lists its rows, marked "(inactive)" ("active": false).

Examples:
  calaim-exchange status --period 2026-11
  calaim-exchange status --period 2026-11 --all
  calaim-exchange status --period 2026-11 --json
  calaim-exchange status --now 2026-12-06T08:00:00-08:00`)
    .action(async (opts: { period?: string; now?: string; all?: boolean; json?: boolean }) => {
      const asked = opts.period === undefined ? undefined : periodOption(opts.period, '--period');
      const clock = commandClock(opts);
      const { periodStatus } = await import('../../repositories/status.js');
      const { EXPECTED_TYPES } = await import('../../reports/missing.js');
      await withRuntime(async ({ config, db }) => {
        const now = clock();
        const period = asked ?? periodForReceipt(now, config.PLAN_TIME_ZONE).period;
        const window = answerWindow(deadlinePolicyFromConfig(config), period, config.PLAN_TIME_ZONE);
        const all = (await periodStatus(db.pool, `${period}-01`, EXPECTED_TYPES, window)).map((x) => ({
          ...x,
          lastReceived: x.lastReceived ? x.lastReceived.toISOString() : null,
          // owed and nothing received at all; a rejected or declined file was received (see
          // state); a type no line owes (NOT_OWED: no members sent) is not missing
          missing: x.state === 'MISSING',
        }));
        // [POLICY] an inactive provider is not expected to exchange files: left out as the board
        // and the digest leave it out (--all lists it), and never in the counts
        const rows = opts.all ? all : all.filter((x) => x.active);
        const inactiveHidden = opts.all ? 0 : new Set(all.filter((x) => !x.active).map((x) => x.provider)).size;
        const counted = rows.filter((x) => x.active);
        const missing = counted.filter((x) => x.missing);
        const accepted = counted.filter((x) => x.state === 'ACCEPTED');
        const refused = counted.filter((x) => x.state === 'REJECTED' || x.state === 'DECLINED');
        const notOwed = counted.filter((x) => x.state === 'NOT_OWED');
        emit(opts, { period, asOf: localDate(now, config.PLAN_TIME_ZONE), rows, missing: missing.length, refused: refused.length, notOwed: notOwed.length, inactiveHidden }, () =>
          `period ${period}: ${accepted.length} of ${counted.length - notOwed.length} expected file(s) received and accepted, ${refused.length} received but rejected or declined, ${missing.length} missing` +
          (notOwed.length ? `; ${notOwed.length} not owed (no members of the line sent for the period)` : '') + '\n' +
          (inactiveHidden ? `${inactiveHidden} inactive provider${inactiveHidden === 1 ? '' : 's'} not shown (--all lists ${inactiveHidden === 1 ? 'it' : 'them'})\n` : '') + '\n' +
          table(['provider', 'program', 'file', 'last slot sent', 'subs', 'verdict', 'outcome', 'read', 'accepted', 'rejected', 'files refused', 'state'],
            rows.map((x) => [x.active ? x.provider : `${x.provider} (inactive)`, x.program, x.fileType, x.lastSent ?? '', x.submissions, x.verdict ?? '', x.outcome ?? '', x.rowsRead ?? '', x.rowsAccepted ?? '', x.rowsRejected ?? '',
              x.rejectedFiles + x.declinedFiles ? `${x.rejectedFiles} rejected, ${x.declinedFiles} declined` : '', x.state])),
        );
      });
    });
}

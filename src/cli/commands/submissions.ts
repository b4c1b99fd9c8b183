// `calaim-exchange submissions` and `submission show ID`: every received file as ops look it
// up, rejected and declined ones included, without opening the response workbook.
import type { Command } from 'commander';
import { INBOUND_LAYOUTS } from '../../../schemas/index.js';
import { spellInstant } from '../../calendar/index.js';
import { VERDICTS } from '../../calendar/verdict.js';
import { OUTCOMES } from '../../validate/outcome.js';
import type { SubmissionDetail, SubmissionSummary } from '../../repositories/submissions.js';
import { emit, printable, table, UsageError } from '../output.js';
import { withRuntime } from '../lazy-runtime.js';
import { countOption, periodOption, providerOption, recordIdArgument } from '../values.js';

interface ListOpts { provider?: string; period?: string; type?: string; outcome?: string; verdict?: string; limit?: string; json?: boolean }

// the flags' choices come from the declarations, never a copy of them
const TYPES = INBOUND_LAYOUTS.map((l) => l.name);

function oneOf(flag: string, value: string | undefined, allowed: readonly string[]): string | undefined {
  if (value === undefined) return undefined;
  const v = value.toUpperCase();
  if (!allowed.includes(v)) throw new UsageError(`${flag} takes one of ${allowed.join(', ')}`);
  return v;
}

const json = (s: SubmissionSummary) => ({ ...s, receivedAt: s.receivedAt.toISOString() });

export function registerSubmissions(program: Command): void {
  program
    .command('submissions')
    .description('received files, newest first: verdict, outcome, counts (rejected and declined included)')
    .option('--provider <CODE>', 'only this provider')
    .option('--period <YYYY-MM>', 'only this reporting period')
    .option('--type <TYPE>', `only files with this file type (${TYPES.join(', ')})`)
    .option('--outcome <OUTCOME>', `only this outcome (${OUTCOMES.join(', ')})`)
    .option('--verdict <VERDICT>', `only this deadline verdict (${VERDICTS.join(', ')})`)
    .option('--limit <N>', 'how many', '50')
    .option('--json', 'print one JSON array')
    .addHelpText('after', `
Examples:
  calaim-exchange submissions --outcome rejected
  calaim-exchange submissions --provider ACMEHLTH --period 2026-11 --json`)
    .action(async (opts: ListOpts) => {
      const limit = countOption(opts.limit ?? '50', '--limit');
      const period = opts.period === undefined ? undefined : periodOption(opts.period, '--period');
      const filter = {
        provider: opts.provider === undefined ? undefined : providerOption(opts.provider),
        period: period ? `${period}-01` : undefined,
        type: oneOf('--type', opts.type, TYPES),
        outcome: oneOf('--outcome', opts.outcome, OUTCOMES),
        verdict: oneOf('--verdict', opts.verdict, VERDICTS),
        limit,
      };
      const { listSubmissions } = await import('../../repositories/submissions.js');
      await withRuntime(async ({ config, db }) => {
        // a code that is not one (mistyped, lower case) is a mistake, never "no submissions
        // match": that reads as a provider that sent nothing
        if (filter.provider !== undefined) {
          const { providerStanding } = await import('../../repositories/providers.js');
          if (!(await providerStanding(db.pool, filter.provider)))
            throw new UsageError(`unknown provider ${filter.provider}: no such provider code (see the providers extract)`);
        }
        const rows = await listSubmissions(db.pool, filter);
        emit(opts, rows.map(json), () =>
          rows.length === 0
            ? 'no submissions match'
            : table(
                ['id', 'provider', 'received', 'period', 'types', 'verdict', 'outcome', 'read', 'accepted', 'rejected', 'file'],
                rows.map((s) => [
                  s.id, s.provider, spellInstant(s.receivedAt, config.PLAN_TIME_ZONE), s.period ?? '', s.types.join('+'),
                  s.duplicateOf ? `DUPLICATE of ${s.duplicateOf}` : (s.verdict ?? ''), s.outcome ?? '', s.rowsRead, s.rowsAccepted, s.rowsRejected, s.file,
                ]),
              ),
        );
      });
    });

  program
    .command('submission')
    .description('one submission in full')
    .command('show <ID>')
    .description('a submission: file, receipt, verdict, outcome, counts, what it superseded, its issues, its response')
    .option('--json', 'print one JSON document')
    .addHelpText('after', `
Examples:
  calaim-exchange submission show 1
  calaim-exchange submission show 1 --json`)
    .action(async (idArg: string, opts: { json?: boolean }) => {
      const id = recordIdArgument(idArg);
      const { findSubmission } = await import('../../repositories/submissions.js');
      await withRuntime(async ({ config, db }) => {
        const s = await findSubmission(db.pool, id);
        if (!s) throw new UsageError(`no submission ${id}`);
        const tz = config.PLAN_TIME_ZONE;
        const u = s.responseUndelivered;
        // (the file name, sheet names and messages quoting cells are the provider's: printable(), in the tables too)
        emit(opts, { ...json(s), serverMtime: s.serverMtime?.toISOString() ?? null }, () => [
          `submission ${s.id}: ${printable(s.file)} from ${s.provider}`,
          `received ${spellInstant(s.receivedAt, tz)} (${s.source}), ${s.size} bytes${s.sha256 ? `, sha256 ${s.sha256}` : ''}`,
          `period ${s.period ?? '(none)'}   verdict ${s.verdict ?? '(none)'}   outcome ${s.outcome ?? '(none)'}   state ${s.state}`,
          `rows ${s.rowsRead} read, ${s.rowsAccepted} accepted, ${s.rowsRejected} rejected, ${s.warnings} warning(s)`,
          s.duplicateOf ? `a duplicate of submission ${s.duplicateOf} (same bytes): not applied` : '',
          s.duplicates.length ? `sent again as: ${s.duplicates.join(', ')}` : '',
          s.reprocessOf ? `reprocessed from submission ${s.reprocessOf}: ${printable(s.reprocessReason ?? '')}` : '',
          s.reprocessedBy ? `answered again by submission ${s.reprocessedBy} (reprocessed): its response replaces this one` : '',
          `response: ${s.response === null ? '(none yet)' : printable(s.response)}${s.responsePublishedAt ? ` (in the provider's downloads/ since ${spellInstant(s.responsePublishedAt, tz)})` : ''}`,
          u ? `  not yet delivered: publishing to the provider's downloads/ failed at ${u.failures} polls in a row (${spellInstant(u.firstFailedAt, tz)} to ${spellInstant(u.lastFailedAt, tz)}); `
            + `the next poll tries again; ${u.opsAlertedAt ? `ops emailed ${spellInstant(u.opsAlertedAt, tz)}` : 'ops not emailed yet'}` : '',
          u ? `  last error: ${printable(u.lastError)}` : '',
          s.upload ? `upload: ${uploadLine(s.upload, tz)}` : '',
          ...s.emails.map((e) => `email ${e.id} to ${printable(e.to.join(', '))}: ${e.status}${e.sentAt ? ` ${spellInstant(e.sentAt, tz)}` : ''}`),
          '',
          s.sheets.length
            ? table(['sheet', 'type', 'period', 'applied', 'read', 'accepted', 'rejected', 'replaced', 'replaced by'],
              s.sheets.map((x) => [x.name, x.layout, x.period ?? '', x.applied ? 'yes' : 'no', x.rowsRead, x.rowsAccepted, x.rowsRejected, x.supersedes ?? '', x.supersededBy ?? '']))
            : 'no sheet was read',
          '',
          ...s.fileIssues.map((i) => `file ${i.severity}: ${i.code}: ${printable(i.message)}`),
          s.issues.length
            ? table(['code', 'severity', 'rows', 'first rows', 'first message'], s.issues.map((i) => [i.code, i.severity, i.count, i.rows.join(','), i.message]))
            : 'no row issues',
        ].filter((l, i, all) => l !== '' || all[i - 1] !== '').join('\n'));
      });
    });
}

/** Where a poll's upload went, for `submission show`. */
function uploadLine(u: NonNullable<SubmissionDetail['upload']>, tz: string): string {
  const at = u.movedAt ? ` (${spellInstant(u.movedAt, tz)})` : '';
  switch (u.disposition) {
    case null: return 'not moved yet: the next poll moves it';
    case 'gone': return `gone from uploads/ before it could be moved${at}`;
    case 'quarantined':
      return `QUARANTINED in uploads/${at}: the server refused the move (${printable(u.quarantineReason ?? '')}); it is not taken again while unchanged: move or remove it by hand`;
    default: return `moved to ${printable(u.movedTo ?? '')}${at}`;
  }
}

import path from 'node:path';
import type { Command } from 'commander';
import { UPSTREAM, UPSTREAM_KINDS, type UpstreamKind } from '../../../schemas/upstream.js';
import { emit, table, UsageError } from '../output.js';
import { withRuntime } from '../lazy-runtime.js';
import { commandClock, nowOption } from '../clock-option.js';
import { inputFileArgument } from '../values.js';

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('load an upstream extract (CSV, or the same columns in an xlsx): rows validated, good rows upserted in one transaction')
    .argument('<kind>', `one of ${UPSTREAM_KINDS.join(', ')}`)
    .argument('<file>', 'the extract file (.csv or .xlsx)')
    .addOption(nowOption('the import time (compared with provider RTF receipt times)'))
    .option('--json', 'print one JSON document')
    .addHelpText('after', `
Columns of each kind (header names exactly, as in the sample extracts samples/plan/<kind>.csv;
declared in schemas/upstream.ts, described in samples/README.md):
${UPSTREAM_KINDS.map((k) => `  ${k.padEnd(18)} ${[...UPSTREAM[k].columns, ...UPSTREAM[k].optionalColumns.map((c: string) => `[${c}]`)].join(', ')}`).join('\n')}
[column]: optional; an extract without it is read as before, and what is on file stays. A
last day (contract_end: the contract's in force; eligibility_end: the member's eligible with
the plan) is YYYY-MM-DD or MM/DD/YYYY; a blank one is none (open-ended) and re-opens an ended
one. pcp_name and pcp_npi are the member's primary care physician (name, at most 100
characters; NPI, 10 digits with its check digit), written on the MIF and mini-MIF; a blank one
clears it, a bad NPI rejects the row.

Exit 0 when the file was processed (even with rejected rows, which are listed), 1 when it
could not be read, 2 on a usage error (an unknown kind, no such file, a folder). Import providers first: the other extracts name provider codes.

referrals: a referral for a member with an open ECM assignment with another provider is not
applied; it is listed under "conflicts" and the liaisons are emailed (row numbers, provider
codes). ecm-assignments: the extract says who is assigned; status with enrollment dates, acuity,
care manager and POF each follow the newer side, the extract's value (since it first said it) or
the provider's RTF, and a blank in the extract never replaces what the provider reported;
differences are listed under "disagreements" (fieldsKept: the side kept per field). A row
still naming the provider a newer referral's episode replaced changes nothing; it is listed under
"olderThanReferral". A row putting a member in a line (new, another provider, or back) ends the
member's open assignment in another line the file does not list, from its assigned date
(LOB_SWITCH=end-other-lines); listed under "lineSwitches", the old line's liaison emailed.

Examples:
  calaim-exchange import providers samples/plan/providers.csv
  calaim-exchange import members samples/plan/members.csv
  calaim-exchange import ecm-assignments samples/plan/ecm-assignments.csv --json`)
    .action(async (kind: string, file: string, opts: { json?: boolean; now?: string }) => {
      if (!UPSTREAM_KINDS.includes(kind as UpstreamKind)) throw new UsageError(`unknown kind "${kind}": use one of ${UPSTREAM_KINDS.join(', ')}`);
      const clock = commandClock(opts);
      inputFileArgument(file, 'import takes one extract', 'a folder');
      const { importUpstream, ImportFileError } = await import('../../import/upstream.js');
      await withRuntime(async ({ db, config }) => {
        try {
          const s = await importUpstream(db.pool, kind as UpstreamKind, path.resolve(file), { config, now: clock() });
          emit(opts, { ...s, file }, () => {
            const head = `${kind}: ${s.rowsRead} row(s) read, ${s.rowsImported} imported, ${s.rowsRejected} rejected` +
              (s.conflicts.length ? `, ${s.conflicts.length} conflict(s)` : '') + (s.disagreements.length ? `, ${s.disagreements.length} disagreement(s)` : '') +
              (s.olderThanReferral.length ? `, ${s.olderThanReferral.length} row(s) older than a referral` : '') +
              (s.lineSwitches.length ? `, ${s.lineSwitches.length} assignment(s) in another line ended` : '');
            const extra = (s.ignoredColumns.length ? `\nignored column(s): ${s.ignoredColumns.join(', ')}` : '') +
              s.warnings.map((x) => `\nwarning: ${x.message}`).join('');
            const parts = [head + extra];
            if (s.rejects.length) {
              const shown = s.rejects.slice(0, 50);
              parts.push(table(['row', 'column', 'reason'], shown.map((r) => [r.row, r.column ?? '', r.message])) +
                (s.rejects.length > shown.length ? `\n… and ${s.rejects.length - shown.length} more (use --json for all)` : ''));
            }
            if (s.conflicts.length)
              parts.push('referrals not applied (the member is with another provider; liaisons alerted):\n' +
                table(['row', 'referral', 'cin', 'lob', 'with', 'referred to'], s.conflicts.map((k) => [k.row, k.referralId, k.cin, k.lob, k.currentProvider, k.referredProvider])));
            if (s.disagreements.length) {
              const shown = s.disagreements.slice(0, 50);
              parts.push('extract and provider RTF disagree (kept: the newer side):\n' +
                table(['row', 'cin', 'lob', 'provider', 'kept', 'field: extract / provider (kept)'], shown.map((d) => [
                  d.row, d.cin, d.lob, d.provider, d.kept, d.fields.map((f) => `${f.field}: ${f.extract ?? '-'} / ${f.provider ?? '-'} (${d.fieldsKept[f.field] ?? d.kept})`).join('; '),
                ])) + (s.disagreements.length > shown.length ? `\n… and ${s.disagreements.length - shown.length} more (use --json for all)` : ''));
            }
            if (s.olderThanReferral.length) {
              const shown = s.olderThanReferral.slice(0, 50);
              parts.push('extract rows older than a referral (nothing applied: the member stays with the referred provider):\n' +
                table(['row', 'cin', 'lob', 'extract names', 'assigned to', 'episode since'], shown.map((o) => [o.row, o.cin, o.lob, o.extractProvider, o.provider, o.episodeStartedAt])) +
                (s.olderThanReferral.length > shown.length ? `\n… and ${s.olderThanReferral.length - shown.length} more (use --json for all)` : ''));
            }
            if (s.lineSwitches.length) {
              const shown = s.lineSwitches.slice(0, 50);
              parts.push('assignments ended in the line the member left (LOB_SWITCH; the old line\'s liaison alerted):\n' +
                table(['row', 'cin', 'left', 'provider', 'last day', 'joined'], shown.map((k) => [k.row, k.cin, k.lineLeft, k.provider, k.lastDay, k.lineJoined])) +
                (s.lineSwitches.length > shown.length ? `\n… and ${s.lineSwitches.length - shown.length} more (use --json for all)` : ''));
            }
            return parts.join('\n\n');
          });
        } catch (err) {
          if (!(err instanceof ImportFileError)) throw err;
          emit(opts, { kind, file, error: err.message }, () => `import failed: ${err.message}`);
          process.exitCode = 1;
        }
      });
    });
}

// `reprocess ID --reason` and `republish KIND --provider --date --reason`: ops putting right
// what the plan got wrong, each as a new attempt in the run history with the reason given,
// never overwriting the earlier answer or file.
import type { Command } from 'commander';
import type { OutboundKind } from '../../generate/run.js';
import { MAX_REASON, normaliseReason } from '../../runs/reason.js';
import { localDate } from '../../calendar/index.js';
import { emit, printable, table, UsageError } from '../output.js';
import { unlessBusy } from '../run-busy.js';
import { withRuntime } from '../lazy-runtime.js';
import { commandClock, nowOption } from '../clock-option.js';
import { testHooks } from '../test-hooks.js';
import { dateOption, providerOption, recordIdArgument } from '../values.js';

const KINDS: OutboundKind[] = ['mif', 'mini-mif', 'csasf'];
/** A reason people can read later in the run history: required, one line, bounded. */
export function parseReason(value: string | undefined): string {
  const r = normaliseReason(value);
  if (!r) throw new UsageError('--reason is required: say why (it is kept in the run history)');
  if (r.length > MAX_REASON) throw new UsageError(`--reason is at most ${MAX_REASON} characters`);
  return r;
}

export function registerReprocess(program: Command): void {
  program
    .command('reprocess')
    .description("read a stored file again under today's rules and records; its new response goes to the provider's downloads/")
    .argument('<ID>', 'the submission to answer again (see `calaim-exchange submissions`)')
    .requiredOption('--reason <TEXT>', 'why (kept in the run history and on the submission)')
    .addOption(nowOption("the new response's time and emails"))
    .option('--json', 'print one JSON document')
    .addHelpText('after', `
The stored bytes are read again with the original receipt time (same period and deadline
verdict) as a new submission linked to the old one; what the old one applied is replaced, not
added to. The response goes to the provider's downloads/ folder, the liaison and the provider's
contact are emailed, and the attempt is in \`runs --job reprocess\`. Refused (exit 2, nothing
recorded) for a copy (reprocess its original), a declined file, a file replaced by a later one,
one already reprocessed (reprocess the newer one) or one whose bytes were purged. A reprocess
stopped after its commit is answered by the next poll (or by this command run again first).

Examples:
  calaim-exchange reprocess 1 --reason "ACMEHLTH's CalViva contract loaded late"
  calaim-exchange reprocess 2 --reason "referral status codes widened" --json`)
    .action(async (idArg: string, opts: { reason?: string; now?: string; json?: boolean }) => {
      const id = recordIdArgument(idArg);
      const reason = parseReason(opts.reason);
      const clock = commandClock(opts);
      const { checkReprocess, ReprocessRefused } = await import('../../ingest/reprocess.js');
      const { reprocessAsRun } = await import('../../runs/manual.js');
      const { openTransport } = await import('../../sftp/transport.js');
      const { providerSftpFolders } = await import('../../repositories/providers.js');
      await withRuntime(async ({ config, db }) => {
        let candidate;
        try {
          // refused before anything is opened or recorded: a mistaken ID leaves no trace
          candidate = await checkReprocess(db.pool, id);
        } catch (err) {
          if (err instanceof ReprocessRefused) throw new UsageError(err.message);
          throw err;
        }
        const transport = await openTransport(config, () => providerSftpFolders(db.pool));
        try {
          const ran = await unlessBusy(opts, { reprocessOf: id }, () =>
            reprocessAsRun({ pool: db.pool, config, openSession: transport.openSession, now: clock, faults: testHooks().faults }, candidate, reason));
          if (!ran) return;
          const { result: r, runId } = ran;
          const doc = { ...r.done.document, reprocessOf: id, report: r.answered.response, runId, resumed: r.resumed, reason };
          emit(opts, doc, () => [
            `submission ${id} reprocessed as submission ${doc.submissionId}${r.resumed ? ' (an interrupted reprocess, finished)' : ''}: ${doc.outcome}${doc.verdict ? ` (${doc.verdict})` : ''}`,
            `rows read ${doc.rowsRead}, accepted ${doc.rowsAccepted}, rejected ${doc.rowsRejected}, warnings ${doc.warnings}`,
            ...doc.fileErrors.map((e) => `file error ${e.code}: ${printable(e.message)}`),
            ...(doc.supersedes ?? []).map((s) => `replaces ${printable(s.file)} (submission ${s.submissionId}, sheet ${printable(s.sheet)}): its rows no longer count`),
            `response: ${printable(r.answered.response)}`,
            `run ${runId} (runs --job reprocess)`,
          ].join('\n'));
        } finally {
          await transport.close();
        }
      });
    });

  program
    .command('republish')
    .description("publish a new version of one provider's MIF, mini-MIF or CSASF for a slot, next to the old one")
    .argument('<kind>', 'mif | mini-mif | csasf')
    .requiredOption('--provider <ID>', 'the provider code')
    .requiredOption('--date <YYYY-MM-DD>', 'a day of the slot (as for generate)')
    .requiredOption('--reason <TEXT>', 'why (kept in the run history and on the file record)')
    .addOption(nowOption("the new version's publish time; its plan-local date is the file's production date"))
    .option('--json', 'print one JSON document')
    .addHelpText('after', `
The file is built again from today's records and published under a new name (…_2.xlsx, …_3…):
the file already in the provider's downloads/ is never overwritten. Its production date is the
day it is produced (plan-local); the date in its name and its reporting period stay the slot's.
The new version replaces the old one in the records (what the provider was last sent); the old
stays listed. The attempt is in \`runs --job republish\`. Refused (exit 2, nothing recorded)
when nothing was published to that provider for the slot (use generate), or when the slot is
after today (by --now when given).

Examples:
  calaim-exchange republish mif --provider ACMEHLTH --date 2026-11-15 --reason "assignments re-imported"
  calaim-exchange republish mif --provider ACMEHLTH --date 2026-11-20 --reason "a member was left out" --json`)
    .action(async (kind: string, opts: { provider: string; date: string; reason?: string; now?: string; json?: boolean }) => {
      if (!KINDS.includes(kind as OutboundKind)) throw new UsageError(`unknown kind "${kind}": use mif, mini-mif or csasf`);
      const clock = commandClock(opts);
      dateOption(opts.date, '--date');
      const reason = parseReason(opts.reason);
      const provider = providerOption(opts.provider).toUpperCase();
      const k = kind as OutboundKind;
      const { checkRepublish, republishAhead, slotFor, RepublishRefused } = await import('../../generate/run.js');
      const { getConfig } = await import('../../config.js');
      const today = localDate(clock(), getConfig().PLAN_TIME_ZONE);
      const slot = slotFor(k, opts.date, getConfig());
      // a slot after today: refused before the database is opened (checkRepublish says the same)
      const ahead = republishAhead(k, slot, today);
      if (ahead) throw new UsageError(ahead);
      const { republishAsRun } = await import('../../runs/manual.js');
      const { openTransport } = await import('../../sftp/transport.js');
      const { providerSftpFolders } = await import('../../repositories/providers.js');
      await withRuntime(async ({ config, db }) => {
        // a code that is no provider's is a typo, never "nothing was published to it: use generate"
        const { providerStanding } = await import('../../repositories/providers.js');
        if (!(await providerStanding(db.pool, provider))) throw new UsageError(`unknown provider ${provider}: no such provider code (see the providers extract)`);
        try {
          // refused before anything is opened or claimed: a mistaken request leaves no trace
          await checkRepublish(db.pool, k, slot, provider, today);
        } catch (err) {
          if (err instanceof RepublishRefused) throw new UsageError(err.message);
          throw err;
        }
        const transport = await openTransport(config, () => providerSftpFolders(db.pool));
        try {
          const ran = await unlessBusy(opts, { kind, provider, slot }, () =>
            republishAsRun({ pool: db.pool, config, openSession: transport.openSession, now: clock }, k, { slot, date: opts.date, provider, reason }));
          if (!ran) return;
          const { result: r } = ran;
          if (r.failed) process.exitCode = 1;
          emit(opts, { ...r, reason }, () =>
            `${kind} slot ${r.slot} for ${provider} republished: ${r.published} published, ${r.empty} with no rows, ${r.failed} failed\n\n` +
            table(['provider', 'lob', 'status', 'rows', 'file', 'replaces', 'note'],
              r.units.map((u) => [u.provider, u.lob ?? '', u.status, u.rows, u.file ?? '', u.replaces ?? '', u.error ?? ''])));
        } finally {
          await transport.close();
        }
      });
    });
}

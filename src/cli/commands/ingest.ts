import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type pg from 'pg';
import { emit, printable, table, UsageError } from '../output.js';
import { withRuntime } from '../lazy-runtime.js';
import { commandClock, instantOption, nowOption } from '../clock-option.js';
import { testHooks } from '../test-hooks.js';
import { inputFileArgument, outFolderOption, providerOption } from '../values.js';
import type { PollFileResult } from '../../ingest/poll.js';

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('process a local file as if the provider had uploaded it at that time; writes the response')
    .argument('<file>', 'an RTF / OTF / CSPRTF workbook (.xlsx or .xlsm)')
    .requiredOption('--provider <ID>', 'the provider code the file comes from')
    .option('--received-at <ISO>', 'receipt time (default: --now, or now); decides the period and the deadline verdict')
    .addOption(nowOption("the default --received-at; the response's time"))
    .option('--out <DIR>', 'folder for the response workbook (default DATA_DIR/responses/<provider>)')
    .option('--json', 'print one JSON document')
    .addHelpText('after', `
Exit 0 when the file was processed (whatever its outcome), 1 when it could not be. How the
receipt time decides the period and the verdict: README "Deadlines and receipt time, in plain
words"; what the response says: README "Reading a response report".

Examples:
  calaim-exchange ingest samples/uploads/RTF_ACMEHLTH_202611.xlsx --provider ACMEHLTH --received-at 2026-12-02T09:12:00-08:00
  calaim-exchange ingest samples/uploads/CSPRTF_BAYRESPT_202611.xlsx --provider BAYRESPT --received-at 2026-12-04T16:00:00-08:00 --json`)
    .action(async (file: string, opts: { provider: string; receivedAt?: string; now?: string; out?: string; json?: boolean }) => {
      const clock = commandClock(opts);
      const provider = providerOption(opts.provider).toUpperCase();
      const receivedAt = opts.receivedAt !== undefined ? instantOption(opts.receivedAt, '--received-at') : clock();
      // checked before the file is taken in: a response that cannot be written would leave it recorded but unanswered
      const outDir = opts.out === undefined ? undefined : outFolderOption(opts.out, '--out');
      inputFileArgument(file, 'ingest takes one workbook', 'a directory');
      const bytes = await fs.promises.readFile(file);
      const { ingestFile } = await import('../../ingest/pipeline.js');
      const { respondLocally } = await import('../../ingest/respond.js');
      const { UnknownProviderError } = await import('../../ingest/context.js');
      await withRuntime(async ({ config, db }) => {
        try {
          const { faults } = testHooks();
          const done = await ingestFile({ pool: db.pool, config, now: clock, faults }, {
            provider, originalName: path.basename(file), bytes, receivedAt, serverMtime: receivedAt, firstSeenAt: receivedAt, source: 'cli',
          });
          const out = outDir ?? path.resolve(config.dataDir, 'responses', done.context.code);
          const report = await respondLocally({ pool: db.pool, config, faults }, done, out, clock());
          const doc = { ...done.document, report };
          emit(opts, doc, () => [
            `${printable(doc.file)}: ${doc.outcome}${doc.verdict ? ` (${doc.verdict})` : ''}${doc.period ? `, period ${doc.period}` : ''}${done.resumed ? ' [resumed: already applied]' : ''}`,
            `rows read ${doc.rowsRead}, accepted ${doc.rowsAccepted}, rejected ${doc.rowsRejected}, warnings ${doc.warnings}`,
            ...doc.fileErrors.map((e) => `file error ${e.code}: ${printable(e.message)}`),
            ...(doc.diff ? [`compared with the file it replaces: ${doc.diff.fixed} fixed, ${doc.diff.stillFailing} still failing, ${doc.diff.new} new`] : []),
            `response: ${printable(report)}`,
          ].join('\n'));
        } catch (err) {
          if (err instanceof UnknownProviderError) throw new UsageError(err.message);
          throw err;
        }
      });
    });

  program
    .command('poll')
    .description("list every provider's uploads/ folder once and process every ready file")
    .addOption(nowOption('the listing time (stability, receipt-time clamp, deadlines) and the answers'))
    .option('--provider <ID>', 'only this provider')
    .option('--json', 'print one JSON document')
    .addHelpText('after', `
A file is taken when its size and mtime held across two listings SFTP_STABLE_SECONDS apart, so
a file seen for the first time is processed on the next poll. Exit 1 when any provider or
file failed (the others are processed; failed files stay for the next poll).

Examples:
  calaim-exchange poll
  calaim-exchange poll --provider ACMEHLTH --json`)
    .action(async (opts: { now?: string; provider?: string; json?: boolean }) => {
      const clock = commandClock(opts);
      const { openTransport } = await import('../../sftp/transport.js');
      const { providerSftpFolders } = await import('../../repositories/providers.js');
      const { executeRun } = await import('../../runs/execute.js');
      const { manualPollSlot } = await import('../../runs/coordinator.js');
      const { pollOnce } = await import('../../ingest/poll.js');
      const provider = opts.provider === undefined ? undefined : providerOption(opts.provider).toUpperCase();
      await withRuntime(async ({ config, db }) => {
        // a typo is refused before the sFTP server is opened or a poll recorded
        if (provider !== undefined) await checkPollable(db.pool, provider);
        const transport = await openTransport(config, () => providerSftpFolders(db.pool));
        try {
          // one instant for the whole pass, as the scheduler's poll job has it
          const at = clock();
          const slot = manualPollSlot(at, config.PLAN_TIME_ZONE);
          let result: Awaited<ReturnType<typeof pollOnce>> | undefined;
          await executeRun(db.pool, config, 'poll', slot, { trigger: 'manual', waitMs: 60_000 }, async ({ signal }) => {
            result = await pollOnce({ pool: db.pool, config, openSession: transport.openSession, faults: testHooks().faults }, { now: at, signal, provider });
            return { providers: result.providers, files: result.files, failedProviders: result.failedProviders, failedFiles: result.failedFiles };
          });
          const r = result!;
          if (r.failedProviders || r.failedFiles) process.exitCode = 1;
          /** A response not published (RESPONSE_UNDELIVERED_ALERT_AFTER): after how many polls, whether ops were told. */
          const undelivered = (x: PollFileResult) =>
            x.responseUndelivered ? ` (response not delivered at ${x.responseUndelivered.failures} poll(s) in a row; ops ${x.responseUndelivered.opsAlerted ? 'emailed' : 'not emailed yet'})` : '';
          // (file names and errors are the provider's or the server's: shown by printable(), in the table too)
          emit(opts, r, () => {
            if (r.skipped) return `poll skipped: ${printable(r.skipped)}`;
            const head = `polled ${r.providers} provider folder(s): ${r.files} file(s) taken, ${r.failedFiles} failed, ${r.failedProviders} folder(s) unreachable`;
            const files = r.results.length
              ? '\n\n' + table(['provider', 'file', 'outcome', 'verdict', 'read', 'accepted', 'rejected', 'note'],
                r.results.map((x) => [x.provider, x.file, x.outcome ?? 'FAILED', x.verdict ?? '', x.rowsRead ?? '', x.rowsAccepted ?? '', x.rowsRejected ?? '', x.error ? x.error + undelivered(x) : (x.quarantined ? 'answered; cannot be moved: quarantined in uploads/' : '')]))
              : '';
            const recovered = r.recovered.length
              ? `\n\nfinished ${r.recovered.length} submission(s) an interrupted poll or reprocess had applied but not answered:\n` +
                r.recovered.map((x) => `  ${x.provider} submission ${x.submissionId}: ${x.error ? `error: ${printable(x.error)}${undelivered(x)}` : x.quarantined ? 'answered; the upload cannot be moved (quarantined in uploads/)' : 'answered'}`).join('\n')
              : '';
            const waiting = r.byProvider.filter((b) => b.waiting || b.error);
            return head + files + recovered + (waiting.length ? '\n\n' + waiting.map((b) => `${b.provider}: ${b.error ? `error: ${printable(b.error)}` : `${b.waiting} file(s) waiting to be stable`}`).join('\n') : '');
          });
        } finally {
          await transport.close();
        }
      });
    });
}

/** The provider of `poll --provider` exists and has a folder a poll reads (active, with a contract: pollableProviders). */
async function checkPollable(pool: pg.Pool, code: string): Promise<void> {
  const { providerStanding } = await import('../../repositories/providers.js');
  const p = await providerStanding(pool, code);
  if (!p) throw new UsageError(`unknown provider ${code}: no such provider code (see the providers extract)`);
  if (!p.active) throw new UsageError(`provider ${code} is not active: its uploads/ folder is not polled`);
  if (!p.programs.length) throw new UsageError(`provider ${code} has no contract: its uploads/ folder is not polled`);
}

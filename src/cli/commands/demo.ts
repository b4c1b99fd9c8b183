import path from 'node:path';
import type { Command } from 'commander';
import { log } from '../../log.js';
import { emit, UsageError } from '../output.js';
import { getConfig } from '../../config.js';
import type { DemoLive } from '../../demo/month.js';
import { checkDemoOut, DemoOutRefused } from '../../demo/out-folder.js';
import { nonEmpty } from '../values.js';
import { checkedListenOn, startWeb, type Listen } from './serve.js';

/** The web pages on the demo's data until SIGINT or SIGTERM: the URL and one login per role on stdout. */
async function serveDemo(live: DemoLive, listen: Listen): Promise<void> {
  const { createDemoUsers } = await import('../../demo/users.js');
  const logins = await createDemoUsers(live.pool, live.config, live.now());
  const server = await startWeb(live.config, live.pool, live.openSession, live.now, listen);
  let stop: (() => void) | undefined;
  const stopped = new Promise<void>((r) => (stop = r));
  const onSignal = () => stop?.();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stdout.write([
    '',
    `Web pages: ${server.url}/  (Ctrl-C stops them and the demo's servers)`,
    ...logins.map((l) => `  ${l.role.padEnd(8)} ${l.email.padEnd(32)} password ${l.password}   (${l.sees})`),
    '',
  ].join('\n'));
  try {
    await stopped;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await server.close();
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('zero set-up: embedded Postgres + in-process sFTP, the sample plan, one whole month played end to end')
    .option('--out <DIR>', 'where everything is left for you to open: a new or empty folder, or one an earlier demo left (emptied first; any other folder or a file is refused)', path.join('.data', 'demo'))
    .option('--serve', 'then serve the web pages on the demo\'s data (a login per role is printed) until Ctrl-C')
    .option('--port <N>', 'with --serve: port (default WEB_PORT, 8080; 0: any free port)')
    .option('--json', 'print one JSON document')
    .action(async (opts: { out: string; serve?: boolean; port?: string; json?: boolean }) => {
      // The demo's own narration is the output; logs only for warnings unless asked for.
      if (!process.env.LOG_LEVEL) log.level = 'warn';
      // (before the demo's first line: a usage error leaves stdout empty and nothing made)
      if (opts.port !== undefined && !opts.serve) throw new UsageError('--port is for --serve: the demo serves its web pages only with --serve');
      if (opts.serve && opts.json) throw new UsageError('--json is not for --serve: the demo prints its web address and logins as it serves, not one JSON document');
      const listen = opts.serve ? await checkedListenOn({ port: opts.port }, getConfig()) : undefined;
      nonEmpty(opts.out, '--out', 'a folder');
      try {
        checkDemoOut(opts.out);
      } catch (err) {
        if (err instanceof DemoOutRefused) throw new UsageError(`--out: ${err.message}`);
        throw err;
      }
      const t0 = performance.now(); // elapsed time only
      if (!opts.json) process.stdout.write(`calaim-exchange demo: one month of the CalAIM file exchange (output in ${opts.out})\n\n`);
      const { runDemo } = await import('../../demo/month.js');
      const result = await runDemo({
        out: opts.out,
        serve: listen ? (live) => serveDemo(live, listen) : undefined,
        onStep: opts.json ? undefined : (s) => {
          const secs = ((performance.now() - t0) / 1000).toFixed(1).padStart(5);
          process.stdout.write(`[${secs}s] ${s.when.padEnd(10)}  ${s.what}\n${s.detail.map((d) => `${' '.repeat(21)}${d}\n`).join('')}`);
        },
      });
      emit(opts, result, () => [
        '',
        `Done in ${result.seconds}s.`,
        '',
        'Where everything is:',
        `  published MIF / mini-MIF / CSASF  ${result.outputs.published}`,
        `  responses to providers            ${result.outputs.responses}`,
        `  taken uploads                     ${result.outputs.processedUploads}`,
        `  liaison and provider emails       ${result.outputs.outbox}  (.eml files)`,
        `  database                          ${result.outputs.database}`,
        `  look again                        ${result.outputs.reopen}`,
        `  in a browser                      ${result.outputs.web}`,
        '',
        'Totals:',
        ...Object.entries(result.counts).map(([k, v]) => `  ${k.padEnd(32)} ${v}`),
      ].join('\n'));
    });
}

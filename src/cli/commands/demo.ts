import path from 'node:path';
import type { Command } from 'commander';
import { log } from '../../log.js';
import { emit } from '../output.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('zero set-up: embedded Postgres + in-process sFTP, the sample plan, one whole month played end to end')
    .option('--out <DIR>', 'where everything is left for you to open (emptied first)', path.join('.data', 'demo'))
    .option('--json', 'print one JSON document')
    .action(async (opts: { out: string; json?: boolean }) => {
      // The demo's own narration is the output; logs only for warnings unless asked for.
      if (!process.env.LOG_LEVEL) log.level = 'warn';
      const t0 = performance.now(); // elapsed time only
      if (!opts.json) process.stdout.write(`calaim-exchange demo: one month of the CalAIM file exchange (output in ${opts.out})\n\n`);
      const { runDemo } = await import('../../demo/month.js');
      const result = await runDemo({
        out: opts.out,
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
        '',
        'Totals:',
        ...Object.entries(result.counts).map(([k, v]) => `  ${k.padEnd(32)} ${v}`),
      ].join('\n'));
    });
}

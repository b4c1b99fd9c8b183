import path from 'node:path';
import type { Command } from 'commander';
import { UPSTREAM, UPSTREAM_KINDS, type UpstreamKind } from '../../../schemas/upstream.js';
import { emit, table, UsageError } from '../output.js';
import { withRuntime } from '../lazy-runtime.js';

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('load an upstream extract (CSV, or the same columns in an xlsx): rows validated, good rows upserted in one transaction')
    .argument('<kind>', `one of ${UPSTREAM_KINDS.join(', ')}`)
    .argument('<file>', 'the extract file (.csv or .xlsx)')
    .option('--json', 'print one JSON document')
    .addHelpText('after', `
Columns of each kind (header names exactly, as in the sample extracts samples/plan/<kind>.csv;
declared in schemas/upstream.ts, described in samples/README.md):
${UPSTREAM_KINDS.map((k) => `  ${k.padEnd(18)} ${UPSTREAM[k].columns.join(', ')}`).join('\n')}

Exit 0 when the file was processed (even with rejected rows, which are listed), 1 when it
could not be read. Import providers first: the other extracts name provider codes.

Examples:
  calaim-exchange import providers samples/plan/providers.csv
  calaim-exchange import members samples/plan/members.csv
  calaim-exchange import ecm-assignments samples/plan/ecm-assignments.csv --json`)
    .action(async (kind: string, file: string, opts: { json?: boolean }) => {
      if (!UPSTREAM_KINDS.includes(kind as UpstreamKind)) throw new UsageError(`unknown kind "${kind}": use one of ${UPSTREAM_KINDS.join(', ')}`);
      const { importUpstream, ImportFileError } = await import('../../import/upstream.js');
      await withRuntime(async ({ db }) => {
        try {
          const s = await importUpstream(db.pool, kind as UpstreamKind, path.resolve(file));
          emit(opts, { ...s, file }, () => {
            const head = `${kind}: ${s.rowsRead} row(s) read, ${s.rowsImported} imported, ${s.rowsRejected} rejected`;
            const extra = s.ignoredColumns.length ? `\nignored column(s): ${s.ignoredColumns.join(', ')}` : '';
            if (!s.rejects.length) return head + extra;
            const shown = s.rejects.slice(0, 50);
            return `${head}${extra}\n\n${table(['row', 'column', 'reason'], shown.map((r) => [r.row, r.column ?? '', r.message]))}` +
              (s.rejects.length > shown.length ? `\n… and ${s.rejects.length - shown.length} more (use --json for all)` : '');
          });
        } catch (err) {
          if (!(err instanceof ImportFileError)) throw err;
          emit(opts, { kind, file, error: err.message }, () => `import failed: ${err.message}`);
          process.exitCode = 1;
        }
      });
    });
}

import type { Command } from 'commander';
import { migrate } from '../../db/migrate.js';
import { redactUrl } from '../../db/pool.js';
import { emit } from '../output.js';
import { withRuntime } from '../runtime.js';

export function registerDb(program: Command): void {
  const db = program.command('db').description('database administration');
  db.command('migrate')
    .description('apply pending SQL migrations')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      await withRuntime(async ({ db: database }) => {
        const { applied } = await migrate(database.pool);
        emit(opts, { applied, database: redactUrl(database.url) }, () =>
          applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date',
        );
      }, { migrate: false });
    });
}

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
    .addHelpText('after', `
The migrations are the SQL files of src/db/migrations, applied in order; every command that uses the
database applies pending ones itself before it starts.

Examples:
  calaim-exchange db migrate
  calaim-exchange db migrate --json`)
    .action(async (opts: { json?: boolean }) => {
      await withRuntime(async ({ db: database }) => {
        const { applied } = await migrate(database.pool);
        emit(opts, { applied, database: redactUrl(database.url) }, () =>
          applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date',
        );
      }, { migrate: false });
    });
}

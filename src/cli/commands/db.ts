import type { Command } from 'commander';
import { emit } from '../output.js';
import { withRuntime } from '../lazy-runtime.js';

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
      const { migrate } = await import('../../db/migrate.js');
      const { redactUrl } = await import('../../db/pool.js');
      await withRuntime(async ({ db: database }) => {
        const { applied } = await migrate(database.pool);
        emit(opts, { applied, database: redactUrl(database.url) }, () =>
          applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date',
        );
      }, { migrate: false });
    });
}

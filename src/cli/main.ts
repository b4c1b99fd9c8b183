// The `calaim-exchange` command line. Thin: parses, calls into the modules, prints.
import 'dotenv/config';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { EmbeddedPostgresError } from '../db/embedded.js';
import { log } from '../log.js';
import { EXIT, UsageError } from './output.js';
import { registerDb } from './commands/db.js';
import { registerDemo } from './commands/demo.js';
import { registerValidate } from './commands/validate.js';
import { registerImport } from './commands/import.js';
import { registerGenerate } from './commands/generate.js';
import { registerIngest } from './commands/ingest.js';
import { registerStatus } from './commands/status.js';
import { registerScheduler } from './commands/scheduler.js';
import { registerRuns } from './commands/runs.js';
import { registerSubmissions } from './commands/submissions.js';
import { registerNotifications } from './commands/notifications.js';

/** The version in package.json (`--version`). */
export function packageVersion(): string {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command('calaim-exchange')
    .description('Health plan side of the CalAIM ECM / Community Supports file exchange')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  registerDemo(program);
  registerDb(program);
  registerValidate(program);
  registerImport(program);
  registerGenerate(program);
  registerIngest(program);
  registerStatus(program);
  registerScheduler(program);
  registerRuns(program);
  registerSubmissions(program);
  registerNotifications(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.OK : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT.USAGE;
    }
    if (err instanceof ConfigError || err instanceof EmbeddedPostgresError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.FAILED;
    }
    log.error({ err: { message: (err as Error).message, stack: (err as Error).stack } }, 'command failed');
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return EXIT.FAILED;
  }
}

const code = await main(process.argv.slice(2));
process.exit(code);

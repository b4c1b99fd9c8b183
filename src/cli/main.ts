// The `calaim-exchange` command line. Thin: parses, calls into the modules, prints.
import 'dotenv/config';
import { CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { EmbeddedPostgresError } from '../db/embedded.js';
import { errorText, log } from '../log.js';
import { EXIT, UsageError } from './output.js';
import { buildProgram } from './program.js';

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
    // (a database error's stack begins with its message, which may quote a value: masked in both)
    const message = errorText(err);
    const stack = err instanceof Error ? err.stack?.replace(err.message, message) : undefined;
    log.error({ err: { message, stack } }, 'command failed');
    process.stderr.write(`error: ${message}\n`);
    return EXIT.FAILED;
  }
}

const code = await main(process.argv.slice(2));
process.exit(code);

// The `calaim-exchange` command line. Thin: parses, calls into the modules, prints.
import 'dotenv/config';
import { CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { EmbeddedPostgresError } from '../db/embedded.js';
import { log } from '../log.js';
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
    log.error({ err: { message: (err as Error).message, stack: (err as Error).stack } }, 'command failed');
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return EXIT.FAILED;
  }
}

const code = await main(process.argv.slice(2));
process.exit(code);

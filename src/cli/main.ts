// The `calaim-exchange` command line. Thin: parses, calls into the modules, prints.
import 'dotenv/config';
import { CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { EmbeddedPostgresError } from '../db/embedded.js';
import { errorText, log } from '../log.js';
import { EXIT, printable, UsageError } from './output.js';
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
      // (one line, whatever the message quotes: printable())
      process.stderr.write(`error: ${printable(err.message)}\n`);
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
    process.stderr.write(`error: ${printable(message)}\n`);
    return EXIT.FAILED;
  }
}

/**
 * Resolves once everything written to `stream` has been handed to the OS. Written to a pipe
 * (`| jq`, `| less`), stdout is asynchronous: exiting at once kept what the pipe had not taken
 * yet, past its 64 KiB. A reader that went away (`| head`: EPIPE) ends the wait too.
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('drain', resolve);
    stream.once('error', () => resolve());
    stream.once('close', resolve);
  });
}

// A reader that stops early is no failure of the command's: never a stack trace for it.
process.stdout.on('error', () => undefined);
const code = await main(process.argv.slice(2));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// (exit, not a natural end: a command's pools and timers are not all its own to close)
process.exit(code);

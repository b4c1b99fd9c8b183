// `calaim-exchange serve`: the web pages for plan liaisons, operations and auditors (README
// "Web"), until SIGTERM or SIGINT. The scheduler serves them too with --serve.
import type { Command } from 'commander';
import type pg from 'pg';
import type { Clock } from '../../clock.js';
import { ConfigError, getConfig, type Config } from '../../config.js';
import { log } from '../../log.js';
import type { SftpSession } from '../../sftp/client.js';
import type { Transport } from '../../sftp/transport.js';
import type { WebServer } from '../../web/server.js';
import { commandClock, nowOption } from '../clock-option.js';
import { openService } from '../lazy-runtime.js';
import { UsageError } from '../output.js';
import { nonEmpty } from '../values.js';

export interface ListenOptions { port?: string; host?: string }

/** --port and --host over WEB_PORT and WEB_HOST. */
export function listenOn(opts: ListenOptions, config: Config): { host: string; port: number } {
  // digits only: Number() reads '' as 0 (any free port), '1e3' as 1000, '0x50' as 80
  const port = opts.port === undefined ? config.WEB_PORT : /^\d{1,5}$/.test(opts.port) ? Number(opts.port) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes a port number (0-65535; 0: any free port)');
  // ('' is refused, not read as WEB_HOST: a shell variable that was not set is a mistake to say)
  const host = opts.host === undefined ? config.WEB_HOST : nonEmpty(opts.host, '--host', 'an address to listen on (e.g. 127.0.0.1)').trim();
  return { host, port };
}

/** Starts the web pages; a port or address that cannot be had is a configuration error. */
export async function startWeb(config: Config, pool: pg.Pool, openSession: () => Promise<SftpSession>, now: Clock, listen: { host: string; port: number }): Promise<WebServer> {
  const { startWebServer } = await import('../../web/server.js');
  try {
    const server = await startWebServer({ pool, config, now, openSession }, listen);
    log.info({ url: server.url }, 'web pages listening');
    return server;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${listen.host}:${listen.port}`;
    if (code === 'EADDRINUSE') throw new ConfigError([{ variable: 'WEB_PORT', message: `${where} is already in use: set WEB_PORT (or --port) to a free port, or 0 for any free port` }]);
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new ConfigError([{ variable: code === 'EACCES' ? 'WEB_PORT' : 'WEB_HOST', message: `cannot listen on ${where} (${code})` }]);
    throw err;
  }
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('the web pages: month board, providers, submissions (with downloads), runs; for liaisons, ops and auditors')
    .option('--port <N>', 'port (default WEB_PORT, 8080; 0: any free port)')
    .option('--host <ADDRESS>', 'address to listen on (default WEB_HOST, 127.0.0.1: put a TLS-terminating proxy in front)')
    .addOption(nowOption('the pages\' clock starts at this instant and then advances (session expiry, the board\'s default period)'))
    .addHelpText('after', `
Prints the URL it listens on (stdout, one line) and runs until SIGTERM or SIGINT. Accounts:
\`calaim-exchange users add --email E --role liaison|ops|auditor\`. Every view of member data is
recorded: \`calaim-exchange audit access\`. In production it listens on localhost behind a
TLS-terminating proxy with WEB_COOKIE_SECURE=true (README "Web").

Run it as:
  calaim-exchange serve
  calaim-exchange serve --port 0`)
    .action(async (opts: ListenOptions & { now?: string }) => {
      const clock = commandClock(opts, 'running');
      const config = getConfig();
      const listen = listenOn(opts, config);
      const { db, start } = await openService(config);
      let transport: Transport | undefined;
      let server: WebServer | undefined;
      let stop: (() => void) | undefined;
      const stopped = new Promise<void>((r) => (stop = r));
      const onSignal = (sig: NodeJS.Signals) => {
        log.info({ signal: sig }, 'shutdown requested');
        stop?.();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      try {
        transport = await start();
        server = await startWeb(config, db.pool, transport.openSession, clock, listen);
        process.stdout.write(`web pages at ${server.url}/ (SIGTERM or Ctrl-C stops)\n`);
        await stopped;
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        await server?.close().catch(() => undefined);
        await transport?.close().catch(() => undefined);
        await db.close();
      }
    });
}

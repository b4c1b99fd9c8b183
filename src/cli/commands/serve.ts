// `calaim-exchange serve`: the web pages for plan liaisons, operations and auditors (README
// "Web"), until SIGTERM or SIGINT. The scheduler serves them too with --serve.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
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

/** Where the web pages listen; `hostFrom` and `portFrom` name what gave each, for a message about it. */
export interface Listen { host: string; port: number; hostFrom: '--host' | 'WEB_HOST'; portFrom: '--port' | 'WEB_PORT' }

/**
 * The usage error for `err` when it says that `host` (given by `hostFrom`, a flag or a setting)
 * does not resolve: ENOTFOUND (no such name) or getaddrinfo's EAI_* (EAI_AGAIN: the resolver did
 * not answer, EAI_FAIL, ...). Undefined for any other error.
 */
export function unresolvedHostError(err: unknown, host: string, hostFrom: string): UsageError | undefined {
  const code = (err as NodeJS.ErrnoException | null | undefined)?.code;
  if (typeof code !== 'string' || (code !== 'ENOTFOUND' && !code.startsWith('EAI_'))) return undefined;
  return new UsageError(`${hostFrom}: ${JSON.stringify(host)} does not resolve to an address (${code}): it takes an address to listen on (e.g. 127.0.0.1)`);
}

/**
 * A host to listen on (`hostFrom`: the flag or the setting that gave it) that does not resolve
 * is a usage error, found before anything is opened: otherwise it is found only when the server
 * listens, after the database and the sFTP server. An IP address is not looked up.
 */
export async function checkListenHost(host: string, hostFrom: string): Promise<void> {
  if (isIP(host)) return;
  try {
    await lookup(host);
  } catch (err) {
    throw unresolvedHostError(err, host, hostFrom) ?? err;
  }
}

/** listenOn, its host checked (checkListenHost): for a command about to serve the pages. */
export async function checkedListenOn(opts: ListenOptions, config: Config): Promise<Listen> {
  const listen = listenOn(opts, config);
  await checkListenHost(listen.host, listen.hostFrom);
  return listen;
}

/** --port and --host over WEB_PORT and WEB_HOST. */
export function listenOn(opts: ListenOptions, config: Config): Listen {
  // digits only: Number() reads '' as 0 (any free port), '1e3' as 1000, '0x50' as 80
  const port = opts.port === undefined ? config.WEB_PORT : /^\d{1,5}$/.test(opts.port) ? Number(opts.port) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes a port number (0-65535; 0: any free port)');
  // ('' is refused, not read as WEB_HOST: a shell variable that was not set is a mistake to say)
  const host = opts.host === undefined ? config.WEB_HOST : nonEmpty(opts.host, '--host', 'an address to listen on (e.g. 127.0.0.1)').trim();
  return { host, port, hostFrom: opts.host === undefined ? 'WEB_HOST' : '--host', portFrom: opts.port === undefined ? 'WEB_PORT' : '--port' };
}

/** Starts the web pages; a port or address that cannot be had is a configuration error, a host that does not resolve a usage error. */
export async function startWeb(config: Config, pool: pg.Pool, openSession: () => Promise<SftpSession>, now: Clock, listen: Listen): Promise<WebServer> {
  const { startWebServer } = await import('../../web/server.js');
  try {
    const server = await startWebServer({ pool, config, now, openSession }, { host: listen.host, port: listen.port });
    log.info({ url: server.url }, 'web pages listening');
    return server;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${listen.host}:${listen.port}`;
    // a flag's value is a usage error (exit 2), a setting's a configuration error (exit 1)
    const refused = (from: string, message: string) =>
      from.startsWith('--') ? new UsageError(`${from}: ${message}`) : new ConfigError([{ variable: from, message }]);
    if (code === 'EADDRINUSE') throw refused(listen.portFrom, `${where} is already in use: set WEB_PORT (or --port) to a free port, or 0 for any free port`);
    if (code === 'EACCES') throw refused(listen.portFrom, `cannot listen on ${where} (${code})`);
    if (code === 'EADDRNOTAVAIL') throw refused(listen.hostFrom, `cannot listen on ${where} (${code}): not an address of this host`);
    // (checkedListenOn looked it up before anything was opened; a name can stop resolving since)
    throw unresolvedHostError(err, listen.host, listen.hostFrom) ?? err;
  }
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('the web pages: month board, providers, submissions (with downloads), member pages, runs; for liaisons, ops and auditors')
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
      const listen = await checkedListenOn(opts, config);
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

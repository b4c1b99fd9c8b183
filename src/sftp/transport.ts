// The sFTP transport a command uses: the configured server (SFTP_HOST, host key pinned), or,
// with no SFTP_HOST, the in-process server on DATA_DIR/sftp with one account per provider. The
// providers' folder names are asked of the caller (src/repositories/providers.ts has them), and
// only for the in-process server: the transport does not read the database.
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { readOrCreateOnce } from '../fs-once.js';
import { log } from '../log.js';
import { openSftp, sftpSettingsFromConfig, type SftpSession, type SftpSettings } from './client.js';
import { startDevServer, type DevServer } from './dev-server.js';

export const SERVICE_ACCOUNT = 'calaim';

export interface Transport {
  settings: SftpSettings;
  embedded: boolean;
  /** Where the in-process server keeps its files (embedded only). */
  localRoot?: string;
  /** Connection settings for a provider account (embedded only: the demo uploads through it). */
  providerSettings?(code: string): SftpSettings;
  openSession(): Promise<SftpSession>;
  close(): Promise<void>;
}

function secret(dir: string): string {
  return readOrCreateOnce(path.join(dir, 'sftp-dev.secret'), () => randomBytes(24).toString('hex')).trim();
}

/** Dev-server password of an account, derived from a secret kept in DATA_DIR (never a constant). */
export function devPassword(dataDir: string, username: string): string {
  return createHmac('sha256', secret(dataDir)).update(username).digest('base64url').slice(0, 24);
}

async function startOnPort(opts: Parameters<typeof startDevServer>[0]): Promise<DevServer> {
  try {
    return await startDevServer(opts);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && opts.port !== 0) return startDevServer({ ...opts, port: 0 });
    throw err;
  }
}

/**
 * `providerFolders`: every provider's sFTP folder name (one in-process account each); called
 * only when there is no SFTP_HOST.
 */
export async function openTransport(config: Config, providerFolders: () => Promise<string[]>): Promise<Transport> {
  if (config.SFTP_HOST) {
    const settings = sftpSettingsFromConfig(config);
    return { settings, embedded: false, openSession: () => openSftp(settings), close: async () => undefined };
  }
  const root = path.join(config.dataDir, 'sftp');
  fs.mkdirSync(root, { recursive: true });
  const codes = await providerFolders();
  const server = await startOnPort({
    root,
    port: config.DEV_SFTP_PORT,
    hostKeyPath: path.join(config.dataDir, 'sftp-hostkey'),
    accounts: [
      { username: SERVICE_ACCOUNT, password: devPassword(config.dataDir, SERVICE_ACCOUNT), home: '/' },
      ...codes.map((c) => ({ username: c, password: devPassword(config.dataDir, c) })),
    ],
  });
  log.debug({ port: server.port }, 'in-process sFTP server started');
  const base = (username: string): SftpSettings => ({
    host: server.host,
    port: server.port,
    username,
    password: devPassword(config.dataDir, username),
    hostKeySha256: server.fingerprint,
    connectTimeoutMs: config.SFTP_CONNECT_TIMEOUT_MS,
    retries: config.SFTP_RETRIES,
    stallMs: config.SFTP_STALL_MS,
  });
  const settings = base(SERVICE_ACCOUNT);
  return {
    settings,
    embedded: true,
    localRoot: root,
    providerSettings: base,
    openSession: () => openSftp(settings),
    close: () => server.stop(),
  };
}

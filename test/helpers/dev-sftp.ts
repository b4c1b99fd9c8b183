// The in-process sFTP server on a temp root, with a service account and provider accounts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSftp, type SftpSession, type SftpSettings } from '../../src/sftp/client.js';
import { startDevServer, type DevServer } from '../../src/sftp/dev-server.js';

export interface TestSftp {
  root: string;
  server: DevServer;
  settings(username?: string): SftpSettings;
  openSession(username?: string): Promise<SftpSession>;
  stop(): Promise<void>;
}

export async function startTestSftp(providers: string[]): Promise<TestSftp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-sftp-'));
  const root = path.join(dir, 'root');
  fs.mkdirSync(root);
  const server = await startDevServer({
    root,
    port: 0,
    hostKeyPath: path.join(dir, 'hostkey'),
    accounts: [{ username: 'svc', password: 'svc-pass', home: '/' }, ...providers.map((p) => ({ username: p, password: `${p}-pass` }))],
  });
  const settings = (username = 'svc'): SftpSettings => ({
    host: server.host,
    port: server.port,
    username,
    password: username === 'svc' ? 'svc-pass' : `${username}-pass`,
    hostKeySha256: server.fingerprint,
    connectTimeoutMs: 5000,
    retries: 2,
    stallMs: 5000,
    retryBaseMs: 50,
  });
  return {
    root,
    server,
    settings,
    openSession: (u) => openSftp(settings(u)),
    stop: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

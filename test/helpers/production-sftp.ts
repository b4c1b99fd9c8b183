// The shipped sFTP server (deploy/sftp: entrypoint.sh + sshd_config, unchanged) run by a real
// /usr/sbin/sshd without Docker. The entrypoint creates system accounts and writes /etc and
// /srv/sftp, so it runs in a private mount namespace where /etc is a copy, /srv/sftp a temp
// folder and /run a tmpfs: the machine's own accounts are never touched, and every mount
// goes away with the server process.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/net.js';
import { ROOT } from './cli.js';
import { onPath, stopSshdProcess, waitForBanner } from './sshd.js';

export const DEPLOY_DIR = path.join(ROOT, 'deploy', 'sftp');

/** Whether the shipped server can be run here, and if not, why. */
export function productionSftpAvailability(): { available: boolean; reason?: string } {
  if (!fs.existsSync('/usr/sbin/sshd')) return { available: false, reason: '/usr/sbin/sshd is not installed (apt-get install openssh-server)' };
  for (const bin of ['unshare', 'mount', 'useradd', 'ssh-keygen', 'sftp'])
    if (!onPath(bin)) return { available: false, reason: `${bin} is not installed` };
  if (process.getuid?.() !== 0) return { available: false, reason: 'the shipped entrypoint creates system accounts and chroots: needs root' };
  try {
    execFileSync('unshare', ['-m', '--propagation', 'private', 'true'], { stdio: 'ignore' });
  } catch {
    return { available: false, reason: 'cannot create a private mount namespace (unshare -m)' };
  }
  return { available: true };
}

export interface ProductionSftp {
  host: string;
  port: number;
  fingerprint: string;
  /** Local folder mounted as /srv/sftp inside the server's namespace. */
  srv: string;
  /** Private key files: the service account's and each provider's. */
  serviceKey: string;
  providerKey(code: string): string;
  /** Environment for the CLI as production sets it (service account `calaim`, SFTP_ROOT=/). */
  cliEnv(): Record<string, string>;
  /** Runs OpenSSH's own `sftp` client in batch mode as a provider (or as `calaim`). */
  sftpBatch(user: string, commands: string[], opts?: { noKey?: boolean }): { code: number; stdout: string; stderr: string };
  log(): string;
  stop(): Promise<void>;
}

/** The Dockerfile's steps and the compose volumes, then the shipped entrypoint. */
const WRAPPER = `set -eu
base="$1"
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/sshd
mount --bind "$base/etc" /etc
mount -t tmpfs -o mode=0755 tmpfs /srv
mkdir -p /srv/sftp
mount --bind "$base/srv" /srv/sftp
exec /bin/sh "$base/entrypoint.sh"
`;

export async function startProductionSftp(opts: { providers: string[] }): Promise<ProductionSftp> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'calx-prod-sftp-'));
  const etc = path.join(base, 'etc');
  const srv = path.join(base, 'srv');
  const keys = path.join(base, 'keys');
  execFileSync('cp', ['-a', '/etc', etc]);
  fs.mkdirSync(srv);
  fs.mkdirSync(keys, { mode: 0o700 });
  fs.copyFileSync(path.join(DEPLOY_DIR, 'sshd_config'), path.join(etc, 'ssh', 'sshd_config'));
  fs.copyFileSync(path.join(DEPLOY_DIR, 'entrypoint.sh'), path.join(base, 'entrypoint.sh'));
  fs.rmSync(path.join(etc, 'ssh', 'keys'), { recursive: true, force: true });
  fs.mkdirSync(path.join(etc, 'ssh', 'keys'), { mode: 0o755 });
  fs.mkdirSync(path.join(etc, 'sftp'), { recursive: true, mode: 0o755 });
  const keygen = (name: string) => {
    const file = path.join(keys, name);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `calx-${name}`, '-f', file]);
    return file;
  };
  const serviceKey = keygen('calaim');
  fs.copyFileSync(`${serviceKey}.pub`, path.join(etc, 'sftp', 'service.pub'));
  const providerKeys = new Map<string, string>();
  const conf = ['# provider_code ssh-public-key'];
  for (const code of opts.providers) {
    const k = keygen(code);
    providerKeys.set(code, k);
    conf.push(`${code} ${fs.readFileSync(`${k}.pub`, 'utf8').trim()}`);
  }
  fs.writeFileSync(path.join(etc, 'sftp', 'providers.conf'), conf.join('\n') + '\n');
  fs.writeFileSync(path.join(base, 'wrapper.sh'), WRAPPER);

  let output = '';
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    port = await freePort();
    const p = spawn('unshare', ['-m', '--propagation', 'private', '/bin/sh', path.join(base, 'wrapper.sh'), base], {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', SSHD_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (d: Buffer) => {
      output = (output + d.toString()).slice(-50_000);
    };
    p.stdout?.on('data', collect);
    p.stderr?.on('data', collect);
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    if (await waitForBanner(port, 20_000, exited)) child = p;
    else {
      p.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      if (attempt === 2) {
        fs.rmSync(base, { recursive: true, force: true });
        throw new Error(`the shipped sshd did not start:\n${output}`);
      }
    }
  }
  const proc = child as ChildProcess;
  const hostPub = path.join(etc, 'ssh', 'keys', 'ssh_host_ed25519_key.pub');
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', hostPub], { encoding: 'utf8' }).split(' ')[1] as string;
  const knownHosts = path.join(keys, 'known_hosts');
  fs.writeFileSync(knownHosts, `[127.0.0.1]:${port} ${fs.readFileSync(hostPub, 'utf8')}`);

  return {
    host: '127.0.0.1',
    port,
    fingerprint,
    srv,
    serviceKey,
    providerKey: (code) => {
      const k = providerKeys.get(code);
      if (!k) throw new Error(`no provider ${code} on this server`);
      return k;
    },
    cliEnv: () => ({
      SFTP_HOST: '127.0.0.1',
      SFTP_PORT: String(port),
      SFTP_USER: 'calaim',
      SFTP_PRIVATE_KEY_PATH: serviceKey,
      SFTP_HOST_KEY_SHA256: fingerprint,
      SFTP_ROOT: '/',
    }),
    sftpBatch: (user, commands, o = {}) => {
      const batch = path.join(keys, `batch-${user}-${Date.now()}`);
      fs.writeFileSync(batch, commands.join('\n') + '\n');
      const key = user === 'calaim' ? serviceKey : (providerKeys.get(user) ?? serviceKey);
      const auth = o.noKey ? ['-o', 'IdentitiesOnly=yes', '-o', 'IdentityFile=none'] : ['-o', 'IdentitiesOnly=yes', '-i', key];
      try {
        const stdout = execFileSync(
          'sftp',
          ['-b', batch, ...auth, '-P', String(port), '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', `${user}@127.0.0.1`],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 },
        );
        return { code: 0, stdout, stderr: '' };
      } catch (err) {
        const e = err as { status?: number; stdout?: string; stderr?: string };
        return { code: e.status ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      } finally {
        fs.rmSync(batch, { force: true });
      }
    },
    log: () => output,
    stop: async () => {
      await stopSshdProcess(proc);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

// Test servers for the sFTP transport contract: a real OpenSSH sshd (as in CI) on a free
// loopback port, with per-provider chrooted system users and a root service account, and a
// tiny TCP proxy that can cut or stall a connection mid-transfer (works for any server).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../../src/net.js';

export { freePort };

export const SSHD_PATH = process.env.SSHD_PATH ?? '/usr/sbin/sshd';

export interface Availability {
  available: boolean;
  reason?: string;
}

/** Whether a program is on PATH. */
export function onPath(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether a real sshd can be started here, and if not, why. */
export function sshdAvailability(): Availability {
  if (!fs.existsSync(SSHD_PATH)) return { available: false, reason: `${SSHD_PATH} is not installed (apt-get install openssh-server)` };
  if (!onPath('ssh-keygen')) return { available: false, reason: 'ssh-keygen is not installed' };
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return { available: false, reason: 'sshd with ChrootDirectory and per-provider users needs root' };
  if (!onPath('useradd')) return { available: false, reason: 'useradd is not installed' };
  return { available: true };
}

/** System user name of a provider's account on the real sshd. */
export function providerUser(code: string): string {
  return `calx_${code.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 31);
}

function ensureUser(user: string): { uid: number; gid: number } {
  const lookup = () => {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    try {
      // '*' (not '!'): with UsePAM no, sshd refuses accounts whose password field starts with '!'.
      execFileSync('useradd', ['-M', '-d', '/', '-s', '/usr/sbin/nologin', '-p', '*', user], { stdio: 'pipe' });
    } catch {
      // created concurrently by another test file: fall through to the lookup
    }
    return lookup();
  }
}

export interface SshdServer {
  kind: 'openssh';
  host: string;
  port: number;
  /** Host key fingerprint as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** Local folder that is the service account's view of the root (SFTP_ROOT = this path). */
  root: string;
  /** Private key accepted for the service account (root) and every provider account. */
  clientKey: Buffer;
  serviceUser: string;
  providerUser(code: string): string;
  /** Last lines sshd printed (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts `sshd -D -e -f <generated config>` on a free loopback port. Each provider gets a
 * system user chrooted (ChrootDirectory + ForceCommand internal-sftp) to `<root>/<code>`,
 * which holds `uploads/` and `downloads/` owned by that user; root is the service account.
 */
export async function startSshd(opts: { providers: string[]; baseDir?: string }): Promise<SshdServer> {
  const avail = sshdAvailability();
  if (!avail.available) throw new Error(`cannot start sshd: ${avail.reason}`);
  // Every component of a ChrootDirectory must be root-owned and not group/world writable:
  // /tmp is world-writable, so the tree lives under a root-owned 0755 base.
  const base = opts.baseDir ?? process.env.CALX_SSHD_BASE ?? '/var/lib/calx-sshd-test';
  fs.mkdirSync(base, { recursive: true, mode: 0o755 });
  fs.chmodSync(base, 0o755);
  const dir = path.join(base, `run-${process.pid}-${randomBytes(4).toString('hex')}`);
  const etc = path.join(dir, 'etc');
  const root = path.join(dir, 'root');
  fs.mkdirSync(path.join(etc, 'authorized_keys'), { recursive: true, mode: 0o755 });
  fs.mkdirSync(root, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation dir

  const hostKey = path.join(etc, 'host_ed25519');
  const clientKeyPath = path.join(etc, 'client_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'calx-test-host', '-f', hostKey]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'calx-test-client', '-f', clientKeyPath]);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`], { encoding: 'utf8' }).split(' ')[1] as string;
  const clientPub = fs.readFileSync(`${clientKeyPath}.pub`, 'utf8');

  const users = new Map<string, string>();
  const matchBlocks: string[] = [];
  fs.writeFileSync(path.join(etc, 'authorized_keys', 'root'), clientPub, { mode: 0o644 });
  for (const code of opts.providers) {
    const user = providerUser(code);
    users.set(code, user);
    const { uid, gid } = ensureUser(user);
    const home = path.join(root, code);
    fs.mkdirSync(home, { mode: 0o755 });
    fs.chmodSync(home, 0o755);
    for (const sub of ['uploads', 'downloads']) {
      fs.mkdirSync(path.join(home, sub), { mode: 0o755 });
      fs.chownSync(path.join(home, sub), uid, gid);
    }
    fs.writeFileSync(path.join(etc, 'authorized_keys', user), clientPub, { mode: 0o644 });
    matchBlocks.push(`Match User ${user}\n  ChrootDirectory ${home}\n  ForceCommand internal-sftp\n`);
  }

  const allowUsers = ['root', ...users.values()].join(' ');
  let child: ChildProcess | undefined;
  let output = '';
  let port = 0;
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    port = await freePort();
    const config = [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(etc, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(etc, 'authorized_keys')}/%u`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${allowUsers}`,
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'PermitTTY no',
      'MaxStartups 50:30:100',
      'LogLevel INFO',
      'Subsystem sftp internal-sftp',
      'ForceCommand internal-sftp',
      '',
      ...matchBlocks,
    ].join('\n');
    const configPath = path.join(etc, 'sshd_config');
    fs.writeFileSync(configPath, config, { mode: 0o600 });
    const p = spawn(SSHD_PATH, ['-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr?.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-20_000);
    });
    const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
    const ready = await waitForBanner(port, 10_000, exited);
    if (ready) child = p;
    else {
      p.kill('SIGTERM');
      if (attempt === 2) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`sshd did not start:\n${output}`);
      }
    }
  }
  const proc = child as ChildProcess;
  return {
    kind: 'openssh',
    host: '127.0.0.1',
    port,
    fingerprint,
    root,
    clientKey: fs.readFileSync(clientKeyPath),
    serviceUser: 'root',
    providerUser: (code: string) => users.get(code) ?? providerUser(code),
    log: () => output,
    stop: async () => {
      await stopSshdProcess(proc);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** SIGTERM to a running sshd, and its exit awaited (for at most 3 s: its files go either way). */
export async function stopSshdProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
}

/** Until sshd answers with its banner (a port that answers), or its process has exited. */
export async function waitForBanner(port: number, timeoutMs: number, exited: Promise<unknown>): Promise<boolean> {
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !dead) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      const done = (v: boolean) => {
        s.destroy();
        resolve(v);
      };
      s.setTimeout(1000, () => done(false));
      s.once('data', (d) => done(d.toString().startsWith('SSH-2.0')));
      s.once('error', () => done(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

// ---------------------------------------------------------------- fault-injecting TCP proxy

export interface TcpProxy {
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  /**
   * The next connection to carry more than `bytes` server→client bytes (`up`: client→server,
   * an upload) after arming is cut (once).
   */
  cutAfter(bytes: number, direction?: 'down' | 'up'): void;
  /** Same, but the connection is left open and silently stops forwarding (a stall). */
  stallAfter(bytes: number, direction?: 'down' | 'up'): void;
  /** Whether the armed fault has fired. */
  fired(): boolean;
  stop(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let armed: { mode: 'cut' | 'stall'; direction: 'down' | 'up'; after: number; seen: number } | undefined;
  let hasFired = false;
  const server = net.createServer((down) => {
    accepted++;
    const up = net.connect(targetPort, targetHost);
    sockets.add(down);
    sockets.add(up);
    let stalled = false;
    const cleanup = () => {
      down.destroy();
      up.destroy();
      sockets.delete(down);
      sockets.delete(up);
    };
    down.on('error', cleanup);
    up.on('error', cleanup);
    down.on('close', cleanup);
    up.on('close', cleanup);
    // Counts the armed direction's bytes; past the limit the connection is cut or stalls.
    const forward = (direction: 'down' | 'up', to: net.Socket) => (d: Buffer) => {
      if (stalled) return;
      const a = armed;
      if (a && a.direction === direction) {
        a.seen += d.length;
        if (a.seen > a.after) {
          armed = undefined;
          hasFired = true;
          if (a.mode === 'cut') return cleanup();
          stalled = true;
          return;
        }
      }
      to.write(d);
    };
    down.on('data', forward('up', up));
    up.on('data', forward('down', down));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => accepted,
    cutAfter: (bytes, direction = 'down') => {
      armed = { mode: 'cut', direction, after: bytes, seen: 0 };
      hasFired = false;
    },
    stallAfter: (bytes, direction = 'down') => {
      armed = { mode: 'stall', direction, after: bytes, seen: 0 };
      hasFired = false;
    },
    fired: () => hasFired,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

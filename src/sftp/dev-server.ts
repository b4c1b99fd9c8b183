// The in-process sFTP server used by the demo and the tests (no SFTP_HOST): ssh2's Server
// serving a local root folder. One account per provider, confined to `<root>/<code>/`, and a
// service account that sees the whole root. Confinement is enforced here: every path is
// resolved inside the account's home ('..' cannot climb above it, as in a chroot) and
// symlinks that lead out of it are refused. So are the shipped layout's permissions
// (deploy/sftp/entrypoint.sh, sshd_config): the server runs as one local user (root in the
// tests), so the file system would let every account do anything, and what a provider may do
// in its folder, and what the mode bits a provider sets on its upload allow the plan, are
// decided here (`shipped`, `Jail`), as the shipped OpenSSH server's accounts and folders decide them.
import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import ssh2, { type Connection, type SFTPWrapper, type ParsedKey } from 'ssh2';
import { readOrCreateOnce } from '../fs-once.js';
import { log } from '../log.js';
import { hostKeyFingerprint } from './client.js';

const { Server, utils } = ssh2;
const { STATUS_CODE } = utils.sftp;

export interface DevAccount {
  username: string;
  password?: string;
  /** Public keys in authorized_keys form ("ssh-ed25519 AAAA… comment") or PEM. */
  publicKeys?: (string | Buffer)[];
  /**
   * Folder the account is confined to, relative to the root. Default: the username (a provider
   * code); its uploads/ and downloads/ are created, and like an OpenSSH chroot its top level is
   * read-only. '' or '/' gives the whole root (the service account).
   */
  home?: string;
}

export interface DevFaults {
  /** Drop the connection once this many file bytes have been served on it. */
  dropAfterBytes?: number;
  /** Only the first connection to reach the limit is dropped (default true). */
  once?: boolean;
  /**
   * Refuse every file write with SSH_FX_FAILURE and this message, as a server whose disk is
   * full or whose quota is exceeded does (OpenSSH answers ENOSPC / EDQUOT with FAILURE).
   */
  failWrites?: string;
  /**
   * Each OPEN waits for this after the server has opened the file and before it answers: a test
   * holds it to end the connection in between (the client gone before its handle is given).
   */
  holdOpen?: Promise<void>;
}

export interface DevServerOptions {
  root: string;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Where the host key lives; generated (ed25519) and persisted when missing. */
  hostKeyPath: string;
  accounts: DevAccount[];
  faults?: DevFaults;
}

export interface DevServer {
  host: string;
  port: number;
  /** "SHA256:…" of the host key, as ssh-keygen prints it. */
  fingerprint: string;
  /** Arms (or clears, with undefined) the fault injection for later transfers. */
  setFaults(faults: DevFaults | undefined): void;
  /** Connections the server has not yet seen end (a test waits for a client's end to be handled). */
  openConnections(): number;
  stop(): Promise<void>;
}

/**
 * A new ed25519 key pair. ssh2's generator emits a key its own parser rejects about once in
 * 200 ("Malformed OpenSSH private key"): only a pair that parses is returned.
 */
export function generateKeyPair(): { private: string; public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error)) return pair;
  }
}

/** Loads the host key, generating and persisting an ed25519 key when the file is missing. */
export function loadOrCreateHostKey(hostKeyPath: string): { privateKey: string; fingerprint: string } {
  let pub: string | undefined;
  const privateKey = readOrCreateOnce(hostKeyPath, () => {
    const pair = generateKeyPair();
    pub = pair.public;
    return pair.private;
  });
  if (pub && !fs.existsSync(`${hostKeyPath}.pub`)) fs.writeFileSync(`${hostKeyPath}.pub`, pub + '\n', { mode: 0o644 });
  const parsed = utils.parseKey(privateKey);
  if (parsed instanceof Error) throw new Error(`unusable host key ${hostKeyPath}: ${parsed.message}`);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key) throw new Error(`unusable host key ${hostKeyPath}`);
  return { privateKey, fingerprint: hostKeyFingerprint(key.getPublicSSH()) };
}

interface PreparedAccount {
  username: string;
  password?: Buffer;
  keys: ParsedKey[];
  home: string;
}

function parsePublicKeys(account: DevAccount): ParsedKey[] {
  const out: ParsedKey[] = [];
  for (const k of account.publicKeys ?? []) {
    const parsed = utils.parseKey(k);
    if (parsed instanceof Error) throw new Error(`account ${account.username}: bad public key: ${parsed.message}`);
    out.push(...(Array.isArray(parsed) ? parsed : [parsed]));
  }
  return out;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  // compare digests: constant time and length-independent
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

class Refused extends Error {
  constructor(public readonly status: number) {
    super('refused');
  }
}

function statusOf(err: unknown): number {
  if (err instanceof Refused) return err.status;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return STATUS_CODE.NO_SUCH_FILE;
  if (code === 'EACCES' || code === 'EPERM') return STATUS_CODE.PERMISSION_DENIED;
  return STATUS_CODE.FAILURE;
}

/** Who owns an entry on the shipped server: root (the chroot), the plan's service account, or the provider. */
type Owner = 'root' | 'plan' | 'provider';

/**
 * An entry of a provider's folder as the shipped layout makes it (deploy/sftp/entrypoint.sh),
 * from its path's segments below that folder:
 *   <code>/                   root:root      0755
 *   <code>/uploads            calaim:<code>  3770  the provider adds; sticky: it removes or renames only its own
 *   <code>/uploads/processed  calaim:<code>  2750  the provider reads only (what it uploaded stays its own file)
 *   <code>/uploads/failed     calaim:<code>  2750
 *   <code>/downloads          calaim:<code>  2750  the plan's files: the provider reads only
 * `providerAdds`: the provider may create, remove and rename entries in it (a directory);
 * `sticky`: only entries the provider owns.
 */
export function shipped(rel: readonly string[]): { owner: Owner; providerAdds: boolean; sticky: boolean } {
  const [top, sub] = rel;
  if (top === 'uploads') {
    if (sub === undefined) return { owner: 'plan', providerAdds: true, sticky: true };
    if (rel.length === 2 && (sub === 'processed' || sub === 'failed')) return { owner: 'plan', providerAdds: false, sticky: false };
    // the provider's uploads (moved to processed/ or failed/ by the plan, still the provider's), and folders it made
    return { owner: 'provider', providerAdds: true, sticky: false };
  }
  if (top === 'downloads') return { owner: 'plan', providerAdds: false, sticky: false };
  return { owner: 'root', providerAdds: false, sticky: false }; // the chroot itself, anything else at its top
}

/** internal-sftp -u 0007 (sshd_config): what either account creates has no bits for others. */
const UMASK = 0o007;

/** Resolves client paths inside one account's home, and says what the account may do there. */
class Jail {
  /**
   * `provider`: a provider account, chrooted to its folder and held to the shipped layout's
   * permissions (`shipped`); otherwise the plan's service account, which sees the whole root,
   * keeps its access to every folder, and reads a provider's file only as far as its group
   * bits allow (the shipped server's service account is in each provider's group, not root).
   */
  constructor(
    readonly home: string,
    readonly provider = false,
  ) {}

  /** The entry's segments below its provider folder (a service account's paths start with the provider's code); null for the home itself on the service account. */
  private layoutOf(real: string): ReturnType<typeof shipped> {
    const segments = path.relative(this.home, real).split(path.sep).filter(Boolean);
    if (this.provider) return shipped(segments);
    return segments.length === 0 ? shipped([]) : shipped(segments.slice(1));
  }

  /** Whether the account's class (owner, group or other, as on the shipped server) has these mode bits (4 read, 2 write). */
  private permits(owner: Owner, mode: number, want: number): boolean {
    const mine: Owner = this.provider ? 'provider' : 'plan';
    // the provider is in the group of the plan's folders and files (calaim:<code>), the service account in the provider's
    const shift = owner === mine ? 6 : owner === 'root' ? 0 : 3;
    return ((mode >> shift) & want) === want;
  }

  /** Refuses to read (4) or write (2) an existing entry its mode bits do not allow the account. */
  allows(real: string, mode: number, want: number): void {
    if (!this.permits(this.layoutOf(real).owner, mode, want)) throw new Refused(STATUS_CODE.PERMISSION_DENIED);
  }

  /** Refuses a SETSTAT by an account that does not own the entry (only an owner may chmod, chown or utime it). */
  ownsOrRefuse(real: string): void {
    if (this.provider && this.layoutOf(real).owner !== 'provider') throw new Refused(STATUS_CODE.PERMISSION_DENIED);
  }

  /** The owner of an entry (what a handle keeps: FSETSTAT is checked with it). */
  ownerOf(real: string): Owner {
    return this.layoutOf(real).owner;
  }

  /**
   * Real path of an entry the client wants to create in its folder (`removing`: remove or
   * rename away). The home itself and its top level are never changed (as with an OpenSSH
   * ChrootDirectory, root-owned); a provider changes only folders the layout lets it add to,
   * and in the sticky uploads/ only its own entries.
   */
  async writable(p: string, removing = false): Promise<string> {
    const real = await this.real(p, true);
    if (real === this.home || (this.provider && path.dirname(real) === this.home)) throw new Refused(STATUS_CODE.PERMISSION_DENIED);
    if (this.provider) {
      const dir = this.layoutOf(path.dirname(real));
      if (!dir.providerAdds || (removing && dir.sticky && this.layoutOf(real).owner !== 'provider')) throw new Refused(STATUS_CODE.PERMISSION_DENIED);
    }
    return real;
  }

  /** Virtual absolute path ('/'-rooted, '..' clamped at the top as in a chroot). */
  virtual(p: string): string {
    return path.posix.resolve('/', p || '.');
  }

  private inside(real: string): boolean {
    return real === this.home || real.startsWith(this.home + path.sep);
  }

  /**
   * Real path of a client path. Every existing ancestor (and the entry itself unless
   * `noFollowLast`) is resolved through symlinks and must stay inside the home.
   */
  async real(p: string, noFollowLast = false): Promise<string> {
    const v = this.virtual(p);
    const real = path.join(this.home, ...v.split('/').filter(Boolean));
    const parent = path.dirname(real);
    // (the home itself has no parent in the jail: an lstat of "/" is of the home)
    const check = noFollowLast && real !== this.home ? parent : real;
    let probe = check;
    // resolve the deepest existing ancestor through symlinks
    for (;;) {
      try {
        const resolved = await fsp.realpath(probe);
        if (!this.inside(resolved)) throw new Refused(STATUS_CODE.PERMISSION_DENIED);
        break;
      } catch (err) {
        if (err instanceof Refused) throw err;
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || probe === this.home) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') break;
          throw err;
        }
        probe = path.dirname(probe);
        if (!this.inside(probe)) break;
      }
    }
    if (real !== this.home && !this.inside(real)) throw new Refused(STATUS_CODE.PERMISSION_DENIED);
    return real;
  }
}

function attrsOf(st: fs.Stats) {
  return {
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function longname(name: string, st: fs.Stats): string {
  const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFile() ? '-' : '?';
  const bits = 'rwxrwxrwx'
    .split('')
    .map((ch, i) => (st.mode & (1 << (8 - i)) ? ch : '-'))
    .join('');
  const d = st.mtime;
  const date = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.getUTCFullYear()}`;
  return `${type}${bits}    1 ${String(st.uid).padEnd(8)} ${String(st.gid).padEnd(8)} ${String(st.size).padStart(12)} ${date} ${name}`;
}

interface FileHandle {
  kind: 'file';
  fd: fsp.FileHandle;
  /** Who owns the file on the shipped server (an FSETSTAT is its owner's only). */
  owner: Owner;
}
interface DirHandle {
  kind: 'dir';
  real: string;
  entries: { filename: string; longname: string; attrs: ReturnType<typeof attrsOf> }[] | null;
}

function serveSftp(sftp: SFTPWrapper, jail: Jail, onBytes: (n: number) => boolean, faults: () => DevFaults | undefined = () => undefined): void {
  const handles = new Map<number, FileHandle | DirHandle>();
  let next = 1;
  const newHandle = (h: FileHandle | DirHandle): Buffer => {
    const id = next++;
    handles.set(id, h);
    const b = Buffer.alloc(4);
    b.writeUInt32BE(id);
    return b;
  };
  const getHandle = (b: Buffer) => (b.length === 4 ? handles.get(b.readUInt32BE(0)) : undefined);
  const run = (reqid: number, fn: () => Promise<void>) => {
    fn().catch((err: unknown) => {
      try {
        sftp.status(reqid, statusOf(err));
      } catch {
        // channel already gone
      }
    });
  };
  const ok = (reqid: number) => sftp.status(reqid, STATUS_CODE.OK);

  sftp.on('error', (err: Error) => log.debug({ err: { message: err.message } }, 'dev sftp channel error'));
  // The client sent EOF (OpenSSH `sftp` at the end of a batch): close the channel so it can exit.
  sftp.on('end', () => sftp.end());
  // Every file the channel still holds is closed when it ends, and a file an OPEN still in
  // progress opens after that is closed at once: left to the garbage collector, an open
  // FileHandle is closed with a deprecation warning (DEP0137), and the descriptor held till then.
  let ended = false;
  sftp.on('close', () => {
    ended = true;
    for (const h of handles.values()) if (h.kind === 'file') void h.fd.close().catch(() => undefined);
    handles.clear();
  });

  sftp.on('REALPATH', (reqid, p) =>
    run(reqid, async () => {
      const v = jail.virtual(p);
      sftp.name(reqid, [{ filename: v, longname: v, attrs: {} as never }]);
    }),
  );
  const doStat = (follow: boolean) => (reqid: number, p: string) =>
    run(reqid, async () => {
      const real = await jail.real(p, !follow);
      const st = follow ? await fsp.stat(real) : await fsp.lstat(real);
      sftp.attrs(reqid, attrsOf(st));
    });
  sftp.on('STAT', doStat(true));
  sftp.on('LSTAT', doStat(false));
  sftp.on('FSTAT', (reqid, handle) =>
    run(reqid, async () => {
      const h = getHandle(handle);
      if (!h) throw new Refused(STATUS_CODE.FAILURE);
      sftp.attrs(reqid, attrsOf(h.kind === 'file' ? await h.fd.stat() : await fsp.stat(h.real)));
    }),
  );
  sftp.on('OPEN', (reqid, filename, flags, attrs) =>
    run(reqid, async () => {
      const mode = utils.sftp.flagsToString(flags);
      if (!mode) throw new Refused(STATUS_CODE.OP_UNSUPPORTED);
      const { READ, WRITE, APPEND, CREAT, TRUNC } = utils.sftp.OPEN_MODE;
      const real = await jail.real(filename);
      const existing = await fsp.stat(real).catch(() => undefined);
      // as open(2): an existing file by its mode bits, a new one by its folder's
      if (existing) jail.allows(real, existing.mode, (flags & READ ? 4 : 0) | (flags & (WRITE | APPEND | TRUNC) ? 2 : 0));
      else if (flags & CREAT) await jail.writable(filename);
      const fd = await fsp.open(real, mode, (attrs?.mode !== undefined ? attrs.mode & 0o777 : 0o644) & ~UMASK);
      let handed = false;
      try {
        await faults()?.holdOpen;
        if (!(await fd.stat()).isFile()) throw new Refused(STATUS_CODE.FAILURE);
        if (ended) return;
        sftp.handle(reqid, newHandle({ kind: 'file', fd, owner: jail.ownerOf(real) }));
        handed = true;
      } finally {
        if (!handed) await fd.close().catch(() => undefined);
      }
    }),
  );
  sftp.on('READ', (reqid, handle, offset, len) =>
    run(reqid, async () => {
      const h = getHandle(handle);
      if (!h || h.kind !== 'file') throw new Refused(STATUS_CODE.FAILURE);
      const buf = Buffer.alloc(Math.min(len, 256 * 1024));
      const { bytesRead } = await h.fd.read(buf, 0, buf.length, Number(offset));
      if (bytesRead === 0) return sftp.status(reqid, STATUS_CODE.EOF);
      if (!onBytes(bytesRead)) return; // fault injection dropped the connection
      sftp.data(reqid, buf.subarray(0, bytesRead));
    }),
  );
  sftp.on('WRITE', (reqid, handle, offset, data) =>
    run(reqid, async () => {
      const h = getHandle(handle);
      if (!h || h.kind !== 'file') throw new Refused(STATUS_CODE.FAILURE);
      const full = faults()?.failWrites;
      if (full) return void sftp.status(reqid, STATUS_CODE.FAILURE, full);
      await h.fd.write(data, 0, data.length, Number(offset));
      ok(reqid);
    }),
  );
  sftp.on('CLOSE', (reqid, handle) =>
    run(reqid, async () => {
      const h = getHandle(handle);
      if (!h) throw new Refused(STATUS_CODE.FAILURE);
      handles.delete(handle.readUInt32BE(0));
      if (h.kind === 'file') await h.fd.close();
      ok(reqid);
    }),
  );
  sftp.on('OPENDIR', (reqid, p) =>
    run(reqid, async () => {
      const real = await jail.real(p);
      const st = await fsp.stat(real);
      if (!st.isDirectory()) throw new Refused(STATUS_CODE.NO_SUCH_FILE);
      sftp.handle(reqid, newHandle({ kind: 'dir', real, entries: null }));
    }),
  );
  sftp.on('READDIR', (reqid, handle) =>
    run(reqid, async () => {
      const h = getHandle(handle);
      if (!h || h.kind !== 'dir') throw new Refused(STATUS_CODE.FAILURE);
      if (h.entries) return sftp.status(reqid, STATUS_CODE.EOF); // everything was sent in one batch
      const names = await fsp.readdir(h.real);
      const entries = [];
      for (const n of ['.', '..', ...names.sort()]) {
        try {
          const st = await fsp.lstat(path.join(h.real, n));
          entries.push({ filename: n, longname: longname(n, st), attrs: attrsOf(st) });
        } catch {
          // vanished meanwhile
        }
      }
      h.entries = entries;
      sftp.name(reqid, entries);
    }),
  );
  sftp.on('REMOVE', (reqid, p) =>
    run(reqid, async () => {
      const real = await jail.writable(p, true);
      if ((await fsp.lstat(real)).isDirectory()) throw new Refused(STATUS_CODE.FAILURE);
      await fsp.unlink(real);
      ok(reqid);
    }),
  );
  sftp.on('MKDIR', (reqid, p, attrs) =>
    run(reqid, async () => {
      const real = await jail.writable(p);
      await fsp.mkdir(real, { mode: (attrs?.mode !== undefined ? attrs.mode & 0o777 : 0o755) & ~UMASK });
      ok(reqid);
    }),
  );
  sftp.on('RMDIR', (reqid, p) =>
    run(reqid, async () => {
      const real = await jail.writable(p, true);
      await fsp.rmdir(real);
      ok(reqid);
    }),
  );
  sftp.on('RENAME', (reqid, from, to) =>
    run(reqid, async () => {
      const src = await jail.writable(from, true);
      const dst = await jail.writable(to);
      const st = await fsp.lstat(src);
      if (st.isFile()) {
        // SFTP v3: renaming onto an existing name fails. link() is atomic and never clobbers.
        await fsp.link(src, dst).catch((err: NodeJS.ErrnoException) => {
          throw err.code === 'EEXIST' ? new Refused(STATUS_CODE.FAILURE) : err;
        });
        await fsp.unlink(src);
      } else {
        if (await fsp.lstat(dst).then(() => true, () => false)) throw new Refused(STATUS_CODE.FAILURE);
        await fsp.rename(src, dst);
      }
      ok(reqid);
    }),
  );
  const setstat = async (real: string | null, fd: fsp.FileHandle | null, attrs: { mode?: number; size?: number; atime?: number; mtime?: number }) => {
    if (attrs.size !== undefined) await (fd ? fd.truncate(attrs.size) : fsp.truncate(real as string, attrs.size));
    if (attrs.mode !== undefined) await (fd ? fd.chmod(attrs.mode & 0o7777) : fsp.chmod(real as string, attrs.mode & 0o7777));
    if (attrs.atime !== undefined && attrs.mtime !== undefined)
      await (fd ? fd.utimes(attrs.atime, attrs.mtime) : fsp.utimes(real as string, attrs.atime, attrs.mtime));
  };
  sftp.on('SETSTAT', (reqid, p, attrs) =>
    run(reqid, async () => {
      const real = await jail.real(p);
      jail.ownsOrRefuse(real);
      // a size is a truncate: a write to the file
      if (attrs.size !== undefined) jail.allows(real, (await fsp.stat(real)).mode, 2);
      await setstat(real, null, attrs);
      ok(reqid);
    }),
  );
  sftp.on('FSETSTAT', (reqid, handle, attrs) =>
    run(reqid, async () => {
      const h = getHandle(handle);
      if (!h || h.kind !== 'file') throw new Refused(STATUS_CODE.FAILURE);
      if (jail.provider && h.owner !== 'provider') throw new Refused(STATUS_CODE.PERMISSION_DENIED);
      await setstat(null, h.fd, attrs);
      ok(reqid);
    }),
  );
  sftp.on('READLINK', (reqid) => sftp.status(reqid, STATUS_CODE.OP_UNSUPPORTED));
  sftp.on('SYMLINK', (reqid) => sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED));
}

/** Starts the server; resolves once it listens. */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const root = fs.realpathSync(path.resolve(opts.root));
  const keyDir = path.resolve(path.dirname(opts.hostKeyPath));
  if (keyDir === root || keyDir.startsWith(root + path.sep))
    throw new Error('the host key must not live inside the served root (the service account could read it)');
  const { privateKey, fingerprint } = loadOrCreateHostKey(opts.hostKeyPath);
  const accounts = new Map<string, PreparedAccount>();
  for (const a of opts.accounts) {
    const homeRel = a.home ?? a.username;
    const home = path.resolve(root, homeRel.replace(/^\/+/, ''));
    if (home !== root && !home.startsWith(root + path.sep)) throw new Error(`account ${a.username}: home outside the root`);
    fs.mkdirSync(home, { recursive: true });
    // One provider's folder broken by hand (a file where downloads/ should be) must not stop the
    // server for every provider: that provider's transfers fail and its poll or publish says so.
    if (home !== root)
      for (const sub of ['uploads', 'downloads']) {
        try {
          fs.mkdirSync(path.join(home, sub), { recursive: true });
        } catch (err) {
          log.warn({ account: a.username, folder: sub, code: (err as NodeJS.ErrnoException).code }, 'dev sftp: a provider folder cannot be created; its transfers will fail');
        }
      }
    accounts.set(a.username, {
      username: a.username,
      password: a.password === undefined ? undefined : Buffer.from(a.password),
      keys: parsePublicKeys(a),
      home: fs.realpathSync(home),
    });
  }
  let faults: DevFaults | undefined = opts.faults;
  const connections = new Set<Connection>();

  const server = new Server({ hostKeys: [privateKey] }, (client) => {
    connections.add(client);
    // Replies go out at once, as sshd's do: with Nagle's algorithm on, the last small reply of a
    // pipelined transfer waited ~40 ms for the client's delayed ACK (ssh2 has the method; its
    // types lack it).
    (client as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
    let account: PreparedAccount | undefined;
    let served = 0;
    client.on('error', (err: Error) => log.debug({ err: { message: err.message } }, 'dev sftp client error'));
    client.on('close', () => connections.delete(client));
    client.on('authentication', (ctx) => {
      const acc = accounts.get(ctx.username);
      const methods: ('password' | 'publickey')[] = [];
      if (acc?.password) methods.push('password');
      if (acc?.keys.length) methods.push('publickey');
      if (!acc) return ctx.reject(['password', 'publickey']);
      if (ctx.method === 'password' && acc.password && sameBytes(Buffer.from(ctx.password), acc.password)) {
        account = acc;
        return ctx.accept();
      }
      if (ctx.method === 'publickey') {
        const key = acc.keys.find((k) => k.type === ctx.key.algo && ctx.key.data.equals(k.getPublicSSH()));
        if (key) {
          if (!ctx.signature) return ctx.accept(); // the client asks whether this key would do
          if (ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) {
            account = acc;
            return ctx.accept();
          }
        }
      }
      return ctx.reject(methods);
    });
    client.on('ready', () => {
      const acc = account;
      if (!acc) return client.end();
      const jail = new Jail(acc.home, acc.home !== root);
      client.on('session', (accept) => {
        const session = accept();
        session.on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          serveSftp(sftp, jail, (n) => {
            served += n;
            const f = faults;
            if (f?.dropAfterBytes !== undefined && served > f.dropAfterBytes) {
              if (f.once !== false) faults = undefined;
              log.debug({ served }, 'dev sftp fault: dropping the connection');
              const sock = (client as unknown as { _sock?: { destroy(): void } })._sock;
              if (sock) sock.destroy();
              else client.end();
              return false;
            }
            return true;
          }, () => faults);
        });
        session.on('exec', (_accept, reject) => reject());
        session.on('shell', (_accept, reject) => reject());
        session.on('pty', (_accept, reject) => reject?.());
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err: Error) => log.warn({ err: { message: err.message } }, 'dev sftp server error'));
  const address = server.address() as AddressInfo;
  log.info({ port: address.port, root }, 'in-process sftp server listening');
  return {
    host: opts.host ?? '127.0.0.1',
    port: address.port,
    fingerprint,
    setFaults(f) {
      faults = f;
    },
    openConnections: () => connections.size,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) {
          try {
            c.end();
          } catch {
            // gone
          }
        }
        server.close(() => resolve());
      }),
  };
}

/** Alias matching the design's wording: `start({ root, port, hostKeyPath, accounts })`. */
export const start = startDevServer;

// The sFTP transport (DESIGN §4): one connection per provider batch, operations sequential
// on it, closed in `finally`. Connect and idempotent operations (list, stat, download) are
// retried with exponential backoff + jitter, reconnecting; the server host key is pinned by
// its SHA-256 fingerprint on every connect; transfers have a progress watchdog.
// The service account sees every provider's folder, so it never follows a link a provider
// may have made: every check is an lstat, a download verifies the handle it opened, a .part is
// created exclusively and nothing is ever overwritten.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import type { Config } from '../config.js';
import { log } from '../log.js';
import { NETWORK_CODES } from '../net.js';

const posix = path.posix;

export type SftpErrorCode =
  | 'HOST_KEY_MISMATCH'
  | 'AUTH_FAILED'
  | 'CONNECT_FAILED'
  | 'CONNECTION_LOST'
  | 'STALLED'
  | 'FILE_TOO_LARGE'
  | 'FILE_CHANGED'
  | 'REMOTE_EXISTS'
  | 'NOT_FOUND'
  | 'NOT_A_FILE'
  | 'PERMISSION_DENIED'
  | 'INVALID_NAME'
  | 'SFTP_FAILURE';

export class SftpError extends Error {
  readonly code: SftpErrorCode;
  /** True when a fresh connection may succeed (network trouble, stalls). */
  readonly retryable: boolean;
  constructor(code: SftpErrorCode, message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SftpError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
  }
}

export interface SftpSettings {
  host: string;
  port: number;
  username: string;
  password?: string;
  /** Private key contents (OpenSSH or PEM). */
  privateKey?: string | Buffer;
  passphrase?: string;
  /** Pinned host key: "SHA256:base64" as ssh-keygen prints it, the prefix and '=' padding optional. */
  hostKeySha256: string;
  connectTimeoutMs: number;
  /** Retries after the first attempt, for connect and idempotent operations. */
  retries: number;
  /** A transfer with no progress for this long is aborted and retried. */
  stallMs: number;
  /** First backoff delay (doubles each retry, ±50% jitter, capped by retryMaxMs). */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface RemoteEntry {
  name: string;
  size: number;
  /** Server modification time (SFTP v3 carries whole seconds). */
  mtime: Date;
  isFile: boolean;
  isDirectory: boolean;
}

export interface RemoteStat {
  size: number;
  mtime: Date;
  isFile: boolean;
  isDirectory: boolean;
  /** Meaningful from lstat only: stat follows a link and fstat sees what was opened. */
  isSymbolicLink?: boolean;
  uid?: number;
  gid?: number;
}

export interface Downloaded {
  bytes: Buffer;
  sha256: string;
  size: number;
  mtime: Date;
}

/** The transport the rest of the application uses. Paths are remote POSIX paths. */
export interface SftpSession {
  list(dir: string): Promise<RemoteEntry[]>;
  stat(remotePath: string): Promise<RemoteStat>;
  exists(remotePath: string): Promise<boolean>;
  /**
   * Reads a regular file (never a link). With `expect` (what a listing showed), the file opened
   * must still have that size and mtime: a name swapped for another file after the listing is refused.
   */
  download(remotePath: string, opts: { maxBytes: number; expect?: { size: number; mtime: Date } }): Promise<Downloaded>;
  /** Atomic publish: `.<name>.part`, size check, rename; never overwrites (REMOTE_EXISTS). */
  publish(dir: string, name: string, bytes: Buffer): Promise<{ path: string; sha256: string }>;
  /**
   * Renames a file into toDir (created as needed) as newName; never overwrites. Returns the new
   * path. With `expect` (the version that was taken), the file must still have that size and
   * mtime: a new version uploaded under the name since is refused (FILE_CHANGED), left in place.
   */
  move(fromPath: string, toDir: string, newName: string, opts?: { expect?: { size: number; mtime: Date } }): Promise<string>;
  ensureDir(dir: string): Promise<void>;
  remove(remotePath: string): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- fingerprints

/** "SHA256:" + unpadded base64 of sha256(raw host key blob), as `ssh-keygen -lf` prints it. */
export function hostKeyFingerprint(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** Accepts the fingerprint with or without "SHA256:" and with or without '=' padding. */
export function normalizeFingerprint(fp: string): string {
  let s = fp.trim();
  if (/^sha256:/i.test(s)) s = s.slice(7);
  return 'SHA256:' + s.replace(/=+$/, '');
}

// ---------------------------------------------------------------- settings

/** The service account settings from the environment (production: SFTP_HOST is set). */
export function sftpSettingsFromConfig(config: Config, overrides: Partial<SftpSettings> = {}): SftpSettings {
  const host = overrides.host ?? config.SFTP_HOST;
  const username = overrides.username ?? config.SFTP_USER;
  const hostKeySha256 = overrides.hostKeySha256 ?? config.SFTP_HOST_KEY_SHA256;
  if (!host || !username || !hostKeySha256)
    throw new Error('sFTP settings incomplete: SFTP_HOST, SFTP_USER and SFTP_HOST_KEY_SHA256 are required');
  return {
    host,
    port: config.SFTP_PORT,
    username,
    password: config.SFTP_PASSWORD,
    privateKey: config.SFTP_PRIVATE_KEY_PATH ? fs.readFileSync(config.SFTP_PRIVATE_KEY_PATH) : undefined,
    hostKeySha256,
    connectTimeoutMs: config.SFTP_CONNECT_TIMEOUT_MS,
    retries: config.SFTP_RETRIES,
    stallMs: config.SFTP_STALL_MS,
    ...overrides,
  };
}

// ---------------------------------------------------------------- helpers

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function backoffMs(attempt: number, baseMs = 250, maxMs = 8000): number {
  return Math.min(maxMs, baseMs * 2 ** attempt) * (0.5 + Math.random() / 2);
}


function errCode(err: unknown): string | number | undefined {
  return (err as { code?: string | number } | undefined)?.code;
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Maps a library error to an SftpError; `lost` tells whether the connection died meanwhile. */
function toSftpError(err: unknown, what: string, lost: boolean): SftpError {
  if (err instanceof SftpError) return err;
  const code = errCode(err);
  const msg = errMessage(err);
  // SFTP status codes (ssh2 numeric, or ssh2-sftp-client's ENOENT-style wrappers)
  if (code === 2 || code === 'ENOENT' || /no such file/i.test(msg))
    return new SftpError('NOT_FOUND', `${what}: no such file`, { cause: err });
  if (code === 3 || code === 'EACCES' || code === 'EPERM' || /permission denied/i.test(msg))
    return new SftpError('PERMISSION_DENIED', `${what}: permission denied`, { cause: err });
  const network =
    lost ||
    (typeof code === 'string' && NETWORK_CODES.has(code)) ||
    /no sftp connection|not connected|unexpected (end|close)|no response from server|connection lost|channel (closed|open failure)|timed out/i.test(
      msg,
    );
  if (network) return new SftpError('CONNECTION_LOST', `${what}: connection lost: ${msg}`, { retryable: true, cause: err });
  return new SftpError('SFTP_FAILURE', `${what}: ${msg}`, { cause: err });
}

function validateName(name: string): void {
  if (!name || name.includes('/') || name.includes('\0') || name === '.' || name === '..' || name.startsWith('.'))
    throw new SftpError('INVALID_NAME', `invalid remote file name ${JSON.stringify(name)}`);
}

// ---------------------------------------------------------------- one connection

interface Conn {
  client: SftpClient;
  sftp: SFTPWrapper;
  lost: boolean;
  id: number;
}

let connSeq = 0;

function rawClient(c: SftpClient): { destroy(): void; end(): void; setNoDelay(on: boolean): void } | undefined {
  return (c as unknown as { client?: { destroy(): void; end(): void; setNoDelay(on: boolean): void } }).client;
}

async function closeQuietly(conn: { client: SftpClient; lost?: boolean } | undefined, timeoutMs = 2000): Promise<void> {
  if (!conn) return;
  try {
    if (!conn.lost) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        conn.client.end().catch(() => undefined),
        new Promise<void>((r) => {
          timer = setTimeout(r, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
  } catch {
    // closing is best effort
  } finally {
    try {
      rawClient(conn.client)?.destroy();
    } catch {
      // already gone
    }
  }
}

/** One connection attempt. Host key mismatch and authentication failures are not retryable. */
async function connectOnce(s: SftpSettings): Promise<Conn> {
  const id = ++connSeq;
  const where = `${s.host}:${s.port}`;
  const expected = normalizeFingerprint(s.hostKeySha256);
  let actual: string | undefined;
  let rawError: (Error & { level?: string }) | undefined;
  const conn: Partial<Conn> & { lost: boolean } = { lost: false, id };
  const client = new SftpClient(`sftp-${id}`, {
    // Global listeners: a late 'error'/'end'/'close' must never crash the process.
    error: (err: unknown) => {
      conn.lost = true;
      log.debug({ conn: id, err: { message: errMessage(err) } }, 'sftp connection error event');
    },
    end: () => {
      conn.lost = true;
      log.debug({ conn: id }, 'sftp connection ended');
    },
    close: () => {
      conn.lost = true;
      log.debug({ conn: id }, 'sftp connection closed');
    },
  });
  conn.client = client;
  client.on('error', (err: Error) => {
    rawError = err;
  });
  client.on('close', () => {
    conn.lost = true;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const sftp = await Promise.race([
      client.connect({
        host: s.host,
        port: s.port,
        username: s.username,
        password: s.password,
        privateKey: s.privateKey,
        passphrase: s.passphrase,
        readyTimeout: s.connectTimeoutMs,
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          actual = hostKeyFingerprint(key);
          return actual === expected;
        },
        // library chatter (ssh2 and ssh2-sftp-client) goes to pino at debug level, never the console
        debug: log.isLevelEnabled('debug') ? (msg: string) => log.debug({ conn: id, ssh2: msg }, 'ssh2') : undefined,
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new SftpError('CONNECT_FAILED', `sFTP connect to ${where} timed out after ${s.connectTimeoutMs} ms`, { retryable: true })),
          s.connectTimeoutMs + 1000,
        );
      }),
    ]);
    conn.sftp = sftp;
    // Pipelined requests (readAll, writeAll) end in a small packet: with Nagle's algorithm on,
    // it waits for the ACK of the one before, which the server's delayed ACK holds ~40 ms.
    rawClient(client)?.setNoDelay(true);
    return conn as Conn;
  } catch (err) {
    await closeQuietly({ client, lost: true });
    if (actual !== undefined && actual !== expected)
      throw new SftpError('HOST_KEY_MISMATCH', `sFTP host key mismatch for ${where}: expected ${expected}, got ${actual}; refusing to connect`);
    if (err instanceof SftpError) throw err;
    const msg = errMessage(err);
    if (rawError?.level === 'client-authentication' || /authentication methods failed|auth.*fail/i.test(msg))
      throw new SftpError('AUTH_FAILED', `sFTP authentication failed for ${s.username}@${where}`, { cause: err });
    throw new SftpError('CONNECT_FAILED', `sFTP connect to ${where} failed: ${msg}`, { retryable: true, cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** Connects, retrying connection failures with backoff; never retries a host key mismatch or an auth failure. */
async function connect(s: SftpSettings): Promise<Conn> {
  for (let attempt = 0; ; attempt++) {
    try {
      const conn = await connectOnce(s);
      log.debug({ conn: conn.id, host: s.host, port: s.port, attempt: attempt + 1 }, 'sftp connected');
      return conn;
    } catch (err) {
      const e = err instanceof SftpError ? err : toSftpError(err, 'connect', true);
      if (!e.retryable || attempt >= s.retries) throw e;
      const wait = backoffMs(attempt, s.retryBaseMs, s.retryMaxMs);
      log.warn({ host: s.host, port: s.port, attempt: attempt + 1, waitMs: Math.round(wait), err: { message: e.message } }, 'sftp connect failed, retrying');
      await sleep(wait);
    }
  }
}

// ---------------------------------------------------------------- raw SFTP calls (promisified)

type Stats = Parameters<Parameters<SFTPWrapper['stat']>[1]>[1];

function toRemoteStat(st: Stats): RemoteStat {
  return {
    size: Number(st.size),
    mtime: new Date(st.mtime * 1000),
    isFile: st.isFile(),
    isDirectory: st.isDirectory(),
    isSymbolicLink: st.isSymbolicLink(),
    uid: st.uid,
    gid: st.gid,
  };
}

function rawStat(sftp: SFTPWrapper, p: string): Promise<RemoteStat> {
  return new Promise((resolve, reject) => {
    sftp.stat(p, (err, st) => (err ? reject(err) : resolve(toRemoteStat(st))));
  });
}

/** The entry itself: a link is reported as a link, never as what it points to. */
function rawLstat(sftp: SFTPWrapper, p: string): Promise<RemoteStat> {
  return new Promise((resolve, reject) => {
    sftp.lstat(p, (err, st) => (err ? reject(err) : resolve(toRemoteStat(st))));
  });
}

function rawFstat(sftp: SFTPWrapper, handle: Buffer): Promise<RemoteStat> {
  return new Promise((resolve, reject) => {
    sftp.fstat(handle, (err, st) => (err ? reject(err) : resolve(toRemoteStat(st))));
  });
}

const sameVersion = (a: RemoteStat, b: RemoteStat) =>
  a.size === b.size && a.mtime.getTime() === b.mtime.getTime() && a.uid === b.uid && a.gid === b.gid;

function rawCall(fn: (cb: (err: Error | null | undefined) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
}

/** Rejects when the connection closes or no progress is reported for stallMs. */
class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly stallMs: number,
    private readonly onStall: () => void,
  ) {
    this.kick();
  }
  kick(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(this.onStall, this.stallMs);
  }
  stop(): void {
    clearTimeout(this.timer);
  }
}

/**
 * Fails a transfer on `c` when its connection closes or it makes no progress for `stallMs`
 * (`kick` on each reply); either way the connection is marked lost, never reused. `stop` when
 * the transfer settles.
 */
function watchTransfer(c: Conn, what: string, stallMs: number, fail: (err: SftpError) => void): { kick(): void; stop(): void } {
  const onClose = () => {
    c.lost = true;
    fail(new SftpError('CONNECTION_LOST', `${what}: connection closed mid-transfer`, { retryable: true }));
  };
  const dog = new Watchdog(stallMs, () => {
    c.lost = true; // the connection is wedged
    fail(new SftpError('STALLED', `${what}: no progress for ${stallMs} ms`, { retryable: true }));
  });
  c.client.on('close', onClose);
  return {
    kick: () => dog.kick(),
    stop: () => {
      dog.stop();
      c.client.removeListener('close', onClose);
    },
  };
}

/** Uploads: bytes per WRITE request (under ssh2's 34,000-byte default packet data limit) and requests in flight. */
const WRITE_CHUNK = 32 * 1024;
const WRITE_CONCURRENCY = 32;
/** Downloads: bytes per READ request (under ssh2's 34,000-byte default packet data limit) and requests in flight. */
const READ_CHUNK = 32 * 1024;
const READ_CONCURRENCY = 32;

// ---------------------------------------------------------------- the session

class Session implements SftpSession {
  private conn: Conn | undefined;
  private closed = false;

  constructor(private readonly s: SftpSettings) {}

  async open(): Promise<void> {
    this.conn = await connect(this.s);
  }

  private async ensure(): Promise<Conn> {
    if (this.closed) throw new SftpError('CONNECTION_LOST', 'sFTP session already closed');
    if (this.conn && !this.conn.lost) return this.conn;
    if (this.conn) await this.drop();
    this.conn = await connect(this.s);
    return this.conn;
  }

  private async drop(): Promise<void> {
    const c = this.conn;
    this.conn = undefined;
    await closeQuietly(c, 500);
  }

  /** Runs an idempotent operation; on a connection error reconnects and retries with backoff. */
  private async retrying<T>(what: string, fn: (c: Conn) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const c = await this.ensure(); // connect() has its own retries
      try {
        return await fn(c);
      } catch (err) {
        const e = toSftpError(err, what, c.lost);
        if (!e.retryable || attempt >= this.s.retries) throw e;
        const wait = backoffMs(attempt, this.s.retryBaseMs, this.s.retryMaxMs);
        log.warn({ op: what.split(' ')[0], attempt: attempt + 1, waitMs: Math.round(wait), code: e.code }, 'sftp operation failed, reconnecting');
        await this.drop();
        await sleep(wait);
      }
    }
  }

  private async once<T>(what: string, fn: (c: Conn) => Promise<T>): Promise<T> {
    const c = await this.ensure();
    try {
      return await fn(c);
    } catch (err) {
      throw toSftpError(err, what, c.lost);
    }
  }

  list(dir: string): Promise<RemoteEntry[]> {
    return this.retrying(`list ${dir}`, async (c) => {
      const items = await c.client.list(dir);
      return items
        .filter((i) => i.name !== '.' && i.name !== '..')
        .map((i) => ({
          name: i.name,
          size: Number(i.size),
          mtime: new Date(i.modifyTime),
          isFile: i.type === '-',
          isDirectory: i.type === 'd',
        }));
    });
  }

  stat(remotePath: string): Promise<RemoteStat> {
    return this.retrying(`stat ${remotePath}`, (c) => rawStat(c.sftp, remotePath));
  }

  exists(remotePath: string): Promise<boolean> {
    return this.retrying(`exists ${remotePath}`, async (c) => {
      try {
        await rawLstat(c.sftp, remotePath);
        return true;
      } catch (err) {
        if (errCode(err) === 2) return false;
        throw err;
      }
    });
  }

  download(remotePath: string, opts: { maxBytes: number; expect?: { size: number; mtime: Date } }): Promise<Downloaded> {
    return this.retrying(`download ${remotePath}`, async (c) => {
      const before = await rawLstat(c.sftp, remotePath);
      if (!before.isFile) throw new SftpError('NOT_A_FILE', `download ${remotePath}: not a regular file`);
      const { expect } = opts;
      if (expect && (expect.size !== before.size || expect.mtime.getTime() !== before.mtime.getTime()))
        throw new SftpError('FILE_CHANGED', `download ${remotePath}: not the file that was listed`);
      if (before.size > opts.maxBytes)
        throw new SftpError('FILE_TOO_LARGE', `download ${remotePath}: ${before.size} bytes is over the limit of ${opts.maxBytes}`);
      // The open follows a link swapped in after the lstat: the handle must be the same file.
      const bytes = await this.readAll(c, remotePath, before.size, (opened) => {
        if (!opened.isFile || !sameVersion(opened, before))
          throw new SftpError('FILE_CHANGED', `download ${remotePath}: what was opened is not the file that was listed`);
      });
      const after = await rawLstat(c.sftp, remotePath);
      if (!after.isFile || !sameVersion(after, before) || bytes.length !== after.size)
        throw new SftpError('FILE_CHANGED', `download ${remotePath}: the file changed while it was read`);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      return { bytes, sha256, size: bytes.length, mtime: after.mtime };
    });
  }

  /**
   * The first `size` bytes of the file (its size at the stat before), read with up to
   * READ_CONCURRENCY requests in flight, as ssh2's fastGet does: one request at a time waits a
   * round trip per READ_CHUNK (ssh2 splits larger reads), which made the download of a large
   * upload a visible share of its ingest. A file that shrank ends early at EOF; callers compare
   * the length and a second stat, so a file that changed while it was read is never taken.
   */
  private readAll(c: Conn, remotePath: string, size: number, checkOpened?: (st: RemoteStat) => void): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const buf = Buffer.allocUnsafe(size);
      let handle: Buffer | undefined;
      let done = false;
      let next = 0; // next offset to request
      let inFlight = 0;
      let end = size; // EOF seen at this offset (a file that shrank)
      const finish = (err?: Error) => {
        if (done) return;
        done = true;
        dog.stop();
        if (handle && !c.lost) c.sftp.close(handle, () => undefined);
        if (err) reject(err);
        else resolve(buf.subarray(0, end));
      };
      const dog = watchTransfer(c, `download ${remotePath}`, this.s.stallMs, finish);
      const request = (h: Buffer, offset: number, length: number) => {
        inFlight++;
        c.sftp.read(h, buf, offset, length, offset, (err, n) => {
          inFlight--;
          if (done) return;
          if (err) return finish(err);
          dog.kick();
          if (n === 0) end = Math.min(end, offset); // EOF
          else if (n < length) return request(h, offset + n, length - n); // short read: ask for the rest
          pump(h);
        });
      };
      const pump = (h: Buffer) => {
        while (inFlight < READ_CONCURRENCY && next < end) {
          const length = Math.min(READ_CHUNK, end - next);
          request(h, next, length);
          next += length;
        }
        if (inFlight === 0) finish();
      };
      c.sftp.open(remotePath, 'r', (err, h) => {
        if (done) {
          if (!err && !c.lost) c.sftp.close(h, () => undefined);
          return;
        }
        if (err) return finish(err);
        handle = h;
        dog.kick();
        if (!checkOpened) return pump(h);
        rawFstat(c.sftp, h).then(
          (st) => {
            if (done) return;
            try {
              checkOpened(st);
            } catch (e) {
              return finish(e as Error);
            }
            pump(h);
          },
          (e: Error) => finish(e),
        );
      });
    });
  }

  /**
   * Writes `bytes` into a new file with up to WRITE_CONCURRENCY requests in flight, as readAll
   * reads: ssh2's write stream waits a round trip per packet (it splits larger writes), which
   * made publishing a provider's MIF the longest step of the monthly run. The file is created
   * O_CREAT|O_EXCL ('wx'): it fails on anything already there, a link included, so it never
   * writes through one. A write the server refuses (disk full, quota) fails the whole upload
   * with the server's reason; the handle is closed either way, and its close is awaited: a
   * server may report a failed flush only there.
   */
  private writeAll(c: Conn, remotePath: string, bytes: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let handle: Buffer | undefined;
      let done = false;
      let next = 0; // next offset to send
      let inFlight = 0;
      let failure: Error | undefined;
      const settle = (err?: Error) => {
        if (done) return;
        done = true;
        dog.stop();
        if (err) reject(err);
        else resolve();
      };
      const finish = (err?: Error) => {
        failure ??= err;
        if (done || inFlight > 0) return; // the last reply closes the handle
        if (!handle || c.lost) return settle(failure);
        const h = handle;
        handle = undefined;
        c.sftp.close(h, (closeErr) => settle(failure ?? (closeErr ? (closeErr as Error) : undefined)));
      };
      const dog = watchTransfer(c, `upload ${remotePath}`, this.s.stallMs, settle);
      const pump = (h: Buffer) => {
        while (!failure && inFlight < WRITE_CONCURRENCY && next < bytes.length) {
          const offset = next;
          const length = Math.min(WRITE_CHUNK, bytes.length - offset);
          next += length;
          inFlight++;
          c.sftp.write(h, bytes, offset, length, offset, (err) => {
            inFlight--;
            if (done) return;
            if (err) return finish(err as Error);
            dog.kick();
            pump(h);
          });
        }
        if (inFlight === 0) finish();
      };
      c.sftp.open(remotePath, 'wx', { mode: 0o644 }, (err, h) => {
        if (done) {
          if (!err && !c.lost) c.sftp.close(h, () => undefined);
          return;
        }
        if (err) return settle(err);
        handle = h;
        dog.kick();
        pump(h);
      });
    });
  }

  async publish(dir: string, name: string, bytes: Buffer): Promise<{ path: string; sha256: string }> {
    validateName(name);
    const finalPath = posix.join(dir, name);
    const partPath = posix.join(dir, `.${name}.part`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    let renameSent = false;
    await this.ensureDir(dir);
    // Retried on connection loss: the .part file is ours to rewrite. If the connection died
    // during the rename, the final file may be ours: compare its content before failing.
    return this.retrying(`publish ${finalPath}`, async (c) => {
      if (await this.statOrNull(c, finalPath)) {
        if (renameSent && (await this.sameContent(c, finalPath, bytes.length, sha256))) return { path: finalPath, sha256 };
        throw new SftpError('REMOTE_EXISTS', `publish: ${finalPath} already exists; it is never overwritten`);
      }
      let ok = false;
      // A .part left by an interrupted attempt is removed (unlink removes a link itself, never
      // its target) and the new one created exclusively.
      if (await this.statOrNull(c, partPath)) await rawCall((cb) => c.sftp.unlink(partPath, cb));
      try {
        await this.writeAll(c, partPath, bytes);
        const st = await rawLstat(c.sftp, partPath);
        if (!st.isFile || st.size !== bytes.length)
          throw new SftpError('SFTP_FAILURE', `publish ${finalPath}: remote size ${st.size} differs from ${bytes.length} bytes sent`);
        renameSent = true;
        try {
          // SFTP v3 RENAME fails when the target exists (OpenSSH uses link+unlink): no overwrite.
          await rawCall((cb) => c.sftp.rename(partPath, finalPath, cb));
        } catch (err) {
          if (!c.lost && (await this.statOrNull(c, finalPath)))
            throw new SftpError('REMOTE_EXISTS', `publish: ${finalPath} already exists; it is never overwritten`, { cause: err });
          throw err;
        }
        ok = true;
        log.info({ remotePath: finalPath, size: bytes.length }, 'sftp published');
        return { path: finalPath, sha256 };
      } finally {
        if (!ok && !c.lost) await rawCall((cb) => c.sftp.unlink(partPath, cb)).catch(() => undefined);
      }
    });
  }

  /** lstat: a dangling link still counts as present. */
  private async statOrNull(c: Conn, p: string): Promise<RemoteStat | null> {
    try {
      return await rawLstat(c.sftp, p);
    } catch (err) {
      if (errCode(err) === 2) return null;
      throw err;
    }
  }

  private async sameContent(c: Conn, p: string, size: number, sha256: string): Promise<boolean> {
    const st = await rawLstat(c.sftp, p);
    if (!st.isFile || st.size !== size) return false;
    const got = await this.readAll(c, p, size, (opened) => {
      if (!opened.isFile || !sameVersion(opened, st)) throw new SftpError('FILE_CHANGED', `publish ${p}: the existing file changed while it was compared`);
    });
    return createHash('sha256').update(got).digest('hex') === sha256;
  }

  async ensureDir(dir: string): Promise<void> {
    const norm = posix.normalize(dir);
    await this.retrying(`mkdir ${norm}`, async (c) => {
      const missing: string[] = [];
      let cur = norm;
      for (;;) {
        const st = await this.statOrNull(c, cur);
        if (st) {
          // A link in place of a folder (lstat) is refused, never followed.
          if (!st.isDirectory) throw new SftpError('SFTP_FAILURE', `mkdir ${norm}: ${cur} is not a directory`);
          break;
        }
        missing.unshift(cur);
        const parent = posix.dirname(cur);
        if (parent === cur) break;
        cur = parent;
      }
      for (const d of missing) {
        try {
          await rawCall((cb) => c.sftp.mkdir(d, cb));
        } catch (err) {
          const st = await this.statOrNull(c, d); // created concurrently?
          if (!st?.isDirectory) throw err;
        }
      }
    });
  }

  async move(fromPath: string, toDir: string, newName: string, opts: { expect?: { size: number; mtime: Date } } = {}): Promise<string> {
    validateName(newName);
    await this.ensureDir(toDir);
    const target = posix.join(toDir, newName);
    return this.once(`move ${fromPath}`, async (c) => {
      // ensureDir refused a link in place of toDir; a rename's path is resolved by the server,
      // so the layout (providers cannot make links or rename the plan's folders) is what keeps
      // it from changing in between.
      // The target first: a move that already happened (a crash before it was recorded) is
      // told apart from an upload that is gone by the target being there.
      if (await this.statOrNull(c, target)) throw new SftpError('REMOTE_EXISTS', `move: ${target} already exists; it is never overwritten`);
      const from = await rawLstat(c.sftp, fromPath);
      if (!from.isFile) throw new SftpError('NOT_A_FILE', `move ${fromPath}: not a regular file`);
      // A provider may upload a new version under the same name after the one answered was
      // taken: that one is not the answered upload, and moving it would hide it from the poll
      // (as download does, size and mtime tell the versions apart). SFTP has no conditional
      // rename: a version swapped in within this one round trip is not seen.
      const { expect } = opts;
      if (expect && (expect.size !== from.size || expect.mtime.getTime() !== from.mtime.getTime()))
        throw new SftpError('FILE_CHANGED', `move ${fromPath}: not the version that was taken`);
      try {
        await rawCall((cb) => c.sftp.rename(fromPath, target, cb));
      } catch (err) {
        if (!c.lost && (await this.statOrNull(c, target)))
          throw new SftpError('REMOTE_EXISTS', `move: ${target} already exists; it is never overwritten`, { cause: err });
        throw err;
      }
      log.info({ from: fromPath, to: target }, 'sftp moved');
      return target;
    });
  }

  remove(remotePath: string): Promise<void> {
    return this.once(`remove ${remotePath}`, (c) => rawCall((cb) => c.sftp.unlink(remotePath, cb)));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drop();
  }
}

/** Opens a session (connecting with retries). The caller must close it; prefer withSftp. */
export async function openSftp(settings: SftpSettings): Promise<SftpSession> {
  const s = new Session(settings);
  await s.open();
  return s;
}

/** One connection for the batch: opens, runs fn, always closes (quietly) in finally. */
export async function withSftp<T>(settings: SftpSettings, fn: (session: SftpSession) => Promise<T>): Promise<T> {
  const session = await openSftp(settings);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

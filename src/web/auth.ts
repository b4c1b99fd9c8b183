// Passwords, session ids, CSRF tokens and the login throttle of the web pages.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { Clock } from '../clock.js';

/** bcrypt reads at most 72 bytes of a password: a longer one would be cut silently. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_LENGTH = 12;

/** Why a password is not acceptable, or null. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < PASSWORD_MIN_LENGTH) return `a password has at least ${PASSWORD_MIN_LENGTH} characters`;
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) return `a password has at most ${PASSWORD_MAX_BYTES} bytes`;
  return null;
}

export const hashPassword = (password: string, cost: number): Promise<string> => bcrypt.hash(password, cost);

// Compared against when the email is unknown, so an unknown email takes as long to refuse as a
// wrong password (no telling which accounts exist from the timing).
let dummyHash: Promise<string> | undefined;

export async function checkPassword(password: string, hash: string | undefined, cost: number): Promise<boolean> {
  if (hash === undefined) {
    dummyHash ??= bcrypt.hash(randomBytes(16).toString('hex'), cost);
    await bcrypt.compare(password, await dummyHash);
    return false;
  }
  return bcrypt.compare(password, hash);
}

/** A new session id (what the cookie carries) and its hash (what the database keeps). */
export function newSessionId(): { id: string; hash: string } {
  const id = randomBytes(32).toString('base64url');
  return { id, hash: hashSessionId(id) };
}

export const hashSessionId = (id: string): string => createHash('sha256').update(id).digest('hex');

/** A form token bound to what it protects (a session, or a login form's nonce). */
export function csrfToken(secret: string, purpose: 'session' | 'login', bound: string): string {
  return createHmac('sha256', secret).update(`${purpose}|${bound}`).digest('base64url');
}

export function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Failed logins per email address and per client address within a window: past the limit, a
 * login is refused before the password is looked at, until the oldest failure leaves the
 * window. Per process (one web server per deployment; a restart forgets, which only helps an
 * attacker as much as one more window).
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly o: { maxPerEmail: number; maxPerAddress: number; windowMs: number; now: Clock },
  ) {}

  private recent(key: string): number[] {
    const since = this.o.now().getTime() - this.o.windowMs;
    const kept = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }

  blocked(address: string, email: string): boolean {
    return this.recent(`e|${email}`).length >= this.o.maxPerEmail || this.recent(`a|${address}`).length >= this.o.maxPerAddress;
  }

  failed(address: string, email: string): void {
    const t = this.o.now().getTime();
    for (const key of [`e|${email}`, `a|${address}`]) this.failures.set(key, [...this.recent(key), t]);
  }

  succeeded(email: string): void {
    this.failures.delete(`e|${email}`);
  }
}

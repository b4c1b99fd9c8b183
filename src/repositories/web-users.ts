// The web pages' local accounts (issue 20). Emails are kept lower-cased: a liaison's providers
// are those whose contracts in force name them as liaison (the contract's own, else the
// provider's: liaisonsWhoMaySee in board.ts), compared case-insensitively.
import type pg from 'pg';
import { normaliseEmail } from '../email-address.js';

type Queryable = pg.Pool | pg.PoolClient;

export type WebRole = 'liaison' | 'ops' | 'auditor';
export const WEB_ROLES: readonly WebRole[] = ['liaison', 'ops', 'auditor'];

export interface WebUser {
  id: number;
  email: string;
  role: WebRole;
  passwordHash: string;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

interface Row { id: number; email: string; role: WebRole; password_hash: string; disabled: boolean; created_at: Date; updated_at: Date }

const toUser = (r: Row): WebUser => ({
  id: Number(r.id), email: r.email, role: r.role, passwordHash: r.password_hash, disabled: r.disabled, createdAt: r.created_at, updatedAt: r.updated_at,
});

/** Undefined when the email is taken. */
export async function insertWebUser(db: Queryable, u: { email: string; role: WebRole; passwordHash: string; now: Date }): Promise<WebUser | undefined> {
  const r = await db.query<Row>(
    `insert into web_users (email, role, password_hash, created_at, updated_at) values ($1, $2, $3, $4, $4)
     on conflict (email) do nothing returning *`,
    [normaliseEmail(u.email), u.role, u.passwordHash, u.now],
  );
  return r.rows[0] && toUser(r.rows[0]);
}

export async function findWebUser(db: Queryable, email: string): Promise<WebUser | undefined> {
  const r = await db.query<Row>('select * from web_users where email = $1', [normaliseEmail(email)]);
  return r.rows[0] && toUser(r.rows[0]);
}

export async function listWebUsers(db: Queryable): Promise<WebUser[]> {
  const r = await db.query<Row>('select * from web_users order by email');
  return r.rows.map(toUser);
}

/**
 * Disables an account (or sets a new password) and ends its sessions in one step: a disabled
 * user or a reset password logs nobody in with an old cookie. False when there is no such user.
 */
export async function updateWebUser(db: pg.Pool, email: string, change: { disabled?: boolean; passwordHash?: string }, now: Date): Promise<boolean> {
  const c = await db.connect();
  try {
    await c.query('begin');
    const r = await c.query<{ id: number }>(
      `update web_users set disabled = coalesce($2, disabled), password_hash = coalesce($3, password_hash), updated_at = $4
        where email = $1 returning id`,
      [normaliseEmail(email), change.disabled ?? null, change.passwordHash ?? null, now],
    );
    if (r.rows[0]) await c.query('delete from web_sessions where user_id = $1', [r.rows[0].id]);
    await c.query('commit');
    return r.rowCount === 1;
  } catch (err) {
    await c.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

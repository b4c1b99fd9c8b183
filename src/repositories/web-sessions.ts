// Web sessions: only the hash of the random id the cookie carries is stored.
import type pg from 'pg';
import type { WebRole } from './web-users.js';

type Queryable = pg.Pool | pg.PoolClient;

export interface SessionUser {
  userId: number;
  email: string;
  role: WebRole;
  disabled: boolean;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export async function insertWebSession(db: Queryable, s: { idHash: string; userId: number; now: Date; expiresAt: Date }): Promise<void> {
  await db.query('insert into web_sessions (id_hash, user_id, created_at, last_seen_at, expires_at) values ($1, $2, $3, $3, $4)', [
    s.idHash, s.userId, s.now, s.expiresAt,
  ]);
}

export async function findWebSession(db: Queryable, idHash: string): Promise<SessionUser | undefined> {
  const r = await db.query<{ user_id: number; email: string; role: WebRole; disabled: boolean; created_at: Date; last_seen_at: Date; expires_at: Date }>(
    `select s.user_id, u.email, u.role, u.disabled, s.created_at, s.last_seen_at, s.expires_at
       from web_sessions s join web_users u on u.id = s.user_id where s.id_hash = $1`,
    [idHash],
  );
  const x = r.rows[0];
  return x && { userId: Number(x.user_id), email: x.email, role: x.role, disabled: x.disabled, createdAt: x.created_at, lastSeenAt: x.last_seen_at, expiresAt: x.expires_at };
}

export async function touchWebSession(db: Queryable, idHash: string, now: Date, expiresAt: Date): Promise<void> {
  await db.query('update web_sessions set last_seen_at = $2, expires_at = $3 where id_hash = $1', [idHash, now, expiresAt]);
}

export async function deleteWebSession(db: Queryable, idHash: string): Promise<void> {
  await db.query('delete from web_sessions where id_hash = $1', [idHash]);
}

/** Sessions past their expiry are of no use to anyone: dropped at each login. */
export async function deleteExpiredWebSessions(db: Queryable, now: Date): Promise<number> {
  const r = await db.query('delete from web_sessions where expires_at <= $1', [now]);
  return r.rowCount ?? 0;
}

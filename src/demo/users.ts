// The demo's web accounts: one per role, each with a new random password (printed once, like
// `users add`), never a constant one that would also open a real deployment's pages.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Config } from '../config.js';
import { insertWebUser, type WebRole } from '../repositories/web-users.js';
import { hashPassword } from '../web/auth.js';

export interface DemoLogin { email: string; role: WebRole; password: string; sees: string }

/** The liaison is the sample plan's first HN liaison: they see their own providers only. */
export const DEMO_ACCOUNTS: readonly Omit<DemoLogin, 'password'>[] = [
  { email: 'hn.liaison1@healthplan.example', role: 'liaison', sees: 'the providers assigned to this liaison' },
  { email: 'ops@healthplan.example', role: 'ops', sees: 'everything; may reprocess and republish' },
  { email: 'auditor@healthplan.example', role: 'auditor', sees: 'everything, read-only' },
];

export async function createDemoUsers(pool: pg.Pool, config: Config, now: Date): Promise<DemoLogin[]> {
  const out: DemoLogin[] = [];
  for (const a of DEMO_ACCOUNTS) {
    const password = randomBytes(12).toString('base64url');
    await insertWebUser(pool, { email: a.email, role: a.role, passwordHash: await hashPassword(password, config.WEB_PASSWORD_COST), now });
    out.push({ ...a, password });
  }
  return out;
}

// The web pages' test world: the small plan with two liaisons (RIVAL is someone else's), a MIF
// sent, ACME's RTF with a rejected row (a contract loaded late, so ops can reprocess it), and
// RIVAL's RTF rejected whole; one account per role. The server and browser tests share it.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { generate } from '../../src/generate/run.js';
import { insertWebUser } from '../../src/repositories/web-users.js';
import { hashPassword } from '../../src/web/auth.js';
import { P } from './plan.js';
import { rtf, rtfRow } from './provider-files.js';
import { answerUpload, type PlanWorld } from './world.js';

export const PASSWORD = 'correct horse battery';
export const USERS = {
  liaison: 'liaison@plan.example',
  other: 'other@plan.example',
  ops: 'ops@plan.example',
  auditor: 'auditor@plan.example',
} as const;
/** The member on RIVAL's rejected row: must never appear to ACME's liaison. */
export const RIVAL_MEMBER = { cin: '91000005E', last: 'Echo', first: 'Ed' };
/** The member on ACME's rejected row. */
export const ACME_MEMBER = { cin: '91000004D', last: 'Delta', first: 'Dee' };
/** The board's "today": December 6th, so its default period is November 2026. */
export const WEB_NOW = new Date('2026-12-06T16:00:00Z');

/** Settings for the pages in tests: the lowest bcrypt cost (8) keeps logins fast. */
export const WEB_SETTINGS = { WEB_PASSWORD_COST: '8' };

/** A clock the test moves: session expiry and the login window are read from it. */
export function movableClock(start = WEB_NOW): { clock: Clock; advance(ms: number): void; set(d: Date): void } {
  let t = start.getTime();
  return { clock: () => new Date(t), advance: (ms) => (t += ms), set: (d) => (t = d.getTime()) };
}

export interface WebSeed { acmeSubmission: number; rivalSubmission: number }

export async function seedWebWorld(w: PlanWorld): Promise<WebSeed> {
  const pool = w.db.pool;
  await pool.query(`update providers set liaison_email = 'Other@Plan.example' where provider_code = 'RIVAL'`);
  await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
  // ACME's CalViva contract is loaded after its RTF came in: the CV row is rejected until ops reprocess it
  await pool.query(`delete from provider_contracts where provider_code = 'ACME' and lob = 'CV'`);
  const answer = async (provider: string, name: string, bytes: Buffer, at: string) => (await answerUpload(w, provider, name, bytes, at)).submissionId;
  const acmeSubmission = await answer('ACME', 'RTF_ACME_202611.xlsx', await rtf([
    rtfRow(),
    rtfRow({ mcpId: 'CV', mcpName: 'CalViva Health', cin: ACME_MEMBER.cin, lastName: ACME_MEMBER.last, firstName: ACME_MEMBER.first }),
  ]), '2026-12-02T17:00:00Z');
  await pool.query(`insert into provider_contracts values ('ACME', 'CV', 'ECM')`);
  // when each contract was loaded (the provider page's "Since"), on the story's days: left to the
  // database's clock, the page, and its screenshot in docs/, changed with the day the tests ran
  await pool.query(`update provider_contracts set created_at = case when provider_code = 'ACME' and lob = 'CV' then timestamptz '2026-12-03T16:00:00Z'
    else timestamptz '2026-10-01T16:00:00Z' end`);
  const rivalSubmission = await answer('RIVAL', 'RTF_RIVAL_202611.xlsx', await rtf([
    rtfRow({ mcpId: 'CV', mcpName: 'CalViva Health', cin: RIVAL_MEMBER.cin, lastName: RIVAL_MEMBER.last, firstName: RIVAL_MEMBER.first }, P.ECM2),
  ]), '2026-12-03T17:00:00Z');
  const hash = await hashPassword(PASSWORD, Number(WEB_SETTINGS.WEB_PASSWORD_COST));
  for (const [role, email] of [['liaison', USERS.liaison], ['liaison', USERS.other], ['ops', USERS.ops], ['auditor', USERS.auditor]] as const)
    await insertWebUser(pool, { email, role, passwordHash: hash, now: WEB_NOW });
  return { acmeSubmission, rivalSubmission };
}

/** The cookies a response sets, as a Cookie header value. */
export const cookieOf = (res: LightMyRequestResponse): string => res.cookies.filter((c) => c.value !== '').map((c) => `${c.name}=${c.value}`).join('; ');

/** A session of `email` (its password PASSWORD) on `app` at its clock's time, as a Cookie header value. */
export async function logIn(app: FastifyInstance, email: string): Promise<string> {
  const form = await app.inject({ method: 'GET', url: '/login' });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
  const res = await app.inject({ method: 'POST', url: '/login', headers: { cookie: cookieOf(form) }, payload: { _csrf: csrf, email, password: PASSWORD, next: '/' } });
  expect(res.statusCode, res.body).toBe(303);
  return cookieOf(res);
}

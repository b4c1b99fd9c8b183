// A liaison's contract with a provider ends ([POLICY] "Who sees what" in the README): the web
// pages let a liaison see a provider only through a contract naming them (its own liaison, else
// the provider's) that is in force for the reporting period files received today answer (its
// first day, on the pages' clock): the month a contract ends in is still owed and answered the
// month after, and the missing-submission digest still goes to its liaison then. From the month
// after that, the provider's pages, submissions and downloads are answered 404 to them, as to
// any other liaison, and the board does not list it for any month; ops and auditors see all.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadlinePolicyFromConfig } from '../../src/calendar/deadlines.js';
import { findMissingSubmissions } from '../../src/reports/missing.js';
import { insertWebUser } from '../../src/repositories/web-users.js';
import { hashPassword } from '../../src/web/auth.js';
import { boardRows } from '../../src/web/board.js';
import { buildWebApp } from '../../src/web/server.js';
import { logIn, movableClock, PASSWORD, RIVAL_MEMBER, seedWebWorld, USERS, WEB_NOW, WEB_SETTINGS, type WebSeed } from '../helpers/web.js';
import { closePlanWorld, importProviders, openPlanWorld, PROVIDERS_HEADER, type PlanWorld } from '../helpers/world.js';

const HEADER = `${PROVIDERS_HEADER},contract_end`;
const ACME = 'ACME,1234567893,123456789,Acme Community Health';
const RIVAL = 'RIVAL,1987654328,987654321,Rival Care Partners';
/** A liaison named on no contract until a test names them. */
const NEW = 'new@plan.example';
/** Files received in January 2027 answer December: a contract that ended November 30 is not in force for it. */
const JANUARY = new Date('2027-01-06T17:00:00Z');
const CIN = /\b\d{8}[A-Z]\b/;

let w: PlanWorld;
let seed: WebSeed;
let app: FastifyInstance;
const time = movableClock();

beforeAll(async () => {
  w = await openPlanWorld('web-contract-end', { csAuthorizations: true, settings: WEB_SETTINGS });
  seed = await seedWebWorld(w);
  await insertWebUser(w.db.pool, { email: NEW, role: 'liaison', passwordHash: await hashPassword(PASSWORD, Number(WEB_SETTINGS.WEB_PASSWORD_COST)), now: WEB_NOW });
  // The providers extract names other@ the liaison of RIVAL's one contract and of ACME's Health
  // Net contract, both ending November 30 (other@ is then each provider's own liaison too: the
  // first its rows name); ACME's CalViva contract runs on, with liaison@ as its liaison.
  const s = await importProviders(w, 'providers-ends.csv', [
    `${RIVAL},HN,ECM,5595550200,ops@rival.example,${USERS.other},2026-11-30`,
    `${ACME},HN,ECM,5595550100,ops@acme.example,${USERS.other},2026-11-30`,
    `${ACME},CV,ECM,5595550100,ops@acme.example,${USERS.liaison},`,
  ], '2026-11-20T16:00:00Z', HEADER);
  expect(s, JSON.stringify(s.rejects)).toMatchObject({ rowsImported: 3, rowsRejected: 0 });
  app = await buildWebApp({ pool: w.db.pool, config: w.config, now: time.clock, openSession: () => w.sftp.openSession() });
});
afterAll(async () => {
  await app?.close();
  await closePlanWorld(w);
});

/** A session of `email` at the clock's time (a session from another month has expired). */
const login = (email: string) => logIn(app, email);
const get = (cookie: string, url: string) => app.inject({ method: 'GET', url, headers: { cookie } });
const setEnd = (code: string, lob: string, end: string | null) =>
  w.db.pool.query(`update provider_contracts set contract_end = $3 where provider_code = $1 and lob = $2 and program = 'ECM'`, [code, lob, end]);

/** RIVAL's pages: its provider page, its rejected RTF (RIVAL_MEMBER's row) and the file's downloads. */
const rivalPages = () => ['/providers/RIVAL', `/submissions/${seed.rivalSubmission}`, `/submissions/${seed.rivalSubmission}/original`, `/submissions/${seed.rivalSubmission}/response`];

describe('a liaison named only on contracts that have ended', () => {
  it('in December (the November files, the contracts\' last month, still due) sees RIVAL and ACME, as the November digest names them', async () => {
    time.set(WEB_NOW);
    const other = await login(USERS.other);
    for (const url of [...rivalPages(), '/providers/ACME']) expect((await get(other, url)).statusCode, url).toBe(200);
    expect((await get(other, `/submissions/${seed.rivalSubmission}`)).body).toContain(RIVAL_MEMBER.cin);
    const board = (await get(other, '/')).body;
    expect(board).toContain('href="/providers/RIVAL"');
    expect(board).toContain('href="/providers/ACME"');
    // the digest of November (sent December 11) goes to other@ for RIVAL: whom the pages let see it
    const digest = await findMissingSubmissions(w.db.pool, w.config, '2026-12-11');
    expect(digest.find((r) => r.providerCode === 'RIVAL')?.liaisonEmails).toEqual([USERS.other]);
  });

  it('from January (files answer December, no contract of theirs in force for it) sees neither: every page 404 as one that does not exist, recorded as refused', async () => {
    time.set(JANUARY);
    const other = await login(USERS.other);
    const missing = (await get(other, '/submissions/999999')).body;
    const since = (await w.db.pool.query<{ n: number }>('select coalesce(max(id), 0)::int n from access_log')).rows[0]!.n;
    for (const url of [...rivalPages(), '/providers/ACME']) {
      const res = await get(other, url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toMatch(CIN);
      expect(res.body).toBe(missing);
    }
    const log = (await w.db.pool.query<{ provider_code: string; page: string; denied: boolean }>(
      `select provider_code, page, denied from access_log where id > $1 order by id`, [since])).rows;
    expect(log).toEqual([
      { provider_code: 'RIVAL', page: 'provider', denied: true },
      { provider_code: 'RIVAL', page: 'submission', denied: true },
      { provider_code: 'RIVAL', page: 'original', denied: true },
      { provider_code: 'RIVAL', page: 'response', denied: true },
      { provider_code: 'ACME', page: 'provider', denied: true },
    ]);
    // not on the board: not December's, nor November's (when the contracts were in force)
    for (const url of ['/', '/?period=2026-11']) {
      const board = (await get(other, url)).body;
      expect(board, url).not.toContain('/providers/RIVAL');
      expect(board, url).not.toContain('/providers/ACME');
    }
    // nor does the December digest (sent January 11) name them for either
    const digest = await findMissingSubmissions(w.db.pool, w.config, '2027-01-11');
    for (const r of digest) expect(r.liaisonEmails, r.providerCode).not.toContain(USERS.other);
  });

  it('ops and auditors still see every page; the CalViva liaison still sees ACME, not RIVAL', async () => {
    time.set(JANUARY);
    for (const email of [USERS.ops, USERS.auditor]) {
      const s = await login(email);
      for (const url of [...rivalPages(), '/providers/ACME']) expect((await get(s, url)).statusCode, `${email} ${url}`).toBe(200);
      expect((await get(s, '/?period=2026-11')).body).toContain('href="/providers/RIVAL"');
    }
    const cv = await login(USERS.liaison);
    expect((await get(cv, '/providers/ACME')).statusCode).toBe(200);
    expect((await get(cv, `/submissions/${seed.acmeSubmission}`)).statusCode).toBe(200);
    for (const url of rivalPages()) expect((await get(cv, url)).statusCode, url).toBe(404);
  });
});

describe('the edges of the rule', () => {
  it('a contract ending on the period\'s first day, or today, is in force for the period; one ending the day before is not', async () => {
    time.set(JANUARY);
    const other = await login(USERS.other);
    for (const [end, status] of [['2026-12-01', 200], ['2027-01-06', 200], ['2026-11-30', 404]] as const) {
      await setEnd('RIVAL', 'HN', end);
      expect((await get(other, `/submissions/${seed.rivalSubmission}`)).statusCode, end).toBe(status);
    }
  });

  it('a contract that ends in the future is in force until then', async () => {
    time.set(JANUARY);
    await setEnd('RIVAL', 'HN', '2027-06-30');
    expect((await get(await login(USERS.other), '/providers/RIVAL')).statusCode).toBe(200);
    await setEnd('RIVAL', 'HN', '2026-11-30');
  });

  it('a liaison of two of a provider\'s contracts, one ended and one in force, sees it and all of its lines', async () => {
    time.set(JANUARY);
    await w.db.pool.query(`update provider_contracts set liaison_email = $1 where provider_code = 'ACME' and lob = 'CV'`, [NEW]);
    await w.db.pool.query(`update provider_contracts set liaison_email = $1, contract_end = '2026-10-31' where provider_code = 'RIVAL'`, [NEW]);
    await w.db.pool.query(`insert into provider_contracts (provider_code, lob, program, liaison_email) values ('RIVAL', 'CV', 'ECM', $1)`, [NEW]);
    const s = await login(NEW);
    for (const url of [...rivalPages(), '/providers/ACME']) expect((await get(s, url)).statusCode, url).toBe(200);
    const board = (await get(s, '/')).body;
    expect(board).toContain('href="/providers/RIVAL"');
    expect(board).toContain('href="/providers/ACME"');
    // all of ACME's lines, on any month's board: November's has the Health Net line, in force then
    const november = (await boardRows(w.db.pool, { userId: 0, email: NEW, role: 'liaison', csrf: '' }, '2026-11', {}, w.config.PLAN_TIME_ZONE, JANUARY, deadlinePolicyFromConfig(w.config))).rows;
    expect(november.filter((r) => r.provider === 'ACME').map((r) => `${r.program}|${r.lob}`)).toEqual(['ECM|HN', 'ECM|CV']);
    // and other@, ACME's and RIVAL's own liaison (the stand-in of a contract naming none), sees
    // neither: every contract in force names its own liaison
    const other = await login(USERS.other);
    expect((await get(other, '/providers/RIVAL')).statusCode).toBe(404);
    expect((await get(other, '/providers/ACME')).statusCode).toBe(404);
  });

  it('a contract in force naming no liaison of its own is the provider\'s own liaison\'s to see', async () => {
    time.set(JANUARY);
    await w.db.pool.query(`update provider_contracts set liaison_email = null where provider_code = 'RIVAL' and lob = 'CV'`);
    expect((await get(await login(USERS.other), '/providers/RIVAL')).statusCode).toBe(200);
  });

  it('a renewal (the row again with contract_end blank) lets the contract\'s liaison see the provider again', async () => {
    time.set(JANUARY);
    await w.db.pool.query(`delete from provider_contracts where provider_code = 'RIVAL' and lob = 'CV'`);
    const other = await login(USERS.other);
    await w.db.pool.query(`update provider_contracts set liaison_email = $1 where provider_code = 'RIVAL'`, [USERS.other]);
    expect((await get(other, '/providers/RIVAL')).statusCode).toBe(404);
    const s = await importProviders(w, 'providers-renewal.csv', [`${RIVAL},HN,ECM,5595550200,ops@rival.example,${USERS.other},`], '2027-01-06T16:00:00Z', HEADER);
    expect(s, JSON.stringify(s.rejects)).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect((await get(other, `/submissions/${seed.rivalSubmission}`)).statusCode).toBe(200);
  });
});

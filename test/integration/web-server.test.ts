// The web pages on a real database and sFTP server, through fastify's inject (the same request
// handling as over a socket): who sees what for every role and page, the access log, CSRF on
// every POST, session expiry on the injected clock, login throttling, and the headers.
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { createLogger, log } from '../../src/log.js';
import { buildWebApp, startWebServer, type WebServer } from '../../src/web/server.js';
import { rtf, rtfRow } from '../helpers/provider-files.js';
import { ACME_MEMBER, movableClock, PASSWORD, RIVAL_MEMBER, seedWebWorld, USERS, WEB_NOW, WEB_SETTINGS, type WebSeed } from '../helpers/web.js';
import { closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;
let seed: WebSeed;
let app: FastifyInstance;
const time = movableClock();
const CIN = /\b\d{8}[A-Z]\b/;

beforeAll(async () => {
  w = await openPlanWorld('web', { csAuthorizations: true, settings: WEB_SETTINGS });
  seed = await seedWebWorld(w);
  app = await buildWebApp({ pool: w.db.pool, config: w.config, now: time.clock, openSession: () => w.sftp.openSession() });
});
afterAll(async () => {
  await app?.close();
  await closePlanWorld(w);
});

/** The cookies a response sets, as a Cookie header value merged over `jar`. */
function cookies(res: LightMyRequestResponse, jar: Record<string, string> = {}): Record<string, string> {
  const out = { ...jar };
  for (const c of res.cookies) {
    if (c.value === '' || (c.expires && c.expires.getTime() < Date.UTC(2000, 0, 1))) delete out[c.name];
    else out[c.name] = c.value;
  }
  return out;
}
const header = (jar: Record<string, string>) => Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ');
const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1];

async function loginForm(): Promise<{ jar: Record<string, string>; csrf: string }> {
  const res = await app.inject({ method: 'GET', url: '/login' });
  expect(res.statusCode).toBe(200);
  return { jar: cookies(res), csrf: csrfOf(res.body)! };
}

async function tryLogin(email: string, password: string, ip = '10.0.0.1'): Promise<LightMyRequestResponse> {
  const f = await loginForm();
  return app.inject({ method: 'POST', url: '/login', remoteAddress: ip, headers: { cookie: header(f.jar) }, payload: { _csrf: f.csrf, email, password, next: '/' } });
}

interface Session { jar: Record<string, string>; csrf: string }

async function login(email: string): Promise<Session> {
  const res = await tryLogin(email, PASSWORD);
  expect(res.statusCode, res.body).toBe(303);
  const jar = cookies(res);
  expect(jar.cx_session).toBeTruthy();
  const home = await app.inject({ method: 'GET', url: '/', headers: { cookie: header(jar) } });
  expect(home.statusCode).toBe(200);
  return { jar, csrf: csrfOf(home.body)! };
}

const get = (s: Session | undefined, url: string) => app.inject({ method: 'GET', url, headers: s ? { cookie: header(s.jar) } : {} });
const post = (s: Session | undefined, url: string, payload: Record<string, string>) =>
  app.inject({ method: 'POST', url, headers: s ? { cookie: header(s.jar) } : {}, payload });
const count = async (sql: string, params: unknown[] = []) => (await w.db.pool.query<{ n: number }>(`select count(*)::int n from (${sql}) x`, params)).rows[0]!.n;

describe('who sees what', () => {
  const sessions: Partial<Record<'liaison' | 'ops' | 'auditor', Session>> = {};
  beforeAll(async () => {
    time.set(WEB_NOW);
    sessions.liaison = await login(USERS.liaison);
    sessions.ops = await login(USERS.ops);
    sessions.auditor = await login(USERS.auditor);
  });

  const pages = () => ({
    board: '/',
    ownProvider: '/providers/ACME',
    otherProvider: '/providers/RIVAL',
    ownSubmission: `/submissions/${seed.acmeSubmission}`,
    otherSubmission: `/submissions/${seed.rivalSubmission}`,
    ownOriginal: `/submissions/${seed.acmeSubmission}/original`,
    ownResponse: `/submissions/${seed.acmeSubmission}/response`,
    otherOriginal: `/submissions/${seed.rivalSubmission}/original`,
    otherResponse: `/submissions/${seed.rivalSubmission}/response`,
    runs: '/runs',
  });
  const ALLOWED: Record<'liaison' | 'ops' | 'auditor', Record<keyof ReturnType<typeof pages>, boolean>> = {
    liaison: { board: true, ownProvider: true, otherProvider: false, ownSubmission: true, otherSubmission: false, ownOriginal: true, ownResponse: true, otherOriginal: false, otherResponse: false, runs: false },
    ops: { board: true, ownProvider: true, otherProvider: true, ownSubmission: true, otherSubmission: true, ownOriginal: true, ownResponse: true, otherOriginal: true, otherResponse: true, runs: true },
    auditor: { board: true, ownProvider: true, otherProvider: true, ownSubmission: true, otherSubmission: true, ownOriginal: true, ownResponse: true, otherOriginal: true, otherResponse: true, runs: true },
  };

  for (const role of ['liaison', 'ops', 'auditor'] as const) {
    it(`${role}: each page answered 200 or 404 as the role allows; a 404 shows no member data`, async () => {
      for (const [name, url] of Object.entries(pages())) {
        const res = await get(sessions[role], url);
        const allowed = ALLOWED[role][name as keyof ReturnType<typeof pages>];
        expect(res.statusCode, `${role} ${name} ${url}`).toBe(allowed ? 200 : 404);
        if (!allowed) {
          expect(res.body).not.toMatch(CIN);
          expect(res.body).not.toContain(RIVAL_MEMBER.last);
          expect(res.body).toContain('There is no such page.');
        }
      }
    });
  }

  it('a denied page looks exactly like a page that does not exist', async () => {
    const denied = await get(sessions.liaison, `/submissions/${seed.rivalSubmission}`);
    const missing = await get(sessions.liaison, '/submissions/999999');
    expect(denied.statusCode).toBe(404);
    expect(denied.body).toBe(missing.body);
  });

  it('anonymous: every page redirects to the login form, with no member data', async () => {
    for (const url of [...Object.values(pages()), '/no-such-page']) {
      const res = await get(undefined, url);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location).toMatch(/^\/login/);
      expect(res.body).not.toMatch(CIN);
    }
    const res = await get(undefined, `/submissions/${seed.acmeSubmission}`);
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(`/submissions/${seed.acmeSubmission}`)}`);
  });

  it("the liaison's board lists only their providers; ops and the auditor see all, and can filter by liaison", async () => {
    const mine = (await get(sessions.liaison, '/')).body;
    expect(mine).toContain('href="/providers/ACME"');
    expect(mine).toContain('href="/providers/HOMEWAY"');
    expect(mine).not.toContain('RIVAL');
    expect(mine).not.toContain('name="liaison"');
    const all = (await get(sessions.auditor, '/')).body;
    expect(all).toContain('href="/providers/RIVAL"');
    const filtered = (await get(sessions.auditor, `/?liaison=${encodeURIComponent('other@plan.example')}`)).body;
    expect(filtered).toContain('href="/providers/RIVAL"');
    expect(filtered).not.toContain('href="/providers/ACME"');
  });

  it('the board shows November: the MIF sent, the RTF on time, RIVAL rejected, the rest owed missing; filters by state and line', async () => {
    const body = (await get(sessions.ops, '/')).body;
    expect(body).toContain('Month board: 11/2026');
    const row = (provider: string, lob: string) => {
      const m = new RegExp(`href="/providers/${provider}">${provider}</a>.*?<td>${lob}</td>([\\s\\S]*?)</tr>`).exec(body.replace(/\n/g, ' '));
      return [...(m?.[1] ?? '').matchAll(/<td class="(?:cell state-([\w-]+)|na)"/g)].map((x) => x[1] ?? 'n/a');
    };
    // columns MIF, CSASF, RTF, OTF, CSPRTF
    expect(row('ACME', 'HN')).toEqual(['sent', 'n/a', 'on-time', 'missing', 'n/a']);
    // a line is owed until a file has rows of it accepted (the missing-file digest's rule):
    // ACME's RTF carried CalViva, but its one CV row was rejected, and the cell says so; RIVAL's
    // CV row came under a line RIVAL has no contract for
    expect(row('ACME', 'CV')).toEqual(['sent', 'n/a', 'missing', 'missing', 'n/a']);
    expect(body.replace(/\n/g, ' ')).toMatch(/no accepted rows for CV \(rows \d+ accepted, [1-9]\d* rejected\)/);
    expect(row('RIVAL', 'HN')).toEqual(['sent', 'n/a', 'rejected', 'missing', 'n/a']);
    // no CSASF was sent to HOMEWAY: no members to report on, so no CSPRTF is owed (owedLines)
    expect(row('HOMEWAY', 'HN')).toEqual(['n/a', 'not-sent', 'n/a', 'n/a', 'n/a']);
    expect(body).toContain(`href="/submissions/${seed.acmeSubmission}"`);
    const rejected = (await get(sessions.ops, '/?state=rejected')).body;
    expect(rejected).toContain('href="/providers/RIVAL"');
    expect(rejected).not.toContain('href="/providers/ACME"');
    const cs = (await get(sessions.ops, '/?program=CS&lob=CV')).body;
    expect(cs).toContain('href="/providers/HOMEWAY"');
    expect(cs).not.toContain('href="/providers/MEALS"');
    const october = (await get(sessions.ops, '/?period=2026-10')).body;
    expect(october).toContain('Month board: 10/2026');
    expect(october).not.toContain('cell state-on-time');
    // the first MIF went out on November 15th: nothing was owed for October
    expect(october).not.toContain('cell state-missing');
    expect(october).toContain('cell state-not-sent');
  });

  it('the submission page shows the rejected row with its member, grouped by code with how to fix it; sortable', async () => {
    const res = await get(sessions.liaison, `/submissions/${seed.acmeSubmission}`);
    expect(res.body).toContain(ACME_MEMBER.cin);
    expect(res.body).toContain(`${ACME_MEMBER.last}, ${ACME_MEMBER.first}`);
    expect(res.body).toContain('LOB_NOT_CONTRACTED');
    expect(res.body).toContain('PARTIALLY_ACCEPTED');
    expect(res.body).toContain(`href="/submissions/${seed.acmeSubmission}/response"`);
    expect(res.body).not.toContain(RIVAL_MEMBER.cin);
    // no reprocess form for a liaison
    expect(res.body).not.toContain('/reprocess');
    const byCode = await get(sessions.liaison, `/submissions/${seed.acmeSubmission}?sort=code`);
    expect(byCode.body).toContain('<strong>code</strong>');
  });

  it('downloads are the stored bytes, as attachments', async () => {
    const stored = (await w.db.pool.query<{ original: Buffer; response: Buffer; response_name: string }>(
      `select o.bytes original, r.bytes response, s.response_name from submissions s join file_blobs o on o.sha256 = s.sha256 join file_blobs r on r.sha256 = s.response_sha256 where s.id = $1`,
      [seed.acmeSubmission],
    )).rows[0]!;
    const res = await get(sessions.liaison, `/submissions/${seed.acmeSubmission}/response`);
    expect(res.rawPayload.equals(stored.response)).toBe(true);
    expect(res.headers['content-disposition']).toContain(`filename="${stored.response_name}"`);
    expect(res.headers['cache-control']).toBe('no-store');
    const orig = await get(sessions.liaison, `/submissions/${seed.acmeSubmission}/original`);
    expect(orig.rawPayload.equals(stored.original)).toBe(true);
    expect(orig.headers['content-type']).toBe('application/octet-stream');
  });

  it('every view of member data is in the access log, and so is every refused attempt; the log cannot be changed', async () => {
    const since = (await w.db.pool.query<{ n: number }>('select coalesce(max(id), 0)::int n from access_log')).rows[0]!.n;
    const liaisonId = (await w.db.pool.query<{ id: number }>(`select id from web_users where email = $1`, [USERS.liaison])).rows[0]!.id;
    await get(sessions.liaison, `/submissions/${seed.acmeSubmission}`);
    await get(sessions.liaison, `/submissions/${seed.acmeSubmission}/response`);
    await get(sessions.liaison, `/submissions/${seed.rivalSubmission}`);
    await get(sessions.liaison, '/providers/RIVAL');
    const rows = (await w.db.pool.query(`select user_id, email, provider_code, submission_id, page, denied from access_log where id > $1 order by id`, [since])).rows;
    expect(rows).toEqual([
      { user_id: liaisonId, email: USERS.liaison, provider_code: 'ACME', submission_id: seed.acmeSubmission, page: 'submission', denied: false },
      { user_id: liaisonId, email: USERS.liaison, provider_code: 'ACME', submission_id: seed.acmeSubmission, page: 'response', denied: false },
      { user_id: liaisonId, email: USERS.liaison, provider_code: 'RIVAL', submission_id: seed.rivalSubmission, page: 'submission', denied: true },
      { user_id: liaisonId, email: USERS.liaison, provider_code: 'RIVAL', submission_id: null, page: 'provider', denied: true },
    ]);
    // the board, provider page and runs show no member data: not recorded
    const before = await count('select 1 from access_log');
    await get(sessions.ops, '/');
    await get(sessions.ops, '/providers/ACME');
    await get(sessions.ops, '/runs');
    expect(await count('select 1 from access_log')).toBe(before);
    await expect(w.db.pool.query(`update access_log set denied = false`)).rejects.toThrow(/append-only/);
    await expect(w.db.pool.query(`delete from access_log`)).rejects.toThrow(/append-only/);
    await expect(w.db.pool.query(`truncate access_log`)).rejects.toThrow(/append-only/);
  });

  it('headers: a CSP with no script or inline style, no framing, no caching of pages', async () => {
    const res = await get(sessions.liaison, `/submissions/${seed.acmeSubmission}`);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).not.toMatch(/<script|style=/i);
    const css = await get(undefined, '/static/app.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/text\/css/);
  });

  it('what a provider typed is shown as text, never as markup', async () => {
    await w.db.pool.query(`update providers set name = '<script>alert(1)</script> & Co' where provider_code = 'MEALS'`);
    const body = (await get(sessions.ops, '/')).body;
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(body).not.toContain('<script>');
  });
});

describe('forms need the session token (CSRF)', () => {
  it('every POST without the token, or with a wrong one, is refused and changes nothing', async () => {
    time.set(WEB_NOW);
    const ops = await login(USERS.ops);
    const runs = await count('select 1 from runs');
    const posts: [string, Record<string, string>][] = [
      [`/submissions/${seed.acmeSubmission}/reprocess`, { reason: 'contract loaded late' }],
      ['/providers/ACME/republish', { kind: 'mif', date: '2026-11-15', reason: 'assignments re-imported' }],
      ['/logout', {}],
    ];
    for (const [url, payload] of posts) {
      for (const token of [undefined, 'forged', ops.csrf.slice(0, -2) + 'xx']) {
        const res = await post(ops, url, token === undefined ? payload : { ...payload, _csrf: token });
        expect(res.statusCode, `${url} ${token}`).toBe(403);
        expect(res.body).toContain('Form expired');
      }
    }
    expect(await count('select 1 from runs')).toBe(runs);
    // still logged in: the logout without a token did not happen
    expect((await get(ops, '/')).statusCode).toBe(200);
    // another session's token is not this one's
    const other = await login(USERS.ops);
    expect(other.csrf).not.toBe(ops.csrf);
    expect((await post(ops, '/providers/ACME/republish', { kind: 'mif', date: '2026-11-15', reason: 'x', _csrf: other.csrf })).statusCode).toBe(403);
  });

  it('the login form too: without its token, nobody is logged in', async () => {
    const f = await loginForm();
    const noToken = await app.inject({ method: 'POST', url: '/login', headers: { cookie: header(f.jar) }, payload: { email: USERS.ops, password: PASSWORD } });
    expect(noToken.statusCode).toBe(403);
    expect(cookies(noToken).cx_session).toBeUndefined();
    const noCookie = await app.inject({ method: 'POST', url: '/login', payload: { _csrf: f.csrf, email: USERS.ops, password: PASSWORD } });
    expect(noCookie.statusCode).toBe(403);
    expect(cookies(noCookie).cx_session).toBeUndefined();
  });

  it("a second load of the login form (another tab, the browser's favicon request) keeps the first form valid", async () => {
    const first = await loginForm();
    const again = await app.inject({ method: 'GET', url: '/login', headers: { cookie: header(first.jar) } });
    const jar = cookies(again, first.jar);
    const res = await app.inject({ method: 'POST', url: '/login', remoteAddress: '10.0.5.1', headers: { cookie: header(jar) }, payload: { _csrf: first.csrf, email: USERS.auditor, password: PASSWORD } });
    expect(res.statusCode).toBe(303);
    const favicon = await get(undefined, '/favicon.ico');
    expect(favicon.statusCode).toBe(404);
  });

  it('an anonymous POST is sent to the login form', async () => {
    const res = await post(undefined, `/submissions/${seed.acmeSubmission}/reprocess`, { reason: 'x' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login');
  });
});

describe('ops actions', () => {
  it('a liaison or an auditor with a valid token still cannot reprocess or republish', async () => {
    time.set(WEB_NOW);
    const runs = await count('select 1 from runs');
    for (const email of [USERS.liaison, USERS.auditor]) {
      const s = await login(email);
      expect((await post(s, `/submissions/${seed.acmeSubmission}/reprocess`, { reason: 'x', _csrf: s.csrf })).statusCode).toBe(404);
      expect((await post(s, '/providers/ACME/republish', { kind: 'mif', date: '2026-11-15', reason: 'x', _csrf: s.csrf })).statusCode).toBe(404);
    }
    expect(await count('select 1 from runs')).toBe(runs);
  });

  it('ops: a reason is required; a refused reprocess says why; a reprocess makes a new, linked attempt', async () => {
    time.set(WEB_NOW);
    const ops = await login(USERS.ops);
    const url = `/submissions/${seed.acmeSubmission}/reprocess`;
    const blank = await post(ops, url, { reason: '   ', _csrf: ops.csrf });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain('A reason is required');
    const refused = await post(ops, `/submissions/${seed.rivalSubmission + 100}/reprocess`, { reason: 'x', _csrf: ops.csrf });
    expect(refused.statusCode).toBe(404);
    const done = await post(ops, url, { reason: 'ACME CalViva contract loaded late', _csrf: ops.csrf });
    expect(done.statusCode, done.body).toBe(303);
    const newId = Number(/^\/submissions\/(\d+)$/.exec(String(done.headers.location))![1]);
    expect(newId).toBeGreaterThan(seed.rivalSubmission);
    const page = await get(ops, `/submissions/${newId}`);
    expect(page.body).toContain(`Reprocesses <a href="/submissions/${seed.acmeSubmission}">#${seed.acmeSubmission}</a>: ACME CalViva contract loaded late`);
    expect(page.body).toMatch(/ACCEPTED/);
    const run = (await w.db.pool.query(`select job, trigger, reason, status from runs where job = 'reprocess'`)).rows;
    expect(run).toEqual([{ job: 'reprocess', trigger: 'manual', reason: 'ACME CalViva contract loaded late', status: 'SUCCEEDED' }]);
    const again = await post(ops, url, { reason: 'again', _csrf: ops.csrf });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain(`already reprocessed as submission ${newId}`);
    // the runs page shows the attempt
    expect((await get(ops, '/runs')).body).toContain('ACME CalViva contract loaded late');
  });

  it('ops: republish puts a new version next to the old MIF, with its reason', async () => {
    const ops = await login(USERS.ops);
    const res = await post(ops, '/providers/RIVAL/republish', { kind: 'mif', date: '2026-11-15', reason: 'a member was left out', _csrf: ops.csrf });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('mif slot 2026-11-15 republished');
    expect(res.body).toContain('(republished: a member was left out)');
    const nothing = await post(ops, '/providers/HOMEWAY/republish', { kind: 'mif', date: '2026-11-15', reason: 'x', _csrf: ops.csrf });
    expect(nothing.statusCode).toBe(409);
    expect(nothing.body).toContain('nothing was published to HOMEWAY');
  });

  it('ops: republish of a slot after today (the pages\' clock) is refused, nothing recorded: no file ahead of its day', async () => {
    time.set(WEB_NOW); // 2026-12-06 in the plan time zone
    const ops = await login(USERS.ops);
    const runs = await count('select 1 from runs');
    const res = await post(ops, '/providers/RIVAL/republish', { kind: 'mif', date: '2026-12-20', reason: 'typo for November', _csrf: ops.csrf });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.body).toContain('Not republished: the mif slot 2026-12-15 is in the future (today is 2026-12-06 in the plan time zone)');
    expect(await count('select 1 from runs')).toBe(runs);
  });
});

describe('the runs page', () => {
  it('shows the newest attempts a page at a time; "Older runs" reaches every earlier one, none twice, the job filter kept', async () => {
    time.set(WEB_NOW);
    const ops = await login(USERS.ops);
    // 250 attempts of one slot-per-minute job, two of them started at the same instant (ties go by id)
    await w.db.pool.query(
      `insert into runs (job, slot, status, trigger, owner, started_at, finished_at)
       select 'notify', 'page-' || g, 'SUCCEEDED', 'cron', 'test', t, t
         from generate_series(1, 250) g, lateral (select timestamptz '2026-10-01T00:00:00Z' + make_interval(mins => case when g = 2 then 1 else g end) t) x`,
    );
    const ids = (await w.db.pool.query<{ id: string }>(`select id from runs where job = 'notify' and slot like 'page-%' order by started_at desc, id desc`)).rows.map((r) => Number(r.id));
    expect(ids).toHaveLength(250);
    const shown = (body: string) => [...body.matchAll(/<tr class="run-[a-z]+"><td>(\d+)<\/td><td><a href="\/runs\?job=notify">notify<\/a><\/td><td>page-/g)].map((m) => Number(m[1]));
    const older = (body: string) => /<a rel="next" href="(\/runs\?[^"]+)">Older runs<\/a>/.exec(body)?.[1]?.replace(/&amp;/g, '&');
    const seen: number[] = [];
    let url: string | undefined = '/runs?job=notify';
    let pages = 0;
    while (url) {
      const res = await get(ops, url);
      expect(res.statusCode, url).toBe(200);
      const rows = shown(res.body);
      expect(rows.length, url).toBeLessThanOrEqual(100);
      if (pages > 0) expect(res.body).toContain('Newest runs');
      seen.push(...rows);
      url = older(res.body);
      if (url) expect(url).toMatch(/^\/runs\?job=notify&before=\d+$/);
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
    // past the last attempt: an empty page that says so
    const past = await get(ops, `/runs?job=notify&before=${ids[ids.length - 1]}`);
    expect(past.statusCode).toBe(200);
    expect(past.body).toContain('No older run.');
    expect(older(past.body)).toBeUndefined();
  });

  it('a cursor that is not a run number is refused with a plain 400 page', async () => {
    const ops = await login(USERS.ops);
    for (const before of ['abc', '1.5', '0', '-1', '1e3', '99999999999999999999']) {
      const res = await get(ops, `/runs?before=${encodeURIComponent(before)}`);
      expect.soft(res.statusCode, before).toBe(400);
      expect.soft(res.body, before).toContain('Older runs are listed before a run number');
    }
    const auditor = await login(USERS.auditor);
    expect((await get(auditor, '/runs?before=1')).statusCode).toBe(200);
    const liaison = await login(USERS.liaison);
    expect((await get(liaison, '/runs?before=1')).statusCode).toBe(404);
  });
});

describe('a filter or an order a page does not have is refused, never dropped', () => {
  // each was answered 200 with every run, the default order or every provider, under a link that
  // asked for something else (as the board's period and filters were before)
  it('runs ?job=<not a job>, a job given twice; a submission ?sort=<not an order>; the board ?liaison given twice: a plain 400', async () => {
    time.set(WEB_NOW);
    const ops = await login(USERS.ops);
    for (const [url, says] of [
      ['/runs?job=nope', 'There is no such job'],
      ['/runs?job=toString', 'There is no such job'],
      ['/runs?job=notify&job=mif', 'There is no such job'],
      [`/submissions/${seed.acmeSubmission}?sort=nope`, 'There is no such order'],
      [`/submissions/${seed.acmeSubmission}?sort=constructor`, 'There is no such order'],
      [`/submissions/${seed.acmeSubmission}?sort=code&sort=count`, 'There is no such order'],
      ['/?liaison=a@plan.example&liaison=b@plan.example', 'The board has no such liaison'],
    ] as const) {
      const res = await get(ops, url);
      expect.soft(res.statusCode, url).toBe(400);
      expect.soft(res.body, url).toContain(says);
      expect.soft(res.body, url).not.toMatch(CIN);
    }
    // what the pages' own links and forms send is still answered
    for (const url of ['/runs?job=', '/runs?job=mif', `/submissions/${seed.acmeSubmission}?sort=`, `/submissions/${seed.acmeSubmission}?sort=count`, '/?liaison=', `/?liaison=${encodeURIComponent(USERS.liaison)}`])
      expect.soft((await get(ops, url)).statusCode, url).toBe(200);
    // a liaison asking for a submission of a provider they may not see: 404 as ever, whatever the order
    const liaison = await login(USERS.liaison);
    expect((await get(liaison, `/submissions/${seed.rivalSubmission}?sort=count`)).statusCode).toBe(404);
  });
});

describe('bad requests are answered 4xx with a plain page, never 500', () => {
  it('a NUL byte anywhere (path, query, form), a malformed submission number, a date that does not exist: 400 or 404, nothing run', async () => {
    time.set(WEB_NOW);
    const ops = await login(USERS.ops);
    const runs = await count('select 1 from runs');
    const refused = (res: LightMyRequestResponse, what: string, status: number) => {
      // soft: one run lists every request answered wrongly, not just the first
      expect.soft(res.statusCode, what).toBe(status);
      expect.soft(res.body, what).not.toContain('Something went wrong');
    };
    refused(await get(ops, '/providers/%00'), 'GET /providers/%00', 400);
    refused(await get(ops, '/providers/AC%00ME'), 'GET /providers/AC%00ME', 400);
    refused(await get(ops, '/?liaison=a%00b'), 'board ?liaison=NUL', 400);
    for (const period of ['2199-12', '1900-01']) {
      const edge = await get(ops, `/?period=${period}`);
      expect.soft(edge.statusCode, `board ?period=${period}`).toBe(200);
    }
    // a month or a filter the board does not have is refused, never shown as another month or
    // as every provider (the page would say 11/2026 under a link that asked for 2026-13)
    for (const q of ['period=2026-13', 'period=1899-12', 'period=2026-1', 'period=2026-10&period=2026-11', 'program=PACE', 'lob=XX', 'state=toString', 'state=lost']) {
      const res = await get(ops, `/?${q}`);
      refused(res, `board ?${q}`, 400);
      expect.soft(res.body, `board ?${q}`).toContain('The board has no such');
      expect.soft(res.body, `board ?${q}`).not.toContain('Month board:');
    }
    for (const q of ['period=', 'program=&lob=&state=&liaison=', 'period=2026-10&program=CS&lob=CV&state=missing'])
      expect.soft((await get(ops, `/?${q}`)).statusCode, `board ?${q}`).toBe(200);
    const nul = await get(ops, '/providers/%00');
    expect.soft(nul.body).toContain('not allowed');

    const f = await loginForm();
    const badEmail = await app.inject({ method: 'POST', url: '/login', remoteAddress: '10.0.6.1', headers: { cookie: header(f.jar) }, payload: { _csrf: f.csrf, email: 'a\u0000b@x.example', password: PASSWORD } });
    refused(badEmail, 'POST /login email with NUL', 400);
    expect(cookies(badEmail).cx_session).toBeUndefined();
    const g = await loginForm();
    const badNext = await app.inject({ method: 'POST', url: '/login', remoteAddress: '10.0.6.2', headers: { cookie: header(g.jar) }, payload: { _csrf: g.csrf, email: USERS.auditor, password: PASSWORD, next: '/x\u0000' } });
    refused(badNext, 'POST /login next with NUL', 400);
    for (const next of ['/x\u0001', '/日本']) {
      const h = await loginForm();
      const res = await app.inject({ method: 'POST', url: '/login', remoteAddress: '10.0.6.3', headers: { cookie: header(h.jar) }, payload: { _csrf: h.csrf, email: USERS.auditor, password: PASSWORD, next } });
      expect.soft(res.statusCode, `next ${JSON.stringify(next)}`).toBe(303);
      expect.soft(res.headers.location, `next ${JSON.stringify(next)}`).toBe('/');
    }

    for (const id of ['abc', '1.5', '99999999999999999999', '1e3', '0', '-1', `0${seed.acmeSubmission}`])
      refused(await post(ops, `/submissions/${id}/reprocess`, { reason: 'x', _csrf: ops.csrf }), `reprocess ${id}`, 404);
    // a submission has one address: its number as written everywhere, never with a leading zero
    for (const url of [`/submissions/0${seed.acmeSubmission}`, `/submissions/00${seed.acmeSubmission}/original`, `/submissions/0${seed.acmeSubmission}/response`])
      refused(await get(ops, url), `GET ${url}`, 404);
    expect((await get(ops, `/submissions/${seed.acmeSubmission}`)).statusCode).toBe(200);
    refused(await post(ops, `/submissions/${seed.acmeSubmission}/reprocess`, { reason: 'a\u0000b', _csrf: ops.csrf }), 'reprocess reason with NUL', 400);
    for (const [kind, date] of [['mini-mif', '2026-02-30'], ['mif', '9999-12-31'], ['mif', '0000-01-01'], ['csasf', '2026-13-01'], ['csasf', '1900-01-05']]) {
      const res = await post(ops, '/providers/ACME/republish', { kind: kind!, date: date!, reason: 'x', _csrf: ops.csrf });
      refused(res, `republish ${kind} ${date}`, 400);
      expect.soft(res.body, `republish ${kind} ${date}`).toContain('Choose a file kind and a day of the slot');
    }
    refused(await post(ops, '/providers/%00/republish', { kind: 'mif', date: '2026-11-15', reason: 'x', _csrf: ops.csrf }), 'republish provider NUL', 400);
    expect(await count('select 1 from runs')).toBe(runs);
  });
});

describe('a path the router cannot read', () => {
  it('bad percent-encoding or an over-long code: a plain 4xx page with every header, the path not echoed', async () => {
    time.set(WEB_NOW);
    const ops = await login(USERS.ops);
    const long = `/providers/${'A'.repeat(200)}`;
    for (const [s, url, status] of [[ops, '/providers/%E0%A4%A', 400], [undefined, '/submissions/%E0%A4%A', 400], [ops, long, 414], [undefined, long, 414]] as const) {
      const res = await get(s, url);
      const what = `${s ? 'ops' : 'anonymous'} ${url.slice(0, 30)}`;
      expect.soft(res.statusCode, what).toBe(status);
      expect.soft(res.headers['content-type'], what).toMatch(/^text\/html/);
      expect.soft(res.body, what).toContain('Request refused');
      expect.soft(res.body, what).not.toContain('FST_ERR');
      expect.soft(res.body, what).not.toContain(url.slice(1, 20));
      expect.soft(res.headers['content-security-policy'], what).toContain("script-src 'none'");
      expect.soft(res.headers['x-frame-options'], what).toBe('DENY');
      expect.soft(res.headers['cache-control'], what).toBe('no-store');
    }
  });
});

describe('sessions and logins', () => {
  it('a session ends after WEB_SESSION_IDLE_MINUTES without use, and after WEB_SESSION_MAX_HOURS however used', async () => {
    time.set(WEB_NOW);
    const s = await login(USERS.auditor);
    time.advance(29 * 60_000);
    expect((await get(s, '/')).statusCode).toBe(200);
    time.advance(29 * 60_000); // 29 minutes since the last use: still fine
    expect((await get(s, '/')).statusCode).toBe(200);
    time.advance(30 * 60_000 + 1);
    const idle = await get(s, '/');
    expect(idle.statusCode).toBe(303);
    expect(idle.headers.location).toBe('/login');

    time.set(WEB_NOW);
    const busy = await login(USERS.auditor);
    for (let i = 0; i < 12 * 3 - 1; i++) {
      time.advance(20 * 60_000);
      expect((await get(busy, '/')).statusCode, `after ${(i + 1) * 20} minutes`).toBe(200);
    }
    time.advance(20 * 60_000); // 12 hours after login
    expect((await get(busy, '/')).statusCode).toBe(303);
    expect(await count(`select 1 from web_sessions s join web_users u on u.id = s.user_id where u.email = $1 and s.expires_at > $2`, [USERS.auditor, time.clock()])).toBe(0);
  });

  it('logging out ends the session', async () => {
    time.set(WEB_NOW);
    const s = await login(USERS.auditor);
    const out = await post(s, '/logout', { _csrf: s.csrf });
    expect(out.statusCode).toBe(303);
    expect((await get(s, '/')).statusCode).toBe(303);
  });

  it('one message for an unknown email and a wrong password; a disabled account cannot log in', async () => {
    time.set(new Date(WEB_NOW.getTime() + 86_400_000));
    const unknown = await tryLogin('nobody@plan.example', PASSWORD, '10.0.1.1');
    const wrong = await tryLogin(USERS.auditor, 'not the password', '10.0.1.2');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.body).toContain('The email or password is incorrect.');
    expect(wrong.body).toContain('The email or password is incorrect.');
    const s = await login(USERS.other);
    await w.db.pool.query(`update web_users set disabled = true where email = $1`, [USERS.other]);
    expect((await get(s, '/')).statusCode).toBe(303);
    expect((await tryLogin(USERS.other, PASSWORD, '10.0.1.3')).statusCode).toBe(401);
    await w.db.pool.query(`update web_users set disabled = false where email = $1`, [USERS.other]);
  });

  it('after WEB_LOGIN_MAX_FAILURES wrong passwords the account is refused, even the right password, until the window passes', async () => {
    time.set(new Date(WEB_NOW.getTime() + 2 * 86_400_000));
    for (let i = 0; i < 5; i++) expect((await tryLogin(USERS.ops, `wrong ${i}`, '10.0.2.1')).statusCode).toBe(401);
    const blocked = await tryLogin(USERS.ops, PASSWORD, '10.0.2.2');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.body).toContain('Too many failed logins');
    expect(cookies(blocked).cx_session).toBeUndefined();
    // another account from another address is not affected
    expect((await tryLogin(USERS.auditor, PASSWORD, '10.0.2.3')).statusCode).toBe(303);
    time.advance(15 * 60_000 + 1);
    expect((await tryLogin(USERS.ops, PASSWORD, '10.0.2.2')).statusCode).toBe(303);
  });

  it('one address trying many accounts is refused after four times the limit', async () => {
    time.set(new Date(WEB_NOW.getTime() + 3 * 86_400_000));
    for (let i = 0; i < 20; i++) expect((await tryLogin(`guess${i}@plan.example`, 'x', '10.0.3.1')).statusCode).toBe(401);
    expect((await tryLogin(USERS.auditor, PASSWORD, '10.0.3.1')).statusCode).toBe(429);
    expect((await tryLogin(USERS.auditor, PASSWORD, '10.0.3.2')).statusCode).toBe(303);
  });

  it('after login the user lands where they were going, never on another site', async () => {
    const f = await loginForm();
    for (const [next, to] of [[`/submissions/${seed.acmeSubmission}`, `/submissions/${seed.acmeSubmission}`], ['//evil.example/x', '/'], ['https://evil.example', '/']]) {
      const g = await loginForm();
      const res = await app.inject({ method: 'POST', url: '/login', remoteAddress: '10.0.4.1', headers: { cookie: header(g.jar) }, payload: { _csrf: g.csrf, email: USERS.auditor, password: PASSWORD, next } });
      expect(res.headers.location, next).toBe(to);
    }
    expect(f.csrf).toBeTruthy();
  });
});

describe("a member of another provider's, named in a provider's file", () => {
  it("the submission page shows the CIN the provider sent, never the plan's record of a member who is not that provider's", async () => {
    time.set(WEB_NOW);
    // ACME's file names RIVAL's member (a mistyped CIN, or a member it does not have): rejected
    const done = await ingestFile({ pool: w.db.pool, config: w.config }, {
      provider: 'ACME', originalName: 'RTF_ACME_202611_other.xlsx', receivedAt: new Date('2026-12-04T17:00:00Z'), source: 'cli',
      bytes: await rtf([rtfRow({ cin: RIVAL_MEMBER.cin, lastName: 'Typed', firstName: 'Name' })]),
    });
    expect(done.document.issues.map((i) => i.code)).toContain('MEMBER_NOT_ASSIGNED');
    for (const who of [USERS.liaison, USERS.ops]) {
      const page = await get(await login(who), `/submissions/${done.submissionId}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(RIVAL_MEMBER.cin);
      expect(page.body).not.toContain(`${RIVAL_MEMBER.last}, ${RIVAL_MEMBER.first}`);
      expect(page.body).toContain('not a member of ACME');
    }
    // the provider's own member is still named (the seeded submission)
    const own = await get(await login(USERS.liaison), `/submissions/${seed.acmeSubmission}`);
    expect(own.body).toContain(`${ACME_MEMBER.last}, ${ACME_MEMBER.first}`);
  });
});

describe('the provider page in the plan time zone', () => {
  it("lists the submissions received since the first day of its 13 months there, not since that day's UTC midnight", async () => {
    time.set(WEB_NOW);
    // the page shows 2025-11 to 2026-11: Oct 31 at 18:00 in Los Angeles is 01:00 UTC on Nov 1
    const receive = async (name: string, at: string) => (await ingestFile({ pool: w.db.pool, config: w.config }, {
      provider: 'ACME', originalName: name, receivedAt: new Date(at), source: 'cli', bytes: await rtf([rtfRow()]),
    })).submissionId;
    const october = await receive('RTF_ACME_202509_lastday.xlsx', '2025-11-01T01:00:00Z');
    const november = await receive('RTF_ACME_202510_firstday.xlsx', '2025-11-01T07:00:00Z');
    const page = (await get(await login(USERS.ops), '/providers/ACME')).body;
    expect(page).toContain('Submissions since 2025-11');
    expect(page).toContain(`href="/submissions/${november}"`);
    expect(page).not.toContain(`href="/submissions/${october}"`);
  });
});

describe('a method a page does not take (over a real socket)', () => {
  // Each was 404 "There is no such page." (or, signed out, a redirect to the login form): the
  // page exists, and a client (a script, a proxy's health check) is told which methods it takes.
  let server: WebServer;
  beforeAll(async () => {
    server = await startWebServer({ pool: w.db.pool, config: w.config, now: time.clock, openSession: () => w.sftp.openSession() }, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Logs in over the socket (this server signs its own cookies): the Cookie header of the session. */
  async function socketLogin(email: string): Promise<string> {
    const form = await fetch(`${server.url}/login`);
    const jar = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
    const res = await fetch(`${server.url}/login`, {
      method: 'POST', redirect: 'manual', headers: { cookie: jar(form), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfOf(await form.text())!, email, password: PASSWORD, next: '/' }).toString(),
    });
    expect(res.status).toBe(303);
    return jar(res).split('; ').filter((c) => c.startsWith('cx_session=')).join('; ');
  }

  const ROUTES = (): [string, string][] => [
    ['/static/app.css', 'GET, HEAD'],
    ['/login', 'GET, HEAD, POST'],
    ['/logout', 'POST'],
    ['/', 'GET, HEAD'],
    ['/?period=2026-11', 'GET, HEAD'],
    ['/providers/ACME', 'GET, HEAD'],
    [`/submissions/${seed.acmeSubmission}`, 'GET, HEAD'],
    [`/submissions/${seed.acmeSubmission}/original`, 'GET, HEAD'],
    [`/submissions/${seed.acmeSubmission}/response`, 'GET, HEAD'],
    ['/runs', 'GET, HEAD'],
    [`/members/${ACME_MEMBER.cin}`, 'GET, HEAD'],
    [`/members?cin=${ACME_MEMBER.cin}`, 'GET, HEAD'],
    [`/submissions/${seed.acmeSubmission}/reprocess`, 'POST'],
    ['/providers/ACME/republish', 'POST'],
  ];

  for (const signedIn of [false, true]) {
    it(`${signedIn ? 'signed in' : 'signed out'}: 405 with an Allow header naming the page's methods, for every page`, async () => {
      time.set(WEB_NOW);
      const cookie = signedIn ? await socketLogin(USERS.ops) : undefined;
      for (const [url, allow] of ROUTES()) {
        const wrong = ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'GET', 'POST'].filter((m) => !allow.split(', ').includes(m));
        for (const method of wrong) {
          const res = await fetch(`${server.url}${url}`, { method, redirect: 'manual', headers: cookie ? { cookie } : {} });
          expect(res.status, `${method} ${url}`).toBe(405);
          expect(res.headers.get('allow'), `${method} ${url}`).toBe(allow);
          expect(res.headers.get('content-security-policy')).toContain("script-src 'none'");
          const body = await res.text();
          expect(body).toContain('Method not allowed');
          expect(body).not.toMatch(CIN);
        }
      }
    });
  }

  it('a path that is no page stays 404 (or the login form, signed out), whatever the method', async () => {
    const cookie = await socketLogin(USERS.ops);
    for (const method of ['GET', 'POST', 'DELETE']) {
      expect((await fetch(`${server.url}/no-such-page`, { method, redirect: 'manual', headers: { cookie } })).status, method).toBe(404);
      expect((await fetch(`${server.url}/runs/`, { method, redirect: 'manual', headers: { cookie } })).status, method).toBe(404);
      expect((await fetch(`${server.url}/no-such-page`, { method, redirect: 'manual' })).status, method).toBe(303);
    }
  });
});

describe('a request the server cannot read is the client\'s mistake, not the server\'s', () => {
  it('is answered 4xx and logged as a warning, so an alert on error-level logs fires only for the server\'s own failures', async () => {
    const ops = await login(USERS.ops);
    const error = vi.spyOn(log, 'error');
    const warn = vi.spyOn(log, 'warn');
    try {
      const res = await app.inject({
        method: 'POST', url: `/submissions/${seed.acmeSubmission}/reprocess`,
        headers: { cookie: header(ops.jar), 'content-type': 'application/json' }, payload: '{"reason": ',
      });
      expect(res.statusCode).toBe(400);
      expect(error.mock.calls.filter((c) => c[1] === 'web request failed')).toEqual([]);
      const refused = warn.mock.calls.filter((c) => c[1] === 'web request refused').map((c) => c[0] as { status: number; err: unknown });
      expect(refused.map((f) => f.status)).toEqual([400]);
      // what failed survives the log's PHI redaction (its `name` key is redacted everywhere: the
      // line said only err: {name: "[REDACTED]"}, and a 500 could not be told from another)
      const lines: string[] = [];
      createLogger('info', new Writable({ write: (chunk, _enc, cb) => cb(void lines.push(String(chunk))) }) as never).warn(refused[0], 'web request refused');
      expect(JSON.parse(lines[0]!).err).toEqual({ type: 'FastifyError', code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
    } finally {
      error.mockRestore();
      warn.mockRestore();
    }
  });

  it('a body nested thousands deep (well under the size limit), from anyone: 400, where walking it overflowed the stack (500)', async () => {
    const ops = await login(USERS.ops);
    const error = vi.spyOn(log, 'error');
    try {
      const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
      const objects = `${'{"a":'.repeat(10_000)}"x"${'}'.repeat(10_000)}`;
      for (const [what, cookie, url, payload] of [
        ['anonymous POST /login', undefined, '/login', deep],
        ['ops POST /logout', header(ops.jar), '/logout', deep],
        ['ops POST reprocess', header(ops.jar), `/submissions/${seed.acmeSubmission}/reprocess`, objects],
      ] as const) {
        const res = await app.inject({ method: 'POST', url, headers: { ...(cookie ? { cookie } : {}), 'content-type': 'application/json' }, payload });
        expect.soft(res.statusCode, what).toBe(400);
        expect.soft(res.body, what).not.toContain('Something went wrong');
      }
      expect(error.mock.calls.filter((c) => c[1] === 'web request failed')).toEqual([]);
    } finally {
      error.mockRestore();
    }
  });
});

// The web pages (issue 20): fastify, server-rendered HTML and one stylesheet, no script (the
// pages work with JavaScript off, and the CSP allows none). Every page but /login needs a
// session; a liaison sees only the providers they are the liaison of (of any of its contracts in
// force for the period files received today answer: liaisonsWhoMaySee) and is answered 404 for
// any other (the attempt recorded), one whose contract with them has ended too; every view of
// member data is recorded in the append-only access log. The member page (/members/CIN) shows a
// liaison only the parts of a member's story about the providers they may see. Forms carry a
// CSRF token bound to the session.
import { normaliseEmail } from '../email-address.js';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type pg from 'pg';
import { LOB_CODES, PROGRAM_CODES } from '../../schemas/codes.js';
import { notParsedText, parseCin, parseRecordId } from '../../schemas/primitives.js';
import { JOB_NAMES, OPS_ACTIONS } from '../../jobs/index.js';
import { deadlinePolicyFromConfig } from '../calendar/deadlines.js';
import { accessPeriodDate, isPeriod } from '../calendar/period.js';
import { localDate, parseIsoDate, startOfLocalDay } from '../calendar/zone.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { getBlob, storedBlobs } from '../db/blobs.js';
import { checkRepublish, RepublishRefused, slotFor, type OutboundKind } from '../generate/run.js';
import { checkReprocess, ReprocessRefused } from '../ingest/reprocess.js';
import { log } from '../log.js';
import { packageRoot } from '../package-root.js';
import { loadMemberStoryFor } from '../reports/member-story-load.js';
import { recordAccess } from '../repositories/access-log.js';
import { liaisonsWhoMaySee, providerOpenWarnings, providerOutbound, providerProfile, providerTrend } from '../repositories/board.js';
import { findSubmission, listSubmissions, submissionFiles, submissionIssueRows } from '../repositories/submissions.js';
import { deleteExpiredWebSessions, deleteWebSession, findWebSession, insertWebSession, touchWebSession } from '../repositories/web-sessions.js';
import { findWebUser } from '../repositories/web-users.js';
import { listNotifications } from '../repositories/notifications.js';
import { attemptPublications, listRuns } from '../repositories/run-ledger.js';
import { reprocessAsRun, republishAsRun } from '../runs/manual.js';
import { MAX_REASON, normaliseReason } from '../runs/reason.js';
import type { SftpSession } from '../sftp/client.js';
import { checkPassword, csrfToken, hashSessionId, LoginThrottle, newSessionId, tokenMatches } from './auth.js';
import { boardPage, boardPeriod, boardRows, STATES, type BoardFilter } from './board.js';
import type { Html } from './html.js';
import { canSeeAll, canSeeProvider, type Viewer } from './layout.js';
import { MEMBER_PAGE_LIMIT, memberPage } from './member.js';
import { historyStart, historyStartDate, providerPage } from './provider.js';
import { loginPage, messagePage, RUNS_PAGE, runsPage } from './runs.js';
import { ISSUE_ROWS_SHOWN, SORTS, submissionPage, type Sort } from './submission.js';

export interface WebDeps {
  pool: pg.Pool;
  config: Config;
  /** The one clock: session expiry, login throttle, the board's default period, access log times. */
  now: Clock;
  /** Opens an sFTP session for the ops actions (a reprocessed response, a republished file). */
  openSession: () => Promise<SftpSession>;
}

declare module 'fastify' {
  interface FastifyRequest {
    viewer?: Viewer;
  }
}

const SESSION_COOKIE = 'cx_session';
const LOGIN_COOKIE = 'cx_login';
const CSS = fs.readFileSync(path.join(packageRoot(), 'src', 'web', 'app.css'));
const GENERIC_LOGIN_ERROR = 'The email or password is incorrect.';
const KINDS: readonly OutboundKind[] = ['mif', 'mini-mif', 'csasf'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const SECURITY_HEADERS: Record<string, string> = {
  // no script at all, styles only from the stylesheet, never framed, forms only to us
  'content-security-policy': "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

/**
 * Where to go after logging in: a path of ours, never another site ("//evil.example"). Printable
 * ASCII only (what our own percent-encoded URLs are): a control character or a non-Latin-1 one
 * cannot go in a Location header at all.
 */
const safeNext = (v: unknown): string => (typeof v === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(v) && v.length < 500 ? v : '/');

/**
 * A member page's address, or the member search's: it carries a CIN. [POLICY] Never carried on
 * into the login form's address (`?next=`), which a proxy in front logs as any other: signed out,
 * a member page is found again from the board after logging in.
 */
const isMemberUrl = (url: string): boolean => /^\/members(?:[/?#]|$)/.test(url);

/**
 * A member's CIN as asked for (normalised as parseCin does: spaces trimmed, a lower-case letter
 * upper-cased, as `member show` reads its argument), or why it is not one in words that never
 * repeat the value (parseCin's; also for none, or one given twice).
 */
function readCin(v: unknown): { cin: string } | { problem: string } {
  const words = 'Enter one member\'s CIN (8 digits and a letter) in "Member CIN" at the top of the page.';
  if (Array.isArray(v)) return { problem: `One CIN at a time. ${words}` };
  if (typeof v !== 'string' || v.trim() === '') return { problem: `No CIN was given. ${words}` };
  const cin = parseCin(v);
  return cin.ok ? { cin: cin.value } : { problem: `That is not a member's CIN: ${notParsedText(cin)}. ${words}` };
}

/** Deeper than any form of these pages sends (a field holds a string, or a list of them). */
const MAX_REQUEST_DEPTH = 32;

/**
 * What refuses a request's text (path parameters, query, form fields, nested values too): a NUL
 * byte, or nesting deeper than MAX_REQUEST_DEPTH. Walked with a list, not by recursion: a JSON
 * body nested 30,000 deep fits the size limit, and recursing into it overflowed the stack (a 500
 * to anyone, logged as the server's failure).
 */
function refusedText(root: unknown): 'nul' | 'deep' | undefined {
  const todo: [unknown, number][] = [[root, 0]];
  for (let next = todo.pop(); next; next = todo.pop()) {
    const [v, depth] = next;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return 'nul';
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_REQUEST_DEPTH) return 'deep';
      for (const x of Array.isArray(v) ? v : Object.values(v)) todo.push([x, depth + 1]);
    }
  }
  return undefined;
}

/**
 * The submission number of a URL (`/submissions/:id...`), or undefined when it is not one ("abc",
 * "1.5", "1e3", beyond bigint) or not as the number is written ("01"): a submission has one
 * address, the one its links, responses and emails give.
 */
const submissionIdOf = (req: FastifyRequest): number | undefined => {
  const raw = (req.params as { id: string }).id;
  const id = parseRecordId(raw);
  return id.ok && String(id.value) === raw ? id.value : undefined;
};

/** The board's choices from a list, and the values each may take (its form's drop-downs offer the same). */
const BOARD_CHOICES: Record<'program' | 'lob' | 'state', readonly string[]> = { program: PROGRAM_CODES, lob: LOB_CODES, state: Object.keys(STATES) };

/** A form's day: a real calendar date YYYY-MM-DD in the calendar's range (1900-2199), else undefined. */
function formDate(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    parseIsoDate(v);
    return v;
  } catch {
    return undefined;
  }
}

const send = (reply: FastifyReply, body: Html, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(body.value);

/** A filename for Content-Disposition: ASCII fallback plus the exact name (RFC 6266 / 5987). */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export async function buildWebApp(deps: WebDeps): Promise<FastifyInstance> {
  const { pool, config } = deps;
  const secret = config.WEB_COOKIE_SECRET ?? randomBytes(32).toString('base64url');
  const idleMs = config.WEB_SESSION_IDLE_MINUTES * 60_000;
  const maxMs = config.WEB_SESSION_MAX_HOURS * 3_600_000;
  const throttle = new LoginThrottle({
    maxPerEmail: config.WEB_LOGIN_MAX_FAILURES,
    maxPerAddress: config.WEB_LOGIN_MAX_FAILURES * 4,
    windowMs: config.WEB_LOGIN_WINDOW_MINUTES * 60_000,
    now: deps.now,
  });
  const tz = config.PLAN_TIME_ZONE;
  const cookieBase = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: config.WEB_COOKIE_SECURE, signed: true };

  const app = Fastify({
    logger: false, trustProxy: config.WEB_TRUST_PROXY, bodyLimit: 64 * 1024,
    // A path the router cannot read (bad percent-encoding, a parameter over its length) is
    // answered before any route or hook: without this, fastify wrote its own JSON, echoing the
    // path, with none of the security headers. No session is read: the page names no one.
    // (no hook runs for it: the headers are set here)
    frameworkErrors: (err, _req, reply) => {
      const status = (err as { statusCode?: number }).statusCode ?? 400;
      log.warn({ code: err.code, status }, 'web request refused: a path the router cannot read');
      secure('', reply);
      void send(reply, messagePage(undefined, 'Request refused', 'The address could not be read (a character that is not allowed, or a part that is too long). Follow a link from the pages instead.'), status >= 400 && status < 500 ? status : 400);
    },
  });
  await app.register(cookie, { secret });
  await app.register(formbody);

  // Every route's path and methods (HEAD with GET: fastify answers it), to tell a path that is a
  // page asked for with the wrong method (405) from one that is no page (404).
  const routes: { url: string; path: RegExp; methods: Set<string> }[] = [];
  app.addHook('onRoute', (r) => {
    const methods = (Array.isArray(r.method) ? r.method : [r.method]).map((m) => m.toUpperCase());
    const source = `^${r.url.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`;
    const known = routes.find((x) => x.url === r.url);
    const entry = known ?? { url: r.url, path: new RegExp(source), methods: new Set<string>() };
    if (!known) routes.push(entry);
    for (const m of methods) entry.methods.add(m);
    if (entry.methods.has('GET')) entry.methods.add('HEAD');
  });
  /** The methods the page at `url` takes ("GET, HEAD"), or undefined when no page is there. */
  const allowedMethods = (url: string): string | undefined => {
    const pathname = url.split('?')[0]!;
    const found = routes.find((r) => r.path.test(pathname));
    return found && [...found.methods].sort().join(', ');
  };

  function secure(url: string, reply: FastifyReply) {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    if (config.WEB_COOKIE_SECURE) reply.header('strict-transport-security', 'max-age=31536000');
    // pages and downloads may carry member data: never kept by a browser or a proxy
    if (!url.startsWith('/static/')) reply.header('cache-control', 'no-store');
  }
  app.addHook('onSend', async (req, reply) => secure(req.url, reply));

  async function viewerOf(req: FastifyRequest): Promise<{ viewer: Viewer; hash: string } | undefined> {
    const raw = req.cookies[SESSION_COOKIE];
    if (!raw) return undefined;
    const unsigned = req.unsignCookie(raw);
    if (!unsigned.valid || !unsigned.value) return undefined;
    const hash = hashSessionId(unsigned.value);
    const s = await findWebSession(pool, hash);
    const now = deps.now();
    if (!s) return undefined;
    if (s.disabled || s.expiresAt.getTime() <= now.getTime()) {
      await deleteWebSession(pool, hash);
      return undefined;
    }
    // idle timeout slides; the absolute one (from login) does not
    const expiresAt = new Date(Math.min(now.getTime() + idleMs, s.createdAt.getTime() + maxMs));
    await touchWebSession(pool, hash, now, expiresAt);
    return { viewer: { userId: s.userId, email: s.email, role: s.role, csrf: csrfToken(secret, 'session', hash) }, hash };
  }

  // Every request but the login form and the stylesheet needs a live session.
  app.addHook('onRequest', async (req, reply) => {
    const route = req.routeOptions.url;
    // A page asked for with a method it does not take: 405 and the methods it does (RFC 9110
    // 15.5.6), before the session (whoever asks, the answer is the same and names no one)
    if (route === undefined) {
      const allow = allowedMethods(req.url);
      if (allow) {
        reply.header('allow', allow);
        return send(reply, messagePage(undefined, 'Method not allowed', `This page takes ${allow.replace(/, ([^,]*)$/, ' or $1')} requests only. Follow a link or a button from the pages instead.`), 405);
      }
    }
    if (route === '/login' || route === '/static/app.css' || req.url === '/favicon.ico') return;
    const found = await viewerOf(req);
    if (!found) {
      if (req.cookies[SESSION_COOKIE]) reply.clearCookie(SESSION_COOKIE, { path: '/' });
      const next = req.method === 'GET' && !isMemberUrl(req.url) ? safeNext(req.url) : '/';
      return reply.redirect(`/login${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`, 303);
    }
    req.viewer = found.viewer;
  });

  // Postgres text cannot hold a NUL byte (it answers 22021, which became a 500): a request
  // carrying one is refused here, before any handler reads it, whoever sends it.
  app.addHook('preValidation', async (req, reply) => {
    const refused = refusedText(req.params) ?? refusedText(req.query) ?? refusedText(req.body);
    if (!refused) return;
    log.warn({ route: req.routeOptions.url, method: req.method }, refused === 'nul' ? 'web request refused: a NUL byte in its text' : 'web request refused: nested too deep');
    return send(reply, messagePage(req.viewer, 'Request refused', refused === 'nul'
      ? 'The request has a character that is not allowed (a NUL byte). Retype what you entered and send it again.'
      : 'The request is not one these pages send (its fields are nested too deep). Open the page again and send its form.'), 400);
  });

  // Every form of a logged-in user carries the session's token; a POST without it changes nothing.
  app.addHook('preHandler', async (req, reply) => {
    // (no route: the POST reaches no form, and is answered 404 as any other path that is no page)
    if (req.method !== 'POST' || req.routeOptions.url === undefined || req.routeOptions.url === '/login' || !req.viewer) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!tokenMatches(req.viewer.csrf, body._csrf)) {
      log.warn({ user: req.viewer.userId, route: req.routeOptions.url }, 'web form refused: missing or wrong CSRF token');
      return send(reply, messagePage(req.viewer, 'Form expired', 'The form could not be accepted (it expired or did not come from this site). Open the page again and resend it.'), 403);
    }
  });

  app.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    // its type and code only: a driver's message can quote a row's values (and under `type`: the
    // log redacts every `name` key, a member's). A 4xx (a body that is not JSON, too large, of a
    // type no page takes) is the client's mistake: a warning, so an alert on error-level logs
    // fires only for the server's own failures.
    const fields = { route: req.routeOptions.url, method: req.method, status, err: { type: err.name, code: err.code } };
    if (status === 500) log.error(fields, 'web request failed');
    else log.warn(fields, 'web request refused');
    return send(reply, messagePage(req.viewer, status === 500 ? 'Something went wrong' : 'Request refused', status === 500 ? 'The page could not be shown. Try again; if it persists, operations can find the error in the log.' : 'The request could not be read.'), status);
  });

  const notFound = (req: FastifyRequest, reply: FastifyReply) => send(reply, messagePage(req.viewer, 'Not found', 'There is no such page.'), 404);
  app.setNotFoundHandler(notFound);

  /** A denied attempt looks like a page that does not exist, and is recorded (no member data is involved). */
  async function denied(req: FastifyRequest, reply: FastifyReply, o: { provider: string; submission: number | null; page: string }) {
    const v = req.viewer!;
    await recordAccess(pool, { userId: v.userId, email: v.email, at: deps.now(), provider: o.provider, submission: o.submission, page: o.page, denied: true });
    log.warn({ user: v.userId, role: v.role, provider: o.provider, submission: o.submission, page: o.page }, 'web access denied: provider not assigned to this user');
    return notFound(req, reply);
  }

  /** Whether the viewer may see the provider `code` now (on the pages' clock): ops and auditors always; a liaison, as liaisonsWhoMaySee says. */
  const maySee = async (v: Viewer, code: string): Promise<boolean> =>
    canSeeAll(v) || canSeeProvider(v, (await liaisonsWhoMaySee(pool, accessPeriodDate(deps.now(), tz), code)).get(code) ?? []);

  /** The provider of a submission the viewer may see; undefined when answered already (404). */
  async function visibleSubmission(req: FastifyRequest, reply: FastifyReply, page: string): Promise<{ id: number; provider: string } | undefined> {
    const id = submissionIdOf(req);
    const files = id === undefined ? undefined : await submissionFiles(pool, id);
    if (id === undefined || !files) {
      await notFound(req, reply);
      return undefined;
    }
    if (!(await maySee(req.viewer!, files.provider))) {
      await denied(req, reply, { provider: files.provider, submission: id, page });
      return undefined;
    }
    return { id, provider: files.provider };
  }

  const viewed = (req: FastifyRequest, provider: string, submission: number, page: string) =>
    recordAccess(pool, { userId: req.viewer!.userId, email: req.viewer!.email, at: deps.now(), provider, submission, page, denied: false });

  /** The providers a liaison may see now (on the pages' clock): liaisonsWhoMaySee, as for every page. */
  async function providersSeenBy(v: Viewer): Promise<Set<string>> {
    const seers = await liaisonsWhoMaySee(pool, accessPeriodDate(deps.now(), tz));
    return new Set([...seers].filter(([, liaisons]) => canSeeProvider(v, liaisons)).map(([code]) => code));
  }

  /**
   * A member lookup that shows nothing, recorded (with the member's CIN when the value was one):
   * 400 for a value that is no CIN (the problem named, never the value), else 404, one page for
   * "no member has it" and "none of the member's providers is yours" alike.
   */
  async function memberRefused(req: FastifyRequest, reply: FastifyReply, o: { cin: string | null; problem?: string }) {
    const v = req.viewer!;
    await recordAccess(pool, { userId: v.userId, email: v.email, at: deps.now(), provider: null, submission: null, member: o.cin, page: 'member', denied: true });
    if (o.problem) return send(reply, messagePage(v, 'Not a CIN', o.problem), 400);
    return send(reply, messagePage(v, 'No such member', canSeeAll(v)
      ? 'No member with that CIN is on record.'
      : 'There is no member with that CIN among the members of the providers you may see.'), 404);
  }

  const opsOnly = (req: FastifyRequest, reply: FastifyReply) => {
    if (req.viewer!.role === 'ops') return false;
    void notFound(req, reply);
    return true;
  };

  app.get('/static/app.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(CSS));

  // ---- login and logout
  /** The login form's nonce: the browser's own if it has one (a second tab, or a browser's favicon request that was sent here, keeps the first form valid), else a new one. */
  function loginNonce(req: FastifyRequest): string | undefined {
    const raw = req.cookies[LOGIN_COOKIE];
    const unsigned = raw ? req.unsignCookie(raw) : undefined;
    return unsigned?.valid && unsigned.value ? unsigned.value : undefined;
  }

  function loginForm(req: FastifyRequest, reply: FastifyReply, o: { next: string; error?: string; email?: string; status?: number }) {
    const nonce = loginNonce(req) ?? randomBytes(18).toString('base64url');
    reply.setCookie(LOGIN_COOKIE, nonce, { ...cookieBase, sameSite: 'strict', path: '/login', maxAge: 3600 });
    return send(reply, loginPage({ csrf: csrfToken(secret, 'login', nonce), next: o.next, error: o.error, email: o.email }), o.status ?? 200);
  }

  app.get('/login', async (req, reply) => {
    if (await viewerOf(req)) return reply.redirect('/', 303);
    return loginForm(req, reply, { next: safeNext((req.query as { next?: unknown }).next) });
  });

  app.post('/login', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    const nonce = loginNonce(req);
    if (!nonce || !tokenMatches(csrfToken(secret, 'login', nonce), body._csrf))
      return loginForm(req, reply, { next, error: 'The login form expired. Please try again.', status: 403 });
    const email = normaliseEmail(typeof body.email === 'string' ? body.email : '').slice(0, 320);
    const password = typeof body.password === 'string' ? body.password : '';
    if (throttle.blocked(req.ip, email)) {
      log.warn({ ip: req.ip }, 'web login refused: too many failed attempts');
      return loginForm(req, reply, { next, email, error: `Too many failed logins. Try again in ${config.WEB_LOGIN_WINDOW_MINUTES} minutes.`, status: 429 });
    }
    const user = email ? await findWebUser(pool, email) : undefined;
    const ok = await checkPassword(password, user?.passwordHash, config.WEB_PASSWORD_COST);
    if (!user || !ok || user.disabled) {
      throttle.failed(req.ip, email);
      log.info({ ip: req.ip }, 'web login failed');
      return loginForm(req, reply, { next, email, error: GENERIC_LOGIN_ERROR, status: 401 });
    }
    throttle.succeeded(email);
    const now = deps.now();
    await deleteExpiredWebSessions(pool, now);
    const s = newSessionId();
    await insertWebSession(pool, { idHash: s.hash, userId: user.id, now, expiresAt: new Date(now.getTime() + Math.min(idleMs, maxMs)) });
    log.info({ user: user.id, role: user.role }, 'web login');
    reply.clearCookie(LOGIN_COOKIE, { path: '/login' });
    reply.setCookie(SESSION_COOKIE, s.id, cookieBase);
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (req, reply) => {
    const raw = req.cookies[SESSION_COOKIE];
    const unsigned = raw ? req.unsignCookie(raw) : undefined;
    if (unsigned?.valid && unsigned.value) await deleteWebSession(pool, hashSessionId(unsigned.value));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });

  // ---- pages
  app.get('/', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const pick = (k: keyof typeof BOARD_CHOICES) => (typeof q[k] === 'string' && BOARD_CHOICES[k].includes(q[k]) ? q[k] : undefined);
    // A month or a choice the board does not have (typed or edited into a link) is refused, never
    // shown as today's month or as every provider under a link that asked for something else.
    // An empty value is the form's "all" (or, for the period, "today's").
    const valid = (k: string, v: string) => (k === 'period' ? isPeriod(v) : BOARD_CHOICES[k as keyof typeof BOARD_CHOICES].includes(v));
    const wrong = ['period', ...Object.keys(BOARD_CHOICES)].filter((k) => q[k] !== undefined && q[k] !== '' && !(typeof q[k] === 'string' && valid(k, q[k])));
    // (a liaison is any text, but one: given twice it was dropped, and every provider shown)
    if (q.liaison !== undefined && typeof q.liaison !== 'string') wrong.push('liaison');
    if (wrong.length)
      return send(reply, messagePage(req.viewer, 'Request refused', `The board has no such ${wrong.join(' or ')} (period: a month YYYY-MM in 1900-2199, given once; program, line and state: one of the form's choices; liaison: one address). Choose them in the form.`), 400);
    const viewer = req.viewer!;
    const now = deps.now();
    const period = boardPeriod(q.period, now, tz);
    const f: BoardFilter = {
      program: pick('program'),
      lob: pick('lob'),
      liaison: canSeeAll(viewer) && typeof q.liaison === 'string' && q.liaison ? q.liaison.slice(0, 320) : undefined,
      state: pick('state'),
    };
    return send(reply, boardPage(viewer, period, f, await boardRows(pool, viewer, period, f, tz, now, deadlinePolicyFromConfig(config))));
  });

  async function showProvider(req: FastifyRequest, reply: FastifyReply, flash?: { kind: 'ok' | 'error'; text: string }, status = 200) {
    const code = (req.params as { code: string }).code;
    const profile = await providerProfile(pool, code);
    if (!profile) return notFound(req, reply);
    if (!(await maySee(req.viewer!, code))) return denied(req, reply, { provider: code, submission: null, page: 'provider' });
    const period = boardPeriod(undefined, deps.now(), tz);
    const [submissions, outbound, trend, warnings] = await Promise.all([
      // since the first day of the 13 months in the plan's time zone (not that day's UTC
      // midnight, which in Los Angeles is the afternoon before)
      listSubmissions(pool, { provider: code, since: startOfLocalDay(historyStartDate(period), tz), limit: 500 }),
      providerOutbound(pool, code, historyStartDate(period)),
      providerTrend(pool, code, `${historyStart(period)}-01`),
      providerOpenWarnings(pool, code),
    ]);
    return send(reply, providerPage(req.viewer!, { profile, submissions, outbound, trend, warnings, period }, tz, flash), status);
  }
  app.get('/providers/:code', (req, reply) => showProvider(req, reply));

  async function showSubmission(req: FastifyRequest, reply: FastifyReply, flash?: { kind: 'ok' | 'error'; text: string }, status = 200) {
    const q = req.query as { sort?: unknown };
    // an order the page does not have (typed, given twice, "constructor") is refused, never shown
    // in another order under a link that asked for it; empty is the default. Before any lookup:
    // the answer says nothing about the submission.
    if (q.sort !== undefined && q.sort !== '' && !(typeof q.sort === 'string' && Object.hasOwn(SORTS, q.sort)))
      return send(reply, messagePage(req.viewer, 'Request refused', `There is no such order of the issues (sort: one of ${Object.keys(SORTS).join(', ')}, given once). Use the page's links.`), 400);
    const sort: Sort = typeof q.sort === 'string' && q.sort !== '' ? (q.sort as Sort) : 'severity';
    const s = await visibleSubmission(req, reply, 'submission');
    if (!s) return reply;
    const [detail, rows, files] = await Promise.all([findSubmission(pool, s.id), submissionIssueRows(pool, s.id, ISSUE_ROWS_SHOWN), submissionFiles(pool, s.id)]);
    const have = await storedBlobs(pool, [files!.original.sha256, ...(files!.response ? [files!.response.sha256] : [])]);
    // recorded before the page is sent: a view that is not recorded is not shown
    await viewed(req, s.provider, s.id, 'submission');
    return send(reply, submissionPage(req.viewer!, {
      detail: detail!, rows, hasOriginal: have.has(files!.original.sha256), hasResponse: !!files!.response && have.has(files!.response.sha256),
    }, sort, tz, flash), status);
  }
  app.get('/submissions/:id', (req, reply) => showSubmission(req, reply));

  for (const which of ['original', 'response'] as const) {
    app.get(`/submissions/:id/${which}`, async (req, reply) => {
      const s = await visibleSubmission(req, reply, which);
      if (!s) return reply;
      const files = (await submissionFiles(pool, s.id))!;
      const file = which === 'original' ? files.original : files.response;
      const bytes = file ? await getBlob(pool, file.sha256) : undefined;
      if (!file || !bytes) return notFound(req, reply);
      await viewed(req, s.provider, s.id, which);
      return reply
        .type(which === 'response' ? XLSX : 'application/octet-stream')
        .header('content-disposition', attachment(file.name))
        .send(bytes);
    });
  }

  // ---- one member's story. [POLICY] The CIN is in the address (/members/CIN: a link a liaison
  // can follow from a submission, and keep): the pages send no Referer and are never cached, the
  // server logs the route's pattern only, and the proxy in front is told not to log /members
  // (README, "Behind a TLS-terminating proxy").
  app.get('/members', async (req, reply) => {
    // the form's GET (a CIN typed in lower case or with spaces is the member's): to the member page
    const asked = readCin((req.query as { cin?: unknown }).cin);
    if ('problem' in asked) return memberRefused(req, reply, { cin: null, problem: asked.problem });
    return reply.redirect(`/members/${encodeURIComponent(asked.cin)}`, 303);
  });

  app.get('/members/:cin', async (req, reply) => {
    const raw = (req.params as { cin: string }).cin;
    const asked = readCin(raw);
    if ('problem' in asked) return memberRefused(req, reply, { cin: null, problem: asked.problem });
    const { cin } = asked;
    // a member has one address (the one the page's links and the search give)
    if (cin !== raw) return reply.redirect(`/members/${encodeURIComponent(cin)}`, 303);
    const v = req.viewer!;
    const found = await loadMemberStoryFor(pool, { cin, tz, today: localDate(deps.now(), tz), limit: MEMBER_PAGE_LIMIT }, canSeeAll(v) ? null : await providersSeenBy(v));
    if (found.found !== 'shown') {
      // (the route's user and role, never the member)
      if (found.found === 'hidden') log.warn({ user: v.userId, role: v.role, page: 'member' }, 'web access denied: a member of no provider this user may see');
      return memberRefused(req, reply, { cin });
    }
    // recorded before the page is sent: a view that is not recorded is not shown
    await recordAccess(pool, { userId: v.userId, email: v.email, at: deps.now(), provider: null, submission: null, member: cin, page: 'member', denied: false });
    return send(reply, memberPage(v, found.story));
  });

  app.get('/runs', async (req, reply) => {
    if (!canSeeAll(req.viewer!)) return notFound(req, reply);
    const jobs: string[] = [...JOB_NAMES, ...OPS_ACTIONS];
    const q = req.query as { job?: unknown; before?: unknown };
    // a job the ledger has no such name for (or two jobs) is refused, never listed as every job's
    // runs under a link that asked for one; empty is the form's "all"
    if (q.job !== undefined && q.job !== '' && !(typeof q.job === 'string' && jobs.includes(q.job)))
      return send(reply, messagePage(req.viewer, 'Request refused', `There is no such job (job: one of ${jobs.join(', ')}, given once). Choose it in the form.`), 400);
    const job = typeof q.job === 'string' && q.job !== '' ? q.job : undefined;
    // older pages: before the last attempt the previous page showed (a run number)
    let before: number | undefined;
    if (q.before !== undefined && q.before !== '') {
      const id = typeof q.before === 'string' ? parseRecordId(q.before) : undefined;
      if (id?.ok) before = id.value;
      else return send(reply, messagePage(req.viewer, 'Request refused', 'Older runs are listed before a run number (before=123): use the "Older runs" link.'), 400);
    }
    // one more than shown: whether there is an older page
    const listed = await listRuns(pool, { job, limit: RUNS_PAGE + 1, ...(before ? { before } : {}) });
    const runs = listed.slice(0, RUNS_PAGE);
    const older = listed.length > RUNS_PAGE ? runs[runs.length - 1]!.id : undefined;
    const [publications, failed, recent] = await Promise.all([
      attemptPublications(pool, runs.map((r) => r.id)),
      listNotifications(pool, { failed: true, limit: 50 }),
      listNotifications(pool, { limit: 50 }),
    ]);
    return send(reply, runsPage(req.viewer!, { runs, publications, failed, recent, job, jobs, ...(before ? { before } : {}), ...(older ? { older } : {}) }, tz));
  });

  // ---- ops actions (the same checks and ledger attempts as `reprocess` and `republish`)
  const reasonOf = (body: Record<string, unknown>): { reason: string } | { problem: string } => {
    const reason = normaliseReason(typeof body.reason === 'string' ? body.reason : undefined);
    if (!reason) return { problem: 'A reason is required: say why (it is kept in the run history).' };
    if (reason.length > MAX_REASON) return { problem: `A reason is at most ${MAX_REASON} characters.` };
    return { reason };
  };
  const manualDeps = () => ({ pool, config, openSession: deps.openSession, now: deps.now });

  app.post('/submissions/:id/reprocess', async (req, reply) => {
    if (opsOnly(req, reply)) return reply;
    const id = submissionIdOf(req);
    if (id === undefined) return notFound(req, reply);
    const r = reasonOf((req.body ?? {}) as Record<string, unknown>);
    if ('problem' in r) return showSubmission(req, reply, { kind: 'error', text: r.problem }, 400);
    let candidate;
    try {
      candidate = await checkReprocess(pool, id);
    } catch (err) {
      if (err instanceof ReprocessRefused) {
        if (!(await submissionFiles(pool, id))) return notFound(req, reply);
        return showSubmission(req, reply, { kind: 'error', text: `Not reprocessed: ${err.message}.` }, 409);
      }
      throw err;
    }
    const { result, runId } = await reprocessAsRun(manualDeps(), candidate, r.reason);
    log.info({ user: req.viewer!.userId, submission: id, reprocessedAs: result.done.submissionId, run: runId }, 'reprocessed from the web pages');
    return reply.redirect(`/submissions/${result.done.submissionId}`, 303);
  });

  app.post('/providers/:code/republish', async (req, reply) => {
    if (opsOnly(req, reply)) return reply;
    const code = (req.params as { code: string }).code;
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!(await providerProfile(pool, code))) return notFound(req, reply);
    const r = reasonOf(body);
    if ('problem' in r) return showProvider(req, reply, { kind: 'error', text: r.problem }, 400);
    const kind = KINDS.find((k) => k === body.kind);
    const date = formDate(body.date);
    let slot: string | undefined;
    try {
      // a CSASF slot can fall in the month before the date's, outside the calendar's range
      slot = kind && date ? slotFor(kind, date, config) : undefined;
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
    }
    if (!kind || !date || !slot) return showProvider(req, reply, { kind: 'error', text: 'Choose a file kind and a day of the slot (a real date, YYYY-MM-DD, in 1900-2199).' }, 400);
    try {
      // the pages' clock decides today: no file is republished ahead of its day
      await checkRepublish(pool, kind, slot, code, localDate(deps.now(), tz));
    } catch (err) {
      if (err instanceof RepublishRefused) return showProvider(req, reply, { kind: 'error', text: `Not republished: ${err.message}.` }, 409);
      throw err;
    }
    const { result, runId } = await republishAsRun(manualDeps(), kind, { slot, date, provider: code, reason: r.reason });
    log.info({ user: req.viewer!.userId, provider: code, kind, slot, run: runId }, 'republished from the web pages');
    const text = `${kind} slot ${slot} republished (run ${runId ?? '?'}): ${result.published} published, ${result.empty} with no rows, ${result.failed} failed.`;
    return showProvider(req, reply, { kind: result.failed ? 'error' : 'ok', text }, result.failed ? 500 : 200);
  });

  return app;
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

/** Listens on host:port (0: any free port); the URL it prints is where to point a browser or the proxy. */
export async function startWebServer(deps: WebDeps, listen: { host: string; port: number }): Promise<WebServer> {
  const app = await buildWebApp(deps);
  await app.listen({ host: listen.host, port: listen.port });
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return { url: `http://${host}:${addr.port}`, close: () => app.close() };
}

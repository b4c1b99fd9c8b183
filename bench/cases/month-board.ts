// Case H: the month board for 500 providers. The web app (the real server, listening on
// localhost) runs in this process against the seeded database (13 months of the simulation
// plus providers up to 500, bench/lib/board.ts); an ops user (every provider) and a liaison
// (their own providers) log in through the login form, and each requests the board of the
// current period 50 times in a row after a few warm-up requests. Measured: each request end to
// end over HTTP (fetch: connect, server, whole body read).
import pg from 'pg';
import { fixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { insertWebUser } from '../../src/repositories/web-users.js';
import { hashPassword } from '../../src/web/auth.js';
import { boardPeriod } from '../../src/web/board.js';
import { startWebServer } from '../../src/web/server.js';
import { caseArgs, runCase } from '../lib/child.js';
import { BOARD_NOW, boardLiaison } from '../lib/board.js';

interface Args { url: string; dataDir: string; requests: number; warmUp: number }

const PASSWORD = 'bench board password';
const USERS = { ops: 'ops@plan.example', liaison: boardLiaison(0) } as const;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
const ms = (n: number) => Math.round(n * 10) / 10;

/** The session cookie after logging in through the form (its CSRF token and nonce cookie first). */
async function login(base: string, email: string): Promise<string> {
  const form = await fetch(`${base}/login`);
  const nonce = form.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the login form');
  const res = await fetch(`${base}/login`, {
    method: 'POST', redirect: 'manual', headers: { cookie: nonce, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password: PASSWORD, next: '/' }),
  });
  const session = res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('cx_session='));
  if (res.status !== 303 || !session) throw new Error(`login of ${email} answered ${res.status}`);
  return session;
}

runCase(async () => {
  const a = caseArgs<Args>();
  const config = loadConfig({ ...process.env, DATABASE_URL: a.url, DATA_DIR: a.dataDir, WEB_PASSWORD_COST: '8' });
  const pool = new pg.Pool({ connectionString: a.url, max: config.DB_POOL_SIZE });
  const now = fixedClock(new Date(BOARD_NOW));
  const hash = await hashPassword(PASSWORD, 8);
  for (const [role, email] of [['ops', USERS.ops], ['liaison', USERS.liaison]] as const) await insertWebUser(pool, { email, role, passwordHash: hash, now: now() });
  const server = await startWebServer({ pool, config, now, openSession: () => Promise.reject(new Error('no sFTP in the board bench')) }, { host: '127.0.0.1', port: 0 });
  try {
    const measure = async (email: string) => {
      const cookie = await login(server.url, email);
      const once = async () => {
        const t0 = performance.now();
        const res = await fetch(`${server.url}/`, { headers: { cookie }, redirect: 'manual' });
        const body = await res.text();
        const elapsed = performance.now() - t0;
        if (res.status !== 200) throw new Error(`the board answered ${res.status}`);
        return { elapsed, body };
      };
      for (let i = 0; i < a.warmUp; i++) await once();
      const times: number[] = [];
      let body = '';
      for (let i = 0; i < a.requests; i++) ({ elapsed: times[i], body } = await once());
      const sorted = [...times].sort((x, y) => x - y);
      const providers = new Set([...body.matchAll(/<th scope="row"><a href="\/providers\/([^"]+)"/g)].map((m) => m[1])).size;
      const rows = (body.match(/<th scope="row">/g) ?? []).length;
      return { p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), max: sorted.at(-1)!, mean: times.reduce((x, y) => x + y, 0) / times.length, providers, rows, bytes: Buffer.byteLength(body) };
    };
    const ops = await measure(USERS.ops);
    const liaison = await measure(USERS.liaison);
    // the ops board shows every active provider under contract, the liaison's only theirs
    const all = (await pool.query<{ n: number }>('select count(distinct provider_code)::int n from providers join provider_contracts using (provider_code) where active')).rows[0]!.n;
    if (ops.providers !== all || liaison.providers === 0 || liaison.providers >= all) throw new Error(`the boards show ${ops.providers} (ops) and ${liaison.providers} (liaison) of ${all} providers`);
    const period = boardPeriod(undefined, now(), config.PLAN_TIME_ZONE);
    const inPeriod = (await pool.query<{ n: number }>(`select count(*)::int n from submissions where period = $1::date`, [`${period}-01`])).rows[0]!.n;
    const fmt = (x: typeof ops) => ({ p50Ms: ms(x.p50), p95Ms: ms(x.p95), maxMs: ms(x.max), meanMs: ms(x.mean), providers: x.providers, boardRows: x.rows, bodyKB: Math.round(x.bytes / 1024) });
    return {
      rows: ops.rows,
      seconds: ops.p95 / 1000,
      extra: { requests: a.requests, warmUp: a.warmUp, now: BOARD_NOW, period, submissionsInPeriod: inPeriod, ops: fmt(ops), liaison: fmt(liaison) },
    };
  } finally {
    await server.close();
    await pool.end();
  }
});

// The web pages' commands as ops type them: accounts (`users add|disable|reset|list`), the
// access log (`audit access`), and `serve`, which listens until it is told to stop.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAccess } from '../../src/repositories/access-log.js';
import { BIN, expectUsageError, ROOT, runCli } from '../helpers/cli.js';
import { closeCliWorld, openCliWorld, type CliWorld } from '../helpers/world.js';

let w: CliWorld;
beforeAll(async () => {
  w = await openCliWorld('cli-web', { WEB_PASSWORD_COST: '8' });
});
afterAll(async () => closeCliWorld(w));

describe('users', () => {
  it('mistakes are usage errors (exit 2, one line, nothing recorded)', async () => {
    expectUsageError(await runCli(['users', 'add', '--email', 'not-an-email', '--role', 'ops'], w.env), /--email takes an email address/);
    expectUsageError(await runCli(['users', 'add', '--email', 'a@plan.example', '--role', 'admin'], w.env), /--role takes one of liaison, ops, auditor/);
    expectUsageError(await runCli(['users', 'add', '--email', 'a@plan.example', '--role', 'ops', '--password-stdin'], w.env, { input: 'short\n' }), /at least 12 characters/);
    expectUsageError(await runCli(['users', 'disable', '--email', 'nobody@plan.example'], w.env), /no account nobody@plan.example/);
    expectUsageError(await runCli(['audit', 'access', '--since', '2026-12-01'], w.env), /--since takes an ISO date-time with zone/);
    expect(await w.one('select count(*)::int n from web_users')).toEqual({ n: 0 });
  });

  it('add (a password from stdin, or a random one printed once), list, reset, disable', async () => {
    const a = await runCli(['users', 'add', '--email', 'Liaison@Plan.example', '--role', 'liaison', '--password-stdin', '--json'], w.env, { input: 'correct horse battery\n' });
    expect(a.code, a.stderr).toBe(0);
    expect(a.json).toMatchObject({ email: 'liaison@plan.example', role: 'liaison', disabled: false });
    expect(a.json).not.toHaveProperty('password');
    const b = await runCli(['users', 'add', '--email', 'ops@plan.example', '--role', 'ops', '--json'], w.env);
    expect(b.code, b.stderr).toBe(0);
    const generated = (b.json as { password: string }).password;
    expect(generated.length).toBeGreaterThanOrEqual(20);
    // the hash is bcrypt, never the password
    const stored = await w.one(`select password_hash from web_users where email = 'ops@plan.example'`);
    expect(stored.password_hash).toMatch(/^\$2[aby]\$08\$/);
    expect(stored.password_hash).not.toContain(generated);
    expectUsageError(await runCli(['users', 'add', '--email', 'ops@plan.example', '--role', 'auditor'], w.env), /already has an account/);

    const list = await runCli(['users', 'list', '--json'], w.env);
    expect((list.json as { email: string; role: string }[]).map((u) => [u.email, u.role])).toEqual([['liaison@plan.example', 'liaison'], ['ops@plan.example', 'ops']]);
    expect(list.stdout).not.toContain('password');

    const now = '2026-12-06T08:00:00-08:00';
    await w.db.pool.query(`insert into web_sessions (id_hash, user_id, created_at, last_seen_at, expires_at) select repeat('a', 64), id, $1, $1, $1::timestamptz + interval '1 hour' from web_users where email = 'ops@plan.example'`, [now]);
    const d = await runCli(['users', 'disable', '--email', 'ops@plan.example', '--now', now], w.env);
    expect(d.code, d.stderr).toBe(0);
    expect(await w.one(`select disabled, updated_at from web_users where email = 'ops@plan.example'`)).toEqual({ disabled: true, updated_at: new Date(now) });
    expect(await w.one('select count(*)::int n from web_sessions')).toEqual({ n: 0 });
    const r = await runCli(['users', 'reset', '--email', 'ops@plan.example', '--password-stdin'], w.env, { input: 'another long passphrase\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(await w.one(`select disabled from web_users where email = 'ops@plan.example'`)).toEqual({ disabled: false });
    expect((await w.one(`select password_hash from web_users where email = 'ops@plan.example'`)).password_hash).not.toBe(stored.password_hash);
  });
});

describe('audit access', () => {
  it('prints the access log, oldest first, filtered by time and account', async () => {
    const user = await w.one(`select id from web_users where email = 'liaison@plan.example'`);
    await recordAccess(w.db.pool, { userId: user.id, email: 'liaison@plan.example', at: new Date('2026-12-02T17:00:00Z'), provider: 'ACME', submission: 1, page: 'submission', denied: false });
    await recordAccess(w.db.pool, { userId: user.id, email: 'liaison@plan.example', at: new Date('2026-12-03T17:00:00Z'), provider: 'RIVAL', submission: 2, page: 'submission', denied: true });
    const all = await runCli(['audit', 'access', '--json'], w.env);
    expect(all.code, all.stderr).toBe(0);
    expect(all.json).toEqual([
      expect.objectContaining({ email: 'liaison@plan.example', at: '2026-12-02T17:00:00.000Z', provider: 'ACME', submission: 1, page: 'submission', denied: false }),
      expect.objectContaining({ provider: 'RIVAL', submission: 2, denied: true }),
    ]);
    const since = await runCli(['audit', 'access', '--since', '2026-12-03T00:00:00Z', '--user', 'LIAISON@plan.example', '--json'], w.env);
    expect((since.json as unknown[]).length).toBe(1);
    const text = await runCli(['audit', 'access'], w.env);
    expect(text.stdout).toMatch(/RIVAL\s+2\s+submission\s+DENIED/);
  });

  it('never drops the newest entries: all of them by default; --limit N keeps the newest N and says so; text times in the plan time zone', async () => {
    const user = await w.one(`select id from web_users where email = 'liaison@plan.example'`);
    // more entries than the old default limit (10,000), then the newest one: a refused attempt
    await w.db.pool.query(`insert into access_log (user_id, email, at, provider_code, submission_id, page, denied)
      select $1, 'liaison@plan.example', timestamptz '2026-01-01T00:00:00Z' + make_interval(mins => g), 'ACME', 1, 'submission', false
        from generate_series(1, 10000) g`, [user.id]);
    await recordAccess(w.db.pool, { userId: user.id, email: 'liaison@plan.example', at: new Date('2026-12-06T17:00:00Z'), provider: 'RIVAL', submission: 3, page: 'original', denied: true });
    const total = (await w.one('select count(*)::int n from access_log')).n as number;

    const all = await runCli(['audit', 'access', '--json'], w.env);
    expect(all.code, all.stderr).toBe(0);
    const entries = all.json as { at: string; atLocal: string; denied: boolean; page: string }[];
    expect(entries).toHaveLength(total);
    expect(entries.at(-1)).toMatchObject({ at: '2026-12-06T17:00:00.000Z', atLocal: '2026-12-06T09:00:00.000-08:00', page: 'original', denied: true });
    expect(all.stderr).not.toMatch(/newest/);

    const limited = await runCli(['audit', 'access', '--limit', '3', '--json'], w.env);
    expect(limited.code, limited.stderr).toBe(0);
    const newest = limited.json as { at: string }[];
    // the newest three, oldest first
    expect(newest.map((e) => e.at)).toEqual(['2026-12-02T17:00:00.000Z', '2026-12-03T17:00:00.000Z', '2026-12-06T17:00:00.000Z']);
    // --json stays one array on stdout; the cut is said on stderr
    expect(limited.stderr).toMatch(new RegExp(`the newest 3 of ${total} entries`));

    const text = await runCli(['audit', 'access', '--limit', '3'], w.env);
    expect(text.stdout).toMatch(/^at \(America\/Los_Angeles\)/);
    expect(text.stdout).toMatch(/2026-12-06 09:00:00 PST\s+liaison@plan\.example\s+RIVAL\s+3\s+original\s+DENIED/);
    expect(text.stdout).toMatch(new RegExp(`the newest 3 of ${total} entries: --limit ${total}, or without --limit, for all`));
  });
});

describe('audit access of the member page', () => {
  it('says which member each view of the member page was of; --member (as typed: lower case, spaces) keeps only those; a value that is no CIN is a usage error that does not repeat it', async () => {
    const user = await w.one(`select id from web_users where email = 'liaison@plan.example'`);
    await recordAccess(w.db.pool, { userId: user.id, email: 'liaison@plan.example', at: new Date('2026-12-07T17:00:00Z'), provider: null, submission: null, member: '91000009J', page: 'member', denied: false });
    await recordAccess(w.db.pool, { userId: user.id, email: 'liaison@plan.example', at: new Date('2026-12-07T17:01:00Z'), provider: null, submission: null, member: '91000001A', page: 'member', denied: true });
    const one = await runCli(['audit', 'access', '--member', ' 91000009j ', '--json'], w.env);
    expect(one.code, one.stderr).toBe(0);
    expect(one.json).toEqual([expect.objectContaining({ at: '2026-12-07T17:00:00.000Z', member: '91000009J', page: 'member', denied: false, provider: null, submission: null })]);
    const text = await runCli(['audit', 'access', '--member', '91000001A'], w.env);
    expect(text.stdout).toMatch(/liaison@plan\.example\s+member\s+DENIED\s+91000001A/);
    const bad = await runCli(['audit', 'access', '--member', '91000009J12345'], w.env);
    expectUsageError(bad, /--member: not a member's CIN: this looks like the 14-character ID-card number/);
    expect(bad.stderr).not.toContain('91000009J');
  });
});

describe('serve', () => {
  it('prints its URL, answers the login form (anonymous pages redirect there), and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { cwd: ROOT, env: { ...process.env, ...w.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /web pages at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    const login = await fetch(`${url}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('<h1>Log in</h1>');
    const board = await fetch(`${url}/`, { redirect: 'manual' });
    expect(board.status).toBe(303);
    expect(board.headers.get('location')).toBe('/login');
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
  });

  it('a bad --port is a usage error', async () => {
    expectUsageError(await runCli(['serve', '--port', 'eighty'], w.env), /--port takes a port number/);
    // Number() reads these as 0 (any free port), 1000 and 80: a blank or a typo must not start
    // the pages on a port nobody asked for (were it started, the kill after 60 s fails this)
    for (const port of ['', ' ', '1e3', '0x50', '80.0'])
      expectUsageError(await runCli(['serve', '--port', port], w.env, { timeoutMs: 60_000 }), /--port takes a port number/);
  });

  // with the database there to be opened: the host was looked up only when the pages started
  // listening, and the failure came out as exit 1 and a JSON log line with a stack trace
  it('a host that does not resolve (--host or WEB_HOST) is a usage error in one line, not a getaddrinfo stack trace', async () => {
    for (const [args, env, name, host] of [
      [['serve', '--host', 'not a host', '--port', '0'], {}, '--host', 'not a host'],
      [['serve', '--port', '0'], { WEB_HOST: 'nohost.invalid' }, 'WEB_HOST', 'nohost.invalid'],
    ] as const) {
      const r = await runCli([...args], { ...w.env, ...env }, { timeoutMs: 60_000 });
      expectUsageError(r, new RegExp(`^error: ${name}: "${host}" does not resolve to an address \\((ENOTFOUND|EAI_[A-Z]+)\\)`, 'm'));
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/getaddrinfo|"stack"|\n\s+at /);
    }
  });

  // an address or port that cannot be had is a mistake of whatever gave it: a flag (usage, exit
  // 2) or a setting (configuration, exit 1); the message named WEB_HOST or WEB_PORT either way
  it('an address not of this host or a port in use names the flag that gave it, or the setting', async () => {
    const notHere = '192.0.2.1'; // TEST-NET-1: no host has it
    const one = async (args: string[], env: Record<string, string> = {}) => runCli(['serve', ...args], { ...w.env, ...env }, { timeoutMs: 60_000 });
    expectUsageError(await one(['--host', notHere, '--port', '0']), new RegExp(`^error: --host: cannot listen on ${notHere}:0 \\(EADDRNOTAVAIL\\)`, 'm'));
    const fromSetting = await one(['--port', '0'], { WEB_HOST: notHere });
    expect(fromSetting.code, fromSetting.stderr).toBe(1);
    expect(fromSetting.stderr).toMatch(new RegExp(`WEB_HOST: cannot listen on ${notHere}:0 \\(EADDRNOTAVAIL\\)`));
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = String((taken.address() as net.AddressInfo).port);
    try {
      expectUsageError(await one(['--port', port]), new RegExp(`^error: --port: 127\\.0\\.0\\.1:${port} is already in use`, 'm'));
      const busy = await one([], { WEB_PORT: port });
      expect(busy.code, busy.stderr).toBe(1);
      expect(busy.stderr).toMatch(new RegExp(`WEB_PORT: 127\\.0\\.0\\.1:${port} is already in use`));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

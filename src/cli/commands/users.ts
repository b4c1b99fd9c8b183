// `calaim-exchange users add|disable|reset|list`: the web pages' local accounts, and
// `calaim-exchange audit access`: who saw which member data there (the access log).
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { notParsedText, parseCin } from '../../../schemas/primitives.js';
import type { WebRole, WebUser } from '../../repositories/web-users.js';
import { commandClock, instantOption, nowOption } from '../clock-option.js';
import { withRuntime } from '../lazy-runtime.js';
import { emit, table, UsageError } from '../output.js';
import { countOption } from '../values.js';
import { localIso, localText } from '../../calendar/index.js';

const ROLES: readonly WebRole[] = ['liaison', 'ops', 'auditor'];
const EMAIL = /^[^@\s]+@[^@\s]+$/;

function email(value: string | undefined, flag = '--email'): string {
  const e = (value ?? '').trim().toLowerCase();
  if (!EMAIL.test(e)) throw new UsageError(`${flag} takes an email address`);
  return e;
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** The password from standard input (checked), or a new random one that is printed once. */
async function password(fromStdin: boolean | undefined): Promise<{ password: string; generated: boolean }> {
  const { passwordProblem } = await import('../../web/auth.js');
  if (!fromStdin) return { password: randomBytes(15).toString('base64url'), generated: true };
  const p = await readStdinLine();
  const problem = passwordProblem(p);
  if (problem) throw new UsageError(`--password-stdin: ${problem}`);
  return { password: p, generated: false };
}

const userJson = (u: WebUser) => ({ email: u.email, role: u.role, disabled: u.disabled, createdAt: u.createdAt.toISOString(), updatedAt: u.updatedAt.toISOString() });

/** A command about one existing account (`users disable`, `users reset`): --email, --now, --json. */
function accountCommand(users: Command, name: string, description: string): Command {
  return users
    .command(name)
    .description(description)
    .requiredOption('--email <EMAIL>', 'the account')
    .addOption(nowOption('the account\'s updated time'))
    .option('--json', 'print one JSON document')
    .addHelpText('after', `
Examples:
  calaim-exchange users ${name} --email auditor@plan.example`);
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('accounts of the web pages (`serve`): liaison, ops, auditor');

  users
    .command('add')
    .description('add an account; without --password-stdin a random password is made and printed once')
    .requiredOption('--email <EMAIL>', 'the login (a liaison sees the providers whose contracts in force name this address as their liaison)')
    .requiredOption('--role <ROLE>', `${ROLES.join(' | ')}: liaison sees only their providers; ops sees everything and may reprocess and republish; auditor reads everything`)
    .option('--password-stdin', 'read the password from the first line of standard input (at least 12 characters)')
    .addOption(nowOption('the account\'s created and updated times'))
    .option('--json', 'print one JSON document')
    .addHelpText('after', `
Examples:
  calaim-exchange users add --email ops@plan.example --role ops
  calaim-exchange users add --email auditor@plan.example --role auditor --json`)
    .action(async (opts: { email: string; role: string; passwordStdin?: boolean; now?: string; json?: boolean }) => {
      const e = email(opts.email);
      const clock = commandClock(opts);
      if (!ROLES.includes(opts.role as WebRole)) throw new UsageError(`--role takes one of ${ROLES.join(', ')}`);
      const pw = await password(opts.passwordStdin);
      const { hashPassword } = await import('../../web/auth.js');
      const { insertWebUser } = await import('../../repositories/web-users.js');
      await withRuntime(async ({ config, db }) => {
        const u = await insertWebUser(db.pool, { email: e, role: opts.role as WebRole, passwordHash: await hashPassword(pw.password, config.WEB_PASSWORD_COST), now: clock() });
        if (!u) throw new UsageError(`${e} already has an account (users reset sets a new password)`);
        emit(opts, { ...userJson(u), ...(pw.generated ? { password: pw.password } : {}) }, () =>
          `added ${u.email} (${u.role})${pw.generated ? `\npassword (shown once; users reset makes a new one): ${pw.password}` : ''}`);
      });
    });

  accountCommand(users, 'disable', 'disable an account: it can no longer log in, and its sessions end now')
    .action(async (opts: { email: string; now?: string; json?: boolean }) => {
      const e = email(opts.email);
      const clock = commandClock(opts);
      const { updateWebUser } = await import('../../repositories/web-users.js');
      await withRuntime(async ({ db }) => {
        if (!(await updateWebUser(db.pool, e, { disabled: true }, clock()))) throw new UsageError(`no account ${e}`);
        emit(opts, { email: e, disabled: true }, () => `disabled ${e}; its sessions have ended`);
      });
    });

  accountCommand(users, 'reset', 'set a new password (and enable the account again); its sessions end now')
    .option('--password-stdin', 'read the password from the first line of standard input (at least 12 characters)')
    .action(async (opts: { email: string; passwordStdin?: boolean; now?: string; json?: boolean }) => {
      const e = email(opts.email);
      const clock = commandClock(opts);
      const pw = await password(opts.passwordStdin);
      const { hashPassword } = await import('../../web/auth.js');
      const { updateWebUser } = await import('../../repositories/web-users.js');
      await withRuntime(async ({ config, db }) => {
        const hash = await hashPassword(pw.password, config.WEB_PASSWORD_COST);
        if (!(await updateWebUser(db.pool, e, { passwordHash: hash, disabled: false }, clock()))) throw new UsageError(`no account ${e}`);
        emit(opts, { email: e, disabled: false, ...(pw.generated ? { password: pw.password } : {}) }, () =>
          `new password set for ${e}; its sessions have ended${pw.generated ? `\npassword (shown once): ${pw.password}` : ''}`);
      });
    });

  users
    .command('list')
    .description('every account: email, role, disabled, when created and last changed')
    .option('--json', 'print one JSON array')
    .addHelpText('after', `
Examples:
  calaim-exchange users list
  calaim-exchange users list --json`)
    .action(async (opts: { json?: boolean }) => {
      const { listWebUsers } = await import('../../repositories/web-users.js');
      await withRuntime(async ({ db }) => {
        const list = await listWebUsers(db.pool);
        emit(opts, list.map(userJson), () =>
          list.length ? table(['email', 'role', 'disabled', 'created', 'updated'], list.map((u) => [u.email, u.role, u.disabled ? 'yes' : '', u.createdAt.toISOString(), u.updatedAt.toISOString()])) : 'no accounts (users add makes one)');
      });
    });

  program
    .command('audit')
    .description('audit trails')
    .command('access')
    .description('the access log of the web pages: every view of member data (and every refused attempt), oldest first')
    .option('--since <ISO>', 'only entries at or after this date-time (with zone)')
    .option('--user <EMAIL>', 'only this account')
    .option('--member <CIN>', 'only the views of (and refused asks for) this member\'s page')
    .option('--limit <N>', 'only the newest N entries (default: all)')
    .option('--json', 'print one JSON array')
    .addHelpText('after', `
Each entry: when (in the text, in the plan time zone, PLAN_TIME_ZONE; in --json, "at" in UTC and
"atLocal" in the plan time zone), who (account and email), the provider and submission, what
was shown (submission: the page with CINs and names; original, response: a download; member:
one member's story, the member's CIN in "member"), and whether it was refused (a liaison asking
for another liaison's provider, or for a member none of whose providers is theirs, or for a CIN
no member has: answered 404, recorded; a value that is no CIN: 400, recorded without it). Every matching entry is printed unless --limit is given; then the newest N are, and
the output says how many were left out (with --json, on stderr: stdout stays one JSON array).

Examples:
  calaim-exchange audit access
  calaim-exchange audit access --limit 100
  calaim-exchange audit access --since 2026-12-01T00:00:00-08:00 --json
  calaim-exchange audit access --member 98907528N`)
    .action(async (opts: { since?: string; user?: string; member?: string; limit?: string; json?: boolean }) => {
      const since = opts.since !== undefined ? instantOption(opts.since, '--since') : undefined;
      const user = opts.user !== undefined ? email(opts.user, '--user') : undefined;
      const cin = opts.member !== undefined ? parseCin(opts.member) : undefined;
      // (what was wrong, never the value: a CIN, or something typed as one)
      if (cin && !cin.ok) throw new UsageError(`--member: not a member's CIN: ${notParsedText(cin)}`);
      const member = cin?.ok ? cin.value : undefined;
      const limit = opts.limit !== undefined ? countOption(opts.limit, '--limit') : undefined;
      const { listAccess } = await import('../../repositories/access-log.js');
      await withRuntime(async ({ config, db }) => {
        // an address with no account is a typo, never "no access recorded" (read as: saw nothing)
        if (user !== undefined) {
          const { findWebUser } = await import('../../repositories/web-users.js');
          if (!(await findWebUser(db.pool, user))) throw new UsageError(`--user: no account ${user} (see \`calaim-exchange users list\`)`);
        }
        const tz = config.PLAN_TIME_ZONE;
        const { entries, total } = await listAccess(db.pool, { since, email: user, member, limit });
        // never cut silently: say how many were left out and how to see them
        const cut = entries.length < total
          ? `the newest ${entries.length} of ${total} entries: --limit ${total}, or without --limit, for all (or --since to narrow)`
          : '';
        if (cut && opts.json) process.stderr.write(`note: ${cut}\n`);
        emit(opts, entries.map((a) => ({ ...a, at: a.at.toISOString(), atLocal: localIso(a.at, tz) })), () =>
          entries.length
            ? table([`at (${tz})`, 'user', 'provider', 'submission', 'page', 'denied', 'member'], entries.map((a) => [localText(a.at, tz), a.email, a.provider, a.submission, a.page, a.denied ? 'DENIED' : '', a.member])) +
              (cut ? `\n\n${cut}` : '')
            : 'no access recorded');
      });
    });
}

// Drives the real CLI binary as an ops user would: a child process, env in, exit code out.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'calaim-exchange.js');

export interface CliResult { code: number | null; stdout: string; stderr: string; json: unknown }

/** `input`: written to the command's standard input (otherwise it has none). */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, opts: { timeoutMs?: number; cwd?: string; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const limit = opts.timeoutMs ?? 540_000;
    let killed = false;
    const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, limit);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      if (killed) stderr += `\n[test] killed after ${limit / 1000} s waiting for \`calaim-exchange ${args.join(' ')}\` to exit\n`;
      resolve({ code, stdout, stderr, json });
    });
  });
}

/** A command line split as a shell splits it: quoted words stay one argument, quotes removed. */
export const shellWords = (line: string): string[] => (line.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^(["'])(.*)\1$/, '$2'));

/** A database URL nothing listens on: a command that got as far as connecting exits 1, not 2. */
export const OFFLINE_DATABASE_URL = 'postgres://nobody:nothing@127.0.0.1:1/none';

/** A user mistake: exit 2, the message on stderr, no stack trace, nothing on stdout. */
export function expectUsageError(r: CliResult, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.stdout).toBe('');
}

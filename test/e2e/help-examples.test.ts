// "Every example in --help runs": each command's help (read from the same command tree the CLI
// builds) is searched for its `Examples:` block, and every example line is run through the real
// CLI, in command order, against a fresh database loaded with the sample plan, from a folder
// that has the repository's samples/ in it, as an ops user would type them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { ROOT, runCli, shellWords } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

interface HelpOf { command: string; text: string }

/** The full --help text (with the text added after it) of every command and subcommand. */
function helpTexts(): HelpOf[] {
  const out: HelpOf[] = [];
  const walk = (cmd: Command, names: string[]) => {
    let text = '';
    cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
    cmd.outputHelp();
    out.push({ command: names.join(' '), text });
    for (const sub of cmd.commands) walk(sub, [...names, sub.name()]);
  };
  walk(buildProgram(), []);
  return out;
}

/** The lines of the `Examples:` (or `Example:`) block: indented `calaim-exchange …` lines. */
function examplesOf(text: string): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^Examples?:\s*$/.test(l));
  if (at < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (!/^\s+\S/.test(l)) break;
    out.push(l.trim());
  }
  return out;
}

const helps = helpTexts();
const examples = helps.flatMap((h) => examplesOf(h.text).map((line) => ({ command: h.command, line })));

let db: TestDb;
let work: string;
const env = () => ({ DATABASE_URL: db.url, DATA_DIR: path.join(work, '.data'), DEV_SFTP_PORT: '0' });

beforeAll(async () => {
  db = await createTestDb();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-help-'));
  fs.symlinkSync(path.join(ROOT, 'samples'), path.join(work, 'samples'));
  // The sample plan, loaded the way the README tells a new user to.
  for (const kind of ['providers', 'members', 'ecm-assignments', 'referrals', 'cs-authorizations']) {
    const r = await runCli(['import', kind, `samples/plan/${kind}.csv`], env(), { cwd: work });
    expect(r.code, r.stderr).toBe(0);
  }
});
afterAll(async () => {
  await db?.drop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('--help examples', () => {
  it('no help text points to a document that is not in the repository', () => {
    for (const h of helps) {
      expect(h.text, `calaim-exchange ${h.command} --help`).not.toMatch(/DESIGN\.md/);
      for (const m of h.text.matchAll(/\b((?:samples|src|schemas|docs)\/[\w./-]+\.\w+)/g)) {
        const file = m[1]!.replace(/[.,;:)]+$/, '');
        if (file.includes('<')) continue;
        expect(fs.existsSync(path.join(ROOT, file)), `${h.command}: ${file}`).toBe(true);
      }
    }
  });

  it('the commands that act on data have examples', () => {
    const withExamples = new Set(examples.map((e) => e.command));
    for (const c of ['db migrate', 'validate', 'import', 'generate', 'ingest', 'poll', 'status', 'runs', 'scheduler', 'submissions', 'submission show', 'reprocess', 'republish']) expect(withExamples).toContain(c);
    for (const e of examples) expect(e.line).toMatch(new RegExp(`^calaim-exchange ${e.command}(\\s|$)`));
  });

  it('every provider an example names is in the sample plan', () => {
    const providers = new Set(fs.readFileSync(path.join(ROOT, 'samples', 'plan', 'providers.csv'), 'utf8').split('\n').slice(1).map((l) => l.split(',')[0]).filter(Boolean));
    for (const e of examples) {
      const m = /--provider (\S+)/.exec(e.line);
      if (m) expect(providers, e.line).toContain(m[1]);
    }
  });

  it('every example runs and exits 0', async () => {
    expect(examples.length).toBeGreaterThan(10);
    for (const { line } of examples) {
      const args = shellWords(line.replace(/^calaim-exchange /, ''));
      const r = await runCli(args, env(), { cwd: work });
      expect(r.code, `${line}\n${r.stderr}`).toBe(0);
    }
  });
});

// What a command prints reaches its reader whole, however the output is read: piped into jq or
// a pager, a --json document of hundreds of kilobytes is not cut off at the pipe's buffer
// (64 KiB) when the command exits; a reader that stops early (`| head`) ends the command
// quietly, without a stack trace.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, OFFLINE_DATABASE_URL, ROOT, runCli } from '../helpers/cli.js';
import { rtf, rtfRow } from '../helpers/provider-files.js';

let dir: string;
let file: string;
const env = () => ({ DATABASE_URL: OFFLINE_DATABASE_URL, DATA_DIR: dir, DEV_SFTP_PORT: '0' });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-output-'));
  // 2,000 rows, every one with an error: a --json document of several hundred kilobytes
  file = path.join(dir, 'RTF_ACME_202611.xlsx');
  fs.writeFileSync(file, await rtf(Array.from({ length: 2000 }, (_, i) => rtfRow({ cin: `BAD${String(i).padStart(6, '0')}` }))));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('output through a pipe', () => {
  it('validate --json of a 2,000-row file: the whole document, parsed, past 64 KiB', async () => {
    const r = await runCli(['validate', file, '--json', '--now', '2026-12-03T10:00:00-08:00'], env());
    expect(r.stdout.length).toBeGreaterThan(4 * 65536);
    expect(r.json).toMatchObject({ rowsRead: 2000, rowsRejected: 2000 });
    expect(r.code).toBe(1);
  });

  it('a reader that stops after the first chunk: the command ends, with no stack trace', async () => {
    const child = spawn(process.execPath, [BIN, 'validate', file, '--json', '--now', '2026-12-03T10:00:00-08:00'], {
      cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env() }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).not.toBeNull();
  });
});

// Log lines on stderr: JSON for machines (stderr not a terminal, LOG_FORMAT unset or json), one
// plain line an event for people (LOG_FORMAT=pretty, or auto on a terminal): never a raw JSON
// line mixed into a command's human output. PHI stays redacted in either format.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, logFormat, prettyDestination } from '../../src/log.js';
import { ROOT, runCli } from '../helpers/cli.js';

const SAMPLE = path.join(ROOT, 'samples', 'uploads', 'RTF_CENTRLCM_202611.xlsx');
// (received as the README's examples are: checked against the wall clock, the outcome changed with the day)
const RECEIVED = '2026-12-02T09:12:00-08:00';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-log-format-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');
const parsesAsJson = (l: string) => {
  try {
    JSON.parse(l);
    return true;
  } catch {
    return false;
  }
};

describe('LOG_FORMAT', () => {
  it('auto (the default) is pretty on a terminal and JSON otherwise; json and pretty win over the terminal test', () => {
    expect(logFormat(undefined, true)).toBe('pretty');
    expect(logFormat(undefined, false)).toBe('json');
    expect(logFormat('auto', true)).toBe('pretty');
    expect(logFormat('auto', false)).toBe('json');
    expect(logFormat('json', true)).toBe('json');
    expect(logFormat('pretty', false)).toBe('pretty');
    expect(logFormat(' Pretty ', false)).toBe('pretty');
  });

  it('stderr not a terminal, LOG_FORMAT unset: every log line is a JSON object', async () => {
    const r = await runCli(['validate', SAMPLE, '--received-at', RECEIVED], { LOG_LEVEL: 'info', LOG_FORMAT: undefined });
    expect(r.code, r.stderr).toBe(1); // the sample has rejected rows, as intended
    const ls = lines(r.stderr);
    expect(ls.length).toBeGreaterThan(0);
    for (const l of ls) expect(JSON.parse(l)).toMatchObject({ app: 'calaim-exchange' });
    expect(ls.map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain('validate: done');
  });

  it('LOG_FORMAT=pretty: the same events as plain lines, none of stderr parses as JSON, the summary on stdout untouched', async () => {
    const r = await runCli(['validate', SAMPLE, '--received-at', RECEIVED], { LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' });
    expect(r.code, r.stderr).toBe(1);
    const ls = lines(r.stderr);
    expect(ls.some((l) => /INFO.*validate: done/.test(l))).toBe(true);
    for (const l of ls) expect(parsesAsJson(l), l).toBe(false);
    expect(r.stdout).toMatch(/^RTF_CENTRLCM_202611\.xlsx: PARTIALLY_ACCEPTED\nrows read 80, accepted 77, rejected 3/);
  });

  it('a bad LOG_FORMAT is a configuration error naming the setting', async () => {
    const r = await runCli(['status'], { LOG_FORMAT: 'xml', DATABASE_URL: 'postgres://127.0.0.1:1/none' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/LOG_FORMAT/);
  });

  it('pretty lines redact PHI as the JSON lines do', () => {
    let out = '';
    const sink = new Writable({ write(chunk, _enc, done) { out += String(chunk); done(); } });
    const pretty = createLogger('info', prettyDestination(sink));
    pretty.warn({ cin: '91234567A', member: { dob: '1970-01-01' }, provider: 'ACMEHLTH' }, 'check');
    expect(out).toMatch(/WARN.*check.*ACMEHLTH/);
    expect(out).toMatch(/REDACTED/);
    expect(out).not.toMatch(/91234567A|1970-01-01/);
    expect(parsesAsJson(out.trim())).toBe(false);
  });

  // The demo month raises warnings (the mini-MIF SLA alert): the finding was a raw
  // {"level":40,…} line in the middle of its narration.
  it('the demo in human mode with LOG_FORMAT=pretty: its warnings are plain lines, no line of stdout or stderr is JSON', async () => {
    const r = await runCli(['demo', '--out', path.join(tmp, 'pretty')], { LOG_FORMAT: 'pretty', LOG_LEVEL: undefined, DATA_DIR: path.join(tmp, 'pretty-data'), DATABASE_URL: undefined, SFTP_HOST: undefined });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stdout).toMatch(/Done in/);
    const err = lines(r.stderr);
    expect(err.some((l) => /WARN: /.test(l)), r.stderr).toBe(true);
    for (const l of [...err, ...lines(r.stdout)]) expect(parsesAsJson(l), l).toBe(false);
  });

  it('the same demo with stderr not a terminal and LOG_FORMAT unset: its warnings are JSON lines', async () => {
    const r = await runCli(['demo', '--out', path.join(tmp, 'json')], { LOG_FORMAT: undefined, LOG_LEVEL: undefined, DATA_DIR: path.join(tmp, 'json-data'), DATABASE_URL: undefined, SFTP_HOST: undefined });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const err = lines(r.stderr);
    expect(err.length).toBeGreaterThan(0);
    for (const l of err) expect(parsesAsJson(l), l).toBe(true);
    expect(err.some((l) => (JSON.parse(l) as { level: number }).level === 40)).toBe(true);
    for (const l of lines(r.stdout)) expect(parsesAsJson(l), l).toBe(false);
  });
});

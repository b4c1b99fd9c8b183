// The whole demo month (embedded Postgres, in-process sFTP, the sample plan, every upload,
// poll, response, publication and alert) with LOG_LEVEL=debug: no line it writes, on stdout or
// stderr, carries a CIN, a member name or a date of birth from samples/plan/members.csv.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPhi, readCsv, type PlanMember } from '../fixtures/hostile/support.js';
import { ROOT, runCli } from '../helpers/cli.js';

const SAMPLES = path.join(ROOT, 'samples', 'plan');
let out: string;

beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'calx-demo-logs-'));
  fs.chmodSync(out, 0o755); // embedded Postgres runs as another user when we are root
});
afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true });
});

/**
 * Words that legitimately appear in logs although some member shares them as a last name:
 * provider names and lead care manager names (staff, not members) from the sample extracts.
 */
function nonMemberWords(): Set<string> {
  const words = new Set<string>();
  const add = (s: string | undefined) => {
    for (const w of (s ?? '').split(/[^\p{L}']+/u)) if (w) words.add(w.toLowerCase());
  };
  for (const p of readCsv(path.join(SAMPLES, 'providers.csv'))) add(p.name);
  for (const a of readCsv(path.join(SAMPLES, 'ecm-assignments.csv'))) add(a.lcm_name);
  for (const a of readCsv(path.join(SAMPLES, 'cs-authorizations.csv'))) add(a.referring_org);
  return words;
}

describe('PHI in logs over the whole demo month', () => {
  it('debug logs and narration carry no CIN, member name or date of birth', async () => {
    const members: PlanMember[] = readCsv(path.join(SAMPLES, 'members.csv')).map((m) => ({
      cin: m.cin!, lastName: m.last_name!, firstName: m.first_name!, dob: m.dob!,
    }));
    expect(members.length).toBeGreaterThan(100);
    const r = await runCli(['demo', '--out', path.join(out, 'demo')], { LOG_LEVEL: 'debug', DATA_DIR: path.join(out, 'data'), DATABASE_URL: undefined });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    // the run really happened and really logged at debug level
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(100);
    expect(lines.some((l) => /"level":20/.test(l))).toBe(true);
    expect(r.stdout).toMatch(/submissions/i);
    // the demo did handle members: their data is in what it produced (positive control)
    const published = path.join(out, 'demo', 'sftp');
    expect(fs.existsSync(published)).toBe(true);

    const allow = nonMemberWords();
    const leaks: string[] = [];
    for (const [stream, text] of [['stderr', r.stderr], ['stdout', r.stdout]] as const) {
      // the whole stream at once (2,000 members x 7,000 lines would be slow line by line),
      // then the offending lines for the message
      const hits = findPhi(text, members, { allowWords: allow });
      if (!hits.length) continue;
      const culprits = members.filter((m) => hits.some((h) => h.includes(m.cin)));
      for (const [i, line] of text.split('\n').entries()) {
        const lineHits = findPhi(line, culprits, { allowWords: allow });
        if (lineHits.length) leaks.push(`${stream}:${i + 1}: ${lineHits.join(', ')} :: ${line.slice(0, 300)}`);
      }
    }
    expect(leaks.slice(0, 20), `${leaks.length} line(s) with PHI`).toEqual([]);
  });
});

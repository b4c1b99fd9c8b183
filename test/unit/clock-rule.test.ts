// "One clock, injected: nothing reads the wall clock directly" (issue 17). src/clock.ts is the
// one place that asks what time it is (systemClock); everything else is handed a Clock (or an
// instant read from one), so a replay or a test pins generation, ingestion and alerts to one
// timeline with --now. Elapsed time (durations, timeouts, deadlines) is measured with
// performance.now(), which is monotonic and says nothing about the date: it is allowed.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const SRC = path.join(ROOT, 'src');
const ALLOWED = new Set(['src/clock.ts']);

/** Ways of reading the wall clock as "what time is it". */
const READS: { what: string; re: RegExp }[] = [
  { what: 'new Date()', re: /\bnew\s+Date\s*\(\s*\)/ },
  { what: 'Date.now()', re: /\bDate\s*\.\s*now\s*\(\s*\)/ },
  { what: 'Date() (a string of the current time)', re: /(?<![\w.$]|new\s)Date\s*\(\s*\)/ },
  { what: 'luxon DateTime.now() / local() / utc()', re: /\bDateTime\s*\.\s*(?:now|local|utc)\s*\(\s*\)/ },
];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.isFile() && e.name.endsWith('.ts') ? [p] : [];
  });
}

/** `file:line: text (what)` for every read of the wall clock outside src/clock.ts. */
function wallClockReads(files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const rel = path.relative(ROOT, file).split(path.sep).join('/');
    if (ALLOWED.has(rel)) continue;
    fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      for (const r of READS) if (r.re.test(line)) found.push(`${rel}:${i + 1}: ${line.trim()}  (${r.what})`);
    });
  }
  return found;
}

describe('one clock', () => {
  it('src/clock.ts exists and is where the wall clock is read', () => {
    const clock = fs.readFileSync(path.join(SRC, 'clock.ts'), 'utf8');
    expect(clock).toMatch(/export const systemClock\b/);
    expect(clock).toMatch(/\bnew Date\(\)/);
  });

  it('no other file in src/ reads the wall clock (new Date(), Date.now(), Date(), DateTime.now())', () => {
    const files = sources(SRC);
    expect(files.length).toBeGreaterThan(50);
    const reads = wallClockReads(files);
    expect(reads, `read the time from an injected Clock (src/clock.ts), or measure elapsed time with performance.now():\n${reads.join('\n')}`).toEqual([]);
  });

  it('the rule catches each form (and lets arguments and performance.now() through)', () => {
    const probe = (line: string) => READS.some((r) => r.re.test(line));
    for (const bad of ['const t = new Date();', 'x = Date.now() - t0', 'new Date( )', 's = Date()', 'DateTime.now().setZone(tz)', 'DateTime.local()'])
      expect(probe(bad), bad).toBe(true);
    for (const ok of ['new Date(ms)', "new Date('2026-11-15T00:00:00Z')", 'performance.now()', 'clock()', 'coordinator.now()', 'this.clock()', 'DateTime.fromISO(s)', 'isDate()', 'toDate()', 'parseDate()'])
      expect(probe(ok), ok).toBe(false);
  });
});

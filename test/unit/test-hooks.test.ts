// Test-only hooks live behind an injected dependency: the command line's entry turns the
// CALAIM_* test variables into hook functions (src/cli/test-hooks.ts), and production modules
// receive those functions; none of them reads a test variable itself.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testHooksFromEnv } from '../../src/cli/test-hooks.js';
import { INGEST_FAULT_POINTS } from '../../src/fault-points.js';
import { ROOT } from '../helpers/cli.js';

const ENTRY = 'src/cli/test-hooks.ts';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.isFile() && e.name.endsWith('.ts') ? [p] : [];
  });
}

/** `file:line` of every mention of a CALAIM_ test variable in shipped code outside the entry. */
function testVariableReads(): string[] {
  const found: string[] = [];
  for (const file of ['src', 'jobs', 'schemas'].flatMap((d) => sources(path.join(ROOT, d)))) {
    const rel = path.relative(ROOT, file).split(path.sep).join('/');
    if (rel === ENTRY) continue;
    fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (/\bCALAIM_(FAULT_POINT|TEST\w*)\b/.test(line) && !/^\s*(\/\/|\*|\/\*)/.test(line)) found.push(`${rel}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}

describe('test-only hooks', () => {
  it('only the command line entry knows the test variables', () => {
    expect(fs.readFileSync(path.join(ROOT, ENTRY), 'utf8')).toMatch(/env\.CALAIM_FAULT_POINT/);
    const reads = testVariableReads();
    expect(reads, `take the hook as a dependency (src/cli/test-hooks.ts builds it):\n${reads.join('\n')}`).toEqual([]);
  });

  it('production (no variable set) gets no hooks', () => {
    expect(testHooksFromEnv({})).toEqual({});
    expect(testHooksFromEnv({ CALAIM_FAULT_POINT: '', CALAIM_TEST_PUBLISH_GATE: '' })).toEqual({});
  });

  it('a fault point: a function that passes every other point by', () => {
    const point = INGEST_FAULT_POINTS[0];
    const { faults } = testHooksFromEnv({ CALAIM_FAULT_POINT: point });
    expect(faults).toBeTypeOf('function');
    // reaching the other points does nothing (reaching `point` would kill this process)
    for (const other of INGEST_FAULT_POINTS.slice(1)) expect(faults!(other)).toBeUndefined();
  });

  it('a misspelt fault point is refused rather than never firing', () => {
    expect(() => testHooksFromEnv({ CALAIM_FAULT_POINT: 'ingest-mid-aply' })).toThrow(/not a fault point/);
  });

  it('the publish gate holds the n-th publish until the file allows n, and says where it waits', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-gate-'));
    try {
      const gate = path.join(dir, 'gate');
      const { beforePublish } = testHooksFromEnv({ CALAIM_TEST_PUBLISH_GATE: gate });
      fs.writeFileSync(gate, '1');
      await beforePublish!(); // the first publish is allowed
      expect(fs.readFileSync(`${gate}.at`, 'utf8')).toBe('1');
      let passed = false;
      const second = beforePublish!().then(() => (passed = true));
      // it waits at 2 (the signal a test waits for) and stays held until the file allows it
      while (!fs.existsSync(`${gate}.at`) || fs.readFileSync(`${gate}.at`, 'utf8') !== '2') await new Promise((r) => setImmediate(r));
      expect(passed).toBe(false);
      fs.writeFileSync(gate, '2');
      await second;
      expect(passed).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

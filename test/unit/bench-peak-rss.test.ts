// The bench's peak memory of a case (bench/lib/child.ts peakRssMB) is the case process's own.
// A case runs in a child of the bench's process, which may be large (it writes the fixture
// workbooks when they are not cached); Linux keeps a parent's resident size, copied at the
// fork, in the child's maxRSS across the exec, so maxRSS read every case at the parent's size.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('the bench peak memory of a case process', () => {
  it.runIf(process.platform === 'linux')('is its own, not its parent\'s at the fork', () => {
    // this process holds 400 MB (touched, so resident) while it starts the case's child
    const held = Array.from({ length: 40 }, () => Buffer.alloc(10 * 1024 * 1024, 1));
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e',
      `import('./bench/lib/child.ts').then((m) => console.log(JSON.stringify({ peak: m.peakRssMB(), maxRss: process.resourceUsage().maxRSS / 1024 })))`,
    ], { cwd: ROOT, encoding: 'utf8' });
    const { peak, maxRss } = JSON.parse(out.trim().split('\n').pop()!) as { peak: number; maxRss: number };
    expect(held.length).toBe(40);
    // (the kernel's maxRSS does carry the parent's size: the case this test is about)
    expect(maxRss).toBeGreaterThan(400);
    expect(peak).toBeGreaterThan(10);
    expect(peak).toBeLessThan(200);
  });
});

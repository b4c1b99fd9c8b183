import { describe, expect, it } from 'vitest';
import { StagingBuffer } from '../../src/ingest/staging-buffer.js';

describe('StagingBuffer', () => {
  it('builds each batch as the lines added, each ended by a newline, UTF-8, growing as needed', () => {
    const b = new StagingBuffer(8);
    expect(b.take()).toBeNull();
    const lines = ['José Muñoz 😀', 'x'.repeat(100), '1\t\\N\tñ'];
    for (const l of lines) b.add(l);
    expect(b.rows).toBe(3);
    expect(b.take()!.toString('utf8')).toBe(`${lines.join('\n')}\n`);
    expect(b.rows).toBe(0);
    b.add('n\t2');
    expect(b.take()!.toString('utf8')).toBe('n\t2\n');
  });

  it('leaves a taken batch untouched while the next one is built (two buffers take turns)', () => {
    const b = new StagingBuffer(64);
    b.add('batch 1');
    const first = b.take()!;
    const copy = Buffer.from(first);
    b.add('batch 2, yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy');
    expect(first.equals(copy)).toBe(true);
    expect(b.take()!.toString('utf8')).toMatch(/^batch 2, y+\n$/);
  });
});

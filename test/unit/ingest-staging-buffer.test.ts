import { describe, expect, it } from 'vitest';
import { StagingBuffer } from '../../src/ingest/staging-buffer.js';

describe('StagingBuffer', () => {
  it('builds each batch as one JSON array of the rows added, UTF-8, growing as needed', () => {
    const b = new StagingBuffer(8);
    expect(b.take()).toBeNull();
    const rows = [{ a: 'José Muñoz 😀' }, { b: 'x'.repeat(100) }, [1, null, 'ñ']];
    for (const r of rows) b.add(JSON.stringify(r));
    expect(b.rows).toBe(3);
    expect(JSON.parse(b.take()!.toString('utf8'))).toEqual(rows);
    expect(b.rows).toBe(0);
    b.add('{"n":2}');
    expect(JSON.parse(b.take()!.toString('utf8'))).toEqual([{ n: 2 }]);
  });

  it('leaves a taken batch untouched while the next one is built (two buffers take turns)', () => {
    const b = new StagingBuffer(64);
    b.add('{"batch":1}');
    const first = b.take()!;
    const copy = Buffer.from(first);
    b.add('{"batch":2,"filler":"yyyyyyyyyyyyyyyy"}');
    expect(first.equals(copy)).toBe(true);
    expect(JSON.parse(b.take()!.toString('utf8'))).toEqual([{ batch: 2, filler: 'yyyyyyyyyyyyyyyy' }]);
  });
});

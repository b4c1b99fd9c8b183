// eachRow (src/db/each-row.ts): a read handed over row by row as it arrives, as the provider
// context packs its members. Against a real Postgres: every row in order with its types parsed,
// and an error (the caller's or the query's) rejects the read and leaves the pool whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eachRow } from '../../src/db/each-row.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.drop();
});

const ROWS = `select i, i % 3 = 0 as third, date '2026-11-01' + i as day, case when i % 5 = 0 then null else 'r' || i end as label
                from generate_series(1, $1::int) i order by i`;

describe('eachRow', () => {
  it('hands over every row once, in order, with the types the pool parses, and counts them', async () => {
    const seen: unknown[] = [];
    const n = await eachRow<{ i: number; third: boolean; day: string; label: string | null }>(db.pool, ROWS, [25_000], (r) => seen.push(r));
    expect(n).toBe(25_000);
    expect(seen).toEqual((await db.pool.query(ROWS, [25_000])).rows);
    expect(seen[4]).toEqual({ i: 5, third: false, day: '2026-11-06', label: null });
  });

  it("rejects with the caller's first error, reads no further into the caller, and gives the connection back usable", async () => {
    let calls = 0;
    const read = eachRow(db.pool, ROWS, [1000], (r: { i: number }) => {
      calls++;
      if (r.i === 10) throw new Error('row 10 refused');
    });
    await expect(read).rejects.toThrow('row 10 refused');
    expect(calls).toBe(10);
    expect(db.pool.totalCount).toBe(db.pool.idleCount);
    expect((await db.pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });

  it("rejects with the query's error and releases its connection", async () => {
    await expect(eachRow(db.pool, 'select 1 / (i - 3) from generate_series(1, 5) i', [], () => undefined)).rejects.toThrow(/division by zero/);
    expect(db.pool.totalCount).toBe(db.pool.idleCount);
    expect((await db.pool.query('select 2 as two')).rows).toEqual([{ two: 2 }]);
  });
});

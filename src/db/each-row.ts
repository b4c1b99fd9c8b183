// A read whose rows are handed to the caller one by one as they arrive, never collected: for a
// read of hundreds of thousands of rows the caller packs as it goes (the provider context's
// members), so no array of row objects is held beside the packed copy, and each row object dies
// young instead of living until the last row arrives.
import pg from 'pg';

/**
 * Runs `text` on a connection of the pool and calls `each` with every row, in order. Resolves
 * with the number of rows once the last has been handed over; rejects with the query's error,
 * or with the first error `each` threw (the rest of the rows are then read and dropped: the
 * connection stays in step with the server, and goes back to the pool).
 */
export async function eachRow<R extends pg.QueryResultRow>(pool: pg.Pool, text: string, values: readonly unknown[], each: (row: R) => void): Promise<number> {
  const client = await pool.connect();
  try {
    return await new Promise<number>((resolve, reject) => {
      let n = 0;
      let thrown: unknown;
      const query = new pg.Query<R>({ text, values: [...values] });
      query.on('row', (row: R) => {
        if (thrown !== undefined) return;
        try {
          each(row);
          n++;
        } catch (err) {
          thrown = err;
        }
      });
      query.on('error', reject);
      query.on('end', () => (thrown === undefined ? resolve(n) : reject(thrown instanceof Error ? thrown : new Error(String(thrown)))));
      client.query(query);
    });
  } finally {
    client.release();
  }
}

// Planner statistics refreshed after a bulk load. Autovacuum analyzes a table once enough of it
// changed, within about a minute; a file that comes in that minute is planned from the table as it
// was (empty, or a tenth of its size), and lookups of a batch's members by key became scans of a
// provider's every row (test/integration/apply-plans-fresh.test.ts). The standard answer: analyze
// what a bulk load wrote, once it has committed (ANALYZE samples a bounded number of rows, and
// neither blocks nor waits for readers or writers).
import type pg from 'pg';

/** The tables' statistics refreshed; the names are code, never input. */
export async function analyzeTables(db: pg.Pool | pg.PoolClient, tables: readonly string[]): Promise<void> {
  for (const t of tables) {
    if (!/^[a-z_]+$/.test(t)) throw new Error(`not a table name: ${t}`);
    await db.query(`analyze ${t}`);
  }
}

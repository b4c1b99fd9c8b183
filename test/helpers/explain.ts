// A read's own statement, explained instead of run: the plan Postgres chose and the rows each
// node read (EXPLAIN ANALYZE row counts, never timings), for tests that a read stays bounded.
import type pg from 'pg';

export interface PlanNode { 'Node Type': string; 'Relation Name'?: string; 'Actual Rows': number; 'Actual Loops': number; 'Rows Removed by Filter'?: number; 'Rows Removed by Index Recheck'?: number; Plans?: PlanNode[] }

/** The node and every node under it. */
export const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/** The plan of the statement `read` sends, run through a client that answers with the plan (and no rows). */
export async function explainRead(pool: pg.Pool, read: (db: pg.Pool) => Promise<unknown>): Promise<PlanNode | undefined> {
  let plan: PlanNode | undefined;
  const explaining = {
    query: async (sql: string, params: unknown[]) => {
      const r = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`explain (analyze, format json, costs off, timing off, summary off) ${sql}`, params);
      plan = r.rows[0]!['QUERY PLAN'][0].Plan;
      return { rows: [] };
    },
  } as unknown as pg.Pool;
  await read(explaining);
  return plan;
}

/** Rows these nodes read, kept or filtered out, whatever the join order. */
export const rowsExamined = (ns: readonly PlanNode[]): number =>
  ns.reduce((s, n) => s + n['Actual Loops'] * (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)), 0);

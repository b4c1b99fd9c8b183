// A read's own statement, explained instead of run: the plan Postgres chose and the rows each
// node read (EXPLAIN ANALYZE row counts, never timings), for tests that a read stays bounded.
import type pg from 'pg';
import { expect } from 'vitest';
import { begin, defaultPlans, lookupPlans, rollback } from '../../src/repositories/submission-store.js';

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

/**
 * The provider-context read `read` starts from the provider's own members, never from the
 * plan's: in its plan, the members table is read by key (no sequential scan), so is every file's
 * rows, and at most `maxMembersExamined` member rows are read (kept or filtered out, whatever
 * the join order), where a read from the plan's side examines every member of the others.
 */
export async function expectReadByTheProvidersMembers(pool: pg.Pool, read: (db: pg.Pool) => Promise<unknown>, maxMembersExamined: number): Promise<void> {
  // the read's own statement, explained instead of run
  const plan = await explainRead(pool, read);
  expect(plan).toBeDefined();
  const members = nodes(plan!).filter((n) => n['Relation Name'] === 'members');
  expect(members.length).toBeGreaterThan(0);
  expect(members.map((n) => n['Node Type'])).not.toContain('Seq Scan');
  // nor every row of every file the plan sent
  expect(nodes(plan!).filter((n) => n['Relation Name'] === 'outbound_file_rows').map((n) => n['Node Type'])).not.toContain('Seq Scan');
  expect(rowsExamined(members)).toBeLessThanOrEqual(maxMembersExamined);
}

/** A node of a plan explained without running it (no row counts): its shape, and how each table is read. */
export interface PlanShape { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Index Cond'?: string; Plans?: PlanShape[] }

/**
 * The plans of every statement `run` sends (writes too: explained, never run), with sequential
 * scans priced out (`enable_seqscan = off`): a scan left in a plan is one no index can replace,
 * whatever the tables' sizes or statistics.
 */
export async function explainStatements(pool: pg.Pool, run: (db: pg.Pool) => Promise<unknown>): Promise<PlanShape[]> {
  const c = await pool.connect();
  const plans: PlanShape[] = [];
  try {
    await c.query('begin');
    await c.query('set local enable_seqscan = off');
    const explaining = {
      query: async (sql: string, params: unknown[] = []) => {
        plans.push((await c.query<{ 'QUERY PLAN': [{ Plan: PlanShape }] }>(`explain (format json) ${sql}`, params)).rows[0]!['QUERY PLAN'][0].Plan);
        return { rows: [], rowCount: 0 };
      },
    } as unknown as pg.Pool;
    await run(explaining);
    return plans;
  } finally {
    await c.query('rollback');
    c.release();
  }
}

/**
 * How `plan` reads `table` other than by key: a sequential scan, or an index read whole (an index
 * or bitmap index scan with no index condition: every row, in index order).
 */
export function wholeReads(plan: PlanShape, table: string): string[] {
  const all = (n: PlanShape): PlanShape[] => [n, ...(n.Plans ?? []).flatMap(all)];
  return all(plan)
    .filter((n) => n['Node Type'] === 'Bitmap Index Scan' ? n['Index Name']?.startsWith(`${table}_`) : n['Relation Name'] === table)
    .filter((n) => n['Node Type'] === 'Seq Scan' || (['Index Scan', 'Index Only Scan', 'Bitmap Index Scan'].includes(n['Node Type']) && !n['Index Cond']))
    .map((n) => `${n['Node Type']} ${n['Index Name'] ?? ''}`.trim());
}

/** A statement a client sent, and its plan as it ran (EXPLAIN ANALYZE runs it). */
export interface RanPlan { sql: string; plan: PlanNode }

/**
 * A client that explains each statement sent through `c` as it runs it (EXPLAIN ANALYZE executes
 * it, writes included: run it in a transaction rolled back), collecting the plans in order. It
 * answers each with no rows, or with `rows` the statement's own rows, run once more (read-only
 * statements whose rows the caller's next statement needs).
 */
export function explainingClient(c: pg.PoolClient, opts: { rows?: boolean } = {}): { client: pg.PoolClient; plans: RanPlan[] } {
  const plans: RanPlan[] = [];
  const client = {
    query: async (sql: string, params: unknown[]) => {
      const r = await c.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`explain (analyze, format json, costs off, timing off, summary off) ${sql}`, params);
      plans.push({ sql: sql.replace(/\s+/g, ' ').slice(0, 60), plan: r.rows[0]!['QUERY PLAN'][0].Plan });
      return opts.rows ? c.query(sql, params) : { rows: [], rowCount: 0 };
    },
  } as unknown as pg.PoolClient;
  return { client, plans };
}

/**
 * `run` as a batch of a file's staging runs it: on a client of its own, in a transaction, under
 * the batch statements' look-up plans (lookupPlans); rolled back, whatever it wrote.
 */
export async function inRolledBackBatch<T>(pool: pg.Pool, run: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await begin(c);
    await lookupPlans(c);
    return await run(c);
  } finally {
    // (also when `run` or an assertion in it threw: the client goes back to the pool idle)
    await rollback(c).catch(() => undefined);
    c.release();
  }
}

/**
 * Every statement `run` sends as a batch (inRolledBackBatch), explained as it runs, so each sees
 * what the one before wrote. `endOfFile`: under the default plans instead, as what a file runs
 * after its last batch (the last batch's chain ends with defaultPlans); `rows`: as explainingClient's.
 */
export const explainBatch = (pool: pg.Pool, run: (c: pg.PoolClient) => Promise<unknown>, opts: { endOfFile?: boolean; rows?: boolean } = {}): Promise<RanPlan[]> =>
  inRolledBackBatch(pool, async (c) => {
    if (opts.endOfFile) await defaultPlans(c);
    const { client, plans } = explainingClient(c, { rows: opts.rows });
    await run(client);
    return plans;
  });

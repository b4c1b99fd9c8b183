// A large extract leaves the planner statistics of what it loaded. Files often come minutes after
// the extracts (a month's first RTFs, a new provider's caseload), before autovacuum has looked at
// the new rows; with statistics of the tables as they were, Postgres planned lookups of a batch's
// members as bitmaps of a provider's every row (src/filetypes/otf/apply.ts, resolve-authorizations.ts;
// test/integration/apply-plans-fresh.test.ts). So an import that wrote IMPORT_ANALYZE_ROWS rows or
// more analyzes the tables it wrote, after its commit; a small one leaves them to autovacuum.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpstreamKind } from '../../schemas/upstream.js';
import { IMPORT_ANALYZE_ROWS, importUpstream } from '../../src/import/upstream.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { writeExtract } from '../helpers/world.js';

let db: TestDb;
let dir: string;
const TABLES = ['providers', 'provider_contracts', 'members', 'ecm_assignments', 'cs_authorizations'];
const N = IMPORT_ANALYZE_ROWS + 500;
const cin = (i: number) => `${String(20_000_000 + i).padStart(8, '0')}A`;

beforeAll(async () => {
  db = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-stats-'));
  // statistics of the empty tables, and no autovacuum to refresh them meanwhile
  for (const t of TABLES) await db.pool.query(`alter table ${t} set (autovacuum_enabled = off)`);
  await db.pool.query(`vacuum analyze ${TABLES.join(', ')}`);
});
afterAll(async () => {
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const csv = (kind: UpstreamKind, name: string, rows: string[]) => writeExtract(dir, kind, name, rows);
/** What the planner believes the table holds (pg_class.reltuples: -1 or 0 until analyzed). */
const believed = async (table: string) => Number((await db.pool.query(`select reltuples from pg_class where relname = $1`, [table])).rows[0].reltuples);
const now = new Date('2026-11-02T16:00:00Z');

describe('an extract and the planner statistics', () => {
  it('a small import leaves the statistics to autovacuum', async () => {
    await importUpstream(db.pool, 'providers', csv('providers', 'providers.csv', ['ACME,1234567893,123456789,Acme Care,HN,ECM,5595550100,ops@acme.example,liaison@plan.example']), { now });
    expect(await believed('providers')).toBeLessThanOrEqual(0);
  });

  it(`an import of ${N} members, then of their assignments, leaves each table analyzed`, async () => {
    const members = Array.from({ length: N }, (_, i) => `${cin(i)},M${i},Last,First,1980-01-01,F,English,1 Main St,Fresno,CA,93721,5595551000,Fresno,N`);
    expect((await importUpstream(db.pool, 'members', csv('members', 'members.csv', members), { now })).rowsImported).toBe(N);
    expect(await believed('members')).toBe(N);
    const assignments = Array.from({ length: N }, (_, i) => `${cin(i)},ACME,HN,1,2026-10-01,,,,,,`);
    expect((await importUpstream(db.pool, 'ecm-assignments', csv('ecm-assignments', 'assignments.csv', assignments), { now })).rowsImported).toBe(N);
    expect(await believed('ecm_assignments')).toBe(N);
  });
});

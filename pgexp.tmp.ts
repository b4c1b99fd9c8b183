import pg from 'pg';
import { APPLY } from './src/ingest/apply.js';
const variant = process.argv[2] ?? 'v0';
const admin = new pg.Client({ connectionString: 'postgres://calaim:calaim-local@127.0.0.1:54999/postgres' });
await admin.connect();
await admin.query('drop database if exists e1');
await admin.query('create database e1 template exp');
await admin.end();
const c = new pg.Client({ connectionString: 'postgres://calaim:calaim-local@127.0.0.1:54999/e1' });
await c.connect();
const acc = new Map<string, number>();
const q0 = c.query.bind(c);
(c as any).query = async (...a: any[]) => { const t = performance.now(); const r = await (q0 as any)(...a); const k = String(a[0]).replace(/\s+/g, ' ').trim().slice(0, 75); acc.set(k, (acc.get(k) ?? 0) + performance.now() - t); return r; };
const batches = (await c.query('select j from batches_j order by b')).rows.map((r) => r.j as string);
await c.query('begin');
if (variant.includes('nofk')) await c.query('alter table submission_rows drop constraint submission_rows_sheet_id_fkey');
const t0 = performance.now();
let row = 0;
for (const json of batches) {
  await c.query(`insert into submission_rows (sheet_id, row_number, cin, service_code, accepted, data)
     select sheet_id, row_number, cin, service_code, accepted, data from jsonb_to_recordset($1::jsonb)
     as x(sheet_id bigint, row_number int, cin text, service_code text, accepted boolean, data jsonb)`, [json]);
  const t1 = performance.now();
  if (!variant.includes('noapply')) await APPLY.RTF(c as unknown as pg.PoolClient, 1, 'BENCH100K', { from: row + 1, to: row + 2000 });
  row += 2000;
}
const t2 = performance.now();
await c.query('rollback');
console.log([...acc].map(([k, v]) => `${(v / 1000).toFixed(2)} ${k}`).join('\n'));
console.log(variant, ((t2 - t0) / 1000).toFixed(2), 's');
await c.end();

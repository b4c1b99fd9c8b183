// `npx tsx bench/member-story.ts [--repeat N] [--providers N] [--years N]`: what the member page
// and `member show` cost when the exchange is years old. Their two reads of a member's rows that
// count (memberProviderRows, memberRtfReports in src/repositories/member-story.ts) reach
// current_rows by its primary key alone (no index by CIN on the ingest's per-row path), walking
// its (provider, file type, line, period) groups. On an embedded Postgres of its own (a
// temporary folder, removed after): `--providers` ECM providers (300) each with an RTF and an
// OTF a month in two lines for `--years` (10: the records' retention), 20 rows a group, so
// 300 × 2 × 2 × 120 = 144,000 groups and 2.9M rows; a member held by three of them over the
// years (assigned to one, moved from another by an extract, sent on a MIF by a third). Prints
// each read's seconds per round, and, as the yardstick, the same rows found by a walk of every
// group of the plan (the walk before the reads visited only the member's providers).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbedded } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';
import { memberProviderRows, memberRtfReports } from '../src/repositories/member-story.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const repeat = Number(option('repeat', '4'));
const providers = Number(option('providers', '300'));
const months = Number(option('years', '10')) * 12;
const CIN = '00001001A'; // the first row of P001's groups (row k of provider p: p * 1000 + k)

/** Every group of the plan walked (the reads' walk before they visited the member's providers only). */
const WHOLE_PLAN_WALK = `with recursive grp as (
    select ''::text as provider_code, ''::text as layout, ''::text as lob, '-infinity'::date as period
    union all
    select n.provider_code, n.layout, n.lob, n.period from grp g cross join lateral (
      select c.provider_code, c.layout, c.lob, c.period from current_rows c
       where (c.provider_code, c.layout, c.lob, c.period) > (g.provider_code, g.layout, g.lob, g.period)
       order by c.provider_code, c.layout, c.lob, c.period limit 1) n
  )
  select count(*)::int n from grp g cross join lateral (
    select 1 from current_rows c
     where c.provider_code = g.provider_code and c.layout = g.layout and c.lob = g.lob and c.period = g.period
       and c.row_key >= $1::text and c.row_key < $1::text || '}' and (c.row_key = $1::text or left(c.row_key, 10) = $1::text || '|')) c
   where g.layout <> ''`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-member-story-'));
const server = await startEmbedded(path.join(dir, 'pg'), 55498, 'calaim');
const pool = new pg.Pool({ connectionString: server.url, max: 2 });
try {
  await migrate(pool);
  const q = (sql: string, params: unknown[] = []) => pool.query(sql, params);
  const t0 = performance.now();
  await q(`insert into providers (provider_code, npi, tin, name, sftp_folder) select 'P' || lpad(p::text, 3, '0'), '1234567893', '123456789', 'Provider ' || p, 'P' || lpad(p::text, 3, '0')
             from generate_series(1, ${providers}) p`);
  await q(`insert into members (cin, last_name, first_name, dob) values ($1, 'India', 'Ivy', '1985-04-04')`, [CIN]);
  // held by P002 until an extract moved her to P001; P003 was sent her on a MIF
  await q(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) values ($1, 'HN', 'P002', 3, '2018-01-01')`, [CIN]);
  await q(`insert into ecm_assignment_changes (assignment_id, row_number, before, source, moved) select id, 2, a, 'ASSIGNMENT_IMPORT', true from ecm_assignments a`);
  await q(`update ecm_assignments set provider_code = 'P001', assigned_date = '2022-01-01'`);
  await q(`insert into outbound_files (kind, job, slot, provider_code, status, lob) values ('MIF', 'mif', '2017-03-15', 'P003', 'EMPTY', 'HN')`);
  await q(`insert into outbound_file_rows (outbound_file_id, row_number, cin) select id, 2, $1 from outbound_files`, [CIN]);
  // one file whose rows every group points at (the reads join the row to its file)
  await q(`insert into file_blobs (sha256, size, bytes) values (repeat('a', 64), 1, '\\x00')`);
  await q(`insert into submissions (id, provider_code, original_name, size, received_at, sha256, state) values (1, 'P001', 'RTF_P001_201701.xlsx', 1, '2017-02-03T18:00:00Z', repeat('a', 64), 'RESPONDED')`);
  await q(`insert into submission_sheets (id, submission_id, sheet_name, layout, provider_code, period, columns, applied) values (1, 1, 'RTF', 'RTF', 'P001', '2017-01-01', '{mcpId}', true)`);
  await q(`insert into submission_rows (sheet_id, row_number, cin, accepted, data) select 1, k, null, true, '["HN"]' from generate_series(1, 20) k`);
  await q(`insert into current_rows (provider_code, layout, lob, period, row_key, sheet_id, row_number, submission_id, received_at)
    select 'P' || lpad(p::text, 3, '0'), l, b, (date '2017-01-01' + make_interval(months => m))::date,
           case when l = 'RTF' then lpad((p * 1000 + k)::text, 8, '0') || 'A' else lpad((p * 1000 + k)::text, 8, '0') || 'A|' || k end,
           1, k, 1, now()
      from generate_series(1, ${providers}) p, unnest(array['RTF', 'OTF']) l, unnest(array['HN', 'CV']) b, generate_series(0, ${months - 1}) m, generate_series(1, 20) k`);
  // the member's rows of P002 and P003 (P001's are its first rows above)
  await q(`insert into current_rows (provider_code, layout, lob, period, row_key, sheet_id, row_number, submission_id, received_at)
    select p, 'RTF', 'HN', (date '2017-01-01' + make_interval(months => m))::date, $1, 1, 1, 1, now()
      from unnest(array['P002', 'P003']) p, generate_series(0, 11) m`, [CIN]);
  await q('vacuum analyze');
  const groups = (await pool.query<{ n: number }>(`select count(*)::int n from (select distinct provider_code, layout, lob, period from current_rows) g`)).rows[0]!.n;
  const rows = (await pool.query<{ n: number }>('select count(*)::int n from current_rows')).rows[0]!.n;
  console.log(`seeded ${rows} current rows in ${groups} groups (${providers} providers, ${months / 12} years) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const time = async (name: string, read: () => Promise<number>) => {
    const seconds: string[] = [];
    let found = 0;
    for (let i = 0; i < repeat; i++) {
      const t = performance.now();
      found = await read();
      seconds.push(((performance.now() - t) / 1000).toFixed(3));
    }
    console.log(`${name}: ${seconds.join(' ')} s; rows ${found}`);
  };
  await time('memberProviderRows (the member page\'s file rows)', async () => (await memberProviderRows(pool, CIN, 1000)).items.filter((r) => r.counts).length);
  await time('memberRtfReports (the assignments\' RTF steps)', async () => (await memberRtfReports(pool, CIN, 1000)).length);
  await time('yardstick: the same rows by a walk of every group of the plan', async () => (await pool.query<{ n: number }>(WHOLE_PLAN_WALK, [CIN])).rows[0]!.n);
} finally {
  await pool.end();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

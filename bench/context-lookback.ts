// `npx tsx bench/context-lookback.ts [--repeat N] [--days 0,62,183,365] [--others N]`: what SWITCH_LOOKBACK_DAYS
// costs the provider context (src/ingest/context.ts) at a large provider. On an embedded Postgres
// of its own (a temporary folder, removed after), one provider holds 100k members and held 30k
// more that the plan's extracts moved to another provider over the last year (2,500 a month,
// each dated into the month after it was loaded), while the extracts also changed a fifth of its
// assignments every month (status, acuity, care manager): 342k lineage rows. Then, for each
// lookback, ecmMembers (the read that searches the lineage) and endedMembers beside it, as the
// context runs them, for the provider's November files received on December 3rd; prints the
// seconds of each round and the members they found held in the period. `--others N` adds N
// members of the plan who are none of the provider's (a plan of 2M members: --others 1870000):
// the reads must look up the provider's members by key, never read the plan's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbedded } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';
import { switchesSince } from '../src/filetypes/provider-context.js';
import { ecmMembers, endedMembers } from '../src/repositories/provider-context.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const repeat = Number(option('repeat', '4'));
const lookbacks = option('days', '0,62,183,365').split(',').map(Number);
const others = Number(option('others', '0'));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-lookback-'));
const server = await startEmbedded(path.join(dir, 'pg'), 55499, 'calaim');
const pool = new pg.Pool({ connectionString: server.url, max: 4 });
try {
  await migrate(pool);
  const q = (sql: string) => pool.query(sql);
  const t0 = performance.now();
  await q(`insert into providers (provider_code, npi, tin, name, sftp_folder) values ('BIG', '1234567893', '123456789', 'Big', 'BIG'), ('OTHER', '1987654328', '987654321', 'Other', 'OTHER')`);
  await q(`insert into provider_contracts values ('BIG', 'HN', 'ECM'), ('OTHER', 'HN', 'ECM')`);
  await q(`insert into members (cin, last_name, first_name, dob) select '9' || lpad(i::text, 7, '0') || 'A', 'Last' || i, 'First' || i, '1980-01-01' from generate_series(1, 130000) i`);
  await q(`insert into members (cin, last_name, first_name, dob, address, city, state, zip, phone)
    select '8' || lpad(i::text, 7, '0') || 'B', 'Last' || i, 'First' || i, '1980-01-01', i || ' Main Street', 'Fresno', 'CA', '93721', '5595551234'
      from generate_series(1, ${others}) i`);
  await q(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date, enrollment_start, acuity, lcm_name, lcm_phone)
    select '9' || lpad(i::text, 7, '0') || 'A', 'HN', 'BIG', 3, '2025-06-01', '2025-06-10', 'Low', 'Pat Lee', '5595552000' from generate_series(1, 130000) i`);
  // the extracts' monthly changes that keep the provider: a fifth of its assignments a month, for a year
  await q(`insert into ecm_assignment_changes (assignment_id, row_number, before, source, changed_at)
    select a.id, 1, a, 'ASSIGNMENT_IMPORT', timestamptz '2026-12-01' - (m || ' months')::interval + ((a.id % 27) || ' days')::interval
      from ecm_assignments a cross join generate_series(1, 12) m where (a.id + m) % 5 = 0`);
  // the moves: 2,500 a month, each dated into the month after its load
  await q(`insert into ecm_assignment_changes (assignment_id, row_number, before, source, changed_at, moved)
    select a.id, 1, a, 'ASSIGNMENT_IMPORT', timestamptz '2026-12-01' - (((a.id % 12) + 1) || ' months')::interval, true from ecm_assignments a where a.id > 100000`);
  await q(`update ecm_assignments set provider_code = 'OTHER', assigned_date = (date '2026-12-10' - (((id % 12) + 1) || ' months')::interval)::date + 30 where id > 100000`);
  await q('vacuum analyze');
  const rows = (await pool.query<{ n: number }>('select count(*)::int n from ecm_assignment_changes')).rows[0]!.n;
  console.log(`seeded ${rows} lineage rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const received = new Date('2026-12-03T18:00:00Z');
  for (const days of lookbacks) {
    const period = { start: '2026-11-01', end: '2026-11-30', switchesSince: switchesSince('2026-11', days, 'America/Los_Angeles') };
    const seconds: string[] = [];
    let held = 0;
    for (let i = 0; i < repeat; i++) {
      const t = performance.now();
      const [members] = await Promise.all([ecmMembers(pool, 'BIG', received, period), endedMembers(pool, 'BIG', period.start)]);
      seconds.push(((performance.now() - t) / 1000).toFixed(3));
      held = members.filter((m) => m.reassigned).length;
    }
    console.log(`SWITCH_LOOKBACK_DAYS=${days} (moves loaded since ${period.switchesSince.toISOString().slice(0, 10)}): ${seconds.join(' ')} s; members held in the period ${held}`);
  }
} finally {
  await pool.end();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

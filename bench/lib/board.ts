// Case H's database: 13 months of the simulation (test/sim, the small plan: the real import,
// generation and poll code on the scenario's clock), then providers added in bulk up to 500,
// each with one or two contracted lines, a liaison and 13 periods of submissions, sheets and
// published files, so the month board has real rows to aggregate for every provider.
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { migrate } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/db/pool.js';
import { log } from '../../src/log.js';
import { providerSftpFolders } from '../../src/repositories/providers.js';
import { openTransport } from '../../src/sftp/transport.js';
import { simulate } from '../../test/sim/drive.js';
import { monthOf, SMALL } from '../../test/sim/scenario.js';

export const BOARD_PROVIDERS = 500;
export const BOARD_MONTHS = 13;
export const BOARD_SEED = 7;
/** The liaisons the added providers are spread over; the case logs in as the first. */
export const BOARD_LIAISONS = 10;
export const boardLiaison = (i: number) => `liaison${String(i + 1).padStart(2, '0')}@plan.example`;
/**
 * The pages' "today": in the last simulated month (2027-01), so the board's default period is
 * the one the simulation's last uploads answered (2026-12).
 */
export const BOARD_NOW = '2027-01-20T17:00:00Z';

export interface BoardSeed { providers: number; simProviders: number; months: number; submissions: number; sheets: number; outboundFiles: number; simSeconds: number; bulkSeconds: number }

export async function seedBoard(url: string, dataDir: string): Promise<BoardSeed> {
  fs.mkdirSync(path.join(dataDir, 'imports'), { recursive: true });
  fs.chmodSync(dataDir, 0o755);
  const env = { ...process.env };
  for (const k of ['SFTP_HOST', 'SFTP_USER', 'SFTP_PASSWORD', 'SFTP_PRIVATE_KEY_PATH', 'SFTP_HOST_KEY_SHA256', 'SMTP_URL']) delete env[k];
  const config = loadConfig({ ...env, DATABASE_URL: url, DATA_DIR: dataDir, DEV_SFTP_PORT: '0', SFTP_STABLE_SECONDS: '0' });
  const level = log.level;
  log.level = 'warn'; // a line per simulated file and email would bury the bench's output
  const db = await openDatabase(config);
  let transport: Awaited<ReturnType<typeof openTransport>> | undefined;
  try {
    await migrate(db.pool);
    transport = await openTransport(config, () => providerSftpFolders(db.pool));
    const t0 = performance.now();
    const table = await simulate({ pool: db.pool, config, openSession: transport.openSession, sftpRoot: transport.localRoot!, workDir: path.join(dataDir, 'imports') }, {
      seed: BOARD_SEED, months: BOARD_MONTHS, sizes: SMALL,
    });
    const mismatches = table.reduce((n, r) => n + r.mismatches, 0);
    if (mismatches) throw new Error(`the simulation differed from its model ${mismatches} time(s)`);
    const simSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const simProviders = (await db.pool.query<{ n: number }>('select count(*)::int n from providers')).rows[0]!.n;
    await addProviders(db.pool, BOARD_PROVIDERS - simProviders, monthOf('2026-01', -1));
    await db.pool.query('vacuum (analyze)');
    const bulkSeconds = (performance.now() - t1) / 1000;
    const n = async (table: string) => (await db.pool.query<{ n: number }>(`select count(*)::int n from ${table}`)).rows[0]!.n;
    return {
      providers: await n('providers'), simProviders, months: table.length, submissions: await n('submissions'), sheets: await n('submission_sheets'),
      outboundFiles: await n('outbound_files'), simSeconds, bulkSeconds,
    };
  } finally {
    log.level = level;
    await transport?.close();
    await db.close();
  }
}

/**
 * `count` providers BRD0001..: every one ECM on HN, every other one on CV too, every fifth CS
 * on HN as well; per period from `firstPeriod` (13 of them): the MIF per ECM line and the CSASF
 * published in the month, an RTF and an OTF (or a CSPRTF) answered on time, and by turns a
 * resubmission that supersedes the first file, a late one, a file rejected whole, a file
 * declined as late, and nothing at all (missing).
 */
export async function addProviders(db: pg.Pool, count: number, firstPeriod: string): Promise<void> {
  if (count <= 0) return;
  const c = await db.connect();
  try {
    await c.query('begin');
    await c.query(
      `insert into providers (provider_code, npi, tin, name, phone, contact_email, liaison_email, sftp_folder)
       select 'BRD' || lpad(g::text, 4, '0'), '1' || lpad((300000000 + g)::text, 9, '0'), lpad((400000000 + g)::text, 9, '0'),
              'Board Bench Provider ' || g, '5595550199', 'files@brd' || g || '.example',
              'liaison' || lpad((1 + (g - 1) % $2)::text, 2, '0') || '@plan.example', 'BRD' || lpad(g::text, 4, '0')
         from generate_series(1, $1) g`,
      [count, BOARD_LIAISONS],
    );
    await c.query(
      `insert into provider_contracts (provider_code, lob, program)
       select 'BRD' || lpad(g::text, 4, '0'), x.lob, x.program
         from generate_series(1, $1) g
         cross join (values ('HN', 'ECM', 1), ('CV', 'ECM', 2), ('HN', 'CS', 5)) x(lob, program, every)
        where g % x.every = 0 or x.every = 1`,
      [count],
    );
    // the files of every provider and period: kind f (first), r (resubmission), l (late), x (rejected), d (declined)
    await c.query(
      `create temp table board_files on commit drop as
       select p.provider_code, p.g, m.k, m.period, t.layout, f.kind,
              t.layout || '_' || p.provider_code || '_' || to_char(m.period, 'YYYYMM') || '_' || f.kind || '.xlsx' as original_name,
              m.period + interval '1 month' + (case f.kind when 'f' then 2 when 'r' then 6 when 'x' then 3 when 'l' then 12 else 25 end) * interval '1 day' + interval '17 hours' as received_at,
              10 + (p.g * 7 + m.k * 3) % 60 as rows_read
         from (select provider_code, substr(provider_code, 4)::int g from providers where provider_code like 'BRD%') p
         cross join generate_series(0, 12) m0(k)
         cross join lateral (select m0.k, ($1::date + m0.k * interval '1 month')::date as period) m
         cross join lateral (select l.layout from unnest(case when p.g % 5 = 0 then array['RTF', 'OTF', 'CSPRTF'] else array['RTF', 'OTF'] end) l(layout)) t
         cross join lateral (select v.kind from (values ('f'), ('r'), ('l'), ('x'), ('d')) v(kind)
                              where (v.kind = 'f' and (p.g + m.k) % 6 <> 0)
                                 or (v.kind = 'r' and (p.g + m.k) % 4 = 1)
                                 or (v.kind = 'l' and (p.g + m.k) % 6 = 0 and p.g % 2 = 0)
                                 or (v.kind = 'x' and (p.g + m.k) % 7 = 3)
                                 or (v.kind = 'd' and (p.g + m.k) % 11 = 5)) f`,
      [`${firstPeriod}-01`],
    );
    await c.query(
      `insert into file_blobs (sha256, size, bytes)
       select encode(sha256(b), 'hex'), length(b), b from (select convert_to(original_name, 'UTF8') b from board_files) x`,
    );
    await c.query(
      `insert into submissions (provider_code, original_name, sha256, size, file_types, period, received_at, source, verdict, outcome, state,
                                rows_read, rows_accepted, rows_rejected, warnings, response_name)
       select provider_code, original_name, encode(sha256(convert_to(original_name, 'UTF8')), 'hex'), length(original_name), array[layout], period, received_at, 'sftp',
              case kind when 'f' then 'ON_TIME' when 'r' then 'RESUBMISSION' when 'l' then 'LATE_ACCEPTED' when 'd' then 'DECLINED_LATE' else 'ON_TIME' end,
              case kind when 'x' then 'REJECTED' when 'd' then 'REJECTED' else case when rows_read % 4 = 0 then 'PARTIALLY_ACCEPTED' else 'ACCEPTED' end end,
              'RESPONDED',
              case when kind in ('x', 'd') then 0 else rows_read end,
              case when kind in ('x', 'd') then 0 when rows_read % 4 = 0 then rows_read - 2 else rows_read end,
              case when kind in ('x', 'd') then 0 when rows_read % 4 = 0 then 2 else 0 end,
              rows_read % 3, replace(original_name, '.xlsx', '_RESPONSE.xlsx')
         from board_files`,
    );
    // the sheets of the files that were read, with the lines their rows were on
    await c.query(
      `insert into submission_sheets (submission_id, sheet_name, layout, provider_code, period, applied, rows_read, rows_accepted, rows_rejected, warnings, lobs)
       select s.id, f.layout, f.layout, f.provider_code, f.period, true, s.rows_read, s.rows_accepted, s.rows_rejected, s.warnings,
              coalesce((select array_agg(c.lob order by c.lob) from provider_contracts c
                         where c.provider_code = f.provider_code and c.program = case f.layout when 'CSPRTF' then 'CS' else 'ECM' end), '{}')
         from board_files f join submissions s on s.provider_code = f.provider_code and s.original_name = f.original_name
        where f.kind in ('f', 'r', 'l')`,
    );
    // a later sheet of the same provider, layout and period supersedes the earlier one
    await c.query(
      `update submission_sheets old set superseded_by = nxt.id
         from submission_sheets nxt join submissions ns on ns.id = nxt.submission_id, submissions os
        where old.provider_code like 'BRD%' and os.id = old.submission_id
          and nxt.provider_code = old.provider_code and nxt.layout = old.layout and nxt.period = old.period and ns.received_at > os.received_at
          and not exists (select 1 from submission_sheets mid join submissions ms on ms.id = mid.submission_id
                           where mid.provider_code = old.provider_code and mid.layout = old.layout and mid.period = old.period
                             and ms.received_at > os.received_at and ms.received_at < ns.received_at)`,
    );
    await c.query(
      `update submission_sheets s set supersedes_id = o.id from submission_sheets o where o.superseded_by = s.id and s.provider_code like 'BRD%'`,
    );
    // the plan's files: a MIF per ECM line in mid-month, a CSASF for CS providers early in the month
    await c.query(
      `with planned as (
         select c.provider_code, case c.program when 'ECM' then 'MIF' else 'CSASF' end kind, case c.program when 'ECM' then c.lob end lob,
                ($1::date + m.k * interval '1 month' + case c.program when 'ECM' then interval '14 days' else interval '4 days' end)::date slot,
                10 + m.k as row_count
           from provider_contracts c cross join generate_series(0, 12) m(k)
          where c.provider_code like 'BRD%' and (c.program = 'ECM' or c.lob = 'HN')
       ), named as (
         select p.*, p.kind || '_' || p.provider_code || coalesce('_' || p.lob, '') || '_' || to_char(p.slot, 'YYYYMMDD') || '.xlsx' file_name from planned p
       ), blobs as (
         insert into file_blobs (sha256, size, bytes)
         select encode(sha256(convert_to(file_name, 'UTF8')), 'hex'), length(file_name), convert_to(file_name, 'UTF8') from named
       )
       insert into outbound_files (kind, job, slot, provider_code, lob, status, file_name, remote_path, sha256, row_count, reporting_period, published_at)
       select kind, lower(kind), slot, provider_code, lob, 'PUBLISHED', file_name, '/' || provider_code || '/downloads/' || file_name,
              encode(sha256(convert_to(file_name, 'UTF8')), 'hex'), row_count, date_trunc('month', slot)::date, slot + interval '15 hours'
         from named`,
      [`${firstPeriod}-01`],
    );
    await c.query('commit');
  } catch (e) {
    await c.query('rollback').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

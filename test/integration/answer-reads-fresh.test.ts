// The reads and writes a file's transaction runs once, at the end of the file (the verdict, the
// merge's counts and lineage, the diff against the earlier file, the caseload warning), in a
// database whose statistics predate its rows: a provider's first big file, or a correction minutes
// after it, before autovacuum has looked at what the first one added. Earlier such plans were
// quadratic in the file (the merge by key, d99c0be: every key against every row of the period,
// 90 s a 100k-row correction; the earlier errors, 7d8f8a8: every error against every row of the
// new sheet, 15 s). Here, with statistics of empty tables kept, a provider's period holds
// KEYS keys of each of two file types (an RTF and an OTF, each a first file and a correction that
// sends most of its rows again, with errors in the first), its previous period as many, other
// providers' files of every month, and the provider's KEYS assignments beside other providers';
// each statement is explained as the pipeline calls it, under the plans it runs with
// (src/ingest/sheet-writer.ts: a batch's statements under lookupPlans, reset by defaultPlans once
// the batch is merged: everything after the last batch runs under the default plans), and reads
// at most a few rows per row it must touch. EXPLAIN ANALYZE row counts, never timings.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOB_CODES } from '../../schemas/codes.js';
import { OTF } from '../../schemas/otf.js';
import { RTF } from '../../schemas/rtf.js';
import { OTF_MERGE_KEY } from '../../src/filetypes/otf/apply.js';
import { RTF_MERGE_KEY } from '../../src/filetypes/rtf/apply.js';
import { ALL_ROWS, type RowRange } from '../../src/filetypes/types.js';
import { stagingLine } from '../../src/ingest/pipeline.js';
import { STAGE_BATCH } from '../../src/ingest/sheet-writer.js';
import { StagingBuffer } from '../../src/ingest/staging-buffer.js';
import { dropLinesCarried, linesHeldByLater, otherRowsByLine, periodHasRows, recordSupersession, type MergeBatch } from '../../src/repositories/current-rows.js';
import { stagedKeys } from '../../src/repositories/staged-columns.js';
import {
  caseloadsOver, defaultPlans, earlierSheetErrors, earlierTypeLines, previousSheet, reportedEarlier, stageRows,
} from '../../src/repositories/submission-store.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { explainBatch, inRolledBackBatch, nodes, rowsExamined, type RanPlan } from '../helpers/explain.js';

/** Keys of each file type in the provider's period (and in its previous one); assignments of the provider. */
const KEYS = 10_000;
/** Other providers: a file of each type every month for three years, 400 rows of each counting in the last two months. */
const OTHERS = 50;
const MONTHS = 36;
const OTHER_ROWS = 400;
/** Other members (assigned to other providers in every line), besides the provider's KEYS (assigned to others in CV and CHPIV). */
const OTHER_MEMBERS = 20_000;
const PROVIDER = 'BIGECM';
const PERIOD = '2026-11-01';
const BEFORE = '2026-10-01';
const RECEIVED = { before: new Date('2026-11-04T18:00:00Z'), first: new Date('2026-12-02T18:00:00Z'), correction: new Date('2026-12-04T18:00:00Z') };
const CASELOAD_LIMIT = 50;
/** Lead care managers of the provider's members: KEYS / LCMS each, every one over the limit. */
const LCMS = 20;
const cin = (i: number) => `${String(10_000_000 + i).padStart(8, '0')}A`;
/** The first file's rows rejected, with an error each (1 in 10). */
const rejectedFirst = (k: number) => k % 10 === 1;
/** The keys the correction sends again (9 in 10, the rows rejected before among them): the others stay the first file's. */
const resent = (k: number) => k % 10 !== 0;
const TABLES = ['providers', 'members', 'ecm_assignments', 'file_blobs', 'submissions', 'submission_sheets', 'submission_rows', 'submission_issues', 'current_rows'];

type Layout = 'RTF' | 'OTF';
const LAYOUTS = { RTF: { keys: stagedKeys(RTF), mergeKey: RTF_MERGE_KEY }, OTF: { keys: stagedKeys(OTF), mergeKey: OTF_MERGE_KEY } } as const;
const valuesOf = (layout: Layout, k: number) => layout === 'RTF'
  ? { mcpId: 'HN', cin: cin(k), lastName: 'Member', firstName: 'Test', ecmStatus: '3', acuity: 'Low' }
  : { mcpId: 'HN', cin: cin(k), attemptDate: '2026-11-04', method: 1, successful: true, minutes: 10, providerType: 1 };

interface File { submission: number; sheet: number }
let db: TestDb;
const files = {} as Record<Layout, { before: File; first: File; correction: File }>;

beforeAll(async () => {
  db = await createTestDb();
  const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
  // statistics of empty tables, kept: no autovacuum until the tests end
  for (const t of TABLES) await q(`alter table ${t} set (autovacuum_enabled = off)`);
  await q(`vacuum analyze ${TABLES.join(', ')}`);
  await q(`insert into providers (provider_code, npi, tin, name, sftp_folder)
           select code, '1234567893', '123456789', code, code from unnest(array[$1::text] || array(select 'OTHER' || lpad(g::text, 2, '0') from generate_series(1, ${OTHERS}) g)) code`, [PROVIDER]);
  await q(`insert into file_blobs (sha256, size, bytes) select md5(g::text) || md5(g::text), 1, '\\x00' from generate_series(1, ${2 * (OTHERS + 1) * MONTHS + 100}) g`);
  // the provider's members, enrolled with it in HN (KEYS / LCMS a lead care manager), assigned to
  // others in CV and CHPIV; and other providers' members in every line
  await q(`insert into members (cin, last_name, first_name, dob) select (10000000 + g)::text || 'A', 'Member', 'Test', date '1980-01-01' from generate_series(0, ${KEYS + OTHER_MEMBERS - 1}) g`);
  await q(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date, enrollment_start, lcm_name)
           select (10000000 + g)::text || 'A', l.lob, case when l.lob = 'HN' and g < ${KEYS} then $1 else 'OTHER' || lpad((1 + g % ${OTHERS})::text, 2, '0') end, 3,
                  date '2026-01-01', date '2026-01-15', 'LCM ' || (g % ${LCMS})
             from generate_series(0, ${KEYS + OTHER_MEMBERS - 1}) g cross join unnest(array['HN', 'CV', 'CHPIV']) l(lob)`, [PROVIDER]);
  // three years of files of the other providers (this period's too) and of the provider (up to
  // its previous period): a sheet each, applied; the other providers' rows of the last two months
  await q(`with f as (
             select p.provider_code, l.layout, m::date as period, row_number() over () as n
               from providers p cross join unnest(array['RTF', 'OTF']) l(layout)
                    cross join generate_series($2::date - interval '${MONTHS - 1} months', $2::date, interval '1 month') m
              where p.provider_code <> $1 or m < $3::date
           ), s as (
             insert into submissions (provider_code, original_name, sha256, size, received_at, period, source, state, outcome, verdict, file_types)
             select provider_code, layout || '_' || provider_code || '_' || to_char(period, 'YYYYMM') || '.xlsx', md5(n::text) || md5(n::text), 1,
                    period + interval '1 month 3 days', period, 'sftp', 'RESPONDED', 'ACCEPTED', 'ON_TIME', array[layout]
               from f returning id, provider_code, period, received_at, file_types[1] as layout
           ), sh as (
             insert into submission_sheets (submission_id, sheet_name, layout, provider_code, period, applied, lobs, rows_read, rows_accepted)
             select id, layout, layout, provider_code, period, true, '{HN}', ${OTHER_ROWS}, ${OTHER_ROWS} from s returning id, submission_id
           )
           insert into current_rows (provider_code, layout, lob, period, row_key, sheet_id, row_number, submission_id, received_at)
           select s.provider_code, s.layout, 'HN', s.period, (10000000 + ${KEYS} + g)::text || 'A', sh.id, g + 2, s.id, s.received_at
             from s join sh on sh.submission_id = s.id cross join generate_series(0, ${OTHER_ROWS - 1}) g
            where s.period >= $4::date`, [PROVIDER, PERIOD, BEFORE, BEFORE]);
  let blob = 2 * (OTHERS + 1) * MONTHS + 1;
  const c = await db.pool.connect();
  try {
    /** A file of the provider's: its submission and sheet, its staged rows (`keys` in order), an error a rejected row, and its rows merged into what counts. */
    const file = async (layout: Layout, period: string, receivedAt: Date, keys: number[], rejected: (k: number) => boolean): Promise<File> => {
      const s = await c.query(`insert into submissions (provider_code, original_name, sha256, size, received_at, period, source, state, outcome, file_types)
                               values ($1, $2, md5($3::text) || md5($3::text), 1, $4, $5, 'sftp', 'RESPONDED', 'PARTIALLY_ACCEPTED', array[$6]) returning id`,
      [PROVIDER, `${layout}_${PROVIDER}_${period.slice(0, 7)}_${blob}.xlsx`, blob++, receivedAt, period, layout]);
      const submission = Number(s.rows[0].id);
      const rejects = keys.filter(rejected).length;
      const sheet = Number((await c.query(`insert into submission_sheets (submission_id, sheet_name, layout, provider_code, period, columns, applied, lobs, rows_read, rows_accepted, rows_rejected)
                                           values ($1, $2, $2, $3, $4, $5, true, '{HN}', $6, $7, $8) returning id`,
      [submission, layout, PROVIDER, period, LAYOUTS[layout].keys, keys.length, keys.length - rejects, rejects])).rows[0].id);
      const buf = new StagingBuffer();
      keys.forEach((k, i) => buf.add(stagingLine(sheet, LAYOUTS[layout].keys, { rowNumber: i + 2, cin: cin(k), accepted: !rejected(k), values: valuesOf(layout, k) as never })));
      await stageRows(c, buf.take()!);
      await c.query(`insert into submission_issues (submission_id, sheet_name, row_number, column_label, code, severity, cin, message)
                     select $1, $2, r.row_number, 'Phone', 'PHONE_INVALID', 'error', r.cin, 'x' from submission_rows r where r.sheet_id = $3 and not r.accepted`, [submission, layout, sheet]);
      // what counts of it: each accepted row, as the current row of its key (the later file's: received later)
      const k = LAYOUTS[layout].mergeKey;
      await c.query(`insert into current_rows (provider_code, layout, lob, period, row_key, sheet_id, row_number, submission_id, received_at)
                     select $1, $2, ${k.lob}, $3, ${k.key}, r.sheet_id, r.row_number, $4, $5 from submission_rows r where r.sheet_id = $6 and r.accepted
                     on conflict (provider_code, layout, lob, period, row_key) do update
                       set sheet_id = excluded.sheet_id, row_number = excluded.row_number, submission_id = excluded.submission_id, received_at = excluded.received_at`,
      [PROVIDER, layout, period, submission, receivedAt, sheet]);
      return { submission, sheet };
    };
    const all = Array.from({ length: KEYS }, (_, k) => k);
    for (const layout of ['RTF', 'OTF'] as const) {
      files[layout] = {
        before: await file(layout, BEFORE, RECEIVED.before, all, () => false),
        first: await file(layout, PERIOD, RECEIVED.first, all, rejectedFirst),
        // (the correction's sheet as at the end of its file: staged, applied, merged)
        correction: await file(layout, PERIOD, RECEIVED.correction, all.filter(resent), () => false),
      };
    }
  } finally {
    c.release();
  }
}, 300_000);
afterAll(async () => db?.drop());

/**
 * The statements `run` sends, each explained as it runs (writes too), in a transaction rolled
 * back, under the plans the pipeline runs it with: a batch's (lookupPlans), or the end of the
 * file's (defaultPlans: the last batch's chain ends with it). With `rows`, each (read-only)
 * statement also answers with its rows, for the next one's input.
 */
const explained = (plans: 'batch' | 'end of file', run: (c: pg.PoolClient) => Promise<unknown>, opts: { rows?: boolean } = {}): Promise<RanPlan[]> =>
  explainBatch(db.pool, run, { ...opts, endOfFile: plans === 'end of file' });

/** What `run` returns, run for real under the same plans, rolled back. */
const value = <T>(plans: 'batch' | 'end of file', run: (c: pg.PoolClient) => Promise<T>): Promise<T> =>
  inRolledBackBatch(db.pool, async (c) => {
    if (plans === 'end of file') await defaultPlans(c);
    return run(c);
  });

/** Rows each statement examined (kept or filtered out, whatever the join order). */
const examined = (ran: readonly RanPlan[]) => ran.map((p) => rowsExamined(nodes(p.plan)));

/** The plans, a node a line (type, relation, loops x rows, + rows filtered out): what a failure shows. */
const shape = (ran: readonly RanPlan[]) => ran.map((p) => `${p.sql}\n${nodes(p.plan).map((n) =>
  `  ${n['Node Type']}${n['Relation Name'] ? ` on ${n['Relation Name']}` : ''}: ${n['Actual Loops']} x ${n['Actual Rows']}${n['Rows Removed by Filter'] ? ` (+${n['Rows Removed by Filter']} filtered out)` : ''}`).join('\n')}`).join('\n');

/** Each statement `run` sent examined at most its bound (in order), or the assertion shows the plans. */
const expectBounded = (ran: readonly RanPlan[], bounds: readonly number[]) => {
  expect(ran).toHaveLength(bounds.length);
  examined(ran).forEach((n, i) => expect(n, `statement ${i + 1} of ${ran.length}:\n${shape(ran)}`).toBeLessThanOrEqual(bounds[i]!));
};

/** The correction's sheet (or a batch of it), as the merge names it. */
const correctionBatch = (layout: Layout, range: RowRange): MergeBatch => ({
  sheetId: files[layout].correction.sheet, provider: PROVIDER, layout, period: PERIOD, submissionId: files[layout].correction.submission,
  from: range.from, to: range.to, receivedAt: RECEIVED.correction, lobs: LOB_CODES,
});

const everyKey = Array.from({ length: KEYS }, (_, k) => cin(k));
/** The keys the correction left to the first file, and those it sent again. */
const KEPT = everyKey.filter((_, k) => !resent(k)).length;
const RESENT = KEYS - KEPT;
/** Sheets of the period, every provider's (what the period's index finds): the provider's four and the others' two each. */
const PERIOD_SHEETS = 4 + 2 * OTHERS;
/** Rows of current_rows: the provider's two types over two periods, the others' two types over two periods. */
const CURRENT_ROWS = 2 * 2 * KEYS + 2 * 2 * OTHERS * OTHER_ROWS;

describe(`a correction of ${KEYS} keys answered while the statistics are of empty tables`, () => {
  it('the fixture: statistics of empty tables, and the rows a plan that fails would read', async () => {
    const stats = await db.pool.query<{ relname: string; reltuples: number }>('select relname, reltuples from pg_class where relname = any($1) order by relname', [TABLES]);
    expect(stats.rows.map((r) => [r.relname, r.reltuples])).toEqual([...TABLES].sort().map((t) => [t, 0]));
    const count = async (table: string) => Number((await db.pool.query(`select count(*) n from ${table}`)).rows[0].n);
    expect(await count('current_rows')).toBe(CURRENT_ROWS);
    expect(await count('ecm_assignments')).toBe(3 * (KEYS + OTHER_MEMBERS));
    // (the others' every month, the provider's up to the month before its previous one, and its six files)
    expect(await count('submissions')).toBe(2 * OTHERS * MONTHS + 2 * (MONTHS - 2) + 6);
    expect(await count(`submission_sheets where period = '${PERIOD}'`)).toBe(PERIOD_SHEETS);
  });

  it(`reportedEarlier (the ${KEYS} members asked about): a look-up per key, not every key against every row of the period`, async () => {
    const read = (c: pg.PoolClient) => reportedEarlier(c, PROVIDER, 'RTF', PERIOD, everyKey, files.RTF.correction.submission);
    expect((await value('end of file', read)).size).toBe(KEPT);
    // (a quadratic plan: KEYS keys x KEYS rows of the period = 100M rows)
    expectBounded(await explained('end of file', read), [5 * KEYS]);
  });

  it('otherRowsByLine: the period\'s rows of the line, once', async () => {
    const read = (c: pg.PoolClient) => otherRowsByLine(c, PROVIDER, 'RTF', PERIOD, ['HN'], files.RTF.correction.submission);
    expect(await value('end of file', read)).toEqual([{ lob: 'HN', n: KEPT }]);
    // (no join to go quadratic: the plan that fails reads current_rows whole, every provider's
    // every period and type, CURRENT_ROWS = 120,000 rows here, and more every month)
    expectBounded(await explained('end of file', read), [5 * KEYS]);
  });

  it('recordSupersession: both updates find their sheets by key, and the sheet kept is found kept by one current row', async () => {
    const args = {
      sheetId: files.RTF.correction.sheet, provider: PROVIDER, layout: 'RTF', period: PERIOD, submissionId: files.RTF.correction.submission,
      fromSubmission: files.RTF.first.submission, updatedFrom: [files.RTF.first.submission],
    };
    const lineage = await value('end of file', async (c) => {
      await recordSupersession(c, args);
      return (await c.query('select id, supersedes_id, superseded_by from submission_sheets where id = any($1) order by id', [[files.RTF.first.sheet, files.RTF.correction.sheet]])).rows;
    });
    // the first file's sheet still has rows that count (those the correction did not send again): superseded by no one
    expect(lineage.map((r) => [Number(r.id), r.supersedes_id && Number(r.supersedes_id), r.superseded_by])).toEqual([
      [files.RTF.first.sheet, null, null], [files.RTF.correction.sheet, files.RTF.first.sheet, null]]);
    // (each touches two rows: the sheet and the one it supersedes; the candidate sheet and one of
    // its current rows. A plan that fails reads submission_sheets whole (3,600 sheets), or
    // current_rows whole for the "not exists" (CURRENT_ROWS), or every current row per sheet)
    expectBounded(await explained('end of file', (c) => recordSupersession(c, args)), [5 * 2, 5 * 2]);
  });

  it(`caseloadsOver: the provider's ${KEYS} assignments, not every provider's`, async () => {
    const read = (c: pg.PoolClient) => caseloadsOver(c, PROVIDER, CASELOAD_LIMIT, PERIOD);
    expect(await value('end of file', read)).toHaveLength(LCMS);
    // (no join to go quadratic: the plan that fails reads ecm_assignments whole, every provider's
    // (KEYS + OTHER_MEMBERS) x 3 lines = 90,000 assignments, and sorts the provider's)
    expectBounded(await explained('end of file', read), [5 * KEYS]);
  });

  it('previousSheet: the period\'s sheets and the submission of the one it finds', async () => {
    const read = (c: pg.PoolClient) => previousSheet(c, PROVIDER, 'RTF', PERIOD, ['HN'], files.RTF.correction.submission);
    expect((await value('end of file', read))?.sheetId).toBe(files.RTF.first.sheet);
    // (a quadratic plan: every sheet of the period x every submission of three years,
    // 104 x 3,600 = 375,000 rows; one reading the submissions whole per sheet kept, 3,600)
    expectBounded(await explained('end of file', read), [5 * (PERIOD_SHEETS + 1)]);
  });

  it('earlierTypeLines: the period\'s sheets and the submission of the ones it keeps', async () => {
    const read = (c: pg.PoolClient) => earlierTypeLines(c, PROVIDER, PERIOD, ['RTF'], files.RTF.correction.submission, []);
    expect([...await value('end of file', read)]).toEqual(['RTF|HN']);
    // (as previousSheet: 375,000 rows every sheet against every submission; 3,600 a whole read of them)
    expectBounded(await explained('end of file', read), [5 * (PERIOD_SHEETS + 1)]);
  });

  it('earlierSheetErrors: the first file\'s errors, and the correction\'s rows once', async () => {
    const read = (c: pg.PoolClient) => earlierSheetErrors(c, files.RTF.first.sheet, files.RTF.correction.sheet);
    const errors = await value('end of file', read);
    expect(errors).toHaveLength(KEYS / 10);
    expect(errors.filter((e) => e.resent)).toHaveLength(KEYS / 10);
    // (a quadratic plan: the errors x the correction's rows = 1,000 x 9,000 = 9M rows)
    expectBounded(await explained('end of file', read, { rows: true }), [5 * KEYS / 10, 5 * (RESENT + KEYS / 10)]);
  });

  it('dropLinesCarried (OTF_CORRECTIONS=replace-line): the period\'s rows of the line and the correction\'s rows, each once', async () => {
    const run = (c: pg.PoolClient) => dropLinesCarried(c, OTF_MERGE_KEY, correctionBatch('OTF', ALL_ROWS));
    expect(await value('end of file', run)).toEqual([{ lob: 'HN', prev: files.OTF.first.submission, n: KEPT }]);
    // (a quadratic plan: every row of the line x the correction's rows for its lines = 10,000 x 9,000 = 90M rows)
    expectBounded(await explained('end of file', run), [5 * (KEYS + RESENT)]);
  });

  // A batch's statements: periodHasRows at the sheet's first batch, linesHeldByLater at each
  // (replace-line), under lookupPlans while the file is read (src/ingest/sheet-writer.ts); under
  // the default plans when the sheet is applied after it is read (apply, src/ingest/pipeline.ts),
  // linesHeldByLater then on the whole sheet. linesHeldByLater failed under both until it looked
  // up the batch's lines first: with submission_rows' statistics from before the correction's
  // rows, its "exists" per staged row was a nested loop semi join whose inner side, an index scan
  // of current_rows by (provider, layout, period) with the line a join filter, read the period's
  // every row of the type again for each row of the batch (50M rows a batch of 5,000;
  // merge-plans.test.ts explains it with submission_rows analyzed, where a Materialize kept it linear).
  for (const plans of ['batch', 'end of file'] as const) {
    it(`periodHasRows (${plans === 'batch' ? 'lookupPlans' : 'default plans'}): a row of the period found by key, or none, not the rows of every other period`, async () => {
      const correction = (c: pg.PoolClient) => periodHasRows(c, PROVIDER, 'OTF', PERIOD, LOB_CODES);
      // a provider's first file of a period
      const first = (c: pg.PoolClient) => periodHasRows(c, PROVIDER, 'OTF', '2026-12-01', LOB_CODES);
      expect(await value(plans, correction)).toBe(true);
      expect(await value(plans, first)).toBe(false);
      // (a look-up per line, a row at most; the plan that fails reads current_rows from its start,
      // 40,000 rows of other periods and types before the first of this one, CURRENT_ROWS for a new period)
      expectBounded(await explained(plans, correction), [5 * LOB_CODES.length]);
      expectBounded(await explained(plans, first), [5 * LOB_CODES.length]);
    });

    const range = plans === 'batch' ? { from: 2, to: 1 + STAGE_BATCH } : ALL_ROWS;
    const rows = plans === 'batch' ? STAGE_BATCH : RESENT;
    it(`linesHeldByLater (${plans === 'batch' ? `lookupPlans, a batch of ${rows} rows` : `default plans, the sheet's ${rows} rows`}): the rows once, and whether a later file holds each line, once per line`, async () => {
      // (no line is held: its value is not run for, the quadratic plan takes 20-60 s here)
      const ran = await explained(plans, (c) => linesHeldByLater(c, OTF_MERGE_KEY, correctionBatch('OTF', range)));
      expect(ran[0]?.plan['Actual Rows']).toBe(0);
      // (the batch's rows, and the period's rows of its one line once, none received later; a
      // quadratic plan: every row of the batch x the period's rows of its line, 5,000 x 10,000 =
      // 50M rows a batch, 9,000 x 10,000 = 90M the sheet)
      expectBounded(ran, [5 * rows + KEYS]);
    });
  }
});

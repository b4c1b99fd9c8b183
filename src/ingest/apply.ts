// Set-based application of a submission's accepted rows (already staged in submission_rows,
// values positional: see stagedColumns)
// inside the submission's transaction: one statement per sheet and table, never one per row.
import type pg from 'pg';
import { LINES_OF_BUSINESS } from '../../schemas/codes.js';
import { CSPRTF, OTF, RTF, type Layout } from '../../schemas/index.js';
import { resolveReportedCsAuthorizations } from './cs-resolve.js';

/**
 * A staged row's data is a JSON array in its layout's column order (submission_sheets.columns);
 * `col(key)` is `<alias>->>N` for the column's position, checked against the layout declaration.
 */
export function stagedColumns(layout: Layout, alias: string): { text: (key: string) => string; json: (key: string) => string } {
  const position = new Map(layout.columns.map((c, i) => [c.key, i]));
  const at = (key: string) => {
    const i = position.get(key);
    if (i === undefined) throw new Error(`${layout.name} has no column ${key}`);
    return i;
  };
  return { text: (key) => `(${alias}->>${at(key)})`, json: (key) => `(${alias}->${at(key)})` };
}

/** The keys a staged row's data array follows, for a layout. */
export const stagedKeys = (layout: Layout): string[] => layout.columns.map((c) => c.key);

const rtf = stagedColumns(RTF, 'src.d');
const otf = stagedColumns(OTF, 'r.data');
const cs = stagedColumns(CSPRTF, 'r.data');

/** Staged rows to apply: the whole sheet, or only a batch of its rows (applied as the file is read). */
export interface RowRange { from: number; to: number }
const ALL: RowRange = { from: 1, to: 2_147_483_647 };

/**
 * RTF: each accepted row (one per member) updates its ECM assignment, with lineage, in one
 * statement; the member contact details it reports follow in a second (applyRtfContacts).
 */
async function applyRtf(c: pg.PoolClient, sheetId: number, provider: string, range: RowRange = ALL): Promise<number> {
  const r = await c.query(
    // (the leading comment names the statement in pg_stat_activity, which truncates long queries)
    `/* apply RTF: assignments, lineage */ with src as materialized (
       -- (a CIN is accepted once per file, by the cross-row check: no distinct-on sort needed)
       select r.cin, r.row_number, r.data d from submission_rows r
        where r.sheet_id = $1 and r.row_number between $3 and $4 and r.accepted and r.cin is not null
     ), upd as (
       update ecm_assignments a set
         status = (${rtf.text('ecmStatus')})::smallint,
         pof = case when (${rtf.text('pofIndicator')})::boolean is true and jsonb_typeof(${rtf.json('pof')}) = 'array'
                    then array(select jsonb_array_elements_text(${rtf.json('pof')})) else a.pof end,
         enrollment_start = (${rtf.text('startDate')})::date,
         enrollment_end = (${rtf.text('endDate')})::date,
         discontinuation_date = (${rtf.text('discontinuationDate')})::date,
         discontinuation_reason = ${rtf.text('discontinuationReasonCode')},
         discontinuation_text = ${rtf.text('discontinuationReason')},
         acuity = coalesce(${rtf.text('acuity')}, 'Low'),
         lcm_name = ${rtf.text('lcmName')},
         lcm_phone = ${rtf.text('lcmPhone')},
         lcm_email = ${rtf.text('lcmEmail')},
         care_plan_revised = (${rtf.text('carePlanDate')})::date,
         care_conference = (${rtf.text('careConferenceDate')})::date,
         assessment_started = (${rtf.text('assessmentStartedDate')})::date,
         assessment_completed = (${rtf.text('assessmentCompletedDate')})::date,
         last_encounter = (${rtf.text('lastEncounterDate')})::date,
         in_person_count = (${rtf.text('inPerson')})::int,
         telephonic_count = (${rtf.text('telephonic')})::int,
         referral_status = ${rtf.text('referralStatus')},
         referral_status_date = (${rtf.text('referralStatusDate')})::date,
         referral_closure_reason = ${rtf.text('referralClosureReason')},
         last_submission_id = (select submission_id from submission_sheets where id = $1),
         last_row_number = src.row_number,
         updated_at = now()
       -- "old" is the same row as the statement saw it: its image before the update, taken in
       -- the same join (a separate CTE joined back to upd was planned as a nested loop over
       -- the staged rows, quadratic in the file's size).
       from src join ecm_assignments old on old.cin = src.cin and old.lob = ${rtf.text('mcpId')} and old.provider_code = $2
       where a.id = old.id
       returning a.id, src.row_number, old as before
     )
     -- lineage: the assignment as it was (typed, no conversion); the row that changed it is
     -- submission_rows (sheet_id, row_number)
     insert into ecm_assignment_changes (assignment_id, sheet_id, row_number, before)
     select upd.id, $1, upd.row_number, upd.before from upd`,
    [sheetId, provider, range.from, range.to],
  );
  await applyRtfContacts(c, sheetId, provider, range);
  return r.rowCount ?? 0;
}

/** RTF: contact details the provider reported as new flow into the member record (and the next MIF). */
async function applyRtfContacts(c: pg.PoolClient, sheetId: number, provider: string, range: RowRange = ALL): Promise<number> {
  const r = await c.query(
    // (no distinct on: a CIN is accepted once per file, and sorting the sheet's rows spilled to disk)
    `/* apply RTF: member contacts */ with src as (
       select r.cin, r.data d from submission_rows r where r.sheet_id = $1 and r.row_number between $3 and $4 and r.accepted and r.cin is not null
     )
     update members m set
       address = case when (${rtf.text('newAddress')})::boolean is true then ${rtf.text('address')} else m.address end,
       city = case when (${rtf.text('newAddress')})::boolean is true then ${rtf.text('city')} else m.city end,
       state = case when (${rtf.text('newAddress')})::boolean is true then ${rtf.text('state')} else m.state end,
       zip = case when (${rtf.text('newAddress')})::boolean is true then ${rtf.text('zip')} else m.zip end,
       phone = case when (${rtf.text('newPhone')})::boolean is true then ${rtf.text('phone')} else m.phone end,
       homeless = coalesce((${rtf.text('homeless')})::boolean, m.homeless),
       updated_at = now()
     from src where m.cin = src.cin
       and ((${rtf.text('newAddress')})::boolean is true or (${rtf.text('newPhone')})::boolean is true
            or m.homeless is distinct from coalesce((${rtf.text('homeless')})::boolean, m.homeless))
       -- second guard behind the context rules: only the submitter's own members
       and exists (select 1 from ecm_assignments a where a.cin = m.cin and a.provider_code = $2)`,
    [sheetId, provider, range.from, range.to],
  );
  return r.rowCount ?? 0;
}

/** OTF: every accepted attempt; an attempt counts while its row is the current one of its key (current_outreach_attempts). */
async function applyOtf(c: pg.PoolClient, sheetId: number, provider: string, range: RowRange = ALL): Promise<number> {
  const r = await c.query(
    `insert into outreach_attempts (sheet_id, row_number, provider_code, lob, cin, attempt_date, method, successful, minutes, provider_type)
     select $1, r.row_number, $2, ${otf.text('mcpId')}, r.cin, (${otf.text('attemptDate')})::date, (${otf.text('method')})::smallint,
            (${otf.text('successful')})::boolean, (${otf.text('minutes')})::int, (${otf.text('providerType')})::smallint
       from submission_rows r where r.sheet_id = $1 and r.row_number between $3 and $4 and r.accepted
        -- second guard behind the context rules: a member assigned to, or last sent to, the submitter
        and (exists (select 1 from ecm_assignments a where a.cin = r.cin and a.provider_code = $2)
             or exists (select 1 from outbound_files o join outbound_file_rows f on f.outbound_file_id = o.id
                         where o.provider_code = $2 and o.kind = 'MIF' and o.status = 'PUBLISHED' and f.cin = r.cin))`,
    [sheetId, provider, range.from, range.to],
  );
  return r.rowCount ?? 0;
}

/** CSPRTF: the latest engagement status per member x service, with lineage. */
async function applyCsprtf(c: pg.PoolClient, sheetId: number, provider: string, range: RowRange = ALL): Promise<number> {
  const r = await c.query(
    `insert into cs_engagements (cin, service_code, provider_code, lob, status, outreach_date, outreach_method, provider_type,
        service_start, service_end, discontinuation_reason, housed, date_housed, referral_status, referral_status_date,
        referral_closure_reason, sheet_id, row_number, updated_at)
     select distinct on (r.cin, r.service_code) r.cin, r.service_code, $2, ${cs.text('mcpId')}, (${cs.text('engagementStatus')})::smallint,
            (${cs.text('outreachDate')})::date, (${cs.text('outreachMethod')})::smallint, (${cs.text('providerType')})::smallint,
            (${cs.text('serviceStartDate')})::date, (${cs.text('serviceEndDate')})::date, ${cs.text('discontinuationReasonCode')},
            case ${cs.text('housed')} when '1' then true when '0' then false end, (${cs.text('dateHoused')})::date,
            ${cs.text('referralStatus')}, (${cs.text('referralStatusDate')})::date, ${cs.text('referralClosureReason')}, $1, r.row_number, now()
       from submission_rows r where r.sheet_id = $1 and r.row_number between $3 and $4 and r.accepted and r.cin is not null and r.service_code is not null
      order by r.cin, r.service_code, r.row_number desc
     on conflict (cin, service_code) do update set provider_code = excluded.provider_code, lob = excluded.lob, status = excluded.status,
        outreach_date = excluded.outreach_date, outreach_method = excluded.outreach_method, provider_type = excluded.provider_type,
        service_start = excluded.service_start, service_end = excluded.service_end,
        discontinuation_reason = excluded.discontinuation_reason, housed = excluded.housed, date_housed = excluded.date_housed,
        referral_status = excluded.referral_status, referral_status_date = excluded.referral_status_date,
        referral_closure_reason = excluded.referral_closure_reason, sheet_id = excluded.sheet_id, row_number = excluded.row_number,
        updated_at = now()`,
    [sheetId, provider, range.from, range.to],
  );
  return r.rowCount ?? 0;
}

export const APPLY = {
  RTF: applyRtf,
  OTF: applyOtf,
  // a discontinuation also resolves the authorization episode it reports on (cs-resolve.ts)
  CSPRTF: async (c: pg.PoolClient, sheetId: number, provider: string, range: RowRange = ALL) => {
    const n = await applyCsprtf(c, sheetId, provider, range);
    await resolveReportedCsAuthorizations(c, sheetId, provider, range);
    return n;
  },
} as const;

/**
 * A staged row's business key (spec §6) and line of business, as SQL over `submission_rows r`:
 * RTF the member, CSPRTF member × service, OTF the attempt (member × date × method).
 */
const MERGE_KEY: Record<keyof typeof APPLY, { key: string; lob: string }> = {
  RTF: { key: 'r.cin', lob: stagedColumns(RTF, 'r.data').text('mcpId') },
  CSPRTF: { key: `r.cin || '|' || r.service_code`, lob: cs.text('mcpId') },
  OTF: { key: `r.cin || '|' || ${otf.text('attemptDate')} || '|' || ${otf.text('method')}`, lob: otf.text('mcpId') },
};

/** What merging one sheet did, per line of business. */
export interface MergeStats {
  lob: string;
  /** Keys this sheet carried that an earlier file had: the earlier rows stop counting. */
  updated: number;
  /** ... per earlier submission. */
  updatedFrom: { submissionId: number; rows: number }[];
  /** Keys new for the period. */
  added: number;
  /** Earlier rows of the same line and period this sheet did not carry: they keep counting. */
  kept: number;
}

/** One sheet's merge, accumulated batch by batch (mergeRange) and finished once (finishMerge). */
export interface MergeTally {
  byLob: Map<string, MergeStats>;
  /**
   * Whether the period has rows of other files: asked once per sheet (nothing else writes the
   * provider's rows meanwhile: the ingest holds the provider's lock).
   */
  earlier?: boolean;
}
export const newTally = (): MergeTally => ({ byLob: new Map() });

const LOB_CODES = Object.keys(LINES_OF_BUSINESS);

type MergeSheet = { id: number; layout: keyof typeof APPLY; submissionId: number; receivedAt: Date };

/**
 * Corrections merge by business key: within provider × line of business × file type × period,
 * each accepted row of the sheet becomes the current row of its key (the latest in receipt
 * order: a file received earlier never takes a key back from a later one), new keys are added,
 * and earlier rows the sheet does not carry keep counting. Runs per batch of staged rows, while
 * the next batch is read (as the apply statements do); `finishMerge` then counts what was kept.
 */
export async function mergeRange(
  c: pg.PoolClient,
  sheet: MergeSheet,
  provider: string,
  period: string,
  tally: MergeTally,
  opts: { replaceLine?: boolean; range?: RowRange } = {},
): Promise<void> {
  const k = MERGE_KEY[sheet.layout];
  const range = opts.range ?? ALL;
  const args = [sheet.id, provider, sheet.layout, period, sheet.submissionId, range.from, range.to, sheet.receivedAt, LOB_CODES];
  // OTF_CORRECTIONS=replace-line: the earlier rows of every line this batch carries stop
  // counting first (reported as updated: they were replaced); this file's own rows stay
  const replaced = opts.replaceLine
    ? (await c.query<{ lob: string; prev: number; n: number }>(
      `with gone as (
         delete from current_rows c where c.provider_code = $2 and c.layout = $3 and c.period = $4 and c.submission_id <> $5
            and c.lob in (select distinct ${k.lob} from submission_rows r where r.sheet_id = $1 and r.accepted and r.row_number between $6 and $7)
         returning c.lob, c.submission_id)
       select lob, submission_id as prev, count(*)::int n from gone group by 1, 2`,
      args.slice(0, 7),
    )).rows
    : [];
  // Which earlier file each key came from is looked up only when the period has rows of other
  // files at all: a first file (the large case) is a plain insert.
  tally.earlier ??= (await c.query(
    `select 1 from current_rows where provider_code = $1 and layout = $2 and period = $3 and submission_id <> $4 limit 1`,
    [provider, sheet.layout, period, sheet.submissionId],
  )).rowCount! > 0;
  // (an RTF member is accepted once per file by the cross-row check: no sort for it)
  const src = sheet.layout === 'RTF'
    ? `select ${k.lob} as lob, ${k.key} as k, r.row_number from submission_rows r
        where r.sheet_id = $1 and r.row_number between $6 and $7 and r.accepted and r.cin is not null and ${k.lob} = any($9)`
    : `select distinct on (lob, k) lob, k, row_number from (
         select ${k.lob} as lob, ${k.key} as k, r.row_number from submission_rows r
          where r.sheet_id = $1 and r.row_number between $6 and $7 and r.accepted and r.cin is not null) x
        where lob = any($9) and k is not null
        -- the same key twice in one sheet (an attempt entered twice): the last row stands, once
        order by lob, k, row_number desc`;
  const upsert = `insert into current_rows (provider_code, layout, lob, period, row_key, sheet_id, row_number, submission_id, received_at)
       select $2, $3, lob, $4, k, $1, row_number, $5, $8 from src
       on conflict (provider_code, layout, lob, period, row_key) do update
         set sheet_id = excluded.sheet_id, row_number = excluded.row_number, submission_id = excluded.submission_id, received_at = excluded.received_at
         where (current_rows.received_at, current_rows.submission_id) <= (excluded.received_at, excluded.submission_id)`;
  const r = await c.query<{ lob: string; prev: number | null; n: number }>(
    tally.earlier
      ? `/* merge ${sheet.layout} rows by key */ with src as materialized (${src}), prev as (
           select s.lob, c.submission_id as prev from src s
             left join current_rows c on c.provider_code = $2 and c.layout = $3 and c.period = $4 and c.lob = s.lob and c.row_key = s.k
         ), up as (${upsert} returning 1)
         select lob, prev, count(*)::int as n from prev group by lob, prev order by lob, prev nulls first`
      : `/* merge ${sheet.layout} rows by key (first file) */ with src as (${src}), up as (${
        // an RTF member is once per file and no other file has rows: nothing can conflict, and a
        // plain insert skips the speculative insertion of ON CONFLICT
        sheet.layout === 'RTF' ? upsert.slice(0, upsert.indexOf(' on conflict')) : upsert} returning lob)
         select lob, null::bigint as prev, count(*)::int as n from up group by lob`,
    args,
  );
  for (const x of [...replaced, ...r.rows]) {
    const m = tally.byLob.get(x.lob) ?? { lob: x.lob, updated: 0, updatedFrom: [], added: 0, kept: 0 };
    const prev = x.prev === null ? null : Number(x.prev);
    if (prev === null || prev === sheet.submissionId) m.added += x.n; // (or an earlier tab of the same file had the key)
    else {
      m.updated += x.n;
      const from = m.updatedFrom.find((f) => f.submissionId === prev);
      if (from) from.rows += x.n;
      else m.updatedFrom.push({ submissionId: prev, rows: x.n });
    }
    tally.byLob.set(x.lob, m);
  }
}

/** After the sheet's last batch: the earlier rows kept, and the lineage `submission show` reads. */
export async function finishMerge(c: pg.PoolClient, sheet: MergeSheet, provider: string, period: string, tally: MergeTally): Promise<MergeStats[]> {
  const byLob = tally.byLob;
  if (byLob.size) {
    const kept = await c.query<{ lob: string; n: number }>(
      `select lob, count(*)::int n from current_rows where provider_code = $1 and layout = $2 and period = $3 and lob = any($4) and submission_id <> $5 group by lob`,
      [provider, sheet.layout, period, [...byLob.keys()], sheet.submissionId],
    );
    for (const x of kept.rows) byLob.get(x.lob)!.kept = x.n;
    // lineage: the sheet most of its updated rows came from; a sheet none of whose rows count
    // any more is replaced whole
    const from = [...byLob.values()].flatMap((m) => m.updatedFrom).sort((a, b) => b.rows - a.rows)[0];
    if (from) {
      await c.query(
        `update submission_sheets set supersedes_id = (select id from submission_sheets where submission_id = $2 and layout = $3 order by id desc limit 1) where id = $1`,
        [sheet.id, from.submissionId, sheet.layout],
      );
      await c.query(
        `update submission_sheets s set superseded_by = $1
          where s.provider_code = $2 and s.layout = $3 and s.period = $4 and s.applied and s.superseded_by is null and s.submission_id <> $5
            and s.submission_id = any($6) and not exists (select 1 from current_rows c where c.sheet_id = s.id)`,
        [sheet.id, provider, sheet.layout, period, sheet.submissionId, [...byLob.values()].flatMap((m) => m.updatedFrom.map((f) => f.submissionId))],
      );
    }
  }
  return [...byLob.values()].sort((a, b) => a.lob.localeCompare(b.lob));
}

/** The latest earlier applied sheet of the same type, period and a shared line: what a correction is compared with. */
export async function previousSheet(
  c: pg.PoolClient, provider: string, layout: string, period: string, lobs: readonly string[], exceptSubmission: number,
): Promise<{ sheetId: number; submissionId: number; name: string; receivedAt: Date } | null> {
  const r = await c.query<{ id: number; submission_id: number; original_name: string; received_at: Date }>(
    `select s.id, s.submission_id, u.original_name, u.received_at from submission_sheets s join submissions u on u.id = s.submission_id
      where s.provider_code = $1 and s.layout = $2 and s.period = $3 and s.applied and s.submission_id <> $4
        and (s.lobs = '{}' or s.lobs && $5::text[])
      order by u.received_at desc, s.id desc limit 1`,
    [provider, layout, period, exceptSubmission, lobs],
  );
  const p = r.rows[0];
  return p ? { sheetId: Number(p.id), submissionId: Number(p.submission_id), name: p.original_name, receivedAt: p.received_at } : null;
}

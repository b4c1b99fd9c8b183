// The month at a glance for ops: per provider and expected file type, what was sent, what came
// back, and whether it is accepted, rejected, declined or missing.
import type pg from 'pg';
import type { AnswerWindow } from '../calendar/deadlines.js';
import { csasfRowLob } from './cs-authorizations.js';
import { contractInForce } from './providers.js';
import { sheetLines } from './sheet-lines.js';
import { answeredAgainSql, submissionTypesSql } from './submissions.js';

export type FileState = 'ACCEPTED' | 'REJECTED' | 'DECLINED' | 'MISSING' | 'NOT_OWED';

export interface StatusRow {
  provider: string;
  name: string;
  /** providers.active: an inactive provider is not expected to exchange files (the board and the digest leave it out). */
  active: boolean;
  program: string;
  fileType: string;
  lastSent: string | null;
  /** Sheets of this type received for the period (duplicates excluded). */
  submissions: number;
  verdict: string | null;
  outcome: string | null;
  rowsRead: number | null;
  rowsAccepted: number | null;
  rowsRejected: number | null;
  lastReceived: Date | null;
  lastFile: string | null;
  /** The submission of the latest sheet (what lastFile names). */
  lastSubmissionId: number | null;
  /** Files rejected whole for this type (an unrecognised file counts against each expected type). */
  rejectedFiles: number;
  declinedFiles: number;
  /**
   * The verdict of the latest file whose rows of this type count for the period (null: none
   * counts): what the accepted state is (on time, late, resubmission), which a later refused
   * file (lastFile) does not change.
   */
  acceptedVerdict: string | null;
  /** That file's submission. */
  acceptedSubmissionId: number | null;
  /**
   * ACCEPTED while rows of this type count for the period (acceptedLines), whatever later files
   * were refused; otherwise DECLINED when every file received was declined as late, REJECTED
   * when a file was rejected or read with every row rejected, MISSING when nothing came and a
   * line owes the type, NOT_OWED when nothing came and none does (owedLines).
   */
  state: FileState;
  /** Whether a contracted line of the program owes this type for the period (owedLines). */
  owed: boolean;
  /**
   * The owing lines of business with no rows of this type counting (the digest's missing lines,
   * the board's missing cells): a provider whose Health Net rows count and whose CalViva rows do
   * not is ACCEPTED with ['CV'].
   */
  missingLines: string[];
}

interface Row {
  provider_code: string; name: string; active: boolean; program: string; file_type: string; sent: string | null; received: number;
  verdict: string | null; outcome: string | null; rows_read: number | null; rows_accepted: number | null; rows_rejected: number | null;
  last_received: Date | null; last_file: string | null; last_submission_id: number | null; rejected: number; declined: number;
  read_unaccepted: number;
}

/**
 * `periodDate` is the period's first day (YYYY-MM-01); `expected` the file types each program
 * owes (the one list the digest uses too); `window` when the period's files are last accepted
 * (owedLines); `known` the period's acceptedLines and owedLines when the caller has read them
 * already (the board), else they are read here.
 */
export async function periodStatus(
  db: pg.Pool | pg.PoolClient,
  periodDate: string,
  expected: Readonly<Record<'ECM' | 'CS', readonly string[]>>,
  window: AnswerWindow,
  known: { accepted?: readonly AcceptedLine[]; owed?: readonly OwedLine[] } = {},
): Promise<StatusRow[]> {
  const lines = known.accepted ?? (await acceptedLines(db, periodDate));
  const owedList = known.owed ?? (await owedLines(db, periodDate, window));
  const owed = new Set(owedList.map((o) => `${o.provider}|${o.program}`));
  const counts = new Set(lines.map((a) => `${a.provider}|${a.layout}|${a.lob}`));
  // (a sheet of unknown lines, '*', stands for every line)
  const missingLines = (provider: string, program: string, layout: string): string[] =>
    counts.has(`${provider}|${layout}|*`) ? [] : owedList.filter((o) => o.provider === provider && o.program === program && !counts.has(`${provider}|${layout}|${o.lob}`)).map((o) => o.lob);
  // per provider and type, the latest file with rows counting (any line)
  const counting = new Map<string, AcceptedLine>();
  for (const a of lines) {
    const k = `${a.provider}|${a.layout}`;
    const had = counting.get(k);
    if (!had || later(a, had)) counting.set(k, a);
  }
  const r = await db.query<Row>(
    `with expected as (
       select distinct c.provider_code, c.program, t.file_type
         from provider_contracts c
         cross join lateral (select unnest(case when c.program = 'ECM' then $2::text[] else $3::text[] end) as file_type) t
        where ${contractInForce('c', '$1::date')}
     ), latest as (
       -- the latest sheet of each type, and (the window runs before DISTINCT ON) how many came.
       -- A file answered again by reprocess is replaced by its new answer (which keeps its
       -- receipt time: without the id the two would tie), not counted beside it.
       select distinct on (s.provider_code, s.layout) s.provider_code, s.layout, u.verdict, u.outcome, s.rows_read, s.rows_accepted, s.rows_rejected,
              u.received_at, u.original_name, u.id as submission_id, count(*) over (partition by s.provider_code, s.layout)::int as n,
              -- sheets with rows of files not refused: read, every row of the type rejected
              -- (when none of the type counts), so REJECTED rather than MISSING
              (count(*) filter (where s.rows_read > 0 and u.outcome is distinct from 'REJECTED' and u.verdict is distinct from 'DECLINED_LATE')
                 over (partition by s.provider_code, s.layout))::int as read_unaccepted
         from submission_sheets s join submissions u on u.id = s.submission_id
        where s.period = $1::date and u.duplicate_of is null and not ${answeredAgainSql('u')}
        order by s.provider_code, s.layout, u.received_at desc, u.id desc
     ), refused as (
       -- whole files refused for the period: declined as late, or rejected; with no sheet
       -- recognised the type is unknown (null) and the file counts against every expected type.
       -- Counted once per provider and type and joined (not a subquery per board cell: with
       -- 500 providers that scan ran thousands of times per page, bench case H).
       select u.provider_code, t.layout,
              count(*) filter (where u.verdict is distinct from 'DECLINED_LATE')::int rejected,
              count(*) filter (where u.verdict is not distinct from 'DECLINED_LATE')::int declined
         from submissions u
         left join lateral unnest(${submissionTypesSql('u')}) as t(layout) on true
        where u.period = $1::date and u.duplicate_of is null and (u.outcome = 'REJECTED' or u.verdict = 'DECLINED_LATE')
          and not ${answeredAgainSql('u')}
        group by 1, 2
     ), sent as (
       -- the last slot sent in or before the period's month: a later month's file (status for a
       -- past period) is not what the period was sent, and the board's MIF/CSASF cells read the month
       select provider_code, kind, max(slot) last from outbound_files
        where status = 'PUBLISHED' and slot < ($1::date + interval '1 month') group by 1, 2
     )
     select e.provider_code, p.name, p.active, e.program, e.file_type, to_char(st.last, 'YYYY-MM-DD') as sent,
            coalesce(l.n, 0) as received, l.verdict, l.outcome, l.rows_read, l.rows_accepted, l.rows_rejected, l.received_at as last_received, l.original_name as last_file, l.submission_id as last_submission_id,
            coalesce(ft.rejected, 0) + coalesce(fu.rejected, 0) as rejected,
            coalesce(ft.declined, 0) + coalesce(fu.declined, 0) as declined, coalesce(l.read_unaccepted, 0) as read_unaccepted
       from expected e join providers p using (provider_code)
       left join latest l on l.provider_code = e.provider_code and l.layout = e.file_type
       left join sent st on st.provider_code = e.provider_code and st.kind = case e.program when 'ECM' then 'MIF' else 'CSASF' end
       left join refused ft on ft.provider_code = e.provider_code and ft.layout = e.file_type
       left join refused fu on fu.provider_code = e.provider_code and fu.layout is null
      order by e.provider_code, e.program, e.file_type`,
    [periodDate, expected.ECM, expected.CS],
  );
  return r.rows.map((x) => {
    const c = counting.get(`${x.provider_code}|${x.file_type}`);
    const owedType = owed.has(`${x.provider_code}|${x.program}`);
    return {
      provider: x.provider_code, name: x.name, active: x.active, program: x.program, fileType: x.file_type, lastSent: x.sent,
      submissions: x.received, verdict: x.verdict, outcome: x.outcome, rowsRead: x.rows_read, rowsAccepted: x.rows_accepted, rowsRejected: x.rows_rejected,
      lastReceived: x.last_received, lastFile: x.last_file, lastSubmissionId: x.last_submission_id, rejectedFiles: x.rejected, declinedFiles: x.declined,
      acceptedVerdict: c?.verdict ?? null, acceptedSubmissionId: c?.submissionId ?? null,
      // What counts decides, not the latest file: a refused correction leaves the earlier rows
      // counting (the digest does not list the type), and a file read and then declined as
      // late is DECLINED, though its outcome is REJECTED.
      state: c ? 'ACCEPTED' : x.rejected > 0 || x.read_unaccepted > 0 ? 'REJECTED' : x.declined > 0 ? 'DECLINED' : owedType ? 'MISSING' : 'NOT_OWED',
      owed: owedType,
      missingLines: owedType ? missingLines(x.provider_code, x.program, x.file_type) : [],
    };
  });
}

/** A line of business of a file type with rows counting for the period, and the latest file they count from. */
export interface AcceptedLine {
  provider: string;
  layout: string;
  /** '*': a sheet of unknown lines, standing for every line. */
  lob: string;
  /** That file's verdict (ON_TIME, LATE_ACCEPTED, RESUBMISSION). */
  verdict: string | null;
  submissionId: number;
  receivedAt: Date;
}

/** Whether `a` came after `b` (receipt time, then id: a reprocess keeps its original's receipt time). */
export const later = (a: AcceptedLine, b: AcceptedLine): boolean =>
  a.receivedAt.getTime() !== b.receivedAt.getTime() ? a.receivedAt > b.receivedAt : a.submissionId > b.submissionId;

/**
 * The (provider, file type, line of business) triples with accepted rows for the period: lines
 * of applied sheets of files neither rejected nor declined (nor answered again by reprocess)
 * that have rows counting now (current_rows: a line whose every row was rejected is still
 * owed), each with the latest such file. A sheet of unknown lines stands for every line (its
 * lob is '*'); a sheet with no rows for none (sheetLines). (Each check is one probe of
 * current_rows' primary key, never a scan of the period's rows.)
 */
export async function acceptedLines(db: pg.Pool | pg.PoolClient, periodDate: string): Promise<AcceptedLine[]> {
  const r = await db.query<{ provider_code: string; layout: string; lob: string; verdict: string | null; submission_id: number; received_at: Date }>(
    `select distinct on (ss.provider_code, ss.layout, l.lob) ss.provider_code, ss.layout, l.lob, s.verdict, s.id as submission_id, s.received_at
       from submission_sheets ss join submissions s on s.id = ss.submission_id
       cross join lateral unnest(${sheetLines('ss')}) as l(lob)
      where ss.period = $1 and ss.applied
        and coalesce(s.outcome, '') <> 'REJECTED' and coalesce(s.verdict, '') <> 'DECLINED_LATE' and not ${answeredAgainSql('s')}
        and (l.lob = '*' or exists (select 1 from current_rows c
              where c.provider_code = ss.provider_code and c.layout = ss.layout and c.lob = l.lob and c.period = ss.period))
      order by ss.provider_code, ss.layout, l.lob, s.received_at desc, s.id desc`,
    [periodDate],
  );
  return r.rows.map((x) => ({ provider: x.provider_code, layout: x.layout, lob: x.lob, verdict: x.verdict, submissionId: Number(x.submission_id), receivedAt: x.received_at }));
}

/** A contracted line of business that owes its program's files for the period. */
export interface OwedLine { provider: string; program: 'ECM' | 'CS'; lob: string }

/**
 * [POLICY] The contracted lines that owe their program's files for the period (contracts in
 * force for it: not ended before its first day, contractInForce): a provider can
 * report only on members the plan sent it (a row about anyone else is rejected, and a file with
 * no rows is no submission), so a line owes its RTF and OTF only when the latest MIF of that
 * line for the period (the newest version of the latest slot up to the period's, the 15th)
 * listed members, and its CSPRTF only when the latest CSASF for the period (its last slot in or
 * before the period) listed members of that line. The CSASF's rows are not stored with their
 * line: a row's line is its authorization's, as the CSPRTF's checks read it (latestCsasfRows);
 * a row whose authorization is gone stands for every line ('*'). A header-only file, one
 * recorded EMPTY, or none at all (a provider contracted after the slot) owes nothing. Only a
 * file that went out while the period could still be answered counts (`window`: on or before the
 * last plan-local day its program's files for the period are accepted): one caught up after that
 * day (a long outage) told the provider to report its members on the next period, so it owes
 * nothing of this one, and the line owes what the latest file sent in time listed (a unit
 * recorded EMPTY sent nothing, whenever it was recorded). The digest,
 * the month board and `status` all read this one function.
 */
export async function owedLines(db: pg.Pool | pg.PoolClient, periodDate: string, window: AnswerWindow): Promise<OwedLine[]> {
  const r = await db.query<{ provider_code: string; program: 'ECM' | 'CS'; lob: string }>(
    // (each set computed once, materialized, and looked up hashed: as correlated subqueries the
    // CSASF lines were computed again per CS contract, 0.2 s for the 500-provider board)
    `with mif as materialized (
       select distinct on (provider_code, lob) provider_code, lob, row_count
         from outbound_files
        where kind = 'MIF' and status in ('PUBLISHED', 'EMPTY') and slot < ($1::date + interval '1 month')
          and (status = 'EMPTY' or (published_at at time zone $4)::date <= $2::date)
        order by provider_code, lob, slot desc, id desc
     ), csasf as materialized (
       select distinct on (provider_code) id, provider_code
         from outbound_files
        where kind = 'CSASF' and status in ('PUBLISHED', 'EMPTY') and slot < ($1::date + interval '1 month')
          and (status = 'EMPTY' or (published_at at time zone $4)::date <= $3::date)
        order by provider_code, slot desc, id desc
     ), cs_lines as materialized (
       select distinct f.provider_code, coalesce(a.lob, '*') as lob
         from csasf f join outbound_file_rows r on r.outbound_file_id = f.id
         left join lateral ${csasfRowLob('r', 'f.provider_code')} a on true
     )
     select c.provider_code, c.program, c.lob
       from provider_contracts c
      where ${contractInForce('c', '$1::date')}
        and ((c.program = 'ECM' and (c.provider_code, c.lob) in (select m.provider_code, m.lob from mif m where m.row_count > 0))
         or (c.program = 'CS' and ((c.provider_code, c.lob) in (select l.provider_code, l.lob from cs_lines l)
                                   or c.provider_code in (select l.provider_code from cs_lines l where l.lob = '*'))))`,
    [periodDate, window.through.ECM, window.through.CS, window.timeZone],
  );
  return r.rows.map((x) => ({ provider: x.provider_code, program: x.program, lob: x.lob }));
}

// What the web pages read besides the status and submission queries: the contracted lines of
// each provider, the files sent in a month, and one provider's history. Provider codes,
// names, counts and file names only: no member data here.
import type pg from 'pg';
import { CONTRACT_CONTACT, CONTRACT_LIAISON, contractInForce, lobOrder, programOrder } from './providers.js';
import { answeredAgainSql } from './submissions.js';

type Queryable = pg.Pool | pg.PoolClient;

export interface ProviderLine {
  provider: string;
  name: string;
  /** This contract's liaison (its own, else the provider's). */
  liaisonEmail: string | null;
  program: 'ECM' | 'CS';
  lob: string;
}

/** One row per active provider × program × line of business under a contract in force for the period (its first day, `periodDate`). */
export async function providerLines(db: Queryable, periodDate: string): Promise<ProviderLine[]> {
  const r = await db.query<{ provider_code: string; name: string; liaison_email: string | null; program: 'ECM' | 'CS'; lob: string }>(
    `select p.provider_code, p.name, ${CONTRACT_LIAISON} as liaison_email, c.program, c.lob
       from providers p join provider_contracts c using (provider_code)
      where p.active and ${contractInForce('c', '$1::date')}
      order by p.provider_code, ${programOrder('c.program')}, ${lobOrder('c.lob')}`,
    [periodDate],
  );
  return r.rows.map((x) => ({ provider: x.provider_code, name: x.name, liaisonEmail: x.liaison_email, program: x.program, lob: x.lob }));
}

export interface SentFiles {
  provider: string;
  /** MIF, MINIMIF or CSASF. */
  kind: string;
  /** null: a file for every line (the CSASF). */
  lob: string | null;
  files: number;
  rows: number;
  lastPublishedAt: Date | null;
  lastFile: string | null;
}

/** Files published in the period's month (the current version of each slot), per provider, kind and line. */
export async function sentInMonth(db: Queryable, periodDate: string): Promise<SentFiles[]> {
  const r = await db.query<{ provider_code: string; kind: string; lob: string | null; files: number; rows: number; last_at: Date | null; last_file: string | null }>(
    `select provider_code, kind, lob, count(*)::int files, sum(row_count)::int rows, max(published_at) last_at,
            (array_agg(file_name order by published_at desc))[1] last_file
       from outbound_files
      where status = 'PUBLISHED' and replaced_at is null
        and slot >= $1::date and slot < ($1::date + interval '1 month')
      group by 1, 2, 3`,
    [periodDate],
  );
  return r.rows.map((x) => ({ provider: x.provider_code, kind: x.kind, lob: x.lob, files: x.files, rows: x.rows, lastPublishedAt: x.last_at, lastFile: x.last_file }));
}

export interface ProviderProfile {
  code: string;
  name: string;
  npi: string;
  /** The provider's own addresses: those of a contract that names none. */
  liaisonEmail: string | null;
  contactEmail: string | null;
  active: boolean;
  /** Each contract with its addresses (its own, else the provider's) and its last day in force (null: open-ended). */
  contracts: { program: string; lob: string; since: Date; contactEmail: string | null; liaisonEmail: string | null; ends: string | null }[];
}

export async function providerProfile(db: Queryable, code: string): Promise<ProviderProfile | undefined> {
  const p = await db.query<{ provider_code: string; name: string; npi: string; liaison_email: string | null; contact_email: string | null; active: boolean }>(
    'select provider_code, name, npi, liaison_email, contact_email, active from providers where provider_code = $1',
    [code],
  );
  const x = p.rows[0];
  if (!x) return undefined;
  const c = await db.query<{ program: string; lob: string; created_at: Date; contact_email: string | null; liaison_email: string | null; ends: string | null }>(
    `select c.program, c.lob, c.created_at, to_char(c.contract_end, 'YYYY-MM-DD') as ends, ${CONTRACT_CONTACT} as contact_email, ${CONTRACT_LIAISON} as liaison_email
       from provider_contracts c join providers p using (provider_code) where c.provider_code = $1
      order by ${programOrder('c.program')}, ${lobOrder('c.lob')}`,
    [code],
  );
  return {
    code: x.provider_code, name: x.name, npi: x.npi, liaisonEmail: x.liaison_email, contactEmail: x.contact_email, active: x.active,
    contracts: c.rows.map((r) => ({ program: r.program, lob: r.lob, since: r.created_at, contactEmail: r.contact_email, liaisonEmail: r.liaison_email, ends: r.ends })),
  };
}

/**
 * [POLICY] Who of the liaisons may see a provider's pages (the one place the rule is written):
 * the liaisons of its contracts in force for the reporting period `periodDate` (its first day:
 * contractInForce), each contract's own liaison, else the provider's (CONTRACT_LIAISON: whom the
 * contract's files and its missing-submission digest row are addressed to), trimmed and
 * lower-cased, per provider code (only `code`, when given). A contract that has ended for the
 * period lets nobody see the provider, whoever it names, and the provider's own liaison counts
 * only as the stand-in of a contract in force that names none: a provider with no contract in
 * force is seen by no liaison (ops and auditors see every provider: not asked here). The pages
 * ask for the period files received today answer (accessPeriodDate, src/calendar/period.ts): the
 * month a contract ends in is still owed and answered, and digested to its liaison, the month after.
 * The mini-MIF SLA alert (members' CINs by email) asks it too, on its run's clock, for whom it may
 * go to (slaAlertRecipients, src/reports/alerts.ts).
 */
export async function liaisonsWhoMaySee(db: Queryable, periodDate: string, code?: string): Promise<Map<string, string[]>> {
  const r = await db.query<{ provider_code: string; liaisons: string[] }>(
    `select c.provider_code, array_agg(distinct lower(trim(${CONTRACT_LIAISON}))) as liaisons
       from provider_contracts c join providers p using (provider_code)
      where ${CONTRACT_LIAISON} is not null and ${contractInForce('c', '$1::date')} and ($2::text is null or c.provider_code = $2)
      group by c.provider_code`,
    [periodDate, code ?? null],
  );
  return new Map(r.rows.map((x) => [x.provider_code, x.liaisons]));
}

export interface OutboundFile {
  id: number;
  kind: string;
  slot: string;
  lob: string | null;
  status: string;
  file: string | null;
  rows: number;
  publishedAt: Date | null;
  replacedAt: Date | null;
  reason: string | null;
}

export async function providerOutbound(db: Queryable, code: string, fromSlot: string): Promise<OutboundFile[]> {
  const r = await db.query<{ id: number; kind: string; slot: string; lob: string | null; status: string; file_name: string | null; row_count: number; published_at: Date | null; replaced_at: Date | null; reason: string | null }>(
    `select id, kind, slot, lob, status, file_name, row_count, published_at, replaced_at, reason from outbound_files
      where provider_code = $1 and slot >= $2 and status in ('PUBLISHED', 'EMPTY', 'FAILED')
      order by slot desc, id desc`,
    [code, fromSlot],
  );
  return r.rows.map((x) => ({
    id: Number(x.id), kind: x.kind, slot: x.slot, lob: x.lob, status: x.status, file: x.file_name, rows: x.row_count,
    publishedAt: x.published_at, replacedAt: x.replaced_at, reason: x.reason,
  }));
}

export interface TrendPoint { period: string; accepted: number; rejected: number }

/**
 * Rows accepted and rejected per reporting period from `fromPeriod` on, as they stand after
 * corrections merged by key (spec §6): accepted, the rows that count (current_rows), so a
 * correction is not added to the rows it replaced; rejected, the rows rejected (in files not
 * declined, copies or answered again by reprocess) whose member no later file of the type and
 * period reported again, accepted or not: still failing, as the response's "errors fixed" reads
 * it (by member). A rejected row without a valid CIN cannot be matched: it stays until its sheet
 * has no row counting (replaced whole).
 */
export async function providerTrend(db: Queryable, code: string, fromPeriodDate: string): Promise<TrendPoint[]> {
  const r = await db.query<{ period: string; accepted: number; rejected: number }>(
    `with sheets as materialized (
       select ss.id, ss.layout, ss.period, ss.superseded_by, s.received_at, s.id as submission_id
         from submission_sheets ss join submissions s on s.id = ss.submission_id
        where ss.provider_code = $1 and ss.period >= $2 and s.duplicate_of is null and coalesce(s.verdict, '') <> 'DECLINED_LATE'
          and not ${answeredAgainSql('s')}
     ), counting as (
       select to_char(c.period, 'YYYY-MM') period, count(*)::int n from current_rows c where c.provider_code = $1 and c.period >= $2 group by 1
     ), failing as (
       select to_char(x.period, 'YYYY-MM') period, count(*)::int n
         from sheets x join submission_rows r on r.sheet_id = x.id and not r.accepted
        where case when r.cin is null then x.superseded_by is null
                   else not exists (select 1 from sheets y join submission_rows l on l.sheet_id = y.id and l.cin = r.cin
                                     where y.layout = x.layout and y.period = x.period
                                       and (y.received_at, y.submission_id) > (x.received_at, x.submission_id)) end
        group by 1
     )
     select period, coalesce(c.n, 0) accepted, coalesce(f.n, 0) rejected from counting c full join failing f using (period) order by 1`,
    [code, fromPeriodDate],
  );
  return r.rows;
}

export interface OpenWarning { code: string; count: number; submission: number; layout: string; period: string | null }

/**
 * Warnings (timeline, caseload, outreach, ...) on the provider's sheets that still count: those
 * of a file a later one replaced are settled. Codes and counts only: a message can carry a
 * row's values, and this is not a page of member data.
 */
export async function providerOpenWarnings(db: Queryable, code: string): Promise<OpenWarning[]> {
  const r = await db.query<{ code: string; n: number; submission_id: number; layout: string; period: string | null }>(
    `select i.code, count(*)::int n, ss.submission_id, ss.layout, to_char(ss.period, 'YYYY-MM') period
       from submission_sheets ss join submission_issues i on i.submission_id = ss.submission_id and i.sheet_name = ss.sheet_name
      where ss.provider_code = $1 and ss.applied and ss.superseded_by is null and i.severity = 'warning'
      group by i.code, ss.submission_id, ss.layout, ss.period
      order by ss.period desc nulls last, n desc, i.code`,
    [code],
  );
  return r.rows.map((x) => ({ code: x.code, count: x.n, submission: Number(x.submission_id), layout: x.layout, period: x.period }));
}

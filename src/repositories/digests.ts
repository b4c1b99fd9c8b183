// What the missing-submission digest (src/reports/missing.ts) reads: who owes files (active
// providers' contracts), what came in accepted for the period, and which files were declined as
// late or rejected. The digest decides from these who is listed and why.
import type pg from 'pg';
import type { IsoDate } from '../../schemas/primitives.js';
import { CONTRACT_LIAISON, contractInForce, programOrder } from './providers.js';
import { answeredAgainSql, submissionTypesSql } from './submissions.js';

type Db = pg.Pool | pg.PoolClient;

/**
 * An active provider's contracts in one program: its lines of business and their liaisons (each
 * contract's own, else the provider's; none when neither names one), lower-cased, each once.
 */
export interface ProgramContract { provider_code: string; name: string; liaisons: string[]; program: 'ECM' | 'CS'; lobs: string[] }

/** Every active provider's contracts in force for the period (its first day, `periodDate`), one row per program (ECM before CS), by code. */
export async function activeProgramContracts(db: Db, periodDate: IsoDate): Promise<ProgramContract[]> {
  return (await db.query<ProgramContract>(
    `select p.provider_code, p.name, c.program, array_agg(distinct c.lob order by c.lob) as lobs,
            coalesce(array_agg(distinct lower(trim(${CONTRACT_LIAISON}))) filter (where ${CONTRACT_LIAISON} is not null), '{}') as liaisons
       from providers p join provider_contracts c using (provider_code)
      where p.active and ${contractInForce('c', '$1::date')} group by 1, 2, 3 order by 1, ${programOrder('c.program')}`,
    [periodDate],
  )).rows;
}

// (the accepted lines of a period are status.ts's acceptedLines, which the month board reads too)

/** A declined or rejected file (its submission): its types (none recognised: []), the plan-local day received, its first file-level error code. */
export interface RefusedFile { id: number; provider_code: string; types: string[]; declined: boolean; received: IsoDate; file_error: string | null }

/**
 * Files (duplicates and files answered again by reprocess aside) declined as late or rejected for the period, or, with no period
 * recognised, received in [from, to): by provider, oldest first. `zone` is the plan's time zone
 * (the day received is the plan's day).
 */
export async function refusedFiles(db: Db, periodDate: IsoDate, from: Date, to: Date, zone: string): Promise<RefusedFile[]> {
  return (await db.query<RefusedFile>(
    `select s.id::int as id, s.provider_code,
            ${submissionTypesSql('s')} as types,
            coalesce(s.verdict, '') = 'DECLINED_LATE' as declined,
            to_char(s.received_at at time zone $4, 'YYYY-MM-DD') as received,
            (select i.code from submission_issues i
              where i.submission_id = s.id and i.row_number is null and i.severity = 'error' order by i.id limit 1) as file_error
       from submissions s
      where s.duplicate_of is null
        and (s.outcome = 'REJECTED' or s.verdict = 'DECLINED_LATE')
        -- a file reprocessed since is answered by its new attempt (listed if refused again)
        and not ${answeredAgainSql('s')}
        and (s.period = $1 or (s.period is null and s.received_at >= $2 and s.received_at < $3))
      order by s.provider_code, s.id`,
    [periodDate, from, to, zone],
  )).rows;
}

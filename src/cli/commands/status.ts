import type { Command } from 'commander';
import { localDate, periodForReceipt } from '../../calendar/index.js';
import { emit, table, UsageError } from '../output.js';
import { withRuntime } from '../runtime.js';

interface Row {
  provider_code: string;
  name: string;
  program: string;
  file_type: string;
  sent: string | null;
  received: number;
  verdict: string | null;
  outcome: string | null;
  rows_read: number | null;
  rows_accepted: number | null;
  rows_rejected: number | null;
  last_received: Date | null;
  last_file: string | null;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('per provider and file type: what was sent, what came back, verdicts, outcomes, what is missing')
    .option('--period <YYYY-MM>', 'reporting period (default: the period files received today answer)')
    .option('--json', 'print one JSON document')
    .action(async (opts: { period?: string; json?: boolean }) => {
      if (opts.period && !/^\d{4}-(0[1-9]|1[0-2])$/.test(opts.period)) throw new UsageError('--period takes YYYY-MM');
      await withRuntime(async ({ config, db }) => {
        const period = opts.period ?? periodForReceipt(new Date(), config.PLAN_TIME_ZONE).period;
        const r = await db.pool.query<Row>(
          `with expected as (
             select distinct c.provider_code, c.program, t.file_type
               from provider_contracts c
               cross join lateral (select unnest(case when c.program = 'ECM' then array['RTF','OTF'] else array['CSPRTF'] end) as file_type) t
           ), latest as (
             select distinct on (s.provider_code, s.layout) s.provider_code, s.layout, u.verdict, u.outcome, s.rows_read, s.rows_accepted, s.rows_rejected,
                    u.received_at, u.original_name
               from submission_sheets s join submissions u on u.id = s.submission_id
              where s.period = $1::date and u.duplicate_of is null
              order by s.provider_code, s.layout, u.received_at desc
           ), declined as (
             select provider_code, count(*)::int n, max(received_at) last, max(original_name) name from submissions
              where verdict = 'DECLINED_LATE' and period = ($1::date + interval '1 month')::date group by provider_code
           ), counts as (
             select s.provider_code, s.layout, count(*)::int n from submission_sheets s join submissions u on u.id = s.submission_id
              where s.period = $1::date and u.duplicate_of is null group by 1, 2
           ), sent as (
             select provider_code, kind, max(slot) last from outbound_files where status = 'PUBLISHED' group by 1, 2
           )
           select e.provider_code, p.name, e.program, e.file_type,
                  to_char(coalesce((select last from sent where sent.provider_code = e.provider_code and sent.kind = case e.program when 'ECM' then 'MIF' else 'CSASF' end), null), 'YYYY-MM-DD') as sent,
                  coalesce(c.n, 0) as received, l.verdict, l.outcome, l.rows_read, l.rows_accepted, l.rows_rejected, l.received_at as last_received, l.original_name as last_file
             from expected e join providers p using (provider_code)
             left join latest l on l.provider_code = e.provider_code and l.layout = e.file_type
             left join counts c on c.provider_code = e.provider_code and c.layout = e.file_type
            order by e.provider_code, e.program, e.file_type`,
          [`${period}-01`],
        );
        const rows = r.rows.map((x) => ({
          provider: x.provider_code, name: x.name, program: x.program, fileType: x.file_type, lastSent: x.sent,
          submissions: x.received, verdict: x.verdict, outcome: x.outcome, rowsRead: x.rows_read, rowsAccepted: x.rows_accepted, rowsRejected: x.rows_rejected,
          lastReceived: x.last_received ? x.last_received.toISOString() : null, lastFile: x.last_file,
          missing: !x.outcome || x.outcome === 'REJECTED',
        }));
        const missing = rows.filter((x) => x.missing);
        emit(opts, { period, asOf: localDate(new Date(), config.PLAN_TIME_ZONE), rows, missing: missing.length }, () =>
          `period ${period}: ${rows.length - missing.length} of ${rows.length} expected file(s) received and accepted\n\n` +
          table(['provider', 'program', 'file', 'last slot sent', 'subs', 'verdict', 'outcome', 'read', 'accepted', 'rejected', 'missing'],
            rows.map((x) => [x.provider, x.program, x.fileType, x.lastSent ?? '', x.submissions, x.verdict ?? '', x.outcome ?? '', x.rowsRead ?? '', x.rowsAccepted ?? '', x.rowsRejected ?? '', x.missing ? 'MISSING' : ''])),
        );
      });
    });
}

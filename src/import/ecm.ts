// ECM extracts: the plan's assignment list and approved referrals. The extract says WHO is
// assigned; the provider's accepted RTF says status and enrollment (domain §4 items 4a, 4b).
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Config } from '../config.js';
import { log } from '../log.js';
import { sendNotification } from '../notify/mailer.js';
import {
  dedupe, isOpenEcm, json, knownMemberWithEcmContract, seen, type Applier, type ImportConflict, type Row,
} from './common.js';

/** The fields the extract carries that the provider also reports on its RTF. */
const PROVIDER_FIELDS = ['status', 'enrollment_start', 'enrollment_end', 'acuity', 'lcm_name', 'lcm_phone', 'pof'] as const;
type ProviderField = (typeof PROVIDER_FIELDS)[number];
type Values = Record<ProviderField, string | null>;

/** One text per field, in one order, whatever the source (a file row, a table row, stored jsonb). */
function values(v: Partial<Record<ProviderField, unknown>>): Values {
  const out = {} as Values;
  for (const f of PROVIDER_FIELDS) {
    const x = v[f];
    out[f] = f === 'pof' && Array.isArray(x)
      ? (x.length ? [...(x as string[])].sort().join(';') : null)
      : x === undefined || x === null || x === '' ? null : String(x);
  }
  return out;
}
const same = (a: Values, b: Values) => PROVIDER_FIELDS.every((f) => a[f] === b[f]);

/** What only the provider reports (nothing in the extract): a switch to another provider starts without it. */
const PROVIDER_ONLY_FIELDS = [
  'lcm_email', 'care_plan_revised', 'care_conference', 'assessment_started', 'assessment_completed', 'last_encounter', 'in_person_count',
  'telephonic_count', 'referral_status', 'referral_status_date', 'referral_closure_reason', 'last_submission_id', 'last_row_number',
] as const;
const DISCONTINUATION_FIELDS = ['discontinuation_date', 'discontinuation_reason', 'discontinuation_text'] as const;

/**
 * The update of an assignment by the extract (src.action): 'who' changes only who holds it and
 * keeps the provider-reported fields; 'full' takes the extract's fields; 'switch' moves it to
 * another provider with nothing the old one reported.
 */
const ASSIGNMENT_SET = [
  ...PROVIDER_FIELDS.map((f) => `${f} = case when src.action = 'who' then prev.${f} else src.${f} end`),
  // an enrollment the extract now gives replaces a discontinuation (the two exclude each other)
  ...DISCONTINUATION_FIELDS.map((f) => `${f} = case when src.action = 'switch' or (src.action = 'full' and src.enrollment_start is not null) then null else prev.${f} end`),
  ...PROVIDER_ONLY_FIELDS.map((f) => `${f} = case when src.action = 'switch' then null else prev.${f} end`),
].join(',\n           ');

interface Current {
  id: number;
  cin: string;
  lob: string;
  provider_code: string;
  status: number;
  enrollment_start: string | null;
  enrollment_end: string | null;
  discontinuation_date: string | null;
  acuity: string | null;
  lcm_name: string | null;
  lcm_phone: string | null;
  pof: string[];
  upstream_values: Partial<Values> | null;
  upstream_as_of: Date | null;
  last_submission_id: number | null;
  reported_at: Date | null;
}

async function currentAssignments(c: pg.PoolClient, cins: string[]): Promise<Map<string, Current>> {
  const r = await c.query<Current>(
    `select a.id, a.cin, a.lob, a.provider_code, a.status, a.enrollment_start, a.enrollment_end, a.discontinuation_date, a.acuity,
            a.lcm_name, a.lcm_phone, a.pof, a.upstream_values, a.upstream_as_of, a.last_submission_id, u.received_at as reported_at
       from ecm_assignments a left join submissions u on u.id = a.last_submission_id
      where a.cin = any($1)`,
    [cins],
  );
  return new Map(r.rows.map((a) => [`${a.cin}|${a.lob}`, a]));
}

/**
 * The assignment extract. Per row, against the member's current assignment in that line:
 * - none: inserted;
 * - another provider: a switch (the only way one happens): the extract's values, the old
 *   provider's reports cleared, lineage kept;
 * - the same provider: WHO (assigned date) follows the extract; the provider-reported fields
 *   follow whichever is newer, the extract's values (as of when the extract first said them:
 *   repeating a value is no news) or the RTF that reported them (its receipt time). Where they
 *   differ, the row is listed as a disagreement with the side kept.
 */
export const ECM_ASSIGNMENTS: Applier = {
  async check(c, rows, { reject, state, now, disagreements }) {
    rows = dedupe(rows, (r) => `${String(r.cin)}|${String(r.lob)}`, seen(state, 'cinlob'), reject, 'member and line of business');
    rows = await knownMemberWithEcmContract(c, rows, reject);
    const current = await currentAssignments(c, rows.map((r) => String(r.cin)));
    for (const r of rows) {
      const ext = values({ ...r, status: r.status });
      const cur = current.get(`${String(r.cin)}|${String(r.lob)}`);
      r.__values = ext;
      r.__as_of = now.toISOString();
      if (!cur) {
        r.__action = 'insert';
        continue;
      }
      r.__id = cur.id;
      if (cur.provider_code !== r.provider_code) {
        r.__action = 'switch';
        continue;
      }
      const before = cur.upstream_values ? values(cur.upstream_values) : null;
      const asOf = before && cur.upstream_as_of && same(before, ext) ? cur.upstream_as_of : now;
      r.__as_of = asOf.toISOString();
      const reported = cur.reported_at;
      const providerNewer = reported !== null && reported.getTime() >= asOf.getTime();
      r.__action = providerNewer ? 'who' : 'full';
      if (reported === null || cur.last_submission_id === null) continue;
      const mine = values(cur);
      // a blank in the extract is no claim about the field; the status always is
      const fields = PROVIDER_FIELDS.filter((f) => ext[f] !== mine[f] && (ext[f] !== null || f === 'status'))
        .map((f) => ({ field: f, extract: ext[f], provider: mine[f] }));
      if (fields.length)
        disagreements.push({
          row: r.__row, cin: String(r.cin), lob: String(r.lob), provider: cur.provider_code, fields,
          kept: providerNewer ? 'provider' : 'extract', reportedAt: reported.toISOString(), submissionId: Number(cur.last_submission_id),
        });
    }
    return rows;
  },

  async upsert(c, rows, { now }) {
    const payload = JSON.stringify(rows.map((r) => ({
      row: r.__row, action: r.__action, id: r.__id ?? null, cin: r.cin, lob: r.lob, provider_code: r.provider_code, status: Number(r.status),
      assigned_date: r.assigned_date, pof: r.pof ?? [], enrollment_start: r.enrollment_start ?? null, enrollment_end: r.enrollment_end ?? null,
      acuity: r.acuity ?? null, lcm_name: r.lcm_name ?? null, lcm_phone: r.lcm_phone ?? null, upstream_values: r.__values, as_of: r.__as_of,
    })));
    await c.query(
      `/* import ecm-assignments: existing assignments, lineage */ with src as materialized (
         select * from jsonb_to_recordset($1::jsonb) as x(row int, action text, id bigint, cin text, lob text, provider_code text, status smallint,
           assigned_date date, pof text[], enrollment_start date, enrollment_end date, acuity text, lcm_name text, lcm_phone text,
           upstream_values jsonb, as_of timestamptz)
          where action <> 'insert'
       ), upd as (
         update ecm_assignments a set
           provider_code = src.provider_code,
           assigned_date = src.assigned_date,
           ${ASSIGNMENT_SET},
           upstream_values = src.upstream_values,
           upstream_as_of = src.as_of,
           updated_at = now()
         from src join ecm_assignments prev on prev.id = src.id
         where a.id = prev.id
         returning a.id, src.row, prev as before,
           (prev.provider_code, prev.assigned_date, prev.status, prev.pof, prev.enrollment_start, prev.enrollment_end, prev.acuity,
            prev.lcm_name, prev.lcm_phone, prev.discontinuation_date)
             is distinct from
           (a.provider_code, a.assigned_date, a.status, a.pof, a.enrollment_start, a.enrollment_end, a.acuity, a.lcm_name, a.lcm_phone,
            a.discontinuation_date) as changed
       ), switched as (
         -- a referral refused because the member was with another provider is settled once the extract moves the member
         update ecm_referral_conflicts k set resolved_at = $2
           from src where src.action = 'switch' and k.cin = src.cin and k.lob = src.lob and k.referred_provider = src.provider_code and k.resolved_at is null
       )
       insert into ecm_assignment_changes (assignment_id, sheet_id, row_number, before, source)
       select upd.id, null, upd.row, upd.before, 'ASSIGNMENT_IMPORT' from upd where upd.changed`,
      [payload, now],
    );
    await c.query(
      `/* import ecm-assignments: new assignments */
       insert into ecm_assignments (cin, lob, provider_code, status, assigned_date, pof, enrollment_start, enrollment_end, acuity, lcm_name, lcm_phone,
         upstream_values, upstream_as_of)
       select cin, lob, provider_code, status, assigned_date, coalesce(pof, '{}'), enrollment_start, enrollment_end, acuity, lcm_name, lcm_phone,
              upstream_values, as_of
         from jsonb_to_recordset($1::jsonb) as x(action text, cin text, lob text, provider_code text, status smallint, assigned_date date, pof text[],
           enrollment_start date, enrollment_end date, acuity text, lcm_name text, lcm_phone text, upstream_values jsonb, as_of timestamptz)
        where action = 'insert'
       on conflict (cin, lob) do nothing`,
      [payload],
    );
  },
};

/**
 * Approved referrals. A referral not seen before, against the member's assignment in its line:
 * - an open one (status 1-3, not ended) with another provider: not applied, a conflict;
 * - an open one with the same provider: the provider keeps what it reported;
 * - an ended one (any provider), or none: a new episode with the referred provider, status 1
 *   from the approval date, the old episode's reports cleared from the row (kept in lineage),
 *   so the member goes out on the next mini-MIF and MIF.
 * A referral already on record (a re-import) changes no assignment.
 */
export const REFERRALS: Applier = {
  async check(c, rows, { reject, state, now, conflicts }) {
    rows = dedupe(rows, (r) => String(r.referral_id), seen(state, 'ref'), reject, 'referral_id');
    rows = await knownMemberWithEcmContract(c, rows, reject);
    if (!rows.length) return rows;
    const known = new Set((await c.query<{ referral_id: string }>(
      'select referral_id from ecm_referrals where referral_id = any($1)', [rows.map((r) => String(r.referral_id))],
    )).rows.map((x) => x.referral_id));
    const current = await currentAssignments(c, rows.map((r) => String(r.cin)));
    const out: Row[] = [];
    const refused: ImportConflict[] = [];
    for (const r of rows) {
      const cur = current.get(`${String(r.cin)}|${String(r.lob)}`);
      if (known.has(String(r.referral_id))) r.__action = 'keep';
      else if (!cur || !isOpenEcm(cur)) r.__action = 'episode';
      else if (cur.provider_code === r.provider_code) r.__action = 'keep';
      else {
        refused.push({ row: r.__row, referralId: String(r.referral_id), cin: String(r.cin), lob: String(r.lob), currentProvider: cur.provider_code, referredProvider: String(r.provider_code) });
        reject(r.__row, `member has an open ECM assignment with provider ${cur.provider_code} in ${String(r.lob)}: referral to ${String(r.provider_code)} not applied (see conflicts; a switch goes through the assignment extract)`, 'provider_code');
        continue;
      }
      out.push(r);
    }
    if (refused.length) {
      conflicts.push(...refused);
      const approved = new Map(rows.map((r) => [r.__row, r.approved_date]));
      await c.query(
        `insert into ecm_referral_conflicts (referral_id, cin, lob, current_provider, referred_provider, approved_date, detected_at)
         select referral_id, cin, lob, current_provider, referred_provider, approved_date, $2
           from jsonb_to_recordset($1::jsonb) as x(referral_id text, cin text, lob text, current_provider text, referred_provider text, approved_date date)
         on conflict (referral_id) do update set cin = excluded.cin, lob = excluded.lob, current_provider = excluded.current_provider,
           referred_provider = excluded.referred_provider, approved_date = excluded.approved_date, detected_at = excluded.detected_at, resolved_at = null`,
        [
          JSON.stringify(refused.map((k) => ({
            referral_id: k.referralId, cin: k.cin, lob: k.lob, current_provider: k.currentProvider, referred_provider: k.referredProvider, approved_date: approved.get(k.row),
          }))),
          now,
        ],
      );
    }
    return out;
  },

  async upsert(c, rows, { now }) {
    const payload = JSON.stringify(rows.map((r) => ({
      row: r.__row, action: r.__action, referral_id: r.referral_id, cin: r.cin, provider_code: r.provider_code, lob: r.lob, approved_date: r.approved_date,
    })));
    await c.query(
      `insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date)
       select referral_id, cin, provider_code, lob, approved_date
         from jsonb_to_recordset($1::jsonb) as x(referral_id text, cin text, provider_code text, lob text, approved_date date)
       on conflict (referral_id) do update set cin = excluded.cin, provider_code = excluded.provider_code,
         lob = excluded.lob, approved_date = excluded.approved_date`,
      [json(rows)],
    );
    // (the latest approval of the file wins when it carries two new referrals for one member and line)
    await c.query(
      `/* import referrals: new episodes, lineage */ with src as materialized (
         select distinct on (cin, lob) * from jsonb_to_recordset($1::jsonb)
           as x(row int, action text, referral_id text, cin text, provider_code text, lob text, approved_date date)
          where action = 'episode'
          order by cin, lob, approved_date desc, row desc
       ), upd as (
         update ecm_assignments a set provider_code = src.provider_code, status = 1, assigned_date = src.approved_date,
           enrollment_start = null, enrollment_end = null, discontinuation_date = null, discontinuation_reason = null, discontinuation_text = null,
           acuity = null, lcm_name = null, lcm_phone = null, lcm_email = null, care_plan_revised = null, care_conference = null,
           assessment_started = null, assessment_completed = null, last_encounter = null, in_person_count = null, telephonic_count = null,
           referral_status = null, referral_status_date = null, referral_closure_reason = null,
           last_submission_id = null, last_row_number = null, updated_at = now()
         from src join ecm_assignments prev on prev.cin = src.cin and prev.lob = src.lob
         where a.id = prev.id
         returning a.id, src.row, src.referral_id, prev as before
       ), lineage as (
         insert into ecm_assignment_changes (assignment_id, sheet_id, row_number, before, source, referral_id)
         select id, null, row, before, 'REFERRAL', referral_id from upd
       ), settled as (
         update ecm_referral_conflicts k set resolved_at = $2 from src where k.referral_id = src.referral_id and k.resolved_at is null
       )
       insert into ecm_assignments (cin, lob, provider_code, status, assigned_date)
       select cin, lob, provider_code, 1, approved_date from src
        where not exists (select 1 from ecm_assignments a where a.cin = src.cin and a.lob = src.lob)
       on conflict (cin, lob) do nothing`,
      [payload, now],
    );
  },
};

/**
 * The liaisons of both providers hear of referrals the import did not apply: counts, row
 * numbers and provider codes (no CINs: ops have those in the import output). One message per
 * set of recipients; a re-import of the same file does not send it again.
 */
export async function alertReferralConflicts(pool: pg.Pool, config: Config | undefined, fileName: string, conflicts: ImportConflict[], now: Date): Promise<void> {
  if (!config) {
    log.warn({ conflicts: conflicts.length }, 'referral conflicts: no settings given, liaisons not alerted');
    return;
  }
  const codes = [...new Set(conflicts.flatMap((k) => [k.currentProvider, k.referredProvider]))];
  const liaison = new Map((await pool.query<{ provider_code: string; liaison_email: string | null }>(
    'select provider_code, liaison_email from providers where provider_code = any($1)', [codes],
  )).rows.map((p) => [p.provider_code, p.liaison_email]));
  const groups = new Map<string, ImportConflict[]>();
  for (const k of conflicts) {
    const to = [...new Set([liaison.get(k.currentProvider), liaison.get(k.referredProvider)].filter((x): x is string => !!x))].sort();
    const key = to.join(',');
    groups.set(key, [...(groups.get(key) ?? []), k]);
  }
  for (const [to, list] of groups) {
    if (!to) {
      log.warn({ conflicts: list.length }, 'referral conflicts: the providers have no liaison email; not alerted');
      continue;
    }
    const providers = [...new Set(list.flatMap((k) => [k.currentProvider, k.referredProvider]))].sort();
    const text = [
      `The ECM referral import of ${fileName} found ${list.length} approved referral(s) for members who have an open ECM assignment`,
      'with another provider in the same line of business. They were NOT applied: each member stays with the current provider.',
      'A switch happens only through the plan\'s assignment extract (calaim-exchange import ecm-assignments); the member may need to call Member Services.',
      '',
      ...list.map((k) => `  row ${k.row}: referred to ${k.referredProvider} (${k.lob}); currently with ${k.currentProvider}`),
      '',
      `Ops see the members in the import's output: calaim-exchange import referrals ${fileName} --json ("conflicts").`,
    ].join('\n');
    const key = `referral-conflict:${createHash('sha256').update(`${to}|${list.map((k) => `${k.referralId}>${k.referredProvider}`).sort().join(',')}`).digest('hex').slice(0, 32)}`;
    try {
      await sendNotification(config, pool, {
        kind: 'referral-conflict',
        to: to.split(','),
        subject: `ECM referral conflicts: ${list.length} referral(s) not applied (${providers.join(', ')})`,
        text,
        key,
      }, now);
    } catch (err) {
      // the import is committed; the conflicts are on record and in its output
      log.error({ err: { message: (err as Error).message } }, 'referral conflicts: the liaison alert could not be recorded');
    }
  }
}

// Loads an upstream extract (providers, members, assignments, referrals, CS authorizations):
// every row validated by its zod schema and against the database, good rows upserted in
// bulk inside one transaction, bad rows listed with their row number and reason.
import type pg from 'pg';
import { UPSTREAM, type UpstreamKind } from '../../schemas/upstream.js';
import { log } from '../log.js';
import { openTable, TableError } from './read-table.js';

/** code is set for a row the CSV reader could not split into fields (csv-field-count, csv-stray-quote, csv-text-after-quote). */
export interface ImportReject { row: number; column?: string; message: string; code?: string }
export interface ImportSummary {
  kind: UpstreamKind;
  file: string;
  rowsRead: number;
  rowsImported: number;
  rowsRejected: number;
  rejects: ImportReject[];
  ignoredColumns: string[];
}

type Row = Record<string, unknown> & { __row: number };
const BATCH = 2000;

export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

export async function importUpstream(pool: pg.Pool, kind: UpstreamKind, file: string): Promise<ImportSummary> {
  const spec = UPSTREAM[kind];
  let table;
  try {
    table = await openTable(file, spec.columns);
  } catch (err) {
    if (err instanceof TableError) throw new ImportFileError(err.message);
    throw err;
  }
  const missing = spec.columns.filter((c) => !table.header.includes(c));
  if (missing.length) throw new ImportFileError(`missing column(s): ${missing.join(', ')} (header names must be exactly: ${spec.columns.join(', ')})`);
  const ignoredColumns = table.header.filter((h) => !(spec.columns as readonly string[]).includes(h));

  const summary: ImportSummary = { kind, file, rowsRead: 0, rowsImported: 0, rowsRejected: 0, rejects: [], ignoredColumns };
  const reject = (row: number, message: string, column?: string) => {
    summary.rowsRejected++;
    summary.rejects.push({ row, message, ...(column ? { column } : {}) });
  };
  const applier = APPLIERS[kind];
  const state = new Map<string, unknown>();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    let batch: Row[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const accepted = await applier.check(client, batch, reject, state);
      if (accepted.length) await applier.upsert(client, accepted);
      summary.rowsImported += accepted.length;
      batch = [];
    };
    for await (const { rowNumber, record, problem } of table.rows) {
      summary.rowsRead++;
      if (problem) {
        summary.rowsRejected++;
        summary.rejects.push({ row: rowNumber, message: problem.message, code: problem.code });
        continue;
      }
      const parsed = spec.schema.safeParse(record);
      if (!parsed.success) {
        const first = parsed.error.issues[0]!;
        const column = first.path.map(String).join('.') || undefined;
        const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'row'} ${i.message}`).join('; ');
        reject(rowNumber, msg, column);
        continue;
      }
      batch.push({ ...(parsed.data as Record<string, unknown>), __row: rowNumber });
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (err instanceof TableError) throw new ImportFileError(err.message);
    throw err;
  } finally {
    client.release();
  }
  summary.rejects.sort((a, b) => a.row - b.row);
  log.info({ kind, rowsRead: summary.rowsRead, rowsImported: summary.rowsImported, rowsRejected: summary.rowsRejected }, 'upstream import done');
  return summary;
}

type Reject = (row: number, message: string, column?: string) => void;
interface Applier {
  /** Context rules (database, earlier rows of the file); returns the rows to write. */
  check(c: pg.PoolClient, rows: Row[], reject: Reject, state: Map<string, unknown>): Promise<Row[]>;
  upsert(c: pg.PoolClient, rows: Row[]): Promise<void>;
}

/** Rows to JSON for jsonb_to_recordset: a set-based upsert per batch, not a statement per row. */
const json = (rows: Row[]) => JSON.stringify(rows.map(({ __row: _r, ...rest }) => rest));

function seen(state: Map<string, unknown>, name: string): Map<string, unknown> {
  let m = state.get(name) as Map<string, unknown> | undefined;
  if (!m) state.set(name, (m = new Map()));
  return m;
}

async function existing(c: pg.PoolClient, sql: string, keys: string[]): Promise<Set<string>> {
  const r = await c.query<{ k: string }>(sql, [keys]);
  return new Set(r.rows.map((x) => x.k));
}

async function contracts(c: pg.PoolClient, codes: string[]): Promise<Set<string>> {
  return existing(c, `select provider_code || '|' || lob || '|' || program as k from provider_contracts where provider_code = any($1)`, codes);
}

/** Rows whose member exists and whose provider contracts ECM for the row's line of business. */
async function knownMemberWithEcmContract(c: pg.PoolClient, rows: Row[], reject: Reject): Promise<Row[]> {
  const members = await existing(c, 'select cin as k from members where cin = any($1)', rows.map((r) => String(r.cin)));
  const ctr = await contracts(c, [...new Set(rows.map((r) => String(r.provider_code)))]);
  return rows.filter((r) => {
    if (!members.has(String(r.cin))) return reject(r.__row, 'member not found: import the member first', 'cin'), false;
    if (!ctr.has(`${String(r.provider_code)}|${String(r.lob)}|ECM`))
      return reject(r.__row, `provider ${String(r.provider_code)} has no ECM contract for ${String(r.lob)}`, 'provider_code'), false;
    return true;
  });
}

function dedupe(rows: Row[], key: (r: Row) => string, seenKeys: Map<string, unknown>, reject: Reject, what: string): Row[] {
  const out: Row[] = [];
  for (const r of rows) {
    const k = key(r);
    const prev = seenKeys.get(k);
    if (prev !== undefined) {
      reject(r.__row, `duplicate ${what}: already given on row ${String(prev)}`);
      continue;
    }
    seenKeys.set(k, r.__row);
    out.push(r);
  }
  return out;
}

const APPLIERS: Record<UpstreamKind, Applier> = {
  providers: {
    async check(_c, rows, reject, state) {
      const ids = seen(state, 'provider') as Map<string, { npi: string; tin: string; name: string; row: number }>;
      const keys = seen(state, 'contract');
      const out: Row[] = [];
      for (const r of rows) {
        const code = String(r.provider_code);
        const first = ids.get(code);
        if (first && (first.npi !== r.npi || first.tin !== r.tin || first.name !== r.name)) {
          reject(r.__row, `provider ${code} has a different NPI, TIN or name on row ${first.row}: one provider code is one organisation`);
          continue;
        }
        if (!first) ids.set(code, { npi: String(r.npi), tin: String(r.tin), name: String(r.name), row: r.__row });
        out.push(r);
      }
      return dedupe(out, (r) => `${String(r.provider_code)}|${String(r.lob)}|${String(r.program)}`, keys, reject, 'contract (provider_code, lob, program)');
    },
    async upsert(c, rows) {
      await c.query(
        `insert into providers (provider_code, npi, tin, name, phone, contact_email, liaison_email, sftp_folder)
         select distinct on (provider_code) provider_code, npi, tin, name, phone, contact_email, liaison_email, provider_code
           from jsonb_to_recordset($1::jsonb) as x(provider_code text, npi text, tin text, name text, phone text, contact_email text, liaison_email text)
         on conflict (provider_code) do update set npi = excluded.npi, tin = excluded.tin, name = excluded.name,
           phone = excluded.phone, contact_email = excluded.contact_email, liaison_email = excluded.liaison_email, updated_at = now()`,
        [json(rows)],
      );
      await c.query(
        `insert into provider_contracts (provider_code, lob, program)
         select provider_code, lob, program from jsonb_to_recordset($1::jsonb) as x(provider_code text, lob text, program text)
         on conflict do nothing`,
        [json(rows)],
      );
    },
  },

  members: {
    async check(_c, rows, reject, state) {
      return dedupe(rows, (r) => String(r.cin), seen(state, 'cin'), reject, 'CIN');
    },
    async upsert(c, rows) {
      await c.query(
        `insert into members (cin, mcp_member_id, last_name, first_name, dob, gender, language, address, city, state, zip, phone, county, homeless)
         select cin, mcp_member_id, last_name, first_name, dob, coalesce(gender, 'U'), language, address, city, state, zip, phone, county, coalesce(homeless, false)
           from jsonb_to_recordset($1::jsonb) as x(cin text, mcp_member_id text, last_name text, first_name text, dob date, gender text,
             language text, address text, city text, state text, zip text, phone text, county text, homeless boolean)
         on conflict (cin) do update set mcp_member_id = excluded.mcp_member_id, last_name = excluded.last_name,
           first_name = excluded.first_name, dob = excluded.dob, gender = excluded.gender, language = excluded.language,
           address = excluded.address, city = excluded.city, state = excluded.state, zip = excluded.zip, phone = excluded.phone,
           county = excluded.county, homeless = excluded.homeless, updated_at = now()`,
        [json(rows)],
      );
    },
  },

  'ecm-assignments': {
    async check(c, rows, reject, state) {
      rows = dedupe(rows, (r) => `${String(r.cin)}|${String(r.lob)}`, seen(state, 'cinlob'), reject, 'member and line of business');
      return knownMemberWithEcmContract(c, rows, reject);
    },
    async upsert(c, rows) {
      await c.query(
        `insert into ecm_assignments (cin, lob, provider_code, status, assigned_date, pof, enrollment_start, enrollment_end, acuity, lcm_name, lcm_phone)
         select cin, lob, provider_code, status::smallint, assigned_date, coalesce(pof, '{}'), enrollment_start, enrollment_end, acuity, lcm_name, lcm_phone
           from jsonb_to_recordset($1::jsonb) as x(cin text, lob text, provider_code text, status text, assigned_date date, pof text[],
             enrollment_start date, enrollment_end date, acuity text, lcm_name text, lcm_phone text)
         on conflict (cin, lob) do update set provider_code = excluded.provider_code, status = excluded.status,
           assigned_date = excluded.assigned_date, pof = excluded.pof, enrollment_start = excluded.enrollment_start,
           enrollment_end = excluded.enrollment_end, acuity = excluded.acuity, lcm_name = excluded.lcm_name,
           lcm_phone = excluded.lcm_phone, updated_at = now()`,
        [json(rows)],
      );
    },
  },

  referrals: {
    async check(c, rows, reject, state) {
      rows = dedupe(rows, (r) => String(r.referral_id), seen(state, 'ref'), reject, 'referral_id');
      return knownMemberWithEcmContract(c, rows, reject);
    },
    async upsert(c, rows) {
      await c.query(
        `insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date)
         select referral_id, cin, provider_code, lob, approved_date
           from jsonb_to_recordset($1::jsonb) as x(referral_id text, cin text, provider_code text, lob text, approved_date date)
         on conflict (referral_id) do update set cin = excluded.cin, provider_code = excluded.provider_code,
           lob = excluded.lob, approved_date = excluded.approved_date`,
        [json(rows)],
      );
      // An approved referral assigns the member to that provider (status 1) from its approval
      // date [PLAN]; a member already with that provider keeps its status.
      await c.query(
        `insert into ecm_assignments (cin, lob, provider_code, status, assigned_date)
         select distinct on (cin, lob) cin, lob, provider_code, 1, approved_date
           from jsonb_to_recordset($1::jsonb) as x(cin text, provider_code text, lob text, approved_date date)
          order by cin, lob, approved_date desc
         on conflict (cin, lob) do update set provider_code = excluded.provider_code, status = 1,
           assigned_date = excluded.assigned_date, enrollment_start = null, enrollment_end = null,
           discontinuation_date = null, discontinuation_reason = null, discontinuation_text = null,
           acuity = null, lcm_name = null, lcm_phone = null, lcm_email = null, updated_at = now()
         where ecm_assignments.provider_code <> excluded.provider_code`,
        [json(rows)],
      );
    },
  },

  'cs-authorizations': {
    async check(c, rows, reject, state) {
      const firstBy = seen(state, 'pair') as Map<string, { provider: string; row: number }>;
      const inFile: Row[] = [];
      const conflicts: { cin: string; service: string; owner: string; refused: string }[] = [];
      const inFileConflicts: typeof conflicts = [];
      for (const r of rows) {
        const k = `${String(r.cin)}|${String(r.service_code)}`;
        const prev = firstBy.get(k);
        if (prev) {
          if (prev.provider !== r.provider_code)
            inFileConflicts.push({ cin: String(r.cin), service: String(r.service_code), owner: prev.provider, refused: String(r.provider_code) });
          reject(
            r.__row,
            prev.provider === r.provider_code
              ? `duplicate member and service: already given on row ${prev.row}`
              : `member and service ${String(r.service_code)} already assigned to provider ${prev.provider} on row ${prev.row}: each member and CS service goes to exactly one provider`,
            'provider_code',
          );
          continue;
        }
        firstBy.set(k, { provider: String(r.provider_code), row: r.__row });
        inFile.push(r);
      }
      const members = await existing(c, 'select cin as k from members where cin = any($1)', inFile.map((r) => String(r.cin)));
      const ctr = await contracts(c, [...new Set(inFile.map((r) => String(r.provider_code)))]);
      const owners = await c.query<{ k: string; provider_code: string }>(
        `select cin || '|' || service_code as k, provider_code from cs_authorizations where cin = any($1)`,
        [inFile.map((r) => String(r.cin))],
      );
      const owner = new Map(owners.rows.map((o) => [o.k, o.provider_code]));
      const accepted = inFile.filter((r) => {
        if (!members.has(String(r.cin))) return reject(r.__row, 'member not found: import the member first', 'cin'), false;
        if (!ctr.has(`${String(r.provider_code)}|${String(r.lob)}|CS`))
          return reject(r.__row, `provider ${String(r.provider_code)} has no CS contract for ${String(r.lob)}`, 'provider_code'), false;
        const o = owner.get(`${String(r.cin)}|${String(r.service_code)}`);
        if (o && o !== r.provider_code) {
          conflicts.push({ cin: String(r.cin), service: String(r.service_code), owner: o, refused: String(r.provider_code) });
          return reject(r.__row, `member and service ${String(r.service_code)} are already assigned to provider ${o}: each member and CS service goes to exactly one provider (end that assignment first)`, 'provider_code'), false;
        }
        return true;
      });
      // The refused second assignment stays visible to the CSASF run until someone resolves it.
      for (const k of inFileConflicts) if (members.has(k.cin)) conflicts.push(k);
      if (conflicts.length)
        await c.query(
          `insert into cs_assignment_conflicts (cin, service_code, owner_provider, refused_provider, source)
           select cin, service, owner, refused, 'import' from jsonb_to_recordset($1::jsonb) as x(cin text, service text, owner text, refused text)
            where exists (select 1 from providers p where p.provider_code = x.owner)
           on conflict (cin, service_code, refused_provider) do update set owner_provider = excluded.owner_provider, detected_at = now(), resolved_at = null`,
          [JSON.stringify(conflicts)],
        );
      return accepted;
    },
    async upsert(c, rows) {
      await c.query(
        `insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end,
           requested_date, decision_date, assigned_date, referring_org)
         select cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end,
           requested_date, decision_date, assigned_date, referring_org
           from jsonb_to_recordset($1::jsonb) as x(cin text, service_code text, provider_code text, lob text, record_type text,
             auth_status text, auth_number text, auth_start date, auth_end date, requested_date date, decision_date date,
             assigned_date date, referring_org text)
         on conflict (cin, service_code) do update set lob = excluded.lob, record_type = excluded.record_type,
           auth_status = excluded.auth_status, auth_number = excluded.auth_number, auth_start = excluded.auth_start,
           auth_end = excluded.auth_end, requested_date = excluded.requested_date, decision_date = excluded.decision_date,
           assigned_date = excluded.assigned_date, referring_org = excluded.referring_org, updated_at = now()
         where cs_authorizations.provider_code = excluded.provider_code`,
        [json(rows)],
      );
    },
  },
};

// What the database says about the submitting provider, loaded once per submission so the
// context rules run row by row in memory (no query per row). Bounded by the provider's own
// caseload, never by the size of the file.
import type pg from 'pg';
import type { CsasfEntry, EcmMember, OutreachHistory, ProviderContext } from '../filetypes/provider-context.js';

export type { ProviderContext };

export class UnknownProviderError extends Error {
  constructor(code: string) {
    super(`provider ${code} is not known: import it first (calaim-exchange import providers …)`);
    this.name = 'UnknownProviderError';
  }
}

export async function loadProviderContext(pool: pg.Pool, code: string, receivedAt: Date): Promise<ProviderContext> {
  const p = await pool.query<{ provider_code: string; npi: string; tin: string; name: string; liaison_email: string | null; contact_email: string | null; sftp_folder: string; ecm: string[]; cs: string[] }>(
    `select p.provider_code, p.npi, p.tin, p.name, p.liaison_email, p.contact_email, p.sftp_folder,
            coalesce(array_agg(c.lob) filter (where c.program = 'ECM'), '{}') as ecm,
            coalesce(array_agg(c.lob) filter (where c.program = 'CS'), '{}') as cs
       from providers p left join provider_contracts c using (provider_code)
      where p.provider_code = $1 group by p.provider_code`,
    [code],
  );
  const row = p.rows[0];
  if (!row) throw new UnknownProviderError(code);

  // The three reads are independent: they run side by side on the pool's connections.
  // ECM members: those assigned to the provider, flagged when on the latest MIF of their line
  // of business, plus those only on that MIF (a member may have left the assignment table
  // since, but the provider still reports on what it was sent). One result: a large
  // provider's members are parsed once, not twice.
  const ecmQ = pool.query<{ cin: string; lob: string; status: number; last_name: string; first_name: string; lcm_name: string | null; on_mif: boolean; enrolled_on_mif: boolean }>(
    `with latest as (
       select distinct on (lob) id, lob from outbound_files
        where provider_code = $1 and kind = 'MIF' and status = 'PUBLISHED' and published_at <= $2
        order by lob, slot desc, id desc
     ), mif as (
       select r.cin, l.lob, r.ecm_status from latest l join outbound_file_rows r on r.outbound_file_id = l.id
     ), assigned as (
       select a.cin, a.lob, a.status, a.lcm_name from ecm_assignments a where a.provider_code = $1
     )
     select a.cin, a.lob, a.status, m.last_name, m.first_name, a.lcm_name,
            f.cin is not null as on_mif, coalesce(f.ecm_status = 3, false) as enrolled_on_mif
       from assigned a join members m using (cin) left join mif f on f.cin = a.cin and f.lob = a.lob
     union all
     select * from (
       select distinct on (f.cin) f.cin, f.lob, coalesce(f.ecm_status, 1)::smallint, m.last_name, m.first_name, null::text,
              true, coalesce(f.ecm_status = 3, false)
         from mif f join members m using (cin)
        where not exists (select 1 from assigned a where a.cin = f.cin)
        order by f.cin, f.lob) only_on_mif`,
    [code, receivedAt],
  );

  const csQ = pool.query<{ cin: string; service_code: string; lob: string | null; auth_status: string | null; auth_number: string | null; auth_start: string | null; auth_end: string | null; last_name: string; first_name: string; dob: string }>(
    `with latest as (
       select id from outbound_files where provider_code = $1 and kind = 'CSASF' and status = 'PUBLISHED' and published_at <= $2
        order by slot desc, id desc limit 1)
     select r.cin, r.service_code, a.lob, r.auth_status, r.auth_number, r.auth_start, r.auth_end, m.last_name, m.first_name, m.dob
       from latest l join outbound_file_rows r on r.outbound_file_id = l.id join members m on m.cin = r.cin
       -- the authorization episode the row carried (by its number), else the pair's open or latest one with this provider
       left join lateral (
         select a.lob from cs_authorizations a
          where a.cin = r.cin and a.service_code = r.service_code and a.provider_code = $1
          order by a.auth_key = coalesce(r.auth_number, '') desc, a.resolved, a.id desc limit 1) a on true`,
    [code, receivedAt],
  );

  // (an attempt in two periods' OTFs is two current rows: the distinct date × method counts once)
  const otQ = pool.query<{ cin: string; attempts: string[]; methods: number[]; first: string; last: string }>(
    `select a.cin, array_agg(distinct a.attempt_date::text || '|' || a.method) as attempts, array_agg(distinct a.method)::int[] as methods, min(a.attempt_date) as first, max(a.attempt_date) as last
       from current_outreach_attempts a where a.provider_code = $1 group by a.cin`,
    [code],
  );

  const [ecmRows, cs, ot] = await Promise.all([ecmQ, csQ, otQ]);
  const ecm = new Map<string, EcmMember>();
  for (const a of ecmRows.rows)
    ecm.set(a.cin, { lob: a.lob, status: a.status, lastName: a.last_name, firstName: a.first_name, onLatestMif: a.on_mif, enrolledOnLatestMif: a.enrolled_on_mif, lcmName: a.lcm_name });

  const csasf = new Map<string, CsasfEntry>();
  for (const c of cs.rows)
    csasf.set(`${c.cin}|${c.service_code}`, {
      lob: c.lob ?? '', authStatus: c.auth_status, authNumber: c.auth_number, authStart: c.auth_start, authEnd: c.auth_end,
      lastName: c.last_name, firstName: c.first_name, dob: c.dob,
    });

  const outreach = new Map<string, OutreachHistory>();
  for (const o of ot.rows) outreach.set(o.cin, { attempts: new Set(o.attempts), methods: new Set(o.methods), first: o.first, last: o.last });

  return {
    code: row.provider_code,
    npi: row.npi,
    tin: row.tin,
    name: row.name,
    liaisonEmail: row.liaison_email,
    contactEmail: row.contact_email,
    sftpFolder: row.sftp_folder,
    ecmLobs: new Set(row.ecm),
    csLobs: new Set(row.cs),
    ecm,
    csasf,
    csasfSent: cs.rows.length > 0 || (await pool.query(`select 1 from outbound_files where provider_code = $1 and kind = 'CSASF' and status = 'PUBLISHED' and published_at <= $2 limit 1`, [code, receivedAt])).rowCount! > 0,
    outreach,
  };
}

// Providers and their contracts: the sFTP folder names the transport serves (src/sftp/transport.ts),
// the upstream providers extract's upsert (src/import), and the look-ups the import, the demo and
// the generate command make about a provider's contracts and liaison.
import type pg from 'pg';
import type { UpstreamRow } from '../../schemas/upstream.js';

type Db = pg.Pool | pg.PoolClient;

/** Every provider's sFTP folder name (active or not), sorted. */
export async function providerSftpFolders(db: Db): Promise<string[]> {
  return (await db.query<{ sftp_folder: string }>('select sftp_folder from providers order by 1')).rows.map((r) => r.sftp_folder);
}

/**
 * The providers extract's rows (one per contract): the provider itself once per code (its sFTP
 * folder is its code when first seen, and is never renamed by a later extract), then its
 * contracts. Contracts are only ever added: a contract missing from a later extract stays.
 */
export async function upsertProvidersAndContracts(db: Db, rows: readonly UpstreamRow<'providers'>[]): Promise<void> {
  const payload = JSON.stringify(rows);
  await db.query(
    `insert into providers (provider_code, npi, tin, name, phone, contact_email, liaison_email, sftp_folder)
     select distinct on (provider_code) provider_code, npi, tin, name, phone, contact_email, liaison_email, provider_code
       from jsonb_to_recordset($1::jsonb) as x(provider_code text, npi text, tin text, name text, phone text, contact_email text, liaison_email text)
     on conflict (provider_code) do update set npi = excluded.npi, tin = excluded.tin, name = excluded.name,
       phone = excluded.phone, contact_email = excluded.contact_email, liaison_email = excluded.liaison_email, updated_at = now()`,
    [payload],
  );
  await db.query(
    `insert into provider_contracts (provider_code, lob, program)
     select provider_code, lob, program from jsonb_to_recordset($1::jsonb) as x(provider_code text, lob text, program text)
     on conflict do nothing`,
    [payload],
  );
}

/** The contracts of these providers, each as `provider_code|lob|program` (the key the import checks a row against). */
export async function contractKeys(db: Db, codes: readonly string[]): Promise<Set<string>> {
  const r = await db.query<{ k: string }>(`select provider_code || '|' || lob || '|' || program as k from provider_contracts where provider_code = any($1)`, [codes]);
  return new Set(r.rows.map((x) => x.k));
}

/** Each of these providers' liaison email (null: none on file); a code not on file is absent. */
export async function liaisonEmails(db: Db, codes: readonly string[]): Promise<Map<string, string | null>> {
  const r = await db.query<{ provider_code: string; liaison_email: string | null }>('select provider_code, liaison_email from providers where provider_code = any($1)', [codes]);
  return new Map(r.rows.map((p) => [p.provider_code, p.liaison_email]));
}

export interface ContractedProvider { code: string; name: string; npi: string; tin: string; lobs: string[] }

/** The providers with a contract for the program, each with the lines of business it covers, by code. */
export async function providersContracting(db: Db, program: 'ECM' | 'CS'): Promise<ContractedProvider[]> {
  return (await db.query<ContractedProvider>(
    `select p.provider_code code, p.name, p.npi, p.tin, array_agg(c.lob order by c.lob) lobs from providers p join provider_contracts c using (provider_code)
      where c.program = $1 group by p.provider_code order by p.provider_code`, [program])).rows;
}

/** A provider as an outbound file names it (header fields, the notification's addressees) and where it is delivered. */
export interface OutboundProvider {
  provider_code: string;
  npi: string;
  tin: string;
  name: string;
  phone: string | null;
  contact_email: string | null;
  liaison_email: string | null;
  sftp_folder: string;
}

/**
 * The active providers with a contract for the program (only: that one code), each with its
 * lines of business in the plan's order (HN, CV, CHPIV: the order of a CSASF's name), by code.
 */
export async function outboundProviders(db: Db, program: 'ECM' | 'CS', only?: string): Promise<(OutboundProvider & { lobs: string[] })[]> {
  const r = await db.query<OutboundProvider & { lobs: string[] }>(
    `select p.provider_code, p.npi, p.tin, p.name, p.phone, p.contact_email, p.liaison_email, p.sftp_folder,
            array_agg(c.lob order by array_position(array['HN','CV','CHPIV'], c.lob)) as lobs
       from providers p join provider_contracts c using (provider_code)
      where c.program = $1 and p.active and ($2::text is null or p.provider_code = $2)
      group by p.provider_code order by p.provider_code`,
    [program, only ?? null],
  );
  return r.rows;
}

/** Whether a provider is active and which programs it has contracts for; undefined: no such provider. */
export async function providerStanding(db: Db, code: string): Promise<{ active: boolean; programs: string[] } | undefined> {
  const r = await db.query<{ active: boolean; programs: string[] }>(
    `select p.active, coalesce(array_agg(distinct c.program) filter (where c.program is not null), '{}') as programs
       from providers p left join provider_contracts c using (provider_code) where p.provider_code = $1 group by p.active`,
    [code],
  );
  return r.rows[0];
}

/** A provider whose uploads/ folder a poll reads, and whom its answer is addressed to. */
export interface PollableProvider { provider_code: string; name: string; sftp_folder: string; liaison_email: string | null; contact_email: string | null }

/** The active providers with at least one contract (only: that one code), by code: a provider with no contract has nothing to submit. */
export async function pollableProviders(db: Db, only?: string): Promise<PollableProvider[]> {
  return (await db.query<PollableProvider>(
    `select provider_code, name, sftp_folder, liaison_email, contact_email from providers p where active and ($1::text is null or provider_code = $1)
      and exists (select 1 from provider_contracts c where c.provider_code = p.provider_code) order by provider_code`,
    [only ?? null],
  )).rows;
}

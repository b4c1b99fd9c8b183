// Providers and their contracts: the sFTP folder names the transport serves (src/sftp/transport.ts),
// the upstream providers extract's upsert (src/import), and the look-ups the import, the demo and
// the generate command make about a provider's contracts and whom they are addressed to.
import type pg from 'pg';
import { LOB_CODES, PROGRAM_CODES } from '../../schemas/codes.js';
import type { IsoDate } from '../../schemas/primitives.js';
import type { UpstreamRow } from '../../schemas/upstream.js';
import { notEndedOn } from './last-day.js';

type Db = pg.Pool | pg.PoolClient;

/** Every provider's sFTP folder name (active or not), sorted. */
export async function providerSftpFolders(db: Db): Promise<string[]> {
  return (await db.query<{ sftp_folder: string }>('select sftp_folder from providers order by 1')).rows.map((r) => r.sftp_folder);
}

/**
 * The providers extract's rows (one per contract): the provider itself once per code (its sFTP
 * folder is its code when first seen, and is never renamed by a later extract), then its
 * contracts. Contracts are never removed: a contract missing from a later extract stays, and one
 * is ended by its row's contract_end (the last day it is in force: contractInForce).
 *
 * `ends`: the extract has the contract_end column. Then each row's contract_end is the
 * contract's end, a blank one none (open-ended: a renewal re-opens an ended contract). Without
 * the column the extract says nothing of ends: a new contract is open-ended, one on file keeps
 * its end.
 *
 * Each contract keeps the contact and liaison emails its own row names: a row never changes
 * another contract's addresses, and a blank address is no claim (the contract keeps the one it
 * had). The provider's own addresses are the first its rows name, in the extract's order (a
 * blank keeps the one on file): they stand in for a contract that has none of its own.
 *
 * `now` (the import's clock) is the provider row's updated_at: what the provider_identities
 * trigger records as when a changed NPI or TIN stopped being current (migration 0035).
 */
export async function upsertProvidersAndContracts(db: Db, rows: readonly UpstreamRow<'providers'>[], now: Date, opts: { ends: boolean }): Promise<void> {
  const payload = JSON.stringify(rows);
  await db.query(
    `with x as (
       select e.ord, r.* from jsonb_array_elements($1::jsonb) with ordinality as e(v, ord),
              jsonb_to_record(e.v) as r(provider_code text, npi text, tin text, name text, phone text, contact_email text, liaison_email text)
     ), p as (
       select distinct on (provider_code) provider_code, npi, tin, name, phone,
              first_value(contact_email) over (partition by provider_code order by contact_email is null, ord) as contact_email,
              first_value(liaison_email) over (partition by provider_code order by liaison_email is null, ord) as liaison_email
         from x order by provider_code, ord
     )
     insert into providers (provider_code, npi, tin, name, phone, contact_email, liaison_email, sftp_folder, updated_at)
     select provider_code, npi, tin, name, phone, contact_email, liaison_email, provider_code, $2 from p
     on conflict (provider_code) do update set npi = excluded.npi, tin = excluded.tin, name = excluded.name, phone = excluded.phone,
       contact_email = coalesce(excluded.contact_email, providers.contact_email),
       liaison_email = coalesce(excluded.liaison_email, providers.liaison_email), updated_at = excluded.updated_at`,
    [payload, now],
  );
  await db.query(
    `insert into provider_contracts (provider_code, lob, program, contact_email, liaison_email, contract_end)
     select provider_code, lob, program, contact_email, liaison_email, contract_end
       from jsonb_to_recordset($1::jsonb) as x(provider_code text, lob text, program text, contact_email text, liaison_email text, contract_end date)
     on conflict (provider_code, lob, program) do update set
       contact_email = coalesce(excluded.contact_email, provider_contracts.contact_email),
       liaison_email = coalesce(excluded.liaison_email, provider_contracts.liaison_email),
       contract_end = case when $2 then excluded.contract_end else provider_contracts.contract_end end`,
    [payload, opts.ends],
  );
}

/**
 * [POLICY] Whether the contract `c` (a provider_contracts alias) is in force on `day` (the SQL of
 * a date): it has not ended before that day (contract_end is its last day in force; none:
 * open-ended). The one place the rule is written:
 * - on a day: an outbound file (MIF, mini-MIF, CSASF) goes only under a contract in force on its
 *   slot's day (outboundProviders, csasfRows);
 * - for a reporting period: in force on the period's first day, so the month a contract ends in
 *   is still owed and accepted (its files are due the next month); a later period's rows of the
 *   line are LOB_NOT_CONTRACTED (providerWithContracts) and owe nothing (owedLines,
 *   periodStatus, providerLines, activeProgramContracts); the web pages let a contract's liaison
 *   see its provider while it is in force for the period files received today answer
 *   (liaisonsWhoMaySee).
 */
export const contractInForce = (c: string, day: string): string => notEndedOn(`${c}.contract_end`, day);

/** SQL: a code's place in the code table's order (constants of schemas/codes.ts, never input). */
const codeOrder = (codes: readonly string[]) => (col: string) => `array_position(array[${codes.map((x) => `'${x}'`).join(',')}], ${col})`;
/** The plan's order of programs (ECM first) and of lines of business (HN, CV, CHPIV), as SQL over a column. */
export const programOrder = codeOrder(PROGRAM_CODES);
export const lobOrder = codeOrder(LOB_CODES);

/**
 * A contract's addresses as SQL over `c` (provider_contracts) and `p` (its provider): its own,
 * else its provider's (a contract loaded with none, or a provider whose extract named none).
 */
export const CONTRACT_CONTACT = 'coalesce(c.contact_email, p.contact_email)';
export const CONTRACT_LIAISON = 'coalesce(c.liaison_email, p.liaison_email)';

/** One contract of a provider and whom it is addressed to (its own addresses, else its provider's). */
export interface ContractAddresses { provider_code: string; lob: string; program: 'ECM' | 'CS'; contact_email: string | null; liaison_email: string | null }

/** The contracts of these providers with their addresses, by code, program (ECM first) and line (HN, CV, CHPIV). */
export async function contractAddresses(db: Db, codes: readonly string[]): Promise<ContractAddresses[]> {
  return (await db.query<ContractAddresses>(
    `select c.provider_code, c.lob, c.program, ${CONTRACT_CONTACT} as contact_email, ${CONTRACT_LIAISON} as liaison_email
       from provider_contracts c join providers p using (provider_code)
      where c.provider_code = any($1)
      order by c.provider_code, ${programOrder('c.program')}, ${lobOrder('c.lob')}`,
    [codes],
  )).rows;
}

/**
 * The contracts of these providers, each as `provider_code|lob|program` (the key the import checks
 * a row against), with its last day in force (null: open-ended).
 */
export async function contractKeys(db: Db, codes: readonly string[]): Promise<Map<string, IsoDate | null>> {
  const r = await db.query<{ k: string; contract_end: IsoDate | null }>(
    `select provider_code || '|' || lob || '|' || program as k, contract_end from provider_contracts where provider_code = any($1)`, [codes]);
  return new Map(r.rows.map((x) => [x.k, x.contract_end]));
}

/**
 * The liaison of each of these providers' contracts in a program, keyed `code|lob`, and of each
 * provider itself, keyed by its code (what a line the provider has no contract in falls back to);
 * null: none on file. A code not on file is absent.
 */
export async function contractLiaisons(db: Db, codes: readonly string[], program: 'ECM' | 'CS'): Promise<Map<string, string | null>> {
  const r = await db.query<{ k: string; liaison_email: string | null }>(
    `select p.provider_code as k, p.liaison_email from providers p where p.provider_code = any($1)
     union all
     select c.provider_code || '|' || c.lob, ${CONTRACT_LIAISON} from provider_contracts c join providers p using (provider_code)
      where c.provider_code = any($1) and c.program = $2`,
    [codes, program],
  );
  return new Map(r.rows.map((x) => [x.k, x.liaison_email]));
}

/** A provider's own addresses (what its contracts without addresses of their own use); undefined: no such provider. */
export async function providerAddresses(db: Db, code: string): Promise<{ contact_email: string | null; liaison_email: string | null } | undefined> {
  return (await db.query<{ contact_email: string | null; liaison_email: string | null }>('select contact_email, liaison_email from providers where provider_code = $1', [code])).rows[0];
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
  sftp_folder: string;
  /** The program's contracts, each with whom its files are announced to (its own addresses, else the provider's). */
  contracts: { lob: string; contact_email: string | null; liaison_email: string | null }[];
}

/**
 * The active providers with a contract for the program in force on `day` (an outbound file's
 * slot: nothing goes under an ended contract), only: that one code, each with those contracts'
 * lines of business in the plan's order (HN, CV, CHPIV: the order of a CSASF's name), by code.
 */
export async function outboundProviders(db: Db, program: 'ECM' | 'CS', day: IsoDate, only?: string): Promise<(OutboundProvider & { lobs: string[] })[]> {
  const r = await db.query<OutboundProvider & { lobs: string[] }>(
    `select p.provider_code, p.npi, p.tin, p.name, p.phone, p.sftp_folder,
            array_agg(c.lob order by ${lobOrder('c.lob')}) as lobs,
            json_agg(json_build_object('lob', c.lob, 'contact_email', ${CONTRACT_CONTACT}, 'liaison_email', ${CONTRACT_LIAISON})
                     order by ${lobOrder('c.lob')}) as contracts
       from providers p join provider_contracts c using (provider_code)
      where c.program = $1 and p.active and ($2::text is null or p.provider_code = $2) and ${contractInForce('c', '$3::date')}
      group by p.provider_code order by p.provider_code`,
    [program, only ?? null, day],
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

/** A provider whose uploads/ folder a poll reads (whom an answer goes to depends on the file: src/ingest/recipients.ts). */
export interface PollableProvider { provider_code: string; name: string; sftp_folder: string }

/** The active providers with at least one contract (only: that one code), by code: a provider with no contract has nothing to submit. */
export async function pollableProviders(db: Db, only?: string): Promise<PollableProvider[]> {
  return (await db.query<PollableProvider>(
    `select provider_code, name, sftp_folder from providers p where active and ($1::text is null or provider_code = $1)
      and exists (select 1 from provider_contracts c where c.provider_code = p.provider_code) order by provider_code`,
    [only ?? null],
  )).rows;
}

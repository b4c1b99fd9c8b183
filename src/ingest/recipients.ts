// Whom a response to an upload is emailed to (spec §7: every file posted to downloads/ emails the
// provider's contact, and the liaison): the contact and liaison of each contract the file reported
// on. A provider's lines and programs have their own liaisons and contacts (migration 0034), so a
// CalViva RTF is the CalViva ECM contract's business, not the Health Net liaison's.
import type pg from 'pg';
import type { FileTypeRegistry, Program } from '../filetypes/types.js';
import { INBOUND_TYPES } from '../filetypes/registry.js';
import { contractAddresses, providerAddresses, type ContractAddresses } from '../repositories/providers.js';
import { submissionSheetLines } from '../repositories/submission-store.js';
import { typesSuggestedByName } from './names.js';

/** A (program, line) a file reported on; `program` undefined: a type the registry does not know; `lob` '*': any line. */
interface About { program: Program | undefined; lob: string }

/**
 * The contracts a file is about, from what it held:
 * - each sheet's program (its type's) and the lines its rows named, or all of the program's lines
 *   when its rows named none it could tell ('*');
 * - no sheet with rows (a file rejected unread, or no sheet recognised): the program of the types
 *   its name suggests (RTF_…, CSPRTF_…), every line; nothing suggested: every contract;
 * - lines the provider has no contract in: the program's contracts; no contract of the program
 *   either: every contract (somebody on the plan's side must hear of the file).
 */
export function contractsAbout(contracts: readonly ContractAddresses[], about: readonly About[]): ContractAddresses[] {
  if (!about.length) return [...contracts];
  const named = contracts.filter((c) => about.some((a) => (a.program === undefined || a.program === c.program) && (a.lob === '*' || a.lob === c.lob)));
  if (named.length) return named;
  const ofProgram = contracts.filter((c) => about.some((a) => a.program === undefined || a.program === c.program));
  return ofProgram.length ? ofProgram : [...contracts];
}

/**
 * The recipients of a submission's response email: the liaisons, then (with `contacts`) the
 * contacts, of the contracts it is about (contractsAbout). A provider with no contract: its own
 * addresses. Duplicates and blanks are the mailer's to drop (each person once).
 */
export async function responseRecipients(
  db: pg.Pool | pg.PoolClient,
  s: { submissionId: number; provider: string; file: string },
  opts: { contacts: boolean; types?: FileTypeRegistry },
): Promise<string[]> {
  const types = opts.types ?? INBOUND_TYPES;
  const programOf = (name: string): Program | undefined => types.types.find((t) => t.name === name)?.program;
  const [contracts, sheets] = await Promise.all([contractAddresses(db, [s.provider]), submissionSheetLines(db, s.submissionId)]);
  let about: About[] = sheets.flatMap((x) => x.lines.map((lob) => ({ program: programOf(x.layout), lob })));
  if (!about.length) about = typesSuggestedByName(s.file, types.names).map((t) => ({ program: programOf(t), lob: '*' }));
  let to: { contact_email: string | null; liaison_email: string | null }[] = contractsAbout(contracts, about);
  if (!to.length) to = [(await providerAddresses(db, s.provider)) ?? { contact_email: null, liaison_email: null }];
  return [...to.map((c) => c.liaison_email ?? ''), ...(opts.contacts ? to.map((c) => c.contact_email ?? '') : [])];
}

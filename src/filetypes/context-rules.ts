// Rules that need the database: the submitting provider's identity, contracts, members,
// latest MIF/CSASF and outreach history (loaded once, see src/ingest/context.ts). Every row is
// checked against the provider's identity and the contracts of its type's program; then its
// type's own context rules run (each type's folder). Row rules run while the file streams; the
// file-wide ones run at the end from the few keys kept on the way.
import type { IsoDate } from '../../schemas/primitives.js';
import { spellDate } from '../calendar/zone.js';
import type { Config } from '../config.js';
import { NOT_ELIGIBLE_ACTION } from '../validate/catalogue.js';
import { makeIssue, type Issue } from '../validate/issues.js';
import { issueAt } from './common-context.js';
import { OutreachAttempts } from './outreach-attempts.js';
import type { ProviderContext } from './provider-context.js';
import type { ContextRow, ContextRuleSet, EndOfFileQueries, FileFacts, FileTypeRegistry } from './types.js';

type IdentityKey = 'providerNpi' | 'providerTin' | 'mcpId' | 'cin';

/**
 * A row's NPI or TIN that is not the provider's current one: the one the plan replaced within
 * PREVIOUS_IDENTITY_DAYS (`until`, the day it stopped being current) is a warning naming the
 * current one (the file answers a MIF pre-filled before the change); any other is an error. The
 * folder decides whose file it is; this is a guard against another organisation's rows.
 */
function identityIssue(row: ContextRow<IdentityKey>, key: 'providerNpi' | 'providerTin', value: string, current: string, until: IsoDate | undefined,
  previous: 'PROVIDER_NPI_PREVIOUS' | 'PROVIDER_TIN_PREVIOUS', mismatch: 'PROVIDER_NPI_MISMATCH' | 'PROVIDER_TIN_MISMATCH'): Issue {
  const at = issueAt(row, key, { value });
  return until === undefined ? makeIssue(mismatch, at, { expected: current }) : makeIssue(previous, at, { expected: current, date: spellDate(until) });
}

export class ContextRules {
  /** Each type's rules, built at its first row (in the order the file shows the types). */
  private readonly sets = new Map<string, ContextRuleSet>();
  private readonly facts: FileFacts = { outreach: new OutreachAttempts() };

  constructor(
    private readonly registry: FileTypeRegistry,
    private readonly ctx: ProviderContext,
    private readonly config: Config,
    private readonly periodEnd: IsoDate | undefined,
  ) {}

  /** Row-time rules: may reject the row. An unknown type throws (never a row let through unchecked). */
  readonly check = (row: ContextRow): Issue[] => {
    const type = this.registry.get(row.layout.name);
    const out: Issue[] = [];
    const r = row as ContextRow<IdentityKey>;
    const v = r.values;
    const previous = this.ctx.previousIdentities;
    if (typeof v.providerNpi === 'string' && v.providerNpi !== this.ctx.npi)
      out.push(identityIssue(r, 'providerNpi', v.providerNpi, this.ctx.npi, previous.npis.get(v.providerNpi), 'PROVIDER_NPI_PREVIOUS', 'PROVIDER_NPI_MISMATCH'));
    if (typeof v.providerTin === 'string' && v.providerTin !== this.ctx.tin)
      out.push(identityIssue(r, 'providerTin', v.providerTin, this.ctx.tin, previous.tins.get(v.providerTin), 'PROVIDER_TIN_PREVIOUS', 'PROVIDER_TIN_MISMATCH'));
    const program = type.program;
    const lobs = program === 'CS' ? this.ctx.csLobs : this.ctx.ecmLobs;
    const lob = typeof v.mcpId === 'string' ? v.mcpId : undefined;
    if (lob && !lobs.has(lob))
      out.push(makeIssue('LOB_NOT_CONTRACTED', issueAt(r, 'mcpId', { value: lob }), { program, allowed: [...lobs].join(', ') || 'none' }));
    if (!row.cin) return out;
    // a member the plan no longer covers for the file's period: accepted, with what to do (never who)
    const ended = this.ctx.ineligible.get(row.cin);
    if (ended !== undefined) out.push(makeIssue('MEMBER_NOT_ELIGIBLE', issueAt(r, 'cin'), { date: spellDate(ended), action: NOT_ELIGIBLE_ACTION[program] }));
    let set = this.sets.get(type.name);
    if (!set) this.sets.set(type.name, (set = type.contextRules({ ctx: this.ctx, config: this.config, periodEnd: this.periodEnd, facts: this.facts })));
    set.check(row, lob, out);
    return out;
  };

  /** End-of-file warnings for the liaison, type by type; they never change a row's verdict. */
  async finish(db: EndOfFileQueries): Promise<Issue[]> {
    const out: Issue[] = [];
    for (const set of this.sets.values()) if (set.finish) out.push(...(await set.finish(db)));
    return out;
  }
}

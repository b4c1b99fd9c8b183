// Rules that need the database: the submitting provider's identity, contracts, members,
// latest MIF/CSASF and outreach history (loaded once, see src/ingest/context.ts). Every row is
// checked against the provider's identity and the contracts of its type's program; then its
// type's own context rules run (each type's folder). Row rules run while the file streams; the
// file-wide ones run at the end from the few keys kept on the way.
import type { IsoDate } from '../../schemas/primitives.js';
import type { Config } from '../config.js';
import { makeIssue, type Issue } from '../validate/issues.js';
import { issueAt } from './common-context.js';
import type { ProviderContext } from './provider-context.js';
import type { ContextRow, ContextRuleSet, EndOfFileQueries, FileFacts, FileTypeRegistry } from './types.js';

type IdentityKey = 'providerNpi' | 'providerTin' | 'mcpId' | 'cin';

export class ContextRules {
  /** Each type's rules, built at its first row (in the order the file shows the types). */
  private readonly sets = new Map<string, ContextRuleSet>();
  private readonly facts: FileFacts = { outreach: new Map() };

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
    if (typeof v.providerNpi === 'string' && v.providerNpi !== this.ctx.npi)
      out.push(makeIssue('PROVIDER_NPI_MISMATCH', issueAt(r, 'providerNpi', { value: v.providerNpi }), { expected: this.ctx.npi }));
    if (typeof v.providerTin === 'string' && v.providerTin !== this.ctx.tin)
      out.push(makeIssue('PROVIDER_TIN_MISMATCH', issueAt(r, 'providerTin', { value: v.providerTin }), { expected: this.ctx.tin }));
    const program = type.program;
    const lobs = program === 'CS' ? this.ctx.csLobs : this.ctx.ecmLobs;
    const lob = typeof v.mcpId === 'string' ? v.mcpId : undefined;
    if (lob && !lobs.has(lob))
      out.push(makeIssue('LOB_NOT_CONTRACTED', issueAt(r, 'mcpId', { value: lob }), { program, allowed: [...lobs].join(', ') || 'none' }));
    if (!row.cin) return out;
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

// PAST_ENROLLMENT_NOT_REPORTED, pure: the enrolled members of the latest MIF an RTF left out are
// listed by CIN (then line), whatever order the provider context loaded them in. That order is
// the database's (no ORDER BY for 100k members: a hash join's, or a scan's that another scan of
// the table is sharing), so the same file against the same records gave the liaison the same
// warnings in another order.
import { describe, expect, it } from 'vitest';
import { RTF } from '../../schemas/index.js';
import { loadConfig } from '../../src/config.js';
import { ContextRules } from '../../src/filetypes/context-rules.js';
import type { EcmMember, ProviderContext } from '../../src/filetypes/provider-context.js';
import { INBOUND_TYPES } from '../../src/filetypes/registry.js';
import { EcmMembers } from '../../src/ingest/ecm-members.js';
import { BoundRow } from '../../src/validate/scope.js';
import { providerContext } from '../helpers/provider-context.js';

const NPI = '1245678903';
const TIN = '123456789';
const enrolled = (lob: string): EcmMember => ({ lob, status: 3, lastName: 'Last', firstName: 'First', onLatestMif: true, enrolledOnLatestMif: true, lcmName: null, reassigned: false });

/** The provider's members in the order the context loaded them. */
function contextWith(members: [string, string][]): ProviderContext {
  const ecm = new EcmMembers(members.length);
  for (const [cin, lob] of members) ecm.set(cin, enrolled(lob));
  return providerContext({ npi: NPI, tin: TIN, ecmLobs: new Set(['HN', 'CV']), ecm });
}

async function unreported(loaded: [string, string][], reported: [string, string][]): Promise<string[]> {
  const rules = new ContextRules(INBOUND_TYPES, contextWith(loaded), loadConfig({}), '2026-11-30');
  for (const [i, [cin, lob]] of reported.entries())
    rules.check({
      sheet: 'RTF', layout: RTF, rowNumber: i + 2, cin, cells: new BoundRow(new Map(), []), issues: [],
      values: { mcpId: lob, providerNpi: NPI, providerTin: TIN, cin, lastName: 'Last', firstName: 'First', ecmStatus: '3' },
    });
  const issues = await rules.finish({ countingEarlier: async () => new Set<string>() });
  return issues.filter((i) => i.code === 'PAST_ENROLLMENT_NOT_REPORTED').map((i) => `${i.cin}`);
}

describe('PAST_ENROLLMENT_NOT_REPORTED', () => {
  it('lists the members left out by CIN, whatever order they were loaded in', async () => {
    const loaded: [string, string][] = [['91000005E', 'HN'], ['91000003C', 'HN'], ['91000009J', 'HN'], ['91000001A', 'HN'], ['91000007G', 'HN']];
    const expected = ['91000001A', '91000003C', '91000005E', '91000009J'];
    expect(await unreported(loaded, [['91000007G', 'HN']])).toEqual(expected);
    expect(await unreported([...loaded].reverse(), [['91000007G', 'HN']])).toEqual(expected);
  });

  it('a member owed in two lines is listed once per line, the two next to each other', async () => {
    // (owed only in the lines the file reports on: one RTF per MIF it answers)
    const loaded: [string, string][] = [['91000004D', 'CV'], ['91000008H', 'HN'], ['91000004D', 'HN'], ['91000002B', 'HN'], ['91000006F', 'CV']];
    expect(await unreported(loaded, [['91000006F', 'CV'], ['91000008H', 'HN']])).toEqual(['91000002B', '91000004D', '91000004D']);
  });
});

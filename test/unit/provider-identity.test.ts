// The provider identity guard, pure: a row's NPI and TIN against the provider's current ones and
// those the plan replaced within PREVIOUS_IDENTITY_DAYS (a warning), anything else an error. The
// window and the replaced identities are plain values here; test/integration/provider-identity
// loads them from the providers import.
import { describe, expect, it } from 'vitest';
import { CSPRTF, RTF } from '../../schemas/index.js';
import type { Layout } from '../../schemas/layout.js';
import { loadConfig } from '../../src/config.js';
import { ContextRules } from '../../src/filetypes/context-rules.js';
import { previousIdentities, previousIdentitySince, type ReplacedIdentity } from '../../src/filetypes/provider-context.js';
import { INBOUND_TYPES } from '../../src/filetypes/registry.js';
import { BoundRow } from '../../src/validate/scope.js';
import { providerContext } from '../helpers/provider-context.js';

const TZ = 'America/Los_Angeles';
const NPI = '1245678903'; // current
const TIN = '123456789';
const OLD_NPI = '1234567893'; // replaced on 11/20/2026
const OLD_TIN = '999888777'; // replaced on 11/25/2026
const OTHER_NPI = '1558598797'; // never this provider's
const OTHER_TIN = '111222333';

const ctx = providerContext({
  npi: NPI, tin: TIN,
  previousIdentities: { npis: new Map([[OLD_NPI, '2026-11-20']]), tins: new Map([[OLD_TIN, '2026-11-25']]) },
  csLobs: new Set(['HN']),
});

/** A row of `layout` with only the identity and the line of business (no CIN: the member rules do not run). */
const row = (layout: Layout, providerNpi: string, providerTin: string) => ({
  sheet: layout.name, layout, rowNumber: 2, values: { mcpId: 'HN', providerNpi, providerTin }, cells: new BoundRow(new Map(), []), issues: [],
});

describe('the provider identity of a row', () => {
  const rules = new ContextRules(INBOUND_TYPES, ctx, loadConfig({}), undefined);
  const check = (layout: Layout, npi: string, tin: string) => rules.check(row(layout, npi, tin)).map((i) => [i.code, i.severity]);

  it.each([
    ['the current NPI and TIN', NPI, TIN, []],
    ['the replaced NPI', OLD_NPI, TIN, [['PROVIDER_NPI_PREVIOUS', 'warning']]],
    ['the replaced TIN', NPI, OLD_TIN, [['PROVIDER_TIN_PREVIOUS', 'warning']]],
    ['both replaced', OLD_NPI, OLD_TIN, [['PROVIDER_NPI_PREVIOUS', 'warning'], ['PROVIDER_TIN_PREVIOUS', 'warning']]],
    ['another NPI', OTHER_NPI, TIN, [['PROVIDER_NPI_MISMATCH', 'error']]],
    ['another TIN', NPI, OTHER_TIN, [['PROVIDER_TIN_MISMATCH', 'error']]],
    ['another NPI with the replaced TIN', OTHER_NPI, OLD_TIN, [['PROVIDER_NPI_MISMATCH', 'error'], ['PROVIDER_TIN_PREVIOUS', 'warning']]],
    ['the replaced NPI with another TIN', OLD_NPI, OTHER_TIN, [['PROVIDER_NPI_PREVIOUS', 'warning'], ['PROVIDER_TIN_MISMATCH', 'error']]],
    // an NPI and a TIN are not interchangeable: a past TIN in the NPI column is no past NPI
    ['the replaced TIN as NPI', OLD_TIN, TIN, [['PROVIDER_NPI_MISMATCH', 'error']]],
  ] as const)('%s', (_, npi, tin, expected) => {
    expect(check(RTF, npi, tin)).toEqual(expected);
    expect(check(CSPRTF, npi, tin)).toEqual(expected);
  });

  it('the warning says until when the plan had it, what it has now, and that the row is accepted', () => {
    const [npi, tin] = rules.check(row(RTF, OLD_NPI, OLD_TIN));
    expect(npi!.message).toBe(`ECM Provider National Provider Identifier (NPI) (${OLD_NPI}) is the NPI the plan had for your organisation until 11/20/2026; the plan now has ${NPI}. The row is accepted: use ${NPI} from your next file.`);
    expect(tin!.message).toBe(`ECM Provider Tax ID Number (TIN) (${OLD_TIN}) is the TIN the plan had for your organisation until 11/25/2026; the plan now has ${TIN}. The row is accepted: use ${TIN} from your next file.`);
    expect(npi).toMatchObject({ column: 'ECM Provider National Provider Identifier (NPI)', value: OLD_NPI, row: 2 });
  });

  it('with no replaced identity (PREVIOUS_IDENTITY_DAYS=0 loads none) the replaced NPI is an error, as before', () => {
    const strict = new ContextRules(INBOUND_TYPES, { ...ctx, previousIdentities: { npis: new Map(), tins: new Map() } }, loadConfig({}), undefined);
    expect(strict.check(row(RTF, OLD_NPI, TIN)).map((i) => i.code)).toEqual(['PROVIDER_NPI_MISMATCH']);
  });
});

describe('the window of PREVIOUS_IDENTITY_DAYS', () => {
  it.each([
    // received Dec 2, 9 AM Pacific: 62 days back is Oct 1, from its local midnight (daylight time)
    ['2026-12-02T17:00:00Z', 62, '2026-10-01T07:00:00.000Z'],
    // 11:30 PM Pacific on Dec 1 is Dec 1 in the plan, though Dec 2 in UTC
    ['2026-12-02T07:30:00Z', 62, '2026-09-30T07:00:00.000Z'],
    // a day back from a standard-time day into a standard-time day
    ['2026-12-02T17:00:00Z', 1, '2026-12-01T08:00:00.000Z'],
    ['2026-12-02T17:00:00Z', 0, undefined],
  ] as const)('received %s, %i days: replaced from %s on', (receivedAt, days, since) => {
    expect(previousIdentitySince(new Date(receivedAt), days, TZ)?.toISOString()).toBe(since);
  });

  it('the replaced identities by value, without the current ones, each dated by the last time the plan replaced it (plan-local)', () => {
    const replaced: ReplacedIdentity[] = [
      { npi: OLD_NPI, tin: OLD_TIN, replacedAt: new Date('2026-10-05T17:00:00Z') },
      // the NPI back for a while, then replaced again; 10 PM Pacific on Nov 20 is Nov 21 in UTC
      { npi: '1345678902', tin: OLD_TIN, replacedAt: new Date('2026-10-10T17:00:00Z') },
      { npi: OLD_NPI, tin: OLD_TIN, replacedAt: new Date('2026-11-21T06:00:00Z') },
      // the TIN changed last, the NPI kept: the NPI is current, not a replaced one
      { npi: NPI, tin: OLD_TIN, replacedAt: new Date('2026-11-25T17:00:00Z') },
    ];
    const p = previousIdentities(replaced, { npi: NPI, tin: TIN }, TZ);
    expect(Object.fromEntries(p.npis)).toEqual({ [OLD_NPI]: '2026-11-20', '1345678902': '2026-10-10' });
    expect(Object.fromEntries(p.tins)).toEqual({ [OLD_TIN]: '2026-11-25' });
    expect(previousIdentities([], { npi: NPI, tin: TIN }, TZ)).toEqual({ npis: new Map(), tins: new Map() });
  });
});

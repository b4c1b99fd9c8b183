// The members extract's optional PCP columns (schemas/upstream.ts): pcp_name, text trimmed and
// at most 100 characters; pcp_npi, an NPI checked as a provider's is (10 digits, starting 1 or 2,
// with its check digit). Blank or absent (an extract without the column) is none. A bad value is
// the row's reason, which names the column and never the value.
import { describe, expect, it } from 'vitest';
import { UPSTREAM } from '../../schemas/upstream.js';

const ROW = { cin: '91000001A', mcp_member_id: 'M1', last_name: 'Alpha', first_name: 'Ann', dob: '1980-02-14', gender: 'F', language: '', address: '', city: '', state: '', zip: '', phone: '', county: '', homeless: '' };
const parse = (extra: Record<string, string>) => UPSTREAM.members.schema.safeParse({ ...ROW, ...extra });
const value = (extra: Record<string, string>, column: string) => (parse(extra).data as Record<string, unknown> | undefined)?.[column];
const reasons = (extra: Record<string, string>) => parse(extra).error?.issues.map((i) => `${i.path.join('.')} ${i.message}`);

describe('members extract pcp_name and pcp_npi', () => {
  it('are optional columns of the members extract, after eligibility_end, not required ones', () => {
    expect(UPSTREAM.members.optionalColumns).toEqual(['eligibility_end', 'pcp_name', 'pcp_npi']);
    expect(UPSTREAM.members.columns).not.toContain('pcp_name');
    expect(UPSTREAM.members.columns).not.toContain('pcp_npi');
  });

  it.each([
    [' Rosa Diaz MD ', 'Rosa Diaz MD'],
    ['N'.repeat(100), 'N'.repeat(100)],
    ['', undefined],
    ['   ', undefined],
  ])('pcp_name %j → %j', (raw, want) => {
    expect(parse({ pcp_name: raw }).success).toBe(true);
    expect(value({ pcp_name: raw }, 'pcp_name')).toBe(want);
  });

  it.each([
    ['1234567893', '1234567893'],
    [' 1000000004 ', '1000000004'],
    ['', undefined],
  ])('pcp_npi %j → %j', (raw, want) => {
    expect(parse({ pcp_npi: raw }).success).toBe(true);
    expect(value({ pcp_npi: raw }, 'pcp_npi')).toBe(want);
  });

  it('absent columns are none', () => {
    expect(value({}, 'pcp_name')).toBeUndefined();
    expect(value({}, 'pcp_npi')).toBeUndefined();
  });

  it.each([
    [{ pcp_name: 'N'.repeat(101) }, 'pcp_name is longer than 100 characters'],
    [{ pcp_name: 'Dr\u0007 Who' }, 'pcp_name contains control characters: retype the value'],
    [{ pcp_npi: '1234567890' }, 'pcp_npi the NPI check digit is wrong: check for a typo'],
    [{ pcp_npi: '123456789' }, 'pcp_npi an NPI is exactly 10 digits'],
    [{ pcp_npi: '3234567893' }, 'pcp_npi an NPI starts with 1 or 2'],
    [{ pcp_npi: 'Dr. Rosa Diaz' }, 'pcp_npi an NPI is exactly 10 digits'],
  ])('%j is rejected: %s', (extra, reason) => {
    expect(reasons(extra)).toEqual([reason]);
  });
});

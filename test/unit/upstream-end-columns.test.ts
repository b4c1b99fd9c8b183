// The extracts' optional end columns (schemas/upstream.ts): the providers extract's contract_end
// (the last day a contract is in force) and the members extract's eligibility_end (the member's
// last eligible day with the plan), each as YYYY-MM-DD or MM/DD/YYYY like the other extracts'
// dates; blank or absent (an extract without the column) is no end. A value that is not a date
// is the row's reason.
import { describe, expect, it } from 'vitest';
import { UPSTREAM } from '../../schemas/upstream.js';

const CASES = [
  {
    kind: 'providers' as const,
    column: 'contract_end',
    row: { provider_code: 'acme', npi: '1234567893', tin: '123456789', name: 'Acme', lob: 'HN', program: 'ECM', phone: '', contact_email: '', liaison_email: '' },
  },
  {
    kind: 'members' as const,
    column: 'eligibility_end',
    row: { cin: '91000001A', mcp_member_id: 'M1', last_name: 'Alpha', first_name: 'Ann', dob: '1980-02-14', gender: 'F', language: '', address: '', city: '', state: '', zip: '', phone: '', county: '', homeless: '' },
  },
];

describe.each(CASES)('$kind $column', ({ kind, column, row }) => {
  const parse = (extra: Record<string, string>) => UPSTREAM[kind].schema.safeParse({ ...row, ...extra });

  it(`is an optional column of the ${kind} extract`, () => {
    expect(UPSTREAM[kind].optionalColumns).toContain(column);
    expect(UPSTREAM[kind].columns).not.toContain(column);
  });

  it.each([
    ['2026-11-30', '2026-11-30'],
    ['11/30/2026', '2026-11-30'],
    [' 2/28/2027 ', '2027-02-28'],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %s', (value, want) => {
    const r = parse(value === undefined ? {} : { [column]: value });
    expect(r.success).toBe(true);
    expect((r.data as Record<string, unknown> | undefined)?.[column]).toBe(want);
  });

  it.each([
    ['2026-02-30', 'not a real calendar date'],
    ['13/01/2026', 'not a real calendar date'],
    ['next month', 'expected a date as MM/DD/YYYY or YYYY-MM-DD'],
    ['2026-11', 'expected a date as MM/DD/YYYY or YYYY-MM-DD'],
  ])('%s is rejected: %s', (value, reason) => {
    const r = parse({ [column]: value });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => `${i.path.join('.')} ${i.message}`)).toEqual([`${column} ${reason}`]);
  });
});

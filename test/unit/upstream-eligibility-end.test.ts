// The members extract's optional eligibility_end (schemas/upstream.ts): the member's last
// eligible day with the plan, as YYYY-MM-DD or MM/DD/YYYY like the other extracts' dates; blank
// or absent (an extract without the column) is no end. A value that is not a date is the row's reason.
import { describe, expect, it } from 'vitest';
import { UPSTREAM } from '../../schemas/upstream.js';

const ROW = { cin: '91000001A', mcp_member_id: 'M1', last_name: 'Alpha', first_name: 'Ann', dob: '1980-02-14', gender: 'F', language: '', address: '', city: '', state: '', zip: '', phone: '', county: '', homeless: '' };
const parse = (extra: Record<string, string>) => UPSTREAM.members.schema.safeParse({ ...ROW, ...extra });

describe('members eligibility_end', () => {
  it('is an optional column of the members extract', () => {
    expect(UPSTREAM.members.optionalColumns).toEqual(['eligibility_end']);
    expect(UPSTREAM.members.columns).not.toContain('eligibility_end');
  });

  it.each([
    [{ eligibility_end: '2026-11-30' }, '2026-11-30'],
    [{ eligibility_end: '11/30/2026' }, '2026-11-30'],
    [{ eligibility_end: ' 2/28/2027 ' }, '2027-02-28'],
    [{ eligibility_end: '' }, undefined],
    [{}, undefined],
  ])('%j → %s', (extra, want) => {
    const r = parse(extra);
    expect(r.success).toBe(true);
    expect(r.data?.eligibility_end).toBe(want);
  });

  it.each([
    ['2026-02-30', 'eligibility_end not a real calendar date'],
    ['13/01/2026', 'eligibility_end not a real calendar date'],
    ['end of month', 'eligibility_end expected a date as MM/DD/YYYY or YYYY-MM-DD'],
    ['2026-11', 'eligibility_end expected a date as MM/DD/YYYY or YYYY-MM-DD'],
  ])('%s is rejected: %s', (value, reason) => {
    const r = parse({ eligibility_end: value });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => `${i.path.join('.')} ${i.message}`)).toEqual([reason]);
  });
});

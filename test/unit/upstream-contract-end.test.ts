// The providers extract's optional contract_end (schemas/upstream.ts): the last day a contract is
// in force, as YYYY-MM-DD or MM/DD/YYYY like the other extracts' dates; blank or absent (an
// extract without the column) is no end. A value that is not a date is the row's reason.
import { describe, expect, it } from 'vitest';
import { UPSTREAM } from '../../schemas/upstream.js';

const ROW = { provider_code: 'acme', npi: '1234567893', tin: '123456789', name: 'Acme', lob: 'HN', program: 'ECM', phone: '', contact_email: '', liaison_email: '' };
const parse = (extra: Record<string, string>) => UPSTREAM.providers.schema.safeParse({ ...ROW, ...extra });

describe('providers contract_end', () => {
  it('is an optional column of the providers extract only', () => {
    expect(UPSTREAM.providers.optionalColumns).toEqual(['contract_end']);
    expect(UPSTREAM.providers.columns).not.toContain('contract_end');
  });

  it.each([
    [{ contract_end: '2026-11-30' }, '2026-11-30'],
    [{ contract_end: '11/30/2026' }, '2026-11-30'],
    [{ contract_end: ' 2/28/2027 ' }, '2027-02-28'],
    [{ contract_end: '' }, undefined],
    [{}, undefined],
  ])('%j → %s', (extra, want) => {
    const r = parse(extra);
    expect(r.success).toBe(true);
    expect(r.data?.contract_end).toBe(want);
  });

  it.each([
    ['2026-02-30', 'contract_end not a real calendar date'],
    ['13/01/2026', 'contract_end not a real calendar date'],
    ['next month', 'contract_end expected a date as MM/DD/YYYY or YYYY-MM-DD'],
    ['2026-11', 'contract_end expected a date as MM/DD/YYYY or YYYY-MM-DD'],
  ])('%s is rejected: %s', (value, reason) => {
    const r = parse({ contract_end: value });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => `${i.path.join('.')} ${i.message}`)).toEqual([reason]);
  });
});

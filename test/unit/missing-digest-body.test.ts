// The liaison digest's email body and its attachment list the same providers with the same
// "missing" column: a provider listed only because one line of business sent nothing (RTF
// accepted for Health Net, none for CalViva) names that line in the body too, never "-".
import { describe, expect, it } from 'vitest';
import { digestSheets, digestTableLine, missingText, type MissingRow } from '../../src/reports/missing.js';
import { DIGEST_ROWS } from '../fixtures/digest-rows.js';

const row = (over: Partial<MissingRow>): MissingRow => ({
  providerCode: 'ACME', providerName: 'Acme Community Health', program: 'ECM', liaisonEmails: [], missing: [], missingLines: [],
  declined: {}, rejected: {}, files: [], ...over,
});

describe('missing-submission digest body', () => {
  it.each([
    ['a whole type missing', row({ missing: ['RTF', 'OTF'] }), 'RTF, OTF'],
    ['only a line missing', row({ missingLines: [{ type: 'RTF', lob: 'CV' }, { type: 'OTF', lob: 'CV' }] }), 'RTF (CV), OTF (CV)'],
    ['both', row({ missing: ['OTF'], missingLines: [{ type: 'RTF', lob: 'CV' }] }), 'OTF, RTF (CV)'],
    ['nothing missing (a refused file only)', row({ rejected: { RTF: 1 } }), '-'],
  ])('%s: the body says what the sheet says', (_what, r, said) => {
    const line = digestTableLine(r);
    expect(line.split(/\s{2,}|\s(?=\d)/).map((x) => x.trim())).toContain(said);
    const rows = digestSheets([r], '2026-12-11', { ON_TIME_LAST_DAY: 5, RESUBMISSION_LAST_DAY: 10, CSPRTF_ON_TIME_LAST_DAY: 10, LATE_FIRST_SUBMISSION: 'accept' } as never)[0]!.rows;
    const sheetCell = (rows as readonly (readonly unknown[])[])[0]![3];
    expect(sheetCell || '-').toBe(said);
    expect(missingText(r) || '-').toBe(said);
  });

  it('every fixture row: the body line carries the sheet\'s missing column', () => {
    for (const r of DIGEST_ROWS) expect(digestTableLine(r)).toContain(missingText(r));
  });
});

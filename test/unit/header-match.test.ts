import { describe, expect, it } from 'vitest';
import { CSASF, CSPRTF, INBOUND_LAYOUTS, MIF, OTF, RTF, matchHeader, normaliseLabel } from '../../schemas/index.js';
import type { Layout } from '../../schemas/layout.js';

const labels = (l: Layout) => l.columns.map((c) => c.label);

describe('normaliseLabel', () => {
  it('ignores case, spaces and punctuation', () => {
    expect(normaliseLabel(' ECM Provider National Provider Identifier (NPI) ')).toBe('ecmprovidernationalprovideridentifiernpi');
    expect(normaliseLabel('Telephonic/Video')).toBe(normaliseLabel('telephonic video'));
    expect(normaliseLabel('In-Person')).toBe(normaliseLabel('IN PERSON'));
    expect(normaliseLabel('Member_CIN')).toBe('membercin');
  });
});

describe('matchHeader', () => {
  it.each([['RTF', RTF], ['OTF', OTF], ['CSPRTF', CSPRTF]] as const)('recognises the canonical %s header', (_, layout) => {
    const m = matchHeader(labels(layout))!;
    expect(m.layout).toBe(layout);
    expect(m.columns.map((c) => c?.key)).toEqual(layout.columns.map((c) => c.key));
    expect(m.score).toBe(1);
  });

  it('matches through aliases, case and punctuation', () => {
    const header = labels(OTF).map((l) =>
      l === 'ECM Provider National Provider Identifier (NPI)' ? 'ECM Provider NPI'
        : l === 'Member Client Index Number (CIN)' ? 'cin'
          : l === 'Time Spent Performing Outreach' ? 'Time Spent Performing Outreach (Minutes)'
            : l.toUpperCase().replace(/ /g, '_'));
    const m = matchHeader(header)!;
    expect(m.layout).toBe(OTF);
    expect(m.missingRequired).toEqual([]);
    expect(m.columns[3]?.key).toBe('providerNpi');
    expect(m.columns[6]?.key).toBe('cin');
    expect(m.columns[11]?.key).toBe('minutes');
  });

  it.each([['Member CIN'], ['CIN'], ['Client Index Number']])('%s is the CIN column', (alias) => {
    const m = matchHeader(labels(RTF).map((l) => (l === 'Member Client Index Number (CIN)' ? alias : l)))!;
    expect(m.columns[2]?.key).toBe('cin');
  });

  it('accepts columns in any order', () => {
    const reversed = [...labels(CSPRTF)].reverse();
    const m = matchHeader(reversed)!;
    expect(m.layout).toBe(CSPRTF);
    expect(m.columns[0]?.key).toBe('referralClosureReason');
    expect(m.columns[reversed.length - 1]?.key).toBe('mcpId');
  });

  it('reports extra columns as unknown and repeated ones as duplicates, and skips blank cells', () => {
    const m = matchHeader([...labels(RTF), null, 'Notes', '', 'Member ECM Status', 42])!;
    expect(m.layout).toBe(RTF);
    expect(m.unknown).toEqual([{ index: 42, label: 'Notes' }, { index: 45, label: '42' }]);
    expect(m.duplicates.map((d) => [d.index, d.column.key])).toEqual([[44, 'ecmStatus']]);
    expect(m.columns[41]).toBeNull();
  });

  it('returns a match with the missing Req columns when enough are present', () => {
    const m = matchHeader(labels(RTF).filter((l) => l !== 'In Person' && l !== 'Member Last Name'))!;
    expect(m.layout).toBe(RTF);
    expect(m.missingRequired.map((c) => c.key)).toEqual(['lastName', 'inPerson']);
  });

  it('does not match a row carrying too few of a layout\'s Req columns', () => {
    const req = RTF.columns.filter((c) => c.req === 'req').map((c) => c.label);
    expect(matchHeader(req.slice(0, Math.floor(req.length * 0.5)))).toBeNull();
    expect(matchHeader(req.slice(0, Math.ceil(req.length * 0.6)))?.layout).toBe(RTF);
  });

  it('does not mistake data, instructions or blank rows for a header', () => {
    expect(matchHeader(['HN', 'Health Net', '91234567A', 'Doe', 'Jane', { date: '2026-09-01' }, 2, 3])).toBeNull();
    expect(matchHeader(['Instructions: fill one row per member', null])).toBeNull();
    expect(matchHeader([])).toBeNull();
  });

  it('a returned MIF sheet is the MIF (not an RTF missing columns) and is not an inbound layout', () => {
    expect(matchHeader(labels(MIF))).toBeNull();
    expect(matchHeader(labels(MIF), [...INBOUND_LAYOUTS, MIF])?.layout).toBe(MIF);
    expect(matchHeader(labels(CSASF))).toBeNull();
  });

  it('the MIF workbook\'s RTF tab matches RTF', () => {
    // the pre-filled RTF sheet of a MIF: the RTF layout itself, as the generator writes it
    expect(matchHeader(labels(RTF))?.layout).toBe(RTF);
  });

  it('OTF and CSPRTF are told apart although they share columns', () => {
    expect(matchHeader(labels(OTF))?.layout).toBe(OTF);
    expect(matchHeader(labels(CSPRTF))?.layout).toBe(CSPRTF);
  });

  it('restricting the layouts (--type) ignores the others', () => {
    expect(matchHeader(labels(RTF), [OTF])).toBeNull();
    expect(matchHeader(labels(OTF), [OTF])?.layout).toBe(OTF);
  });
});

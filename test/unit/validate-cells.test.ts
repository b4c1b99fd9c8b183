import { describe, expect, it } from 'vitest';
import { cellDate, cellNumber, cellPeriod, cellText, isBlankRow } from '../../src/validate/cells.js';
import { parseCell } from '../../src/validate/types.js';
import { CSPRTF, OTF, RTF } from '../../schemas/index.js';
import type { ColumnDef } from '../../schemas/layout.js';
import { loadConfig } from '../../src/config.js';
import { config, run } from './validate-helpers.js';

const colOf = (layout: { columns: readonly ColumnDef[] }, key: string) => layout.columns.find((c) => c.key === key)!;

describe('dates arrive as date cells, Excel serials or text', () => {
  it.each([
    [{ date: '2026-09-03' }, '2026-09-03'],
    [46268, '2026-09-03'],
    [46268.75, '2026-09-03'],
    ['46268', '2026-09-03'],
    ['09/03/2026', '2026-09-03'],
    ['9/3/2026', '2026-09-03'],
    ['2026-09-03', '2026-09-03'],
    [' 2026-09-03T00:00:00Z ', '2026-09-03'],
  ])('%j → %s', (cell, iso) => {
    expect(cellDate(cell)).toEqual({ ok: true, value: iso });
  });
  it.each([[60], ['02/30/2026'], ['13/01/2026'], [{ date: '2026-02-30' }], [true], ['yesterday']])('%j is not a date', (cell) => {
    expect(cellDate(cell).ok).toBe(false);
  });
});

describe('periods', () => {
  it.each([
    ['09/2026', '2026-09'], ['9/2026', '2026-09'], ['2026-09', '2026-09'], ['09/01/2026-09/30/2026', '2026-09'],
    ['9/1/2026 - 9/30/2026', '2026-09'], ['02/01/2028-02/29/2028', '2028-02'], [{ date: '2026-09-01' }, '2026-09'], [46266, '2026-09'],
  ])('%j → %s', (cell, p) => {
    expect(cellPeriod(cell)).toEqual({ ok: true, value: p });
  });
  it.each([['2026/09'], ['13/2026'], ['09/01/2026-10/31/2026'], ['09/02/2026-09/30/2026'], ['09/01/2026-09/29/2026'], [{ date: '2026-09-15' }], ['Sept 2026']])(
    '%j is not a period', (cell) => {
      expect(cellPeriod(cell).ok).toBe(false);
    },
  );
});

describe('numbers and text', () => {
  it('numbers may arrive as text', () => {
    expect(cellNumber(' 1,234 ')).toBe(1234);
    expect(cellNumber('12.5')).toBe(12.5);
    expect(cellNumber('12a')).toBeNull();
    expect(run('RTF', { inPerson: '4', telephonic: '0' }).values).toMatchObject({ inPerson: 4, telephonic: 0 });
  });
  it('a comma only groups thousands: a decimal comma ("1,5", half of two minutes or one and a half?) is no number, never 15', () => {
    for (const [text, n] of [['1,500', 1500], ['12,345,678.5', 12345678.5], ['-1,000', -1000], ['999', 999]] as const) expect(cellNumber(text), text).toBe(n);
    for (const text of ['1,5', '12,5', '1,50', '1,5000', ',500', '1,,500', '1,500,00', '1.500,5']) expect(cellNumber(text), text).toBeNull();
    expect(run('OTF', { minutes: '1,5' }).issues.map((i) => i.code)).toContain('MINUTES_FORMAT');
  });
  it('text of each cell kind', () => {
    expect(cellText(null)).toBe('');
    expect(cellText('  a ')).toBe('a');
    expect(cellText(12)).toBe('12');
    expect(cellText({ date: '2026-01-02' })).toBe('2026-01-02');
    expect(cellText({ error: '#REF!' })).toBe('#REF!');
    expect(isBlankRow([null, ' ', ''])).toBe(true);
    expect(isBlankRow([null, 0])).toBe(false);
  });
  it('identifiers stored as numbers keep their digits (leading zeros restored for TIN and ZIP)', () => {
    expect(parseCell(colOf(OTF, 'providerTin'), 12345678, config)).toEqual({ kind: 'ok', value: '012345678' });
    expect(parseCell(colOf(RTF, 'zip'), 1234, config)).toEqual({ kind: 'ok', value: '01234' });
    expect(parseCell(colOf(RTF, 'providerNpi'), 1234567893, config)).toEqual({ kind: 'ok', value: '1234567893' });
    expect(parseCell(colOf(RTF, 'lcmPhone'), 5595550123, config)).toEqual({ kind: 'ok', value: '5595550123' });
  });
  it('counts and minutes past what a period or an attempt can hold are row errors, never a value the database refuses', () => {
    expect(parseCell(colOf(RTF, 'inPerson'), 999, config)).toEqual({ kind: 'ok', value: 999 });
    expect(parseCell(colOf(RTF, 'inPerson'), 1000, config)).toEqual({ kind: 'bad', problem: { code: 'INT_TOO_LARGE', params: { max: 999 } } });
    expect(parseCell(colOf(RTF, 'telephonic'), '5000000000', config)).toEqual({ kind: 'bad', problem: { code: 'INT_TOO_LARGE', params: { max: 999 } } });
    expect(parseCell(colOf(OTF, 'minutes'), 1440, config)).toEqual({ kind: 'ok', value: 1440 });
    expect(parseCell(colOf(OTF, 'minutes'), 3_000_000_000, config)).toEqual({ kind: 'bad', problem: { code: 'INT_TOO_LARGE', params: { max: 1440 } } });
    // rounded up past the limit is past it too
    expect(parseCell(colOf(OTF, 'minutes'), 1440.5, config)).toEqual({ kind: 'bad', problem: { code: 'INT_TOO_LARGE', params: { max: 1440 } } });
  });
  it('a text limit counts characters as people count them: a character outside the BMP (an emoji, a rare CJK name) is one, not two', () => {
    const astral = '\u{1D538}'; // one character, two UTF-16 units
    expect(parseCell(colOf(RTF, 'lastName'), 'a'.repeat(59) + astral, config)).toEqual({ kind: 'ok', value: 'a'.repeat(59) + astral });
    expect(parseCell(colOf(RTF, 'lastName'), astral.repeat(60), config)).toEqual({ kind: 'ok', value: astral.repeat(60) });
    expect(parseCell(colOf(RTF, 'lastName'), astral.repeat(61), config)).toEqual({ kind: 'bad', problem: { code: 'TEXT_TOO_LONG', params: { max: 60 } } });
    expect(parseCell(colOf(RTF, 'lastName'), 'a'.repeat(61), config)).toEqual({ kind: 'bad', problem: { code: 'TEXT_TOO_LONG', params: { max: 60 } } });
  });
});

describe('normalised values', () => {
  it.each([
    [RTF, 'cin', ' 91234567a ', '91234567A'],
    [RTF, 'providerTin', '12-3456789', '123456789'],
    [RTF, 'lcmPhone', '(559) 555-0123', '5595550123'],
    [RTF, 'state', 'ca', 'CA'],
    [RTF, 'zip', '937011234', '93701-1234'],
    [RTF, 'homeless', 'yes', true],
    [RTF, 'homeless', 0, false],
    [RTF, 'homeless', false, false],
    [RTF, 'acuity', 'high', 'High'],
    [RTF, 'ecmStatus', 3, '3'],
    [RTF, 'ecmStatus', '3 - Enrolled', '3'],
    [RTF, 'ecmStatus', 'Enrolled', '3'],
    [RTF, 'pof', '1A; 3 ;1a', ['1a', '3']],
    [RTF, 'discontinuationReasonCode', 'ue', 'UE'],
    [CSPRTF, 'serviceCode', 'htss', 'HTSS'],
    [CSPRTF, 'housed', 1, '1'],
    [RTF, 'mcpId', 'chpiv', 'CHPIV'],
    [RTF, 'lcmEmail', 'pat@acme.org', 'pat@acme.org'],
  ] as const)('%s.%s %j → %j', (layout, key, cell, value) => {
    expect(parseCell(colOf(layout, key), cell, config)).toEqual({ kind: 'ok', value });
  });

  // A code written with its meaning ("3 - Enrolled" already matched) where the meaning carries a
  // parenthetical: a drop-down's "2 - Telephonic/Electronic", the words the meaning lists, alone or
  // after the code (mail is method 2, spec §4.9), "RC - Recuperative Care", "OTH - Other".
  it.each([
    ['OTF', 'method', '2 - Telephonic/Electronic', '2'],
    ['OTF', 'method', 'Telephonic/Electronic', '2'],
    ['OTF', 'method', 'Mail', '2'],
    ['OTF', 'method', '2 - Mail', '2'],
    ['OTF', 'method', 'email', '2'],
    ['OTF', 'method', '1 - In-Person', '1'],
    ['CSPRTF', 'serviceCode', 'RC - Recuperative Care', 'RC'],
    ['CSPRTF', 'serviceCode', 'Medical Respite', 'RC'],
    ['RTF', 'discontinuationReasonCode', 'OTH - Other', 'OTH'],
  ] as const)('a code with its meaning short of the parenthetical: %s.%s %j → %j', (layout, key, cell, value) => {
    expect(parseCell(colOf({ OTF, CSPRTF, RTF }[layout], key), cell, config)).toEqual({ kind: 'ok', value });
  });

  // A meaning made of alternatives split by `/` ("Telephonic/Electronic", "Declined / Discontinued"):
  // each alternative names the code when no other code of the set claims it. They were CODE_UNKNOWN.
  it.each([
    ['OTF', 'method', 'Telephonic', '2'],
    ['OTF', 'method', 'electronic', '2'],
    ['OTF', 'method', '2 - Telephonic', '2'],
    ['OTF', 'method', '\u201CElectronic\u201D', '2'],
    ['RTF', 'ecmStatus', 'Declined', '4'],
    ['RTF', 'ecmStatus', 'discontinued', '4'],
    ['RTF', 'discontinuationReasonCode', 'Well managed', 'WM'],
    ['RTF', 'discontinuationReasonCode', 'No longer needed', 'WM'],
    ['CSPRTF', 'serviceCode', 'Community Transition Services', 'CTS'],
    ['CSPRTF', 'serviceCode', 'Nursing Facility Transition to a Home', 'CTS'],
    ['CSPRTF', 'serviceCode', 'Medically Tailored Meals', 'MTM'],
    ['CSPRTF', 'serviceCode', 'Medically supportive food', 'MTM'],
    // the CSPRTF's own method codes are separate: Telephonic is 2 and Electronic 3 there, as before
    ['CSPRTF', 'outreachMethod', 'Telephonic', '2'],
    ['CSPRTF', 'outreachMethod', 'Electronic', '3'],
  ] as const)('one alternative of a meaning split by /: %s.%s %j → %j', (layout, key, cell, value) => {
    expect(parseCell(colOf({ OTF, CSPRTF, RTF }[layout], key), cell, config)).toEqual({ kind: 'ok', value });
  });

  // A `/` inside a phrase joins words, not alternatives of the meaning: no piece of it is a code.
  it.each([
    ['RTF', 'pof', 'youth'],
    ['RTF', 'pof', 'Children'],
    ['RTF', 'pof', 'Homeless adults without dependent children'],
    ['RTF', 'pof', 'Serious mental health and'],
    ['RTF', 'pof', 'or SUD needs'],
    ['CSPRTF', 'serviceCode', 'Nursing Facility Transition'],
    ['CSPRTF', 'serviceCode', 'Diversion to Assisted Living Facilities'],
  ] as const)('a piece of a phrase with a / in it is no code: %s.%s %j', (layout, key, cell) => {
    expect(parseCell(colOf({ OTF, CSPRTF, RTF }[layout], key), cell, config)).toMatchObject({ kind: 'bad', problem: { code: 'CODE_UNKNOWN' } });
  });

  it('an alternative two codes share names neither; a code\'s whole meaning outranks another\'s alternative', () => {
    const custom = loadConfig({ REFERRAL_STATUS_VALUES: 'Declined/Refused,Refused/Withdrawn,Declined,Pending' });
    const status = colOf(RTF, 'referralStatus');
    expect(parseCell(status, 'Refused', custom)).toMatchObject({ kind: 'bad', problem: { code: 'CODE_UNKNOWN' } });
    expect(parseCell(status, 'Withdrawn', custom)).toEqual({ kind: 'ok', value: 'Refused/Withdrawn' });
    expect(parseCell(status, 'declined.', custom)).toEqual({ kind: 'ok', value: 'Declined' });
    expect(parseCell(status, 'Declined / Refused', custom)).toEqual({ kind: 'ok', value: 'Declined/Refused' });
  });

  // A code or Y/N value wholly wrapped in one pair of quote marks, straight or typographic, as
  // pasted from Word or an email: read without them. They were YN_FORMAT and CODE_UNKNOWN.
  it.each([
    ['RTF', 'newAddress', '\u201CY\u201D', true],
    ['RTF', 'newAddress', '\u2018N\u2019', false],
    ['RTF', 'pofIndicator', '"Y"', true],
    ['OTF', 'successful', "'n'", false],
    ['OTF', 'successful', '\u201C Yes \u201D', true],
    ['RTF', 'ecmStatus', '"3"', '3'],
    ['RTF', 'ecmStatus', '\u201C3\u201D', '3'],
    ['RTF', 'ecmStatus', '\u20183\u2019', '3'],
    ['OTF', 'method', "'2'", '2'],
    ['CSPRTF', 'serviceCode', '\u201CHTN\u201D', 'HTN'],
    ['CSPRTF', 'serviceCode', '"htss"', 'HTSS'],
    ['CSPRTF', 'housed', '\u201CY\u201D', '1'],
    ['CSPRTF', 'housed', "'0'", '0'],
    ['RTF', 'mcpId', '"HN"', 'HN'],
    ['RTF', 'pof', '\u201C1a\u201D; "3"', ['1a', '3']],
  ] as const)('a value wrapped in one pair of quotes: %s.%s %j → %j', (layout, key, cell, value) => {
    expect(parseCell(colOf({ OTF, CSPRTF, RTF }[layout], key), cell, config)).toEqual({ kind: 'ok', value });
  });

  it.each([
    ['RTF', 'newAddress', '\u201CY"', 'YN_FORMAT'], // quote marks that are no pair
    ['RTF', 'newAddress', '""Y""', 'YN_FORMAT'], // two pairs
    ['RTF', 'newAddress', '\u201C\u201D', 'YN_FORMAT'],
    ['RTF', 'newAddress', '"Y', 'YN_FORMAT'],
    ['RTF', 'ecmStatus', '\u201D3\u201C', 'CODE_UNKNOWN'],
    ['RTF', 'ecmStatus', '"9"', 'CODE_UNKNOWN'], // unquoted, still no code
    ['RTF', 'cin', '"91234567A"', 'CIN_FORMAT'], // never an identifier, a name or free text
  ] as const)('not read without its quotes: %s.%s %j → %s', (layout, key, cell, code) => {
    expect(parseCell(colOf({ OTF, CSPRTF, RTF }[layout], key), cell, config)).toMatchObject({ kind: 'bad', problem: { code } });
  });

  it('free text keeps its quote marks: a name or a reason is what was typed', () => {
    expect(parseCell(colOf(RTF, 'lastName'), '\u201CDoe\u201D', config)).toEqual({ kind: 'ok', value: '\u201CDoe\u201D' });
    expect(parseCell(colOf(RTF, 'discontinuationReason'), '"moved"', config)).toEqual({ kind: 'ok', value: '"moved"' });
  });

  it('a row with quoted codes and Y/N values is accepted without a warning (as "3 - Enrolled" is)', () => {
    const r = run('RTF', { newAddress: '\u201CN\u201D', pofIndicator: '\u2018Y\u2019', ecmStatus: '"3"' });
    expect(r.issues).toEqual([]);
  });

  it('codes without caseInsensitive still match exactly', () => {
    expect(parseCell(colOf(OTF, 'providerType'), '1', config)).toEqual({ kind: 'ok', value: '1' });
  });
});

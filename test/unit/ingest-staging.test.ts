import { describe, expect, it } from 'vitest';
import { RTF } from '../../schemas/index.js';
import { stagedColumns, stagedKeys } from '../../src/repositories/staged-columns.js';
import { copyField } from '../../src/db/copy.js';
import { stagingLine } from '../../src/ingest/pipeline.js';

/** A COPY text-format line back into its fields (what Postgres does with it). */
function decode(line: string): (string | null)[] {
  return line.split('\t').map((f) => (f === '\\N' ? null : f.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r' })[c] ?? c)));
}

describe('stagingLine', () => {
  it('is one COPY line per row, its values a JSON array in the sheet column order: text escaped, lists and flags kept, blanks null', () => {
    const keys = ['cin', 'lastName', 'ecmStatus', 'homeless', 'pof', 'acuity', 'serviceCode', 'bad'];
    const line = stagingLine(7, keys, {
      rowNumber: 12, cin: '91000001A', accepted: true,
      values: { cin: '91000001A', lastName: 'O"Brien \\ "\n\t\r\u2028', ecmStatus: 3, homeless: false, pof: ['A', 'B'], serviceCode: 'H\tTN', bad: Number.NaN },
    });
    expect(line).not.toMatch(/[\n\r]/);
    const [sheet, row, cin, service, accepted, data, ...rest] = decode(line);
    expect(rest).toEqual([]);
    expect({ sheet, row, cin, service, accepted }).toEqual({ sheet: '7', row: '12', cin: '91000001A', service: 'H\tTN', accepted: 't' });
    expect(JSON.parse(data!)).toEqual(['91000001A', 'O"Brien \\ "\n\t\r\u2028', 3, false, ['A', 'B'], null, 'H\tTN', null]);
  });

  it('a rejected row without a valid CIN', () => {
    expect(decode(stagingLine(1, ['cin'], { rowNumber: 3, accepted: false, values: {} }))).toEqual(['1', '3', null, null, 'f', '[null]']);
  });

  it('copyField escapes what COPY text format reads specially, and only that', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField('\\N')).toBe('\\\\N');
    expect(copyField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyField('José "x" 😀')).toBe('José "x" 😀');
  });

  it('the apply statements address a staged value by its position in the layout, checked against the declaration', () => {
    const col = stagedColumns(RTF, 'src.d');
    expect(col.text('ecmStatus')).toBe(`(src.d->>${stagedKeys(RTF).indexOf('ecmStatus')})`);
    // a key the layout does not declare does not compile (typed column keys), and throws if forced
    // @ts-expect-error 'noSuchColumn' is not a column key of the RTF
    expect(() => col.text('noSuchColumn')).toThrow(/RTF has no column noSuchColumn/);
  });
});

import { describe, expect, it } from 'vitest';
import { RTF } from '../../schemas/index.js';
import { stagedColumns, stagedKeys } from '../../src/filetypes/staged.js';
import { stagingJson } from '../../src/ingest/pipeline.js';

describe('stagingJson', () => {
  it('is one JSON object per row, its values in the sheet column order: text escaped, lists and flags kept, blanks null', () => {
    const keys = ['cin', 'lastName', 'ecmStatus', 'homeless', 'pof', 'acuity', 'serviceCode', 'bad'];
    const text = stagingJson(7, keys, {
      rowNumber: 12, cin: '91000001A', accepted: true,
      values: { cin: '91000001A', lastName: 'O"Brien \\ "\n\u2028', ecmStatus: 3, homeless: false, pof: ['A', 'B'], serviceCode: 'HTN', bad: Number.NaN },
    });
    expect(JSON.parse(text)).toEqual({
      sheet_id: 7, row_number: 12, cin: '91000001A', service_code: 'HTN', accepted: true,
      data: ['91000001A', 'O"Brien \\ "\n\u2028', 3, false, ['A', 'B'], null, 'HTN', null],
    });
  });

  it('a rejected row without a valid CIN', () => {
    expect(JSON.parse(stagingJson(1, ['cin'], { rowNumber: 3, accepted: false, values: {} }))).toEqual({ sheet_id: 1, row_number: 3, cin: null, service_code: null, accepted: false, data: [null] });
  });

  it('the apply statements address a staged value by its position in the layout, checked against the declaration', () => {
    const col = stagedColumns(RTF, 'src.d');
    expect(col.text('ecmStatus')).toBe(`(src.d->>${stagedKeys(RTF).indexOf('ecmStatus')})`);
    // a key the layout does not declare does not compile (typed column keys), and throws if forced
    // @ts-expect-error 'noSuchColumn' is not a column key of the RTF
    expect(() => col.text('noSuchColumn')).toThrow(/RTF has no column noSuchColumn/);
  });
});

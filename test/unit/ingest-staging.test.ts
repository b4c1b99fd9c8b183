import { describe, expect, it } from 'vitest';
import { stagingJson } from '../../src/ingest/pipeline.js';

describe('stagingJson', () => {
  it('is one JSON object per row: text escaped, lists and flags kept', () => {
    const text = stagingJson(7, {
      rowNumber: 12, cin: '91000001A', accepted: true,
      values: { cin: '91000001A', lastName: 'O"Brien \\ "\n\u2028', ecmStatus: 3, homeless: false, pof: ['A', 'B'], acuity: null, serviceCode: 'HTN', bad: Number.NaN },
    });
    expect(JSON.parse(text)).toEqual({
      sheet_id: 7, row_number: 12, cin: '91000001A', service_code: 'HTN', accepted: true,
      data: { cin: '91000001A', lastName: 'O"Brien \\ "\n\u2028', ecmStatus: 3, homeless: false, pof: ['A', 'B'], acuity: null, serviceCode: 'HTN', bad: null },
    });
  });

  it('a rejected row without a valid CIN', () => {
    expect(JSON.parse(stagingJson(1, { rowNumber: 3, accepted: false, values: {} }))).toEqual({ sheet_id: 1, row_number: 3, cin: null, service_code: null, accepted: false, data: {} });
  });
});

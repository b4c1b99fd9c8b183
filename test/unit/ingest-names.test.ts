import { describe, expect, it } from 'vitest';
import { MAX_NAME_BYTES, movedName, responseName, typesSuggestedByName } from '../../src/ingest/names.js';

const AT = new Date('2026-12-04T17:30:05Z');
const TZ = 'America/Los_Angeles';
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('response and moved names', () => {
  it('carry the submission id: names that reduce to the same stem never share a response', () => {
    expect(responseName('RTF_ACME_202611.xlsx', AT, TZ, 42)).toBe('RTF_ACME_202611_RESPONSE_20261204093005_42.xlsx');
    expect(responseName('OTF ä.xlsx', AT, TZ, 1)).not.toBe(responseName('OTF ö.xlsx', AT, TZ, 2));
    expect(responseName('OTF_1.xlsx', AT, TZ, 3)).not.toBe(responseName('OTF 1.xlsm', AT, TZ, 4));
    expect(movedName('RTF_ACME_202611.xlsx', AT, 42)).toBe('RTF_ACME_202611__20261204T173005Z_42.xlsx');
    expect(movedName('NOEXT', AT, 7)).toBe('NOEXT__20261204T173005Z_7');
  });

  it('a long name is shortened to fit, whole characters, extension kept, and two long names stay apart', () => {
    for (const stem of ['x'.repeat(250), 'ä'.repeat(200), '😀'.repeat(100), `${'y'.repeat(240)}.${'z'.repeat(40)}`]) {
      for (const id of [1, 123456789012]) {
        const moved = movedName(`${stem}.xlsm`, AT, id);
        const response = responseName(`${stem}.xlsm`, AT, TZ, id);
        expect(bytes(moved)).toBeLessThanOrEqual(MAX_NAME_BYTES);
        expect(bytes(response)).toBeLessThanOrEqual(MAX_NAME_BYTES);
        expect(moved).toMatch(new RegExp(`__20261204T173005Z_${id}\\.xlsm$`));
        expect(response).toMatch(new RegExp(`_RESPONSE_20261204093005_${id}\\.xlsx$`));
        expect(moved).not.toContain('\uFFFD');
        expect(Buffer.from(moved, 'utf8').toString('utf8')).toBe(moved);
      }
    }
    const a = `${'x'.repeat(300)}a.xlsx`;
    const b = `${'x'.repeat(300)}b.xlsx`;
    expect(movedName(a, AT, 1)).not.toBe(movedName(b, AT, 1));
  });
});

// Issue 17 finding 8.5: the early deadline verdict, before a file is read, needs the type its
// name suggests (a CSPRTF has its own window).
describe('typesSuggestedByName', () => {
  it.each([
    ['RTF_ACME_202611.xlsx', ['RTF']],
    ['RTF_OTF_VALLEYCLINIC_202611.xlsx', ['RTF', 'OTF']],
    ['CSPRTF_HOPEHOUSING_202611.xlsx', ['CSPRTF']],
    ['csprtf hope housing nov.xlsm', ['CSPRTF']],
    ['uploads/OTF-acme-202611.xlsx', ['OTF']],
    ['HN_CSPRTF_1558598797_20261203.xlsx', ['CSPRTF']],
    ['november.xlsx', []],
    ['CSPRTFX_202611.xlsx', []],
    ['RTF', ['RTF']],
  ] as const)('%s → %j', (name, types) => expect(typesSuggestedByName(name)).toEqual(types));
});

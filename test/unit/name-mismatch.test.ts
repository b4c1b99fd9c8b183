// NAME_MISMATCH, pure: a row's member names against the plan's record (the provider context).
// A warning, never a rejection; it should fire on a different name, not on the same name
// written with or without accents, in another case, or with other spacing, hyphens,
// apostrophes or periods between its parts (as providers' systems and Excel retype them).
import { describe, expect, it } from 'vitest';
import { RTF } from '../../schemas/index.js';
import { loadConfig } from '../../src/config.js';
import { ContextRules } from '../../src/filetypes/context-rules.js';
import type { ProviderContext } from '../../src/filetypes/provider-context.js';
import { INBOUND_TYPES } from '../../src/filetypes/registry.js';
import { EcmMembers } from '../../src/ingest/ecm-members.js';
import { BoundRow } from '../../src/validate/scope.js';
import { providerContext } from '../helpers/provider-context.js';

const NPI = '1245678903';
const TIN = '123456789';
const CIN = '91000001A';

const contextWith = (lastName: string, firstName: string): ProviderContext => providerContext({
  npi: NPI, tin: TIN,
  ecm: new EcmMembers(1).set(CIN, { lob: 'HN', status: 2, lastName, firstName, onLatestMif: true, enrolledOnLatestMif: false, lcmName: null, reassigned: false }),
});

const mismatches = (record: [string, string], sent: [string, string]) => {
  const rules = new ContextRules(INBOUND_TYPES, contextWith(...record), loadConfig({}), undefined);
  const row = {
    sheet: 'RTF', layout: RTF, rowNumber: 2, cin: CIN, cells: new BoundRow(new Map(), []), issues: [],
    values: { mcpId: 'HN', providerNpi: NPI, providerTin: TIN, cin: CIN, lastName: sent[0], firstName: sent[1] },
  };
  return rules.check(row).filter((i) => i.code === 'NAME_MISMATCH').map((i) => i.column);
};

describe('NAME_MISMATCH', () => {
  it.each([
    ['the same', ['Nunez', 'Jose'], ['Nunez', 'Jose']],
    ['another case', ['NUNEZ', 'JOSE'], ['Nunez', 'jose']],
    ['without the accents', ['Núñez', 'José'], ['Nunez', 'Jose']],
    ['with accents the record lacks', ['Nunez', 'Jose'], ['Núñez', 'José']],
    ['composed and decomposed accents', ['Nu\u00f1ez', 'Jos\u00e9'], ['Nun\u0303ez', 'Jose\u0301']],
    ['a hyphen for a space', ['Garcia Lopez', 'Mary Ann'], ['Garcia-Lopez', 'Mary-Ann']],
    ['two spaces for one', ['Garcia Lopez', 'Mary Ann'], ['Garcia  Lopez', 'Mary  Ann']],
    ['no apostrophe', ["O'Brien", 'Pat'], ['OBrien', 'Pat']],
    ['a typographic apostrophe', ["O'Brien", 'Pat'], ['O’Brien', 'Pat']],
    ['a period', ['Smith Jr.', 'J.R.'], ['Smith Jr', 'JR']],
  ] as const)('no warning for the same name written %s', (_, record, sent) => {
    expect(mismatches([...record], [...sent])).toEqual([]);
  });

  it.each([
    ['another last name', ['Nunez', 'Jose'], ['Nunes', 'Jose'], ['Member Last Name']],
    ['another first name', ['Nunez', 'Jose'], ['Nunez', 'Josefa'], ['Member First Name']],
    ['a part missing', ['Garcia Lopez', 'Mary'], ['Garcia', 'Mary'], ['Member Last Name']],
  ] as const)('a warning for %s', (_, record, sent, columns) => {
    expect(mismatches([...record], [...sent])).toEqual(columns);
  });
});

// The file-type registry (issue 16): complete by construction (the compiler rejects a type left
// out, one without context rules, or a rule naming a column its layout lacks), and an unknown
// type throws wherever it is looked up, never skipped.
import { describe, expect, it } from 'vitest';
import { OTF, RTF } from '../../schemas/index.js';
import { loadConfig } from '../../src/config.js';
import { ContextRules } from '../../src/filetypes/context-rules.js';
import { FILE_TYPES, fileTypeRegistry, INBOUND_TYPES, UnknownFileTypeError } from '../../src/filetypes/registry.js';
import type { RtfKey } from '../../src/filetypes/rtf/rules.js';
import type { CompleteRegistry, FileTypeDefinition } from '../../src/filetypes/types.js';
import type { RowRule } from '../../src/validate/file-type.js';
import { WorkbookValidator } from '../../src/validate/workbook.js';
import { BoundRow } from '../../src/validate/scope.js';
import { chw } from '../fixtures/filetypes/chw/index.js';
import { CHW } from '../fixtures/filetypes/chw/schema.js';
import { config as validationConfig } from './validate-helpers.js';
import { providerContext } from '../helpers/provider-context.js';

const ctx = providerContext({ npi: '1234567893' });

describe('the file-type registry', () => {
  it('holds every inbound type under its own name, in one order every loop shares', () => {
    expect(INBOUND_TYPES.names).toEqual(['RTF', 'OTF', 'CSPRTF']);
    for (const t of INBOUND_TYPES.types) {
      expect(t.layout.name).toBe(t.name);
      expect(INBOUND_TYPES.get(t.name)).toBe(t);
    }
  });

  it('an unknown type throws, naming the known ones', () => {
    expect(() => INBOUND_TYPES.get('CHW')).toThrow(UnknownFileTypeError);
    expect(() => INBOUND_TYPES.get('MIF')).toThrow(/unknown file type "MIF" \(known: RTF, OTF, CSPRTF\)/);
    expect(fileTypeRegistry([chw]).get('CHW')).toBe(chw);
  });

  it('the context rules throw on a row of a type their registry does not hold (no row let through unchecked)', () => {
    const rules = new ContextRules(INBOUND_TYPES, ctx, loadConfig({}), undefined);
    const row = { sheet: 'CHW', layout: CHW, rowNumber: 2, values: { cin: '91000001A' }, cin: '91000001A', cells: new BoundRow(new Map(), []), issues: [] };
    expect(() => rules.check(row)).toThrow(UnknownFileTypeError);
    // the same row under a registry holding the type: its context rules run
    const extended = new ContextRules(fileTypeRegistry([chw]), ctx, loadConfig({}), undefined);
    expect(extended.check(row).map((i) => i.code)).toEqual(['MEMBER_NOT_ASSIGNED']);
  });

  it('the validator throws on a sheet recognised as a layout it was not handed rules for', () => {
    const v = new WorkbookValidator({ context: { config: validationConfig }, types: [FILE_TYPES.OTF] });
    const match = { layout: RTF, columns: [], missingRequired: [], unknown: [], duplicates: [], score: 1 };
    expect(() => v.handle({ type: 'sheet', name: 'RTF', headerRow: 1, match })).toThrow(/RTF, which is not a file type handed to the validator/);
    expect(v.layouts).toEqual([OTF]);
  });

  it('refuses a type declared twice, or one whose layout is not its own inbound layout', () => {
    expect(() => fileTypeRegistry([FILE_TYPES.RTF])).toThrow(/RTF is declared twice/);
    expect(() => fileTypeRegistry([{ ...chw, name: 'CHW2' } as FileTypeDefinition])).toThrow(/CHW2 needs an inbound layout of the same name/);
  });

  it('the compiler rejects an incomplete registry, a type without context rules, and a misspelt column key', () => {
    // (checked by `npm run typecheck`: each @ts-expect-error fails the type-check if the line compiles)
    // @ts-expect-error the CSPRTF is missing
    const partial: CompleteRegistry = { RTF: FILE_TYPES.RTF, OTF: FILE_TYPES.OTF };
    const { contextRules: _unused, ...rest } = FILE_TYPES.RTF;
    // @ts-expect-error context rules are a required part
    const noContext: FileTypeDefinition = rest;
    // @ts-expect-error 'startDat' is not an RTF column key
    const typo: RowRule<RtfKey> = (s) => s.require(true, 'startDat', 'RTF_ENROLLED_NEEDS_START');
    expect([partial, noContext, typo].length).toBe(3);
  });
});

// Provider uploads for tests, written from the layout declarations (as a provider filling the
// plan's template would): records keyed by column key, one sheet per layout.
import { CSPRTF, OTF, RTF } from '../../schemas/index.js';
import type { Layout } from '../../schemas/layout.js';
import { layoutSheet } from '../../src/generate/sheets.js';
import type { CellValue } from '../../src/xlsx/types.js';
import { writeWorkbookToBuffer } from '../../src/xlsx/writer.js';
import { P } from './plan.js';

type Rec = Record<string, CellValue>;
const d = (date: string) => ({ date });

export function rtfRow(over: Rec = {}, provider = P.ECM1): Rec {
  return {
    mcpId: 'HN', mcpName: 'Health Net', cin: '91000001A', lastName: 'Alpha', firstName: 'Ann', newAddress: 'N', homeless: 'N', newPhone: 'N', pofIndicator: 'N',
    ecmStatus: '2', acuity: 'Low', inPerson: 1, telephonic: 2, productionDate: d('2026-12-02'), reportingPeriod: '11/2026',
    providerName: provider.name, providerNpi: provider.npi, providerTin: provider.tin, ...over,
  };
}

export function enrolledRow(over: Rec = {}): Rec {
  return rtfRow({
    cin: '91000002B', lastName: 'Bravo', firstName: 'Ben', ecmStatus: '3', acuity: 'High', startDate: d('2026-08-15'), lcmName: 'Pat Lee', lcmPhone: '5595552000',
    assessmentStartedDate: d('2026-08-20'), assessmentCompletedDate: d('2026-09-01'), carePlanDate: d('2026-09-10'), lastEncounterDate: d('2026-11-20'), ...over,
  });
}

export function otfRow(over: Rec = {}, provider = P.ECM1): Rec {
  return {
    mcpId: 'HN', mcpName: 'Health Net', providerName: provider.name, providerNpi: provider.npi, providerTin: provider.tin, clientName: 'Ann Alpha',
    cin: '91000001A', providerType: '2', attemptDate: d('2026-11-05'), method: '2', successful: 'N', minutes: 10, ...over,
  };
}

export function csprtfRow(over: Rec = {}, provider = P.CS1): Rec {
  return {
    mcpId: 'HN', providerName: provider.name, providerNpi: provider.npi, providerTin: provider.tin, cin: '91000001A', lastName: 'Alpha', firstName: 'Ann',
    serviceCode: 'HTN', engagementStatus: '2', outreachDate: d('2026-11-10'), outreachMethod: '2', productionDate: d('2026-12-02'), reportingPeriod: '11/2026', ...over,
  };
}

// Each workbook built here is its own file: its creation time (in docProps/core.xml) steps a
// second per call. Left to the wall clock, two builds of the same rows within a second were
// byte-identical, so whether the second counted as a new upload or a copy of the first (a
// duplicate, or the resume of an attempt not yet answered) depended on the machine's speed.
// A test that means "the same file again" sends the same Buffer.
let built = 0;
const CREATED_FROM = Date.UTC(2026, 0, 1);

export function workbook(sheets: [Layout, Rec[], string?][]): Promise<Buffer> {
  return writeWorkbookToBuffer(sheets.map(([layout, rows, name]) => layoutSheet(layout, rows, name ? { name } : {})), { created: new Date(CREATED_FROM + 1000 * built++) });
}

export const rtf = (rows: Rec[]) => workbook([[RTF, rows]]);
export const otf = (rows: Rec[]) => workbook([[OTF, rows]]);
export const csprtf = (rows: Rec[]) => workbook([[CSPRTF, rows]]);

// A provider's NPI or TIN the plan has replaced (the providers extract, `import providers`) is the
// one its RTF still carries for a while: the MIF it answers was pre-filled with it, and providers
// copy it. Such a row is accepted with a warning naming the new identity (PREVIOUS_IDENTITY_DAYS);
// an identity that was never the provider's, or was replaced longer ago, is still an error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { generate } from '../../src/generate/run.js';
import { ingestFile, type Ingested } from '../../src/ingest/pipeline.js';
import { P } from '../helpers/plan.js';
import { enrolledRow, rtf, rtfRow } from '../helpers/provider-files.js';
import { readWithOpenpyxl } from '../helpers/workbook.js';
import { closePlanWorld, importProviders, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;
const ACME_NEW_NPI = '1245678903';
const RIVAL_NEW_NPI = '1345678902';
const RIVAL_NEW_TIN = '987650000';
const NPI = 'ECM Provider National Provider Identifier (NPI)';
const TIN = 'ECM Provider Tax ID Number (TIN)';

/** Imports a providers extract at `at` (the import's clock, as `import providers --now`): every row loads. */
async function importProvidersAt(name: string, rows: string[], at: string) {
  const s = await importProviders(w, name, rows, at);
  expect(s).toMatchObject({ rowsRead: rows.length, rowsImported: rows.length, rowsRejected: 0 });
}

async function send(config: Config, provider: string, name: string, bytes: Buffer, at: string): Promise<Ingested> {
  return ingestFile({ pool: w.db.pool, config }, { provider, originalName: name, bytes, receivedAt: new Date(at), source: 'cli' });
}

/** The response's Errors sheet as openpyxl reads it: [code, severity, message] per line. */
function errorsSheet(done: Ingested): string[][] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-identity-'));
  try {
    const file = path.join(dir, 'r.xlsx');
    fs.writeFileSync(file, done.response.bytes);
    const [head, ...rows] = readWithOpenpyxl(file).Errors ?? [];
    const col = (label: string) => head!.findIndex((h) => h === label);
    return rows.map((r) => [String(r[col('Code')]), String(r[col('Severity')]), String(r[col('Message')])]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const issues = (done: Ingested, code: string) => done.document.issues.filter((i) => i.code === code);
const acmeRows = () => [rtfRow(), enrolledRow()];
const identities = async (code: string) =>
  (await w.db.pool.query(`select npi, tin, valid_from, valid_to from provider_identities where provider_code = $1 order by id`, [code])).rows;

beforeAll(async () => {
  w = await openPlanWorld('identity');
  // ACME's MIF of November: its RTF template is pre-filled with the NPI the plan has today
  await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
  // then the plan's extract gives ACME a new NPI (the TIN is the same)
  await importProvidersAt('providers-acme.csv', [`ACME,${ACME_NEW_NPI},123456789,${P.ECM1.name},HN,ECM,5595550100,,`], '2026-11-20T17:00:00Z');
  // RIVAL: a new NPI in September (long before its RTF of November), a new TIN in late November
  await importProvidersAt('providers-rival-npi.csv', [`RIVAL,${RIVAL_NEW_NPI},${P.ECM2.tin},${P.ECM2.name},HN,ECM,5595550200,,`], '2026-09-01T17:00:00Z');
  await importProvidersAt('providers-rival-tin.csv', [`RIVAL,${RIVAL_NEW_NPI},${RIVAL_NEW_TIN},${P.ECM2.name},HN,ECM,5595550200,,`], '2026-11-25T17:00:00Z');
});
afterAll(() => closePlanWorld(w));

describe('the providers import keeps each provider\'s past identities', () => {
  it('the replaced NPI is kept with when the import replaced it (the import\'s clock), the new one is current', async () => {
    expect(await w.db.pool.query(`select npi, tin from providers where provider_code = 'ACME'`).then((r) => r.rows)).toEqual([{ npi: ACME_NEW_NPI, tin: P.ECM1.tin }]);
    const acme = await identities('ACME');
    expect(acme.map((r) => [r.npi, r.tin, r.valid_to])).toEqual([[P.ECM1.npi, P.ECM1.tin, new Date('2026-11-20T17:00:00Z')], [ACME_NEW_NPI, P.ECM1.tin, null]]);
    expect(acme[1]!.valid_from).toEqual(new Date('2026-11-20T17:00:00Z'));
    expect((await identities('RIVAL')).map((r) => [r.npi, r.tin, r.valid_to])).toEqual([
      [P.ECM2.npi, P.ECM2.tin, new Date('2026-09-01T17:00:00Z')],
      [RIVAL_NEW_NPI, P.ECM2.tin, new Date('2026-11-25T17:00:00Z')],
      [RIVAL_NEW_NPI, RIVAL_NEW_TIN, null],
    ]);
  });

  it('an extract repeating the identity the plan has adds no history', async () => {
    await importProvidersAt('providers-acme-again.csv', [`ACME,${ACME_NEW_NPI},123456789,${P.ECM1.name},HN,ECM,5595550100,,`], '2026-11-21T17:00:00Z');
    expect(await identities('ACME')).toHaveLength(2);
  });
});

describe('an RTF carrying the NPI or TIN the plan replaced', () => {
  it('the NPI replaced 12 days before the receipt: every row accepted, each with a warning naming the new NPI, in the document and the response', async () => {
    const done = await send(w.config, 'ACME', 'RTF_ACME_202611.xlsx', await rtf(acmeRows()), '2026-12-02T17:00:00Z');
    expect(done.document).toMatchObject({ outcome: 'ACCEPTED_WITH_WARNINGS', rowsRead: 2, rowsAccepted: 2, rowsRejected: 0 });
    expect(done.document.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const warned = issues(done, 'PROVIDER_NPI_PREVIOUS');
    expect(warned.map((i) => [i.row, i.severity, i.column])).toEqual([[2, 'warning', NPI], [3, 'warning', NPI]]);
    expect(warned[0]!.message).toBe(`${NPI} (${P.ECM1.npi}) is the NPI the plan had for your organisation until 11/20/2026; the plan now has ${ACME_NEW_NPI}. The row is accepted: use ${ACME_NEW_NPI} from your next file.`);
    expect(errorsSheet(done).filter(([code]) => code === 'PROVIDER_NPI_PREVIOUS')).toEqual(warned.map((i) => ['PROVIDER_NPI_PREVIOUS', 'warning', i.message]));
    // the rows applied: the member's status is the one reported
    expect((await w.db.pool.query(`select acuity from ecm_assignments where cin = '91000001A' and lob = 'HN'`)).rows[0]).toEqual({ acuity: 'Low' });
  });

  it('the new NPI: no warning', async () => {
    const done = await send(w.config, 'ACME', 'RTF_ACME_202611_v2.xlsx', await rtf(acmeRows().map((r) => ({ ...r, providerNpi: ACME_NEW_NPI }))), '2026-12-03T17:00:00Z');
    expect(done.document).toMatchObject({ outcome: 'ACCEPTED', rowsAccepted: 2 });
  });

  it('another provider\'s NPI is still rejected row by row', async () => {
    const done = await send(w.config, 'ACME', 'RTF_ACME_202611_v3.xlsx', await rtf(acmeRows().map((r) => ({ ...r, providerNpi: P.CS1.npi }))), '2026-12-03T18:00:00Z');
    expect(done.document).toMatchObject({ outcome: 'REJECTED', rowsAccepted: 0, rowsRejected: 2 });
    expect(issues(done, 'PROVIDER_NPI_MISMATCH').map((i) => i.message)).toEqual(Array(2).fill(
      `${NPI} (${P.CS1.npi}) is not the NPI of the provider that uploaded this file (${ACME_NEW_NPI}). A file can only report for the provider whose folder it was uploaded to.`));
    expect(issues(done, 'PROVIDER_NPI_PREVIOUS')).toEqual([]);
  });

  it('PREVIOUS_IDENTITY_DAYS=0 is strict: the replaced NPI is rejected, as before', async () => {
    const strict = { ...w.config, PREVIOUS_IDENTITY_DAYS: 0 };
    const done = await send(strict, 'ACME', 'RTF_ACME_202611_v4.xlsx', await rtf(acmeRows()), '2026-12-04T17:00:00Z');
    expect(done.document).toMatchObject({ outcome: 'REJECTED', rowsAccepted: 0, rowsRejected: 2 });
    expect(issues(done, 'PROVIDER_NPI_MISMATCH')).toHaveLength(2);
  });

  it('an NPI replaced longer ago than the window is rejected; the TIN replaced within it is a warning', async () => {
    const ed = (over = {}) => rtfRow({ cin: '91000005E', lastName: 'Echo', firstName: 'Ed', ...over }, P.ECM2);
    // September's NPI and the TIN replaced on Nov 25: the NPI is refused, the TIN only warned about
    const old = await send(w.config, 'RIVAL', 'RTF_RIVAL_202611.xlsx', await rtf([ed()]), '2026-12-02T17:00:00Z');
    expect(old.document).toMatchObject({ outcome: 'REJECTED', rowsRejected: 1 });
    expect(old.document.issues.map((i) => [i.code, i.severity])).toEqual([['PROVIDER_NPI_MISMATCH', 'error'], ['PROVIDER_TIN_PREVIOUS', 'warning']]);
    expect(issues(old, 'PROVIDER_TIN_PREVIOUS')[0]!.message).toBe(
      `${TIN} (${P.ECM2.tin}) is the TIN the plan had for your organisation until 11/25/2026; the plan now has ${RIVAL_NEW_TIN}. The row is accepted: use ${RIVAL_NEW_TIN} from your next file.`);
    const newNpi = await send(w.config, 'RIVAL', 'RTF_RIVAL_202611_v2.xlsx', await rtf([ed({ providerNpi: RIVAL_NEW_NPI })]), '2026-12-02T18:00:00Z');
    expect(newNpi.document).toMatchObject({ outcome: 'ACCEPTED_WITH_WARNINGS', rowsAccepted: 1 });
    expect(newNpi.document.issues.map((i) => i.code)).toEqual(['PROVIDER_TIN_PREVIOUS']);
  });

  it('an identity replaced after the file was received (a file read again later) was the current one then: accepted with the warning', async () => {
    // received Nov 3 (an RTF of October), before ACME's NPI changed on Nov 20, and read only now
    const done = await send(w.config, 'ACME', 'RTF_ACME_202610.xlsx', await rtf(acmeRows().map((r) => ({ ...r, reportingPeriod: '10/2026', productionDate: { date: '2026-11-03' } }))), '2026-11-03T17:00:00Z');
    expect(done.document.issues.filter((i) => i.code.startsWith('PROVIDER_'))).toEqual(issues(done, 'PROVIDER_NPI_PREVIOUS'));
    expect(issues(done, 'PROVIDER_NPI_PREVIOUS')).toHaveLength(2);
  });
});

// What a CS provider's CSPRTF rows do to the member's CS state over a window and the months
// after it: a correction before the 10th replaces the earlier row of its member x service
// (spec §6), so it must also undo what that row did; and a row that names another
// authorization, or dates a service outside it, must not be taken as reporting on the one sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSPRTF } from '../../schemas/index.js';
import { generate } from '../../src/generate/run.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { csprtfRow, workbook } from '../helpers/provider-files.js';
import { closePlanWorld, importExtract, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const d = (date: string) => ({ date });
const ANN = { cin: '91000001A', lastName: 'Alpha', firstName: 'Ann' };
const BEN = { cin: '91000002B', lastName: 'Bravo', firstName: 'Ben' };
const DEE = { cin: '91000004D', mcpId: 'CV', lastName: 'Delta', firstName: 'Dee' };
const DISCONTINUED = { engagementStatus: '4', outreachDate: null, outreachMethod: null, discontinuationReasonCode: 'DP' };
const DELIVERING = { engagementStatus: '3', outreachDate: null, outreachMethod: null };

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('csprtf-effects', { csAuthorizations: true });
  await w.db.pool.query(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end, requested_date, decision_date, assigned_date)
    values ('91000007G', 'HTSS', 'HOMEWAY', 'HN', 'AUTHORIZED', 'Approved', 'HS-700', '2026-11-01', '2027-04-30', '2026-10-15', '2026-10-20', '2026-10-20'),
           ('91000003C', 'HTSS', 'HOMEWAY', 'HN', 'AUTHORIZED', 'Approved', 'C-300', '2026-09-01', '2026-12-31', '2026-08-15', '2026-08-20', '2026-09-01'),
           ('91000006F', 'RC', 'HOMEWAY', 'HN', 'AUTHORIZED', 'Approved', 'F-600', '2026-09-01', '2026-12-31', '2026-08-15', '2026-08-20', '2026-09-01'),
           ('91000008H', 'HTN', 'HOMEWAY', 'HN', 'AUTHORIZED', 'Approved', 'N-800', '2026-06-01', '2026-11-24', '2026-05-15', '2026-05-20', '2026-05-20')`);
  // 91000008H x HTN re-authorized: N-801, from 11/25, supersedes N-800 (src/import/cs.ts); the CSASF of the 29th carries N-801
  expect(await importExtract(w, 'cs-authorizations', 'cs_authorizations_20261120.csv', [
    '91000008H,HOMEWAY,HN,HTN,AUTHORIZED,Approved,N-801,2026-11-25,2027-05-31,2026-11-10,2026-11-18,2026-05-20,',
    // 91000006F x RC re-authorized early: F-601 starts after the slot of the 29th, while F-600 is in force
    '91000006F,HOMEWAY,HN,RC,AUTHORIZED,Approved,F-601,2027-01-01,2027-06-30,2026-11-10,2026-11-18,2026-09-01,',
    // 91000003C x HTSS handed to MEALS from the day after HOMEWAY's C-300 ends
    '91000003C,MEALS,HN,HTSS,AUTHORIZED,Approved,C-310,2027-01-01,2027-06-30,2026-11-10,2026-11-18,2026-11-18,',
  ], '2026-11-20T16:00:00Z')).toMatchObject({ rowsImported: 3, rowsRejected: 0 });
  await generate('csasf', onSlotDay('2026-11-29'), w.deps);
});
afterAll(() => closePlanWorld(w));

let n = 0;
const upload = async (provider: string, rows: Record<string, unknown>[], at: string, period = '11/2026') =>
  ingestFile({ pool: w.db.pool, config: w.config }, {
    provider, originalName: `CSPRTF_${provider}_${++n}.xlsx`, receivedAt: new Date(at), source: 'cli',
    bytes: await workbook([[CSPRTF, rows.map((r) => ({ ...r, reportingPeriod: period })) as never]]),
  });
const episodes = async (cin: string, service: string) =>
  (await w.db.pool.query(`select provider_code, auth_key, resolved, resolved_reason from cs_authorizations where cin = $1 and service_code = $2 order by id`, [cin, service])).rows;
const onCsasf = async (provider: string, slot: string) =>
  (await w.db.pool.query(`select r.cin || '|' || r.service_code as pair from outbound_file_rows r join outbound_files o on o.id = r.outbound_file_id
     where o.provider_code = $1 and o.kind = 'CSASF' and o.slot = $2 and o.status = 'PUBLISHED' order by 1`, [provider, slot])).rows.map((r) => r.pair as string);
const errors = (x: Awaited<ReturnType<typeof upload>>) => x.document.issues.filter((i) => i.severity === 'error').map((i) => [i.row, i.code]);

describe('a discontinuation corrected before the 10th', () => {
  it('the corrected row (still delivering) reopens the authorization the first row resolved: the member stays on the CSASF and can be reported next month', async () => {
    const first = await upload('HOMEWAY', [csprtfRow({ ...ANN, ...DISCONTINUED, authNumber: 'A-100', serviceStartDate: d('2026-10-05'), serviceEndDate: d('2026-11-20') })], '2026-12-03T18:00:00Z');
    expect(errors(first)).toEqual([]);
    expect(await episodes('91000001A', 'HTN')).toEqual([{ provider_code: 'HOMEWAY', auth_key: 'A-100', resolved: true, resolved_reason: 'DISCONTINUED' }]);

    // the office sent the wrong status: the member is still housed-navigation, services go on
    const fix = await upload('HOMEWAY', [csprtfRow({ ...ANN, ...DELIVERING, authNumber: 'A-100', serviceStartDate: d('2026-10-05') })], '2026-12-08T18:00:00Z');
    expect(fix.document).toMatchObject({ verdict: 'RESUBMISSION', rowsAccepted: 1 });
    expect(await episodes('91000001A', 'HTN')).toEqual([{ provider_code: 'HOMEWAY', auth_key: 'A-100', resolved: false, resolved_reason: null }]);

    await generate('csasf', { ...onSlotDay('2026-12-15'), provider: 'HOMEWAY' }, w.deps);
    expect(await onCsasf('HOMEWAY', '2026-12-15')).toContain('91000001A|HTN');
    const jan = await upload('HOMEWAY', [csprtfRow({ ...ANN, ...DELIVERING, authNumber: 'A-100', serviceStartDate: d('2026-10-05'), productionDate: d('2027-01-04') })], '2027-01-05T18:00:00Z', '12/2026');
    expect(errors(jan)).toEqual([]);
  });

  it('a correction that leaves the row out keeps the discontinuation (the earlier row keeps counting)', async () => {
    const first = await upload('MEALS', [csprtfRow({ cin: '91000005E', lastName: 'Echo', firstName: 'Ed', serviceCode: 'MTM', ...DISCONTINUED, authNumber: 'A-200' }, { code: 'MEALS', npi: '1437825213', tin: '444555666', name: 'Good Meals Co' })], '2026-12-03T18:00:00Z');
    expect(errors(first)).toEqual([]);
    expect(await episodes('91000005E', 'MTM')).toMatchObject([{ resolved: true }]);
    // an unrelated correction of the same period: no row for the pair
    const fix = await upload('MEALS', [], '2026-12-08T18:00:00Z');
    expect(fix.document.rowsAccepted).toBe(0);
    expect(await episodes('91000005E', 'MTM')).toMatchObject([{ resolved: true }]);
  });

  it('the pair given to another provider meanwhile is not taken back: the correction counts, the old authorization stays closed', async () => {
    // BEN x RS: HOMEWAY discontinues; the plan authorizes MEALS for it; then HOMEWAY corrects the row
    const first = await upload('HOMEWAY', [csprtfRow({ ...BEN, serviceCode: 'RS', ...DISCONTINUED, authNumber: 'A-300' })], '2026-12-03T19:00:00Z');
    expect(errors(first)).toEqual([]);
    expect(await importExtract(w, 'cs-authorizations', 'cs_authorizations_20261204.csv', ['91000002B,MEALS,HN,RS,AUTHORIZED,Approved,A-310,2026-12-04,2027-03-31,2026-12-01,2026-12-04,2026-12-04,'],
      '2026-12-04T16:00:00Z')).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    const fix = await upload('HOMEWAY', [csprtfRow({ ...BEN, serviceCode: 'RS', ...DELIVERING, authNumber: 'A-300', serviceStartDate: d('2026-11-02') })], '2026-12-08T19:00:00Z');
    expect(errors(fix)).toEqual([]);
    expect(await episodes('91000002B', 'RS')).toEqual([
      { provider_code: 'HOMEWAY', auth_key: 'A-300', resolved: true, resolved_reason: 'DISCONTINUED' },
      { provider_code: 'MEALS', auth_key: 'A-310', resolved: false, resolved_reason: null },
    ]);
  });
});

describe('a discontinuation that names another authorization or dates', () => {
  it('a status 4 row with an authorization number other than the one sent is rejected, saying which: it would resolve nothing', async () => {
    const r = await upload('HOMEWAY', [csprtfRow({ ...DEE, serviceCode: 'RC', ...DISCONTINUED, authNumber: 'A-999', serviceStartDate: d('2026-11-02'), serviceEndDate: d('2026-11-20') })], '2026-12-04T18:00:00Z');
    expect(errors(r)).toEqual([[2, 'AUTH_NUMBER_MISMATCH']]);
    expect(r.document.issues.find((i) => i.code === 'AUTH_NUMBER_MISMATCH')!.message).toContain('(A-400)');
    expect(await episodes('91000004D', 'RC')).toMatchObject([{ auth_key: 'A-400', resolved: false }]);
  });

  it('a status 4 row whose service started before the authorization is rejected as outside it', async () => {
    const r = await upload('HOMEWAY', [csprtfRow({ ...DEE, serviceCode: 'RC', ...DISCONTINUED, authNumber: 'A-400', serviceStartDate: d('2026-09-01'), serviceEndDate: d('2026-11-20') })], '2026-12-04T19:00:00Z');
    expect(errors(r)).toEqual([[2, 'SERVICE_OUTSIDE_AUTH']]);
    expect(await episodes('91000004D', 'RC')).toMatchObject([{ auth_key: 'A-400', resolved: false }]);
    // the same row dated inside the authorization resolves it
    const ok = await upload('HOMEWAY', [csprtfRow({ ...DEE, serviceCode: 'RC', ...DISCONTINUED, authNumber: 'A-400', serviceStartDate: d('2026-11-02'), serviceEndDate: d('2026-11-20') })], '2026-12-04T20:00:00Z');
    expect(errors(ok)).toEqual([]);
    expect(await episodes('91000004D', 'RC')).toMatchObject([{ auth_key: 'A-400', resolved: true }]);
  });
});

describe('the authorization number as an office types it', () => {
  it('a discontinuation with the number in lower case (accepted: numbers compare ignoring case) resolves that authorization', async () => {
    const r = await upload('HOMEWAY', [csprtfRow({ cin: '91000007G', lastName: 'Golf', firstName: 'Gil', serviceCode: 'HTSS', ...DISCONTINUED, authNumber: 'hs-700' })], '2026-12-09T18:00:00Z');
    expect(errors(r)).toEqual([]);
    expect(await episodes('91000007G', 'HTSS')).toEqual([{ provider_code: 'HOMEWAY', auth_key: 'HS-700', resolved: true, resolved_reason: 'DISCONTINUED' }]);
    await generate('csasf', { ...onSlotDay('2026-12-29'), provider: 'HOMEWAY' }, w.deps);
    expect(await onCsasf('HOMEWAY', '2026-12-29')).not.toContain('91000007G|HTSS');
  });
});

describe('a discontinuation of a pending authorization', () => {
  it('with a number the CSASF did not carry (the office took it from the portal, or mistyped it), resolves the pending request it reports on', async () => {
    // 91000004D x MTM is Pending on the CSASF, without a number
    const r = await upload('HOMEWAY', [csprtfRow({ ...DEE, serviceCode: 'MTM', ...DISCONTINUED, authNumber: 'P-555' })], '2026-12-09T19:00:00Z');
    expect(errors(r)).toEqual([]);
    expect(await episodes('91000004D', 'MTM')).toEqual([{ provider_code: 'HOMEWAY', auth_key: '', resolved: true, resolved_reason: 'DISCONTINUED' }]);
  });
});

describe('a re-authorization', () => {
  const HANA = { cin: '91000008H', lastName: 'Hotel', firstName: 'Hana', serviceCode: 'HTN', ...DELIVERING };

  it('services that began under the authorization it renewed are reported under the new number with their first start date', async () => {
    expect((await episodes('91000008H', 'HTN')).map((e) => [e.auth_key, e.resolved_reason])).toEqual([['N-800', 'SUPERSEDED'], ['N-801', null]]);
    // the service began in June under N-800 and goes on under N-801, the number on the CSASF
    const r = await upload('HOMEWAY', [csprtfRow({ ...HANA, authNumber: 'N-801', serviceStartDate: d('2026-06-10') })], '2026-12-04T21:00:00Z');
    expect(errors(r)).toEqual([]);
  });

  it('a start before the first of the renewed authorizations is still outside, naming the dates the provider was authorized for', async () => {
    const r = await upload('HOMEWAY', [csprtfRow({ ...HANA, authNumber: 'N-801', serviceStartDate: d('2026-05-10') })], '2026-12-04T22:00:00Z');
    expect(errors(r)).toEqual([[2, 'SERVICE_OUTSIDE_AUTH']]);
    expect(r.document.issues.find((i) => i.code === 'SERVICE_OUTSIDE_AUTH')!.message).toContain('(06/01/2026 to 05/31/2027)');
  });
});

describe('services ended under the authorization in force while its renewal waits to start', () => {
  it('resolve the renewal too: the member leaves the CSASF, whichever number that CSASF showed', async () => {
    const shown = (await w.db.pool.query(`select r.auth_number from outbound_file_rows r join outbound_files o on o.id = r.outbound_file_id
      where o.provider_code = 'HOMEWAY' and o.slot = '2026-11-29' and r.cin = '91000006F' and r.service_code = 'RC'`)).rows[0]!.auth_number as string;
    const r = await upload('HOMEWAY', [csprtfRow({
      cin: '91000006F', lastName: 'Foxtrot', firstName: 'Fay', serviceCode: 'RC', ...DISCONTINUED, discontinuationReasonCode: 'SC',
      authNumber: shown, serviceStartDate: d('2026-09-05'), serviceEndDate: d('2026-11-25'),
    })], '2026-12-05T21:00:00Z');
    expect(errors(r)).toEqual([]);
    expect((await episodes('91000006F', 'RC')).map((e) => [e.auth_key, e.resolved])).toEqual([['F-600', true], ['F-601', true]]);
    await generate('csasf', { ...onSlotDay('2027-01-15'), provider: 'HOMEWAY' }, w.deps);
    expect(await onCsasf('HOMEWAY', '2027-01-15')).not.toContain('91000006F|RC');
  });
});

describe('a pair handed to another provider from the day after the current authorization ends', () => {
  it('both providers report on it in the same window (each on its own CSASF): each engagement is kept, neither overwrites the other', async () => {
    const charlie = { cin: '91000003C', lastName: 'Charlie', firstName: 'Cy', serviceCode: 'HTSS' };
    const meals = { code: 'MEALS', npi: '1437825213', tin: '444555666', name: 'Good Meals Co' };
    const old = await upload('HOMEWAY', [csprtfRow({ ...charlie, ...DELIVERING, authNumber: 'C-300', serviceStartDate: d('2026-09-05') })], '2026-12-06T18:00:00Z');
    expect(errors(old)).toEqual([]);
    const next = await upload('MEALS', [csprtfRow({ ...charlie, engagementStatus: '2', outreachDate: d('2026-11-25') }, meals)], '2026-12-07T18:00:00Z');
    expect(errors(next)).toEqual([]);
    expect((await w.db.pool.query(`select provider_code, status from cs_engagements where cin = '91000003C' and service_code = 'HTSS' order by provider_code`)).rows)
      .toEqual([{ provider_code: 'HOMEWAY', status: 3 }, { provider_code: 'MEALS', status: 2 }]);
  });
});

// A CS member x service across extracts (domain §5 items 1-2): each pair goes to exactly one
// provider, and a pair resolved once comes back on the CSASF when the plan refers it again.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSPRTF } from '../../schemas/index.js';
import { loadConfig } from '../../src/config.js';
import { generate } from '../../src/generate/run.js';
import { importUpstream } from '../../src/import/upstream.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import type { TestDb } from '../helpers/db.js';
import type { TestSftp } from '../helpers/dev-sftp.js';
import { closePlanWorld, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';
import { csprtfRow, workbook } from '../helpers/provider-files.js';
import { readRecords } from '../helpers/workbook.js';

const d = (date: string) => ({ date });
const HEADER = 'cin,provider_code,lob,service_code,record_type,auth_status,auth_number,auth_start,auth_end,requested_date,decision_date,assigned_date,referring_org\n';
let db: TestDb;
let sftp: TestSftp;
let dataDir: string;
let config: ReturnType<typeof loadConfig>;
let deps: Parameters<typeof generate>[2];
let world: PlanWorld;

beforeAll(async () => {
  world = await openPlanWorld('cs-months', { csAuthorizations: true });
  ({ db, sftp, dataDir, config, deps } = world);
});
afterAll(() => closePlanWorld(world));

/** The extract as the plan sends it: a CSV named like it, one row a line. */
function extract(name: string, rows: string[]): string {
  const file = path.join(dataDir, name);
  fs.writeFileSync(file, HEADER + rows.map((r) => `${r}\n`).join(''));
  return file;
}
const pairs = async (cin: string, service: string) =>
  (await db.pool.query(`select provider_code, auth_number, assigned_date, resolved from cs_authorizations where cin = $1 and service_code = $2 order by id`, [cin, service])).rows;
const onCsasf = async (provider: string, file: string | null, cin: string) =>
  file ? (await readRecords(path.join(sftp.root, provider, 'downloads', file))).CSASF!.filter((x) => x.cin === cin).map((x) => x.serviceCode) : [];

describe("a pair held by one provider, given to another by the extract", () => {
  it('is refused and reported, with or without an authorization number, and the first provider keeps it as it was', async () => {
    // HOMEWAY holds 91000002B x HD (a potential member, no number) and 91000002B x RS
    const before = { hd: await pairs('91000002B', 'HD'), rs: await pairs('91000002B', 'RS') };
    const s = await importUpstream(db.pool, 'cs-authorizations', extract('cs_authorizations_20261102.csv', [
      '91000002B,MEALS,HN,HD,POTENTIAL,,,,,,,2026-11-02,',
      '91000002B,MEALS,HN,RS,AUTHORIZED,Approved,A-300,2026-11-01,2027-01-31,2026-10-15,2026-10-20,2026-11-02,',
    ]), { config, now: new Date('2026-11-02T16:00:00Z') });
    expect(s).toMatchObject({ rowsImported: 0, rowsRejected: 2 });
    expect(s.rejects.map((r) => r.message)).toEqual([expect.stringMatching(/already assigned to provider HOMEWAY/), expect.stringMatching(/already assigned to provider HOMEWAY/)]);
    expect({ hd: await pairs('91000002B', 'HD'), rs: await pairs('91000002B', 'RS') }).toEqual(before);
    expect((await db.pool.query(`select service_code, owner_provider, refused_provider from cs_assignment_conflicts where cin = '91000002B' order by service_code`)).rows)
      .toEqual([{ service_code: 'HD', owner_provider: 'HOMEWAY', refused_provider: 'MEALS' }, { service_code: 'RS', owner_provider: 'HOMEWAY', refused_provider: 'MEALS' }]);
    const meals = await generate('csasf', { ...onSlotDay('2026-11-15'), provider: 'MEALS' }, deps);
    expect(await onCsasf('MEALS', meals.units[0]!.file, '91000002B')).toEqual([]);
    const homeway = await generate('csasf', { ...onSlotDay('2026-11-15'), provider: 'HOMEWAY' }, deps);
    expect(await onCsasf('HOMEWAY', homeway.units[0]!.file, '91000002B')).toEqual(['HD', 'RS']);
  });
});

describe('a potential member resolved, then referred again', () => {
  it('comes back on the next CSASF as a new episode; re-importing the old referral does not reopen the old one', async () => {
    // HOMEWAY reports 91000002B x HD declined (status 4, DP): the pair is resolved
    const done = await ingestFile({ pool: db.pool, config }, {
      provider: 'HOMEWAY', originalName: 'CSPRTF_HOMEWAY_202611.xlsx', receivedAt: new Date('2026-12-03T17:00:00Z'), source: 'cli',
      bytes: await workbook([[CSPRTF, [csprtfRow({
        cin: '91000002B', lastName: 'Bravo', firstName: 'Ben', serviceCode: 'HD', engagementStatus: '4', outreachDate: d('2026-11-10'), outreachMethod: '2', discontinuationReasonCode: 'DP',
      })]]]),
    });
    expect(done.document.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(await pairs('91000002B', 'HD')).toEqual([{ provider_code: 'HOMEWAY', auth_number: null, assigned_date: '2026-10-25', resolved: true }]);
    // the extract that first referred the pair, again: no news, the pair stays resolved
    const again = await importUpstream(db.pool, 'cs-authorizations', extract('cs_authorizations_20261210.csv', ['91000002B,HOMEWAY,HN,HD,POTENTIAL,,,,,,,2026-10-25,']), { config, now: new Date('2026-12-10T16:00:00Z') });
    expect(again).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await pairs('91000002B', 'HD')).toEqual([{ provider_code: 'HOMEWAY', auth_number: null, assigned_date: '2026-10-25', resolved: true }]);
    // a new referral of the pair (a later assignment date): a new episode, on the next CSASF
    const referred = await importUpstream(db.pool, 'cs-authorizations', extract('cs_authorizations_20270201.csv', ['91000002B,HOMEWAY,HN,HD,POTENTIAL,,,,,,,2027-02-01,']), { config, now: new Date('2027-02-01T16:00:00Z') });
    expect(referred).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await pairs('91000002B', 'HD')).toEqual([
      { provider_code: 'HOMEWAY', auth_number: null, assigned_date: '2026-10-25', resolved: true },
      { provider_code: 'HOMEWAY', auth_number: null, assigned_date: '2027-02-01', resolved: false },
    ]);
    const feb = await generate('csasf', { ...onSlotDay('2027-02-15'), provider: 'HOMEWAY' }, deps);
    expect(await onCsasf('HOMEWAY', feb.units[0]!.file, '91000002B')).toContain('HD');
  });

  it('a pair another provider held and resolved goes to the new provider as a new episode', async () => {
    // 91000002B x HD: HOMEWAY's first episode resolved, its second open; resolve the second too
    await db.pool.query(`update cs_authorizations set resolved = true, resolved_reason = 'COMPLETED', resolved_at = now() where cin = '91000002B' and service_code = 'HD' and not resolved`);
    const s = await importUpstream(db.pool, 'cs-authorizations', extract('cs_authorizations_20270301.csv', ['91000002B,MEALS,HN,HD,POTENTIAL,,,,,,,2027-03-01,']), { config, now: new Date('2027-03-01T16:00:00Z') });
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect((await pairs('91000002B', 'HD')).map((p) => [p.provider_code, p.assigned_date, p.resolved])).toEqual([
      ['HOMEWAY', '2026-10-25', true], ['HOMEWAY', '2027-02-01', true], ['MEALS', '2027-03-01', false],
    ]);
    const mar = await generate('csasf', { ...onSlotDay('2027-03-15'), provider: 'MEALS' }, deps);
    expect(await onCsasf('MEALS', mar.units[0]!.file, '91000002B')).toEqual(['HD']);
  });
});

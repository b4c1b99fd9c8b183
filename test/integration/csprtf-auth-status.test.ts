// A CSPRTF row reporting services delivered (status 3) on an authorization the CSASF shows as not
// approved is rejected (AUTH_NOT_APPROVED), and the message says what the provider can do about
// that status: a pending request may still be approved, a denied or expired one will not be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { csprtf, csprtfRow } from '../helpers/provider-files.js';
import { closePlanWorld, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('csprtf-auth-status', { csAuthorizations: true });
  // beside the seeded pending request (91000004D x MTM): a denied one and one that expired on 11/10
  await w.db.pool.query(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end, requested_date, decision_date, assigned_date)
    values ('91000003C', 'RC', 'HOMEWAY', 'HN', 'AUTHORIZED', 'Denied', 'D-300', null, null, '2026-10-20', '2026-11-05', '2026-10-20'),
           ('91000006F', 'HTSS', 'HOMEWAY', 'HN', 'AUTHORIZED', 'Approved', 'E-600', '2026-05-01', '2026-11-10', '2026-04-15', '2026-04-20', '2026-04-20')`);
  await generate('csasf', onSlotDay('2026-11-15'), w.deps);
});
afterAll(() => closePlanWorld(w));

const DELIVERING = { engagementStatus: '3', outreachDate: null, outreachMethod: null, serviceStartDate: { date: '2026-11-02' } };

describe('status 3 on an authorization not approved', () => {
  it('says, per status on the CSASF, what the provider can report instead', async () => {
    const done = await ingestFile({ pool: w.db.pool, config: w.config }, {
      provider: 'HOMEWAY', originalName: 'CSPRTF_HOMEWAY_202611.xlsx', receivedAt: new Date('2026-12-03T18:00:00Z'), source: 'cli',
      bytes: await csprtf([
        csprtfRow({ ...DELIVERING, cin: '91000004D', mcpId: 'CV', lastName: 'Delta', firstName: 'Dee', serviceCode: 'MTM' }),
        csprtfRow({ ...DELIVERING, cin: '91000003C', lastName: 'Charlie', firstName: 'Cy', serviceCode: 'RC', authNumber: 'D-300' }),
        csprtfRow({ ...DELIVERING, cin: '91000006F', lastName: 'Foxtrot', firstName: 'Fay', serviceCode: 'HTSS', authNumber: 'E-600' }),
      ]),
    });
    const message = (row: number) => done.document.issues.find((i) => i.code === 'AUTH_NOT_APPROVED' && i.row === row)?.message ?? '';
    expect(message(2)).toMatch(/it is Pending\. Report status 1, 2 or 4 until the authorization is approved/);
    expect(message(3)).toMatch(/it is Denied\./);
    expect(message(3)).not.toMatch(/until the authorization is approved/);
    expect(message(3)).toMatch(/status 4/);
    expect(message(4)).toMatch(/it is Expired\./);
    expect(message(4)).not.toMatch(/until the authorization is approved/);
    expect(message(4)).toMatch(/re-authorization/);
  });
});

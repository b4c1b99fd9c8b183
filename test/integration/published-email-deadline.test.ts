// The email about a published MIF, mini-MIF or CSASF names the day the provider's answer is due.
// The answer is due in the month after the file's reporting period (the slot's month), whenever
// the file goes out: a CSASF of the 29th caught up on December 2, or a MIF republished in
// December, is answered by the December window, not by "next month" read from the email's date.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRepublish, generate, republish } from '../../src/generate/run.js';
import type { TestDb } from '../helpers/db.js';
import type { TestSftp } from '../helpers/dev-sftp.js';
import { closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;
let db: TestDb;
let sftp: TestSftp;
let deps: Parameters<typeof generate>[2];

beforeAll(async () => {
  w = await openPlanWorld('mail-due', { csAuthorizations: true });
  ({ db, sftp, deps } = w);
});
afterAll(() => closePlanWorld(w));

const bodyOf = async (file: string): Promise<string> =>
  (await db.pool.query<{ body: string }>(`select body from notifications where subject like '%: ' || $1`, [file])).rows[0]!.body;

describe('the email about a published file names when the answer is due', () => {
  it('a MIF published on its 15th: the RTF and OTF for its period by 12/05/2026, corrections through 12/10/2026', async () => {
    const r = await generate('mif', { date: '2026-11-15', provider: 'ACME', now: new Date('2026-11-15T06:30:00-08:00') }, deps);
    const hn = r.units.find((u) => u.lob === 'HN')!;
    expect(hn.status).toBe('PUBLISHED');
    const body = await bodyOf(hn.file!);
    expect(body).toContain('Return your RTF and Outreach Tracker File for reporting period 11/2026 by 12/05/2026 (corrections through 12/10/2026).');
  });

  it('a CSASF of November 29 caught up on December 2 is answered by December 10, not "the 10th of next month" (January)', async () => {
    const r = await generate('csasf', { date: '2026-11-29', provider: 'HOMEWAY', now: new Date('2026-12-02T09:00:00-08:00') }, deps);
    expect(r.units[0]!.status).toBe('PUBLISHED');
    const body = await bodyOf(r.units[0]!.file!);
    expect(body).not.toContain('next month');
    expect(body).toContain('Report on these members with your CS Provider Return Transmission File for reporting period 11/2026 by 12/10/2026.');
  });

  it('a November MIF republished on December 3 is answered by December 5, not "the 5th of next month"', async () => {
    await checkRepublish(db.pool, 'mif', '2026-11-15', 'ACME', '2026-12-03');
    const r = await republish('mif', { date: '2026-11-15', provider: 'ACME', reason: 'assignments re-imported', now: new Date('2026-12-03T10:00:00-08:00') }, deps);
    const hn = r.units.find((u) => u.lob === 'HN')!;
    expect(hn.status).toBe('PUBLISHED');
    const body = await bodyOf(hn.file!);
    expect(body).not.toContain('next month');
    expect(body).toContain('for reporting period 11/2026 by 12/05/2026 (corrections through 12/10/2026).');
  });

  it('a header-only file (no members) asks for nothing back: no RTF, OTF or CSPRTF is owed for it, and one sent would be rejected as empty', async () => {
    await db.pool.query(`insert into providers (provider_code, npi, tin, name, contact_email, liaison_email, sftp_folder) values ('QUIET', '1245319599', '222333444', 'Quiet Care', 'ops@quiet.example', 'liaison@plan.example', 'QUIET')`);
    await db.pool.query(`insert into provider_contracts values ('QUIET', 'HN', 'ECM'), ('QUIET', 'HN', 'CS')`);
    fs.mkdirSync(path.join(sftp.root, 'QUIET', 'downloads'), { recursive: true });
    const mif = await generate('mif', { date: '2026-11-15', provider: 'QUIET', now: new Date('2026-11-15T06:30:00-08:00') }, deps);
    expect(mif.units[0]).toMatchObject({ status: 'PUBLISHED', rows: 0 });
    const mifBody = await bodyOf(mif.units[0]!.file!);
    expect(mifBody).toMatch(/no members this time/);
    expect(mifBody).not.toMatch(/Return your RTF/);
    expect(mifBody).toContain('Nothing is due back for this file: no RTF or Outreach Tracker File is owed for reporting period 11/2026 in this line of business.');
    const cs = await generate('csasf', { date: '2026-11-15', provider: 'QUIET', now: new Date('2026-11-15T06:45:00-08:00') }, deps);
    expect(cs.units[0]).toMatchObject({ status: 'PUBLISHED', rows: 0 });
    const csBody = await bodyOf(cs.units[0]!.file!);
    expect(csBody).not.toMatch(/Report on these members/);
    expect(csBody).toContain('Nothing is due back for this file: no CS Provider Return Transmission File is owed for it.');
  });

  it('a file caught up after its period\'s window closed says so, and names the next period\'s window, where it named days already past', async () => {
    // (the scheduler down from before November 15 to December 14: the November MIF and the
    // November 29 CSASF go out on December 14, after the December window for 11/2026 closed)
    const mif = await generate('mif', { date: '2026-11-15', provider: 'RIVAL', now: new Date('2026-12-14T09:00:00-08:00') }, deps);
    const unit = mif.units.find((u) => u.status === 'PUBLISHED' && u.rows > 0)!;
    const body = await bodyOf(unit.file!);
    expect(body).not.toContain('by 12/05/2026');
    expect(body).toContain('The window for reporting period 11/2026 closed on 12/10/2026, before this file was sent: a file for that period is no longer accepted. '
      + 'Report these members on your RTF and Outreach Tracker File for reporting period 12/2026 by 01/05/2027 (corrections through 01/10/2027).');
    const cs = await generate('csasf', { date: '2026-11-29', provider: 'MEALS', now: new Date('2026-12-14T09:00:00-08:00') }, deps);
    const csBody = await bodyOf(cs.units[0]!.file!);
    expect(csBody).toContain('The window for reporting period 11/2026 closed on 12/10/2026, before this file was sent: a file for that period is no longer accepted. '
      + 'Report these members on your CS Provider Return Transmission File for reporting period 12/2026 by 01/10/2027.');
  });
});


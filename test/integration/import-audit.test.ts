// The upstream imports as the plan's data team meets them: extracts saved by other tools, and a
// member's story told across several extracts.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUpstream, ImportFileError } from '../../src/import/upstream.js';
import { closePlanWorld, importExtract, MEMBERS_HEADER, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('import-audit');
});
afterAll(async () => {
  await closePlanWorld(w);
});

const AT = '2026-11-20T17:00:00Z';
const one = async (sql: string, params: unknown[] = []) => (await w.db.pool.query(sql, params)).rows[0];
const ANN = '91000001A,M1,Alpha,Ann,1980-02-14,F,English,1 A St,Fresno,CA,93701,5595551001,Fresno,N';

describe('upstream extracts as other tools save them', () => {
  it('refuses a header naming a column twice as a whole, naming the column, where the last one silently won', async () => {
    // a second cin column (a lookup pasted beside the extract): which one is the member's?
    const err = await importExtract(w, 'members', 'dup-header.csv', [`${ANN},92222222B`], AT, `${MEMBERS_HEADER},cin`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as Error).message).toMatch(/cin/);
    expect((err as Error).message).toMatch(/more than once/);
    expect((err as Error).message).not.toMatch(/92222222B/);
  });

  it('refuses a row that is not UTF-8 text (Excel\'s plain "CSV" on Windows), by row and code, where its name was stored with a replacement character', async () => {
    // Windows-1252: ñ is the one byte F1, no UTF-8 character
    const file = path.join(w.dataDir, 'cp1252.csv');
    fs.writeFileSync(file, Buffer.concat([
      Buffer.from(`${MEMBERS_HEADER}\r\n`),
      Buffer.from('91000001A,M1,Pe'), Buffer.from([0xf1]), Buffer.from('a,Ann,1980-02-14,F,English,1 A St,Fresno,CA,93701,5595551001,Fresno,N\r\n'),
      Buffer.from('91000002B,M2,Bravo,Ben,1975-03-05,M,Spanish,2 B St,Fresno,CA,93702,5595551002,Fresno,N\r\n'),
    ]));
    const s = await importUpstream(w.db.pool, 'members', file, { now: new Date(AT) });
    expect(s).toMatchObject({ rowsRead: 2, rowsImported: 1, rowsRejected: 1 });
    expect(s.rejects).toEqual([{ row: 2, code: 'csv-encoding', message: expect.stringMatching(/UTF-8/) }]);
    expect(JSON.stringify(s.rejects)).not.toMatch(/Pe|Ann|91000001A/);
    expect((await one("select last_name from members where cin = '91000001A'")).last_name).toBe('Alpha');
  });
});

describe("a member's story across extracts", () => {
  it('two new referrals of one member and line to two providers in one extract: the first approved starts the episode, the other is a conflict, as in two extracts', async () => {
    // 91000007G has no ECM assignment; ACME's referral was approved first
    const rows = ['R-7B,91000007G,RIVAL,HN,2026-11-02', 'R-7A,91000007G,ACME,HN,2026-11-01'];
    const first = await importExtract(w, 'referrals', 'ref-two.csv', rows, AT);
    expect(first.conflicts).toEqual([{ row: 2, referralId: 'R-7B', cin: '91000007G', lob: 'HN', currentProvider: 'ACME', referredProvider: 'RIVAL' }]);
    expect(first).toMatchObject({ rowsImported: 1, rowsRejected: 1 });
    expect(await one("select provider_code, status, assigned_date from ecm_assignments where cin = '91000007G' and lob = 'HN'"))
      .toEqual({ provider_code: 'ACME', status: 1, assigned_date: '2026-11-01' });
    // the referral not applied is no referral of RIVAL's waiting to be sent (its SLA alert would be false)
    expect(await one("select count(*)::int n from ecm_referrals where referral_id = 'R-7B'")).toEqual({ n: 0 });
    expect(await one("select referred_provider, resolved_at from ecm_referral_conflicts where referral_id = 'R-7B'")).toEqual({ referred_provider: 'RIVAL', resolved_at: null });
    // the same extract again: the same outcome
    const again = await importExtract(w, 'referrals', 'ref-two.csv', rows, '2026-11-21T17:00:00Z');
    expect(again.conflicts).toEqual(first.conflicts);
    expect(await one("select provider_code from ecm_assignments where cin = '91000007G' and lob = 'HN'")).toEqual({ provider_code: 'ACME' });
  });

  it('an older assignment extract imported after a newer one does not move the member back to the provider it left', async () => {
    const A = ['cin,provider_code,lob,status,assigned_date,pof,enrollment_start,enrollment_end,acuity,lcm_name,lcm_phone'][0]!;
    // 91000008H: with ACME since September (the October extract), then RIVAL from November 5 (the November one)
    const october = ['91000008H,ACME,HN,1,2026-09-01,,,,,,'];
    const november = ['91000008H,RIVAL,HN,1,2026-11-05,,,,,,'];
    await importExtract(w, 'ecm-assignments', 'asg-oct.csv', october, '2026-10-02T17:00:00Z', A);
    await importExtract(w, 'ecm-assignments', 'asg-nov.csv', november, '2026-11-06T17:00:00Z', A);
    expect(await one("select provider_code from ecm_assignments where cin = '91000008H' and lob = 'HN'")).toEqual({ provider_code: 'RIVAL' });
    // ops load October's file again by mistake
    const again = await importExtract(w, 'ecm-assignments', 'asg-oct.csv', october, '2026-11-20T17:00:00Z', A);
    expect(again).toMatchObject({ rowsImported: 0, rowsRejected: 1 });
    expect(again.rejects).toEqual([{ row: 2, column: 'assigned_date', message: expect.stringMatching(/before .*RIVAL/) }]);
    expect(JSON.stringify(again.rejects)).not.toMatch(/91000008H|2026-09-01|2026-11-05/);
    expect(await one("select provider_code, assigned_date from ecm_assignments where cin = '91000008H' and lob = 'HN'"))
      .toEqual({ provider_code: 'RIVAL', assigned_date: '2026-11-05' });
    // a move back with its own, newer date is a switch as any other
    const back = await importExtract(w, 'ecm-assignments', 'asg-dec.csv', ['91000008H,ACME,HN,1,2026-11-25,,,,,,'], '2026-11-26T17:00:00Z', A);
    expect(back).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await one("select provider_code from ecm_assignments where cin = '91000008H' and lob = 'HN'")).toEqual({ provider_code: 'ACME' });
  });
});

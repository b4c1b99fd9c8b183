// A file is never republished ahead of its day: checkRepublish (behind `republish` and the web
// page's republish form) refuses a slot after today, even one a file was already published for
// (as `generate --date` with a future date did before it was refused: December's MIF sent in
// November). Republished there, it would be built again from November's records.
//
// A republished version is built from the records as they are on the day it is produced, so its
// production date is that day (plan-local, by the run's clock), not the slot's: a provider with
// both versions of November's MIF can tell them apart. What is tied to the slot (the reporting
// period, the name, the slot on record) stays the slot's.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRepublish, generate, republish, RepublishRefused } from '../../src/generate/run.js';
import type { TestDb } from '../helpers/db.js';
import type { TestSftp } from '../helpers/dev-sftp.js';
import { closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';
import { readRecords } from '../helpers/workbook.js';

let w: PlanWorld;
let db: TestDb;
let sftp: TestSftp;
let deps: Parameters<typeof generate>[2];

beforeAll(async () => {
  w = await openPlanWorld('republish-future', { csAuthorizations: true });
  ({ db, sftp, deps } = w);
});
afterAll(() => closePlanWorld(w));

describe('republish of a slot after today', () => {
  it('is refused, naming the slot and today, even when a file was published for it; allowed from its day on', async () => {
    const r = await generate('mif', { date: '2026-12-15', provider: 'ACME', now: new Date('2026-12-15T06:30:00-08:00') }, deps);
    expect(r.published).toBeGreaterThan(0);
    const refused = checkRepublish(db.pool, 'mif', '2026-12-15', 'ACME', '2026-11-20');
    await expect(refused).rejects.toBeInstanceOf(RepublishRefused);
    await expect(refused).rejects.toThrow('the mif slot 2026-12-15 is in the future (today is 2026-11-20 in the plan time zone): a file is republished only once its day has come');
    await expect(checkRepublish(db.pool, 'mif', '2026-12-15', 'ACME', '2026-12-15')).resolves.toBeUndefined();
    await expect(checkRepublish(db.pool, 'mif', '2026-12-15', 'ACME', '2026-12-16')).resolves.toBeUndefined();
  });

  it('a future slot nothing was published for is refused as in the future, not "use generate" (which refuses it too)', async () => {
    await expect(checkRepublish(db.pool, 'mif', '2027-01-15', 'ACME', '2026-12-20')).rejects.toThrow(/^the mif slot 2027-01-15 is in the future/);
  });
});

describe('the production date of a republished version', () => {
  const downloads = (code: string) => path.join(sftp.root, code, 'downloads');
  // published on its day, and republished five days later (10:00 in the plan's zone, Pacific)
  const scheduled = new Date('2026-11-15T06:30:00-08:00');
  const later = new Date('2026-11-20T18:00:00Z');
  const evening = new Date('2026-11-21T05:30:00Z');
  const recorded = async (kind: string, provider: string) =>
    (await db.pool.query<{ file_name: string; slot: string; reporting_period: string; published_at: Date; replaced: boolean }>(
      `select file_name, slot::text, reporting_period::text, published_at, replaced_at is not null replaced from outbound_files
       where kind = $1 and provider_code = $2 and slot = '2026-11-15' order by id`, [kind, provider])).rows;

  it('a MIF: the first version says the slot, the republished one the day it was produced; the period and the slot in its name stay', async () => {
    const first = await generate('mif', { date: '2026-11-15', provider: 'RIVAL', now: scheduled }, deps);
    expect(first.units.map((u) => [u.status, u.file])).toEqual([['PUBLISHED', 'HN_MIF_1987654328_20261115.xlsx']]);
    await checkRepublish(db.pool, 'mif', '2026-11-15', 'RIVAL', '2026-11-20');
    const again = await republish('mif', { date: '2026-11-15', provider: 'RIVAL', reason: 'test: production date', now: later }, deps);
    expect(again.slot).toBe('2026-11-15');
    expect(again.units.map((u) => [u.status, u.file, u.replaces])).toEqual([['PUBLISHED', 'HN_MIF_1987654328_20261115_2.xlsx', 'HN_MIF_1987654328_20261115.xlsx']]);
    const dates = async (name: string) =>
      (await readRecords(path.join(downloads('RIVAL'), name))).MIF!.map((x) => [x.productionDate, x.reportingPeriod]);
    expect(await dates('HN_MIF_1987654328_20261115.xlsx')).toEqual([[{ date: '2026-11-15' }, '11/2026']]);
    expect(await dates('HN_MIF_1987654328_20261115_2.xlsx')).toEqual([[{ date: '2026-11-20' }, '11/2026']]);
    // the pre-filled RTF of the new version still answers November
    expect((await readRecords(path.join(downloads('RIVAL'), 'HN_MIF_1987654328_20261115_2.xlsx'))).RTF!.map((x) => x.reportingPeriod)).toEqual(['11/2026']);
    // on record: both versions of the slot's file, of its period; the new one published when it was produced
    expect(await recorded('MIF', 'RIVAL')).toEqual([
      { file_name: 'HN_MIF_1987654328_20261115.xlsx', slot: '2026-11-15', reporting_period: '2026-11-01', published_at: scheduled, replaced: true },
      { file_name: 'HN_MIF_1987654328_20261115_2.xlsx', slot: '2026-11-15', reporting_period: '2026-11-01', published_at: later, replaced: false },
    ]);
    // the provider's email names the file it replaces and says why the production dates differ
    const mail = (await db.pool.query<{ body: string }>(`select body from notifications where kind = 'published-mif' and subject like '%: HN_MIF_1987654328_20261115_2.xlsx'`)).rows;
    expect(mail).toHaveLength(1);
    expect(mail[0]!.body).toContain('It replaces HN_MIF_1987654328_20261115.xlsx, sent earlier for the same date (11/15/2026): use this one. Its production date is the day it was made');
  });

  it('a CSASF: the same', async () => {
    const first = await generate('csasf', { date: '2026-11-15', provider: 'MEALS', now: scheduled }, deps);
    expect(first.units.map((u) => [u.status, u.file])).toEqual([['PUBLISHED', 'HN_CSASF_1437825213_20261115.xlsx']]);
    const again = await republish('csasf', { date: '2026-11-15', provider: 'MEALS', reason: 'test: production date', now: later }, deps);
    expect(again.units.map((u) => [u.status, u.file, u.replaces])).toEqual([['PUBLISHED', 'HN_CSASF_1437825213_20261115_2.xlsx', 'HN_CSASF_1437825213_20261115.xlsx']]);
    const dates = async (name: string) => (await readRecords(path.join(downloads('MEALS'), name))).CSASF!.map((x) => [x.cin, x.productionDate]);
    expect(await dates('HN_CSASF_1437825213_20261115.xlsx')).toEqual([['91000005E', { date: '2026-11-15' }]]);
    expect(await dates('HN_CSASF_1437825213_20261115_2.xlsx')).toEqual([['91000005E', { date: '2026-11-20' }]]);
    expect(await recorded('CSASF', 'MEALS')).toEqual([
      { file_name: 'HN_CSASF_1437825213_20261115.xlsx', slot: '2026-11-15', reporting_period: '2026-11-01', published_at: scheduled, replaced: true },
      { file_name: 'HN_CSASF_1437825213_20261115_2.xlsx', slot: '2026-11-15', reporting_period: '2026-11-01', published_at: later, replaced: false },
    ]);
  });

  it('is the plan-local day: republished at 05:30 UTC on the 21st, still the evening of the 20th in the plan\'s zone', async () => {
    const again = await republish('csasf', { date: '2026-11-15', provider: 'MEALS', reason: 'test: plan-local date', now: evening }, deps);
    expect(again.units.map((u) => [u.status, u.file])).toEqual([['PUBLISHED', 'HN_CSASF_1437825213_20261115_3.xlsx']]);
    const recs = await readRecords(path.join(downloads('MEALS'), 'HN_CSASF_1437825213_20261115_3.xlsx'));
    expect(recs.CSASF!.map((x) => x.productionDate)).toEqual([{ date: '2026-11-20' }]);
    expect((await recorded('CSASF', 'MEALS')).map((x) => [x.file_name, x.published_at, x.replaced])).toEqual([
      ['HN_CSASF_1437825213_20261115.xlsx', scheduled, true],
      ['HN_CSASF_1437825213_20261115_2.xlsx', later, true],
      ['HN_CSASF_1437825213_20261115_3.xlsx', evening, false],
    ]);
  });

  it('a first version published late (a catch-up) is the slot\'s file and keeps the slot\'s date', async () => {
    const late = await generate('mif', { date: '2026-11-15', provider: 'ACME', now: later }, deps);
    expect(late.units.map((u) => [u.lob, u.status, u.replaces])).toEqual([['HN', 'PUBLISHED', undefined], ['CV', 'PUBLISHED', undefined]]);
    for (const u of late.units) {
      const dates = (await readRecords(path.join(downloads('ACME'), u.file!))).MIF!.map((x) => x.productionDate);
      expect(dates.length).toBe(u.rows);
      expect(new Set(dates.map((d) => JSON.stringify(d)))).toEqual(new Set([JSON.stringify({ date: '2026-11-15' })]));
    }
  });
});

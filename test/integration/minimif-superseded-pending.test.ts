// A mini-MIF slot whose run was killed mid-publish (its `.part` written, not yet renamed; its
// version recorded PENDING) and then superseded by the next day's slot (catch-up never resumes
// it): the referrals that file carried go out on the next day's mini-MIF (nothing is lost), and
// the run that supersedes it closes the version (FAILED, saying why) and removes its stale
// `.part` from the provider's downloads/, unless another run holds the old slot (a second
// scheduler, an operator's generate --date): then the next run does it once that one has ended.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobDefinitions } from '../../jobs/schedule.js';
import { claimRun, finishRun } from '../../src/repositories/run-ledger.js';
import { Coordinator } from '../../src/runs/coordinator.js';
import type { SftpSession } from '../../src/sftp/client.js';
import { closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('minimif-superseded');
});
afterAll(() => closePlanWorld(w));

const q = (sql: string, params: unknown[] = []) => w.db.pool.query(sql, params);
const downloads = (code: string) => path.join(w.sftp.root, code, 'downloads');
const listDownloads = (code: string) => (fs.existsSync(downloads(code)) ? fs.readdirSync(downloads(code)).sort() : []);

/** A session whose publish is killed after writing the `.part` (half of it), before the rename. */
const killedMidPublish = async (): Promise<SftpSession> => {
  const s = await w.sftp.openSession();
  return {
    ...s,
    list: (d) => s.list(d), stat: (p) => s.stat(p), exists: (p) => s.exists(p), download: (p, o) => s.download(p, o),
    move: (f, t, n) => s.move(f, t, n), ensureDir: (d) => s.ensureDir(d), remove: (p) => s.remove(p), close: () => s.close(),
    publish: async (dir, name, bytes) => {
      await s.ensureDir(dir);
      fs.writeFileSync(path.join(w.sftp.root, dir, `.${name}.part`), bytes.subarray(0, bytes.length >> 1));
      throw new Error('process killed mid-publish');
    },
  };
};

const coordinator = (openSession: () => Promise<SftpSession>, owner: string, at: string) =>
  new Coordinator(jobDefinitions({ pool: w.db.pool, config: w.config, openSession }, ['mini-mif']), { pool: w.db.pool, config: w.config, owner, now: () => new Date(at) });

const version = async (slot: string) =>
  (await q(`select status, error from outbound_files where kind = 'MINIMIF' and provider_code = 'ACME' and lob = 'HN' and slot = $1 order by id`, [slot])).rows;

describe('a mini-MIF killed mid-publish, then superseded by the next day\'s', () => {
  it('its referrals go out on the next day\'s file; that run closes the version and removes its .part', async () => {
    await q(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) values ('91000007G', 'HN', 'ACME', 1, '2026-11-11')`);
    await q(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('REF-K-1', '91000007G', 'ACME', 'HN', '2026-11-11')`);
    // November 16, 07:00: the run is killed while the provider's file is being renamed into place
    const killed = await coordinator(killedMidPublish, 'A', '2026-11-16T15:00:00Z').fire('mini-mif', new Date('2026-11-16T15:00:00Z'));
    expect(killed.status).toBe('failed');
    expect(await version('2026-11-16')).toEqual([{ status: 'PENDING', error: null }]);
    expect(listDownloads('ACME')).toEqual(['.HN_MINIMIF_1234567893_20261116.xlsx.part']);

    // the scheduler comes back the next day: the 16th is superseded by the 17th, never resumed
    const next = await coordinator(() => w.sftp.openSession(), 'B', '2026-11-17T16:00:00Z').catchUp();
    expect(next.map((r) => [r.slot, r.status])).toEqual([['2026-11-17', 'ran']]);
    // nothing lost: the member the PENDING file carried is on the 17th's, and its referral is sent on it
    const sent = (await q(`select f.mini_mif_file_id, o.slot::text, o.status, o.file_name from ecm_referrals f join outbound_files o on o.id = f.mini_mif_file_id where f.referral_id = 'REF-K-1'`)).rows;
    expect(sent).toMatchObject([{ slot: '2026-11-17', status: 'PUBLISHED', file_name: 'HN_MINIMIF_1234567893_20261117.xlsx' }]);
    // the stale .part is gone, and the version is closed, saying why
    expect(listDownloads('ACME')).toEqual(['HN_MINIMIF_1234567893_20261117.xlsx']);
    expect(await version('2026-11-16')).toEqual([{ status: 'FAILED', error: expect.stringMatching(/never published.*superseded by the mini-mif of 2026-11-17/) }]);
    const counts = (await q(`select counts from runs where job = 'mini-mif' and slot = '2026-11-17' and status = 'SUCCEEDED'`)).rows[0].counts;
    expect(counts).toMatchObject({ published: 1, superseded: 1 });
  });

  it('another run holding the old slot (a second scheduler, generate --date) keeps its .part; the next run after it ended removes it, even with nothing to send', async () => {
    await q(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) values ('91000008H', 'HN', 'ACME', 1, '2026-11-15')`);
    await q(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ('REF-K-2', '91000008H', 'ACME', 'HN', '2026-11-15')`);
    const killed = await coordinator(killedMidPublish, 'A', '2026-11-20T15:00:00Z').fire('mini-mif', new Date('2026-11-20T15:00:00Z'));
    expect(killed.status).toBe('failed');
    const part = '.HN_MINIMIF_1234567893_20261120.xlsx.part';
    expect(listDownloads('ACME')).toContain(part);
    // an operator's generate --date 2026-11-20 is live on the 20th (it may be writing that very .part)
    const live = await claimRun(w.db.pool, 'mini-mif', '2026-11-20', 'instance-C', 'manual', w.config.ABANDON_AFTER_SECONDS);
    if (!live.claimed) throw new Error('slot not claimed');
    const day21 = await coordinator(() => w.sftp.openSession(), 'B', '2026-11-21T15:00:00Z').fire('mini-mif', new Date('2026-11-21T15:00:00Z'));
    expect(day21).toMatchObject({ status: 'ran', counts: { published: 1 } });
    expect((await q(`select o.slot::text from ecm_referrals f join outbound_files o on o.id = f.mini_mif_file_id where f.referral_id = 'REF-K-2'`)).rows).toEqual([{ slot: '2026-11-21' }]);
    expect(listDownloads('ACME')).toContain(part);
    expect(await version('2026-11-20')).toEqual([{ status: 'PENDING', error: null }]);
    // that run ends; the next day's run has nothing to send to ACME, and still tidies its folder
    await finishRun(w.db.pool, live.run.id, 'instance-C', 'FAILED', {}, 'stopped');
    const day22 = await coordinator(() => w.sftp.openSession(), 'B', '2026-11-22T15:00:00Z').fire('mini-mif', new Date('2026-11-22T15:00:00Z'));
    expect(day22).toMatchObject({ status: 'ran', counts: { published: 0, superseded: 1 } });
    expect(listDownloads('ACME')).not.toContain(part);
    expect(listDownloads('ACME').filter((f) => f.startsWith('.'))).toEqual([]);
    expect(await version('2026-11-20')).toEqual([{ status: 'FAILED', error: expect.stringMatching(/superseded by the mini-mif of 2026-11-22/) }]);
  });
});

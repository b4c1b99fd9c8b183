// Every upload is read as a whole and answered once: sheets of one layout in one file add up;
// a file declined as late may come back unchanged and is then read; two uploads never share a
// response; a name too long to move, or a file that cannot be moved, is answered and not
// retried forever; a poller's claim on a provider folder is a row, not a session lock. The
// email about a response says the same whether the poll that took the file answered it or the
// next poll finished the answer.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OTF, RTF } from '../../schemas/index.js';
import type { Config } from '../../src/config.js';
import { generate } from '../../src/generate/run.js';
import { pollOnce } from '../../src/ingest/poll.js';
import { ingestFile, type InboundFile } from '../../src/ingest/pipeline.js';
import { respondLocally } from '../../src/ingest/respond.js';
import { STAGE_BATCH } from '../../src/ingest/sheet-writer.js';
import { findSubmission } from '../../src/repositories/submissions.js';
import { SftpError } from '../../src/sftp/client.js';
import type { TestDb } from '../helpers/db.js';
import type { TestSftp } from '../helpers/dev-sftp.js';
import { closePlanWorld, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';
import { P } from '../helpers/plan.js';
import { otf, otfRow, rtf, rtfRow, workbook } from '../helpers/provider-files.js';

let db: TestDb;
let sftp: TestSftp;
let dataDir: string;
let config: Config;
let world: PlanWorld;

beforeAll(async () => {
  world = await openPlanWorld('answers', { settings: { SFTP_STABLE_SECONDS: '0' } });
  ({ db, sftp, dataDir, config } = world);
  await generate('mif', onSlotDay('2026-11-15'), world.deps);
});
afterAll(() => closePlanWorld(world));

/** As `ingest FILE` does it: processed, then answered in a local folder. */
async function ingestAndAnswer(file: InboundFile) {
  const done = await ingestFile({ pool: db.pool, config }, file);
  await respondLocally({ pool: db.pool, config }, done, path.join(dataDir, 'responses'), file.receivedAt);
  return done;
}
const one = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows[0];
const attempts = (n: number, from: number) =>
  Array.from({ length: n }, (_, i) => otfRow({ cin: i % 2 ? '91000002B' : '91000001A', attemptDate: { date: `2026-11-${String(from + i).padStart(2, '0')}` } }));

describe('sheets of one layout in one file', () => {
  it('an OTF split over two tabs counts every accepted attempt of both tabs', async () => {
    const bytes = await workbook([[OTF, attempts(8, 1), 'OTF part 1'], [OTF, attempts(8, 11), 'OTF part 2']]);
    const done = await ingestFile({ pool: db.pool, config }, { provider: 'ACME', originalName: 'OTF_ACME_202611_tabs.xlsx', bytes, receivedAt: new Date('2026-12-02T17:00:00Z'), source: 'cli' });
    expect(done.document).toMatchObject({ rowsRead: 16, rowsAccepted: 16 });
    expect(await one(`select count(*)::int n from current_outreach_attempts a join submission_sheets s on s.id = a.sheet_id where s.submission_id = $1`, [done.submissionId])).toEqual({ n: 16 });
    expect(await one(`select count(*)::int n from submission_sheets where submission_id = $1 and superseded_by is null and applied`, [done.submissionId])).toEqual({ n: 2 });
  });

  it('a later file merges with both tabs of the earlier file: its new attempts are added, the earlier ones keep counting', async () => {
    // (it once replaced the earlier file whole; corrections now merge by key, spec §6)
    const bytes = await workbook([[OTF, attempts(3, 21), 'OTF']]);
    const done = await ingestFile({ pool: db.pool, config }, { provider: 'ACME', originalName: 'OTF_ACME_202611_fix.xlsx', bytes, receivedAt: new Date('2026-12-03T17:00:00Z'), source: 'cli' });
    expect(done.document).toMatchObject({ rowsAccepted: 3 });
    expect(done.document.merge).toEqual([expect.objectContaining({ lob: 'HN', added: 3, updated: 0, kept: 16 })]);
    expect(await one(`select count(*)::int n from current_outreach_attempts where provider_code = 'ACME'`)).toEqual({ n: 19 });
  });

  it('cross-row rules span the sheets of the file: a CIN on two RTF tabs is accepted once', async () => {
    const bytes = await workbook([[RTF, [rtfRow({ acuity: 'Medium' })], 'RTF A'], [RTF, [rtfRow({ acuity: 'High' })], 'RTF B'], [OTF, attempts(1, 25), 'OTF A'], [OTF, attempts(1, 25), 'OTF B']]);
    const done = await ingestFile({ pool: db.pool, config }, { provider: 'ACME', originalName: 'RTF_OTF_ACME_202611_tabs.xlsx', bytes, receivedAt: new Date('2026-12-04T17:00:00Z'), source: 'cli' });
    const dup = done.document.issues.find((i) => i.code === 'DUPLICATE_CIN');
    expect(dup).toMatchObject({ sheet: 'RTF B', severity: 'error' });
    expect(dup!.message).toMatch(/of sheet "RTF A"/);
    expect(done.document.issues.find((i) => i.code === 'OTF_DUPLICATE_ATTEMPT')).toMatchObject({ sheet: 'OTF B' });
    expect(await one(`select acuity from ecm_assignments where cin = '91000001A'`)).toEqual({ acuity: 'Medium' });
    expect(await one(`select count(*)::int n from submission_sheets where submission_id = $1 and superseded_by is null and applied`, [done.submissionId])).toEqual({ n: 4 });
  });
});

describe('what the response says a file did', () => {
  // rows are staged and merged in batches of STAGE_BATCH: these files repeat the same attempts
  // across two batches, so a batch meets keys an earlier batch of the same file merged
  const ROWS = STAGE_BATCH + 400;
  const cycling = (rows: number, firstDay: number) => Array.from({ length: rows }, (_, i) =>
    otfRow({ cin: '91000005E', clientName: 'Ed Echo', attemptDate: { date: `2026-11-${String(firstDay + (i % 10)).padStart(2, '0')}` } }, P.ECM2));

  it('an attempt repeated across staging batches is added once; against an earlier file it is updated once, never also added', async () => {
    const first = await ingestFile({ pool: db.pool, config }, { provider: 'RIVAL', originalName: 'OTF_RIVAL_202611.xlsx', bytes: await otf(cycling(ROWS, 1)), receivedAt: new Date('2026-12-02T17:00:00Z'), source: 'cli' });
    expect(first.document.rowsAccepted).toBe(ROWS);
    expect(first.document.merge).toEqual([expect.objectContaining({ lob: 'HN', updated: 0, added: 10, kept: 0 })]);
    // attempts of the 6th to the 15th: five the first file had, five new
    const second = await ingestFile({ pool: db.pool, config }, { provider: 'RIVAL', originalName: 'OTF_RIVAL_202611_v2.xlsx', bytes: await otf(cycling(ROWS, 6)), receivedAt: new Date('2026-12-03T17:00:00Z'), source: 'cli' });
    expect(second.document.merge).toEqual([expect.objectContaining({ lob: 'HN', updated: 5, added: 5, kept: 5, updatedFrom: [{ submissionId: first.submissionId, rows: 5 }] })]);
    expect(await one(`select count(*)::int n from current_rows where provider_code = 'RIVAL' and layout = 'OTF'`)).toEqual({ n: 15 });
  });

  it('a correction of a file REJECTED whole says which of its errors are fixed', async () => {
    const ed = rtfRow({ cin: '91000005E', lastName: 'Echo', firstName: 'Ed' }, P.ECM2);
    const send = (name: string, bytes: Buffer, day: number) => ingestFile({ pool: db.pool, config }, {
      provider: 'RIVAL', originalName: name, bytes, receivedAt: new Date(`2026-12-0${day}T17:00:00Z`), source: 'cli',
    });
    // every row rejected
    const rejected = await send('RTF_RIVAL_202611.xlsx', await rtf([{ ...ed, providerNpi: P.ECM1.npi }]), 2);
    expect(rejected.document).toMatchObject({ outcome: 'REJECTED', rowsRead: 1, rowsRejected: 1 });
    expect(rejected.document.issues.map((i) => i.code)).toEqual(['PROVIDER_NPI_MISMATCH']);
    const fixed = await send('RTF_RIVAL_202611_fixed.xlsx', await rtf([ed]), 3);
    expect(fixed.document).toMatchObject({ outcome: 'ACCEPTED', diff: { fixed: 1, stillFailing: 0, new: 0, notResent: 0 } });
    expect(fixed.liaisonSummary).toMatch(/Compared with the earlier file: 1 error\(s\) fixed/);
    // a sheet rejected for a missing column: the next file of its type is that sheet sent again
    const noStatus = await send('RTF_RIVAL_202611_v3.xlsx', await workbook([[{ ...RTF, columns: RTF.columns.filter((c) => c.key !== 'ecmStatus') }, [ed]]]), 7);
    expect(noStatus.document.outcome).toBe('REJECTED');
    expect(noStatus.document.fileErrors.map((e) => e.code)).toEqual(['SHEET_MISSING_COLUMNS']);
    const complete = await send('RTF_RIVAL_202611_v4.xlsx', await rtf([ed]), 8);
    expect(complete.document).toMatchObject({ outcome: 'ACCEPTED', diff: { fixed: 1, stillFailing: 0, new: 0, notResent: 0 } });
  });

  it('a row sent with the ID-card number instead of the CIN and then with the CIN is fixed, not "not sent again"', async () => {
    const ed = rtfRow({ cin: '91000005E', lastName: 'Echo', firstName: 'Ed' }, P.ECM2);
    const send = (name: string, bytes: Buffer, day: number) => ingestFile({ pool: db.pool, config }, {
      provider: 'RIVAL', originalName: name, bytes, receivedAt: new Date(`2026-12-${String(day).padStart(2, '0')}T17:00:00Z`), source: 'cli',
    });
    // (the wrong provider NPI too: an error of the row found by a later check names the member as well)
    const idCard = await send('RTF_RIVAL_202611_v5.xlsx', await rtf([{ ...ed, cin: '91000005E01234', providerNpi: P.ECM1.npi }]), 9);
    expect(idCard.document.issues.map((i) => [i.code, i.cin])).toEqual([['CIN_IDCARD_NUMBER', '91000005E'], ['PROVIDER_NPI_MISMATCH', '91000005E']]);
    const fixed = await send('RTF_RIVAL_202611_v6.xlsx', await rtf([ed]), 10);
    expect(fixed.document).toMatchObject({ outcome: 'ACCEPTED', diff: { fixed: 2, stillFailing: 0, new: 0, notResent: 0 } });
  });

  it('a row sent with the CIN and then with the ID-card number was sent again: its old error fixed, the ID-card number new', async () => {
    const ed = rtfRow({ cin: '91000005E', lastName: 'Echo', firstName: 'Ed' }, P.ECM2);
    const send = (name: string, bytes: Buffer, hour: number) => ingestFile({ pool: db.pool, config }, {
      provider: 'RIVAL', originalName: name, bytes, receivedAt: new Date(`2026-12-10T${hour}:00:00Z`), source: 'cli',
    });
    // (a second member of RIVAL's, accepted both times, so neither file is rejected whole)
    await db.pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) values ('91000007G', 'HN', 'RIVAL', 1, '2026-09-01')`);
    const gil = rtfRow({ cin: '91000007G', lastName: 'Golf', firstName: 'Gil', ecmStatus: '1' }, P.ECM2);
    const wrongNpi = await send('RTF_RIVAL_202611_v7.xlsx', await rtf([{ ...ed, providerNpi: P.ECM1.npi }, gil]), 18);
    expect(wrongNpi.document.issues.filter((i) => i.severity === 'error').map((i) => [i.code, i.cin])).toEqual([['PROVIDER_NPI_MISMATCH', '91000005E']]);
    const idCard = await send('RTF_RIVAL_202611_v8.xlsx', await rtf([{ ...ed, cin: '91000005E01234' }, gil]), 19);
    expect(idCard.document).toMatchObject({ outcome: 'PARTIALLY_ACCEPTED', diff: { fixed: 1, stillFailing: 0, new: 1, notResent: 0 } });
  });

  it('a correction whose every row is still rejected says what changed since the earlier file too', async () => {
    const ed = rtfRow({ cin: '91000005E01234', lastName: 'Echo', firstName: 'Ed' }, P.ECM2);
    const gil = rtfRow({ cin: '91000007G', lastName: 'Golf', firstName: 'Gil', ecmStatus: '1', acuity: 'Extreme' }, P.ECM2);
    const r = await ingestFile({ pool: db.pool, config }, {
      provider: 'RIVAL', originalName: 'RTF_RIVAL_202611_v9.xlsx', bytes: await rtf([ed, gil]), receivedAt: new Date('2026-12-10T20:00:00Z'), source: 'cli',
    });
    expect(r.document).toMatchObject({ outcome: 'REJECTED', rowsRejected: 2, diff: { fixed: 0, stillFailing: 1, new: 1, notResent: 0 } });
    expect(r.document.merge).toBeUndefined();
    expect(r.liaisonSummary).toMatch(/Compared with the earlier file: 0 error\(s\) fixed, 1 still failing, 1 new, 0 not sent again\./);
  });
});

describe('a file declined as late', () => {
  it('sent again unchanged in the next window is read, not answered DUPLICATE_FILE', async () => {
    const bytes = await workbook([[OTF, [otfRow({ cin: '91000002B', attemptDate: { date: '2026-12-01' }, minutes: 7 })], 'OTF']]);
    const late = await ingestAndAnswer({ provider: 'ACME', originalName: 'OTF_ACME_late.xlsx', bytes, receivedAt: new Date('2026-12-15T17:00:00Z'), source: 'cli' });
    expect(late.document).toMatchObject({ verdict: 'DECLINED_LATE', rowsRead: 0 });
    const again = await ingestAndAnswer({ provider: 'ACME', originalName: 'OTF_ACME_late.xlsx', bytes, receivedAt: new Date('2027-01-04T17:00:00Z'), source: 'cli' });
    expect(again.document.issues.map((i) => i.code)).not.toContain('DUPLICATE_FILE');
    expect(again.document.fileErrors.map((i) => i.code)).not.toContain('DUPLICATE_FILE');
    expect(again.document).toMatchObject({ verdict: 'ON_TIME', period: '2026-12', rowsRead: 1 });
    expect(again.document).not.toHaveProperty('duplicateOf');
    // once read, the same bytes again are a duplicate of the read one, not of the declined one
    const third = await ingestAndAnswer({ provider: 'ACME', originalName: 'OTF_ACME_late.xlsx', bytes, receivedAt: new Date('2027-01-05T17:00:00Z'), source: 'cli' });
    expect(third.document).toMatchObject({ duplicateOf: again.submissionId, rowsRead: 0 });
    expect(third.document.fileErrors.map((i) => i.code)).toEqual(['DUPLICATE_FILE']);
  });
});

describe("a poller's claim on a folder", () => {
  it('survives its database connections being dropped: a second poller meanwhile leaves that folder alone', async () => {
    // The first poller's own pool, named so its backends can be found and terminated.
    const poolA = new pg.Pool({ connectionString: db.url, max: 3, application_name: 'poller-a' });
    poolA.on('error', () => undefined);
    poolA.on('connect', (c) => c.on('error', () => undefined));
    let reached!: (provider: string) => void;
    const atClaim = new Promise<string>((r) => (reached = r));
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    try {
      const first = pollOnce({ pool: poolA, config, openSession: () => sftp.openSession(), onClaim: async (provider) => {
        reached(provider);
        await gate; // holds the poll here, after it claimed its first folder
      } }, { now: new Date('2027-01-20T17:00:00Z') });
      const held = await atClaim;
      // (with a timeout, pg_terminate_backend returns once the backend has exited)
      const killed = await db.pool.query(`select pg_terminate_backend(pid, 10000) from pg_stat_activity where application_name = 'poller-a' and datname = current_database()`);
      expect(killed.rowCount).toBeGreaterThan(0);
      const second = await pollOnce({ pool: db.pool, config, openSession: () => sftp.openSession() }, { now: new Date('2027-01-20T17:00:00Z') });
      expect(second.skipped).toBeUndefined();
      expect(second.byProvider.length).toBeGreaterThan(0);
      expect(second.byProvider.map((p) => p.provider)).not.toContain(held);
      const thatOne = await pollOnce({ pool: db.pool, config, openSession: () => sftp.openSession() }, { now: new Date('2027-01-20T17:00:00Z'), provider: held });
      expect(thatOne.skipped).toBe('another poll is in progress');
      open();
      const a = await first;
      expect(a.skipped).toBeUndefined();
      expect(a.byProvider.map((p) => p.provider)).toEqual([held]); // the others were polled by the second poller meanwhile
      const third = await pollOnce({ pool: db.pool, config, openSession: () => sftp.openSession() }, { now: new Date('2027-01-20T17:01:00Z') });
      expect(third.skipped).toBeUndefined();
      expect(third.byProvider.map((p) => p.provider)).toContain(held);
    } finally {
      open();
      await poolA.end();
    }
  });
});

describe('every upload is answered once', () => {
  const deps = () => ({ pool: db.pool, config, openSession: () => sftp.openSession() });
  const uploads = (p: string) => path.join(sftp.root, p, 'uploads');
  const downloads = (p: string) => path.join(sftp.root, p, 'downloads');
  const put = async (p: string, name: string, day: number, mtime = '2027-02-02T17:00:00Z') => {
    fs.mkdirSync(uploads(p), { recursive: true });
    const file = path.join(uploads(p), name);
    fs.writeFileSync(file, await workbook([[OTF, [otfRow({ attemptDate: { date: `2027-01-${String(day).padStart(2, '0')}` } })], 'OTF']]));
    fs.utimesSync(file, new Date(mtime), new Date(mtime));
  };
  /** Sighting, then taking: the stability check needs two listings. */
  const pollTwice = async (p: string, at: string) => {
    await pollOnce(deps(), { now: new Date(new Date(at).getTime() - 60_000), provider: p });
    return pollOnce(deps(), { now: new Date(at), provider: p });
  };
  const responsesOf = async (names: string[]) =>
    (await db.pool.query<{ original_name: string; state: string; response_name: string }>(
      `select original_name, state, response_name from submissions where original_name = any($1) order by id`, [names])).rows;

  it('two names that sanitise to the same response name each get their own response', async () => {
    const names = ['OTF ä.xlsx', 'OTF ö.xlsx', 'OTF_1.xlsx', 'OTF 1.xlsm'];
    for (const [i, n] of names.entries()) await put('ACME', n, i + 1);
    const r = await pollTwice('ACME', '2027-02-03T17:00:00Z');
    expect(r.results.map((x) => x.error)).toEqual([undefined, undefined, undefined, undefined]);
    const subs = await responsesOf(names);
    expect(subs.map((s) => s.state)).toEqual(['RESPONDED', 'RESPONDED', 'RESPONDED', 'RESPONDED']);
    expect(new Set(subs.map((s) => s.response_name)).size).toBe(4);
    for (const s of subs) expect(fs.existsSync(path.join(downloads('ACME'), s.response_name)), s.response_name).toBe(true);
    expect(fs.readdirSync(uploads('ACME')).filter((n) => names.includes(n))).toEqual([]);
    expect((await pollOnce(deps(), { now: new Date('2027-02-03T17:05:00Z'), provider: 'ACME' })).files).toBe(0);
  });

  it('a 250-character name is answered and moved under a name that fits, extension kept', async () => {
    const name = `OTF_${'x'.repeat(242)}.xlsx`;
    await put('ACME', name, 10);
    const r = await pollTwice('ACME', '2027-02-04T17:00:00Z');
    expect(r.results.map((x) => [x.file, x.error])).toEqual([[name, undefined]]);
    const [sub] = await responsesOf([name]);
    expect(sub!.state).toBe('RESPONDED');
    expect(Buffer.byteLength(sub!.response_name)).toBeLessThan(250);
    expect(fs.existsSync(path.join(downloads('ACME'), sub!.response_name))).toBe(true);
    expect(fs.existsSync(path.join(uploads('ACME'), name))).toBe(false);
    const moved = ['processed', 'failed'].flatMap((d) => (fs.existsSync(path.join(uploads('ACME'), d)) ? fs.readdirSync(path.join(uploads('ACME'), d)) : [])).filter((n) => n.startsWith('OTF_xxxx'));
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatch(/\.xlsx$/);
    expect(Buffer.byteLength(moved[0]!)).toBeLessThanOrEqual(255);
    expect((await pollOnce(deps(), { now: new Date('2027-02-04T17:05:00Z'), provider: 'ACME' })).files).toBe(0);
  });

  it('a file that cannot be moved is answered once, quarantined in place, and not taken again', async () => {
    fs.mkdirSync(uploads('RIVAL'), { recursive: true });
    // the plan's own folders are broken (links to nowhere): any move out of uploads/ fails, every time
    for (const d of ['processed', 'failed']) fs.symlinkSync(path.join(dataDir, 'nowhere', d), path.join(uploads('RIVAL'), d));
    await put('RIVAL', 'OTF_RIVAL_stuck.xlsx', 11);
    const r = await pollTwice('RIVAL', '2027-02-04T17:00:00Z');
    expect(r.results.map((x) => [x.file, x.error, x.quarantined])).toEqual([['OTF_RIVAL_stuck.xlsx', undefined, true]]);
    const sub = await one(`select id, state, upload_disposition, response_name from submissions where original_name = 'OTF_RIVAL_stuck.xlsx'`);
    expect(sub).toMatchObject({ state: 'RESPONDED', upload_disposition: 'quarantined' });
    // and `submission show` says so, long after the poll that quarantined it
    expect((await findSubmission(db.pool, Number(sub.id)))!.upload).toEqual({ disposition: 'quarantined', movedTo: expect.any(String), movedAt: expect.any(Date), quarantineReason: expect.any(String) });
    expect(fs.existsSync(path.join(downloads('RIVAL'), sub.response_name))).toBe(true);
    expect(fs.existsSync(path.join(uploads('RIVAL'), 'OTF_RIVAL_stuck.xlsx'))).toBe(true);
    for (const minute of [5, 10]) {
      const again = await pollOnce(deps(), { now: new Date(`2027-02-04T17:${String(minute).padStart(2, '0')}:00Z`), provider: 'RIVAL' });
      expect(again.files).toBe(0);
    }
    expect(await one(`select count(*)::int n from submissions where original_name = 'OTF_RIVAL_stuck.xlsx'`)).toEqual({ n: 1 });
    expect(fs.readdirSync(downloads('RIVAL')).filter((n) => n.startsWith('OTF_RIVAL_stuck'))).toHaveLength(1);
    // a new version of the file (the provider sends it again: a new modification time; the size
    // alone may well be the same) is taken afresh
    await put('RIVAL', 'OTF_RIVAL_stuck.xlsx', 12, '2027-02-04T17:12:00Z');
    const fresh = await pollTwice('RIVAL', '2027-02-04T17:20:00Z');
    expect(fresh.files).toBe(1);
  });
});

describe('an upload the poll keeps failing on', () => {
  const uploads = () => path.join(sftp.root, 'ACME', 'uploads');
  it('is answered REJECTED (FILE_NOT_PROCESSED) after INGEST_GIVE_UP_AFTER failed polls, moved to failed/, and ops are told; a lost connection does not count', async () => {
    const opsConfig = { ...config, OPS_EMAIL: 'ops@plan.example' };
    // an error of ours (a bug, a statement refused) at every attempt; or a connection lost
    const bug = (point: string) => { if (point === 'ingest-mid-apply') throw new Error('apply statement failed at ingest-mid-apply'); };
    const lost = (point: string) => { if (point === 'ingest-mid-apply') throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }); };
    const poll = (faults: (p: string) => void, at: string) => pollOnce({ pool: db.pool, config: opsConfig, openSession: () => sftp.openSession(), faults }, { now: new Date(at), provider: 'ACME' });
    fs.mkdirSync(uploads(), { recursive: true });
    const file = path.join(uploads(), 'OTF_ACME_poison.xlsx');
    fs.writeFileSync(file, await workbook([[OTF, [otfRow({ attemptDate: { date: '2027-01-13' } })], 'OTF']]));
    fs.utimesSync(file, new Date('2027-02-05T17:00:00Z'), new Date('2027-02-05T17:00:00Z'));
    await poll(bug, '2027-02-05T17:59:00Z'); // (sighted)
    const first = await poll(bug, '2027-02-05T18:00:00Z');
    expect(first.results.map((r) => [r.file, r.error])).toEqual([['OTF_ACME_poison.xlsx', 'apply statement failed at ingest-mid-apply']]);
    // a lost connection says nothing about the file: not counted
    for (const minute of ['01', '02', '03']) expect((await poll(lost, `2027-02-05T18:${minute}:00Z`)).results[0]!.error).toBe('read ECONNRESET');
    expect(await one(`select failures from upload_failures where provider_code = 'ACME'`)).toEqual({ failures: 1 });
    expect((await poll(bug, '2027-02-05T18:04:00Z')).results[0]!.error).toBeDefined();
    const third = await poll(bug, '2027-02-05T18:05:00Z');
    expect(third.results).toEqual([expect.objectContaining({ file: 'OTF_ACME_poison.xlsx', outcome: 'REJECTED', fileErrors: ['FILE_NOT_PROCESSED'], gaveUpAfter: 3 })]);
    expect(third.results[0]!.error).toBeUndefined();
    const sub = await one(`select id, state, outcome, response_name from submissions where original_name = 'OTF_ACME_poison.xlsx'`);
    expect(sub).toMatchObject({ state: 'RESPONDED', outcome: 'REJECTED' });
    expect(fs.existsSync(path.join(sftp.root, 'ACME', 'downloads', sub.response_name))).toBe(true);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(path.join(uploads(), 'failed')).filter((n) => n.includes('poison'))).toHaveLength(1);
    // one response email to the provider and liaison, saying the plan will follow up; one to ops, with the (masked) error
    const mails = (await db.pool.query<{ kind: string; recipients: string[]; body: string }>(
      `select kind, recipients, body from notifications where body like '%OTF_ACME_poison%' order by kind desc`)).rows;
    expect(mails.map((m) => m.kind)).toEqual(['submission-response', 'ops-upload-not-processed']);
    expect(mails[0]!.body).toMatch(/File error FILE_NOT_PROCESSED: The plan could not process this file, because of a problem on the plan's side/);
    expect(mails[0]!.body).not.toMatch(/Corrected rows/); // nothing of the provider's to fix
    expect(mails[1]!.recipients).toEqual(['ops@plan.example']);
    expect(mails[1]!.body).toMatch(/failed on it 3 times in a row[\s\S]*Last error: apply statement failed at ingest-mid-apply/);
    // answered: never taken again, and its count is gone
    expect((await poll(bug, '2027-02-05T18:10:00Z')).files).toBe(0);
    expect(await one(`select count(*)::int n from upload_failures`)).toEqual({ n: 0 });
  });
});

describe('an upload the provider made unreadable to the plan', () => {
  it('is counted like any per-file failure, answered REJECTED (FILE_UNREADABLE) after INGEST_GIVE_UP_AFTER polls, moved to failed/, ops told once; a lost connection does not count', async () => {
    const opsConfig = { ...config, OPS_EMAIL: 'ops@plan.example' };
    const name = 'OTF_ACME_locked.xlsx';
    const uploads = path.join(sftp.root, 'ACME', 'uploads');
    // the provider uploads through its own account, then takes the plan's read permission away (chmod 000 over sFTP)
    const provider = await sftp.openSession('ACME');
    const raw = (provider as unknown as { conn: { sftp: { chmod(p: string, mode: number, cb: (err?: Error | null) => void): void } } }).conn.sftp;
    try {
      await provider.publish('/uploads', name, await workbook([[OTF, [otfRow({ attemptDate: { date: '2027-01-14' } })], 'OTF']]));
      await new Promise<void>((resolve, reject) => raw.chmod(`/uploads/${name}`, 0, (err) => (err ? reject(err) : resolve())));
    } finally {
      await provider.close();
    }
    fs.utimesSync(path.join(uploads, name), new Date('2027-02-06T17:00:00Z'), new Date('2027-02-06T17:00:00Z'));
    let connectionLost = false;
    const poll = (at: string) => pollOnce({ pool: db.pool, config: opsConfig, openSession: async () => {
      const s = await sftp.openSession();
      // a connection-level sFTP failure (as the client reports a dropped connection): says nothing about the file
      return connectionLost ? Object.assign(Object.create(s) as typeof s, {
        download: () => Promise.reject(new SftpError('CONNECTION_LOST', 'download: connection lost: read ECONNRESET', { retryable: true })),
      }) : s;
    } }, { now: new Date(at), provider: 'ACME' });
    await poll('2027-02-06T17:59:00Z'); // (sighted)
    const first = await poll('2027-02-06T18:00:00Z');
    expect(first.results).toEqual([expect.objectContaining({ file: name, error: expect.stringMatching(/permission denied/) })]);
    expect(await one(`select failures from upload_failures where provider_code = 'ACME' and upload_path like $1`, [`%${name}`])).toEqual({ failures: 1 });
    connectionLost = true;
    for (const minute of ['01', '02', '03']) expect((await poll(`2027-02-06T18:${minute}:00Z`)).results[0]!.error).toMatch(/connection lost/);
    connectionLost = false;
    expect(await one(`select failures from upload_failures where provider_code = 'ACME' and upload_path like $1`, [`%${name}`])).toEqual({ failures: 1 });
    expect((await poll('2027-02-06T18:04:00Z')).results[0]!.error).toMatch(/permission denied/);
    const third = await poll('2027-02-06T18:05:00Z');
    expect(third.results).toEqual([expect.objectContaining({ file: name, outcome: 'REJECTED', fileErrors: ['FILE_UNREADABLE'], gaveUpAfter: 3 })]);
    expect(third.results[0]!.error).toBeUndefined();
    const sub = await one(`select id, state, outcome, response_name, upload_disposition from submissions where original_name = $1`, [name]);
    expect(sub).toMatchObject({ state: 'RESPONDED', outcome: 'REJECTED', upload_disposition: 'failed' });
    expect(await one(`select array_agg(code) codes from submission_issues where submission_id = $1`, [sub.id])).toEqual({ codes: ['FILE_UNREADABLE'] });
    // one response, one move (a rename needs the folders' permissions only), one email each to the provider's people and to ops
    expect(fs.readdirSync(path.join(sftp.root, 'ACME', 'downloads')).filter((n) => n.startsWith('OTF_ACME_locked_RESPONSE_'))).toEqual([sub.response_name]);
    expect(fs.existsSync(path.join(uploads, name))).toBe(false);
    expect(fs.readdirSync(path.join(uploads, 'failed')).filter((n) => n.startsWith('OTF_ACME_locked__'))).toHaveLength(1);
    const mails = (await db.pool.query<{ kind: string; recipients: string[]; body: string }>(
      `select kind, recipients, body from notifications where body like '%OTF_ACME_locked%' order by kind desc`)).rows;
    expect(mails.map((m) => m.kind)).toEqual(['submission-response', 'ops-upload-not-processed']);
    expect(mails[0]!.body).toMatch(/File error FILE_UNREADABLE: The plan could not read this file/);
    expect(mails[1]!.recipients).toEqual(['ops@plan.example']);
    expect(mails[1]!.body).toMatch(/could not read it 3 times in a row[\s\S]*FILE_UNREADABLE[\s\S]*Last error: .*permission denied/);
    // answered: never taken again, no second alert, and its count is gone
    expect((await poll('2027-02-06T18:10:00Z')).files).toBe(0);
    expect(await one(`select count(*)::int n from notifications where body like '%OTF_ACME_locked%'`)).toEqual({ n: 2 });
    expect(await one(`select count(*)::int n from upload_failures`)).toEqual({ n: 0 });
  });
});

describe('Postgres lost right after the upload was moved', () => {
  it('the submission stays APPLIED with the move unrecorded; the next poll finishes it: one response, one email, RESPONDED', async () => {
    const name = 'OTF_ACME_dblost.xlsx';
    fs.mkdirSync(path.join(sftp.root, 'ACME', 'uploads'), { recursive: true });
    const file = path.join(sftp.root, 'ACME', 'uploads', name);
    fs.writeFileSync(file, await workbook([[OTF, [otfRow({ attemptDate: { date: '2027-01-20' }, minutes: 33 })], 'OTF']]));
    fs.utimesSync(file, new Date('2027-02-02T17:00:00Z'), new Date('2027-02-02T17:00:00Z'));
    const deps = { pool: db.pool, config, openSession: () => sftp.openSession() };
    await pollOnce(deps, { now: new Date('2027-02-05T16:59:00Z'), provider: 'ACME' }); // sighting
    // this poller's database goes away for good the moment its move has happened
    const poolA = new pg.Pool({ connectionString: db.url, max: 3 });
    poolA.on('error', () => undefined);
    let moves = 0;
    const lost = await pollOnce({ pool: poolA, config, openSession: async () => {
      const s = await sftp.openSession();
      return Object.assign(Object.create(s) as typeof s, {
        move: async (...args: Parameters<typeof s.move>) => {
          const to = await s.move(...args);
          moves++;
          await poolA.end();
          return to;
        },
      });
    } }, { now: new Date('2027-02-05T17:00:00Z'), provider: 'ACME' });
    expect(moves).toBe(1);
    expect(lost.results.map((r) => [r.file, Boolean(r.error)])).toEqual([[name, true]]);
    const stuck = await one(`select id, state, moved_to, moved_at, notified_at from submissions where original_name = $1`, [name]);
    expect(stuck).toMatchObject({ state: 'APPLIED', moved_at: null, notified_at: null });
    expect(fs.existsSync(file)).toBe(false);
    // the lost poller's claim on the folder expires (it can no longer release it)
    await db.pool.query(`update poll_claims set expires_at = now() - interval '1 second' where provider_code = 'ACME' and holder is not null`);
    const next = await pollOnce(deps, { now: new Date('2027-02-05T17:05:00Z'), provider: 'ACME' });
    expect(next.recovered.map((r) => [r.submissionId, r.error])).toEqual([[stuck.id, undefined]]);
    expect(await one(`select state, upload_disposition, moved_to from submissions where id = $1`, [stuck.id])).toEqual({ state: 'RESPONDED', upload_disposition: 'processed', moved_to: stuck.moved_to });
    expect(fs.readdirSync(path.join(sftp.root, 'ACME', 'uploads', 'processed')).filter((n) => n.startsWith('OTF_ACME_dblost'))).toHaveLength(1);
    expect(fs.readdirSync(path.join(sftp.root, 'ACME', 'downloads')).filter((n) => n.startsWith('OTF_ACME_dblost_RESPONSE_'))).toHaveLength(1);
    expect(await one(`select count(*)::int n from notifications where subject like $1`, [`%${name}%`])).toEqual({ n: 1 });
    expect((await pollOnce(deps, { now: new Date('2027-02-05T17:10:00Z'), provider: 'ACME' })).recovered).toEqual([]);
  });
});

describe('the claim on a folder while a poll runs', () => {
  it('is renewed, and a poll that finds it taken by another poller stops before taking files', async () => {
    const name = 'OTF_ACME_lease.xlsx';
    const file = path.join(sftp.root, 'ACME', 'uploads', name);
    fs.writeFileSync(file, await workbook([[OTF, [otfRow({ attemptDate: { date: '2027-01-21' }, minutes: 34 })], 'OTF']]));
    fs.utimesSync(file, new Date('2027-02-02T17:00:00Z'), new Date('2027-02-02T17:00:00Z'));
    await pollOnce({ pool: db.pool, config, openSession: () => sftp.openSession() }, { now: new Date('2027-02-05T17:59:00Z'), provider: 'ACME' }); // sighting
    let reached!: () => void;
    const atClaim = new Promise<void>((r) => (reached = r));
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let told: ((e: string) => void) | undefined;
    const nextLeaseEvent = () => new Promise<string>((r) => (told = r));
    // only the renewal interval is driven by the test; everything else runs on real time
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const polling = pollOnce({
        pool: db.pool, config, onLease: (e) => told?.(e), openSession: () => sftp.openSession(),
        onClaim: async () => {
          reached();
          await gate;
        },
      }, { now: new Date('2027-02-05T18:00:00Z'), provider: 'ACME' });
      await atClaim;
      const before = await one(`select holder, expires_at from poll_claims where provider_code = 'ACME'`);
      let event = nextLeaseEvent();
      vi.advanceTimersByTime(30_000);
      expect(await event).toBe('renewed');
      const after = await one(`select holder, expires_at from poll_claims where provider_code = 'ACME'`);
      expect(after.holder).toBe(before.holder);
      expect(after.expires_at.getTime()).toBeGreaterThan(before.expires_at.getTime());
      // this poll stalled past its expiry and another process took the lease over
      await db.pool.query(`update poll_claims set holder = 'the poller that took over', expires_at = now() + interval '1 minute' where provider_code = 'ACME'`);
      event = nextLeaseEvent();
      vi.advanceTimersByTime(30_000);
      expect(await event).toBe('lost');
      open();
      const r = await polling;
      expect(r.stopped).toMatch(/claim .* lost/);
      expect(r.results).toEqual([]);
      expect(fs.existsSync(file)).toBe(true);
      expect(await one(`select holder from poll_claims where provider_code = 'ACME'`)).toEqual({ holder: 'the poller that took over' });
    } finally {
      open();
      vi.useRealTimers();
      await db.pool.query(`update poll_claims set holder = null, expires_at = '-infinity' where provider_code = 'ACME'`);
    }
  });
});

describe('the email about a response finished by the next poll', () => {
  const deps = (faults?: (point: string) => void) => ({ pool: db.pool, config, openSession: () => sftp.openSession(), faults });
  const put = (name: string, bytes: Buffer) => {
    const dir = path.join(sftp.root, 'ACME', 'uploads');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, name), bytes);
    fs.utimesSync(path.join(dir, name), new Date('2027-03-02T17:00:00Z'), new Date('2027-03-02T17:00:00Z'));
  };
  const crashAt = (at: string) => (point: string) => {
    if (point === at) throw new Error(`stopped at ${point}`);
  };
  const emailOf = async (name: string) => {
    const r = await db.pool.query<{ body: string; recipients: string[] }>(`select body, recipients from notifications where kind = 'submission-response' and subject like $1`, [`%: ${name} from ACME`]);
    expect(r.rows).toHaveLength(1);
    return r.rows[0]!;
  };
  const responseOf = async (name: string) => (await one(`select response_name from submissions where original_name = $1`, [name])).response_name as string;

  it('a correction applied, then the poll stopped before answering: the same email as an uninterrupted answer (name, merge, changes, deadline to fix)', async () => {
    put('OTF_ACME_202702.xlsx', await workbook([[OTF, [otfRow({ attemptDate: { date: '2027-02-03' } }), otfRow({ attemptDate: { date: '2027-02-04' }, cin: 'bad' })], 'OTF']]));
    await pollOnce(deps(), { now: new Date('2027-03-03T17:00:00Z'), provider: 'ACME' });
    await pollOnce(deps(), { now: new Date('2027-03-03T17:01:00Z'), provider: 'ACME' });
    const name = 'OTF_ACME_202702_fix.xlsx';
    put(name, await workbook([[OTF, [otfRow({ attemptDate: { date: '2027-02-03' }, minutes: 20 }), otfRow({ attemptDate: { date: '2027-02-05' } }), otfRow({ attemptDate: { date: '2027-02-06' }, cin: 'bad2' })], 'OTF']]));
    await pollOnce(deps(), { now: new Date('2027-03-03T18:00:00Z'), provider: 'ACME' });
    const stopped = await pollOnce(deps(crashAt('ingest-after-commit')), { now: new Date('2027-03-03T18:01:00Z'), provider: 'ACME' });
    expect(stopped.results.map((r) => [r.file, r.error])).toEqual([[name, 'stopped at ingest-after-commit']]);
    const next = await pollOnce(deps(), { now: new Date('2027-03-03T18:05:00Z'), provider: 'ACME' });
    expect(next.recovered.map((r) => [r.file, r.error])).toEqual([[name, undefined]]);
    // what the poll that took the file would have sent (this test without the stop sends it)
    expect((await emailOf(name)).body).toBe([
      `Acme Community Health (ACME) sent ${name}.`,
      'Outcome: PARTIALLY_ACCEPTED   Deadline verdict: ON_TIME   Reporting period: 02/2027',
      'Rows read 3, accepted 2, rejected 1, warnings 0.',
      'OTF HN: 1 row(s) updated, 1 added, 0 kept from earlier files.',
      'Compared with the earlier file: 0 error(s) fixed, 0 still failing, 1 new, 1 not sent again.',
      '',
      'Issues by code:',
      '  error CIN_FORMAT: 1',
      '',
      'Corrected rows for 02/2027 are accepted through 03/10/2027: fix the "Rejected rows" sheet of the response and upload it.',
      '',
      `The response ${await responseOf(name)} is in the provider's downloads folder.`,
    ].join('\n'));
  });

  it('a file over MAX_FILE_BYTES is answered like any rejected file (outcome, counts, deadline to fix, response), and the same when the next poll finishes the answer', async () => {
    const small = { ...config, MAX_FILE_BYTES: 1024 * 1024 };
    const big = (faults?: (point: string) => void) => ({ ...deps(faults), config: small });
    const names = ['OTF_ACME_202702_big.xlsx', 'OTF_ACME_202702_big2.xlsx'];
    for (const n of names) put(n, randomBytes(1024 * 1024 + 1));
    await pollOnce(big(), { now: new Date('2027-03-04T17:00:00Z'), provider: 'ACME' });
    // the first is answered whole; the second's answer stops once its response is published
    let published = 0;
    const r = await pollOnce(big((point) => {
      if (point === 'respond-after-publish' && ++published === 2) throw new Error(`stopped at ${point}`);
    }), { now: new Date('2027-03-04T17:01:00Z'), provider: 'ACME' });
    expect(r.results.map((x) => [x.file, x.error])).toEqual([[names[0], undefined], [names[1], 'stopped at respond-after-publish']]);
    const next = await pollOnce(big(), { now: new Date('2027-03-04T17:05:00Z'), provider: 'ACME' });
    expect(next.recovered.map((x) => [x.file, x.error])).toEqual([[names[1], undefined]]);
    for (const n of names) {
      const email = await emailOf(n);
      expect(email.recipients).toEqual(['liaison@plan.example', 'ops@acme.example']);
      expect(email.body).toBe([
        `Acme Community Health (ACME) sent ${n}.`,
        'Outcome: REJECTED   Reporting period: 02/2027',
        'Rows read 0, accepted 0, rejected 0, warnings 0.',
        'File error FILE_TOO_LARGE: The file is larger than the 1 MB allowed. Split it or remove unused sheets and formatting.',
        '',
        'Corrected files for 02/2027 are accepted through 03/10/2027: fix what the file errors say and upload the whole file again (nothing of this file was applied).',
        '',
        `The response ${await responseOf(n)} is in the provider's downloads folder.`,
      ].join('\n'));
    }
  });
});

describe('each upload is answered as itself', () => {
  const deps = (faults?: (point: string) => void) => ({ pool: db.pool, config, openSession: () => sftp.openSession(), faults });
  const uploads = () => path.join(sftp.root, 'ACME', 'uploads');
  const ls = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);
  const put = (name: string, bytes: Buffer, mtime: string) => {
    fs.mkdirSync(uploads(), { recursive: true });
    fs.writeFileSync(path.join(uploads(), name), bytes);
    fs.utimesSync(path.join(uploads(), name), new Date(mtime), new Date(mtime));
  };
  const otfOf = (day: number, minutes = 10) => workbook([[OTF, [otfRow({ attemptDate: { date: `2027-03-${String(day).padStart(2, '0')}` }, minutes })], 'OTF']]);
  const poll = (at: string, faults?: (point: string) => void) => pollOnce(deps(faults), { now: new Date(at), provider: 'ACME' });
  const subsOf = async (names: string[]) => (await db.pool.query<{ id: number; original_name: string; sha256: string; state: string; duplicate_of: number | null; upload_disposition: string; response_name: string }>(
    `select id::int, original_name, sha256, state, duplicate_of::int, upload_disposition, response_name from submissions where original_name = any($1) order by id`, [names])).rows;
  const emailsAbout = async (name: string) => (await db.pool.query(`select id from notifications where kind = 'submission-response' and subject like $1`, [`%: ${name} from ACME`])).rows.length;
  const stem = (name: string) => name.replace(/\.xlsx$/, '');
  const responsesOf = (name: string) => ls(path.join(sftp.root, 'ACME', 'downloads')).filter((f) => f.startsWith(`${stem(name)}_RESPONSE_`));
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const movesOf = (name: string) => ['processed', 'failed'].flatMap((d) => ls(path.join(uploads(), d)).filter((f) => f.startsWith(`${stem(name)}__`)).map((f) => path.join(uploads(), d, f)));

  it('two uploads with the same bytes, the first one\'s answer stopped after its commit: the second is its own submission (a copy of the first), each answered once', async () => {
    const bytes = await otfOf(2);
    const [a, b] = ['OTF_ACME_202703_same_a.xlsx', 'OTF_ACME_202703_same_b.xlsx'];
    put(a, bytes, '2027-04-01T17:00:00Z');
    put(b, bytes, '2027-04-01T17:00:01Z');
    await poll('2027-04-02T17:00:00Z'); // sighting
    let stopped = false;
    const r = await poll('2027-04-02T17:01:00Z', (point) => {
      if (point === 'ingest-after-commit' && !stopped) {
        stopped = true;
        throw new Error(`stopped at ${point}`);
      }
    });
    const [subA] = await subsOf([a]);
    expect(subA).toMatchObject({ state: 'APPLIED', duplicate_of: null });
    // b is not a's interrupted answer resumed: a submission of its own, a copy of a
    expect(r.results.map((x) => [x.file, x.error, x.fileErrors])).toEqual([[a, `stopped at ingest-after-commit`, undefined], [b, undefined, ['DUPLICATE_FILE']]]);
    expect(r.results[1]!.submissionId).not.toBe(subA!.id);
    const next = await poll('2027-04-02T17:05:00Z');
    expect(next.recovered.map((x) => [x.file, x.submissionId, x.error])).toEqual([[a, subA!.id, undefined]]);
    const subs = await subsOf([a, b]);
    expect(subs.map((s) => [s.original_name, s.state, s.duplicate_of, s.upload_disposition])).toEqual([[a, 'RESPONDED', null, 'processed'], [b, 'RESPONDED', subA!.id, 'processed']]);
    for (const n of [a, b]) {
      expect(responsesOf(n), `response of ${n}`).toHaveLength(1);
      expect(await emailsAbout(n), `emails about ${n}`).toBe(1);
      expect(movesOf(n), `moves of ${n}`).toHaveLength(1);
    }
    expect(ls(uploads()).filter((f) => f === a || f === b)).toEqual([]);
  });

  /** v2 in uploads/ under the name, untouched; v1's submission answered, its move recorded as nothing to move; then v2 answered by later polls. */
  async function secondVersionAnsweredOnItsOwn(name: string, v1: Buffer, v2: Buffer, polls: string[]) {
    const [first] = await subsOf([name]);
    expect(first).toMatchObject({ sha256: sha(v1), state: 'RESPONDED', upload_disposition: 'gone' });
    expect(fs.readFileSync(path.join(uploads(), name)).equals(v2), 'v2 left in uploads/').toBe(true);
    expect(movesOf(name), 'nothing moved as v1').toEqual([]);
    expect(responsesOf(name)).toEqual([first!.response_name]);
    for (const at of polls) await poll(at);
    const subs = await subsOf([name]);
    expect(subs.map((s) => [s.sha256, s.state, s.upload_disposition])).toEqual([[sha(v1), 'RESPONDED', 'gone'], [sha(v2), 'RESPONDED', 'processed']]);
    const moved = movesOf(name);
    expect(moved).toHaveLength(1);
    expect(fs.readFileSync(moved[0]!).equals(v2), 'the file moved is v2').toBe(true);
    expect(moved[0]).toMatch(new RegExp(`_${subs[1]!.id}\\.xlsx$`));
    expect(responsesOf(name).sort()).toEqual(subs.map((s) => s.response_name).sort());
    expect(await emailsAbout(name)).toBe(2);
    expect(ls(uploads())).not.toContain(name);
  }

  it('the same name uploaded again while the first version is answered: the new version is not moved as the first one; it is answered by a later poll', async () => {
    const name = 'OTF_ACME_202703_reup.xlsx';
    const [v1, v2] = [await otfOf(3), await otfOf(4, 25)];
    put(name, v1, '2027-04-02T18:00:00Z');
    await poll('2027-04-03T17:00:00Z'); // sighting
    let swapped = false;
    // the provider sends a corrected version under the same name once v1 is committed
    const r = await poll('2027-04-03T17:01:00Z', (point) => {
      if (point === 'ingest-after-commit' && !swapped) {
        swapped = true;
        put(name, v2, '2027-04-03T17:00:30Z');
      }
    });
    expect(r.results.map((x) => [x.file, x.error])).toEqual([[name, undefined]]);
    await secondVersionAnsweredOnItsOwn(name, v1, v2, ['2027-04-03T17:02:00Z', '2027-04-03T17:03:00Z']);
  });

  it('the same name uploaded again after a poll stopped between publishing the response and moving the upload: the next poll does not move it as the first one', async () => {
    const name = 'OTF_ACME_202703_reup2.xlsx';
    const [v1, v2] = [await otfOf(5), await otfOf(6, 40)];
    put(name, v1, '2027-04-02T18:00:00Z');
    await poll('2027-04-04T17:00:00Z'); // sighting
    const r = await poll('2027-04-04T17:01:00Z', (point) => {
      if (point === 'respond-after-publish') throw new Error(`stopped at ${point}`);
    });
    expect(r.results.map((x) => [x.file, x.error])).toEqual([[name, 'stopped at respond-after-publish']]);
    put(name, v2, '2027-04-04T17:02:00Z');
    const next = await poll('2027-04-04T17:03:00Z');
    expect(next.recovered.map((x) => [x.file, x.error])).toEqual([[name, undefined]]);
    await secondVersionAnsweredOnItsOwn(name, v1, v2, ['2027-04-04T17:04:00Z', '2027-04-04T17:05:00Z']);
  });

  /** A gate a poller is held at: `reached` once it is there, `open` lets it go on. */
  const gate = () => {
    let reached!: () => void;
    let open!: () => void;
    const at = new Promise<void>((r) => (reached = r));
    const held = new Promise<void>((r) => (open = r));
    return { at, held, reached: () => reached(), open: () => open() };
  };
  /** Its claim on the folder expires: no renewal for POLL_LEASE_SECONDS (a paused VM, a long GC, a blocked event loop). */
  const expireClaim = () => db.pool.query(`update poll_claims set expires_at = now() - interval '1 second' where provider_code = 'ACME'`);
  /** One upload answered once, by whichever poller: one submission, one response, one email, one move. */
  async function answeredOnce(name: string) {
    const subs = await subsOf([name]);
    expect(subs.map((s) => [s.state, s.duplicate_of, s.upload_disposition])).toEqual([['RESPONDED', null, 'processed']]);
    expect(responsesOf(name)).toEqual([subs[0]!.response_name]);
    expect(await emailsAbout(name)).toBe(1);
    expect(movesOf(name)).toHaveLength(1);
    expect(ls(uploads())).not.toContain(name);
  }

  it('a poller whose claim expired while it held a file (stalled after the download) commits nothing: the poller that took the folder over answers it, once', async () => {
    const name = 'OTF_ACME_202703_stalled.xlsx';
    put(name, await otfOf(7), '2027-04-04T18:00:00Z');
    await poll('2027-04-05T17:00:00Z'); // sighting
    const stall = gate();
    const a = pollOnce({ ...deps(), openSession: async () => {
      const s = await sftp.openSession();
      return Object.assign(Object.create(s) as typeof s, {
        download: async (...args: Parameters<typeof s.download>) => {
          const d = await s.download(...args);
          if (args[0].endsWith(`/${name}`)) {
            stall.reached();
            await stall.held;
          }
          return d;
        },
      });
    } }, { now: new Date('2027-04-05T17:01:00Z'), provider: 'ACME' });
    await stall.at;
    await expireClaim();
    const b = await poll('2027-04-05T17:01:30Z');
    expect(b.results.map((x) => [x.file, x.error])).toEqual([[name, undefined]]);
    stall.open();
    const ra = await a;
    expect(ra.results.map((x) => [x.file, x.submissionId, x.error])).toEqual([[name, undefined, 'claim on the provider folder lost to another poller']]);
    expect(ra.stopped).toMatch(/claim .* lost/);
    await answeredOnce(name);
    // (not an error of the file's: nothing counted towards giving up on it)
    expect(await one(`select count(*)::int n from upload_failures where upload_path like $1`, [`%/${name}`])).toEqual({ n: 0 });
  });

  it('a poller whose claim expired after it published a response moves and emails nothing: the poller that took the folder over finishes the answer, once', async () => {
    const name = 'OTF_ACME_202703_stalled2.xlsx';
    put(name, await otfOf(8), '2027-04-04T18:00:00Z');
    await poll('2027-04-06T17:00:00Z'); // sighting
    const stall = gate();
    let moves = 0;
    const a = pollOnce({ ...deps(), openSession: async () => {
      const s = await sftp.openSession();
      return Object.assign(Object.create(s) as typeof s, {
        publish: async (...args: Parameters<typeof s.publish>) => {
          const r = await s.publish(...args);
          if (args[1].startsWith(`${stem(name)}_RESPONSE_`)) {
            stall.reached();
            await stall.held;
          }
          return r;
        },
        move: (...args: Parameters<typeof s.move>) => {
          moves++;
          return s.move(...args);
        },
      });
    } }, { now: new Date('2027-04-06T17:01:00Z'), provider: 'ACME' });
    await stall.at;
    await expireClaim();
    const b = await poll('2027-04-06T17:01:30Z');
    expect(b.recovered.map((x) => [x.file, x.error])).toEqual([[name, undefined]]);
    stall.open();
    const ra = await a;
    expect(ra.results.map((x) => [x.file, x.error])).toEqual([[name, 'claim on the provider folder lost to another poller']]);
    expect(ra.stopped).toMatch(/claim .* lost/);
    expect(moves, 'moves by the poller that lost its claim').toBe(0);
    await answeredOnce(name);
  });
});

// Provider isolation on a real OpenSSH sshd (per-provider chrooted system users, as in
// production): a provider account cannot list, read or write another provider's folder, and a
// provider's upload that names another provider's NPI or members changes nothing of theirs.
// Skipped (with the reason) only where sshd cannot run; with CI set, that is a failure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { generate } from '../../src/generate/run.js';
import { pollOnce, type PollFileResult } from '../../src/ingest/poll.js';
import { openSftp, SftpError, withSftp, type SftpSettings } from '../../src/sftp/client.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { P, seedPlan } from '../helpers/plan.js';
import { csprtf, csprtfRow, otf, otfRow, rtf, rtfRow } from '../helpers/provider-files.js';
import { sshdAvailability, startSshd, type SshdServer } from '../helpers/sshd.js';
import { onSlotDay } from '../helpers/world.js';

const sshd = sshdAvailability();
if (!sshd.available) console.warn(`[security-isolation] OpenSSH tests SKIPPED: ${sshd.reason}`);

describe('OpenSSH availability', () => {
  it('sshd is available whenever CI is set (CI never silently skips provider isolation)', () => {
    if (process.env.CI) expect(sshd.available, `CI=${process.env.CI} but ${sshd.reason}`).toBe(true);
  });
});

const PROVIDERS = ['ACME', 'RIVAL', 'HOMEWAY', 'MEALS'];

describe.skipIf(!sshd.available)(sshd.available ? 'provider isolation on OpenSSH sshd' : `skipped: ${sshd.reason}`, () => {
  let server: SshdServer;
  let db: TestDb;
  let dataDir: string;
  let config: Config;

  const base = (over: Partial<SftpSettings> = {}): SftpSettings => ({
    host: server.host, port: server.port, hostKeySha256: server.fingerprint, connectTimeoutMs: 5000, retries: 1, stallMs: 5000,
    retryBaseMs: 20, retryMaxMs: 100, username: server.serviceUser, privateKey: server.clientKey, ...over,
  });
  const as = (code: string) => base({ username: server.providerUser(code) });
  const local = (code: string, ...parts: string[]) => path.join(server.root, code, ...parts);
  const tree = (code: string): string[] => {
    const out: string[] = [];
    const walk = (dir: string, rel: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const r = `${rel}/${e.name}`;
        if (e.isDirectory()) walk(path.join(dir, e.name), r);
        else out.push(`${r} ${fs.statSync(path.join(dir, e.name)).size}`);
      }
    };
    walk(local(code), '');
    return out;
  };

  beforeAll(async () => {
    server = await startSshd({ providers: PROVIDERS });
    db = await createTestDb();
    await seedPlan(db.pool);
    await db.pool.query(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end, requested_date, decision_date, assigned_date) values
      ('91000001A','HTN','HOMEWAY','HN','AUTHORIZED','Approved','A-100','2026-10-01','2027-03-31','2026-09-20','2026-09-28','2026-09-28'),
      ('91000005E','MTM','MEALS','HN','AUTHORIZED','Approved','A-200','2026-11-01','2027-04-30','2026-10-15','2026-10-20','2026-10-20')`);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calx-isolation-'));
    config = loadConfig({ DATA_DIR: dataDir, SFTP_ROOT: server.root, SFTP_STABLE_SECONDS: '0' });
    // the plan publishes through the service account, as in production
    const deps = { pool: db.pool, config, openSession: () => openSftp(base()) };
    const mif = await generate('mif', onSlotDay('2026-11-15'), deps);
    const csasf = await generate('csasf', onSlotDay('2026-11-15'), deps);
    expect([...mif.units, ...csasf.units].every((u) => u.status === 'PUBLISHED')).toBe(true);
  });
  afterAll(async () => {
    await db?.drop();
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("a provider account cannot list, read or write another provider's folder", async () => {
    const rivalMif = fs.readdirSync(local('RIVAL', 'downloads')).find((n) => n.includes('_MIF_'))!;
    expect(rivalMif).toBeDefined();
    fs.writeFileSync(local('RIVAL', 'uploads', 'RTF_RIVAL_202611.xlsx'), 'rival only');
    const rivalBefore = tree('RIVAL');
    const refused = async (what: string, p: Promise<unknown>) => {
      const e = await p.then(() => undefined, (err: unknown) => err);
      expect(e, `${what}: expected the server to refuse`).toBeInstanceOf(SftpError);
      expect(['NOT_FOUND', 'PERMISSION_DENIED', 'SFTP_FAILURE'], what).toContain((e as SftpError).code);
    };
    await withSftp(as('ACME'), async (s) => {
      // its own folder is all it sees
      expect((await s.list('/')).map((e) => e.name).sort()).toEqual(['downloads', 'uploads']);
      expect((await s.list('/..')).map((e) => e.name).sort()).toEqual(['downloads', 'uploads']);
      expect((await s.list('/downloads')).map((e) => e.name).some((n) => n.includes('_1987654328_'))).toBe(false);
      for (const dir of ['/../RIVAL/downloads', '/RIVAL/downloads', '../RIVAL/uploads', `${server.root}/RIVAL/downloads`, server.root])
        await refused(`list ${dir}`, s.list(dir));
      // RIVAL's MIF (its members' PHI) cannot be read by any path
      for (const p of [`/../RIVAL/downloads/${rivalMif}`, `/RIVAL/downloads/${rivalMif}`, `${server.root}/RIVAL/downloads/${rivalMif}`, '/../RIVAL/uploads/RTF_RIVAL_202611.xlsx'])
        await refused(`read ${p}`, s.download(p, { maxBytes: 10_000_000 }));
      // nor can it plant a file that the plan would attribute to RIVAL, or answer in RIVAL's name
      for (const dir of ['/../RIVAL/uploads', `${server.root}/RIVAL/uploads`, '/../RIVAL/downloads'])
        await refused(`write ${dir}`, s.publish(dir, 'RTF_RIVAL_202611_forged.xlsx', Buffer.from('forged')));
      await s.publish('/uploads', 'mine.xlsx', Buffer.from('mine'));
      await refused('move into RIVAL', s.move('/uploads/mine.xlsx', '/../RIVAL/uploads', 'moved.xlsx'));
      await refused('stat RIVAL', s.stat(`${server.root}/RIVAL/uploads/RTF_RIVAL_202611.xlsx`));
    });
    expect(tree('RIVAL')).toEqual(rivalBefore);
    expect(fs.readFileSync(local('ACME', 'uploads', 'mine.xlsx'), 'utf8')).toBe('mine');
    fs.rmSync(local('ACME', 'uploads', 'mine.xlsx'));
    fs.rmSync(local('RIVAL', 'uploads', 'RTF_RIVAL_202611.xlsx'));
  });

  it("uploads naming another provider's NPI or members, polled through sshd, change nothing of theirs", async () => {
    const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;
    const theirs = async () => ({
      rivalEcm: await q(`select * from ecm_assignments where provider_code = 'RIVAL' or cin = '91000005E' order by id`),
      rivalMember: await q(`select * from members where cin = '91000005E'`),
      rivalChanges: await q(`select c.* from ecm_assignment_changes c join ecm_assignments a on a.id = c.assignment_id where a.provider_code = 'RIVAL' or a.cin = '91000005E'`),
      rivalOutreach: await q(`select * from outreach_attempts where provider_code = 'RIVAL' or cin = '91000005E'`),
      mealsCs: await q(`select * from cs_engagements where provider_code = 'MEALS' or cin = '91000005E'`),
      rivalSubmissions: await q(`select id from submissions where provider_code in ('RIVAL', 'MEALS')`),
      rivalTree: tree('RIVAL'),
      mealsTree: tree('MEALS'),
    });
    const before = await theirs();
    const acmeOwnBefore = await q(`select status from ecm_assignments where cin = '91000001A'`);

    // providers upload through their own chrooted accounts
    const at = new Date('2026-12-03T18:00:00Z');
    const put = async (code: string, name: string, bytes: Buffer) => {
      await withSftp(as(code), (s) => s.publish('/uploads', name, bytes));
      fs.utimesSync(local(code, 'uploads', name), at, at);
    };
    await put('ACME', 'RTF_RIVAL_202611.xlsx', await rtf([
      rtfRow({ ecmStatus: '2' }),
      // RIVAL's member, reported by ACME with ACME's identity
      rtfRow({ cin: '91000005E', lastName: 'Echo', firstName: 'Ed', ecmStatus: '4', discontinuationDate: { date: '2026-11-20' }, discontinuationReasonCode: 'DP' }),
      // RIVAL's member, reported under RIVAL's NPI, TIN and name
      rtfRow({ cin: '91000005E', lastName: 'Echo', firstName: 'Ed', ecmStatus: '3', startDate: { date: '2026-11-01' }, lcmName: 'Mallory', lcmPhone: '5595559999', providerNpi: P.ECM2.npi, providerTin: P.ECM2.tin, providerName: P.ECM2.name }),
      // ACME's own member, but under RIVAL's NPI
      rtfRow({ cin: '91000004D', mcpId: 'CV', lastName: 'Delta', firstName: 'Dee', ecmStatus: '4', discontinuationDate: { date: '2026-11-20' }, discontinuationReasonCode: 'DP', providerNpi: P.ECM2.npi, providerTin: P.ECM2.tin }),
      // a new address for RIVAL's member: must not reach the member record
      rtfRow({ cin: '91000005E', lastName: 'Echo', firstName: 'Ed', newAddress: 'Y', address: '1 Forged Way', city: 'Fresno', state: 'CA', zip: '93701' }),
    ]));
    await put('ACME', 'OTF_ACME_202611.xlsx', await otf([otfRow(), otfRow({ cin: '91000005E', clientName: 'Ed Echo' })]));
    await put('HOMEWAY', 'CSPRTF_HOMEWAY_202611.xlsx', await csprtf([
      csprtfRow({ serviceCode: 'HTN' }),
      // MEALS's member and service
      csprtfRow({ cin: '91000005E', serviceCode: 'MTM', lastName: 'Echo', firstName: 'Ed', engagementStatus: '4', discontinuationReasonCode: 'DP' }),
      // HOMEWAY's row under MEALS's NPI
      csprtfRow({ serviceCode: 'HTN', providerNpi: P.CS2.npi, providerTin: P.CS2.tin }),
    ]));

    const deps = { pool: db.pool, config, openSession: () => openSftp(base()) };
    await pollOnce(deps, { now: new Date('2026-12-03T18:09:00Z') });
    const results: PollFileResult[] = (await pollOnce(deps, { now: new Date('2026-12-03T18:10:00Z') })).results;
    // nothing of RIVAL's or MEALS's changed: their assignments, member record, history, files
    expect(await theirs()).toEqual(before);
    expect(results.map((r) => [r.provider, r.file, r.outcome, r.rowsAccepted]).sort()).toEqual([
      ['ACME', 'OTF_ACME_202611.xlsx', 'PARTIALLY_ACCEPTED', 1],
      ['ACME', 'RTF_RIVAL_202611.xlsx', 'PARTIALLY_ACCEPTED', 1],
      ['HOMEWAY', 'CSPRTF_HOMEWAY_202611.xlsx', 'PARTIALLY_ACCEPTED', 1],
    ]);
    // the file named after RIVAL is still ACME's submission
    const subs = await q(`select provider_code, original_name from submissions order by id`);
    expect(subs.map((s) => s.provider_code).sort()).toEqual(['ACME', 'ACME', 'HOMEWAY']);
    const codes = async (file: string) =>
      (await q(`select i.row_number, i.code from submission_issues i join submissions s on s.id = i.submission_id where s.original_name = $1 and i.severity = 'error' order by 1, 2`, [file]))
        .map((r) => `${r.row_number}:${r.code}`);
    // (rows 4 and 6 repeat row 3's member, but row 3 was rejected: no duplicate of it, each refused on its own)
    expect(await codes('RTF_RIVAL_202611.xlsx')).toEqual([
      '3:MEMBER_NOT_ASSIGNED',
      '4:MEMBER_NOT_ASSIGNED', '4:PROVIDER_NPI_MISMATCH', '4:PROVIDER_TIN_MISMATCH',
      '5:PROVIDER_NPI_MISMATCH', '5:PROVIDER_TIN_MISMATCH',
      '6:MEMBER_NOT_ASSIGNED',
    ]);
    expect(await codes('OTF_ACME_202611.xlsx')).toEqual(['3:MEMBER_NOT_ASSIGNED']);
    expect(await codes('CSPRTF_HOMEWAY_202611.xlsx')).toEqual(['3:NOT_ON_CSASF', '4:DUPLICATE_CIN_SERVICE', '4:PROVIDER_NPI_MISMATCH', '4:PROVIDER_TIN_MISMATCH']);

    // ACME's own valid row was applied (the test would be vacuous otherwise)
    expect(await q(`select status from ecm_assignments where cin = '91000001A'`)).not.toEqual(acmeOwnBefore);
    // responses went to the uploader's own downloads only
    for (const r of results) expect(path.posix.dirname(r.response!)).toBe(`${server.root}/${r.provider}/downloads`);
  });
});

// Each contract (line of business × program) keeps the contact and liaison emails its row of the
// providers extract named, and every notice goes to the contracts it is about: a CalViva MIF to
// the CalViva ECM contract's contact and liaison, a CSASF to the CS contracts', a response to the
// contracts of the lines and program the file reported on. Before, a provider held one contact
// and one liaison (whichever row the import happened to keep), so the other lines' liaisons
// never heard, and could not see the provider in the web pages.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { respondOverSftp } from '../../src/ingest/respond.js';
import { miniMifSlaAlert } from '../../src/reports/alerts.js';
import { missingSubmissionDigest } from '../../src/reports/missing.js';
import { insertWebUser } from '../../src/repositories/web-users.js';
import { hashPassword } from '../../src/web/auth.js';
import { buildWebApp } from '../../src/web/server.js';
import { rtf, rtfRow } from '../helpers/provider-files.js';
import { PASSWORD, WEB_NOW, WEB_SETTINGS } from '../helpers/web.js';
import { importUpstream } from '../../src/import/upstream.js';
import { closePlanWorld, importProviders, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;
const ACME = 'ACME,1234567893,123456789,Acme Community Health';
const HN_LIAISON = 'hn.liaison@plan.example';
const CV_LIAISON = 'cv.liaison@plan.example';
const ECM_CONTACT = 'ecm.files@acme.example';
const CS_CONTACT = 'cs.files@acme.example';

/** Imports a providers extract on the import's clock of 2026-11-01. */
const importAt = (name: string, rows: string[]) => importProviders(w, name, rows, '2026-11-01T16:00:00Z');

const contracts = async (code: string) =>
  (await w.db.pool.query(`select lob, program, contact_email, liaison_email from provider_contracts where provider_code = $1 order by program, lob`, [code])).rows;

/** The recipients of the notifications of a kind whose subject matches, each list lower-cased and sorted. */
async function recipientsOf(kind: string, subjectLike: string): Promise<string[][]> {
  const r = await w.db.pool.query<{ recipients: string[] }>(`select recipients from notifications where kind = $1 and subject like $2 order by id`, [kind, subjectLike]);
  return r.rows.map((x) => x.recipients.map((e) => e.toLowerCase()).sort());
}

beforeAll(async () => {
  w = await openPlanWorld('contacts', { csAuthorizations: true, settings: WEB_SETTINGS });
  // The sample's shape: ACME has ECM and CS in CalViva and Health Net; the contact is per
  // program, the liaison per line (CalViva's rows first: whichever row a provider-level column
  // kept, some line's liaison would be wrong). One spelling differs only in case.
  const s = await importAt('providers.csv', [
    `${ACME},CV,ECM,5595550100,${ECM_CONTACT},${CV_LIAISON}`,
    `${ACME},CV,CS,5595550100,CS.Files@acme.example,CV.Liaison@Plan.example`,
    `${ACME},HN,ECM,5595550100,${ECM_CONTACT},${HN_LIAISON}`,
    `${ACME},HN,CS,5595550100,${CS_CONTACT},${HN_LIAISON}`,
  ]);
  expect(s).toMatchObject({ rowsRead: 4, rowsImported: 4, rowsRejected: 0 });
});
afterAll(() => closePlanWorld(w));

describe('the providers extract keeps each contract\'s contact and liaison', () => {
  it('(a) every contract has the addresses of its own row', async () => {
    expect(await contracts('ACME')).toEqual([
      { lob: 'CV', program: 'CS', contact_email: 'CS.Files@acme.example', liaison_email: 'CV.Liaison@Plan.example' },
      { lob: 'HN', program: 'CS', contact_email: CS_CONTACT, liaison_email: HN_LIAISON },
      { lob: 'CV', program: 'ECM', contact_email: ECM_CONTACT, liaison_email: CV_LIAISON },
      { lob: 'HN', program: 'ECM', contact_email: ECM_CONTACT, liaison_email: HN_LIAISON },
    ]);
  });
});

describe('who is emailed', () => {
  it('(b) a MIF goes to the contact and liaison of the ECM contract of its line', async () => {
    await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
    expect(await recipientsOf('published-mif', '%CV_MIF_1234567893_20261115.xlsx')).toEqual([[CV_LIAISON, ECM_CONTACT]]);
    expect(await recipientsOf('published-mif', '%HN_MIF_1234567893_20261115.xlsx')).toEqual([[ECM_CONTACT, HN_LIAISON]]);
  });

  it('(b) a CSASF goes to the contacts and liaisons of the CS contracts, each person once', async () => {
    await generate('csasf', onSlotDay('2026-11-15'), w.deps);
    expect(await recipientsOf('published-csasf', '%for ACME:%')).toEqual([[CS_CONTACT, CV_LIAISON, HN_LIAISON]]);
  });

  it('a response to an RTF of Health Net rows goes to the Health Net ECM contract\'s contact and liaison', async () => {
    const at = new Date('2026-12-02T17:00:00Z');
    const done = await ingestFile({ pool: w.db.pool, config: w.config }, {
      provider: 'ACME', originalName: 'RTF_ACME_HN_202611.xlsx', receivedAt: at, source: 'cli', bytes: await rtf([rtfRow()]),
    });
    const session = await w.sftp.openSession();
    try {
      await respondOverSftp({ pool: w.db.pool, config: w.config }, session, done, null, at);
    } finally {
      await session.close();
    }
    expect(await recipientsOf('submission-response', '%RTF_ACME_HN_202611.xlsx%')).toEqual([[ECM_CONTACT, HN_LIAISON]]);
  });

  it('the mini-MIF SLA alert goes to the liaison of the referral\'s line', async () => {
    await w.db.pool.query(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values
      ('R-CV', '91000008H', 'ACME', 'CV', '2026-11-20'), ('R-HN', '91000007G', 'ACME', 'HN', '2026-11-20')`);
    expect(await miniMifSlaAlert(w.db.pool, w.config, '2026-12-01', new Date('2026-12-01T16:00:00Z'))).toEqual({ referrals: 2, providers: 1 });
    const r = (await w.db.pool.query<{ recipients: string[]; body: string }>(`select recipients, body from notifications where kind = 'minimif-sla' order by id`)).rows;
    const to = (id: string) => r.filter((x) => x.body.includes(id)).map((x) => x.recipients.map((e) => e.toLowerCase()));
    expect(to('R-CV')).toEqual([[CV_LIAISON]]);
    expect(to('R-HN')).toEqual([[HN_LIAISON]]);
  });

  it('a referral conflict goes to the liaisons of the line involved', async () => {
    const file = path.join(w.dataDir, 'referrals.csv');
    fs.writeFileSync(file, 'referral_id,cin,provider_code,lob,approved_date\nREF-C-1,91000005E,ACME,HN,2026-11-02\n');
    const s = await importUpstream(w.db.pool, 'referrals', file, { config: w.config, now: new Date('2026-11-03T16:00:00Z') });
    expect(s.conflicts).toHaveLength(1);
    // RIVAL's contracts name no liaison: its provider's (liaison@plan.example) stands in
    expect(await recipientsOf('referral-conflict', '%')).toEqual([[HN_LIAISON, 'liaison@plan.example']]);
  });

  it('the missing-submission digest lists a provider to the liaison of each of its lines', async () => {
    await missingSubmissionDigest(w.db.pool, w.config, '2026-12-11', new Date('2026-12-11T16:00:00Z'));
    const r = (await w.db.pool.query<{ recipients: string[]; body: string }>(`select recipients, body from notifications where kind = 'missing-submissions'`)).rows;
    const listing = (code: string) => r.filter((x) => new RegExp(`^${code} `, 'm').test(x.body)).flatMap((x) => x.recipients.map((e) => e.toLowerCase())).sort();
    expect(listing('ACME')).toEqual([CV_LIAISON, HN_LIAISON]);
    // each liaison once, however many of their contracts are listed
    expect(r.map((x) => x.recipients.length)).toEqual(r.map(() => 1));
    expect(new Set(r.map((x) => x.recipients[0]!.toLowerCase())).size).toBe(r.length);
  });
});

describe('(c) the web pages', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    const hash = await hashPassword(PASSWORD, Number(WEB_SETTINGS.WEB_PASSWORD_COST));
    for (const email of [CV_LIAISON, HN_LIAISON]) await insertWebUser(w.db.pool, { email, role: 'liaison', passwordHash: hash, now: WEB_NOW });
    app = await buildWebApp({ pool: w.db.pool, config: w.config, now: () => WEB_NOW, openSession: () => w.sftp.openSession() });
  });
  afterAll(async () => {
    await app?.close();
  });

  const cookies = (res: LightMyRequestResponse, jar: Record<string, string> = {}) => {
    const out = { ...jar };
    for (const c of res.cookies) out[c.name] = c.value;
    return out;
  };
  const header = (jar: Record<string, string>) => Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ');
  async function login(email: string): Promise<(url: string) => Promise<LightMyRequestResponse>> {
    const form = await app.inject({ method: 'GET', url: '/login' });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const res = await app.inject({ method: 'POST', url: '/login', headers: { cookie: header(cookies(form)) }, payload: { _csrf: csrf, email, password: PASSWORD, next: '/' } });
    expect(res.statusCode, res.body).toBe(303);
    const jar = cookies(res);
    return (url) => app.inject({ method: 'GET', url, headers: { cookie: header(jar) } });
  }

  it('the liaison of any of a provider\'s contracts sees it on the board and its page, never another liaison\'s provider', async () => {
    for (const email of [CV_LIAISON, HN_LIAISON]) {
      const get = await login(email);
      const board = await get('/?period=2026-11');
      expect(board.statusCode).toBe(200);
      expect(board.body).toContain('href="/providers/ACME"');
      expect(board.body).not.toContain('href="/providers/RIVAL"');
      const page = await get('/providers/ACME');
      expect(page.statusCode).toBe(200);
      expect((await get('/providers/RIVAL')).statusCode).toBe(404);
    }
  });

  it('the provider page shows each contract\'s contact and liaison', async () => {
    const get = await login(CV_LIAISON);
    const body = (await get('/providers/ACME')).body;
    expect(body).toContain(CV_LIAISON);
    expect(body).toContain(HN_LIAISON);
    expect(body).toContain(CS_CONTACT);
  });
});

describe('(d) a later extract of one contract', () => {
  it('adds that contract with its addresses and leaves the other contracts\' addresses alone', async () => {
    const before = await contracts('ACME');
    const s = await importAt('providers-chpiv.csv', [`${ACME},CHPIV,ECM,5595550100,chpiv.files@acme.example,chpiv.liaison@plan.example`]);
    expect(s).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    const after = await contracts('ACME');
    expect(after.filter((c) => c.lob !== 'CHPIV')).toEqual(before);
    expect(after.find((c) => c.lob === 'CHPIV')).toEqual({ lob: 'CHPIV', program: 'ECM', contact_email: 'chpiv.files@acme.example', liaison_email: 'chpiv.liaison@plan.example' });
  });

  it('a row naming one contract\'s new liaison changes that contract only; a blank address is no claim', async () => {
    await importAt('providers-cv.csv', [`${ACME},CV,ECM,5595550100,,new.cv.liaison@plan.example`]);
    const after = await contracts('ACME');
    expect(after.find((c) => c.lob === 'CV' && c.program === 'ECM')).toEqual({ lob: 'CV', program: 'ECM', contact_email: ECM_CONTACT, liaison_email: 'new.cv.liaison@plan.example' });
    expect(after.find((c) => c.lob === 'HN' && c.program === 'ECM')).toEqual({ lob: 'HN', program: 'ECM', contact_email: ECM_CONTACT, liaison_email: HN_LIAISON });
    expect(after.find((c) => c.lob === 'CV' && c.program === 'CS')).toMatchObject({ liaison_email: 'CV.Liaison@Plan.example' });
  });

  it('the lines not in the later extract are still emailed their own addresses', async () => {
    await generate('mif', { date: '2026-12-15', now: new Date('2026-12-15T14:30:00Z') }, w.deps);
    expect(await recipientsOf('published-mif', '%HN_MIF_1234567893_20261215.xlsx')).toEqual([[ECM_CONTACT, HN_LIAISON]]);
    expect(await recipientsOf('published-mif', '%CV_MIF_1234567893_20261215.xlsx')).toEqual([[ECM_CONTACT, 'new.cv.liaison@plan.example']]);
  });
});

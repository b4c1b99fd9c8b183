// One member's story on the web pages (/members/CIN), read through the same loader as `member
// show`: ops see all of it; a liaison sees the member only when a provider they may see is in the
// story, and then only the parts about those providers (never another provider's code, rows,
// files, referrals or authorizations); a liaison with none of the member's providers, an unknown
// CIN and a CIN that is not one are answered alike (404, or 400 for a malformed one, never
// echoing it). Every view and refusal is in access_log with the member's CIN; no CIN reaches the
// application log. The story played here (Ivy, 91000009J, Health Net):
//   Oct 1   the members extract brings her; the assignment extract gives her to ACME; a CS
//           authorization with HOMEWAY (A-900)
//   Oct 15  ACME's MIF carries her
//   Nov 3   ACME's RTF reports her (status 2): accepted; Nov 4 a corrected one (status 7): rejected
//   Nov 5   the assignment extract moves her to RIVAL
//   Nov 12  a referral to RIVAL (R-IVY-R), sent on RIVAL's MIF of Nov 15
//   Nov 20  the assignment extract plans her move back to ACME from Dec 20
//   Dec 4   RIVAL's RTF reports her: accepted
// liaison@ is ACME's (and HOMEWAY's) liaison, other@ RIVAL's, third@ nobody's.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { log } from '../../src/log.js';
import { insertWebUser } from '../../src/repositories/web-users.js';
import { hashPassword } from '../../src/web/auth.js';
import { buildWebApp } from '../../src/web/server.js';
import { P } from '../helpers/plan.js';
import { rtf, rtfRow } from '../helpers/provider-files.js';
import { ACME_MEMBER, logIn, movableClock, PASSWORD, seedWebWorld, USERS, WEB_NOW, WEB_SETTINGS, type WebSeed } from '../helpers/web.js';
import { answerUpload, closePlanWorld, importExtract, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const IVY = '91000009J';
/** A member on record whom only a rejected row of ACME's names (no assignment, authorization or file of anyone's). */
const GIL = { cin: '91000007G', last: 'Golf', first: 'Gil', dob: '1948-08-08', address: '7 G St' };
/** Well formed, on record nowhere. */
const UNKNOWN = '91000099K';
const THIRD = 'third@plan.example';
const d = (date: string) => ({ date });

let w: PlanWorld;
let seed: WebSeed;
let app: FastifyInstance;
const time = movableClock();
const sub: Record<string, number> = {};

beforeAll(async () => {
  w = await openPlanWorld('web-member', { csAuthorizations: true, settings: WEB_SETTINGS });
  const imported = async (...a: Parameters<typeof importExtract>) => {
    const s = await importExtract(...a);
    expect(s.rowsRejected, JSON.stringify(s.rejects)).toBe(0);
  };
  const ivy = (over: Record<string, unknown>, provider = P.ECM1) => rtfRow({ cin: IVY, lastName: 'India', firstName: 'Ivy', ...over }, provider);
  const october = { reportingPeriod: '10/2026', productionDate: d('2026-11-02') };
  await imported(w, 'members', 'members-oct.csv', [`${IVY},M9,India,Ivy,1985-04-04,F,English,9 I St,Fresno,CA,93709,5595551009,Fresno,N`], '2026-10-01T15:00:00Z');
  await imported(w, 'ecm-assignments', 'assignments-oct.csv', [`${IVY},ACME,HN,1,2026-10-01,,,,,,`], '2026-10-01T15:05:00Z');
  await imported(w, 'cs-authorizations', 'cs-oct.csv', [`${IVY},HOMEWAY,HN,HTN,AUTHORIZED,Approved,A-900,2026-10-01,2027-03-31,2026-09-20,2026-09-28,2026-09-28,`], '2026-10-01T15:10:00Z');
  await generate('mif', { date: '2026-10-15', now: new Date('2026-10-15T15:00:00Z') }, w.deps);
  sub.acme = (await answerUpload(w, 'ACME', 'RTF_ACME_202610_IVY.xlsx', await rtf([ivy({ ...october, ecmStatus: '2' })]), '2026-11-03T17:00:00Z')).submissionId;
  sub.acmeFix = (await answerUpload(w, 'ACME', 'RTF_ACME_202610_IVY_FIX.xlsx', await rtf([ivy({ ...october, ecmStatus: '7' })]), '2026-11-04T17:00:00Z')).submissionId;
  await imported(w, 'ecm-assignments', 'assignments-nov.csv', [`${IVY},RIVAL,HN,1,2026-11-05,,,,,,`], '2026-11-05T16:00:00Z');
  await imported(w, 'referrals', 'referrals-nov.csv', [`R-IVY-R,${IVY},RIVAL,HN,2026-11-10`], '2026-11-12T16:00:00Z');
  await imported(w, 'ecm-assignments', 'assignments-nov20.csv', [`${IVY},ACME,HN,1,2026-12-20,,,,,,`], '2026-11-20T16:00:00Z');
  seed = await seedWebWorld(w);
  sub.rival = (await answerUpload(w, 'RIVAL', 'RTF_RIVAL_202611_IVY.xlsx', await rtf([ivy({ ecmStatus: '2' }, P.ECM2)]), '2026-12-04T17:00:00Z')).submissionId;
  const gil = await answerUpload(w, 'ACME', 'RTF_ACME_202611_GIL.xlsx', await rtf([rtfRow({ cin: GIL.cin, lastName: 'Typed', firstName: 'Name' })]), '2026-12-04T18:00:00Z');
  expect(gil.document.issues.map((i) => i.code)).toContain('MEMBER_NOT_ASSIGNED');
  sub.gil = gil.submissionId;
  await insertWebUser(w.db.pool, { email: THIRD, role: 'liaison', passwordHash: await hashPassword(PASSWORD, Number(WEB_SETTINGS.WEB_PASSWORD_COST)), now: WEB_NOW });
  app = await buildWebApp({ pool: w.db.pool, config: w.config, now: time.clock, openSession: () => w.sftp.openSession() });
});
afterAll(async () => {
  await app?.close();
  await closePlanWorld(w);
});

/** A session of `email` at the clock's time (a session from another month has expired). */
const login = (email: string) => logIn(app, email);
const get = (cookie: string | undefined, url: string) => app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
const lastAccessId = async () => (await w.db.pool.query<{ n: number }>('select coalesce(max(id), 0)::int n from access_log')).rows[0]!.n;
const accessSince = async (id: number) => (await w.db.pool.query(
  'select email, provider_code, submission_id, member_cin, page, denied from access_log where id > $1 order by id', [id])).rows;
/** The page's text between two headings (a section), tags dropped. */
const section = (body: string, heading: string) => {
  const from = body.indexOf(`>${heading}</h2>`);
  expect(from, heading).toBeGreaterThan(0);
  const to = body.indexOf('<h2', from);
  return body.slice(from, to < 0 ? undefined : to).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
};

const SECTIONS = ['Record', 'ECM assignments', 'Referrals', 'CS authorizations', 'Provider files that reported the member', 'Files sent that carried the member'];
/** What only RIVAL's parts carry: its code, name and NPI (in its files' names), its referral, its RTF's name. */
const RIVAL_ONLY = ['RIVAL', 'Rival Care Partners', P.ECM2.npi, 'R-IVY-R', 'RTF_RIVAL_202611_IVY.xlsx'];
/** What only ACME's (and HOMEWAY's) parts carry (the page names providers by code: a name is on their own page). */
const ACME_ONLY = ['ACME', P.ECM1.npi, 'RTF_ACME_202610_IVY.xlsx', 'RTF_ACME_202610_IVY_FIX.xlsx', 'HOMEWAY', 'A-900'];

/** The member page of `cin` as `email` is shown it on WEB_NOW, signed in afresh: its body (it must be shown). */
async function shownMemberPage(email: string, cin = IVY): Promise<string> {
  time.set(WEB_NOW);
  const res = await get(await login(email), `/members/${cin}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.body;
}

describe('the member page', () => {
  it('ops: every section, every provider, each row linked to its submission; recorded with the CIN', async () => {
    time.set(WEB_NOW);
    const ops = await login(USERS.ops);
    const since = await lastAccessId();
    const res = await get(ops, `/members/${IVY}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.body;
    for (const h of SECTIONS) expect(body, h).toContain(`>${h}</h2>`);
    expect(body).toContain('India, Ivy');
    expect(section(body, 'Record')).toMatch(/1985-04-04/);
    expect(section(body, 'Record')).toMatch(/9 I St/);
    const ecm = section(body, 'ECM assignments');
    expect(ecm).toMatch(/RIVAL/);
    expect(ecm).toMatch(/ACME → RIVAL/);
    expect(ecm).toMatch(/Planned switch: to ACME from 2026-12-20/);
    expect(section(body, 'Referrals')).toContain('R-IVY-R');
    expect(section(body, 'CS authorizations')).toContain('A-900');
    const rows = section(body, 'Provider files that reported the member');
    for (const f of ['RTF_RIVAL_202611_IVY.xlsx', 'RTF_ACME_202610_IVY.xlsx', 'RTF_ACME_202610_IVY_FIX.xlsx', 'CODE_UNKNOWN']) expect(rows).toContain(f);
    for (const id of [sub.acme, sub.acmeFix, sub.rival]) expect(body).toContain(`href="/submissions/${id}"`);
    const files = section(body, 'Files sent that carried the member');
    expect(files).toContain(`HN_MIF_${P.ECM1.npi}_20261015.xlsx`);
    expect(files).toContain(`HN_MIF_${P.ECM2.npi}_20261115.xlsx`);
    expect(body).not.toContain('Parts about other providers are not shown');
    expect(body).not.toMatch(/<script|style=/i);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(await accessSince(since)).toEqual([{ email: USERS.ops, provider_code: null, submission_id: null, member_cin: IVY, page: 'member', denied: false }]);
  });

  it("ACME's liaison: ACME's (and HOMEWAY's) parts only; nothing of RIVAL's, not even its code; says other providers' parts are not shown", async () => {
    const body = await shownMemberPage(USERS.liaison);
    for (const h of SECTIONS) expect(body, h).toContain(`>${h}</h2>`);
    expect(body).toContain('Parts about other providers are not shown');
    expect(body).toContain('India, Ivy');
    for (const s of RIVAL_ONLY) expect(body, s).not.toContain(s);
    expect(body).not.toContain(`href="/submissions/${sub.rival}"`);
    for (const s of ACME_ONLY) expect(body, s).toContain(s);
    const ecm = section(body, 'ECM assignments');
    // the member left ACME for a provider the liaison may not see: when, not whom
    expect(ecm).toMatch(/ACME → another provider/);
    // her current assignment (RIVAL's) is not shown; the switch back to ACME is
    expect(ecm).toMatch(/No assignment with a provider you may see/);
    expect(ecm).toMatch(/Planned switch: to ACME from 2026-12-20/);
    expect(section(body, 'Referrals')).toMatch(/No referrals about the providers you may see/);
    expect(body).toContain(`href="/submissions/${sub.acme}"`);
    expect(body).toContain(`href="/submissions/${sub.acmeFix}"`);
  });

  it("RIVAL's liaison: RIVAL's parts only; the switch back is to \"another provider\"", async () => {
    const body = await shownMemberPage(USERS.other);
    for (const s of ACME_ONLY) expect(body, s).not.toContain(s);
    for (const s of ['RIVAL', 'R-IVY-R', 'RTF_RIVAL_202611_IVY.xlsx', `HN_MIF_${P.ECM2.npi}_20261115.xlsx`]) expect(body, s).toContain(s);
    const ecm = section(body, 'ECM assignments');
    expect(ecm).toMatch(/another provider → RIVAL/);
    expect(ecm).toMatch(/Planned switch: to another provider from 2026-12-20/);
  });

  it('a liaison of none of her providers gets the very page an unknown CIN gets (404); both recorded as refused, with the CIN', async () => {
    time.set(WEB_NOW);
    const third = await login(THIRD);
    const since = await lastAccessId();
    const hers = await get(third, `/members/${IVY}`);
    const unknown = await get(third, `/members/${UNKNOWN}`);
    expect(hers.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    expect(hers.body).toBe(unknown.body);
    expect(hers.body).toContain('No such member');
    expect(hers.body).not.toContain(IVY);
    expect(hers.body).not.toContain('India');
    // RIVAL's liaison and a member of ACME's only (Charlie, 91000003C): the same
    const other = await login(USERS.other);
    const charlie = await get(other, '/members/91000003C');
    expect(charlie.statusCode).toBe(404);
    expect(charlie.body).toBe((await get(other, `/members/${UNKNOWN}`)).body);
    const ops = await login(USERS.ops);
    expect((await get(ops, `/members/${UNKNOWN}`)).statusCode).toBe(404);
    expect(await accessSince(since)).toEqual([
      { email: THIRD, provider_code: null, submission_id: null, member_cin: IVY, page: 'member', denied: true },
      { email: THIRD, provider_code: null, submission_id: null, member_cin: UNKNOWN, page: 'member', denied: true },
      { email: USERS.other, provider_code: null, submission_id: null, member_cin: '91000003C', page: 'member', denied: true },
      { email: USERS.other, provider_code: null, submission_id: null, member_cin: UNKNOWN, page: 'member', denied: true },
      { email: USERS.ops, provider_code: null, submission_id: null, member_cin: UNKNOWN, page: 'member', denied: true },
    ]);
  });

  it('a CIN that is not one: 400 naming the problem, never the value; recorded as refused without it; a lower-case CIN goes to its one address', async () => {
    time.set(WEB_NOW);
    const liaison = await login(USERS.liaison);
    const since = await lastAccessId();
    for (const [raw, says] of [
      ['x9100-BAD', 'a CIN is 8 digits followed by 1 letter'],
      [`${IVY}12345`, '14-character ID-card number'],
      ['11111111A', 'placeholder CIN'],
      ['%3Cb%3Ebold%3C%2Fb%3E', 'a CIN is 8 digits followed by 1 letter'],
    ] as const) {
      const res = await get(liaison, `/members/${raw}`);
      expect(res.statusCode, raw).toBe(400);
      expect(res.body, raw).toContain(says);
      expect(res.body, raw).not.toContain(decodeURIComponent(raw));
      expect(res.body, raw).not.toContain(IVY);
      expect(res.body, raw).not.toContain('<b>bold');
    }
    const lower = await get(liaison, `/members/${IVY.toLowerCase()}`);
    expect(lower.statusCode).toBe(303);
    expect(lower.headers.location).toBe(`/members/${IVY}`);
    expect(await accessSince(since)).toEqual(Array.from({ length: 4 }, () => ({ email: USERS.liaison, provider_code: null, submission_id: null, member_cin: null, page: 'member', denied: true })));
  });

  it('finding a member: the form on every page sends GET /members?cin=, redirected (303) to the normalised CIN; a malformed value is a 400 that does not repeat it', async () => {
    time.set(WEB_NOW);
    const liaison = await login(USERS.liaison);
    const board = (await get(liaison, '/')).body;
    expect(board).toMatch(/<form class="find-member" method="get" action="\/members"/);
    expect(board).toMatch(/<label>Member CIN <input[^>]* name="cin"/);
    expect((await get(liaison, `/submissions/${seed.acmeSubmission}`)).body).toContain('action="/members"');
    const found = await get(liaison, `/members?cin=${encodeURIComponent(` ${IVY.toLowerCase()} `)}`);
    expect(found.statusCode).toBe(303);
    expect(found.headers.location).toBe(`/members/${IVY}`);
    for (const q of ['cin=', 'cin=not-a-cin', `cin=${IVY}&cin=${IVY}`, '', `cin=${IVY}12345`]) {
      const res = await get(liaison, `/members?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.body, q).not.toContain('not-a-cin');
      expect(res.body, q).not.toContain(IVY);
      expect(res.body, q).toMatch(/CIN/);
    }
  });

  it("the submission page links each CIN on record to the member page", async () => {
    time.set(WEB_NOW);
    const liaison = await login(USERS.liaison);
    const body = (await get(liaison, `/submissions/${seed.acmeSubmission}`)).body;
    expect(body).toContain(`<td class="cin"><a href="/members/${ACME_MEMBER.cin}">${ACME_MEMBER.cin}</a></td>`);
  });

  it("a member only a rejected row of the liaison's provider names: that row, never the plan's record of someone who is not that provider's", async () => {
    const body = await shownMemberPage(USERS.liaison, GIL.cin);
    expect(section(body, 'Provider files that reported the member')).toContain('MEMBER_NOT_ASSIGNED');
    expect(body).toContain(`href="/submissions/${sub.gil}"`);
    for (const s of [GIL.last, GIL.first, GIL.dob, GIL.address]) expect(body, s).not.toContain(s);
    expect(section(body, 'Record')).toMatch(/not shown/);
    // ops see the record
    const ops = await get(await login(USERS.ops), `/members/${GIL.cin}`);
    expect(ops.body).toContain(`${GIL.last}, ${GIL.first}`);
    // RIVAL's liaison: none of theirs
    expect((await get(await login(USERS.other), `/members/${GIL.cin}`)).statusCode).toBe(404);
  });

  it('anonymous: sent to the login form, the CIN not carried into its address', async () => {
    const res = await get(undefined, `/members/${IVY}`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login');
    const search = await get(undefined, `/members?cin=${IVY}`);
    expect(search.headers.location).toBe('/login');
  });

  it('no CIN, and no value typed as one, reaches the application log (the routes are logged by pattern)', async () => {
    time.set(WEB_NOW);
    const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
    const spies = levels.map((l) => vi.spyOn(log, l));
    try {
      const sessions = [await login(USERS.ops), await login(USERS.liaison), await login(USERS.other), await login(THIRD)];
      for (const s of sessions) {
        for (const url of [`/members/${IVY}`, `/members/${UNKNOWN}`, `/members/${GIL.cin}`, '/members/x9100-BAD', `/members/${IVY}12345`, `/members?cin=${IVY}`, '/members?cin=x9100-BAD', `/members/${IVY.toLowerCase()}`])
          await get(s, url);
      }
      const logged = spies.flatMap((s) => s.mock.calls).map((c) => JSON.stringify(c));
      // (the refusals are logged: without the member)
      expect(logged.some((l) => l.includes('web access denied'))).toBe(true);
      for (const l of logged) {
        expect(l).not.toMatch(/\d{8}[A-Za-z]/);
        expect(l).not.toContain('x9100-BAD');
      }
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });
});

// Whom the mini-MIF SLA alert goes to ([POLICY] "Who is emailed" in the README). The alert names
// members by CIN, so it goes only to a liaison who may see the provider when it is sent, by the
// rule the web pages use (liaisonsWhoMaySee: a contract in force for the period files received
// that day answer, on the alert run's clock; see web-contract-end.test.ts): the liaison of the
// referral's line while that liaison may see the provider; otherwise the liaisons who may see it
// (of its other contracts in force); nobody: not sent, not marked, tried again at the next run.
// A liaison named only on a contract that has ended (nor the provider's own liaison, named by it)
// is no longer told, from the month the pages stop showing them the provider.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accessPeriodDate } from '../../src/calendar/period.js';
import { log } from '../../src/log.js';
import { miniMifSlaAlert } from '../../src/reports/alerts.js';
import { liaisonsWhoMaySee } from '../../src/repositories/board.js';
import { closePlanWorld, importProviders, openPlanWorld, PROVIDERS_HEADER, type PlanWorld } from '../helpers/world.js';

/** The liaison named on RIVAL's one contract and ACME's Health Net contract, both ending November 30. */
const OLD = 'old-liaison@plan.example';
/** The liaison of ACME's CalViva contract, in force. */
const CV = 'cv-liaison@plan.example';
/** The liaison RIVAL's renewed contract names. */
const RENEWED = 'renewed-liaison@plan.example';
const CIN = /\b\d{8}[A-Z]\b/;

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('sla-recipients');
  // The providers extract names OLD the liaison of RIVAL's one contract and of ACME's Health Net
  // contract, both ending November 30 (OLD is then each provider's own liaison too: the first
  // its rows name); ACME's CalViva contract runs on, with CV as its liaison.
  const s = await importProviders(w, 'providers-ends.csv', [
    `RIVAL,1987654328,987654321,Rival Care Partners,HN,ECM,5595550200,ops@rival.example,${OLD},2026-11-30`,
    `ACME,1234567893,123456789,Acme Community Health,HN,ECM,5595550100,ops@acme.example,${OLD},2026-11-30`,
    `ACME,1234567893,123456789,Acme Community Health,CV,ECM,5595550100,ops@acme.example,${CV},`,
  ], '2026-11-20T16:00:00Z', `${PROVIDERS_HEADER},contract_end`);
  expect(s, JSON.stringify(s.rejects)).toMatchObject({ rowsImported: 3, rowsRejected: 0 });
  expect((await q(`select provider_code, liaison_email from providers where provider_code in ('ACME', 'RIVAL') order by 1`)).rows)
    .toEqual([{ provider_code: 'ACME', liaison_email: OLD }, { provider_code: 'RIVAL', liaison_email: OLD }]);
});
afterAll(() => closePlanWorld(w));

const q = (sql: string, params: unknown[] = []) => w.db.pool.query(sql, params);
const refer = (id: string, cin: string, provider: string, lob: string, approved: string) =>
  q(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date) values ($1, $2, $3, $4, $5)`, [id, cin, provider, lob, approved]);
/** The recipients (lower-cased) of each SLA alert naming the referral. */
const alertedTo = async (id: string) =>
  (await q(`select recipients from notifications where kind = 'minimif-sla' and body like '%' || $1 || '%' order by id`, [id])).rows
    .map((r: { recipients: string[] }) => r.recipients.map((e) => e.toLowerCase()));
const alertedAt = async (id: string) => (await q(`select sla_alerted_at from ecm_referrals where referral_id = $1`, [id])).rows[0].sla_alerted_at as Date | null;
/** Who the web lets see the provider at `now`. */
const webLiaisons = async (code: string, now: Date) => (await liaisonsWhoMaySee(w.db.pool, accessPeriodDate(now, w.config.PLAN_TIME_ZONE), code)).get(code) ?? [];

describe('the mini-MIF SLA alert goes to a liaison who may see the provider', () => {
  it('in December (files answer November, the ended contract\'s last month) the liaison of the ended contract is still told: the pages still show them the provider', async () => {
    const now = new Date('2026-12-01T16:00:00Z');
    await refer('REF-R-1', '91000005E', 'RIVAL', 'HN', '2026-11-20');
    expect(await webLiaisons('RIVAL', now)).toEqual([OLD]);
    expect(await miniMifSlaAlert(w.db.pool, w.config, '2026-12-01', now)).toEqual({ referrals: 1, providers: 1 });
    expect(await alertedTo('REF-R-1')).toEqual([[OLD]]);
  });

  it('from January a provider whose contracts have all ended: its old liaison gets no CIN; nobody is told, and the referral waits unmarked', async () => {
    const now = new Date('2027-01-05T16:00:00Z');
    await refer('REF-R-2', '91000008H', 'RIVAL', 'HN', '2026-12-20');
    expect(await webLiaisons('RIVAL', now)).toEqual([]);
    const warn = vi.spyOn(log, 'warn');
    try {
      expect(await miniMifSlaAlert(w.db.pool, w.config, '2027-01-05', now)).toEqual({ referrals: 0, providers: 0 });
      const said = warn.mock.calls.filter((c) => /SLA alert: nobody to tell/.test(String(c[1])));
      expect(said).toHaveLength(1);
      expect(said[0]![0]).toMatchObject({ provider: 'RIVAL', referrals: 1 });
      expect(JSON.stringify(said)).not.toMatch(CIN);
    } finally {
      warn.mockRestore();
    }
    expect(await alertedTo('REF-R-2')).toEqual([]);
    expect(await alertedAt('REF-R-2')).toBeNull();
    // nothing at all went to the old liaison that month
    expect((await q(`select count(*)::int n from notifications where kind = 'minimif-sla' and created_at >= '2027-01-01' and $1 = any(recipients)`, [OLD])).rows[0].n).toBe(0);
  });

  it('a contract in force naming another liaison: the alert goes to them, never to the ended contract\'s (nor to the provider\'s own liaison it named)', async () => {
    const now = new Date('2027-01-06T16:00:00Z');
    // ACME's Health Net line has ended (its liaison OLD); a CalViva referral of the same day; a
    // referral in a line ACME has no contract in (its own liaison, OLD, stood in for it)
    await refer('REF-A-HN', '91000001A', 'ACME', 'HN', '2026-12-20');
    await refer('REF-A-CV', '91000004D', 'ACME', 'CV', '2026-12-20');
    await refer('REF-A-IV', '91000008H', 'ACME', 'CHPIV', '2026-12-20');
    expect(await webLiaisons('ACME', now)).toEqual([CV]);
    expect(await miniMifSlaAlert(w.db.pool, w.config, '2027-01-06', now)).toEqual({ referrals: 3, providers: 1 });
    // one alert, to the CalViva liaison, naming the three
    for (const id of ['REF-A-HN', 'REF-A-CV', 'REF-A-IV']) expect(await alertedTo(id), id).toEqual([[CV]]);
    expect((await q(`select count(*)::int n from notifications where kind = 'minimif-sla' and body like '%REF-A-%'`)).rows[0].n).toBe(1);
    // (RIVAL's referral is still nobody's)
    expect(await alertedAt('REF-R-2')).toBeNull();
  });

  it('a renewal naming a new liaison: the referral that waited goes to them at the next run, not to the old one', async () => {
    const now = new Date('2027-01-07T16:00:00Z');
    const s = await importProviders(w, 'providers-renewal.csv', [
      `RIVAL,1987654328,987654321,Rival Care Partners,HN,ECM,5595550200,ops@rival.example,${RENEWED},`,
    ], '2027-01-07T15:00:00Z', `${PROVIDERS_HEADER},contract_end`);
    expect(s, JSON.stringify(s.rejects)).toMatchObject({ rowsImported: 1, rowsRejected: 0 });
    expect(await webLiaisons('RIVAL', now)).toEqual([RENEWED]);
    expect(await miniMifSlaAlert(w.db.pool, w.config, '2027-01-07', now)).toEqual({ referrals: 1, providers: 1 });
    expect(await alertedTo('REF-R-2')).toEqual([[RENEWED]]);
    expect(await alertedAt('REF-R-2')).not.toBeNull();
  });

  it('the line\'s own liaison, while they may see the provider, is the one told (the other lines\' liaisons are not)', async () => {
    const now = new Date('2027-01-08T16:00:00Z');
    // ACME's Health Net contract renewed, naming OLD again: OLD and CV both may see ACME
    await q(`update provider_contracts set contract_end = null where provider_code = 'ACME' and lob = 'HN' and program = 'ECM'`);
    expect(await webLiaisons('ACME', now)).toEqual([CV, OLD].sort());
    await refer('REF-A-HN2', '91000002B', 'ACME', 'HN', '2026-12-25');
    await refer('REF-A-CV2', '91000004D', 'ACME', 'CV', '2026-12-25');
    expect(await miniMifSlaAlert(w.db.pool, w.config, '2027-01-08', now)).toEqual({ referrals: 2, providers: 1 });
    expect(await alertedTo('REF-A-HN2')).toEqual([[OLD]]);
    expect(await alertedTo('REF-A-CV2')).toEqual([[CV]]);
  });
});

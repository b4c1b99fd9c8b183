// Ops asking "why is this member not on ACME's MIF?" or "why was their RTF row rejected?":
// `calaim-exchange member show CIN` tells one member's story from the command line, without SQL
// or a workbook. The story played here, each step through the CLI on its own clock:
//   Oct 1   the members extract brings Ivy (91000009J); the assignment extract assigns her to ACME
//           in Health Net; a CS authorization (Homeway, housing navigation)
//   Oct 15  ACME's October MIF carries her
//   Nov 3   ACME's RTF reports her discontinued (declined), with a new phone: accepted
//   Nov 6   ACME's corrected RTF carries a row about her with an ECM status that is no code: rejected
//   Nov 12  a referral to ACME approved Nov 10 starts a new episode (status 1 again)
//   Nov 16  the mini-MIF carries the referral
//   Nov 20  the assignment extract moves her to RIVAL from Dec 20 (a planned switch)
//   Dec 20  the scheduler's switches job applies it
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPSTREAM, type UpstreamKind } from '../../schemas/upstream.js';
import { expectUsageError, runCli } from '../helpers/cli.js';
import { rtf, rtfRow } from '../helpers/provider-files.js';
import { closeCliWorld, openCliWorld, type CliWorld } from '../helpers/world.js';

const IVY = '91000009J';
const d = (date: string) => ({ date });
let w: CliWorld;
const sub: Record<string, number> = {};

/** A story step that must succeed. */
async function cli(args: string[]) {
  const r = await runCli(args, w.env);
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

async function importExtract(kind: UpstreamKind, name: string, rows: string[], now: string) {
  const file = path.join(w.dataDir, name);
  fs.writeFileSync(file, [UPSTREAM[kind].columns.join(','), ...rows, ''].join('\n'));
  await cli(['import', kind, file, '--now', now]);
}

async function ingestRtf(key: string, name: string, rows: Record<string, unknown>[], at: string) {
  const file = path.join(w.dataDir, name);
  fs.writeFileSync(file, await rtf(rows as never));
  await cli(['ingest', file, '--provider', 'ACME', '--received-at', at, '--json']);
  sub[key] = (await w.one('select max(id)::int as id from submissions')).id;
}

const october = { reportingPeriod: '10/2026', productionDate: d('2026-11-02') };
const ivyRow = (over: Record<string, unknown>) => rtfRow({ cin: IVY, lastName: 'India', firstName: 'Ivy', ...october, ...over });
const annRow = rtfRow({ ecmStatus: '2', ...october });

/** The member's story as --json prints it at `now`. */
async function story(now: string, extra: string[] = []) {
  const r = await cli(['member', 'show', IVY, '--json', '--now', now, ...extra]);
  return r.json as any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

beforeAll(async () => {
  w = await openCliWorld('cli-member', { SFTP_STABLE_SECONDS: '0' });
  await importExtract('members', 'members-oct.csv', [`${IVY},M9,India,Ivy,1985-04-04,F,English,9 I St,Fresno,CA,93709,5595551009,Fresno,N`], '2026-10-01T08:00:00-07:00');
  await importExtract('ecm-assignments', 'assignments-oct.csv', [`${IVY},ACME,HN,1,2026-10-01,,,,,,`], '2026-10-01T08:05:00-07:00');
  await importExtract('cs-authorizations', 'cs-oct.csv', [`${IVY},HOMEWAY,HN,HTN,AUTHORIZED,Approved,A-900,2026-10-01,2027-03-31,2026-09-20,2026-09-28,2026-09-28,`], '2026-10-01T08:10:00-07:00');
  await cli(['generate', 'mif', '--date', '2026-10-15', '--now', '2026-10-15T07:00:00-07:00']);
  await ingestRtf('accepted', 'RTF_ACME_202610.xlsx', [
    annRow,
    ivyRow({ ecmStatus: '4', discontinuationDate: d('2026-10-20'), discontinuationReasonCode: 'DP', newPhone: 'Y', phone: '5595559999' }),
  ], '2026-11-03T09:00:00-08:00');
  await ingestRtf('rejected', 'RTF_ACME_202610_FIX.xlsx', [annRow, ivyRow({ ecmStatus: '7' })], '2026-11-06T09:00:00-08:00');
  await importExtract('referrals', 'referrals-nov.csv', [`R-IVY-1,${IVY},ACME,HN,2026-11-10`], '2026-11-12T08:00:00-08:00');
  await cli(['generate', 'mini-mif', '--date', '2026-11-16', '--now', '2026-11-16T07:00:00-08:00']);
  await importExtract('ecm-assignments', 'assignments-nov.csv', [`${IVY},RIVAL,HN,1,2026-12-20,,,,,,`], '2026-11-20T08:00:00-08:00');
});
afterAll(() => closeCliWorld(w));

describe('calaim-exchange member show', () => {
  it('before the switch: the record, the assignment with its history newest first, the planned switch, referral, authorization, files', async () => {
    const s = await story('2026-12-10T08:00:00-08:00');
    expect(s).toMatchObject({ cin: IVY, today: '2026-12-10', limit: 50, truncated: [] });
    // the record: the extract's, but the phone ACME's RTF reported since
    expect(s.member).toMatchObject({ lastName: 'India', firstName: 'Ivy', dob: '1985-04-04', eligibilityEnd: null, eligibleToday: true });
    expect(s.member.contact).toMatchObject({ phone: '5595559999', phoneFrom: 'provider', address: '9 I St', addressFrom: 'extract', extract: { phone: '5595551009' } });

    expect(s.ecm.map((l: { lob: string }) => l.lob)).toEqual(['HN', 'CV', 'CHPIV']);
    const hn = s.ecm[0];
    expect(s.ecm[1]).toEqual({ lob: 'CV', assignment: null, plannedSwitch: null, notApplied: [], history: [] });
    expect(hn.assignment).toMatchObject({ provider: 'ACME', assignedDate: '2026-11-10', status: 1, heldToday: true, lastReported: null });
    expect(hn.plannedSwitch).toMatchObject({ to: 'RIVAL', day: '2026-12-20', status: 'planned', row: 2, file: 'assignments-nov.csv' });
    // each step, newest first, with what caused it: the plan's changes with before and after, the
    // RTF row that counts as ACME reported it (status after only; the rejected row is no step)
    expect(hn.history.map((h: Record<string, unknown>) => [h.cause, h.opening, h.providerBefore, h.providerAfter, h.statusBefore, h.statusAfter])).toEqual([
      ['referral', false, 'ACME', 'ACME', 4, 1],
      ['rtf', false, null, 'ACME', null, 4],
      ['assignment-extract', true, null, 'ACME', null, 1],
    ]);
    expect(hn.history[0]).toMatchObject({ referralId: 'R-IVY-1', assignedAfter: '2026-11-10', at: expect.stringMatching(/^2026-11-12T08:00/) });
    expect(hn.history[1]).toMatchObject({
      change: null, submissionId: sub.accepted, sheet: 'RTF', row: 3, at: expect.stringMatching(/^2026-11-03T09:00/), recordedAt: null, assignedAfter: null,
      reported: { period: '2026-10', discontinuationDate: '2026-10-20', discontinuationReason: 'DP' },
    });
    expect(hn.history[2]).toMatchObject({ row: null, assignedAfter: '2026-10-01', at: expect.stringMatching(/^2026-10-01T08:05/) });

    expect(s.referrals).toEqual([expect.objectContaining({ id: 'R-IVY-1', provider: 'ACME', lob: 'HN', approved: '2026-11-10', episodeStarted: true, sentOn: expect.stringMatching(/^HN_MINIMIF_1234567893_20261116/) })]);
    expect(s.csAuthorizations).toEqual([expect.objectContaining({ service: 'HTN', provider: 'HOMEWAY', authNumber: 'A-900', status: 'Approved', resolved: false, resolvedReason: null })]);
    // the provider files that reported her: the rejected row newest, with its codes; the accepted one counts (one that no longer counted would not be listed)
    expect(s.providerRows.map((r: Record<string, unknown>) => [r.submissionId, r.layout, r.period, r.row, r.accepted, r.counts])).toEqual([
      [sub.rejected, 'RTF', '2026-10', 3, false, false],
      [sub.accepted, 'RTF', '2026-10', 3, true, true],
    ]);
    expect(s.providerRows[0].issues).toEqual(expect.arrayContaining([expect.objectContaining({ severity: 'error' })]));
    expect(s.providerRows[1]).toMatchObject({ provider: 'ACME', file: 'RTF_ACME_202610.xlsx', lob: 'HN', outcome: 'ACCEPTED_WITH_WARNINGS' });
    expect(s.outboundFiles.map((o: Record<string, unknown>) => [o.kind, o.provider, o.lob, o.slot])).toEqual([['MINIMIF', 'ACME', 'HN', '2026-11-16'], ['MIF', 'ACME', 'HN', '2026-10-15']]);
  });

  it('the text output tells the same story in sections, the causes in order', async () => {
    const r = await cli(['member', 'show', IVY, '--now', '2026-12-10T08:00:00-08:00']);
    const out = r.stdout;
    expect(out).toMatch(/^member 91000009J: India, Ivy/m);
    expect(out).toMatch(/phone 5595559999 \(reported by a provider's RTF since the members extract/);
    expect(out).toMatch(/^ECM HN: ACME from 2026-11-10, status 1/m);
    expect(out).toMatch(/planned switch: to RIVAL from 2026-12-20 \(planned\)/);
    const causes = [...out.matchAll(/^\s*\S+ \S+\s+(referral R-IVY-1|RTF submission \d+ RTF row 3 \(2026-10, as reported\)|assignment extract \(opened\))/gm)].map((m) => m[1]);
    expect(causes).toEqual(['referral R-IVY-1', `RTF submission ${sub.accepted} RTF row 3 (2026-10, as reported)`, 'assignment extract (opened)']);
    expect(out).toMatch(/^ECM CV: no assignment on record/m);
    expect(out).toMatch(/^Referrals/m);
    expect(out).toMatch(/R-IVY-1\s+ACME\s+HN\s+2026-11-10/);
    expect(out).toMatch(/^CS authorizations/m);
    expect(out).toMatch(/HTN\s+HOMEWAY\s+HN\s+A-900\s+Approved/);
    expect(out).toMatch(/^Provider files that reported the member/m);
    expect(out).toMatch(new RegExp(`${sub.rejected}\\s+ACME\\s+RTF\\s+2026-10\\s+RTF\\s+3\\s+rejected`));
    expect(out).toMatch(new RegExp(`${sub.accepted}\\s+ACME\\s+RTF\\s+2026-10\\s+RTF\\s+3\\s+accepted\\s+yes`));
    expect(out).toContain('rows that no longer count are not listed; `submission show ID` has them');
    expect(out).toMatch(/^Outbound files that carried the member/m);
  });

  it('after the switch\'s day: applied, and its lineage entry says it was the planned switch', async () => {
    await cli(['scheduler', '--fire', 'switches', '--now', '2026-12-20T00:05:00-08:00', '--json']);
    const s = await story('2026-12-21T08:00:00-08:00');
    const hn = s.ecm[0];
    expect(hn.assignment).toMatchObject({ provider: 'RIVAL', assignedDate: '2026-12-20', status: 1 });
    expect(hn.plannedSwitch).toBeNull();
    expect(hn.history.map((h: Record<string, unknown>) => h.cause)).toEqual(['planned-switch', 'referral', 'rtf', 'assignment-extract']);
    expect(hn.history[0]).toMatchObject({ providerBefore: 'ACME', providerAfter: 'RIVAL', assignedAfter: '2026-12-20', row: 2, at: expect.stringMatching(/^2026-11-20T08:00/) });
  });

  it('--limit cuts every list to the newest N and says which were cut', async () => {
    const s = await story('2026-12-21T08:00:00-08:00', ['--limit', '1']);
    expect(s.ecm[0].history.map((h: Record<string, unknown>) => h.cause)).toEqual(['planned-switch']);
    expect(s.providerRows.map((r: Record<string, unknown>) => r.submissionId)).toEqual([sub.rejected]);
    expect(s.truncated).toEqual(expect.arrayContaining(['ecm.HN.history', 'providerRows', 'outboundFiles']));
    expect(s.truncated).not.toContain('referrals');
    const text = await cli(['member', 'show', IVY, '--limit', '1', '--now', '2026-12-21T08:00:00-08:00']);
    expect(text.stdout).toMatch(/only the newest 1 shown: --limit/);
  });

  it('a CIN in lower case or with blanks is read as the CIN', async () => {
    const r = await cli(['member', 'show', ` ${IVY.toLowerCase()} `, '--json', '--now', '2026-12-21T08:00:00-08:00']);
    expect((r.json as { cin: string }).cin).toBe(IVY);
  });

  it('an unknown CIN: exit 1, "no member with that CIN", never the CIN', async () => {
    for (const json of [[], ['--json']]) {
      const r = await runCli(['member', 'show', '91999998Z', ...json], w.env);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^error: no member with that CIN$/m);
      expect(r.stderr).not.toMatch(/91999998Z/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    }
  });

  it('a malformed CIN or a bad flag: a usage error (exit 2, one line), the value never echoed', async () => {
    for (const bad of ['9100000', 'ABCDEFGHI', '91000009J0001X', '11111111A', '']) {
      const r = await runCli(['member', 'show', bad], w.env);
      expectUsageError(r, /^error: CIN/m);
      if (bad.trim()) expect(r.stderr).not.toContain(bad);
    }
    expectUsageError(await runCli(['member', 'show'], w.env), /missing required argument/);
    expectUsageError(await runCli(['member', 'show', IVY, '--limit', '0'], w.env), /--limit takes a whole number/);
    expectUsageError(await runCli(['member', 'show', IVY, '--now', 'soon'], w.env), /--now/);
    expectUsageError(await runCli(['member', 'show', IVY, '--bogus'], w.env), /unknown option/);
  });

  it('logs nothing that names the member, even at debug level', async () => {
    for (const args of [['member', 'show', IVY], ['member', 'show', IVY, '--json'], ['member', 'show', '91999998Z'], ['member', 'show', '91000009J0001X']]) {
      const r = await runCli([...args, '--now', '2026-12-21T08:00:00-08:00'], { ...w.env, LOG_LEVEL: 'debug' });
      expect(r.code).not.toBeNull();
      expect(r.stderr, args.join(' ')).not.toMatch(/9100000|9199999|India|Ivy/);
    }
  });
});

// What a liaison is shown of a member's story (storyForProviders, pure): only the parts about the
// providers they may see; where such a part involves another provider (the member moved from or
// to it, it kept the member against a planned switch, it held the member when a referral came),
// "another provider" and nothing of it, its code not even in a reason's words.
import { describe, expect, it } from 'vitest';
import { ANOTHER_PROVIDER, storyForProviders, type HistoryJson, type LineJson, type MemberStoryJson } from '../../src/reports/member-story.js';
import { memberPage } from '../../src/web/member.js';

const step = (o: Partial<HistoryJson>): HistoryJson => ({
  change: 1, cause: 'assignment-extract', opening: false, at: '2026-11-05T08:00:00.000-08:00', recordedAt: null, row: 2, submissionId: null, sheet: null, referralId: null,
  providerBefore: null, providerAfter: 'ACME', statusBefore: null, statusAfter: 1, assignedBefore: null, assignedAfter: '2026-10-01', planEndAfter: null, reported: null, ...o,
});
const line = (lob: string, o: Partial<LineJson> = {}): LineJson => ({ lob, assignment: null, plannedSwitch: null, notApplied: [], history: [], ...o });
const assignment = (provider: string): NonNullable<LineJson['assignment']> => ({
  provider, assignedDate: '2026-11-05', status: 2, statusName: 'Currently in Outreach', enrollmentStart: null, enrollmentEnd: null, discontinuationDate: null,
  discontinuationReason: null, acuity: null, lcmName: null, planEnd: null, planEndedAt: null, heldToday: true,
  lastReported: { submissionId: 9, row: 2, provider, file: `RTF_${provider}.xlsx`, receivedAt: null }, outreachAttempts: 0, lastOutreach: null,
});
const referral = (id: string, provider: string, conflictWith: string | null = null): MemberStoryJson['referrals'][number] => ({
  id, provider, lob: 'HN', approved: '2026-11-10', episodeStarted: false, episodeStartedAt: null, sentOn: null, sentKind: null, sentSlot: null,
  conflictWith, conflictResolvedAt: null, slaAlertedAt: null,
});
const row = (provider: string, accepted: boolean): MemberStoryJson['providerRows'][number] => ({
  submissionId: 1, provider, file: `RTF_${provider}.xlsx`, receivedAt: '2026-11-03T09:00:00.000-08:00', verdict: null, outcome: null, layout: 'RTF', sheet: 'RTF',
  period: '2026-10', row: 2, lob: 'HN', service: null, attemptDate: null, accepted, counts: accepted, issues: [],
});

function story(o: Partial<MemberStoryJson> = {}): MemberStoryJson {
  return {
    cin: '91000009J', timeZone: 'America/Los_Angeles', today: '2026-12-06', limit: 50, truncated: [],
    member: {
      mcpMemberId: 'M9', lastName: 'India', firstName: 'Ivy', dob: '1985-04-04', gender: 'F', language: null, county: null, pcpName: null, pcpNpi: null,
      eligibilityEnd: null, eligibleToday: true,
      contact: { address: null, city: null, state: null, zip: null, phone: null, homeless: null, addressFrom: 'unknown', phoneFrom: 'unknown', homelessFrom: 'unknown', extract: null },
      updatedAt: '2026-12-01T00:00:00.000-08:00',
    },
    ecm: [line('HN'), line('CV'), line('CHPIV')],
    referrals: [], csAuthorizations: [], providerRows: [], outboundFiles: [],
    ...o,
  };
}

const acme = (code: string) => code === 'ACME';

describe('storyForProviders', () => {
  it('none of the providers in it: nothing (the page answers as for an unknown CIN)', () => {
    expect(storyForProviders(story({ ecm: [line('HN', { assignment: assignment('RIVAL') })], referrals: [referral('R1', 'RIVAL')] }), acme)).toBeUndefined();
  });

  it("a switch from ACME to RIVAL: ACME's side shown, RIVAL's as another provider with nothing of its version; RIVAL's own steps and assignment left out", () => {
    const doc = story({
      ecm: [line('HN', {
        assignment: assignment('RIVAL'),
        history: [
          step({ cause: 'rtf', providerAfter: 'RIVAL', submissionId: 5, statusAfter: 2 }),
          step({ cause: 'referral', referralId: 'R-RIVAL', providerBefore: 'ACME', providerAfter: 'RIVAL', statusBefore: 3, statusAfter: 1, assignedBefore: '2026-10-01', assignedAfter: '2026-11-05' }),
          step({ opening: true, providerAfter: 'ACME' }),
        ],
      })],
    });
    const shown = storyForProviders(doc, acme)!;
    expect(shown.partial).toBe(true);
    expect(shown.ecm[0]!.assignment).toBeNull();
    expect(shown.ecm[0]!.history).toEqual([
      step({ cause: 'referral', referralId: null, providerBefore: 'ACME', providerAfter: ANOTHER_PROVIDER, statusBefore: 3, statusAfter: null, assignedBefore: '2026-10-01', assignedAfter: null }),
      step({ opening: true, providerAfter: 'ACME' }),
    ]);
    expect(JSON.stringify(shown)).not.toMatch(/RIVAL/);
    expect(shown.member?.lastName).toBe('India');
  });

  it('planned and not-applied switches: kept when to a provider seen or away from one that holds the member; the other side and its code in the reason replaced', () => {
    const doc = story({
      ecm: [
        line('HN', {
          assignment: assignment('ACME'),
          plannedSwitch: { to: 'RIVAL', day: '2026-12-20', status: 'planned', row: 2, file: 'a.csv', loadedAt: '2026-11-20T08:00:00.000-08:00' },
          notApplied: [
            { from: 'RIVAL', to: 'ACME', day: '2026-11-01', row: 3, file: null, loadedAt: '2026-10-20T08:00:00.000-07:00', reason: "a referral's episode with provider RIVAL from 2026-10-25, started after the extract was loaded, keeps the member", checkedAt: '2026-11-01T00:05:00.000-07:00' },
            { from: 'RIVAL', to: 'RIVAL-2', day: '2026-11-02', row: 4, file: null, loadedAt: '2026-10-20T08:00:00.000-07:00', reason: 'not applied', checkedAt: '2026-11-02T00:05:00.000-08:00' },
          ],
        }),
        line('CV', { plannedSwitch: { to: 'RIVAL', day: '2026-12-20', status: 'planned', row: 5, file: null, loadedAt: '2026-11-20T08:00:00.000-08:00' } }),
      ],
    });
    const shown = storyForProviders(doc, acme)!;
    expect(shown.ecm[0]!.plannedSwitch).toMatchObject({ to: ANOTHER_PROVIDER, day: '2026-12-20' });
    expect(shown.ecm[0]!.notApplied).toEqual([expect.objectContaining({
      from: ANOTHER_PROVIDER, to: 'ACME', reason: "a referral's episode with another provider from 2026-10-25, started after the extract was loaded, keeps the member",
    })]);
    // (a switch between two others, in a line ACME has nothing of: not shown)
    expect(shown.ecm[1]!.plannedSwitch).toBeNull();
    expect(JSON.stringify(shown)).not.toMatch(/RIVAL/);
  });

  it("referrals, authorizations, rows and files of others left out; a conflict's holder replaced; a list said to be cut only when it shows something", () => {
    const doc = story({
      truncated: ['referrals', 'outboundFiles', 'ecm.HN.history'],
      ecm: [line('HN', { history: [step({ providerAfter: 'RIVAL' })] })],
      referrals: [referral('R-ACME', 'ACME', 'RIVAL'), referral('R-RIVAL', 'RIVAL')],
      providerRows: [row('ACME', true), row('RIVAL', true)],
      outboundFiles: [{ id: 1, kind: 'MIF', provider: 'RIVAL', lob: 'HN', slot: '2026-11-15', status: 'PUBLISHED', file: 'x.xlsx', row: 1, publishedAt: null, replacedAt: null, ecmStatus: 1, service: null, authNumber: null, referralId: null }],
    });
    const shown = storyForProviders(doc, acme)!;
    expect(shown.referrals).toEqual([referral('R-ACME', 'ACME', ANOTHER_PROVIDER)]);
    expect(shown.providerRows.map((r) => r.provider)).toEqual(['ACME']);
    expect(shown.outboundFiles).toEqual([]);
    expect(shown.ecm[0]!.history).toEqual([]);
    expect(shown.truncated).toEqual(['referrals']);
  });

  it("only rejected rows of the viewer's providers: the rows, not the plan's record; one that counts: the record too", () => {
    const rejected = storyForProviders(story({ providerRows: [row('ACME', false)] }), acme)!;
    expect(rejected.member).toBeNull();
    expect(rejected.providerRows).toHaveLength(1);
    expect(storyForProviders(story({ providerRows: [row('ACME', false), row('ACME', true)] }), acme)!.member?.lastName).toBe('India');
  });

  it("the RTF that last reported on an assignment of theirs is shown only when one of theirs sent it", () => {
    const a = { ...assignment('ACME'), lastReported: { submissionId: 9, row: 2, provider: 'RIVAL', file: 'RTF_RIVAL.xlsx', receivedAt: null } };
    expect(storyForProviders(story({ ecm: [line('HN', { assignment: a })] }), acme)!.ecm[0]!.assignment?.lastReported).toBeNull();
  });
});

describe('memberPage', () => {
  const viewer = (role: 'ops' | 'liaison') => ({ userId: 1, email: `${role}@plan.example`, role, csrf: 'token' });

  it('says when a list was cut (ops: and how to see more), escapes what providers typed, and has no form but the search and no inline style', () => {
    const doc = story({
      truncated: ['providerRows', 'ecm.HN.history'],
      ecm: [line('HN', { assignment: assignment('ACME'), history: [step({})] }), line('CV'), line('CHPIV')],
      providerRows: [{ ...row('ACME', false), file: '<script>alert(1)</script>.xlsx' }],
    });
    const ops = memberPage(viewer('ops'), { ...doc, partial: false }).value;
    expect(ops.match(/Only the newest 50 are shown/g)).toHaveLength(2);
    expect(ops).toContain('calaim-exchange member show 91000009J --limit N');
    expect(ops).toContain('&lt;script&gt;alert(1)&lt;/script&gt;.xlsx');
    expect(ops).not.toMatch(/<script|style=/);
    expect(ops.match(/<form /g)).toHaveLength(2); // the header's search and the logout button
    expect(ops).not.toContain('Parts about other providers are not shown');
    const liaison = memberPage(viewer('liaison'), storyForProviders(doc, acme)!).value;
    expect(liaison).toContain('Only the newest 50 are shown');
    expect(liaison).not.toContain('--limit');
    expect(liaison).toContain('Parts about other providers are not shown');
  });
});

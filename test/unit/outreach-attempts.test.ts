// A member's outreach attempts as the RTF's unable-to-engage check counts them: the provider's
// history in its context, and the attempts one file's OTF sheet reports, kept for the same file's
// RTF. Pure, and small per member. Every accepted attempt is kept until the file is read (the
// OTF may come first in the workbook), so what a member costs there is what a large OTF costs:
// as an object with two Sets per member, ~490 bytes a member with its CIN (98 MB for an OTF of
// 200k attempts, which peaked at 350 MB in the bench, case B3 at 200k, against 265 MB for B's RTF).
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { OTF, RTF } from '../../schemas/index.js';
import { loadConfig } from '../../src/config.js';
import { ContextRules } from '../../src/filetypes/context-rules.js';
import { OutreachAttempts } from '../../src/filetypes/outreach-attempts.js';
import { INBOUND_TYPES } from '../../src/filetypes/registry.js';
import { EcmMembers } from '../../src/ingest/ecm-members.js';
import { BoundRow } from '../../src/validate/scope.js';
import { providerContext } from '../helpers/provider-context.js';

describe('OutreachAttempts: a member\'s attempts', () => {
  const outreach = new OutreachAttempts();
  for (const [cin, date, method] of [
    ['91000001A', '2026-11-04', 1], ['91000001A', '2026-11-02', 2], ['91000001A', '2026-11-20', 1],
    // the same attempt in two sheets (a workbook with two OTF sheets): one attempt
    ['91000001A', '2026-11-04', 1],
    // a row with no method (NaN, as the rule reads a blank): an attempt, no method counted
    ['91000002B', '2026-11-10', Number(undefined)],
  ] as const) outreach.add(cin, date, method);

  it.each([
    ['91000001A', { attempts: ['2026-11-04|1', '2026-11-02|2', '2026-11-20|1'], methods: [1, 2], first: '2026-11-02', last: '2026-11-20' }],
    ['91000002B', { attempts: ['2026-11-10|NaN'], methods: [], first: '2026-11-10', last: '2026-11-10' }],
  ])('%s: each attempt once, its methods, its first and last day', (cin, want) => {
    const h = outreach.get(cin)!;
    expect({ attempts: [...h.attempts], methods: [...h.methods], first: h.first, last: h.last }).toEqual(want);
  });

  it('a member the file reports no attempt for has none', () => {
    expect(outreach.get('91000003C')).toBeUndefined();
  });
});

describe('an OTF of 200,000 attempts, one per member, through the context rules', () => {
  it('keeps its attempts in at most 160 bytes a member (the member\'s CIN, its attempt, the map entry)', async () => {
    // a collection the test can force: what stays reachable, not when the collector runs
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const members = 200_000;
    const cin = (i: number) => `${90_000_000 + i}A`;
    const ecm = new EcmMembers(members);
    for (let i = 0; i < members; i++) ecm.set(cin(i), { lob: 'HN', status: 2, lastName: 'Last', firstName: 'First', onLatestMif: true, enrolledOnLatestMif: false, lcmName: null, reassigned: false });
    const ctx = providerContext({ ecm });
    const rules = new ContextRules(INBOUND_TYPES, ctx, loadConfig({}), '2026-11-30');
    const cells = new BoundRow(new Map(), []);
    const row = (i: number) => ({
      sheet: 'OTF', layout: OTF, rowNumber: i + 2, cin: cin(i), cells, issues: [],
      values: { mcpId: 'HN', providerNpi: ctx.npi, providerTin: ctx.tin, cin: cin(i), attemptDate: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}`, method: String(1 + (i % 2)) },
    });
    // the rules' own first-row set-up, and the context's lookups, before the count starts
    expect(rules.check(row(0))).toEqual([]);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 1; i < members; i++) if (rules.check(row(i)).length) throw new Error(`row ${i + 2} was not accepted`);
    gc();
    const kept = process.memoryUsage().heapUsed - before;
    // (one string a member and its map entry, ~60 bytes; an object and two Sets, ~420)
    // (~100 here: the row's CIN string, its attempt key's string and the map's entry; an object
    // and two Sets a member kept ~490)
    expect(kept / members).toBeLessThanOrEqual(160);
    // what was measured is what the RTF's unable-to-engage check reads (and a use of the rules
    // after the count: the collector frees what no code will read again, the rules too)
    const rtf = { sheet: 'RTF', layout: RTF, rowNumber: 2, cin: cin(7), cells, issues: [], values: { mcpId: 'HN', providerNpi: ctx.npi, providerTin: ctx.tin, cin: cin(7), ecmStatus: '4', discontinuationReasonCode: 'UE', discontinuationDate: '2026-11-30' } };
    expect(rules.check(rtf)).toEqual([]);
    const ue = (await rules.finish({ countingEarlier: async () => new Set<string>() })).filter((i) => i.code === 'UE_OUTREACH_INSUFFICIENT');
    // member 7's one attempt this file reports, on the 8th
    expect(ue.map((i) => i.message)).toEqual([expect.stringContaining('1 attempt(s) over 1 method(s) across 22 day(s)')]);
  });
});

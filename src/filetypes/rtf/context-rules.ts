// The RTF's rules that need the database context: the member is assigned to the provider in
// the row's line of business, the names match; at the end of the file, enrolled members on the
// latest MIF that no RTF of the period reports, and members declared unable to engage (UE)
// without enough outreach (history, and this file's OTF sheet). Pure: reads the loaded context.
import { daysBetween } from '../../../schemas/primitives.js';
import { makeIssue, type Issue } from '../../validate/issues.js';
import { assignedEcmMember, issueAt, sameName } from '../common-context.js';
import { outreachHistory } from '../provider-context.js';
import type { ContextFile, ContextRuleSet, EndOfFileQueries } from '../types.js';
import type { RtfKey } from './rules.js';

/** Distinct OTF methods: the OTF has 2 (in person, telephonic/electronic), so no file can show 3. */
const OTF_METHODS = 2;

export function rtfContextRules({ ctx, config, periodEnd, facts }: ContextFile): ContextRuleSet<RtfKey> {
  /** The assignments (member × line) this file reports: a byte per assignment the provider has, no key per row. */
  const reported = ctx.ecm.newSet();
  const rtfLobs = new Set<string>();
  const rejectReassigned = config.REASSIGNED_MEMBER_ROWS === 'reject';
  /** Rows discontinued as UE, with the day the outreach ended (their discontinuation or enrollment end; the period's end when blank). */
  const ueRows: { sheet: string; row: number; cin: string; until: string | undefined }[] = [];
  let rtfSheet: string | undefined;

  /**
   * Enrolled members on the latest MIF, of a line this RTF carries, that it does not report
   * (per line of business: a provider may return one RTF per MIF it received); a member the
   * plan has since assigned to another provider is owed only while its rows count
   * (REASSIGNED_MEMBER_ROWS=count: the provider reports on what it was sent). Few: only these
   * are looked up among the rows earlier files of the period still count. A line not under
   * contract for the period (one ended before it: its rows are LOB_NOT_CONTRACTED) owes none,
   * nor is a member not eligible with the plan for the period owed (ctx.ineligible: memberEligible),
   * nor one the plan moved to another of its lines before the period (ctx.leftLine: assignmentInLine).
   * By CIN, then line: the context holds the members in the order the database gave them, which
   * no query fixes for a provider's whole caseload, and the same file against the same records
   * is told the same thing in the same order.
   */
  const unreportedEnrolled = (): { cin: string; lob: string }[] =>
    [...ctx.ecm].filter(([cin, m]) => m.enrolledOnLatestMif && !(m.reassigned && rejectReassigned) && rtfLobs.has(m.lob) && ctx.ecmLobs.has(m.lob)
      && !ctx.ineligible.has(cin) && !ctx.leftLine.has(`${cin}|${m.lob}`) && !reported.has(cin, m.lob)).map(([cin, m]) => ({ cin, lob: m.lob }))
      .sort((a, b) => a.cin.localeCompare(b.cin) || a.lob.localeCompare(b.lob));

  return {
    check(row, lob, out) {
      const m = assignedEcmMember(ctx, config, row, lob, out);
      if (!m) return;
      const cin = row.cin!;
      const v = row.values;
      if (rtfSheet === undefined) rtfSheet = row.sheet;
      reported.add(cin, m.lob);
      rtfLobs.add(m.lob);
      if (typeof v.lastName === 'string' && !sameName(v.lastName, m.lastName)) out.push(makeIssue('NAME_MISMATCH', issueAt(row, 'lastName')));
      else if (typeof v.firstName === 'string' && !sameName(v.firstName, m.firstName)) out.push(makeIssue('NAME_MISMATCH', issueAt(row, 'firstName')));
      if (v.discontinuationReasonCode === 'UE') {
        const until = typeof v.discontinuationDate === 'string' ? v.discontinuationDate : typeof v.endDate === 'string' ? v.endDate : periodEnd;
        ueRows.push({ sheet: row.sheet, row: row.rowNumber, cin, until });
      }
    },

    async finish(db: EndOfFileQueries): Promise<Issue[]> {
      const out: Issue[] = [];
      if (rtfSheet !== undefined) {
        // members an earlier RTF of the period reported still count as reported (corrections merge)
        const unreported = unreportedEnrolled();
        const reportedEarlier = unreported.length ? await db.countingEarlier('RTF', unreported.map((u) => u.cin)) : undefined;
        for (const { cin, lob } of unreported)
          if (!reportedEarlier?.has(`${cin}|${lob}`)) out.push(makeIssue('PAST_ENROLLMENT_NOT_REPORTED', { sheet: rtfSheet, cin }));
      }
      const minModalities = Math.min(config.OUTREACH_MIN_MODALITIES, OTF_METHODS);
      for (const ue of ueRows) {
        // earlier attempts of the period keep counting (corrections merge): all history counts
        const prior = outreachHistory(ctx, ue.cin);
        const here = facts.outreach.get(ue.cin);
        // an attempt reported in several files (two periods, a correction) counts once
        const attempts = new Set([...(prior?.attempts ?? []), ...(here?.attempts ?? [])]).size;
        const methods = new Set([...(prior?.methods ?? []), ...(here?.methods ?? [])]);
        const first = [prior?.first, here?.first].filter(Boolean).sort()[0];
        // outreach "continues 90 days before unable to engage" (§4.9): from the first attempt to
        // the day the member was discontinued, not to the period's end (an early discontinuation
        // after 44 days of outreach counted 90, and got no warning)
        const until = ue.until ?? [prior?.last, here?.last].filter(Boolean).sort().reverse()[0];
        const days = first && until ? Math.max(0, daysBetween(first, until)) : 0;
        if (attempts < config.OUTREACH_MIN_ATTEMPTS || methods.size < minModalities || days < config.OUTREACH_MIN_DAYS)
          out.push(makeIssue('UE_OUTREACH_INSUFFICIENT', { sheet: ue.sheet, row: ue.row, cin: ue.cin }, {
            detail: `${attempts} attempt(s) over ${methods.size} method(s) across ${days} day(s)`,
            expected: `${config.OUTREACH_MIN_ATTEMPTS} attempts over ${minModalities} methods and ${config.OUTREACH_MIN_DAYS} days`,
          }));
      }
      return out;
    },
  };
}

// `calaim-exchange member show CIN`: one member's story for ops who get the call "why is this
// member not on ACME's MIF?" or "why was their RTF row rejected?", without SQL or a workbook: the
// record, each line's ECM assignment with its history (what changed it, when), planned and
// not-applied switches, referrals, CS authorizations, the provider rows that named the member and
// the outbound files that carried them. Read-only; for ops (it prints the member). The story is
// loaded as the member page (/members/CIN) loads it (src/reports/member-story-load.ts). The CIN is
// never logged nor echoed in an error: the one line says what was wrong, not the value.
import type { Command } from 'commander';
import { CS_ENGAGEMENT_STATUS } from '../../../schemas/codes.js';
import { notParsedText, parseCin } from '../../../schemas/primitives.js';
import { localDate } from '../../calendar/index.js';
import { addressText, contactOrigin, planCauseText, storyMinute as minute, type ContactFrom, type HistoryJson, type LineJson, type MemberStoryJson } from '../../reports/member-story.js';
import { emit, EXIT, printable, table, UsageError } from '../output.js';
import { withRuntime } from '../lazy-runtime.js';
import { commandClock, nowOption } from '../clock-option.js';
import { countOption, nonEmpty } from '../values.js';

/** The CIN argument, normalised; a usage error that never repeats it (it is a member's identifier). */
export function cinArgument(value: string): string {
  nonEmpty(value, 'CIN', 'a member\'s CIN (8 digits and a letter)');
  const cin = parseCin(value);
  if (!cin.ok) throw new UsageError(`CIN: not a member's CIN: ${notParsedText(cin)}`);
  return cin.value;
}

interface Opts { limit?: string; now?: string; json?: boolean }

export function registerMember(program: Command): void {
  program
    .command('member')
    .description('one member, for ops')
    .command('show <CIN>')
    .description('one member\'s story: the record, each line\'s ECM assignment and its history, switches, referrals, CS authorizations, the provider rows about them and the files that carried them')
    .option('--limit <N>', 'at most this many of each list (newest first)', '50')
    .addOption(nowOption('"today": eligibility, whether the assignment holds the member in its line, whether a planned switch is due'))
    .option('--json', 'print one JSON document')
    .addHelpText('after', `
Read-only; it prints the member (names, date of birth, contact details): for ops. Each list is
newest first and cut at --limit, saying so. An unknown CIN exits 1 ("no member with that CIN").

Examples:
  calaim-exchange member show 98907528N
  calaim-exchange member show 98907528N --json --limit 10`)
    .action(async (cinArg: string, opts: Opts) => {
      const cin = cinArgument(cinArg);
      const limit = countOption(opts.limit ?? '50', '--limit');
      const clock = commandClock(opts);
      const { loadMemberStory } = await import('../../reports/member-story-load.js');
      await withRuntime(async ({ config, db }) => {
        const tz = config.PLAN_TIME_ZONE;
        const doc = await loadMemberStory(db.pool, { cin, tz, today: localDate(clock(), tz), limit });
        if (!doc) {
          // (an unknown CIN is an answer, not a mistake in the command line: exit 1, and never the CIN)
          process.stderr.write('error: no member with that CIN\n');
          process.exitCode = EXIT.FAILED;
          return;
        }
        emit(opts, doc, () => storyText(doc));
      });
    });
}

// ---- the text output

const arrow = <T>(a: T | null, b: T | null) => (b === null ? (a === null ? '' : `${String(a)} → ?`) : a === null || a === b ? String(b) : `${String(a)} → ${String(b)}`);
const cut = (doc: MemberStoryJson, name: string) => (doc.truncated.includes(name) ? [`  (only the newest ${doc.limit} shown: --limit)`] : []);

function causeText(h: HistoryJson): string {
  return h.cause === 'rtf' ? `RTF submission ${h.submissionId ?? '?'} ${h.sheet ?? ''} row ${h.row ?? '?'} (${h.reported?.period ?? '?'}, as reported)` : planCauseText(h);
}

const contactLine = (label: string, value: string, from: ContactFrom, extract: string | null): string => `${label} ${value} (${contactOrigin(from, extract)})`;

function lineText(doc: MemberStoryJson, l: LineJson): string[] {
  const a = l.assignment;
  if (!a && !l.plannedSwitch && !l.notApplied.length) return [`ECM ${l.lob}: no assignment on record`];
  const out: string[] = [];
  if (a) {
    out.push(`ECM ${l.lob}: ${a.provider} from ${a.assignedDate}, status ${a.status} (${a.statusName})` +
      `${a.planEnd ? `; the plan ended it in the line after ${a.planEnd}` : ''}${a.heldToday ? '' : ` (not held in the line on ${doc.today})`}`);
    const dates = [
      a.enrollmentStart ? `enrolled ${a.enrollmentStart}${a.enrollmentEnd ? ` to ${a.enrollmentEnd}` : ''}` : '',
      a.discontinuationDate ? `discontinued ${a.discontinuationDate}${a.discontinuationReason ? ` (${a.discontinuationReason})` : ''}` : '',
      a.acuity ? `acuity ${a.acuity}` : '', a.lcmName ? `lead care manager ${a.lcmName}` : '',
    ].filter(Boolean);
    if (dates.length) out.push(`  ${dates.join('; ')}`);
    out.push(a.lastReported
      ? `  last reported: submission ${a.lastReported.submissionId} row ${a.lastReported.row ?? '?'} (${a.lastReported.provider ?? '?'}, ${printable(a.lastReported.file ?? '')}, received ${minute(a.lastReported.receivedAt)})`
      : '  last reported: no RTF row since this episode began');
    out.push(`  outreach: ${a.outreachAttempts} attempt(s) counting${a.lastOutreach ? `, the latest ${a.lastOutreach}` : ''}`);
  } else {
    out.push(`ECM ${l.lob}: no assignment on record`);
  }
  const p = l.plannedSwitch;
  if (p) out.push(`  planned switch: to ${p.to} from ${p.day} (${p.status}), extract row ${p.row}${p.file ? ` of ${printable(p.file)}` : ''}, loaded ${minute(p.loadedAt)}`);
  for (const k of l.notApplied)
    out.push(`  switch not applied: to ${k.to} from ${k.day} (checked ${minute(k.checkedAt)}; ${k.from ? `${k.from} kept the member` : 'no assignment'}): ${k.reason}`);
  out.push(...cut(doc, `ecm.${l.lob}.notApplied`));
  if (l.history.length) {
    out.push('  history (newest first):');
    out.push(table(['when', 'cause', 'provider', 'status', 'from'], l.history.map((h) => [
      minute(h.at ?? h.recordedAt), causeText(h), arrow(h.providerBefore, h.providerAfter), arrow(h.statusBefore, h.statusAfter), arrow(h.assignedBefore, h.assignedAfter),
    ])).split('\n').map((s) => `  ${s}`).join('\n'));
    out.push(...cut(doc, `ecm.${l.lob}.history`));
  }
  return out;
}

function section<T>(doc: MemberStoryJson, title: string, name: keyof MemberStoryJson & string, items: T[], none: string, render: (items: T[]) => string): string[] {
  return ['', `${title} (newest first)`, items.length ? render(items) : `  ${none}`, ...cut(doc, name)];
}

/** The human output: short sections, tables. */
export function storyText(doc: MemberStoryJson): string {
  const m = doc.member;
  const c = m.contact;
  const tz = doc.timeZone;
  const e = c.extract;
  const yn = (b: boolean | null) => (b === null ? 'unknown' : b ? 'yes' : 'no');
  return [
    `member ${doc.cin}: ${m.lastName}, ${m.firstName} (born ${m.dob}, ${m.gender})${m.mcpMemberId ? `, MCP member id ${m.mcpMemberId}` : ''}; times in ${tz}`,
    m.eligibilityEnd
      ? `eligibility ends ${m.eligibilityEnd}: ${m.eligibleToday ? 'eligible' : 'not eligible'} on ${doc.today}`
      : `eligible on ${doc.today} (no eligibility end on file)`,
    `language ${m.language ?? '(none)'}, county ${m.county ?? '(none)'}; PCP ${m.pcpName ? `${m.pcpName}${m.pcpNpi ? ` (NPI ${m.pcpNpi})` : ''}` : 'not known'}`,
    contactLine('address', addressText(c) || '(none)', c.addressFrom, e ? addressText(e) : null),
    contactLine('phone', c.phone ?? '(none)', c.phoneFrom, e?.phone ?? null),
    contactLine('homeless', yn(c.homeless), c.homelessFrom, e ? yn(e.homeless) : null),
    '',
    ...doc.ecm.flatMap((l) => lineText(doc, l)),
    ...section(doc, 'Referrals', 'referrals', doc.referrals, 'none', (xs) => table(
      ['id', 'provider', 'lob', 'approved', 'new episode', 'sent on', 'conflict with'],
      xs.map((f) => [f.id, f.provider, f.lob, f.approved, f.episodeStarted ? minute(f.episodeStartedAt) : 'no', f.sentOn ?? 'not sent yet',
        f.conflictWith ? `${f.conflictWith}${f.conflictResolvedAt ? ' (resolved)' : ''}` : '']))),
    ...section(doc, 'CS authorizations', 'csAuthorizations', doc.csAuthorizations, 'none', (xs) => table(
      ['service', 'provider', 'lob', 'auth number', 'status', 'start', 'end', 'resolved', 'provider reports'],
      xs.map((a) => [a.service, a.provider, a.lob, a.authNumber ?? '', a.status ?? a.recordType, a.start ?? '', a.end ?? '',
        a.resolved ? `${a.resolvedReason ?? 'yes'}${a.resolvedBySubmission ? ` (submission ${a.resolvedBySubmission})` : ''}` : 'no',
        a.engagementStatus === null ? '' : `${CS_ENGAGEMENT_STATUS[String(a.engagementStatus) as keyof typeof CS_ENGAGEMENT_STATUS] ?? a.engagementStatus} (submission ${a.engagementSubmission ?? '?'} row ${a.engagementRow ?? '?'})`]))),
    ...section(doc, 'Provider files that reported the member', 'providerRows', doc.providerRows, 'none', (xs) => table(
      ['submission', 'provider', 'type', 'period', 'sheet', 'row', 'result', 'counts', 'lob', 'issues', 'received', 'file'],
      xs.map((r) => [r.submissionId, r.provider, r.layout, r.period ?? '', r.sheet, r.row, r.accepted ? 'accepted' : 'rejected', r.counts ? 'yes' : 'no',
        r.lob ?? '', [...new Set(r.issues.map((i) => i.code))].join(','), minute(r.receivedAt), r.file]))),
    '  (the rows that count and the rejected ones: rows that no longer count are not listed; `submission show ID` has them)',
    ...section(doc, 'Outbound files that carried the member', 'outboundFiles', doc.outboundFiles, 'none recorded', (xs) => table(
      ['kind', 'provider', 'lob', 'slot', 'status', 'row', 'file', 'published'],
      xs.map((o) => [o.kind, o.provider, o.lob ?? '', o.slot, o.replacedAt ? `${o.status} (replaced)` : o.status, o.row, o.file ?? '', minute(o.publishedAt)]))),
  ].join('\n');
}

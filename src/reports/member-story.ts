// One member's story (calaim-exchange member show, and the member page /members/CIN) as one
// document, from what the repository read (src/repositories/member-story.ts; the reads are made in
// one place for both, src/reports/member-story-load.ts): pure, no I/O. Each line's history merges
// the plan's changes (the lineage, with the versions before and after) with the member's counting
// RTF rows (what each reported); times are plan-local. storyForProviders keeps the parts about
// some providers only (what a liaison is shown).
import { ECM_STATUS } from '../../schemas/codes.js';
import { localDate, localIso } from '../calendar/index.js';
import { EXTRACT_FIELDS } from '../repositories/ecm-assignments.js';
import type {
  AssignmentImage, Bounded, LineageRow, MemberRecord, RtfReport, StoryAssignment, StoryCsAuthorization, StoryOutboundRow, StoryPendingSwitch,
  StoryProviderRow, StoryReferral, StorySwitchNotApplied,
} from '../repositories/member-story.js';

const LINES = ['HN', 'CV', 'CHPIV'] as const;

/**
 * Where a contact detail on the record comes from: `extract` (as the members extract last gave it),
 * `provider` (it differs from what the extract last gave: a provider's accepted RTF reported it
 * since), `unknown` (the member was loaded before the extract's values were kept, migration 0039).
 */
export type ContactFrom = 'extract' | 'provider' | 'unknown';

/**
 * What made a version of an assignment: `assignment-extract` (a row of the plan's assignment
 * extract), `planned-switch` (an extract row that named another provider from a day after it was
 * loaded, applied on that day), `rtf` (a provider's accepted RTF row), `referral` (an approved
 * referral that started a new episode), `line-switch` (the plan ended it: the member joined
 * another line), `on-file` (the first version, whose origin is not recorded).
 */
export type StoryCause = 'assignment-extract' | 'planned-switch' | 'rtf' | 'referral' | 'line-switch' | 'on-file';

/**
 * One step of an assignment's history, newest first. `opening`: the assignment's first version
 * (no before). `at`: when it happened by the clock of the command that did it: the RTF's receipt,
 * the referral import's, the import that ended the line, for the extract when it first said the
 * values the change wrote (a planned switch: when it was loaded; `assignedAfter` is its day);
 * null where not recorded. `recordedAt`: when the database wrote the change (its own clock, not
 * a command's --now; null for the opening and the RTF steps). `row`: the RTF's row (with
 * `submissionId`, `sheet`), else the extract's row that made the change (null for an opening:
 * not recorded).
 *
 * The plan's changes (extract, planned switch, referral, line switch) come from the lineage, with
 * the version before and after. The RTF steps (`rtf`) are the member's RTF rows that count in the
 * line (one per provider and period), as the provider reported them (`reported`): `providerAfter`
 * the provider that sent it, `statusAfter` the status it reported; nothing before (`*Before`
 * null), no assigned date, and not whether the row changed the assignment (a row of a provider
 * that no longer held the member, or of an earlier episode, changed nothing). A plan's change with
 * an RTF step after it and before the next change has `statusAfter` null (what it wrote is not
 * kept apart from what the RTF changed since), except an opening by the extract: the extract's
 * status.
 */
export interface HistoryJson {
  change: number | null;
  cause: StoryCause;
  opening: boolean;
  at: string | null;
  recordedAt: string | null;
  row: number | null;
  submissionId: number | null;
  sheet: string | null;
  referralId: string | null;
  providerBefore: string | null;
  providerAfter: string;
  statusBefore: number | null;
  statusAfter: number | null;
  assignedBefore: string | null;
  assignedAfter: string | null;
  planEndAfter: string | null;
  /** An RTF step: the period and what the row reported (its dates, as sent). */
  reported: null | {
    period: string; enrollmentStart: string | null; enrollmentEnd: string | null; discontinuationDate: string | null; discontinuationReason: string | null;
  };
}

/** One line of business: the assignment as it stands, the planned switch, those not applied, the history. */
export interface LineJson {
  lob: string;
  assignment: null | {
    provider: string;
    assignedDate: string;
    status: number;
    statusName: string;
    enrollmentStart: string | null;
    enrollmentEnd: string | null;
    discontinuationDate: string | null;
    discontinuationReason: string | null;
    acuity: string | null;
    lcmName: string | null;
    /** The plan's end of it in the line (its last day) and when the plan ended it. */
    planEnd: string | null;
    planEndedAt: string | null;
    /** Whether it holds the member in the line on `today`. */
    heldToday: boolean;
    /** The RTF row that last reported on it (null: none since its episode began). */
    lastReported: null | { submissionId: number; row: number | null; provider: string | null; file: string | null; receivedAt: string | null };
    /** The provider's OTF attempts about the member in the line that count, and the latest one's date. */
    outreachAttempts: number;
    lastOutreach: string | null;
  };
  /** status: planned (its day still to come) or due (its day has come, no run applied it yet). */
  plannedSwitch: null | { to: string; day: string; status: 'planned' | 'due'; row: number; file: string | null; loadedAt: string };
  notApplied: { from: string | null; to: string; day: string; row: number; file: string | null; loadedAt: string; reason: string; checkedAt: string }[];
  history: HistoryJson[];
}

/**
 * `member show --json`. Times are plan-local ISO (timeZone); `today`: the plan-local day of --now.
 * Every list is newest first and holds at most `limit`; `truncated` names the lists that had
 * more (`ecm.<LOB>.history`, `ecm.<LOB>.notApplied`, `referrals`, `csAuthorizations`,
 * `providerRows`, `outboundFiles`).
 */
export interface MemberStoryJson {
  cin: string;
  timeZone: string;
  today: string;
  limit: number;
  truncated: string[];
  member: {
    mcpMemberId: string | null;
    lastName: string;
    firstName: string;
    dob: string;
    gender: string;
    language: string | null;
    county: string | null;
    pcpName: string | null;
    pcpNpi: string | null;
    eligibilityEnd: string | null;
    eligibleToday: boolean;
    contact: {
      address: string | null; city: string | null; state: string | null; zip: string | null; phone: string | null; homeless: boolean | null;
      addressFrom: ContactFrom; phoneFrom: ContactFrom; homelessFrom: ContactFrom;
      /** What the members extract last gave (null: not kept, loaded before migration 0039). */
      extract: null | { address: string | null; city: string | null; state: string | null; zip: string | null; phone: string | null; homeless: boolean | null };
    };
    updatedAt: string;
  };
  ecm: LineJson[];
  referrals: {
    id: string; provider: string; lob: string; approved: string; episodeStarted: boolean; episodeStartedAt: string | null;
    /** The MIF or mini-MIF that sent it (file name, kind, slot); null: not sent yet. */
    sentOn: string | null; sentKind: string | null; sentSlot: string | null;
    /** Not applied because the member was open with this provider in the line (null: no conflict); resolved when. */
    conflictWith: string | null; conflictResolvedAt: string | null;
    slaAlertedAt: string | null;
  }[];
  csAuthorizations: {
    service: string; provider: string; lob: string; recordType: string; authNumber: string | null; status: string | null;
    start: string | null; end: string | null; assigned: string | null;
    resolved: boolean; resolvedReason: string | null; resolvedAt: string | null; resolvedBySubmission: number | null;
    /** The provider's latest CSPRTF report on the pair (shown with its latest episode). */
    engagementStatus: number | null; engagementSubmission: number | null; engagementRow: number | null;
  }[];
  providerRows: {
    submissionId: number; provider: string; file: string; receivedAt: string; verdict: string | null; outcome: string | null;
    layout: string; sheet: string; period: string | null; row: number; lob: string | null; service: string | null; attemptDate: string | null;
    accepted: boolean;
    /**
     * Whether this row is the one that counts for its key (provider × line × file type × period ×
     * key: domain §6). Listed: the rows that count and the rejected rows; an accepted row that no
     * longer counts is not (`submission show ID` has it).
     */
    counts: boolean;
    issues: { code: string; severity: string; column: string | null }[];
  }[];
  outboundFiles: {
    id: number; kind: string; provider: string; lob: string | null; slot: string; status: string; file: string | null; row: number;
    publishedAt: string | null; replacedAt: string | null; ecmStatus: number | null; service: string | null; authNumber: string | null; referralId: string | null;
  }[];
}

export interface StoryInput {
  cin: string;
  tz: string;
  today: string;
  limit: number;
  member: MemberRecord;
  assignments: StoryAssignment[];
  lineage: Map<number, LineageRow[]>;
  /** The member's counting RTF rows, newest first, at most limit + 1. */
  rtfReports: RtfReport[];
  images: Map<number, AssignmentImage>;
  pending: StoryPendingSwitch[];
  notApplied: Bounded<StorySwitchNotApplied>;
  referrals: Bounded<StoryReferral>;
  cs: Bounded<StoryCsAuthorization>;
  rows: Bounded<StoryProviderRow>;
  outbound: Bounded<StoryOutboundRow>;
}

/** The --json document from what the repository read (pure). */
export function buildStory(x: StoryInput): MemberStoryJson {
  const { tz } = x;
  const iso = (d: Date | string | null | undefined) => (d === null || d === undefined ? null : localIso(new Date(d), tz));
  const truncated: string[] = [];
  const take = <T>(name: string, list: Bounded<T>): T[] => {
    if (list.cut) truncated.push(name);
    return list.items;
  };
  const m = x.member;
  const up = m.upstream_contact;
  const [uAddress = null, uCity = null, uState = null, uZip = null] = up?.address ?? [];
  const from = (same: boolean): ContactFrom => (up === null ? 'unknown' : same ? 'extract' : 'provider');
  // (one read for every line: each line with some of them is said to be cut)
  const notAppliedAll = x.notApplied.items;
  const ecm = LINES.map((lob): LineJson => {
    const a = x.assignments.find((y) => y.lob === lob);
    const p = x.pending.find((y) => y.lob === lob);
    const na = notAppliedAll.filter((y) => y.lob === lob);
    if (x.notApplied.cut && na.length) truncated.push(`ecm.${lob}.notApplied`);
    let history: HistoryJson[] = [];
    if (a) {
      const changes = x.lineage.get(a.id) ?? [];
      const reports = x.rtfReports.slice(0, x.limit).filter((r) => r.lob === lob);
      // (the plan's changes or the RTF rows had more than were read, or the two together are more than --limit)
      const complete = changes.length <= x.limit;
      const all = assignmentHistory(changes.slice(0, x.limit), x.images.get(a.id)!, complete, tz, reports);
      if (!complete || all.length > x.limit || (x.rtfReports.length > x.limit && reports.length)) truncated.push(`ecm.${lob}.history`);
      history = all.slice(0, x.limit);
    }
    return {
      lob,
      assignment: a ? {
        provider: a.provider_code, assignedDate: a.assigned_date, status: a.status, statusName: ECM_STATUS[String(a.status) as keyof typeof ECM_STATUS] ?? '',
        enrollmentStart: a.enrollment_start, enrollmentEnd: a.enrollment_end, discontinuationDate: a.discontinuation_date,
        discontinuationReason: a.discontinuation_reason, acuity: a.acuity, lcmName: a.lcm_name, planEnd: a.plan_end, planEndedAt: iso(a.plan_ended_at),
        heldToday: a.held,
        lastReported: a.last_submission_id === null ? null : {
          submissionId: a.last_submission_id, row: a.last_row_number, provider: a.reported_by, file: a.reported_file, receivedAt: iso(a.reported_at),
        },
        outreachAttempts: a.outreach_attempts, lastOutreach: a.last_outreach,
      } : null,
      plannedSwitch: p ? {
        to: p.provider_code, day: p.assigned_date, status: p.assigned_date <= x.today ? 'due' : 'planned', row: p.row_number, file: p.file_name, loadedAt: iso(p.loaded_at)!,
      } : null,
      notApplied: na.map((k) => ({
        from: k.from_provider, to: k.to_provider, day: k.assigned_date, row: k.row_number, file: k.file_name, loadedAt: iso(k.loaded_at)!, reason: k.reason, checkedAt: iso(k.checked_at)!,
      })),
      history,
    };
  });
  return {
    cin: x.cin, timeZone: tz, today: x.today, limit: x.limit, truncated,
    member: {
      mcpMemberId: m.mcp_member_id, lastName: m.last_name, firstName: m.first_name, dob: m.dob, gender: m.gender, language: m.language, county: m.county,
      pcpName: m.pcp_name, pcpNpi: m.pcp_npi, eligibilityEnd: m.eligibility_end, eligibleToday: m.eligible,
      contact: {
        address: m.address, city: m.city, state: m.state, zip: m.zip, phone: m.phone, homeless: m.homeless,
        addressFrom: from(uAddress === m.address && uCity === m.city && uState === m.state && uZip === m.zip),
        phoneFrom: from((up?.phone ?? null) === m.phone),
        homelessFrom: from((up?.homeless ?? null) === m.homeless),
        extract: up === null ? null : { address: uAddress, city: uCity, state: uState, zip: uZip, phone: up.phone ?? null, homeless: up.homeless ?? null },
      },
      updatedAt: iso(m.updated_at)!,
    },
    ecm,
    referrals: take('referrals', x.referrals).map((f) => ({
      id: f.referral_id, provider: f.provider_code, lob: f.lob, approved: f.approved_date, episodeStarted: f.episode_started_at !== null,
      episodeStartedAt: iso(f.episode_started_at), sentOn: f.sent_file, sentKind: f.sent_kind, sentSlot: f.sent_slot,
      conflictWith: f.conflict_provider, conflictResolvedAt: iso(f.conflict_resolved_at), slaAlertedAt: iso(f.sla_alerted_at),
    })),
    csAuthorizations: take('csAuthorizations', x.cs).map((c) => ({
      service: c.service_code, provider: c.provider_code, lob: c.lob, recordType: c.record_type, authNumber: c.auth_number, status: c.auth_status,
      start: c.auth_start, end: c.auth_end, assigned: c.assigned_date, resolved: c.resolved, resolvedReason: c.resolved_reason, resolvedAt: iso(c.resolved_at),
      resolvedBySubmission: c.resolved_submission_id, engagementStatus: c.engagement_status, engagementSubmission: c.engagement_submission_id, engagementRow: c.engagement_row,
    })),
    providerRows: take('providerRows', x.rows).map((r) => ({
      submissionId: r.submission_id, provider: r.provider_code, file: r.original_name, receivedAt: iso(r.received_at)!, verdict: r.verdict, outcome: r.outcome,
      layout: r.layout, sheet: r.sheet_name, period: r.period, row: r.row_number, lob: r.lob, service: r.service_code, attemptDate: r.attempt_date,
      accepted: r.accepted, counts: r.counts, issues: r.issues,
    })),
    outboundFiles: take('outboundFiles', x.outbound).map((o) => ({
      id: o.id, kind: o.kind, provider: o.provider_code, lob: o.lob, slot: o.slot, status: o.status, file: o.file_name, row: o.row_number,
      publishedAt: iso(o.published_at), replacedAt: iso(o.replaced_at), ecmStatus: o.ecm_status, service: o.service_code, authNumber: o.auth_number, referralId: o.referral_id,
    })),
  };
}

/**
 * An extract's version named its provider from a day after the extract first said so (the
 * provider's as-of, plan-local): a planned switch, applied on its day (or, loaded before
 * migration 0054, at import). The lineage records no other mark of it.
 */
function plannedAhead(v: AssignmentImage, tz: string): boolean {
  const said = v.upstream_field_as_of?.provider_code;
  return said !== undefined && v.assigned_date > localDate(new Date(said), tz);
}

/**
 * An assignment's history, newest first: the plan's newest changes (their before-images; each
 * change's version after it is the next change's before, or the row as it stands) merged by time
 * with the member's counting RTF rows of the line (what each reported). `complete`: every change
 * of the plan is there, so the first version (the oldest before, or the row) is added as the
 * opening.
 */
export function assignmentHistory(changes: readonly LineageRow[], current: AssignmentImage, complete: boolean, tz: string, reports: readonly RtfReport[] = []): HistoryJson[] {
  const iso = (s: string | Date | null | undefined) => (s === null || s === undefined ? null : localIso(new Date(s), tz));
  const ms = (s: string | null) => (s === null ? -Infinity : new Date(s).getTime());
  const rtf: HistoryJson[] = reports.map((r) => ({
    change: null, cause: 'rtf', opening: false, at: iso(r.received_at), recordedAt: null, row: r.row_number,
    submissionId: r.submission_id, sheet: r.sheet_name, referralId: null,
    providerBefore: null, providerAfter: r.provider_code, statusBefore: null, statusAfter: r.status === null || r.status === '' ? null : Number(r.status),
    assignedBefore: null, assignedAfter: null, planEndAfter: null,
    reported: {
      period: r.period, enrollmentStart: r.enrollment_start, enrollmentEnd: r.enrollment_end,
      discontinuationDate: r.discontinuation_date, discontinuationReason: r.discontinuation_reason,
    },
  }));
  const plan: HistoryJson[] = changes.map((c, i) => {
    const before = c.before;
    const after = i === 0 ? current : changes[i - 1]!.before;
    let cause: StoryCause;
    let at: string | null;
    switch (c.source) {
      case 'REFERRAL': cause = 'referral'; at = iso(after.episode_started_at); break;
      case 'LINE_SWITCH': cause = 'line-switch'; at = iso(after.plan_ended_at); break;
      default:
        if (c.moved && plannedAhead(after, tz)) {
          cause = 'planned-switch';
          at = iso(after.upstream_field_as_of?.provider_code);
        } else {
          cause = 'assignment-extract';
          // (the latest as-of of the fields it changed: when the extract said what the change wrote)
          const changed = EXTRACT_FIELDS.filter((f) => JSON.stringify(before[f] ?? null) !== JSON.stringify(after[f] ?? null));
          const asOf = changed.map((f) => after.upstream_field_as_of?.[f]).filter((s): s is string => s !== undefined).sort();
          at = iso(asOf.at(-1) ?? after.upstream_as_of);
        }
    }
    return {
      change: c.id, cause, opening: false, at, recordedAt: iso(c.changed_at), row: c.row_number,
      submissionId: null, sheet: null, referralId: c.referral_id,
      providerBefore: before.provider_code, providerAfter: after.provider_code, statusBefore: before.status, statusAfter: after.status,
      assignedBefore: before.assigned_date, assignedAfter: after.assigned_date, planEndAfter: after.plan_end, reported: null,
    };
  });
  if (complete) {
    const first = oldestVersion(changes, current);
    // (what wrote the first version is read from it: the extract keeps what it said, a referral when its episode began)
    const byExtract = first.upstream_values !== null;
    const cause: StoryCause = byExtract ? (plannedAhead(first, tz) ? 'planned-switch' : 'assignment-extract') : first.episode_started_at !== null ? 'referral' : 'on-file';
    const at = byExtract ? (first.upstream_field_as_of?.provider_code ?? first.upstream_as_of) : first.episode_started_at;
    plan.push({
      change: null, cause, opening: true, at: iso(at), recordedAt: null, row: null, submissionId: null, sheet: null, referralId: null,
      providerBefore: null, providerAfter: first.provider_code, statusBefore: null, statusAfter: first.status,
      assignedBefore: null, assignedAfter: first.assigned_date, planEndAfter: first.plan_end, reported: null,
    });
  }
  // (both lists newest first: merged by time, a plan's change first on a tie; the opening last)
  const when = (h: HistoryJson) => (h.opening ? -Infinity : ms(h.at ?? h.recordedAt));
  const out: HistoryJson[] = [];
  let i = 0;
  let j = 0;
  while (i < plan.length || j < rtf.length) {
    if (j >= rtf.length || (i < plan.length && when(plan[i]!) >= when(rtf[j]!))) out.push(plan[i++]!);
    else out.push(rtf[j++]!);
  }
  // a plan's version after which an RTF row was reported before the next plan's change: its
  // status is not kept apart from what the RTF wrote since (an opening by the extract: the extract's)
  for (let k = 0; k < out.length; k++) {
    const h = out[k]!;
    if (h.cause === 'rtf' || k === 0 || out[k - 1]!.cause !== 'rtf') continue;
    const extractSaid = h.opening && (h.cause === 'assignment-extract' || h.cause === 'planned-switch') ? oldestVersion(changes, current).upstream_values?.status : undefined;
    h.statusAfter = extractSaid === undefined || extractSaid === null || extractSaid === '' ? null : Number(extractSaid);
  }
  return out;
}

/** The assignment's first version the lineage keeps: the oldest change's before, or the row. */
const oldestVersion = (changes: readonly LineageRow[], current: AssignmentImage): AssignmentImage => (changes.length ? changes[changes.length - 1]!.before : current);

// ---- words both tellings use (member show's text, the member page)

/** A plan-local ISO instant of the story to the minute ("2026-11-03 09:00"). */
export const storyMinute = (s: string | null | undefined): string => (s ? s.slice(0, 16).replace('T', ' ') : '');

/** What a plan's change in a line's history was; an RTF step (cause 'rtf') each telling words with its submission. */
export function planCauseText(h: Pick<HistoryJson, 'cause' | 'opening' | 'referralId' | 'row' | 'at'>): string {
  switch (h.cause) {
    case 'referral': return h.opening ? 'referral (opened)' : `referral${h.referralId ? ` ${h.referralId}` : ''}`;
    case 'line-switch': return `line switch: the member joined another line (extract row ${h.row ?? '?'})`;
    case 'planned-switch': return h.opening ? 'planned switch applied (opened)' : `planned switch applied (extract row ${h.row ?? '?'}, loaded ${h.at?.slice(0, 10) ?? '?'})`;
    case 'assignment-extract': return h.opening ? 'assignment extract (opened)' : `assignment extract row ${h.row ?? '?'}`;
    default: return 'on file (origin not recorded)';
  }
}

/** Where a contact detail on the record came from (`extract`: what the members extract last gave, as text). */
export function contactOrigin(from: ContactFrom, extract: string | null): string {
  return from === 'extract' ? 'as the members extract gave it'
    : from === 'provider' ? `reported by a provider's RTF since the members extract gave ${extract ?? '(blank)'}`
      : 'origin not recorded';
}

/** An address on one line ("4 D St, Madera CA, 93637"); blank parts left out. */
export const addressText = (x: { address: string | null; city: string | null; state: string | null; zip: string | null }): string =>
  [x.address, [x.city, x.state].filter(Boolean).join(' '), x.zip].filter(Boolean).join(', ');

// ---- the parts about some providers (a liaison's view)

/**
 * What stands for a provider the viewer may not see where a part about one they may see involves
 * it (the member moved from or to it, a switch kept by it, a referral's conflict with it): never
 * its code. (No provider code can be this: codes are letters, digits, - and _.)
 */
export const ANOTHER_PROVIDER = 'another provider';

/** A story as a viewer is shown it. */
export interface ViewedStory extends Omit<MemberStoryJson, 'member'> {
  /**
   * The plan's record of the member; null: not shown (a liaison whose providers are in the story
   * only through rejected rows of their files that name the CIN: a provider's file can name any
   * CIN, and the plan's record of someone who is not that provider's member is not theirs to see,
   * as on the submission page).
   */
  member: MemberStoryJson['member'] | null;
  /** Only the parts about some providers are shown (a liaison's view); the page says so, always. */
  partial: boolean;
}

/** `text` with every whole-word mention of these provider codes (and "provider CODE") replaced by ANOTHER_PROVIDER. */
function withoutCodes(text: string, codes: readonly string[]): string {
  let out = text;
  for (const code of codes) {
    const c = code.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(?:\\bprovider )?(?<![A-Za-z0-9_-])${c}(?![A-Za-z0-9_-])`, 'g'), ANOTHER_PROVIDER);
  }
  return out;
}

/**
 * [POLICY] The story as someone who may see only the providers `may` says yes to is shown it
 * (a liaison: "reports and pages show a member only to who may see that provider"), or undefined
 * when none of those providers is in it. Kept: the assignments of those providers (with the RTF
 * row that last reported on one only when one of them sent it), each history step of a version
 * of theirs (the step that moved the member from or to another provider too, that side shown as
 * ANOTHER_PROVIDER with nothing of its version: not its status, dates or referral), a planned or
 * not-applied switch to one of them or away from one they hold (the other side likewise, and its
 * code out of the reason's words), their referrals (a conflict's holder likewise), their CS
 * authorizations, the rows of their files and the files sent to them. Everything else is left
 * out, codes and all, and a list is said to be cut only when it shows something (the lists a
 * liaison is shown are read for their providers alone: src/reports/member-story-load.ts). The
 * plan's record is shown only when one of their providers has the member (assigned, referred,
 * authorized, sent on a file, or a row that counts): rejected rows alone show the rows, not the
 * record (ViewedStory.member).
 */
export function storyForProviders(doc: MemberStoryJson, may: (code: string) => boolean): ViewedStory | undefined {
  const seen = (code: string | null): code is string => code !== null && may(code);
  const hidden = (code: string | null): code is string => code !== null && !may(code);
  const named = (code: string | null): string | null => (code === null || may(code) ? code : ANOTHER_PROVIDER);
  const ecm = doc.ecm.map((l): LineJson => {
    const a = l.assignment;
    const holder = a?.provider ?? null;
    const history = l.history.filter((h) => seen(h.providerAfter) || seen(h.providerBefore)).map((h): HistoryJson => ({
      ...h,
      ...(hidden(h.providerBefore) ? { providerBefore: ANOTHER_PROVIDER, statusBefore: null, assignedBefore: null } : {}),
      ...(hidden(h.providerAfter) ? { providerAfter: ANOTHER_PROVIDER, statusAfter: null, assignedAfter: null, planEndAfter: null, referralId: null } : {}),
    }));
    const p = l.plannedSwitch;
    return {
      lob: l.lob,
      assignment: a && may(a.provider) ? { ...a, lastReported: a.lastReported && seen(a.lastReported.provider) ? a.lastReported : null } : null,
      plannedSwitch: p && (may(p.to) || seen(holder)) ? { ...p, to: named(p.to)! } : null,
      notApplied: l.notApplied.filter((k) => may(k.to) || seen(k.from)).map((k) => ({
        ...k, from: named(k.from), to: named(k.to)!, reason: withoutCodes(k.reason, [k.from, k.to].filter(hidden)),
      })),
      history,
    };
  });
  const referrals = doc.referrals.filter((f) => may(f.provider)).map((f) => ({ ...f, conflictWith: named(f.conflictWith) }));
  const csAuthorizations = doc.csAuthorizations.filter((c) => may(c.provider));
  const providerRows = doc.providerRows.filter((r) => may(r.provider));
  const outboundFiles = doc.outboundFiles.filter((o) => may(o.provider));
  const theirs = ecm.some((l) => l.assignment || l.plannedSwitch || l.notApplied.length || l.history.length)
    || referrals.length > 0 || csAuthorizations.length > 0 || outboundFiles.length > 0 || providerRows.some((r) => r.accepted);
  if (!theirs && !providerRows.length) return undefined;
  const lists: Record<string, readonly unknown[]> = { referrals, csAuthorizations, providerRows, outboundFiles };
  for (const l of ecm) Object.assign(lists, { [`ecm.${l.lob}.history`]: l.history, [`ecm.${l.lob}.notApplied`]: l.notApplied });
  return {
    ...doc,
    truncated: doc.truncated.filter((name) => (lists[name]?.length ?? 0) > 0),
    member: theirs ? doc.member : null,
    ecm, referrals, csAuthorizations, providerRows, outboundFiles,
    partial: true,
  };
}

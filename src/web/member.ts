// The member page (/members/CIN): one member's story, as `calaim-exchange member show` tells it
// (loaded and built for both by src/reports/member-story-load.ts), for ops who get the call "why
// is this member not on ACME's MIF?" and for liaisons who get it from a provider. The record, each
// line's ECM assignment with its history (what changed it, when), planned and not-applied
// switches, referrals, CS authorizations, the provider rows that named the member (each linked to
// its submission) and the files sent that carried them; each list newest first and cut at
// MEMBER_PAGE_LIMIT, saying so. A liaison is shown only the parts about the providers they may
// see (storyForProviders), and the page says so whatever those parts are. Read-only: no form.
import { CS_ENGAGEMENT_STATUS, LINES_OF_BUSINESS } from '../../schemas/codes.js';
import { addressText, ANOTHER_PROVIDER, contactOrigin, planCauseText, storyMinute as minute, type HistoryJson, type LineJson, type ViewedStory } from '../reports/member-story.js';
import { html, type Html } from './html.js';
import { page, type Viewer } from './layout.js';

/** [POLICY] At most this many of each list (the CLI's --limit default); `member show --limit N` lists more, for ops. */
export const MEMBER_PAGE_LIMIT = 50;

/** A provider's code, linked to its page; the stand-in for one the viewer may not see, as text. */
const provider = (code: string | null): Html | string =>
  code === null ? '' : code === ANOTHER_PROVIDER ? html`<em>${code}</em>` : html`<a href="/providers/${encodeURIComponent(code)}">${code}</a>`;

/** A submission, linked (every one on the page is of a provider the viewer may see). */
const submission = (id: number | null): Html | string => (id === null ? '?' : html`<a href="/submissions/${id}">#${id}</a>`);

/** "before → after", a side of a provider the viewer may not see shown as a dash; `?`: not kept. */
function change<T>(before: T | null, after: T | null, o: { hiddenBefore: boolean; hiddenAfter: boolean; show?: (v: T) => Html | string }): Html | string {
  const show = o.show ?? ((v: T) => String(v));
  const b = o.hiddenBefore ? '—' : before === null ? null : show(before);
  const a = o.hiddenAfter ? '—' : after === null ? (before === null ? null : '?') : show(after);
  if (b === null) return a ?? '';
  if (a === null || (!o.hiddenBefore && !o.hiddenAfter && before === after)) return b;
  return html`${b} → ${a}`;
}

function cause(h: HistoryJson): Html | string {
  return h.cause === 'rtf' ? html`RTF ${submission(h.submissionId)} sheet ${h.sheet ?? '?'} row ${h.row ?? '?'} (${h.reported?.period ?? '?'}, as reported)` : planCauseText(h);
}

const yesNo = (b: boolean | null) => (b === null ? 'unknown' : b ? 'yes' : 'no');

export function memberPage(viewer: Viewer, s: ViewedStory): Html {
  /** The note under a list cut at the limit. */
  const cut = (name: string) => (s.truncated.includes(name)
    ? html`<p class="note">Only the newest ${s.limit} are shown${viewer.role === 'liaison' ? '' : html` (<code>calaim-exchange member show ${s.cin} --limit N</code> lists more)`}.</p>`
    : '');
  const none = (what: string) => html`<p class="empty">${s.partial ? `No ${what} about the providers you may see.` : `None.`}</p>`;
  const m = s.member;
  const record = m
    ? html`<dl class="facts">
  <dt>Name</dt><dd>${m.lastName}, ${m.firstName}</dd>
  <dt>Born</dt><dd>${m.dob}</dd>
  <dt>Gender</dt><dd>${m.gender}</dd>
  <dt>MCP member id</dt><dd>${m.mcpMemberId ?? '(none)'}</dd>
  <dt>Eligibility</dt><dd>${m.eligibilityEnd ? `ends ${m.eligibilityEnd}: ${m.eligibleToday ? 'eligible' : 'not eligible'} on ${s.today}` : `eligible on ${s.today} (no eligibility end on file)`}</dd>
  <dt>Language</dt><dd>${m.language ?? '(none)'}</dd>
  <dt>County</dt><dd>${m.county ?? '(none)'}</dd>
  <dt>PCP</dt><dd>${m.pcpName ? `${m.pcpName}${m.pcpNpi ? ` (NPI ${m.pcpNpi})` : ''}` : 'not known'}</dd>
  <dt>Address</dt><dd>${addressText(m.contact) || '(none)'} <span class="from">(${contactOrigin(m.contact.addressFrom, m.contact.extract && addressText(m.contact.extract))})</span></dd>
  <dt>Phone</dt><dd>${m.contact.phone ?? '(none)'} <span class="from">(${contactOrigin(m.contact.phoneFrom, m.contact.extract?.phone ?? null)})</span></dd>
  <dt>Homeless</dt><dd>${yesNo(m.contact.homeless)} <span class="from">(${contactOrigin(m.contact.homelessFrom, m.contact.extract ? yesNo(m.contact.extract.homeless) : null)})</span></dd>
</dl>`
    : html`<p class="empty">The plan's record of this member is not shown: none of the providers you may see has the member (assigned, referred, authorized, sent on a file, or a row of theirs that counts). The rows of their files that named this CIN are listed below, as the provider sent them.</p>`;
  const body = html`
<h1>Member ${s.cin}${m ? html` <span class="sub">${m.lastName}, ${m.firstName}</span>` : ''}</h1>
<p class="note">Times in ${s.timeZone}; today is ${s.today}. Each list is newest first, at most ${s.limit}.</p>
${s.partial ? html`<p class="scope" role="note">Parts about other providers are not shown: you see what concerns the providers you are the liaison of (their assignments, referrals, authorizations, files and the files sent to them). A change that moved the member from or to another provider says "another provider".</p>` : ''}
<h2>Record</h2>
${record}
<h2>ECM assignments</h2>
${s.ecm.map((l) => line(s, l, cut))}
<h2>Referrals</h2>
${s.referrals.length ? html`<table><thead><tr><th scope="col">Referral</th><th scope="col">Provider</th><th scope="col">Line</th><th scope="col">Approved</th><th scope="col">New episode</th><th scope="col">Sent on</th><th scope="col">Conflict with</th></tr></thead><tbody>
${s.referrals.map((f) => html`<tr><td>${f.id}</td><td>${provider(f.provider)}</td><td>${f.lob}</td><td>${f.approved}</td><td>${f.episodeStarted ? minute(f.episodeStartedAt) : 'no'}</td><td>${f.sentOn ?? 'not sent yet'}</td>
<td>${f.conflictWith ? html`${provider(f.conflictWith)}${f.conflictResolvedAt ? ` (resolved ${minute(f.conflictResolvedAt)})` : ''}` : ''}</td></tr>`)}
</tbody></table>` : none('referrals')}
${cut('referrals')}
<h2>CS authorizations</h2>
${s.csAuthorizations.length ? html`<table><thead><tr><th scope="col">Service</th><th scope="col">Provider</th><th scope="col">Line</th><th scope="col">Auth number</th><th scope="col">Status</th><th scope="col">Start</th><th scope="col">End</th><th scope="col">Resolved</th><th scope="col">Provider reports</th></tr></thead><tbody>
${s.csAuthorizations.map((a) => html`<tr><td>${a.service}</td><td>${provider(a.provider)}</td><td>${a.lob}</td><td>${a.authNumber ?? ''}</td><td>${a.status ?? a.recordType}</td><td>${a.start ?? ''}</td><td>${a.end ?? ''}</td>
<td>${a.resolved ? html`${a.resolvedReason ?? 'yes'}${a.resolvedBySubmission ? html` (${submission(a.resolvedBySubmission)})` : ''}` : 'no'}</td>
<td>${a.engagementStatus === null ? '' : html`${CS_ENGAGEMENT_STATUS[String(a.engagementStatus) as keyof typeof CS_ENGAGEMENT_STATUS] ?? a.engagementStatus} (${submission(a.engagementSubmission)} row ${a.engagementRow ?? '?'})`}</td></tr>`)}
</tbody></table>` : none('CS authorizations')}
${cut('csAuthorizations')}
<h2>Provider files that reported the member</h2>
${s.providerRows.length ? html`<table><thead><tr><th scope="col">Submission</th><th scope="col">Provider</th><th scope="col">Type</th><th scope="col">Period</th><th scope="col">Sheet</th><th scope="col" class="num">Row</th><th scope="col">Result</th><th scope="col">Counts</th><th scope="col">Line</th><th scope="col">Issues</th><th scope="col">Received</th><th scope="col">File</th></tr></thead><tbody>
${s.providerRows.map((r) => html`<tr><td>${submission(r.submissionId)}</td><td>${provider(r.provider)}</td><td>${r.layout}</td><td>${r.period ?? ''}</td><td>${r.sheet}</td><td class="num">${r.row}</td><td>${r.accepted ? 'accepted' : 'rejected'}</td><td>${r.counts ? 'yes' : 'no'}</td>
<td>${r.lob ?? ''}</td><td>${[...new Set(r.issues.map((i) => i.code))].map((c) => html`<code>${c}</code> `)}</td><td>${minute(r.receivedAt)}</td><td>${r.file}</td></tr>`)}
</tbody></table>` : none('rows')}
${cut('providerRows')}
<p class="note">The rows that count and the rejected ones: a row a later one replaced is not listed (its submission's page and response have it).</p>
<h2>Files sent that carried the member</h2>
${s.outboundFiles.length ? html`<table><thead><tr><th scope="col">Kind</th><th scope="col">Provider</th><th scope="col">Line</th><th scope="col">Slot</th><th scope="col">Status</th><th scope="col" class="num">Row</th><th scope="col">File</th><th scope="col">Published</th></tr></thead><tbody>
${s.outboundFiles.map((o) => html`<tr><td>${o.kind}</td><td>${provider(o.provider)}</td><td>${o.lob ?? ''}</td><td>${o.slot}</td><td>${o.replacedAt ? `${o.status} (replaced ${minute(o.replacedAt)})` : o.status}</td><td class="num">${o.row}</td><td>${o.file ?? ''}</td><td>${minute(o.publishedAt)}</td></tr>`)}
</tbody></table>` : none('files')}
${cut('outboundFiles')}`;
  return page({ title: `Member ${s.cin}`, viewer, body });
}

function line(s: ViewedStory, l: LineJson, cut: (name: string) => Html | ''): Html {
  const a = l.assignment;
  const p = l.plannedSwitch;
  return html`<h3>${l.lob} <span class="sub">${LINES_OF_BUSINESS[l.lob as keyof typeof LINES_OF_BUSINESS] ?? ''}</span></h3>
${a ? html`<dl class="facts">
  <dt>Provider</dt><dd>${provider(a.provider)}</dd>
  <dt>Assigned from</dt><dd>${a.assignedDate}</dd>
  <dt>Status</dt><dd>${a.status} (${a.statusName || '?'})</dd>
  <dt>Held in the line today</dt><dd>${a.heldToday ? 'yes' : `no (not on ${s.today})`}${a.planEnd ? `; the plan ended it in the line after ${a.planEnd}` : ''}</dd>
  ${a.enrollmentStart ? html`<dt>Enrolled</dt><dd>${a.enrollmentStart}${a.enrollmentEnd ? ` to ${a.enrollmentEnd}` : ''}</dd>` : ''}
  ${a.discontinuationDate ? html`<dt>Discontinued</dt><dd>${a.discontinuationDate}${a.discontinuationReason ? ` (${a.discontinuationReason})` : ''}</dd>` : ''}
  ${a.acuity ? html`<dt>Acuity</dt><dd>${a.acuity}</dd>` : ''}
  ${a.lcmName ? html`<dt>Lead care manager</dt><dd>${a.lcmName}</dd>` : ''}
  <dt>Last reported</dt><dd>${a.lastReported
    ? html`${submission(a.lastReported.submissionId)} row ${a.lastReported.row ?? '?'} (${a.lastReported.file ?? ''}, received ${minute(a.lastReported.receivedAt)})`
    : s.partial ? 'no RTF row of a provider you may see since this episode began' : 'no RTF row since this episode began'}</dd>
  <dt>Outreach</dt><dd>${a.outreachAttempts} attempt(s) counting${a.lastOutreach ? `, the latest ${a.lastOutreach}` : ''}</dd>
</dl>` : html`<p class="empty">${s.partial ? 'No assignment with a provider you may see in this line.' : 'No assignment on record.'}</p>`}
${p ? html`<p>Planned switch: to ${provider(p.to)} from ${p.day} (${p.status}), extract row ${p.row}${p.file ? ` of ${p.file}` : ''}, loaded ${minute(p.loadedAt)}.</p>` : ''}
${l.notApplied.length ? html`<table><caption>Switches not applied</caption><thead><tr><th scope="col">Checked</th><th scope="col">To</th><th scope="col">From</th><th scope="col">Kept by</th><th scope="col">Why</th></tr></thead><tbody>
${l.notApplied.map((k) => html`<tr><td>${minute(k.checkedAt)}</td><td>${provider(k.to)}</td><td>${k.day}</td><td>${k.from ? provider(k.from) : 'no assignment'}</td><td>${k.reason}</td></tr>`)}
</tbody></table>` : ''}
${cut(`ecm.${l.lob}.notApplied`)}
${l.history.length ? html`<table class="history"><caption>History</caption><thead><tr><th scope="col">When</th><th scope="col">What changed it</th><th scope="col">Provider</th><th scope="col">Status</th><th scope="col">Assigned from</th></tr></thead><tbody>
${l.history.map((h) => {
    const hidden = { hiddenBefore: h.providerBefore === ANOTHER_PROVIDER, hiddenAfter: h.providerAfter === ANOTHER_PROVIDER };
    return html`<tr><td>${minute(h.at ?? h.recordedAt)}</td><td>${cause(h)}</td>
<td>${change(h.providerBefore, h.providerAfter, { hiddenBefore: false, hiddenAfter: false, show: provider })}</td>
<td>${change(h.statusBefore, h.statusAfter, hidden)}</td><td>${change(h.assignedBefore, h.assignedAfter, hidden)}</td></tr>`;
  })}
</tbody></table>` : ''}
${cut(`ecm.${l.lob}.history`)}`;
}

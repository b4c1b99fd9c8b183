// The submission page: member data (CINs and names of the rows with issues), shown only to users
// allowed to see the provider, and recorded in the access log each time. A CIN of a member on
// record links to the member page (/members/CIN), which shows a liaison only what concerns the
// providers they may see.
import type { IssueGroup, IssueRow, SubmissionDetail } from '../repositories/submissions.js';
import { html, query, type Html } from './html.js';
import { formatInstant, page, type Viewer } from './layout.js';
import { howToFix } from './provider.js';

export const ISSUE_ROWS_SHOWN = 1000;
export const SORTS = { severity: 'severity', code: 'code', count: 'rows' } as const;
export type Sort = keyof typeof SORTS;

const SEVERITY_ORDER: Record<string, number> = { error: 0, warning: 1, info: 2 };

export function sortGroups(groups: IssueGroup[], sort: Sort): IssueGroup[] {
  const bySeverity = (a: IssueGroup, b: IssueGroup) => (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9);
  const byCount = (a: IssueGroup, b: IssueGroup) => b.count - a.count;
  const byCode = (a: IssueGroup, b: IssueGroup) => a.code.localeCompare(b.code);
  const order = sort === 'code' ? [byCode, bySeverity] : sort === 'count' ? [byCount, bySeverity, byCode] : [bySeverity, byCount, byCode];
  return [...groups].sort((a, b) => order.reduce((r, f) => r || f(a, b), 0));
}

export interface SubmissionView {
  detail: SubmissionDetail;
  rows: { rows: IssueRow[]; total: number };
  hasOriginal: boolean;
  hasResponse: boolean;
}

const ref = (id: number | null | undefined, text = `#${id}`) => (id ? html`<a href="/submissions/${id}">${text}</a>` : '');

export function submissionPage(viewer: Viewer, v: SubmissionView, sort: Sort, tz: string, flash?: { kind: 'ok' | 'error'; text: string }): Html {
  const d = v.detail;
  const groups = sortGroups(d.issues, sort);
  const rowsOf = new Map<string, IssueRow[]>();
  for (const r of v.rows.rows) rowsOf.set(`${r.code}|${r.severity}`, [...(rowsOf.get(`${r.code}|${r.severity}`) ?? []), r]);
  const lineage = [
    d.duplicateOf ? html`<li>A copy of ${ref(d.duplicateOf)} (same bytes): not processed again.</li>` : '',
    d.duplicates.length ? html`<li>Copies received later: ${d.duplicates.map((id, i) => html`${i ? ', ' : ''}${ref(id)}`)}.</li>` : '',
    d.reprocessOf ? html`<li>Reprocesses ${ref(d.reprocessOf)}: ${d.reprocessReason ?? ''}</li>` : '',
    d.reprocessedBy ? html`<li>Answered again by ${ref(d.reprocessedBy)}.</li>` : '',
    ...d.sheets.flatMap((s) => [
      s.supersedes ? html`<li>Sheet ${s.name} (${s.layout}) replaces the rows of ${ref(s.supersedes)}.</li>` : '',
      s.supersededBy ? html`<li>Sheet ${s.name} (${s.layout}) was replaced by ${ref(s.supersededBy)}: its rows no longer count.</li>` : '',
    ]),
  ].filter((x) => x !== '');
  const body = html`
<h1>Submission ${d.id} <span class="sub">${d.file}</span></h1>
<dl class="facts">
  <dt>Provider</dt><dd><a href="/providers/${encodeURIComponent(d.provider)}">${d.provider}</a></dd>
  <dt>Received</dt><dd>${formatInstant(d.receivedAt, tz)} (${d.source})</dd>
  <dt>Period</dt><dd>${d.period ?? '(not recognised)'}</dd>
  <dt>File types</dt><dd>${d.types.join(', ') || '(none recognised)'}</dd>
  <dt>Verdict</dt><dd class="verdict">${d.verdict ?? '(none)'}</dd>
  <dt>Outcome</dt><dd class="outcome outcome-${(d.outcome ?? 'none').toLowerCase()}">${d.outcome ?? '(none)'}</dd>
  <dt>State</dt><dd>${d.state}</dd>
  <dt>Rows</dt><dd>${d.rowsRead} read, ${d.rowsAccepted} accepted, ${d.rowsRejected} rejected, ${d.warnings} warning(s)</dd>
  <dt>Files</dt><dd>
    ${v.hasOriginal ? html`<a class="download" href="/submissions/${d.id}/original">Download the original file</a>` : html`original no longer stored`}
    ${v.hasResponse ? html` · <a class="download" href="/submissions/${d.id}/response">Download the response workbook</a>` : ''}
  </dd>
</dl>
${lineage.length ? html`<h2>Merged and superseded</h2><ul class="lineage">${lineage}</ul>` : ''}
${d.sheets.length ? html`<h2>Sheets</h2><table><thead><tr><th scope="col">Sheet</th><th scope="col">Layout</th><th scope="col">Period</th><th scope="col">Applied</th><th scope="col" class="num">Read</th><th scope="col" class="num">Accepted</th><th scope="col" class="num">Rejected</th><th scope="col" class="num">Warnings</th></tr></thead><tbody>
${d.sheets.map((s) => html`<tr><td>${s.name}</td><td>${s.layout}</td><td>${s.period ?? ''}</td><td>${s.applied ? 'yes' : 'no'}</td><td class="num">${s.rowsRead}</td><td class="num">${s.rowsAccepted}</td><td class="num">${s.rowsRejected}</td><td class="num">${s.warnings}</td></tr>`)}
</tbody></table>` : ''}
${d.fileIssues.length ? html`<h2>About the whole file</h2><ul class="file-issues">${d.fileIssues.map((i) => html`<li class="sev-${i.severity}"><code>${i.code}</code> ${i.message}</li>`)}</ul>` : ''}
<h2>Issues by code</h2>
${groups.length ? html`
<p class="sort">Sort by: ${Object.entries(SORTS).map(([k, label]) => k === sort ? html`<strong>${label}</strong> ` : html`<a href="/submissions/${d.id}${query({ sort: k })}">${label}</a> `)}</p>
<table class="issues"><thead><tr>
  <th scope="col"><a href="/submissions/${d.id}${query({ sort: 'code' })}">Code</a></th>
  <th scope="col"><a href="/submissions/${d.id}${query({ sort: 'severity' })}">Severity</a></th>
  <th scope="col" class="num"><a href="/submissions/${d.id}${query({ sort: 'count' })}">Rows</a></th>
  <th scope="col">How to fix</th></tr></thead>
<tbody>
${groups.map((g) => html`<tr class="group sev-${g.severity}"><td><code>${g.code}</code></td><td>${g.severity}</td><td class="num">${g.count}</td><td>${g.message || howToFix(g.code)}</td></tr>
<tr class="rows"><td colspan="4"><table class="inner"><thead><tr><th scope="col" class="num">Row</th><th scope="col">Sheet</th><th scope="col">Column</th><th scope="col">CIN</th><th scope="col">Member</th><th scope="col">Message</th></tr></thead><tbody>
${(rowsOf.get(`${g.code}|${g.severity}`) ?? []).map((r) => html`<tr><td class="num">${r.row}</td><td>${r.sheet ?? ''}</td><td>${r.column ?? ''}</td><td class="cin">${r.cin && (r.member !== null || r.otherProvidersMember) ? html`<a href="/members/${encodeURIComponent(r.cin)}">${r.cin}</a>` : r.cin ?? ''}</td><td>${r.member ?? (r.otherProvidersMember ? html`<em>not a member of ${d.provider}</em>` : '')}</td><td>${r.message}</td></tr>`)}
</tbody></table></td></tr>`)}
</tbody></table>
${v.rows.total > v.rows.rows.length ? html`<p class="note">The first ${v.rows.rows.length} of ${v.rows.total} row issues are listed; the response workbook lists them all.</p>` : ''}` : html`<p class="empty">No row issues.</p>`}
${d.emails.length ? html`<h2>Emails about the response</h2><table><thead><tr><th scope="col">#</th><th scope="col">To</th><th scope="col">Status</th><th scope="col">Sent</th></tr></thead><tbody>
${d.emails.map((e) => html`<tr><td>${e.id}</td><td>${e.to.join(', ')}</td><td>${e.status}</td><td>${formatInstant(e.sentAt, tz)}</td></tr>`)}</tbody></table>` : ''}
${viewer.role === 'ops' ? html`
<h2>Reprocess</h2>
<p>Reads the stored file again under today's rules and records, as a new submission linked to this one; its response goes to the provider's downloads/ folder.</p>
<form class="action" method="post" action="/submissions/${d.id}/reprocess">
  <input type="hidden" name="_csrf" value="${viewer.csrf}">
  <label class="wide">Reason (kept in the run history) <input type="text" name="reason" maxlength="500" required></label>
  <button type="submit">Reprocess</button>
</form>` : ''}`;
  return page({ title: `Submission ${d.id}`, viewer, body, flash });
}

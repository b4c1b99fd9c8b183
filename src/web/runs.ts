// The runs page (ops and auditors): every attempt in the run ledger, newest first, what each
// published, and the notification outbox with what did not go out.
import type { NotificationSummary } from '../repositories/notifications.js';
import type { Publication, RunRow } from '../repositories/run-ledger.js';
import { html, query, type Html } from './html.js';
import { formatInstant, page, type Viewer } from './layout.js';

/** Attempts per page of /runs: older ones are a page further ("Older runs"). */
export const RUNS_PAGE = 100;

export interface RunsView {
  runs: RunRow[];
  publications: Map<number, Publication[]>;
  failed: NotificationSummary[];
  recent: NotificationSummary[];
  job?: string;
  jobs: string[];
  /** The page lists attempts older than this run (absent: the newest). */
  before?: number;
  /** The last attempt shown, when older ones exist: the next page starts after it. */
  older?: number;
}

const counts = (c: Record<string, unknown>) =>
  Object.entries(c).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k}=${String(v)}`).join(' ');

function outbox(list: NotificationSummary[], tz: string): Html {
  return html`<table><thead><tr><th scope="col">#</th><th scope="col">Created</th><th scope="col">Kind</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col">Last error</th><th scope="col">Next try</th></tr></thead><tbody>
${list.map((n) => html`<tr class="notif-${n.status.toLowerCase()}"><td>${n.id}</td><td>${formatInstant(n.createdAt, tz)}</td><td>${n.kind}</td><td>${n.recipients.join(', ')}</td><td>${n.subject}</td><td>${n.status}</td><td class="num">${n.attempts}</td><td>${n.lastError ?? ''}</td><td>${formatInstant(n.nextAttemptAt, tz)}</td></tr>`)}
</tbody></table>`;
}

export function runsPage(viewer: Viewer, v: RunsView, tz: string): Html {
  const body = html`
<h1>Runs</h1>
<form class="filters" method="get" action="/runs">
  <label>Job <select name="job"><option value="">all</option>${v.jobs.map((j) => html`<option value="${j}"${j === v.job ? html` selected` : ''}>${j}</option>`)}</select></label>
  <button type="submit">Show</button>
</form>
${v.runs.length ? html`<table class="runs"><thead><tr><th scope="col">#</th><th scope="col">Job</th><th scope="col">Slot</th><th scope="col">Attempt</th><th scope="col">Trigger</th><th scope="col">Status</th><th scope="col">Slot status</th><th scope="col">Started</th><th scope="col">Finished</th><th scope="col">Counts / error</th><th scope="col">Reason</th><th scope="col">Published</th></tr></thead><tbody>
${v.runs.map((r) => html`<tr class="run-${r.status.toLowerCase()}"><td>${r.id}</td><td><a href="/runs${query({ job: r.job })}">${r.job}</a></td><td>${r.slot}</td><td class="num">${r.attempt}</td><td>${r.trigger}</td><td>${r.status}</td><td>${r.slot_status ?? ''}</td>
<td>${formatInstant(r.started_at, tz)}</td><td>${formatInstant(r.finished_at, tz)}</td><td>${r.error ?? counts(r.counts)}</td><td>${r.reason ?? ''}</td>
<td>${(v.publications.get(r.id) ?? []).map((p) => html`<span class="pub">${p.provider}${p.lob ? ` ${p.lob}` : ''}: ${p.file ?? '(empty)'}</span> `)}</td></tr>`)}
</tbody></table>` : html`<p class="empty">${v.before ? 'No older run.' : 'No run recorded.'}</p>`}
${v.before || v.older ? html`<nav class="pages">${v.before ? html`<a href="/runs${query({ job: v.job })}">Newest runs</a> ` : ''}${v.older ? html`<a rel="next" href="/runs${query({ job: v.job, before: v.older })}">Older runs</a>` : ''}</nav>` : ''}
<h2>Notifications not delivered</h2>
${v.failed.length ? outbox(v.failed, tz) : html`<p class="empty">Every notification went out (or is waiting for its first try).</p>`}
<h2>Latest notifications</h2>
${v.recent.length ? outbox(v.recent, tz) : html`<p class="empty">No notification recorded.</p>`}`;
  return page({ title: 'Runs', viewer, body });
}

export function loginPage(o: { csrf: string; next: string; error?: string; email?: string }): Html {
  const body = html`
<h1>Log in</h1>
${o.error ? html`<p class="flash flash-error" role="alert">${o.error}</p>` : ''}
<form class="login" method="post" action="/login">
  <input type="hidden" name="_csrf" value="${o.csrf}">
  <input type="hidden" name="next" value="${o.next}">
  <label>Email <input type="email" name="email" autocomplete="username" required value="${o.email ?? ''}"></label>
  <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
  <button type="submit">Log in</button>
</form>`;
  return page({ title: 'Log in', body });
}

export function messagePage(viewer: Viewer | undefined, title: string, text: string): Html {
  return page({ title, viewer, body: html`<h1>${title}</h1><p>${text}</p><p><a href="/">Back to the month board</a></p>` });
}

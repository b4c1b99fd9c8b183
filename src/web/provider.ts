// The provider page: contracts, 13 months of submissions and outbound files, rows accepted and
// rejected per month (an SVG drawn here, no script), the warnings still open. No member data.
import { distinctAddresses } from '../email-address.js';
import { addMonths, periodFirstDay, type Period } from '../calendar/period.js';
import type { OpenWarning, OutboundFile, ProviderProfile, TrendPoint } from '../repositories/board.js';
import type { SubmissionSummary } from '../repositories/submissions.js';
import { ISSUES, type IssueCode } from '../validate/catalogue.js';
import { html, type Html } from './html.js';
import { formatInstant, page, type Viewer } from './layout.js';

export const HISTORY_MONTHS = 13;

export interface ProviderView {
  profile: ProviderProfile;
  submissions: SubmissionSummary[];
  outbound: OutboundFile[];
  trend: TrendPoint[];
  warnings: OpenWarning[];
  /** The last period shown (the board's current one). */
  period: Period;
}

/** The catalogue's how-to-fix text of a code, its placeholders left as words. */
export function howToFix(code: string): string {
  const def = (ISSUES as Record<string, { message: string } | undefined>)[code as IssueCode];
  if (!def) return '';
  return def.message.replace(/\{(\w+)\}/g, (_, k: string) => (k === 'column' ? 'the column' : '…'));
}

/** Bars of rows accepted (and rejected, stacked) per period, as SVG presentation attributes: no inline style. */
export function trendChart(points: TrendPoint[], periods: Period[]): Html {
  const by = new Map(points.map((p) => [p.period, p]));
  const max = Math.max(1, ...points.map((p) => p.accepted + p.rejected));
  const W = 52, H = 160, top = 20, left = 44, bottom = 40;
  const width = left + periods.length * W + 10;
  const y = (v: number) => top + H - (v / max) * H;
  const bars = periods.map((period, i) => {
    const p = by.get(period) ?? { accepted: 0, rejected: 0 };
    const x = left + i * W + 8;
    const accH = (p.accepted / max) * H;
    const rejH = (p.rejected / max) * H;
    return html`<g>
  <title>${period}: ${p.accepted} accepted, ${p.rejected} rejected</title>
  <rect class="bar-accepted" x="${x}" y="${(top + H - accH).toFixed(1)}" width="${W - 16}" height="${accH.toFixed(1)}"></rect>
  <rect class="bar-rejected" x="${x}" y="${(top + H - accH - rejH).toFixed(1)}" width="${W - 16}" height="${rejH.toFixed(1)}"></rect>
  <text class="axis" x="${x + (W - 16) / 2}" y="${top + H + 16}" text-anchor="middle">${period.slice(2)}</text>
  ${p.accepted + p.rejected ? html`<text class="value" x="${x + (W - 16) / 2}" y="${(y(p.accepted + p.rejected) - 4).toFixed(1)}" text-anchor="middle">${p.accepted + p.rejected}</text>` : ''}
</g>`;
  });
  return html`<svg class="chart" role="img" aria-labelledby="trend-title" width="${width}" height="${top + H + bottom}" viewBox="0 0 ${width} ${top + H + bottom}" xmlns="http://www.w3.org/2000/svg">
<title id="trend-title">Rows accepted and rejected per reporting period</title>
<line class="axis-line" x1="${left}" y1="${top + H}" x2="${width - 5}" y2="${top + H}"></line>
<text class="axis" x="${left - 6}" y="${top + 4}" text-anchor="end">${max}</text>
<text class="axis" x="${left - 6}" y="${top + H}" text-anchor="end">0</text>
${bars}
<g class="key"><rect class="bar-accepted" x="${left}" y="${top + H + 26}" width="10" height="10"></rect><text class="axis" x="${left + 14}" y="${top + H + 35}">accepted</text>
<rect class="bar-rejected" x="${left + 90}" y="${top + H + 26}" width="10" height="10"></rect><text class="axis" x="${left + 104}" y="${top + H + 35}">rejected</text></g>
</svg>`;
}

export const historyStart = (period: Period): Period => addMonths(period, -(HISTORY_MONTHS - 1));
export const historyStartDate = (period: Period): string => periodFirstDay(historyStart(period));

const KINDS = [['mif', 'MIF'], ['mini-mif', 'mini-MIF'], ['csasf', 'CSASF']] as const;

/** Each address once (case aside), as first spelled; "(none)" when there is none. */
function addresses(list: readonly (string | null)[]): string {
  const each = distinctAddresses(list);
  return each.length ? each.join(', ') : '(none)';
}

export function providerPage(viewer: Viewer, v: ProviderView, tz: string, flash?: { kind: 'ok' | 'error'; text: string }): Html {
  const p = v.profile;
  const periods = Array.from({ length: HISTORY_MONTHS }, (_, i) => addMonths(historyStart(v.period), i));
  const body = html`
<h1>${p.code} <span class="sub">${p.name}</span></h1>
<dl class="facts">
  <dt>NPI</dt><dd>${p.npi}</dd>
  <dt>Liaison</dt><dd>${addresses(p.contracts.length ? p.contracts.map((c) => c.liaisonEmail) : [p.liaisonEmail])}</dd>
  <dt>Provider contact</dt><dd>${addresses(p.contracts.length ? p.contracts.map((c) => c.contactEmail) : [p.contactEmail])}</dd>
  <dt>Status</dt><dd>${p.active ? 'active' : 'inactive'}</dd>
</dl>
<h2>Contracts</h2>
${p.contracts.length ? html`<table><thead><tr><th scope="col">Program</th><th scope="col">Line of business</th><th scope="col">Since</th><th scope="col">Ends</th><th scope="col">Provider contact</th><th scope="col">Liaison</th></tr></thead><tbody>
${p.contracts.map((c) => html`<tr><td>${c.program}</td><td>${c.lob}</td><td>${formatInstant(c.since, tz).slice(0, 10)}</td><td>${c.ends ?? '(open-ended)'}</td><td>${c.contactEmail ?? '(none)'}</td><td>${c.liaisonEmail ?? '(none)'}</td></tr>`)}
</tbody></table>` : html`<p class="empty">No contract.</p>`}
<h2>Rows accepted and rejected, ${periods[0]} to ${periods[periods.length - 1]}</h2>
${trendChart(v.trend, periods)}
<h2>Open warnings</h2>
${v.warnings.length ? html`<table><thead><tr><th scope="col">Period</th><th scope="col">File</th><th scope="col">Code</th><th scope="col">Rows</th><th scope="col">What to check</th></tr></thead><tbody>
${v.warnings.map((w) => html`<tr><td>${w.period ?? ''}</td><td><a href="/submissions/${w.submission}">${w.layout} #${w.submission}</a></td><td><code>${w.code}</code></td><td class="num">${w.count}</td><td>${howToFix(w.code)}</td></tr>`)}
</tbody></table>` : html`<p class="empty">No open warnings on the files that count.</p>`}
<h2>Submissions since ${periods[0]}</h2>
${v.submissions.length ? html`<table><thead><tr><th scope="col">#</th><th scope="col">Received</th><th scope="col">File</th><th scope="col">Period</th><th scope="col">Types</th><th scope="col">Verdict</th><th scope="col">Outcome</th><th scope="col" class="num">Read</th><th scope="col" class="num">Accepted</th><th scope="col" class="num">Rejected</th></tr></thead><tbody>
${v.submissions.map((s) => html`<tr><td><a href="/submissions/${s.id}">${s.id}</a></td><td>${formatInstant(s.receivedAt, tz)}</td><td>${s.file}</td><td>${s.period ?? ''}</td><td>${s.types.join(', ')}</td>
<td>${s.duplicateOf ? `copy of #${s.duplicateOf}` : (s.verdict ?? '')}</td><td>${s.outcome ?? ''}</td><td class="num">${s.rowsRead}</td><td class="num">${s.rowsAccepted}</td><td class="num">${s.rowsRejected}</td></tr>`)}
</tbody></table>` : html`<p class="empty">No submission.</p>`}
<h2>Files sent since ${periods[0]}</h2>
${v.outbound.length ? html`<table><thead><tr><th scope="col">Slot</th><th scope="col">Kind</th><th scope="col">Line</th><th scope="col">Status</th><th scope="col">File</th><th scope="col" class="num">Rows</th><th scope="col">Published</th><th scope="col">Note</th></tr></thead><tbody>
${v.outbound.map((o) => html`<tr><td>${o.slot}</td><td>${o.kind}</td><td>${o.lob ?? 'all'}</td><td>${o.status}</td><td>${o.file ?? ''}</td><td class="num">${o.rows}</td><td>${formatInstant(o.publishedAt, tz)}</td>
<td>${o.replacedAt ? `replaced ${formatInstant(o.replacedAt, tz)}` : ''}${o.reason ? ` (republished: ${o.reason})` : ''}</td></tr>`)}
</tbody></table>` : html`<p class="empty">No file sent.</p>`}
${viewer.role === 'ops' ? html`
<h2>Republish a file</h2>
<form class="action" method="post" action="/providers/${encodeURIComponent(p.code)}/republish">
  <input type="hidden" name="_csrf" value="${viewer.csrf}">
  <label>File <select name="kind">${KINDS.map(([k, label]) => html`<option value="${k}">${label}</option>`)}</select></label>
  <label>A day of the slot <input type="date" name="date" required></label>
  <label class="wide">Reason (kept in the run history) <input type="text" name="reason" maxlength="500" required></label>
  <button type="submit">Republish</button>
</form>` : ''}`;
  return page({ title: p.code, viewer, body, flash });
}

// The month board: one row per provider × program × line of business, one column per expected
// file. The inbound columns come from the query behind `calaim-exchange status` (the file
// types each program owes, EXPECTED_TYPES, are the missing-file digest's) and the accepted
// lines the digest checks; the outbound columns from the files published in the month.
import type pg from 'pg';
import { LOB_CODES, PROGRAM_CODES } from '../../schemas/codes.js';
import { answerWindow, type DeadlinePolicy } from '../calendar/deadlines.js';
import { accessPeriodDate, addMonths, isPeriod, periodFirstDay, periodForReceipt, reportingPeriodLabel, type Period } from '../calendar/period.js';
import { normaliseEmail } from '../email-address.js';
import { INBOUND_TYPES } from '../filetypes/registry.js';
import { EXPECTED_TYPES } from '../reports/missing.js';
import { liaisonsWhoMaySee, providerLines, sentInMonth, type ProviderLine } from '../repositories/board.js';
import { acceptedLines, later, owedLines, periodStatus, type AcceptedLine, type StatusRow } from '../repositories/status.js';
import { html, query, type Html } from './html.js';
import { canSeeAll, canSeeProvider, formatInstant, page, type Viewer } from './layout.js';

/** The files the plan sends, then every inbound type of the registry (in its order): a new type gets its column. */
export const COLUMNS: readonly string[] = ['MIF', 'CSASF', ...INBOUND_TYPES.types.map((t) => t.name)];
type Column = (typeof COLUMNS)[number];
const OWED: Record<'ECM' | 'CS', readonly Column[]> = { ECM: ['MIF', ...EXPECTED_TYPES.ECM], CS: ['CSASF', ...EXPECTED_TYPES.CS] };

export const STATES = {
  sent: 'sent',
  'not-sent': 'not sent',
  'on-time': 'on time',
  resubmitted: 'resubmitted',
  late: 'late',
  declined: 'declined',
  rejected: 'rejected',
  missing: 'missing',
} as const;
export type CellState = keyof typeof STATES;

export interface BoardCell { state: CellState; count: number; detail: string; href: string }
export interface BoardRow extends ProviderLine { cells: Record<Column, BoardCell> }

export interface BoardFilter { program?: string; lob?: string; liaison?: string; state?: string }

/**
 * One line's cell of an inbound type. `line`: the latest file with rows of this line counting
 * (acceptedLines), which puts the cell in an accepted state, as that file's verdict says,
 * whatever later files were refused (they are counted in the detail). Only when nothing of the
 * line counts do the type's refused files make it rejected or declined. The link and the counts
 * are the latest file's (what was last received).
 */
function inboundCell(s: StatusRow | undefined, line: AcceptedLine | undefined, owed: boolean, lob: string, providerHref: string): BoardCell | undefined {
  // A line the plan sent no members of owes nothing (owedLines): no cell, unless a file came.
  if (!s || s.state === 'MISSING' || s.state === 'NOT_OWED') return owed ? { state: 'missing', count: 0, detail: 'nothing received', href: providerHref } : undefined;
  const href = s.lastSubmissionId ? `/submissions/${s.lastSubmissionId}` : providerHref;
  const refused = s.rejectedFiles + s.declinedFiles ? `; refused files: ${s.rejectedFiles} rejected, ${s.declinedFiles} declined` : '';
  const counts = s.rowsRead !== null ? `rows ${s.rowsAccepted} accepted, ${s.rowsRejected} rejected` : 'no rows read';
  if (line) {
    const state: CellState = line.verdict === 'RESUBMISSION' ? 'resubmitted' : line.verdict === 'LATE_ACCEPTED' ? 'late' : 'on-time';
    const from = line.submissionId === s.lastSubmissionId ? counts : `latest file: ${counts}; rows of ${lob} counting from submission ${line.submissionId}`;
    return { state, count: s.submissions, detail: `${from}${refused}`, href };
  }
  if (s.state === 'DECLINED') return { state: 'declined', count: s.submissions, detail: `${counts}${refused}`, href };
  if (s.state === 'REJECTED') return { state: 'rejected', count: s.submissions, detail: `${counts}${refused}`, href };
  return owed ? { state: 'missing', count: s.submissions, detail: `no accepted rows for ${lob} (${counts})${refused}`, href } : undefined;
}

/**
 * The board's rows for a period, limited to what the viewer may see at `now` (the pages' clock:
 * whatever month the board shows, the providers whose pages they may open) and the filters ask for.
 */
export async function boardRows(pool: pg.Pool, viewer: Viewer, period: Period, f: BoardFilter, tz: string, now: Date, policy: DeadlinePolicy): Promise<{ rows: BoardRow[]; liaisons: string[] }> {
  const periodDate = periodFirstDay(period);
  const window = answerWindow(policy, period, tz);
  const [accepted, owed] = await Promise.all([acceptedLines(pool, periodDate), owedLines(pool, periodDate, window)]);
  const [lines, status, sent, seers] = await Promise.all([
    providerLines(pool, periodDate),
    periodStatus(pool, periodDate, EXPECTED_TYPES, window, { accepted, owed }),
    sentInMonth(pool, periodDate),
    canSeeAll(viewer) ? undefined : liaisonsWhoMaySee(pool, accessPeriodDate(now, tz)),
  ]);
  const owedLine = new Set(owed.map((o) => `${o.provider}|${o.program}|${o.lob}`));
  const statusOf = new Map(status.map((s) => [`${s.provider}|${s.program}|${s.fileType}`, s]));
  const lineOf = new Map(accepted.map((a) => [`${a.provider}|${a.layout}|${a.lob}`, a]));
  /** The latest file with rows of the line counting: of that line, or of a sheet of unknown lines ('*'). */
  const countingLine = (provider: string, layout: string, lob: string): AcceptedLine | undefined => {
    const own = lineOf.get(`${provider}|${layout}|${lob}`);
    const any = lineOf.get(`${provider}|${layout}|*`);
    return own && any ? (later(any, own) ? any : own) : own ?? any;
  };
  const sentOf = new Map(sent.map((s) => [`${s.provider}|${s.kind}|${s.lob ?? '*'}`, s]));
  // A liaison who may see a provider (of any of its contracts in force now) sees all of its
  // lines: the provider page they can open shows them too.
  const visible = lines.filter((l) => !seers || canSeeProvider(viewer, seers.get(l.provider) ?? []));
  // (the liaison filter is by each line's own liaison)
  const liaisons = [...new Set(visible.map((l) => (l.liaisonEmail ? normaliseEmail(l.liaisonEmail) : '')).filter((e) => e !== ''))].sort();
  const rows: BoardRow[] = [];
  for (const l of visible) {
    if (f.program && l.program !== f.program) continue;
    if (f.lob && l.lob !== f.lob) continue;
    if (f.liaison && normaliseEmail(l.liaisonEmail ?? '') !== normaliseEmail(f.liaison)) continue;
    const providerHref = `/providers/${encodeURIComponent(l.provider)}`;
    const cells: BoardRow['cells'] = {};
    for (const col of OWED[l.program]) {
      if (col === 'MIF' || col === 'CSASF') {
        const s = sentOf.get(`${l.provider}|${col}|${col === 'MIF' ? l.lob : '*'}`);
        cells[col] = s
          ? { state: 'sent', count: s.files, detail: `${s.rows} member row(s), ${formatInstant(s.lastPublishedAt, tz)}`, href: providerHref }
          : { state: 'not-sent', count: 0, detail: 'no file published this month', href: providerHref };
      } else {
        const c = inboundCell(statusOf.get(`${l.provider}|${l.program}|${col}`), countingLine(l.provider, col, l.lob), owedLine.has(`${l.provider}|${l.program}|${l.lob}`), l.lob, providerHref);
        if (c) cells[col] = c;
      }
    }
    if (f.state && !Object.values(cells).some((c) => c.state === f.state)) continue;
    rows.push({ ...l, cells });
  }
  return { rows, liaisons };
}

/** ?period=YYYY-MM, else the period files received today answer (as `status` does). */
export function boardPeriod(asked: unknown, now: Date, tz: string): Period {
  return typeof asked === 'string' && isPeriod(asked) ? asked : periodForReceipt(now, tz).period;
}

const option = (value: string, label: string, selected: string | undefined): Html =>
  html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`;

/** The link to the month n away, or nothing at the ends of the calendar's range (1900-2199). */
function neighbour(period: Period, n: number, link: (p: Period) => Html): Html | '' {
  let p: Period;
  try {
    p = addMonths(period, n);
  } catch {
    return '';
  }
  return link(p);
}

export function boardPage(viewer: Viewer, period: Period, f: BoardFilter, data: { rows: BoardRow[]; liaisons: string[] }): Html {
  const keep = { program: f.program, lob: f.lob, liaison: f.liaison, state: f.state };
  const totals = new Map<CellState, number>();
  for (const r of data.rows) for (const c of Object.values(r.cells)) totals.set(c.state, (totals.get(c.state) ?? 0) + 1);
  const body = html`
<h1>Month board: ${reportingPeriodLabel(period)}</h1>
<nav class="period">
  ${neighbour(period, -1, (p) => html`<a href="/${query({ ...keep, period: p })}">← ${p}</a>`)}
  ${neighbour(period, 1, (p) => html`<a href="/${query({ ...keep, period: p })}">${p} →</a>`)}
</nav>
<form class="filters" method="get" action="/">
  <label>Period <input type="month" name="period" value="${period}" required></label>
  <label>Program <select name="program">${option('', 'all', f.program)}${PROGRAM_CODES.map((p) => option(p, p, f.program))}</select></label>
  <label>Line <select name="lob">${option('', 'all', f.lob)}${LOB_CODES.map((l) => option(l, l, f.lob))}</select></label>
  ${canSeeAll(viewer) ? html`<label>Liaison <select name="liaison">${option('', 'all', f.liaison)}${data.liaisons.map((e) => option(e, e, f.liaison))}</select></label>` : ''}
  <label>State <select name="state">${option('', 'any', f.state)}${Object.entries(STATES).map(([k, label]) => option(k, label, f.state))}</select></label>
  <button type="submit">Show</button>
</form>
<p class="legend">${Object.entries(STATES).map(([k, label]) => html`<span class="chip state-${k}">${label}: ${totals.get(k as CellState) ?? 0}</span> `)}</p>
${data.rows.length === 0
    ? html`<p class="empty">No provider matches.</p>`
    : html`<table class="board">
<thead><tr><th scope="col">Provider</th><th scope="col">Program</th><th scope="col">Line</th>${COLUMNS.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>
${data.rows.map((r) => html`<tr>
  <th scope="row"><a href="/providers/${encodeURIComponent(r.provider)}">${r.provider}</a><span class="sub">${r.name}</span></th>
  <td>${r.program}</td><td>${r.lob}</td>
  ${COLUMNS.map((c) => {
    const cell = r.cells[c];
    if (!cell) return html`<td class="na"><span class="sr">not expected</span>—</td>`;
    return html`<td class="cell state-${cell.state}"><a href="${cell.href}" title="${cell.detail}"><span class="label">${STATES[cell.state]}</span>${cell.count ? html` <span class="count">×${cell.count}</span>` : ''}</a></td>`;
  })}
</tr>`)}
</tbody>
</table>`}`;
  return page({ title: `Month board ${period}`, viewer, body });
}

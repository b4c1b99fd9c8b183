// The page shell: header, navigation, the member search (GET /members?cin=: to the member page),
// the logged-in user and the logout button. No scripts and no inline styles (the CSP allows
// neither): one stylesheet, /static/app.css.
import { normaliseEmail } from '../email-address.js';
import { html, type Html } from './html.js';
import type { WebRole } from '../repositories/web-users.js';

export interface Viewer {
  userId: number;
  email: string;
  role: WebRole;
  /** The form token of this session (CSRF). */
  csrf: string;
}

export const canSeeAll = (v: Viewer): boolean => v.role !== 'liaison';

/**
 * A liaison sees a provider when they are one of `liaisons`, those who may see it now
 * (liaisonsWhoMaySee in src/repositories/board.ts: the liaisons of its contracts in force for the
 * period accessPeriodDate names: src/calendar/period.ts), compared case-insensitively; never a provider only other
 * liaisons, or only contracts that have ended, name them on. Ops and auditors see every provider.
 */
export const canSeeProvider = (v: Viewer, liaisons: readonly (string | null)[]): boolean =>
  canSeeAll(v) || liaisons.some((l) => l !== null && normaliseEmail(l) === v.email);

export function page(o: { title: string; viewer?: Viewer; body: Html; flash?: { kind: 'ok' | 'error'; text: string } }): Html {
  const v = o.viewer;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · calaim-exchange</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/">calaim-exchange</a>
  ${v ? html`<nav>
    <a href="/">Month board</a>
    ${canSeeAll(v) ? html`<a href="/runs">Runs</a>` : ''}
  </nav>
  <form class="find-member" method="get" action="/members" role="search">
    <label>Member CIN <input type="search" name="cin" required maxlength="32" autocomplete="off" spellcheck="false"></label>
    <button type="submit">Find</button>
  </form>
  <form class="logout" method="post" action="/logout">
    <span class="who">${v.email} <span class="role">${v.role}</span></span>
    <input type="hidden" name="_csrf" value="${v.csrf}">
    <button type="submit">Log out</button>
  </form>` : ''}
</header>
<main>
${o.flash ? html`<p class="flash flash-${o.flash.kind}" role="status">${o.flash.text}</p>` : ''}
${o.body}
</main>
</body>
</html>
`;
}

/** Times on the pages are the plan's (PLAN_TIME_ZONE), to the minute. */
export function formatInstant(d: Date | null | undefined, tz: string): string {
  if (!d) return '';
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

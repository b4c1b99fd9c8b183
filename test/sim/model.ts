// The reference model of the year-long simulation: what the plan's state and files should be,
// folded from the event log with the rules of shared/spec/domain.md and layouts.md. It is
// written from the spec, not from src/: it imports nothing from the system under test, so a
// mismatch between the two is a question about one of them, never an echo of the same code.
//
// Calendar: the plan's local dates (America/Los_Angeles); an event carries its local date
// (and for uploads the local day decides the window).

export type Lob = 'HN' | 'CV' | 'CHPIV';
export type IsoDate = string;

export interface Assignment {
  provider: string;
  lob: Lob;
  status: 1 | 2 | 3 | 4;
  assigned: IsoDate;
  start: IsoDate | null;
  end: IsoDate | null;
  disc: IsoDate | null;
}

export interface ExtractRow { cin: string; provider: string; lob: Lob; status: 1 | 2 | 3; assigned: IsoDate; start: IsoDate | null }
export interface ReferralRow { id: string; cin: string; provider: string; lob: Lob; approved: IsoDate }
export interface AuthRow { cin: string; provider: string; lob: Lob; service: string; authStatus: 'Approved' | 'Pending'; authNumber: string; authStart: IsoDate; authEnd: IsoDate; decided: IsoDate }

export interface RtfRow { lob: Lob; cin: string; status: number; start: IsoDate | null; end: IsoDate | null; disc: IsoDate | null; discReason: string | null }
export interface OtfRow { lob: Lob; cin: string; date: IsoDate; method: '1' | '2'; successful: 'Y' | 'N'; minutes: number }
export interface CsprtfRow { lob: Lob; cin: string; service: string; status: 1 | 2 | 3 | 4; authNumber: string | null; serviceStart: IsoDate | null; serviceEnd: IsoDate | null; reason: string | null; outreach: IsoDate | null }

export type UploadSheet = { layout: 'RTF'; rows: RtfRow[] } | { layout: 'OTF'; rows: OtfRow[] } | { layout: 'CSPRTF'; rows: CsprtfRow[] };

export type SimEvent =
  | { kind: 'import-extract'; date: IsoDate; rows: ExtractRow[] }
  | { kind: 'import-referrals'; date: IsoDate; rows: ReferralRow[] }
  | { kind: 'import-auths'; date: IsoDate; rows: AuthRow[] }
  | { kind: 'mif'; date: IsoDate }
  | { kind: 'mini-mif'; date: IsoDate }
  | { kind: 'csasf'; date: IsoDate }
  /** `copyOf`: the same bytes as upload number n (a provider sending a file again). */
  | { kind: 'upload'; n: number; date: IsoDate; provider: string; name: string; sheets: UploadSheet[]; copyOf?: number; note: string;
      /** The provider whose name, NPI and TIN the rows carry, when not the uploader (a file sent through the wrong folder). */
      identity?: string;
      /** Made from the response to upload n: its fix sheet, the rejected rows corrected (the rows here), the others deleted. */
      fixes?: number };

export interface ProviderInfo { code: string; ecm: Lob[]; cs: Lob[] }

/** One row of an outbound file, as the comparison sees it. */
export interface MifLine { cin: string; status: number; start: IsoDate | null; end: IsoDate | null }
export interface CsasfLine { cin: string; service: string; authNumber: string; authStatus: string; authStart: IsoDate }
export type Expected =
  | { kind: 'MIF' | 'MINIMIF'; provider: string; lob: Lob; rows: MifLine[] }
  | { kind: 'CSASF'; provider: string; rows: CsasfLine[] };

export interface UploadOutcome { n: number; read: boolean; accepted: number; rejected: number; /** why the model rejects each rejected row */ why: string[] }

interface Episode {
  cin: string; service: string; provider: string; lob: Lob; authNumber: string; authStatus: string; authStart: IsoDate; authEnd: IsoDate; from: IsoDate; resolved: boolean;
  /** Resolved because a newer number replaced it. */
  superseded?: boolean;
}
/** `since`: when its episode started, in the model's order of events (a file built later can carry it). */
interface Referral extends ReferralRow { sent: boolean; since: number }

const RESUBMISSION_LAST_DAY = 10; // domain §2 (RTF, OTF) and CSPRTF_ON_TIME_LAST_DAY (CSPRTF): both 10
const MINI_MIF_MIN_DAYS = 5; // domain §2
const CSASF_CLOSED_RETENTION_DAYS = 60; // README settings: an expiry stays this many days after its end date
const CIN = /^[0-9]{8}[A-Z]$/; // domain §3

const addDays = (d: IsoDate, n: number): IsoDate => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const monthStart = (d: IsoDate): IsoDate => `${d.slice(0, 7)}-01`;
/** The reporting period a file received on local date d answers: the month before (domain §2). */
export const periodOf = (d: IsoDate): string => {
  const [y, m] = [Number(d.slice(0, 4)), Number(d.slice(5, 7))];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
};
const lastDayOf = (period: string): IsoDate => addDays(`${nextMonth(period)}-01`, -1);
const nextMonth = (period: string): string => {
  const [y, m] = [Number(period.slice(0, 4)), Number(period.slice(5, 7))];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};

export class Model {
  readonly assignments = new Map<string, Assignment>(); // `${cin}|${lob}`
  private readonly referrals: Referral[] = [];
  private readonly episodes: Episode[] = [];
  /** Counted OTF attempts: `${provider}|${lob}|${period}` → keys `${cin}|${date}|${method}`. */
  readonly attempts = new Map<string, Set<string>>();
  /** Per provider and line: every MIF / mini-MIF it was sent (slot, CINs, when it was built). */
  private readonly sentEcm = new Map<string, { slot: IsoDate; cins: Set<string>; built: number }[]>();
  /** The model's clock: one tick per referral episode started and per file built. */
  private tick = 0;
  /** Per CS provider: its latest CSASF (the slot and the pairs with their authorization). */
  private readonly latestCsasf = new Map<string, Map<string, CsasfLine>>();
  private readonly uploads = new Map<number, UploadOutcome>();
  /** The CINs on each ECM provider × line's latest monthly MIF. */
  private readonly latestMif = new Map<string, Set<string>>();

  constructor(private readonly providers: readonly ProviderInfo[]) {}

  assignment(cin: string, lob: Lob): Assignment | undefined {
    return this.assignments.get(`${cin}|${lob}`);
  }

  /** Open on `day`: status 1-3 and not ended by then (domain §4.4a; an end after the day has not happened). */
  static open(a: Assignment | undefined, day: IsoDate): boolean {
    return !!a && a.status !== 4 && (a.end === null || a.end >= day);
  }

  openEpisodes(provider?: string): readonly Episode[] {
    return this.episodes.filter((e) => !e.resolved && (provider === undefined || e.provider === provider));
  }
  hasEpisode(cin: string, service: string): boolean {
    return this.episodes.some((e) => e.cin === cin && e.service === service);
  }
  /** Member × service pairs whose every episode is resolved, with the provider of the last one. */
  resolvedPairs(): { cin: string; service: string; provider: string }[] {
    const last = new Map<string, Episode>();
    for (const e of this.episodes) last.set(`${e.cin}|${e.service}`, e);
    return [...last.values()].filter((e) => e.resolved).map((e) => ({ cin: e.cin, service: e.service, provider: e.provider }));
  }
  latestCsasfOf(provider: string): readonly CsasfLine[] {
    return [...(this.latestCsasf.get(provider)?.values() ?? [])];
  }

  apply(ev: SimEvent): { expected?: Expected[]; outcome?: UploadOutcome; conflicts?: number } {
    switch (ev.kind) {
      case 'import-extract': return this.extract(ev.rows);
      case 'import-referrals': return this.referralsIn(ev.rows, ev.date);
      case 'import-auths': return this.auths(ev.rows);
      case 'mif': return { expected: this.mif(ev.date) };
      case 'mini-mif': return { expected: this.miniMif(ev.date) };
      case 'csasf': return { expected: this.csasf(ev.date) };
      case 'upload': return { outcome: this.upload(ev) };
    }
  }

  /** The extract says who is assigned: a row naming another provider (or a new member) is a switch; the same assignment again is no news (§4b). */
  private extract(rows: ExtractRow[]): Record<string, never> {
    for (const r of rows) {
      const a = this.assignment(r.cin, r.lob);
      if (a && a.provider === r.provider) continue;
      this.assignments.set(`${r.cin}|${r.lob}`, { provider: r.provider, lob: r.lob, status: r.status, assigned: r.assigned, start: r.start, end: null, disc: null });
    }
    return {};
  }

  /** §4.2 and §4.4a: a referral assigns (status 1) unless another provider holds the member open (on the approval day and the import's); an ended assignment starts a new episode. */
  private referralsIn(rows: ReferralRow[], date: IsoDate): { conflicts: number } {
    let conflicts = 0;
    for (const r of rows) {
      const a = this.assignment(r.cin, r.lob);
      // [POLICY] another provider holds it only when open on the approval day and still on the import's
      if (Model.open(a, r.approved) && Model.open(a, date) && a!.provider !== r.provider) {
        conflicts++;
        continue;
      }
      if (Model.open(a, r.approved)) continue; // already with this provider: nothing new
      this.assignments.set(`${r.cin}|${r.lob}`, { provider: r.provider, lob: r.lob, status: 1, assigned: r.approved, start: null, end: null, disc: null });
      this.referrals.push({ ...r, sent: false, since: ++this.tick });
    }
    return { conflicts };
  }

  /** §5.1: episodes keyed member × service × authorization; a new number replaces the open one; a known number never reopens. */
  private auths(rows: AuthRow[]): Record<string, never> {
    for (const r of rows) {
      if (this.episodes.some((e) => e.cin === r.cin && e.service === r.service && e.authNumber === r.authNumber)) continue;
      for (const e of this.episodes) if (e.cin === r.cin && e.service === r.service && !e.resolved) Object.assign(e, { resolved: true, superseded: true });
      this.episodes.push({ cin: r.cin, service: r.service, provider: r.provider, lob: r.lob, authNumber: r.authNumber, authStatus: r.authStatus, authStart: r.authStart, authEnd: r.authEnd, from: r.decided, resolved: false });
    }
    return {};
  }

  /**
   * §4.1: per provider × line, members pending or in outreach, plus enrolled members not
   * disenrolled before the month: one with a Start Date whose End Date is in the month or later
   * is enrolled in it whether the provider reported status 3 or status 4 (§4.5: how an enrolled
   * member who leaves is reported), and is listed with the status reported.
   */
  private mif(slot: IsoDate): Expected[] {
    const out: Expected[] = [];
    for (const p of this.providers) {
      for (const lob of p.ecm) {
        const rows: MifLine[] = [];
        for (const [key, a] of this.assignments) {
          if (a.provider !== p.code || a.lob !== lob || a.assigned > slot) continue;
          if (a.status === 4 && (a.start === null || a.end === null)) continue;
          if ((a.status === 3 || a.status === 4) && a.end !== null && a.end < monthStart(slot)) continue;
          rows.push({ cin: key.slice(0, 9), status: a.status, start: a.start, end: a.end });
        }
        out.push({ kind: 'MIF', provider: p.code, lob, rows: sortLines(rows) });
        this.latestMif.set(`${p.code}|${lob}`, new Set(rows.map((r) => r.cin)));
        this.sent(p.code, lob, slot, rows.map((r) => r.cin));
      }
    }
    return out;
  }

  /**
   * §2: every referral approved MINI_MIF_MIN_DAYS or more days ago that no MIF or mini-MIF sent
   * to that provider carried: one of its line, dated on or after the approval, listing the
   * member, built after the referral's episode started.
   */
  private miniMif(slot: IsoDate): Expected[] {
    const out: Expected[] = [];
    for (const p of this.providers) {
      for (const lob of p.ecm) {
        const carried = (f: Referral) => (this.sentEcm.get(`${p.code}|${lob}`) ?? []).some((s) => s.slot >= f.approved && s.built > f.since && s.cins.has(f.cin));
        const mine = this.referrals.filter((f) => f.provider === p.code && f.lob === lob && !f.sent);
        const due = mine.filter((f) => f.approved <= addDays(slot, -MINI_MIF_MIN_DAYS) && !carried(f));
        for (const f of mine) if (carried(f)) f.sent = true;
        if (!due.length) continue; // a mini-MIF goes out only with something in it
        // §1: one row per newly referred member, however many of its referrals are due
        const rows = [...new Set(due.map((f) => f.cin))].map((cin) => {
          const a = this.assignment(cin, lob)!;
          return { cin, status: a.status, start: a.start, end: a.end };
        });
        for (const f of due) f.sent = true;
        out.push({ kind: 'MINIMIF', provider: p.code, lob, rows: sortLines(rows) });
        this.sent(p.code, lob, slot, rows.map((r) => r.cin));
      }
    }
    return out;
  }

  private sent(provider: string, lob: Lob, slot: IsoDate, cins: string[]): void {
    const key = `${provider}|${lob}`;
    const list = this.sentEcm.get(key) ?? this.sentEcm.set(key, []).get(key)!;
    list.push({ slot, cins: new Set(cins), built: ++this.tick });
  }

  /**
   * §5.1: one cumulative list per CS provider: every open episode already known on the slot. One
   * whose end date has passed is Expired (layouts: an Authorization Status) and stays
   * CSASF_CLOSED_RETENTION_DAYS after that date. While an open episode has not started (or is
   * still pending) and the approved one it replaced is still in force, its provider's list shows
   * that one (README: a re-authorization loaded early, or a hand-over to another provider from
   * the day after).
   */
  private csasf(slot: IsoDate): Expected[] {
    const out: Expected[] = [];
    const samePair = (a: Episode, b: Episode) => a.cin === b.cin && a.service === b.service;
    const inForce = (s: Episode) => !!s.superseded && s.authStatus === 'Approved' && s.authStart <= slot && s.authEnd >= slot;
    // an open episode not started yet (or still pending), after an approved one still in force (i: its place, the order of their ids)
    const waiting = (o: Episode, i: number, provider?: string) =>
      !o.resolved && (o.authStart > slot || o.authStatus === 'Pending') && this.episodes.slice(0, i).some((s) => samePair(s, o) && (provider === undefined || s.provider === provider) && inForce(s));
    for (const p of this.providers) {
      if (!p.cs.length) continue;
      const mine = this.episodes.filter((e, i) => e.provider === p.code
        && ((!e.resolved && !waiting(e, i, e.provider)) || (inForce(e) && this.episodes.some((o, j) => j > i && samePair(o, e) && waiting(o, j)))));
      // (one row per pair: the latest)
      const rows = [...new Map(mine.map((e) => [`${e.cin}|${e.service}`, e])).values()]
        .filter((e) => e.from <= slot && e.authEnd >= addDays(slot, -CSASF_CLOSED_RETENTION_DAYS))
        .map((e) => ({ cin: e.cin, service: e.service, authNumber: e.authNumber, authStatus: e.authEnd < slot ? 'Expired' : e.authStatus, authStart: e.authStart }))
        .sort((a, b) => (a.cin + a.service).localeCompare(b.cin + b.service));
      this.latestCsasf.set(p.code, new Map(rows.map((r) => [`${r.cin}|${r.service}`, r])));
      out.push({ kind: 'CSASF', provider: p.code, rows });
    }
    return out;
  }

  private upload(ev: Extract<SimEvent, { kind: 'upload' }>): UploadOutcome {
    const day = Number(ev.date.slice(8, 10));
    const rows = ev.sheets.reduce((n, s) => n + s.rows.length, 0);
    // §2: after the 10th nothing is read; §6: the same bytes again are not applied (a copy of a declined file is read)
    const copy = ev.copyOf === undefined ? undefined : this.uploads.get(ev.copyOf);
    if (day > RESUBMISSION_LAST_DAY || (copy && copy.read)) {
      const o = { n: ev.n, read: false, accepted: 0, rejected: 0, why: [day > RESUBMISSION_LAST_DAY ? 'declined: after the 10th' : 'duplicate'] };
      this.uploads.set(ev.n, o);
      return o;
    }
    const period = periodOf(ev.date);
    let accepted = 0;
    const why: string[] = [];
    const count = (layout: string, i: number, reason: string | null) => {
      if (reason === null) accepted++;
      else why.push(`${layout} row ${i + 2}: ${reason}`);
    };
    // the attempts the file's accepted OTF rows hold, with their minutes (every OTF sheet of the file)
    const attemptsInFile = new Map<string, number>();
    for (const sheet of ev.sheets) {
      // layouts: the NPI on every row is the submitter's; another provider's file is refused row by row
      if (ev.identity !== undefined && ev.identity !== ev.provider) {
        sheet.rows.forEach((_, i) => count(sheet.layout, i, "another provider's NPI"));
        continue;
      }
      if (sheet.layout === 'RTF') sheet.rows.forEach((r, i) => count('RTF', i, this.rtfRow(ev.provider, r, ev.date)));
      if (sheet.layout === 'OTF') sheet.rows.forEach((r, i) => count('OTF', i, this.otfRow(ev.provider, r, ev.date, period, attemptsInFile)));
      if (sheet.layout === 'CSPRTF') {
        const csasf = this.latestCsasf.get(ev.provider) ?? new Map<string, CsasfLine>();
        sheet.rows.forEach((r, i) => count('CSPRTF', i, this.csprtfRow(ev.provider, r, csasf)));
      }
    }
    const o = { n: ev.n, read: true, accepted, rejected: rows - accepted, why };
    this.uploads.set(ev.n, o);
    return o;
  }

  /**
   * §4.4: the provider reports on what it was sent (its latest MIF) and on members assigned to
   * it; anyone else is rejected. A member switched away since that MIF may still be reported
   * for the period, but the row never changes the other provider's assignment.
   */
  private mine(provider: string, r: { cin: string; lob: Lob }): { a: Assignment | undefined; ok: boolean } {
    const a = this.assignment(r.cin, r.lob);
    const assigned = !!a && a.provider === provider;
    return { a: assigned ? a : undefined, ok: assigned || !!this.latestMif.get(`${provider}|${r.lob}`)?.has(r.cin) };
  }

  /** §4.4 (assigned to this provider), layouts RTF 17-22 and §4.5 (dates), §3 (CIN). */
  private rtfRow(provider: string, r: RtfRow, received: IsoDate): string | null {
    if (!CIN.test(r.cin)) return 'not a CIN';
    const { a, ok } = this.mine(provider, r);
    if (!ok) return 'not on its latest MIF nor assigned to this provider';
    if (r.status === 3 && (!r.start || r.start > received)) return 'enrolled without a start date on or before receipt';
    if (r.end && (!r.start || r.end < r.start)) return 'end date without a start date or before it';
    // [POLICY] a member cannot have left after the file was sent (the ending dates, as the start)
    if ((r.end && r.end > received) || (r.disc && r.disc > received)) return 'end or discontinuation date after receipt';
    if (r.disc && r.start) return 'discontinuation date with a start date';
    if (r.status === 4 && r.start && !r.end) return 'status 4 with a start date and no end date';
    if (r.status === 4 && !r.start && (!r.disc || !r.discReason)) return 'never enrolled status 4 without discontinuation date and reason';
    if (a) Object.assign(a, { status: r.status, start: r.start, end: r.end, disc: r.disc });
    return null;
  }

  /**
   * layouts OTF 7 and 9: the member is this provider's; the attempt is in the period or the 90 days before it, not after receipt.
   * §6 (README [POLICY]): the attempt once per file; again with other minutes it is rejected, with the same a warning.
   */
  private otfRow(provider: string, r: OtfRow, received: IsoDate, period: string, inFile: Map<string, number>): string | null {
    if (!CIN.test(r.cin)) return 'not a CIN';
    if (!this.mine(provider, r).ok) return 'not on its latest MIF nor assigned to this provider';
    if (r.date > received || r.date > lastDayOf(period) || r.date < addDays(`${period}-01`, -90)) return 'attempt date outside the period and the 90 days before it';
    const attempt = `${r.cin}|${r.date}|${r.method}`;
    const held = inFile.get(attempt);
    if (held !== undefined && held !== r.minutes) return 'the same attempt with other minutes on an earlier row';
    inFile.set(attempt, r.minutes);
    const key = `${provider}|${r.lob}|${period}`;
    const set = this.attempts.get(key) ?? this.attempts.set(key, new Set()).get(key)!;
    set.add(`${r.cin}|${r.date}|${r.method}`); // §6: the same attempt sent twice counts once
    return null;
  }

  /** §5.3: on the latest CSASF; a number given is the one sent (any status); status 3 needs its approved number; status 4 resolves the episode (§5.1). */
  private csprtfRow(provider: string, r: CsprtfRow, csasf: Map<string, CsasfLine>): string | null {
    if (!CIN.test(r.cin)) return 'not a CIN';
    const line = csasf.get(`${r.cin}|${r.service}`);
    if (!line) return 'not on the latest CSASF';
    if (r.authNumber && line.authNumber && r.authNumber.toUpperCase() !== line.authNumber.toUpperCase()) return 'another authorization number than the one sent';
    if (r.status === 3 && (line.authStatus !== 'Approved' || r.authNumber !== line.authNumber || !r.serviceStart || r.serviceStart < line.authStart)) return 'delivering without the approved authorization';
    if (r.status === 2 && !r.outreach) return 'in outreach without an outreach date';
    if (r.status === 4 && !r.reason) return 'discontinued without a reason';
    if (r.status === 4) {
      const number = r.authNumber ?? line.authNumber;
      const e = this.episodes.find((x) => x.cin === r.cin && x.service === r.service && x.authNumber === number && x.provider === provider);
      if (e) e.resolved = true;
    }
    return null;
  }
}

function sortLines(rows: MifLine[]): MifLine[] {
  return rows.sort((a, b) => a.cin.localeCompare(b.cin));
}

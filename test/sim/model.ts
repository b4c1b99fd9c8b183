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
  /** README LOB_SWITCH: the plan ended it in its line (its last day there) when the member joined another line; null: not ended by the plan. */
  planEnd: IsoDate | null;
}

export interface ExtractRow { cin: string; provider: string; lob: Lob; status: 1 | 2 | 3; assigned: IsoDate; start: IsoDate | null }
export interface ReferralRow { id: string; cin: string; provider: string; lob: Lob; approved: IsoDate }
/** One contract of the providers extract (provider × line × program) with its last day in force (README "A contract's end"; null: open-ended). */
export interface ContractRow { provider: string; lob: Lob; program: 'ECM' | 'CS'; end: IsoDate | null }
export interface AuthRow { cin: string; provider: string; lob: Lob; service: string; authStatus: 'Approved' | 'Pending'; authNumber: string; authStart: IsoDate; authEnd: IsoDate; decided: IsoDate }

export interface RtfRow { lob: Lob; cin: string; status: number; start: IsoDate | null; end: IsoDate | null; disc: IsoDate | null; discReason: string | null }
export interface OtfRow { lob: Lob; cin: string; date: IsoDate; method: '1' | '2'; successful: 'Y' | 'N'; minutes: number }
export interface CsprtfRow { lob: Lob; cin: string; service: string; status: 1 | 2 | 3 | 4; authNumber: string | null; serviceStart: IsoDate | null; serviceEnd: IsoDate | null; reason: string | null; outreach: IsoDate | null }

export type UploadSheet = { layout: 'RTF'; rows: RtfRow[] } | { layout: 'OTF'; rows: OtfRow[] } | { layout: 'CSPRTF'; rows: CsprtfRow[] };

export type SimEvent =
  | { kind: 'import-extract'; date: IsoDate; rows: ExtractRow[] }
  | { kind: 'import-referrals'; date: IsoDate; rows: ReferralRow[] }
  | { kind: 'import-auths'; date: IsoDate; rows: AuthRow[] }
  /** The providers extract, every contract; `withEnds` false: an older extract without the contract_end column (it says nothing of ends). */
  | { kind: 'import-providers'; date: IsoDate; rows: ContractRow[]; withEnds: boolean }
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
  /** Per member × line, the providers it was moved away from: each held it from its assigned date through the day before `to` (the next provider's assigned date), no later than the plan's end of it. */
  private readonly movedAway = new Map<string, { provider: string; from: IsoDate; to: IsoDate; planEnd: IsoDate | null }[]>();
  /** Per member × line, the assignments as they stood before each of the plan's changes (a switch, a referral's new episode, a new assigned date), oldest first. */
  private readonly replaced = new Map<string, Assignment[]>();
  /**
   * README "A member moved from a later date": per member × line, the switch to another provider
   * an extract dated after the day it was loaded, held until that day (one per member and line),
   * with when the extract first said it (the model's tick: the same row again is no news).
   */
  private readonly planned = new Map<string, { row: ExtractRow; loaded: number }>();
  /** Per member × line: when a referral started the assignment's episode (the model's tick); a switch ends it. */
  private readonly episodeAt = new Map<string, number>();
  /** Per member × line: who holds it as the extract last said (provider, assigned date) and since when (tick). */
  private readonly said = new Map<string, { provider: string; assigned: IsoDate; at: number }>();
  /** CSPRTF rows that resolved an episode, by provider × period × member × service (a later row of the key replaces them, §6). */
  private readonly resolvedBy = new Map<string, Episode[]>();
  private readonly referrals: Referral[] = [];
  private readonly episodes: Episode[] = [];
  /**
   * §6, corrections merge by key: per `${provider}|${layout}|${lob}|${period}`, each key's counting
   * row is the latest accepted one: the upload (its number) it came in. Keys: RTF the CIN, CSPRTF
   * CIN|service, OTF CIN|date|method.
   */
  readonly counting = new Map<string, Map<string, number>>();
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

  /** README "A contract's end": the last day in force of each ended contract, by `${provider}|${lob}|${program}` (absent: open-ended). */
  private readonly contractEnds = new Map<string, IsoDate>();

  constructor(private readonly providers: readonly ProviderInfo[]) {}

  /**
   * README "A contract's end" [POLICY]: a contract is in force on a day when it has not ended
   * before that day; for a reporting period, when in force on the period's first day.
   */
  inForce(provider: string, lob: Lob, program: 'ECM' | 'CS', day: IsoDate): boolean {
    const end = this.contractEnds.get(`${provider}|${lob}|${program}`);
    return end === undefined || end >= day;
  }
  /** README "A provider whose contract ended": a row dated after the contract's last day is rejected (one dated on or before it is taken). */
  private refused(provider: string, lob: Lob, program: 'ECM' | 'CS', day: IsoDate): boolean {
    return !this.inForce(provider, lob, program, day);
  }

  assignment(cin: string, lob: Lob): Assignment | undefined {
    return this.assignments.get(`${cin}|${lob}`);
  }
  /** The switch an extract planned for the member and line, not applied yet (README "A member moved from a later date"). */
  plannedSwitch(cin: string, lob: Lob): ExtractRow | undefined {
    return this.planned.get(`${cin}|${lob}`)?.row;
  }
  /** Every planned switch not applied yet, by `${cin}|${lob}`. */
  plannedSwitches(): ReadonlyMap<string, ExtractRow> {
    return new Map([...this.planned].map(([k, p]) => [k, p.row]));
  }

  /** Open on `day`: status 1-3 and not ended by then (domain §4.4a; an end after the day has not happened), nor by the plan in its line (README LOB_SWITCH). */
  static open(a: Assignment | undefined, day: IsoDate): boolean {
    return Model.openAsReported(a, day) && (a!.planEnd === null || a!.planEnd >= day);
  }
  /** Open on `day` as the provider reported it: status 1-3, no end by then (the plan's line end not read). */
  static openAsReported(a: Assignment | undefined, day: IsoDate): boolean {
    return !!a && a.status !== 4 && (a.end === null || a.end >= day);
  }
  /** README LOB_SWITCH: the assignment holds its member in its line on `day`. */
  static inLine(a: Assignment, day: IsoDate): boolean {
    return a.planEnd === null || a.planEnd >= day;
  }

  openEpisodes(provider?: string): readonly Episode[] {
    return this.episodes.filter((e) => !e.resolved && (provider === undefined || e.provider === provider));
  }
  hasEpisode(cin: string, service: string): boolean {
    return this.episodes.some((e) => e.cin === cin && e.service === service);
  }
  /** Member × service pairs whose every episode is resolved, with the provider of the last one. */
  resolvedPairs(): { cin: string; service: string; provider: string; lob: Lob }[] {
    const last = new Map<string, Episode>();
    for (const e of this.episodes) last.set(`${e.cin}|${e.service}`, e);
    return [...last.values()].filter((e) => e.resolved).map((e) => ({ cin: e.cin, service: e.service, provider: e.provider, lob: e.lob }));
  }
  latestCsasfOf(provider: string): readonly CsasfLine[] {
    return [...(this.latestCsasf.get(provider)?.values() ?? [])];
  }

  /** `rejected`: the rows an upstream import rejects (README "A provider whose contract ended", an older extract's row). */
  apply(ev: SimEvent): { expected?: Expected[]; outcome?: UploadOutcome; conflicts?: number; rejected?: number } {
    // README "A member moved from a later date": on its day (plan-local) the first run that asks
    // who holds the plan's members applies a planned switch: the ECM imports, an ingest (by the
    // file's receipt), a MIF or mini-MIF; not the CS imports, the providers extract nor the CSASF
    if (ev.kind !== 'import-auths' && ev.kind !== 'csasf' && ev.kind !== 'import-providers') this.applyDueSwitches(ev.date);
    switch (ev.kind) {
      case 'import-extract': return this.extract(ev.rows, ev.date);
      case 'import-referrals': return this.referralsIn(ev.rows, ev.date);
      case 'import-auths': return this.auths(ev.rows);
      case 'import-providers': return this.contracts(ev.rows, ev.withEnds);
      case 'mif': return { expected: this.mif(ev.date) };
      case 'mini-mif': return { expected: this.miniMif(ev.date) };
      case 'csasf': return { expected: this.csasf(ev.date) };
      case 'upload': return { outcome: this.upload(ev) };
    }
  }

  /**
   * The extract says who is assigned: a row naming another provider (or a new member) is a switch; the same assignment again is no news (§4b).
   * README "A member moved from a later date": a switch to another provider dated after the import's day is planned, not applied: the
   * member stays the old provider's until that day (applyDueSwitches); a later extract's row for the member and line replaces the
   * planned switch (another provider or day; a day come: the switch at once) or cancels it (the member listed with the provider that
   * holds them). README LOB_SWITCH (end-other-lines): a row that opens or moves the member's assignment in a line from D (a planned
   * switch included, from its day) ends the member's open assignment (status 1-3, no end or discontinuation before D, not ended by the
   * plan) in another line, assigned before D, that the file does not list: the plan's end is D-1 (of several lines opened, the earliest D);
   * and cancels the switch planned for the member in a line the file does not list.
   */
  private extract(rows: ExtractRow[], today: IsoDate): { rejected: number } {
    const now = ++this.tick;
    // (a rejected row still lists the member in its line: the file names them there)
    const listed = new Set(rows.map((r) => `${r.cin}|${r.lob}`));
    const opened: { cin: string; lob: Lob; from: IsoDate }[] = [];
    let rejected = 0;
    for (const r of rows) {
      const key = `${r.cin}|${r.lob}`;
      // README "A provider whose contract ended": assigned after its last day: rejected, nothing of it applied (a switch planned stays planned)
      if (this.refused(r.provider, r.lob, 'ECM', r.assigned)) {
        rejected++;
        continue;
      }
      const a = this.assignment(r.cin, r.lob);
      const was = this.planned.get(key);
      if (!a) {
        this.assignments.set(key, { provider: r.provider, lob: r.lob, status: r.status, assigned: r.assigned, start: r.start, end: null, disc: null, planEnd: null });
        this.said.set(key, { provider: r.provider, assigned: r.assigned, at: now });
        this.planned.delete(key);
        opened.push({ cin: r.cin, lob: r.lob, from: r.assigned });
        continue;
      }
      const done = this.extractRow(key, a, r, now, today);
      if (done.action === 'rejected') {
        rejected++;
        continue;
      }
      if (done.action === 'plan') {
        // (the same row again keeps when the extract first said it)
        const same = !!was && was.row.provider === r.provider && was.row.assigned === r.assigned && was.row.status === r.status && was.row.start === r.start;
        this.planned.set(key, { row: r, loaded: same ? was.loaded : now });
      } else this.planned.delete(key);
      if (done.opens) opened.push({ cin: r.cin, lob: r.lob, from: r.assigned });
    }
    // (LOB_SWITCH: the file puts the member in the line opened and no longer in an unlisted one:
    // the switch an earlier extract planned there is cancelled, never applied on its day)
    for (const o of opened) for (const key of [...this.planned.keys()]) if (key.startsWith(`${o.cin}|`) && !listed.has(key)) this.planned.delete(key);
    const ends = new Map<string, IsoDate>();
    for (const o of opened) {
      for (const [key, a] of this.assignments) {
        if (!key.startsWith(`${o.cin}|`) || a.lob === o.lob || listed.has(key)) continue;
        const open = a.status !== 4 && (a.end === null || a.end >= o.from) && (a.disc === null || a.disc >= o.from) && a.planEnd === null;
        if (!open || a.assigned >= o.from) continue;
        const last = addDays(o.from, -1);
        if (!ends.has(key) || last < ends.get(key)!) ends.set(key, last);
      }
    }
    for (const [key, last] of ends) this.assignments.get(key)!.planEnd = last;
    return { rejected };
  }

  /**
   * README "A contract's end": the providers extract is one row per contract; with the
   * contract_end column each row's end is the contract's (blank: open-ended, a renewal re-opens
   * it); without it the ends on file stay. Ending a contract ends or moves no assignment.
   */
  private contracts(rows: ContractRow[], withEnds: boolean): Record<string, never> {
    if (!withEnds) return {};
    for (const r of rows) {
      const key = `${r.provider}|${r.lob}|${r.program}`;
      if (r.end === null) this.contractEnds.delete(key);
      else this.contractEnds.set(key, r.end);
    }
    return {};
  }

  /**
   * One extract row against the member's assignment in its line (`at`: since when the extract says
   * it; `today`: the plan-local day it is applied). After a referral started a new episode, who
   * holds the assignment follows the extract only where the extract said it since (README:
   * re-referral; the extract repeating what it said before the episode is no news about it):
   * - another provider: rejected when dated before the current assignment (an older extract);
   *   planned when dated after `today`; else a switch: the extract's values, the old provider's
   *   reports left in its lineage;
   * - the same provider from a later date, after what the provider reported ended the assignment:
   *   a new episode with it; else the assigned date follows the extract (the MIF reads the
   *   assignment as it stood on its slot: the image before, README "A member moved from a later
   *   date"), and a date after the plan's end of it in its line takes the member back in the line.
   */
  private extractRow(key: string, a: Assignment, r: ExtractRow, at: number, today: IsoDate): { action: 'plan' | 'switch' | 'update' | 'rejected'; opens: boolean } {
    const s = this.said.get(key);
    const rowAt = s && s.provider === r.provider && s.assigned === r.assigned ? s.at : at;
    const episode = this.episodeAt.get(key);
    const news = episode === undefined || rowAt > episode;
    if (a.provider !== r.provider) {
      if (news && r.assigned < a.assigned) return { action: 'rejected', opens: false };
      if (!news) {
        this.said.set(key, { provider: r.provider, assigned: r.assigned, at: rowAt });
        return { action: 'update', opens: false };
      }
      if (r.assigned > today) return { action: 'plan', opens: true };
      this.switchTo(key, a, r, rowAt);
      return { action: 'switch', opens: true };
    }
    this.said.set(key, { provider: r.provider, assigned: r.assigned, at: rowAt });
    if (episode !== undefined && r.assigned < a.assigned) return { action: 'update', opens: false };
    if (news && r.assigned > a.assigned && !(a.status !== 4 && (a.end === null || a.end >= r.assigned) && (a.disc === null || a.disc >= r.assigned))) {
      this.switchTo(key, a, r, rowAt);
      return { action: 'switch', opens: true };
    }
    if (!news || r.assigned === a.assigned) return { action: 'update', opens: false };
    this.replace(key, { ...a });
    a.assigned = r.assigned;
    const back = a.planEnd !== null && r.assigned > a.planEnd;
    if (back) a.planEnd = null;
    return { action: 'update', opens: back };
  }

  /** A new episode from the extract's row: its values, nothing the provider reported; still ended in its line when dated on or before the plan's end there. */
  private switchTo(key: string, a: Assignment, r: ExtractRow, at: number): void {
    if (a.provider !== r.provider) this.moved(key, a, r.assigned);
    this.replace(key, a);
    const planEnd = a.planEnd !== null && r.assigned <= a.planEnd ? a.planEnd : null;
    this.assignments.set(key, { provider: r.provider, lob: r.lob, status: r.status, assigned: r.assigned, start: r.start, end: null, disc: null, planEnd });
    this.said.set(key, { provider: r.provider, assigned: r.assigned, at });
    this.episodeAt.delete(key);
  }

  /**
   * README "A member moved from a later date": the planned switches due on `today`, applied in the
   * order they were loaded as the extract's row would be that day, checked again against the
   * assignment as it stands (a referral's episode started since the extract said it keeps the
   * member); the other lines the member leaves were ended when the extract was loaded.
   */
  private applyDueSwitches(today: IsoDate): void {
    const due = [...this.planned].filter(([, p]) => p.row.assigned <= today).sort((x, y) => x[1].loaded - y[1].loaded);
    for (const [key, p] of due) {
      this.planned.delete(key);
      // (README: a provider whose contract ended by then is not assigned: the member stays)
      if (this.refused(p.row.provider, p.row.lob, 'ECM', p.row.assigned)) continue;
      const a = this.assignments.get(key);
      if (a) this.extractRow(key, a, p.row, p.loaded, today);
    }
  }

  /** §4.2 and §4.4a: a referral assigns (status 1) unless another provider holds the member open (on the approval day and the import's); an ended assignment starts a new episode. */
  private referralsIn(rows: ReferralRow[], date: IsoDate): { conflicts: number; rejected: number } {
    let conflicts = 0;
    let rejected = 0;
    for (const r of rows) {
      // README "A provider whose contract ended": approved after its last day
      if (this.refused(r.provider, r.lob, 'ECM', r.approved)) {
        rejected++;
        continue;
      }
      const a = this.assignment(r.cin, r.lob);
      // [POLICY] another provider holds it only when open on the approval day and still on the import's
      if (Model.open(a, r.approved) && Model.openAsReported(a, date) && a!.provider !== r.provider) {
        conflicts++;
        continue;
      }
      if (Model.open(a, r.approved) && a!.provider === r.provider) {
        // already with this provider: the episode goes on; the referral is still sent (§2: every
        // referral approved 5 or more days ago not yet on a MIF or mini-MIF sent to the provider),
        // by any of its files dated on or after the approval that carries the member (no episode started)
        this.referrals.push({ ...r, sent: false, since: -1 });
        continue;
      }
      if (Model.open(a, r.approved)) continue;
      if (a && a.provider !== r.provider) this.moved(`${r.cin}|${r.lob}`, a, r.approved);
      if (a) this.replace(`${r.cin}|${r.lob}`, a);
      this.assignments.set(`${r.cin}|${r.lob}`, { provider: r.provider, lob: r.lob, status: 1, assigned: r.approved, start: null, end: null, disc: null, planEnd: null });
      this.referrals.push({ ...r, sent: false, since: ++this.tick });
      this.episodeAt.set(`${r.cin}|${r.lob}`, this.tick);
    }
    return { conflicts, rejected };
  }

  private replace(key: string, a: Assignment): void {
    (this.replaced.get(key) ?? this.replaced.set(key, []).get(key)!).push(a);
  }

  private moved(key: string, a: Assignment, to: IsoDate): void {
    const list = this.movedAway.get(key) ?? this.movedAway.set(key, []).get(key)!;
    list.push({ provider: a.provider, from: a.assigned, to, planEnd: a.planEnd });
  }

  /** §5.1: episodes keyed member × service × authorization; a new number replaces the open one; a known number never reopens. */
  private auths(rows: AuthRow[]): { rejected: number } {
    let rejected = 0;
    for (const r of rows) {
      // README "A provider whose contract ended": a CS authorization assigned after its last day
      if (this.refused(r.provider, r.lob, 'CS', r.decided)) {
        rejected++;
        continue;
      }
      if (this.episodes.some((e) => e.cin === r.cin && e.service === r.service && e.authNumber === r.authNumber)) continue;
      for (const e of this.episodes) if (e.cin === r.cin && e.service === r.service && !e.resolved) Object.assign(e, { resolved: true, superseded: true });
      this.episodes.push({ cin: r.cin, service: r.service, provider: r.provider, lob: r.lob, authNumber: r.authNumber, authStatus: r.authStatus, authStart: r.authStart, authEnd: r.authEnd, from: r.decided, resolved: false });
    }
    return { rejected };
  }

  /**
   * §4.1: per provider × line, members pending or in outreach, plus enrolled members not
   * disenrolled before the month: one with a Start Date whose End Date is in the month or later
   * is enrolled in it whether the provider reported status 3 or status 4 (§4.5: how an enrolled
   * member who leaves is reported), and is listed with the status reported. README "A contract's
   * end": none under a contract not in force on the slot's day (its members stay assigned).
   */
  private mif(slot: IsoDate): Expected[] {
    const out: Expected[] = [];
    for (const p of this.providers) {
      for (const lob of p.ecm) {
        if (!this.inForce(p.code, lob, 'ECM', slot)) continue;
        const rows: MifLine[] = [];
        for (const [key, now] of this.assignments) {
          // README "A member moved from a later date": until then, the assignment as it stood on the slot (never on neither)
          const a = now.assigned <= slot ? now : (this.replaced.get(key) ?? []).findLast((x) => x.assigned <= slot);
          if (!a || a.provider !== p.code || a.lob !== lob || a.assigned > slot || !Model.inLine(a, slot)) continue;
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
        // (README LOB_SWITCH: not for a member moved to another line by the slot, nor one now another provider's)
        const held = (f: Referral) => { const a = this.assignment(f.cin, lob); return !!a && a.provider === p.code && Model.inLine(a, slot); };
        const due = mine.filter((f) => f.approved <= addDays(slot, -MINI_MIF_MIN_DAYS) && !carried(f) && held(f));
        for (const f of mine) if (carried(f)) f.sent = true;
        // (README "A contract's end": none under a contract not in force on the slot; its referrals stay unsent, a renewal sends them)
        if (!due.length || !this.inForce(p.code, lob, 'ECM', slot)) continue; // a mini-MIF goes out only with something in it
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
   * the day after). README "A contract's end": only the members of its CS lines in force on the
   * slot's day; a provider with none gets no CSASF (its latest stays the one it had).
   */
  private csasf(slot: IsoDate): Expected[] {
    const out: Expected[] = [];
    const samePair = (a: Episode, b: Episode) => a.cin === b.cin && a.service === b.service;
    const inForce = (s: Episode) => !!s.superseded && s.authStatus === 'Approved' && s.authStart <= slot && s.authEnd >= slot;
    // an open episode not started yet (or still pending), after an approved one still in force (i: its place, the order of their ids)
    const waiting = (o: Episode, i: number, provider?: string) =>
      !o.resolved && (o.authStart > slot || o.authStatus === 'Pending') && this.episodes.slice(0, i).some((s) => samePair(s, o) && (provider === undefined || s.provider === provider) && inForce(s));
    for (const p of this.providers) {
      const lines = p.cs.filter((lob) => this.inForce(p.code, lob, 'CS', slot));
      if (!lines.length) continue;
      const mine = this.episodes.filter((e, i) => e.provider === p.code
        && ((!e.resolved && !waiting(e, i, e.provider)) || (inForce(e) && this.episodes.some((o, j) => j > i && samePair(o, e) && waiting(o, j)))));
      // (one row per pair: the latest)
      const rows = [...new Map(mine.map((e) => [`${e.cin}|${e.service}`, e])).values()]
        .filter((e) => e.from <= slot && e.authEnd >= addDays(slot, -CSASF_CLOSED_RETENTION_DAYS) && lines.includes(e.lob))
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
    const count = (layout: string, i: number, reason: string | null, row?: RtfRow | OtfRow | CsprtfRow) => {
      if (reason === null) {
        accepted++;
        if (!row) return;
        const key = layout === 'RTF' ? row.cin : layout === 'CSPRTF' ? `${row.cin}|${(row as CsprtfRow).service}` : `${row.cin}|${(row as OtfRow).date}|${(row as OtfRow).method}`;
        const unit = `${ev.provider}|${layout}|${row.lob}|${period}`;
        (this.counting.get(unit) ?? this.counting.set(unit, new Map()).get(unit)!).set(key, ev.n);
      } else why.push(`${layout} row ${i + 2}: ${reason}`);
    };
    // the attempts the file's accepted OTF rows hold, with their minutes (every OTF sheet of the file)
    const attemptsInFile = new Map<string, number>();
    // README "A contract's end": a row of a line whose contract (of the layout's program) is not in force for the period is LOB_NOT_CONTRACTED
    const contracted = (layout: string, r: { lob: Lob }): boolean => this.inForce(ev.provider, r.lob, layout === 'CSPRTF' ? 'CS' : 'ECM', `${period}-01`);
    for (const sheet of ev.sheets) {
      // layouts: the NPI on every row is the submitter's; another provider's file is refused row by row
      if (ev.identity !== undefined && ev.identity !== ev.provider) {
        sheet.rows.forEach((_, i) => count(sheet.layout, i, "another provider's NPI"));
        continue;
      }
      const notContracted = 'line of business not contracted for the period';
      if (sheet.layout === 'RTF') sheet.rows.forEach((r, i) => count('RTF', i, contracted('RTF', r) ? this.rtfRow(ev.provider, r, ev.date) : notContracted, r));
      if (sheet.layout === 'OTF') sheet.rows.forEach((r, i) => count('OTF', i, contracted('OTF', r) ? this.otfRow(ev.provider, r, ev.date, period, attemptsInFile) : notContracted, r));
      if (sheet.layout === 'CSPRTF') {
        const csasf = this.latestCsasf.get(ev.provider) ?? new Map<string, CsasfLine>();
        sheet.rows.forEach((r, i) => count('CSPRTF', i, contracted('CSPRTF', r) ? this.csprtfRow(ev.provider, r, csasf, period, ev.date) : notContracted, r));
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
  private mine(provider: string, r: { cin: string; lob: Lob }, period: string): { a: Assignment | undefined; ok: boolean } {
    const a = this.assignment(r.cin, r.lob);
    const assigned = !!a && a.provider === provider;
    // README REASSIGNED_MEMBER_ROWS=count: also a member the provider held on some day of the
    // period before the plan moved it to another provider (a switch dated inside the period)
    const held = (this.movedAway.get(`${r.cin}|${r.lob}`) ?? []).some((h) => h.provider === provider && h.from <= lastDayOf(period) && h.to > `${period}-01` && (h.planEnd === null || h.planEnd >= `${period}-01`));
    return { a: assigned ? a : undefined, ok: assigned || held || !!this.latestMif.get(`${provider}|${r.lob}`)?.has(r.cin) };
  }

  /** §4.4 (assigned to this provider), layouts RTF 17-22 and §4.5 (dates), §3 (CIN). */
  private rtfRow(provider: string, r: RtfRow, received: IsoDate): string | null {
    if (!CIN.test(r.cin)) return 'not a CIN';
    const { a, ok } = this.mine(provider, r, periodOf(received));
    if (!ok) return 'not on its latest MIF nor assigned to this provider';
    if (r.status === 3 && (!r.start || r.start > received)) return 'enrolled without a start date on or before receipt';
    if (r.end && (!r.start || r.end < r.start)) return 'end date without a start date or before it';
    // [POLICY] a member cannot have left after the file was sent (the ending dates, as the start)
    if ((r.end && r.end > received) || (r.disc && r.disc > received)) return 'end or discontinuation date after receipt';
    if (r.disc && r.start) return 'discontinuation date with a start date';
    if (r.status === 4 && r.start && !r.end) return 'status 4 with a start date and no end date';
    if (r.status === 4 && !r.start && (!r.disc || !r.discReason)) return 'never enrolled status 4 without discontinuation date and reason';
    // README (Re-referral): a row whose end or discontinuation is before the assignment's assigned
    // date reports on the earlier episode: it counts, and changes nothing of this one
    if (a && ((r.end && r.end < a.assigned) || (r.disc && r.disc < a.assigned))) return null;
    if (a) Object.assign(a, { status: r.status, start: r.start, end: r.end, disc: r.disc });
    return null;
  }

  /**
   * layouts OTF 7 and 9: the member is this provider's; the attempt is in the period or the 90 days before it, not after receipt.
   * §6 (README [POLICY]): the attempt once per file; again with other minutes it is rejected, with the same a warning.
   */
  private otfRow(provider: string, r: OtfRow, received: IsoDate, period: string, inFile: Map<string, number>): string | null {
    if (!CIN.test(r.cin)) return 'not a CIN';
    if (!this.mine(provider, r, period).ok) return 'not on its latest MIF nor assigned to this provider';
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

  /**
   * §5.3: on the latest CSASF; a number given is the one sent (any status); status 3 needs its approved number; status 4 resolves the episode (§5.1).
   * README: status 4 under an authorization a re-authorization of the same provider superseded ends that one too; a later row of
   * the same period for the pair (§6: it replaces the row) with status 1-3 reopens what the row resolved, unless the pair has another open episode.
   */
  private csprtfRow(provider: string, r: CsprtfRow, csasf: Map<string, CsasfLine>, period: string, received: IsoDate): string | null {
    if (!CIN.test(r.cin)) return 'not a CIN';
    const line = csasf.get(`${r.cin}|${r.service}`);
    if (!line) return 'not on the latest CSASF';
    if (r.authNumber && line.authNumber && r.authNumber.toUpperCase() !== line.authNumber.toUpperCase()) return 'another authorization number than the one sent';
    if (r.status === 3 && (line.authStatus !== 'Approved' || r.authNumber !== line.authNumber || !r.serviceStart || r.serviceStart < line.authStart)) return 'delivering without the approved authorization';
    if (r.serviceStart && r.serviceStart > received) return 'service start after receipt'; // README [POLICY] DATE_AFTER_RECEIPT
    if (r.status === 2 && !r.outreach) return 'in outreach without an outreach date';
    if (r.status === 4 && !r.reason) return 'discontinued without a reason';
    const key = `${provider}|${period}|${r.cin}|${r.service}`;
    const pair = (x: Episode) => x.cin === r.cin && x.service === r.service;
    if (r.status === 4) {
      const number = r.authNumber ?? line.authNumber;
      const e = this.episodes.find((x) => pair(x) && x.authNumber === number && x.provider === provider);
      const resolved: Episode[] = [];
      if (e) {
        if (!e.resolved) resolved.push(e);
        e.resolved = true;
        if (e.superseded) for (const o of this.episodes) if (pair(o) && o.provider === provider && !o.resolved && this.episodes.indexOf(o) > this.episodes.indexOf(e)) { o.resolved = true; resolved.push(o); }
      }
      this.resolvedBy.set(key, [...new Set([...(this.resolvedBy.get(key) ?? []), ...resolved])]);
    } else {
      const before = this.resolvedBy.get(key) ?? [];
      this.resolvedBy.delete(key);
      const reopen = before.filter((e) => !e.superseded);
      if (reopen.length && !this.episodes.some((x) => pair(x) && !x.resolved)) for (const e of reopen) e.resolved = false;
    }
    return null;
  }
}

function sortLines(rows: MifLine[]): MifLine[] {
  return rows.sort((a, b) => a.cin.localeCompare(b.cin));
}

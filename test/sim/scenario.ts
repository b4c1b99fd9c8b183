// The simulated plan and its providers: a seeded population and, month by month, the events
// of a year: plan-side imports (new and conflicting referrals, re-referrals, switches and
// re-imports of the assignment extract, authorizations and re-authorizations), the scheduled
// files, and the providers' answers (full RTF/OTF/CSPRTF files, files with errors and the
// corrected rows sent after them, duplicates, late and very late files, a stranger's member).
// Pure: decisions read the reference model's state, so the same seed gives the same year.
import { mulberry32 } from '../../samples/generate.js';
import { addDays, npiWithCheckDigit } from '../../schemas/primitives.js';
import { Model, periodOf, type AuthRow, type ContractRow, type CsasfLine, type CsprtfRow, type ExtractRow, type IsoDate, type Lob, type MifLine, type OtfRow, type ProviderInfo, type ReferralRow, type RtfRow, type SimEvent } from './model.js';

export interface SimSizes { providers: number; members: number }
export const FULL: SimSizes = { providers: 32, members: 3200 };
export const SMALL: SimSizes = { providers: 30, members: 600 };

/**
 * How often the year's riskier events happen. DEFAULT is the year the suite plays (its numbers
 * are the scenario's own and its random stream is unchanged); STRESS (`--mix stress`) plays
 * more switches, conflicts and re-referrals, and adds what the default year never does: members
 * moved to another line of business by the extract (README LOB_SWITCH), providers sending a
 * corrected RTF + OTF or CSPRTF later in the window (spec §6, corrections merge by key), and
 * re-authorizations loaded before the authorization they renew ends (README: the CSASF shows
 * the one in force until the new one starts). The added events draw from a second stream.
 */
export interface SimMix {
  /** Extract switches to another provider of the line tried per month. */
  switches: number;
  /** Conflicting referrals tried per import. */
  conflicts: number;
  /** Chance a member whose assignment ended is referred again, per import. */
  reReferral: number;
  /** Members moved to another line of business by the extract tried per month. */
  lineSwitches: number;
  /** Chance an ECM provider × line that answered by the 9th sends a corrected full RTF + OTF later in the window. */
  rtfCorrections: number;
  /** Chance a CS provider that answered by the 9th sends a corrected CSPRTF later in the window. */
  csprtfCorrections: number;
  /** Chance an approved authorization ending within 60 days is renewed early (a new number from the day after its end). */
  earlyReauths: number;
  /**
   * Chance an extract switch is planned: dated 20 to 69 days ahead (README "A member moved from a
   * later date": held until that day). Before its day, half of the planned moves are planned
   * again: to a third provider from a later date (it replaces the planned one), or called off
   * (the member listed with the provider that holds them, as the extract had them or from a
   * later date).
   */
  plannedMoves: number;
  /** Chance a referral reaches the plan 2 to 25 days after its approval (README: a back-dated referral). */
  backdatedReferrals: number;
  /** Chance an early renewal is a hand-over: another CS provider of the line, from the day after the current authorization ends. */
  handOvers: number;
  /**
   * Chance a month's providers extract ends one ECM or CS contract (README "A contract's end"):
   * its contract_end this month's last day or one or two months later. Half of the ECM ones, the
   * plan moves the provider's members in the line to other providers from the day after the end
   * (the assignment extract); the others stay with it. Each month an ended contract is re-opened
   * (contract_end blank) a quarter of the time; a month with no news sometimes loads the extract
   * without the contract_end column (the ends on file stay). The plan gives no new member to a
   * provider whose contract has an end on file; an extract row that still names it after its end
   * (a move planned to it, the member dated again later) is rejected, and corrected the month
   * after. A provider left with no MIF or CSASF last month sends its files once more, half the
   * time, for a period its contract no longer covers.
   */
  contractEnds: number;
}
export const DEFAULT_MIX: SimMix = { switches: 4, conflicts: 3, reReferral: 0.3, lineSwitches: 0, rtfCorrections: 0, csprtfCorrections: 0, earlyReauths: 0, plannedMoves: 0, backdatedReferrals: 0, handOvers: 0, contractEnds: 0 };
export const STRESS_MIX: SimMix = { switches: 10, conflicts: 6, reReferral: 0.5, lineSwitches: 8, rtfCorrections: 0.3, csprtfCorrections: 0.35, earlyReauths: 0.3, plannedMoves: 0.4, backdatedReferrals: 0.3, handOvers: 0.3, contractEnds: 0.6 };

export interface SimProvider extends ProviderInfo { name: string; npi: string; tin: string }
export interface SimMember { cin: string; lob: Lob; last: string; first: string; dob: IsoDate }

const LOBS: Lob[] = ['HN', 'CV', 'CHPIV'];
/** Services whose CSPRTF rows need no housing answer. */
const SERVICES = ['RC', 'RS', 'DHP', 'PCH', 'EAA', 'MTM', 'SOB', 'AR'];
const LAST = ['Garcia', 'Nguyen', 'Smith', 'Lopez', 'Kim', 'Patel', 'Johnson', 'Hernandez', 'Chen', 'Williams', 'Brown', 'Davis'];
const FIRST = ['Ana', 'Ben', 'Carla', 'Dev', 'Elena', 'Farid', 'Gia', 'Hugo', 'Iris', 'Jon', 'Kay', 'Luis'];

export const monthOf = (start: string, i: number): string => {
  const t = Number(start.slice(0, 4)) * 12 + Number(start.slice(5, 7)) - 1 + i;
  return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
};
const daysIn = (month: string): number => new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();
const day = (month: string, d: number): IsoDate => `${month}-${String(d).padStart(2, '0')}`;

export class Scenario {
  readonly providers: SimProvider[] = [];
  readonly members: SimMember[] = [];
  readonly extract = new Map<string, ExtractRow>(); // the plan's assignment extract, `${cin}|${lob}`
  readonly initialAuths: AuthRow[] = [];
  private readonly r: () => number;
  /** The second stream: the STRESS mix's added events only. */
  private readonly r2: () => number;
  private readonly byCin = new Map<string, SimMember>();
  /** The line of business of each authorization number the plan issued (a CSPRTF row carries its authorization's line). */
  private readonly authLob = new Map<string, Lob>();
  private uploads = 0;
  private referralSeq = 0;
  private authSeq = 0;
  /** What each ECM provider × line got on its latest monthly MIF. */
  private readonly lastMif = new Map<string, MifLine[]>();
  /** STRESS: the extract's row a planned move replaced, by `${cin}|${lob}` (the plan calling the move off lists it again). */
  private readonly heldRow = new Map<string, ExtractRow>();
  /** The month (YYYY-MM) of each ECM provider × line's latest monthly MIF, and of each CS provider's latest CSASF. */
  private readonly mifMonth = new Map<string, string>();
  private readonly csasfMonth = new Map<string, string>();
  /** STRESS: the last day in force of each contract ended on the plan's providers extract, by `${code}|${lob}|${program}`. */
  private readonly ends = new Map<string, IsoDate>();
  /** STRESS: ECM contracts just ended whose members this month's extract moves to other providers. */
  private readonly moveOut: { code: string; lob: Lob; end: IsoDate }[] = [];
  /** STRESS: the extract's rows the last import rejected (a provider named after its contract's end), by `${cin}|${lob}`. */
  private readonly forgotten = new Set<string>();

  constructor(readonly seed: number, readonly sizes: SimSizes, readonly start = '2026-01', readonly mix: SimMix = DEFAULT_MIX) {
    this.r = mulberry32(seed); // the sample plan's generator
    this.r2 = mulberry32(seed ^ 0x5eed5eed);
    this.populate();
    for (const m of this.members) this.byCin.set(m.cin, m);
  }

  private chance2(p: number): boolean {
    return p > 0 && this.r2() < p;
  }
  private pick2<T>(xs: readonly T[]): T | undefined {
    return xs[Math.floor(this.r2() * xs.length)];
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  private chance(p: number): boolean {
    return this.r() < p;
  }

  private populate(): void {
    const n = this.sizes.providers;
    // Most providers ECM in one line; every third in two; a few ECM and CS; the last fifth CS only.
    const csOnly = Math.max(3, Math.floor(n / 5));
    for (let i = 0; i < n; i++) {
      const code = `SIM${String(i + 1).padStart(2, '0')}`;
      const base = LOBS[i % 3]!;
      const second = LOBS[(i + 1) % 3]!;
      const isCsOnly = i >= n - csOnly;
      const ecm: Lob[] = isCsOnly ? [] : i % 3 === 0 ? [base, second] : [base];
      const cs: Lob[] = isCsOnly ? (i % 2 ? [base, second] : [base]) : i % 7 === 1 ? [base] : [];
      this.providers.push({ code, ecm, cs, name: `Sim Provider ${i + 1}`, npi: npiWithCheckDigit(`1${String(100000 + i * 7919).padStart(8, '0')}`), tin: String(900000000 + i * 101) });
    }
    const seen = new Set<string>();
    while (this.members.length < this.sizes.members) {
      const digits = String(9_000_000 + Math.floor(this.r() * 999_999)).padStart(7, '0');
      const cin = `9${digits}${String.fromCharCode(65 + Math.floor(this.r() * 26))}`;
      if (seen.has(cin) || /^(\d)\1{7}/.test(cin)) continue;
      seen.add(cin);
      const lob = this.r() < 0.5 ? 'HN' : this.r() < 0.6 ? 'CV' : 'CHPIV';
      this.members.push({ cin, lob, last: this.pick(LAST), first: this.pick(FIRST), dob: addDays('1950-01-01', Math.floor(this.r() * 20000)) });
    }
    const d0 = `${this.start}-01`;
    for (const m of this.members) {
      const ecm = this.providers.filter((p) => p.ecm.includes(m.lob));
      if (ecm.length && this.chance(0.35)) {
        const status = this.pick([1, 1, 2, 3] as const);
        const assigned = addDays(d0, -1 - Math.floor(this.r() * 150));
        const start = status === 3 ? addDays(assigned, Math.floor(this.r() * 20)) : null;
        this.extract.set(`${m.cin}|${m.lob}`, { cin: m.cin, provider: this.pick(ecm).code, lob: m.lob, status, assigned, start: start && start < d0 ? start : null });
        if (status === 3 && !(start && start < d0)) this.extract.get(`${m.cin}|${m.lob}`)!.status = 2;
      }
      const cs = this.providers.filter((p) => p.cs.includes(m.lob));
      if (cs.length && this.chance(0.08)) this.initialAuths.push(this.auth(m, this.pick(cs).code, this.pick(SERVICES), addDays(d0, -1 - Math.floor(this.r() * 60))));
    }
  }

  private auth(m: SimMember, provider: string, service: string, decided: IsoDate, lob: Lob = m.lob): AuthRow {
    const approved = this.chance(0.8);
    const a: AuthRow = {
      cin: m.cin, provider, lob, service, authStatus: approved ? 'Approved' : 'Pending', authNumber: `CS${lob}${String(++this.authSeq).padStart(7, '0')}`,
      authStart: decided, authEnd: addDays(decided, 180 + Math.floor(this.r() * 180)), decided,
    };
    this.authLob.set(a.authNumber, lob);
    return a;
  }

  private member(cin: string): SimMember {
    return this.byCin.get(cin)!;
  }

  private ended(code: string, lob: Lob, program: 'ECM' | 'CS'): boolean {
    return this.ends.has(`${code}|${lob}|${program}`);
  }
  /** The providers the plan gives new members of the line to: contracted for it, with no end on file. */
  private ecmIn(lob: Lob): SimProvider[] {
    return this.providers.filter((p) => p.ecm.includes(lob) && !this.ended(p.code, lob, 'ECM'));
  }
  private csIn(lob: Lob): SimProvider[] {
    return this.providers.filter((p) => p.cs.includes(lob) && !this.ended(p.code, lob, 'CS'));
  }
  /** An extract row naming a provider after its ECM contract's last day (the import rejects it). */
  private afterEnd(row: ExtractRow): boolean {
    const end = this.ends.get(`${row.provider}|${row.lob}|ECM`);
    return end !== undefined && row.assigned > end;
  }

  /**
   * STRESS: the providers extract (one row per contract, README "A contract's end") when the
   * plan ends or re-opens a contract; sometimes, with no news, one without the contract_end column.
   */
  private providersExtract(month: string, date: IsoDate, model: Model): SimEvent | undefined {
    if (!(this.mix.contractEnds > 0)) return undefined;
    let news = false;
    for (const key of [...this.ends.keys()]) {
      if (!this.chance2(0.25)) continue;
      this.ends.delete(key);
      news = true;
    }
    if (this.ends.size < 3 && this.chance2(this.mix.contractEnds)) {
      // (the line keeps at least two ECM providers, one CS provider, for the plan's new members)
      const candidates = this.providers.flatMap((p) => [
        ...p.ecm.filter((lob) => !this.ended(p.code, lob, 'ECM') && this.ecmIn(lob).length > 2).map((lob) => ({ code: p.code, lob, program: 'ECM' as const })),
        ...p.cs.filter((lob) => !this.ended(p.code, lob, 'CS') && this.csIn(lob).length > 1).map((lob) => ({ code: p.code, lob, program: 'CS' as const })),
      ]);
      // (half the time, if any, a provider an extract planned a move to: the move may fall after the end)
      const targets = new Set([...model.plannedSwitches().values()].map((p) => `${p.provider}|${p.lob}`));
      const planned = candidates.filter((x) => x.program === 'ECM' && targets.has(`${x.code}|${x.lob}`));
      const c = this.pick2(planned.length && this.chance2(0.5) ? planned : candidates);
      if (c) {
        const end = addDays(`${monthOf(month, this.chance2(0.5) ? 1 : 2 + Math.floor(this.r2() * 2))}-01`, -1);
        this.ends.set(`${c.code}|${c.lob}|${c.program}`, end);
        if (c.program === 'ECM' && this.chance2(0.5)) this.moveOut.push({ code: c.code, lob: c.lob, end });
        news = true;
      }
    }
    if (!news && !this.chance2(0.15)) return undefined;
    const rows = this.providers.flatMap((p) => [
      ...p.ecm.map((lob): ContractRow => ({ provider: p.code, lob, program: 'ECM', end: this.ends.get(`${p.code}|${lob}|ECM`) ?? null })),
      ...p.cs.map((lob): ContractRow => ({ provider: p.code, lob, program: 'CS', end: this.ends.get(`${p.code}|${lob}|CS`) ?? null })),
    ]);
    return { kind: 'import-providers', date, rows, withEnds: news };
  }

  /**
   * The events of month i (0 = the first), one at a time: each is made after the previous one
   * was applied to the model (and the system), so the providers answer what they were sent.
   */
  *month(i: number, model: Model): Generator<SimEvent, void, unknown> {
    const month = monthOf(this.start, i);
    const last = daysIn(month);
    if (i === 0) {
      yield { kind: 'import-extract', date: day(month, 1), rows: [...this.extract.values()] };
      yield { kind: 'import-auths', date: day(month, 1), rows: this.initialAuths };
    } else {
      const contracts = this.providersExtract(month, day(month, 1), model);
      if (contracts) yield contracts;
      yield { kind: 'import-auths', date: day(month, 1), rows: this.monthAuths(model, day(month, 1)) };
      yield { kind: 'import-referrals', date: day(month, 2), rows: this.monthReferrals(model, day(month, 2)) };
      yield { kind: 'import-extract', date: day(month, 2), rows: this.monthExtract(model, day(month, 2)) };
      yield* this.answers(month, model);
      yield { kind: 'mini-mif', date: day(month, 8) };
    }
    yield { kind: 'mif', date: day(month, 15) };
    yield { kind: 'csasf', date: day(month, 15) };
    if (i > 0) yield { kind: 'import-referrals', date: day(month, 16), rows: this.monthReferrals(model, day(month, 16)) };
    yield { kind: 'mini-mif', date: day(month, 22) };
    yield { kind: 'csasf', date: day(month, Math.min(29, last)) };
  }

  /** Remember the monthly MIFs the model expects (what providers answer next month). */
  observeMif(provider: string, lob: Lob, rows: MifLine[], slot: IsoDate): void {
    this.lastMif.set(`${provider}|${lob}`, rows);
    this.mifMonth.set(`${provider}|${lob}`, slot.slice(0, 7));
  }
  /** Remember when each CS provider got its latest CSASF. */
  observeCsasf(provider: string, slot: IsoDate): void {
    this.csasfMonth.set(provider, slot.slice(0, 7));
  }

  private monthAuths(model: Model, date: IsoDate): AuthRow[] {
    const out: AuthRow[] = [];
    // new authorizations for members without one for the service
    for (let k = 0; k < Math.max(2, Math.floor(this.members.length / 300)); k++) {
      const m = this.pick(this.members);
      const cs = this.csIn(m.lob);
      const service = this.pick(SERVICES);
      if (!cs.length || model.hasEpisode(m.cin, service) || out.some((a) => a.cin === m.cin && a.service === service)) continue;
      out.push(this.auth(m, this.pick(cs).code, service, date));
    }
    // re-authorizations: a pair whose episode was resolved (discontinued) gets a new number, same provider (§5.2)
    for (const e of model.resolvedPairs()) if (this.chance(0.4) && !out.some((a) => a.cin === e.cin && a.service === e.service) && !this.ended(e.provider, e.lob, 'CS')) out.push(this.auth(this.member(e.cin), e.provider, e.service, date, e.lob));
    // STRESS: an approved authorization about to end renewed early by the same provider: a new number from the day after its end
    if (this.mix.earlyReauths > 0) {
      for (const e of model.openEpisodes()) {
        if (e.authStatus !== 'Approved' || e.authEnd < date || e.authEnd > addDays(date, 60) || out.some((a) => a.cin === e.cin && a.service === e.service)) continue;
        if (!this.chance2(this.mix.earlyReauths)) continue;
        const authNumber = `CS${e.lob}${String(++this.authSeq).padStart(7, '0')}`;
        this.authLob.set(authNumber, e.lob);
        const authStart = addDays(e.authEnd, 1);
        // (a hand-over: another CS provider of the line takes the pair from the day after)
        const others = this.csIn(e.lob).filter((p) => p.code !== e.provider);
        // (a provider whose contract has an end on file hands over)
        const leaving = this.ended(e.provider, e.lob, 'CS');
        if (leaving && !others.length) continue;
        const provider = others.length && (leaving || this.chance2(this.mix.handOvers)) ? this.pick2(others)!.code : e.provider;
        out.push({ cin: e.cin, provider, lob: e.lob, service: e.service, authStatus: this.chance2(0.85) ? 'Approved' : 'Pending', authNumber, authStart, authEnd: addDays(authStart, 180 + Math.floor(this.r2() * 180)), decided: date });
      }
    }
    // the same rows again now and then: a re-import never reopens or duplicates (§5.1)
    // (a pair appears once per file: two rows for one member × service in a file are refused as a plan data error)
    if (this.chance(0.5)) out.push(...this.initialAuths.slice(0, 5).filter((a) => !out.some((b) => b.cin === a.cin && b.service === a.service)));
    return out;
  }

  private monthReferrals(model: Model, date: IsoDate): ReferralRow[] {
    const out: ReferralRow[] = [];
    const ref = (cin: string, provider: string, lob: Lob) => {
      let approved = addDays(date, -Math.floor(this.r() * 2));
      if (this.chance2(this.mix.backdatedReferrals)) approved = addDays(date, -2 - Math.floor(this.r2() * 24)); // STRESS
      out.push({ id: `REF-${String(this.seed)}-${String(++this.referralSeq).padStart(6, '0')}`, cin, provider, lob, approved });
    };
    const used = new Set<string>();
    // new members referred to a provider of their line
    for (let k = 0; k < Math.max(3, Math.floor(this.members.length / 250)); k++) {
      const m = this.pick(this.members);
      const ecm = this.ecmIn(m.lob);
      if (!ecm.length || model.assignment(m.cin, m.lob) || used.has(m.cin)) continue;
      used.add(m.cin);
      ref(m.cin, this.pick(ecm).code, m.lob);
    }
    // conflicting referrals: a member another provider holds open (§4.4a)
    for (let k = 0; k < this.mix.conflicts; k++) {
      const [key, a] = this.pick([...model.assignments]) ?? [];
      if (!key || !a || !Model.open(a, date) || used.has(key.slice(0, 9))) continue;
      const other = this.ecmIn(a.lob).filter((p) => p.code !== a.provider);
      if (!other.length) continue;
      used.add(key.slice(0, 9));
      ref(key.slice(0, 9), this.pick(other).code, a.lob);
    }
    // re-referrals of members whose assignment ended: a new episode, same provider or another
    for (const [key, a] of model.assignments) {
      // (in the member's line of business now: one moved to another line is referred there, below)
      if (a.status !== 4 || used.has(key.slice(0, 9)) || a.lob !== this.member(key.slice(0, 9)).lob || !this.chance(this.mix.reReferral)) continue;
      used.add(key.slice(0, 9));
      const ecm = this.ecmIn(a.lob);
      const same = this.chance(0.5);
      ref(key.slice(0, 9), same && !this.ended(a.provider, a.lob, 'ECM') ? a.provider : this.pick(ecm).code, a.lob);
      this.extract.delete(key); // the referral feed, not the extract, now carries this member
    }
    return out;
  }

  /** The plan's extract again: the same rows (no news) and a few switches to another provider of the line. */
  private monthExtract(model: Model, date: IsoDate): ExtractRow[] {
    // STRESS: the rows the last import rejected (naming a provider after its contract's end), corrected:
    // the member listed with who holds them as the plan had it before (a planned move called off), else left out
    for (const key of this.forgotten) {
      const row = this.extract.get(key);
      if (!row || !this.afterEnd(row)) continue;
      const held = this.heldRow.get(key);
      const a = model.assignment(row.cin, row.lob);
      if (held && a && held.provider === a.provider && !this.afterEnd(held)) this.extract.set(key, held);
      else this.extract.delete(key);
    }
    this.forgotten.clear();
    // STRESS (README "A contract's end": ending a contract moves no member): the plan moves the
    // ended provider's members in the line to other providers from the day after its last day
    for (const o of this.moveOut.splice(0)) {
      for (const [key, a] of model.assignments) {
        const cin = key.slice(0, 9);
        if (a.provider !== o.code || a.lob !== o.lob || !Model.open(a, date) || this.member(cin).lob !== o.lob) continue;
        const row = this.extract.get(key);
        if (row && row.provider !== o.code) continue; // (a move already on the extract)
        const to = this.pick2(this.ecmIn(o.lob));
        if (!to) continue;
        const from = addDays(o.end, 1);
        if (row) this.heldRow.set(key, row);
        this.extract.set(key, { cin, provider: to.code, lob: o.lob, status: 1, assigned: a.assigned >= from ? addDays(a.assigned, 1) : from, start: null });
      }
    }
    const rows = [...this.extract.values()];
    for (let k = 0; k < this.mix.switches; k++) {
      const row = this.pick(rows);
      const a = model.assignment(row.cin, row.lob);
      if (!a || a.provider !== row.provider || !Model.open(a, date)) continue;
      const other = this.ecmIn(row.lob).filter((p) => p.code !== row.provider);
      if (!other.length) continue;
      const moved: ExtractRow = { cin: row.cin, provider: this.pick(other).code, lob: row.lob, status: 1, assigned: date, start: null };
      // STRESS: a planned move; a member the extract dated again after today (a planned move called
      // off from a later date) is moved from a later date still (an earlier one is an older extract's)
      if (a.assigned > date) moved.assigned = addDays(a.assigned, 1 + Math.floor(this.r2() * 10));
      else if (this.chance2(this.mix.plannedMoves)) moved.assigned = addDays(date, 20 + Math.floor(this.r2() * 50));
      if (moved.assigned > date) this.heldRow.set(`${row.cin}|${row.lob}`, row);
      this.extract.set(`${row.cin}|${row.lob}`, moved);
    }
    // STRESS: a planned move not started yet is planned again, half the time: to a third provider
    // from a later date (it replaces the planned one), or called off: the member listed with the
    // provider that holds them, as the extract had them (the plan's earlier row), or from a later date
    if (this.mix.plannedMoves > 0) {
      for (const row of [...this.extract.values()]) {
        const key = `${row.cin}|${row.lob}`;
        const p = model.plannedSwitch(row.cin, row.lob);
        const a = model.assignment(row.cin, row.lob);
        if (!a || !p || p.provider !== row.provider || p.assigned !== row.assigned || !this.chance2(0.5)) continue;
        const other = this.ecmIn(row.lob).filter((x) => x.code !== row.provider);
        const to = this.pick2(other);
        if (!to) continue;
        const held = this.heldRow.get(key);
        if (to.code !== a.provider) this.extract.set(key, { ...row, provider: to.code, assigned: addDays(p.assigned, 1 + Math.floor(this.r2() * 10)) });
        else if (held && held.provider === a.provider) this.extract.set(key, this.chance2(0.5) ? held : { ...held, assigned: addDays(p.assigned, 1 + Math.floor(this.r2() * 10)) });
      }
    }
    // STRESS: members moved to another of the plan's lines: the extract lists them in the new
    // line (another provider than any the member had there) and no longer in the old one
    for (let k = 0; k < this.mix.lineSwitches; k++) {
      const open = [...model.assignments].filter(([key, a]) => Model.open(a, date) && a.lob === this.member(key.slice(0, 9)).lob);
      const [key, a] = this.pick2(open) ?? [];
      if (!key || !a) continue;
      const cin = key.slice(0, 9);
      const to = this.pick2(LOBS.filter((l) => l !== a.lob))!;
      const there = model.assignment(cin, to);
      const ecm = this.ecmIn(to).filter((p) => p.code !== there?.provider);
      if (!ecm.length || (there && there.assigned > date)) continue;
      this.extract.delete(key);
      this.extract.set(`${cin}|${to}`, { cin, provider: this.pick2(ecm)!.code, lob: to, status: 1, assigned: date, start: null });
      this.member(cin).lob = to;
    }
    for (const [key, row] of this.extract) if (this.afterEnd(row)) this.forgotten.add(key);
    return [...this.extract.values()];
  }

  private upload(date: IsoDate, provider: string, name: string, sheets: SimEvent & { kind: 'upload' } extends { sheets: infer S } ? S : never, note: string, copyOf?: number): SimEvent {
    return { kind: 'upload', n: ++this.uploads, date, provider, name, sheets, note, ...(copyOf !== undefined ? { copyOf } : {}) };
  }

  /** The providers answer last month's MIF and CSASF. */
  private *answers(month: string, model: Model): Generator<SimEvent, void, unknown> {
    const period = periodOf(`${month}-01`);
    const tag = period.replace('-', '');
    const files: SimEvent[] = []; // every upload of the month, sorted by day below
    for (const p of this.providers) {
      for (const lob of p.ecm) {
        const mif = this.lastMif.get(`${p.code}|${lob}`);
        if (!mif?.length) continue;
        // STRESS (README "A contract's end"): no MIF last month: the provider sends its files once more, half the time
        const sent = this.mifMonth.get(`${p.code}|${lob}`);
        if (sent !== monthOf(month, -1) && (sent !== monthOf(month, -2) || !this.chance2(0.5))) continue;
        const when = this.r();
        if (when < 0.05) continue; // never sent
        const d = when < 0.75 ? 2 + Math.floor(this.r() * 4) : when < 0.95 ? 6 + Math.floor(this.r() * 3) : 11;
        const date = day(month, d);
        const { rtf, otf, broken } = this.rtfFor(p, lob, mif, period, date, model);
        const split = this.chance(0.5);
        // (no attempts this month: no OTF at all, as a provider would do)
        const first = split || !otf.length
          ? [this.upload(date, p.code, `RTF_${p.code}_${lob}_${tag}.xlsx`, [{ layout: 'RTF', rows: rtf }], 'RTF'),
            ...(otf.length ? [this.upload(date, p.code, `OTF_${p.code}_${lob}_${tag}.xlsx`, [{ layout: 'OTF', rows: otf }], 'OTF')] : [])]
          : [this.upload(date, p.code, `RTF_OTF_${p.code}_${lob}_${tag}.xlsx`, [{ layout: 'RTF', rows: rtf }, { layout: 'OTF', rows: otf }], 'RTF+OTF')];
        files.push(...first);
        if (d > 10) continue;
        const rtfEv = first[0] as Extract<SimEvent, { kind: 'upload' }>;
        if (broken.length && d <= 8) {
          // the rejected rows, corrected, sent alone (the response's fix sheet)
          const fixDay = day(month, d + 1 + Math.floor(this.r() * 2));
          files.push({ ...this.upload(fixDay, p.code, `RTF_${p.code}_${lob}_${tag}_fixed.xlsx`, [{ layout: 'RTF', rows: broken }], 'fix sheet'), fixes: rtfEv.n } as SimEvent);
        }
        if (this.chance(0.1) && d <= 9) files.push(this.upload(day(month, d + 1), p.code, rtfEv.name.replace('.xlsx', ' (1).xlsx'), rtfEv.sheets, 'duplicate', rtfEv.n));
        // STRESS: a corrected RTF + OTF later in the window: the members' rows again, some with
        // other values, some left out (they keep counting), attempts again with other minutes
        if (d <= 9 && this.chance2(this.mix.rtfCorrections)) {
          const again = this.rtfFor(p, lob, mif, period, date, model);
          const keep = <T>(xs: T[]) => xs.filter(() => this.r2() < 0.7);
          const rtf2 = keep(again.rtf);
          const otf2 = [...keep(again.otf), ...otf.filter(() => this.r2() < 0.2).map((o) => ({ ...o, minutes: o.minutes + 1 + Math.floor(this.r2() * 10) }))];
          if (rtf2.length) {
            const cd = day(month, d + 1 + Math.floor(this.r2() * (10 - d)));
            files.push(this.upload(cd, p.code, `RTF_OTF_${p.code}_${lob}_${tag}_corrected.xlsx`, [{ layout: 'RTF', rows: rtf2 }, ...(otf2.length ? [{ layout: 'OTF' as const, rows: otf2 }] : [])], 'correction'));
          }
        }
      }
      if (p.cs.length) {
        const sent = this.csasfMonth.get(p.code);
        if (sent !== monthOf(month, -1) && (sent !== monthOf(month, -2) || !this.chance2(0.5))) continue;
        const csasf = model.latestCsasfOf(p.code);
        if (!csasf.length || this.chance(0.05)) continue;
        const d = this.chance(0.9) ? 3 + Math.floor(this.r() * 8) : 11;
        const rows = this.csprtfFor(csasf, period);
        const ev = this.upload(day(month, d), p.code, `CSPRTF_${p.code}_${tag}.xlsx`, [{ layout: 'CSPRTF', rows }], 'CSPRTF');
        files.push(ev);
        // STRESS: a corrected CSPRTF later in the window: a discontinuation sent by mistake now
        // delivering (or in outreach), a delivery now discontinued, the other rows left out
        if (d <= 9 && this.chance2(this.mix.csprtfCorrections)) {
          const fixed: CsprtfRow[] = [];
          for (const r of rows) {
            const l = csasf.find((x) => x.cin === r.cin && x.service === r.service)!;
            const x = this.r2();
            if (r.status === 4 && x < 0.6)
              fixed.push(l.authStatus === 'Approved' && l.authStart < `${month}-01` && this.r2() < 0.7
                ? { ...r, status: 3, authNumber: l.authNumber, serviceStart: l.authStart, reason: null }
                : { ...r, status: 2, authNumber: null, reason: null, outreach: `${period}-0${1 + Math.floor(this.r2() * 9)}` });
            else if (r.status === 3 && x < 0.25) fixed.push({ ...r, status: 4, serviceStart: null, reason: this.pick2(['DP', 'SC', 'UE'])! });
            else if (x < 0.1) fixed.push(r);
          }
          if (fixed.length) files.push(this.upload(day(month, d + 1 + Math.floor(this.r2() * (10 - d))), p.code, `CSPRTF_${p.code}_${tag}_corrected.xlsx`, [{ layout: 'CSPRTF', rows: fixed }], 'CSPRTF correction'));
        }
      }
    }
    // a file sent through the wrong folder: one provider uploads another's RTF (its name, NPI and members)
    const ecm = this.providers.filter((p) => p.ecm.length);
    const owner = this.pick(ecm);
    const courier = this.pick(ecm.filter((p) => p.code !== owner.code));
    const theirs = this.lastMif.get(`${owner.code}|${owner.ecm[0]!}`);
    if (theirs?.length) {
      const rows = theirs.slice(0, 5).map((l): RtfRow => ({ lob: owner.ecm[0]!, cin: l.cin, status: l.status, start: l.start, end: l.end, disc: null, discReason: null }));
      files.push({ ...this.upload(day(month, 4), courier.code, `RTF_${owner.code}_${tag}_copy.xlsx`, [{ layout: 'RTF', rows }], 'wrong provider'), identity: owner.code } as SimEvent);
    }
    // every file in the order it arrives (a stable sort: the same day keeps the order made)
    for (const ev of files.sort((a, b) => a.date.localeCompare(b.date))) yield ev;
  }

  private rtfFor(p: SimProvider, lob: Lob, mif: MifLine[], period: string, received: IsoDate, model: Model): { rtf: RtfRow[]; otf: OtfRow[]; broken: RtfRow[] } {
    const from = `${period}-01`;
    const to = addDays(`${monthOf(period, 1)}-01`, -1);
    const inPeriod = (after: IsoDate) => {
      const lo = after > from ? after : from;
      const span = Math.max(0, (Date.parse(to) - Date.parse(lo)) / 86_400_000);
      return addDays(lo, Math.floor(this.r() * (span + 1)));
    };
    const rtf: RtfRow[] = [];
    const otf: OtfRow[] = [];
    const broken: RtfRow[] = [];
    for (const line of mif) {
      const a = model.assignment(line.cin, lob);
      // (STRESS: a member since moved to another provider, or dated again after the period, was this one's in it)
      const assigned = this.mix.plannedMoves > 0 && a && (a.provider !== p.code || a.assigned > to) ? from : a?.assigned ?? from;
      const row: RtfRow = { lob, cin: line.cin, status: line.status, start: line.start, end: line.end, disc: null, discReason: null };
      const x = this.r();
      if (line.status === 1 || line.status === 2) {
        if (x < 0.35) row.status = 2;
        else if (x < 0.6) Object.assign(row, { status: 3, start: inPeriod(assigned) });
        else if (x < 0.66) Object.assign(row, { status: 4, disc: inPeriod(assigned), discReason: 'DP' });
        for (let k = Math.floor(this.r() * 3); k > 0; k--)
          otf.push({ lob, cin: line.cin, date: inPeriod(assigned), method: this.chance(0.5) ? '1' : '2', successful: this.chance(0.3) ? 'Y' : 'N', minutes: 5 + Math.floor(this.r() * 40) });
      } else if (line.status === 3 && line.start && x < 0.06) {
        Object.assign(row, { status: 4, end: inPeriod(line.start), discReason: 'SC' });
      }
      rtf.push(row);
    }
    // a bad day: an ID-card number, an enrolment without its start date, a stranger's member
    if (this.chance(0.25) && rtf.length > 2) {
      const i = Math.floor(this.r() * rtf.length);
      broken.push({ ...rtf[i]! });
      rtf[i] = { ...rtf[i]!, cin: `${rtf[i]!.cin}12345` };
      const j = (i + 1) % rtf.length;
      if (rtf[j]!.status === 3 && rtf[j]!.start) {
        broken.push({ ...rtf[j]! });
        rtf[j] = { ...rtf[j]!, start: null };
      }
    }
    if (this.chance(0.15)) {
      // (not a member the file already carries: one on this MIF since moved to another provider would be its second row)
      const stranger = [...model.assignments].find(([key, a]) => a.lob === lob && a.provider !== p.code && Model.open(a, from) && !rtf.some((r) => r.cin === key.slice(0, 9)));
      if (stranger) {
        rtf.push({ lob, cin: stranger[0].slice(0, 9), status: 2, start: null, end: null, disc: null, discReason: null });
        otf.push({ lob, cin: stranger[0].slice(0, 9), date: from, method: '2', successful: 'N', minutes: 10 });
      }
    }
    // the same attempt written twice counts once
    if (otf.length && this.chance(0.2)) otf.push({ ...otf[0]! });
    void received;
    return { rtf, otf, broken };
  }

  private csprtfFor(csasf: readonly CsasfLine[], period: string): CsprtfRow[] {
    const from = `${period}-01`;
    const lastDay = addDays(`${monthOf(period, 1)}-01`, -1);
    return csasf.map((l): CsprtfRow => {
      const m = { lob: this.authLob.get(l.authNumber) ?? this.member(l.cin).lob };
      const x = this.r();
      if (l.authStatus === 'Approved' && x < 0.12)
        return { lob: m.lob, cin: l.cin, service: l.service, status: 4, authNumber: l.authNumber, serviceStart: null, serviceEnd: null, reason: this.pick(['DP', 'SC', 'UE']), outreach: null };
      // (delivering only from the authorization's start: a hand-over's new provider sees it before)
      if (l.authStatus === 'Approved' && x < 0.7 && l.authStart <= lastDay)
        return { lob: m.lob, cin: l.cin, service: l.service, status: 3, authNumber: l.authNumber, serviceStart: l.authStart, serviceEnd: null, reason: null, outreach: null };
      return { lob: m.lob, cin: l.cin, service: l.service, status: 2, authNumber: null, serviceStart: null, serviceEnd: null, reason: null, outreach: addDays(from, Math.floor(this.r() * 20)) };
    });
  }
}

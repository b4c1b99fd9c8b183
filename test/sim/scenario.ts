// The simulated plan and its providers: a seeded population and, month by month, the events
// of a year: plan-side imports (new and conflicting referrals, re-referrals, switches and
// re-imports of the assignment extract, authorizations and re-authorizations), the scheduled
// files, and the providers' answers (full RTF/OTF/CSPRTF files, files with errors and the
// corrected rows sent after them, duplicates, late and very late files, a stranger's member).
// Pure: decisions read the reference model's state, so the same seed gives the same year.
import { mulberry32 } from '../../samples/generate.js';
import { addDays, npiWithCheckDigit } from '../../schemas/primitives.js';
import { Model, periodOf, type AuthRow, type CsasfLine, type CsprtfRow, type ExtractRow, type IsoDate, type Lob, type MifLine, type OtfRow, type ProviderInfo, type ReferralRow, type RtfRow, type SimEvent } from './model.js';

export interface SimSizes { providers: number; members: number }
export const FULL: SimSizes = { providers: 32, members: 3200 };
export const SMALL: SimSizes = { providers: 30, members: 600 };

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
  private uploads = 0;
  private referralSeq = 0;
  private authSeq = 0;
  /** What each ECM provider × line got on its latest monthly MIF. */
  private readonly lastMif = new Map<string, MifLine[]>();

  constructor(readonly seed: number, readonly sizes: SimSizes, readonly start = '2026-01') {
    this.r = mulberry32(seed); // the sample plan's generator
    this.populate();
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

  private auth(m: SimMember, provider: string, service: string, decided: IsoDate): AuthRow {
    const approved = this.chance(0.8);
    return {
      cin: m.cin, provider, lob: m.lob, service, authStatus: approved ? 'Approved' : 'Pending', authNumber: `CS${m.lob}${String(++this.authSeq).padStart(7, '0')}`,
      authStart: decided, authEnd: addDays(decided, 180 + Math.floor(this.r() * 180)), decided,
    };
  }

  private member(cin: string): SimMember {
    return this.members.find((m) => m.cin === cin)!;
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
  observeMif(provider: string, lob: Lob, rows: MifLine[]): void {
    this.lastMif.set(`${provider}|${lob}`, rows);
  }

  private monthAuths(model: Model, date: IsoDate): AuthRow[] {
    const out: AuthRow[] = [];
    // new authorizations for members without one for the service
    for (let k = 0; k < Math.max(2, Math.floor(this.members.length / 300)); k++) {
      const m = this.pick(this.members);
      const cs = this.providers.filter((p) => p.cs.includes(m.lob));
      const service = this.pick(SERVICES);
      if (!cs.length || model.hasEpisode(m.cin, service) || out.some((a) => a.cin === m.cin && a.service === service)) continue;
      out.push(this.auth(m, this.pick(cs).code, service, date));
    }
    // re-authorizations: a pair whose episode was resolved (discontinued) gets a new number, same provider (§5.2)
    for (const e of model.resolvedPairs()) if (this.chance(0.4) && !out.some((a) => a.cin === e.cin && a.service === e.service)) out.push(this.auth(this.member(e.cin), e.provider, e.service, date));
    // the same rows again now and then: a re-import never reopens or duplicates (§5.1)
    // (a pair appears once per file: two rows for one member × service in a file are refused as a plan data error)
    if (this.chance(0.5)) out.push(...this.initialAuths.slice(0, 5).filter((a) => !out.some((b) => b.cin === a.cin && b.service === a.service)));
    return out;
  }

  private monthReferrals(model: Model, date: IsoDate): ReferralRow[] {
    const out: ReferralRow[] = [];
    const ref = (cin: string, provider: string, lob: Lob) => out.push({ id: `REF-${String(this.seed)}-${String(++this.referralSeq).padStart(6, '0')}`, cin, provider, lob, approved: addDays(date, -Math.floor(this.r() * 2)) });
    const used = new Set<string>();
    // new members referred to a provider of their line
    for (let k = 0; k < Math.max(3, Math.floor(this.members.length / 250)); k++) {
      const m = this.pick(this.members);
      const ecm = this.providers.filter((p) => p.ecm.includes(m.lob));
      if (!ecm.length || model.assignment(m.cin, m.lob) || used.has(m.cin)) continue;
      used.add(m.cin);
      ref(m.cin, this.pick(ecm).code, m.lob);
    }
    // conflicting referrals: a member another provider holds open (§4.4a)
    for (let k = 0; k < 3; k++) {
      const [key, a] = this.pick([...model.assignments]) ?? [];
      if (!key || !a || !Model.open(a, date) || used.has(key.slice(0, 9))) continue;
      const other = this.providers.filter((p) => p.ecm.includes(a.lob) && p.code !== a.provider);
      if (!other.length) continue;
      used.add(key.slice(0, 9));
      ref(key.slice(0, 9), this.pick(other).code, a.lob);
    }
    // re-referrals of members whose assignment ended: a new episode, same provider or another
    for (const [key, a] of model.assignments) {
      if (a.status !== 4 || used.has(key.slice(0, 9)) || !this.chance(0.3)) continue;
      used.add(key.slice(0, 9));
      const ecm = this.providers.filter((p) => p.ecm.includes(a.lob));
      ref(key.slice(0, 9), this.chance(0.5) ? a.provider : this.pick(ecm).code, a.lob);
      this.extract.delete(key); // the referral feed, not the extract, now carries this member
    }
    return out;
  }

  /** The plan's extract again: the same rows (no news) and a few switches to another provider of the line. */
  private monthExtract(model: Model, date: IsoDate): ExtractRow[] {
    const rows = [...this.extract.values()];
    for (let k = 0; k < 4; k++) {
      const row = this.pick(rows);
      const a = model.assignment(row.cin, row.lob);
      if (!a || a.provider !== row.provider || !Model.open(a, date)) continue;
      const other = this.providers.filter((p) => p.ecm.includes(row.lob) && p.code !== row.provider);
      if (!other.length) continue;
      const moved: ExtractRow = { cin: row.cin, provider: this.pick(other).code, lob: row.lob, status: 1, assigned: date, start: null };
      this.extract.set(`${row.cin}|${row.lob}`, moved);
    }
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
      }
      if (p.cs.length) {
        const csasf = model.latestCsasfOf(p.code);
        if (!csasf.length || this.chance(0.05)) continue;
        const d = this.chance(0.9) ? 3 + Math.floor(this.r() * 8) : 11;
        const ev = this.upload(day(month, d), p.code, `CSPRTF_${p.code}_${tag}.xlsx`, [{ layout: 'CSPRTF', rows: this.csprtfFor(csasf, period) }], 'CSPRTF');
        files.push(ev);
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
      const assigned = a?.assigned ?? from;
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
      const stranger = [...model.assignments].find(([, a]) => a.lob === lob && a.provider !== p.code && Model.open(a, from));
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
    return csasf.map((l): CsprtfRow => {
      const m = this.member(l.cin);
      const x = this.r();
      if (l.authStatus === 'Approved' && x < 0.12)
        return { lob: m.lob, cin: l.cin, service: l.service, status: 4, authNumber: l.authNumber, serviceStart: null, serviceEnd: null, reason: this.pick(['DP', 'SC', 'UE']), outreach: null };
      if (l.authStatus === 'Approved' && x < 0.7)
        return { lob: m.lob, cin: l.cin, service: l.service, status: 3, authNumber: l.authNumber, serviceStart: l.authStart, serviceEnd: null, reason: null, outreach: null };
      return { lob: m.lob, cin: l.cin, service: l.service, status: 2, authNumber: null, serviceStart: null, serviceEnd: null, reason: null, outreach: addDays(from, Math.floor(this.r() * 20)) };
    });
  }
}

// Rules that need the database: the submitting provider's identity, contracts, members,
// latest MIF/CSASF and outreach history (loaded once, see context.ts). Row rules run while the
// file streams; the file-wide ones (past enrollments missing, UE without enough outreach,
// caseload) run at the end from the few keys kept on the way.
import type { Layout } from '../../schemas/layout.js';
import { daysBetween, type IsoDate } from '../../schemas/primitives.js';
import { showIsoDate } from '../calendar/zone.js';
import type { Config } from '../config.js';
import { makeIssue, type Issue } from '../validate/issues.js';
import type { RowCells } from '../validate/scope.js';
import type { CellOut } from '../validate/types.js';
import { attemptKey, outreachHistory, type OutreachHistory, type ProviderContext } from './context.js';

type Values = Record<string, CellOut | null>;
interface Row { sheet: string; layout: Layout; rowNumber: number; values: Values; cin?: string; cells: RowCells; issues: readonly Issue[] }

/** Distinct OTF methods: the OTF has 2 (in person, telephonic/electronic), so no file can show 3. */
const OTF_METHODS = 2;

export class ContextRules {
  private readonly rtfCins = new Set<string>();
  private readonly rtfLobs = new Set<string>();
  private readonly ueRows: { sheet: string; row: number; cin: string }[] = [];
  private readonly fileOutreach = new Map<string, OutreachHistory>();
  private rtfSheet: string | undefined;

  constructor(private readonly ctx: ProviderContext, private readonly config: Config, private readonly periodEnd: IsoDate | undefined) {}

  private where(row: Row, key: string, extra: { value?: string } = {}) {
    const c = row.cells.get(key);
    const col = row.layout.columns.find((x) => x.key === key);
    return { sheet: row.sheet, row: row.rowNumber, column: col?.label ?? key, columnIndex: c?.index ?? null, ...(row.cin ? { cin: row.cin } : {}), ...extra };
  }

  /** Row-time rules: may reject the row. */
  readonly check = (row: Row): Issue[] => {
    const out: Issue[] = [];
    const v = row.values;
    const program = row.layout.name === 'CSPRTF' ? 'CS' : 'ECM';
    if (typeof v.providerNpi === 'string' && v.providerNpi !== this.ctx.npi)
      out.push(makeIssue('PROVIDER_NPI_MISMATCH', this.where(row, 'providerNpi', { value: v.providerNpi }), { expected: this.ctx.npi }));
    if (typeof v.providerTin === 'string' && v.providerTin !== this.ctx.tin)
      out.push(makeIssue('PROVIDER_TIN_MISMATCH', this.where(row, 'providerTin', { value: v.providerTin }), { expected: this.ctx.tin }));
    const lobs = program === 'CS' ? this.ctx.csLobs : this.ctx.ecmLobs;
    const lob = typeof v.mcpId === 'string' ? v.mcpId : undefined;
    if (lob && !lobs.has(lob))
      out.push(makeIssue('LOB_NOT_CONTRACTED', this.where(row, 'mcpId', { value: lob }), { program, allowed: [...lobs].join(', ') || 'none' }));
    if (!row.cin) return out;
    if (row.layout.name === 'RTF' || row.layout.name === 'OTF') this.checkEcm(row, lob, out);
    else if (row.layout.name === 'CSPRTF') this.checkCs(row, lob, out);
    return out;
  };

  private checkEcm(row: Row, lob: string | undefined, out: Issue[]): void {
    const cin = row.cin!;
    const v = row.values;
    const m = this.ctx.ecm.get(cin);
    // A member of another provider, or of no one: the same answer, and nothing of theirs changes.
    if (!m || (lob && m.lob !== lob)) {
      out.push(makeIssue('MEMBER_NOT_ASSIGNED', this.where(row, 'cin'), { detail: lob ? ` for ${lob}` : '' }));
      return;
    }
    if (row.layout.name === 'RTF') {
      if (this.rtfSheet === undefined) this.rtfSheet = row.sheet;
      this.rtfCins.add(cin);
      this.rtfLobs.add(m.lob);
      if (typeof v.lastName === 'string' && v.lastName.toLowerCase() !== m.lastName.toLowerCase()) out.push(makeIssue('NAME_MISMATCH', this.where(row, 'lastName')));
      else if (typeof v.firstName === 'string' && v.firstName.toLowerCase() !== m.firstName.toLowerCase()) out.push(makeIssue('NAME_MISMATCH', this.where(row, 'firstName')));
      if (v.discontinuationReasonCode === 'UE') this.ueRows.push({ sheet: row.sheet, row: row.rowNumber, cin });
    } else if (!row.issues.some((i) => i.severity === 'error')) {
      const date = typeof v.attemptDate === 'string' ? v.attemptDate : undefined;
      const method = Number(v.method);
      if (date) {
        const h = this.fileOutreach.get(cin) ?? { attempts: new Set<string>(), methods: new Set<number>(), first: date, last: date };
        h.attempts.add(attemptKey(date, method));
        if (method) h.methods.add(method);
        if (date < h.first) h.first = date;
        if (date > h.last) h.last = date;
        this.fileOutreach.set(cin, h);
      }
    }
  }

  private checkCs(row: Row, lob: string | undefined, out: Issue[]): void {
    const v = row.values;
    const service = typeof v.serviceCode === 'string' ? v.serviceCode : undefined;
    if (!service) return;
    const entry = this.ctx.csasf.get(`${row.cin}|${service}`);
    if (!entry) {
      out.push(makeIssue('NOT_ON_CSASF', this.where(row, 'serviceCode', { value: service }), { detail: this.ctx.csasfSent ? '' : ' (no CSASF has been sent to you yet)' }));
      return;
    }
    // The row would be stored under its own line of business: it must be the authorization's.
    if (lob && entry.lob && lob !== entry.lob)
      out.push(makeIssue('CS_LOB_MISMATCH', this.where(row, 'mcpId', { value: lob }), { expected: entry.lob }));
    if (typeof v.lastName === 'string' && v.lastName.toLowerCase() !== entry.lastName.toLowerCase()) out.push(makeIssue('NAME_MISMATCH', this.where(row, 'lastName')));
    if (typeof v.dob === 'string' && v.dob !== entry.dob) out.push(makeIssue('DOB_MISMATCH', this.where(row, 'dob')));
    if (v.engagementStatus === '3') {
      if (entry.authStatus !== 'Approved') {
        out.push(makeIssue('AUTH_NOT_APPROVED', this.where(row, 'engagementStatus', { value: entry.authStatus ?? 'not authorized (potential member)' })));
        return;
      }
      if (typeof v.authNumber === 'string' && entry.authNumber && v.authNumber.trim().toUpperCase() !== entry.authNumber.trim().toUpperCase())
        out.push(makeIssue('AUTH_NUMBER_MISMATCH', this.where(row, 'authNumber', { value: v.authNumber }), { expected: entry.authNumber }));
      const start = typeof v.serviceStartDate === 'string' ? v.serviceStartDate : undefined;
      if (start && ((entry.authStart && start < entry.authStart) || (entry.authEnd && start > entry.authEnd)))
        out.push(makeIssue('SERVICE_OUTSIDE_AUTH', this.where(row, 'serviceStartDate', { value: start }), {
          value: showIsoDate(start),
          expected: `${entry.authStart ? showIsoDate(entry.authStart) : '…'} to ${entry.authEnd ? showIsoDate(entry.authEnd) : '…'}`,
        }));
    }
  }

  /** End-of-file warnings for the liaison; they never change a row's verdict. */
  /**
   * Enrolled members on the latest MIF, of a line this RTF carries, that it does not report
   * (per line of business: a provider may return one RTF per MIF it received). Few: the caller
   * looks only these up among the rows earlier files of the period still count.
   */
  unreportedEnrolled(): string[] {
    if (this.rtfSheet === undefined) return [];
    return [...this.ctx.ecm].filter(([cin, m]) => m.enrolledOnLatestMif && this.rtfLobs.has(m.lob) && !this.rtfCins.has(cin)).map(([cin]) => cin);
  }

  /** @param opts.reportedEarlier of unreportedEnrolled(), those an earlier RTF of the period reported (still counting: corrections merge) */
  finish(opts: { reportedEarlier?: ReadonlySet<string> } = {}): Issue[] {
    const out: Issue[] = [];
    if (this.rtfSheet !== undefined) {
      for (const cin of this.unreportedEnrolled())
        if (!opts.reportedEarlier?.has(cin)) out.push(makeIssue('PAST_ENROLLMENT_NOT_REPORTED', { sheet: this.rtfSheet, cin }));
    }
    const c = this.config;
    const minModalities = Math.min(c.OUTREACH_MIN_MODALITIES, OTF_METHODS);
    for (const ue of this.ueRows) {
      // earlier attempts of the period keep counting (corrections merge): all history counts
      const prior = outreachHistory(this.ctx, ue.cin);
      const here = this.fileOutreach.get(ue.cin);
      // an attempt reported in several files (two periods, a correction) counts once
      const attempts = new Set([...(prior?.attempts ?? []), ...(here?.attempts ?? [])]).size;
      const methods = new Set([...(prior?.methods ?? []), ...(here?.methods ?? [])]);
      const first = [prior?.first, here?.first].filter(Boolean).sort()[0];
      const last = [prior?.last, here?.last, this.periodEnd].filter(Boolean).sort().reverse()[0];
      const days = first && last ? daysBetween(first, last) : 0;
      if (attempts < c.OUTREACH_MIN_ATTEMPTS || methods.size < minModalities || days < c.OUTREACH_MIN_DAYS)
        out.push(makeIssue('UE_OUTREACH_INSUFFICIENT', { sheet: ue.sheet, row: ue.row, cin: ue.cin }, {
          detail: `${attempts} attempt(s) over ${methods.size} method(s) across ${days} day(s)`,
          expected: `${c.OUTREACH_MIN_ATTEMPTS} attempts over ${minModalities} methods and ${c.OUTREACH_MIN_DAYS} days`,
        }));
    }
    return out;
  }
}


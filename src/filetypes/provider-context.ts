// What the database says about the submitting provider, as the context rules read it: loaded
// once per submission (src/ingest/context.ts) so the rules run row by row in memory. Plain
// values: the rules that read it need no database.
import { addDays, type IsoDate } from '../../schemas/primitives.js';
import { periodFirstDay, previousPeriod, type Period } from '../calendar/period.js';
import { localDate, startOfLocalDay } from '../calendar/zone.js';
import type { OutreachAttempts, OutreachHistory } from './outreach-attempts.js';

export interface EcmMember {
  lob: string;
  status: number;
  lastName: string;
  firstName: string;
  /** On the latest MIF this provider received for that line of business. */
  onLatestMif: boolean;
  /** Enrolled (status 3) on that MIF: must be reported on the RTF. */
  enrolledOnLatestMif: boolean;
  lcmName: string | null;
  /**
   * On that MIF, but the plan has since given the member's assignment in the line to another
   * ECM provider (an extract's switch, a referral after the episode ended); or not on it, but
   * the provider held the assignment on some day of the file's period before such a move (a
   * switch dated inside the period, loaded before its MIF): the provider's rows about the member
   * count with a warning or are rejected (REASSIGNED_MEMBER_ROWS, spec §4 item 4). Owed on the
   * RTF only as that MIF listed the member (enrolledOnLatestMif) and while its rows count.
   */
  reassigned: boolean;
}

/** The provider's ECM members by CIN and line of business (src/ingest/ecm-members.ts packs them). */
export interface EcmMemberIndex extends Iterable<[string, EcmMember]> {
  /** The member's assignment in `lob`; with no line, any one of them. */
  get(cin: string, lob?: string): EcmMember | undefined;
  readonly size: number;
  /** An empty set of this index's assignments (a rule's "seen in this file"), a byte per assignment. */
  newSet(): AssignmentSet;
}

/** Some of an index's assignments, by CIN and line; an assignment the index lacks is never in it. */
export interface AssignmentSet {
  add(cin: string, lob: string): void;
  has(cin: string, lob: string): boolean;
}

export interface CsasfEntry {
  lob: string;
  authStatus: string | null;
  authNumber: string | null;
  authStart: string | null;
  authEnd: string | null;
  /** Before authStart when the authorization renews earlier approved ones of the provider: the first of their starts. */
  servedFrom: string | null;
  lastName: string;
  firstName: string;
  dob: string;
}

/** An NPI and TIN the provider had, and when the plan replaced them (provider_identities.valid_to). */
export interface ReplacedIdentity { npi: string; tin: string; replacedAt: Date }

/**
 * The NPIs and TINs the plan replaced for the provider within PREVIOUS_IDENTITY_DAYS of the
 * file's receipt, never the current ones, each with the plan-local date it stopped being current:
 * a row carrying one is accepted with a warning (PROVIDER_NPI_PREVIOUS / PROVIDER_TIN_PREVIOUS).
 */
export interface PreviousIdentities { npis: ReadonlyMap<string, IsoDate>; tins: ReadonlyMap<string, IsoDate> }

/**
 * The earliest instant an identity may have been replaced at and still be accepted on a file
 * received at `receivedAt`: the start of the plan-local day `days` days before the receipt's day
 * (a change on that day counts, whatever its hour). Undefined for 0 days: strict, none is.
 * No upper bound: an identity replaced after the receipt (a file read again later) was the
 * provider's current one when the file came.
 */
export function previousIdentitySince(receivedAt: Date, days: number, timeZone: string): Date | undefined {
  if (days <= 0) return undefined;
  return startOfLocalDay(addDays(localDate(receivedAt, timeZone), -days), timeZone);
}

/**
 * [POLICY SWITCH_LOOKBACK_DAYS] The earliest load (ecm_assignment_changes.changed_at) of a switch
 * the provider context looks for when a file answers `period` (HELD_IN_PERIOD): the start of the
 * plan-local day `lookbackDays` days before the period's first day, so a switch dated inside the
 * period and loaded up to that many days before its date is always found, however far ahead the
 * extract dated it. Never later than the first day of the period before (the bound before the
 * setting): a small setting finds what that bound found, never fewer. Only a bound on the
 * search, which reads the provider's moves through migration 0049's index from it on;
 * whether the provider held the member is read from the assignment's dates. Since migration
 * 0054 a switch dated after its load is recorded on its day (applyDueSwitches), never before
 * the period it is dated in: the lookback is for those loaded before, applied at import.
 */
export function switchesSince(period: Period, lookbackDays: number, timeZone: string): Date {
  const periodBefore = periodFirstDay(previousPeriod(period));
  const back = addDays(periodFirstDay(period), -lookbackDays);
  return startOfLocalDay(back < periodBefore ? back : periodBefore, timeZone);
}

/**
 * The replaced identities (those of the window, as loaded) by NPI and by TIN, without the
 * current NPI and TIN (a change of the TIN alone leaves the NPI current); a value the provider
 * had more than once is dated by the last time it was replaced.
 */
export function previousIdentities(replaced: readonly ReplacedIdentity[], current: { npi: string; tin: string }, timeZone: string): PreviousIdentities {
  const npis = new Map<string, IsoDate>();
  const tins = new Map<string, IsoDate>();
  const keep = (into: Map<string, IsoDate>, value: string, currentValue: string, until: IsoDate) => {
    if (value === currentValue) return;
    const had = into.get(value);
    if (had === undefined || had < until) into.set(value, until);
  };
  for (const r of replaced) {
    const until = localDate(r.replacedAt, timeZone);
    keep(npis, r.npi, current.npi, until);
    keep(tins, r.tin, current.tin, until);
  }
  return { npis, tins };
}

export interface ProviderContext {
  code: string;
  npi: string;
  tin: string;
  /** NPIs and TINs replaced recently: accepted with a warning (PREVIOUS_IDENTITY_DAYS). */
  previousIdentities: PreviousIdentities;
  name: string;
  sftpFolder: string;
  /** Lines of business per program: the contracts in force for the file's reporting period (not ended before its first day). */
  ecmLobs: Set<string>;
  csLobs: Set<string>;
  /** CIN → the provider's ECM assignment (assignment, approved referral, or a member on its latest MIF). */
  ecm: EcmMemberIndex;
  /** `CIN|service` → the row on the latest CSASF sent to this provider before the receipt time. */
  csasf: Map<string, CsasfEntry>;
  /** Whether any CSASF was ever sent to the provider before the receipt time. */
  csasfSent: boolean;
  /** Per member, the OTF attempts that count (current rows of applied sheets, all periods). */
  outreach: OutreachAttempts;
  /**
   * CIN → the member's last eligible day with the plan, for the provider's members not eligible
   * for the file's reporting period (memberEligible on its first day): their rows are accepted
   * with MEMBER_NOT_ELIGIBLE, and an RTF does not owe them. Only members whose eligibility ended.
   */
  ineligible: ReadonlyMap<string, IsoDate>;
  /**
   * `CIN|line` → the last day in the line of the provider's assignments the plan ended before the
   * file's reporting period, moving the member to another of its lines (LOB_SWITCH,
   * assignmentInLine on its first day): their rows in that line are accepted with
   * MEMBER_LEFT_LINE, and an RTF does not owe them. Only such assignments.
   */
  leftLine: ReadonlyMap<string, IsoDate>;
}

/**
 * A member's outreach history as it counted before the file being read (attempts that count:
 * corrections merge, so no period is left out).
 */
export const outreachHistory = (ctx: ProviderContext, cin: string): OutreachHistory | undefined => ctx.outreach.get(cin);

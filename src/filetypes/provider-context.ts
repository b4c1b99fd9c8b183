// What the database says about the submitting provider, as the context rules read it: loaded
// once per submission (src/ingest/context.ts) so the rules run row by row in memory. Plain
// values: the rules that read it need no database.

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
   * ECM provider (an extract's switch, a referral after the episode ended): the provider's rows
   * about the member are rejected (spec §4 item 4) and the member is not owed on its RTF.
   */
  reassigned: boolean;
}

/** The provider's ECM members by CIN and line of business (src/ingest/ecm-members.ts packs them). */
export interface EcmMemberIndex extends Iterable<[string, EcmMember]> {
  /** The member's assignment in `lob`; with no line, any one of them. */
  get(cin: string, lob?: string): EcmMember | undefined;
  readonly size: number;
}

export interface CsasfEntry {
  lob: string;
  authStatus: string | null;
  authNumber: string | null;
  authStart: string | null;
  authEnd: string | null;
  lastName: string;
  firstName: string;
  dob: string;
}

/** A member's counted outreach: each attempt (date × method) once, however many files reported it. */
export interface OutreachHistory { attempts: Set<string>; methods: Set<number>; first: string; last: string }

/** An attempt's identity in the outreach history (the OTF's key without the member). */
export const attemptKey = (date: string, method: number): string => `${date}|${method}`;

export interface ProviderContext {
  code: string;
  npi: string;
  tin: string;
  name: string;
  sftpFolder: string;
  /** Lines of business per program. */
  ecmLobs: Set<string>;
  csLobs: Set<string>;
  /** CIN → the provider's ECM assignment (assignment, approved referral, or a member on its latest MIF). */
  ecm: EcmMemberIndex;
  /** `CIN|service` → the row on the latest CSASF sent to this provider before the receipt time. */
  csasf: Map<string, CsasfEntry>;
  /** Whether any CSASF was ever sent to the provider before the receipt time. */
  csasfSent: boolean;
  /** OTF history that still counts (current, applied sheets), per CIN and reporting period. */
  /** Per member, the attempts that count (all periods). */
  outreach: Map<string, OutreachHistory>;
}

/**
 * A member's outreach history as it counted before the file being read (attempts that count:
 * corrections merge, so no period is left out).
 */
export const outreachHistory = (ctx: ProviderContext, cin: string): OutreachHistory | undefined => ctx.outreach.get(cin);

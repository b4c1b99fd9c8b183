// Upstream extracts loaded by `calaim-exchange import` (DESIGN.md §2, a contract: the
// header names are exact). One declaration per kind: its columns (every one required in the
// header), its optional columns (added later: an extract without them is read as before, and
// what is on file stays) and the zod row schema. A blank cell of an optional column clears what
// is on file: a last day (contract_end, eligibility_end: YYYY-MM-DD or MM/DD/YYYY) is then none,
// open-ended, and re-opens an ended one (src/repositories/last-day.ts); the member's PCP
// (pcp_name, pcp_npi) is then not known.
import { z } from 'zod';
import { AUTH_STATUS, CS_RECORD_TYPE, CS_SERVICES, ECM_STATUS, GENDER, LINES_OF_BUSINESS, POF, PROGRAMS, ACUITY } from './codes.js';
import {
  EMAIL_RE, parseCin, parseDateOrDateTimeText, parseNpi, parsePhone, parseState, parseText, parseTin, parseYN, parseZip, type Parsed,
} from './primitives.js';

/** zod field from a primitive parser; blank → undefined unless required. */
function field<T>(parse: (raw: string) => Parsed<T>, required: boolean) {
  return z.unknown().transform((raw, ctx): T | undefined => {
    const s = raw === undefined || raw === null ? '' : String(raw).trim();
    if (s === '') {
      if (required) ctx.addIssue({ code: 'custom', message: 'is required' });
      return undefined;
    }
    const p = parse(s);
    if (!p.ok) {
      ctx.addIssue({ code: 'custom', message: p.reason + (p.hint ? `: ${p.hint}` : '') });
      return undefined;
    }
    return p.value;
  });
}

const code = (set: Record<string, string>, opts: { caseInsensitive?: boolean } = {}) => (raw: string): Parsed<string> => {
  const keys = Object.keys(set);
  const hit = opts.caseInsensitive ? keys.find((k) => k.toLowerCase() === raw.toLowerCase()) : keys.find((k) => k === raw);
  return hit ? { ok: true, value: hit } : { ok: false, reason: `must be one of ${keys.join(', ')}` };
};
const text = (max: number) => (raw: string) => parseText(raw, max);
const email = (raw: string): Parsed<string> => (EMAIL_RE.test(raw) ? { ok: true, value: raw } : { ok: false, reason: 'is not an email address' });
const providerCode = (raw: string): Parsed<string> =>
  /^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$/.test(raw)
    ? { ok: true, value: raw.toUpperCase() }
    : { ok: false, reason: 'a provider code is 2-40 letters, digits, - or _ (it names the sFTP folder)' };
const pofList = (raw: string): Parsed<string[]> => {
  const parts = raw.split(/[;,]/).map((s) => s.trim()).filter(Boolean);
  const keys = Object.keys(POF);
  // (which item, never the item: a cell may hold anything, a name or a date of birth typed in the wrong column)
  const bad = parts.flatMap((p, i) => (keys.includes(p.toLowerCase()) ? [] : [i + 1]));
  return bad.length
    ? { ok: false, reason: `item ${bad.join(', ')} ${bad.length > 1 ? 'are not population of focus codes' : 'is not a population of focus code'}; allowed ${keys.join(', ')}` }
    : { ok: true, value: parts.map((p) => p.toLowerCase()) };
};

/**
 * [POLICY] A date as the extracts give one: MM/DD/YYYY or YYYY-MM-DD, and MM/DD/YYYY with a time
 * of day (`11/5/2026 0:00`: how Excel saves a date-time column to CSV), as provider files read it.
 */
const date = parseDateOrDateTimeText;

/**
 * [POLICY] How a workbook's number cell in a column is read (a CSV holds text; xlsx only; a
 * column not named reads a number as its digits):
 * - `{ digits }`: a fixed-width identifier (ZIP, TIN) Excel keeps as a number: zero-padded to
 *   the first width it fits, as a "00000" (or ZIP, or Text) format shows it and as provider
 *   workbooks read it;
 * - `'identifier'`: a free-width identifier (member id, referral id, authorization number,
 *   provider code): the digits a number cell keeps may have lost leading zeros that only its
 *   format showed, which the reader does not give: the row is refused, naming the column;
 * - `'date'`: a bare serial number (a General cell) is the date it counts to, in the workbook's
 *   date system (1900 or 1904).
 */
export type NumberCell = { digits: readonly number[] } | 'identifier' | 'date';

const req = <T>(p: (raw: string) => Parsed<T>) => field(p, true);
const opt = <T>(p: (raw: string) => Parsed<T>) => field(p, false);

export const UPSTREAM = {
  providers: {
    columns: ['provider_code', 'npi', 'tin', 'name', 'lob', 'program', 'phone', 'contact_email', 'liaison_email'],
    // the last day the contract is in force; see upsertProvidersAndContracts
    optionalColumns: ['contract_end'],
    numberCells: { provider_code: 'identifier', tin: { digits: [9] }, contract_end: 'date' },
    schema: z.object({
      provider_code: req(providerCode),
      npi: req(parseNpi),
      tin: req(parseTin),
      name: req(text(100)),
      lob: req(code(LINES_OF_BUSINESS, { caseInsensitive: true })),
      program: req(code(PROGRAMS, { caseInsensitive: true })),
      phone: opt(parsePhone),
      contact_email: opt(email),
      liaison_email: opt(email),
      // (an optional column: absent from an older extract's rows)
      contract_end: opt(date).optional(),
    }),
  },
  members: {
    columns: ['cin', 'mcp_member_id', 'last_name', 'first_name', 'dob', 'gender', 'language', 'address', 'city', 'state', 'zip', 'phone', 'county', 'homeless'],
    // the member's last eligible day with the plan; the member's primary care physician (its
    // name and NPI), written on the MIF; see upsertMembers
    optionalColumns: ['eligibility_end', 'pcp_name', 'pcp_npi'],
    numberCells: { mcp_member_id: 'identifier', dob: 'date', zip: { digits: [5, 9] }, eligibility_end: 'date' },
    schema: z.object({
      cin: req(parseCin),
      mcp_member_id: opt(text(30)),
      last_name: req(text(60)),
      first_name: req(text(60)),
      dob: req(date),
      gender: opt(code(GENDER, { caseInsensitive: true })),
      language: opt(text(40)),
      address: opt(text(100)),
      city: opt(text(60)),
      state: opt(parseState),
      zip: opt(parseZip),
      phone: opt(parsePhone),
      county: opt(text(40)),
      homeless: opt(parseYN),
      // (an optional column: absent from an older extract's rows)
      eligibility_end: opt(date).optional(),
      // (optional columns: the member's PCP; an NPI a workbook keeps as a number is read as its digits)
      pcp_name: opt(text(100)).optional(),
      pcp_npi: opt(parseNpi).optional(),
    }),
  },
  'ecm-assignments': {
    columns: ['cin', 'provider_code', 'lob', 'status', 'assigned_date', 'pof', 'enrollment_start', 'enrollment_end', 'acuity', 'lcm_name', 'lcm_phone'],
    optionalColumns: [],
    numberCells: { provider_code: 'identifier', assigned_date: 'date', enrollment_start: 'date', enrollment_end: 'date' },
    schema: z.object({
      cin: req(parseCin),
      provider_code: req(providerCode),
      lob: req(code(LINES_OF_BUSINESS, { caseInsensitive: true })),
      status: req(code(ECM_STATUS)),
      assigned_date: req(date),
      pof: opt(pofList),
      enrollment_start: opt(date),
      enrollment_end: opt(date),
      acuity: opt(code(ACUITY, { caseInsensitive: true })),
      lcm_name: opt(text(60)),
      lcm_phone: opt(parsePhone),
    }).superRefine((r, ctx) => {
      if (r.enrollment_end && !r.enrollment_start) ctx.addIssue({ code: 'custom', path: ['enrollment_end'], message: 'needs enrollment_start' });
      if (r.enrollment_end && r.enrollment_start && r.enrollment_end < r.enrollment_start)
        ctx.addIssue({ code: 'custom', path: ['enrollment_end'], message: 'is before enrollment_start' });
      if (r.status === '3' && !r.enrollment_start) ctx.addIssue({ code: 'custom', path: ['enrollment_start'], message: 'is required for status 3 (Enrolled)' });
    }),
  },
  referrals: {
    columns: ['referral_id', 'cin', 'provider_code', 'lob', 'approved_date'],
    optionalColumns: [],
    numberCells: { referral_id: 'identifier', provider_code: 'identifier', approved_date: 'date' },
    schema: z.object({
      referral_id: req(text(40)),
      cin: req(parseCin),
      provider_code: req(providerCode),
      lob: req(code(LINES_OF_BUSINESS, { caseInsensitive: true })),
      approved_date: req(date),
    }),
  },
  'cs-authorizations': {
    columns: ['cin', 'provider_code', 'lob', 'service_code', 'record_type', 'auth_status', 'auth_number', 'auth_start', 'auth_end', 'requested_date', 'decision_date', 'assigned_date', 'referring_org'],
    optionalColumns: [],
    numberCells: {
      provider_code: 'identifier', auth_number: 'identifier',
      auth_start: 'date', auth_end: 'date', requested_date: 'date', decision_date: 'date', assigned_date: 'date',
    },
    schema: z.object({
      cin: req(parseCin),
      provider_code: req(providerCode),
      lob: req(code(LINES_OF_BUSINESS, { caseInsensitive: true })),
      service_code: req(code(CS_SERVICES, { caseInsensitive: true })),
      record_type: req(code(CS_RECORD_TYPE, { caseInsensitive: true })),
      auth_status: opt(code(AUTH_STATUS, { caseInsensitive: true })),
      auth_number: opt(text(30)),
      auth_start: opt(date),
      auth_end: opt(date),
      requested_date: opt(date),
      decision_date: opt(date),
      assigned_date: opt(date),
      referring_org: opt(text(100)),
    }).superRefine((r, ctx) => {
      if (r.record_type === 'AUTHORIZED' && !r.auth_status) ctx.addIssue({ code: 'custom', path: ['auth_status'], message: 'is required when record_type is AUTHORIZED' });
      if (r.record_type === 'POTENTIAL' && r.auth_status) ctx.addIssue({ code: 'custom', path: ['auth_status'], message: 'must be blank for a POTENTIAL member' });
      if (r.auth_status === 'Approved' && !r.auth_number) ctx.addIssue({ code: 'custom', path: ['auth_number'], message: 'is required for an approved authorization' });
      if (r.auth_start && r.auth_end && r.auth_end < r.auth_start) ctx.addIssue({ code: 'custom', path: ['auth_end'], message: 'is before auth_start' });
    }),
  },
} as const satisfies Record<string, { columns: readonly string[]; optionalColumns: readonly string[]; numberCells: Record<string, NumberCell>; schema: z.ZodType }>;

export type UpstreamKind = keyof typeof UPSTREAM;
export const UPSTREAM_KINDS = Object.keys(UPSTREAM) as UpstreamKind[];
export type UpstreamRow<K extends UpstreamKind> = z.output<(typeof UPSTREAM)[K]['schema']>;

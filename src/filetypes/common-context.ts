// Pieces the types' context rules share: where an issue on a row's column is, and the ECM
// assignment check the RTF and the OTF both make. Pure: they read the loaded context.
import { spellDate } from '../calendar/zone.js';
import type { Config } from '../config.js';
import { makeIssue, type Issue } from '../validate/issues.js';
import type { EcmMember, ProviderContext } from './provider-context.js';
import type { ContextRow } from './types.js';

/** What a name comparison leaves out: accents (after NFD), apostrophes and periods. */
const NAME_MARKS = /[\p{M}'\u2018\u2019.]/gu;
/** Spacing and hyphens between a name's parts. */
const NAME_GAPS = /[\s\-\u2010-\u2015]+/g;
const foldName = (s: string): string => s.normalize('NFD').replace(NAME_MARKS, '').replace(NAME_GAPS, ' ').trim().toLowerCase();

/**
 * [POLICY] Whether a row's member name is the plan's record of it (NAME_MISMATCH otherwise, a
 * warning): compared without case, accents, apostrophes and periods, and with any spacing or
 * hyphens between its parts as one space (`Núñez` = `Nunez`, `O'Brien` = `OBrien`,
 * `Garcia-Lopez` = `Garcia  Lopez`), as providers' systems and Excel retype names. The common
 * case (the same text) allocates nothing.
 */
export function sameName(sent: string, record: string): boolean {
  return sent === record || sent.toLowerCase() === record.toLowerCase() || foldName(sent) === foldName(record);
}

/** The location of an issue on `key` of the row (the cell, its column label, the member). */
export function issueAt<K extends string>(row: ContextRow<K>, key: K, extra: { value?: string } = {}) {
  const c = row.cells.get(key);
  const col = row.layout.columns.find((x) => x.key === key);
  return { sheet: row.sheet, row: row.rowNumber, column: col?.label ?? key, columnIndex: c?.index ?? null, ...(row.cin ? { cin: row.cin } : {}), ...extra };
}

/**
 * The provider's ECM assignment of the row's member in the row's line of business; otherwise
 * MEMBER_NOT_ASSIGNED and undefined: a member of another provider, or of no one, and nothing of
 * theirs changes. A member on the provider's latest MIF whom the plan has since assigned to
 * another provider in the line, or one the provider held on some day of the file's period before
 * the plan moved it (ctx.ecm flags both `reassigned`), by REASSIGNED_MEMBER_ROWS: counted with a warning (the apply
 * statements only ever touch the submitter's own assignments), or refused as MEMBER_REASSIGNED
 * (saying why, never who). A member the plan moved to another of its lines before the file's
 * period (ctx.leftLine): accepted with MEMBER_LEFT_LINE, as a member no longer eligible is.
 */
export function assignedEcmMember(ctx: ProviderContext, config: Pick<Config, 'REASSIGNED_MEMBER_ROWS'>, row: ContextRow<'cin' | 'mcpId'>, lob: string | undefined, out: Issue[]): EcmMember | undefined {
  const m = ctx.ecm.get(row.cin!, lob || undefined);
  if (!m) {
    // the provider's own member, under a line it is not assigned in: the line is the mistake
    // (as CS_LOB_MISMATCH says for a CS service), never "submit a referral first"
    const other = lob ? ctx.ecm.get(row.cin!) : undefined;
    if (other) out.push(makeIssue('ECM_LOB_MISMATCH', issueAt(row, 'mcpId', { value: lob }), { expected: other.lob }));
    else out.push(makeIssue('MEMBER_NOT_ASSIGNED', issueAt(row, 'cin'), { detail: lob ? ` for ${lob}` : '' }));
    return undefined;
  }
  if (m.reassigned) {
    const reject = config.REASSIGNED_MEMBER_ROWS === 'reject';
    out.push(makeIssue(reject ? 'MEMBER_REASSIGNED' : 'MEMBER_REASSIGNED_COUNTED', issueAt(row, 'cin'), { detail: ` for ${m.lob}` }));
    if (reject) return undefined;
  }
  // [POLICY LOB_SWITCH] the plan moved the member to another line before the period: accepted
  // (the provider may be reporting the discontinuation or the last outreach), saying what to do, never who or where
  const left = ctx.leftLine.get(`${row.cin!}|${m.lob}`);
  if (left !== undefined) out.push(makeIssue('MEMBER_LEFT_LINE', issueAt(row, 'cin'), { date: spellDate(left), lob: m.lob }));
  return m;
}

// Pieces the types' context rules share: where an issue on a row's column is, and the ECM
// assignment check the RTF and the OTF both make. Pure: they read the loaded context.
import { makeIssue, type Issue } from '../validate/issues.js';
import type { EcmMember, ProviderContext } from './provider-context.js';
import type { ContextRow } from './types.js';

/** The location of an issue on `key` of the row (the cell, its column label, the member). */
export function issueAt<K extends string>(row: ContextRow<K>, key: K, extra: { value?: string } = {}) {
  const c = row.cells.get(key);
  const col = row.layout.columns.find((x) => x.key === key);
  return { sheet: row.sheet, row: row.rowNumber, column: col?.label ?? key, columnIndex: c?.index ?? null, ...(row.cin ? { cin: row.cin } : {}), ...extra };
}

/**
 * The provider's ECM assignment of the row's member in the row's line of business; otherwise
 * MEMBER_NOT_ASSIGNED and undefined. A member of another provider, or of no one: the same
 * answer, and nothing of theirs changes.
 */
export function assignedEcmMember(ctx: ProviderContext, row: ContextRow<'cin'>, lob: string | undefined, out: Issue[]): EcmMember | undefined {
  const m = ctx.ecm.get(row.cin!, lob || undefined);
  if (!m) {
    out.push(makeIssue('MEMBER_NOT_ASSIGNED', issueAt(row, 'cin'), { detail: lob ? ` for ${lob}` : '' }));
    return undefined;
  }
  return m;
}

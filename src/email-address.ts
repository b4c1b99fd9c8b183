// Email addresses as the plan compares them: a login, a liaison named on a contract and a
// recipient are the same person whatever the case or surrounding blanks (the domain part is
// case-insensitive, and no mailbox here tells case apart).

/** The form an address is compared (and a login stored) in. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** Each address once, as first spelled (trimmed); blanks and nulls left out. */
export function distinctAddresses(list: readonly (string | null | undefined)[]): string[] {
  const seen = new Map<string, string>();
  for (const raw of list) {
    const a = raw?.trim();
    if (a && !seen.has(normaliseEmail(a))) seen.set(normaliseEmail(a), a);
  }
  return [...seen.values()];
}

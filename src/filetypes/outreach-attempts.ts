// A member's outreach attempts (date × method), as the RTF's check of members discontinued as
// unable to engage counts them (rtf/context-rules.ts). Two stores of them: the provider's
// history that counts before the file (ProviderContext.outreach, loaded for every file), and the
// attempts the file's own OTF sheet reports (FileFacts.outreach: the OTF may come first or last in
// the workbook, so every accepted attempt is kept until the file is read). Only a member the RTF
// discontinued as UE is ever asked about. A member's attempts are kept as one string (their
// attempt keys joined), and made into an OutreachHistory when asked: an object with two Sets per
// member kept ~490 bytes a member with its CIN, 98 MB for 200k, where the string keeps ~100
// (test/unit/outreach-attempts.test.ts; bench case B3, an OTF of 200k attempts, peaked at 350 MB
// with the objects, against 265 MB for B's RTF).

/** A member's counted outreach: each attempt (date × method) once, however many files reported it. */
export interface OutreachHistory { attempts: Set<string>; methods: Set<number>; first: string; last: string }

/** Between a member's attempt keys. */
const SEP = ';';

/**
 * An attempt's identity: its ISO date, '|' and its method (the OTF's merge key without the
 * member; the provider's history is read from the database in the same form: outreachHistory).
 */
const attemptKey = (date: string, method: number): string => `${date}|${method}`;

export class OutreachAttempts {
  private readonly byMember = new Map<string, string>();

  /** An accepted attempt (`method` as the row gave it: NaN when blank, counted as no method). */
  add(cin: string, date: string, method: number): void {
    this.addKeys(cin, [attemptKey(date, method)]);
  }

  /** Attempts already as their keys (`date|method`). */
  addKeys(cin: string, keys: readonly string[]): void {
    if (!keys.length) return;
    const had = this.byMember.get(cin);
    const joined = keys.join(SEP);
    this.byMember.set(cin, had === undefined ? joined : `${had}${SEP}${joined}`);
  }

  /** The member's attempts, each once, their methods and first and last days; undefined when it has none. */
  get(cin: string): OutreachHistory | undefined {
    const keys = this.byMember.get(cin);
    if (keys === undefined) return undefined;
    const attempts = new Set(keys.split(SEP));
    const methods = new Set<number>();
    let first = '';
    let last = '';
    for (const a of attempts) {
      const bar = a.lastIndexOf('|');
      const date = a.slice(0, bar);
      const method = Number(a.slice(bar + 1));
      if (method) methods.add(method);
      if (!first || date < first) first = date;
      if (date > last) last = date;
    }
    return { attempts, methods, first, last };
  }
}

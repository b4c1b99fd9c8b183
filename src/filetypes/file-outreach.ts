// The outreach attempts one file's OTF sheet reports, per member, for the same file's RTF: its
// check of members discontinued as unable to engage counts them (rtf/context-rules.ts). The OTF
// may come first or last in the workbook, so every accepted attempt is kept until the file is
// read; only a member the RTF discontinued as UE is ever asked about. A member's attempts are
// kept as one string (their attempt keys joined), and made into an OutreachHistory when asked:
// an object with two Sets per member kept ~490 bytes a member with its CIN, 98 MB for 200k, where
// the string keeps ~100 (test/unit/file-outreach.test.ts; bench case B3, an OTF of 200k attempts,
// peaked at 350 MB with the objects, against 265 MB for B's RTF).
import { attemptKey, type OutreachHistory } from './provider-context.js';

/** Between a member's attempt keys (an attempt key is an ISO date, '|' and the method). */
const SEP = ';';

export class FileOutreach {
  private readonly byMember = new Map<string, string>();

  /** An accepted attempt (`method` as the row gave it: NaN when blank, counted as no method). */
  add(cin: string, date: string, method: number): void {
    const key = attemptKey(date, method);
    const had = this.byMember.get(cin);
    this.byMember.set(cin, had === undefined ? key : `${had}${SEP}${key}`);
  }

  /** The member's attempts in this file, each once; undefined when it reports none. */
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

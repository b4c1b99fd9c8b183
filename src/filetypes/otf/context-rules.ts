// The OTF's rules that need the database context: the member is assigned to the provider in
// the row's line of business. Its accepted attempts are kept for the file's RTF sheet (the UE
// check counts them: FileFacts). Pure: reads the loaded context.
import { assignedEcmMember } from '../common-context.js';
import type { ContextFile, ContextRuleSet } from '../types.js';
import type { OtfKey } from './rules.js';

export function otfContextRules({ ctx, config, facts }: ContextFile): ContextRuleSet<OtfKey> {
  return {
    check(row, lob, out) {
      if (!assignedEcmMember(ctx, config, row, lob, out)) return;
      if (row.issues.some((i) => i.severity === 'error')) return;
      const cin = row.cin!;
      const v = row.values;
      const date = typeof v.attemptDate === 'string' ? v.attemptDate : undefined;
      const method = Number(v.method);
      if (date) facts.outreach.add(cin, date, method);
    },
  };
}

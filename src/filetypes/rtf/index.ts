// The RTF (ECM Return Transmission File): one row per member, updating the member's ECM
// assignment. Its layout is schemas/rtf.ts; everything else about it is in this folder.
import { RTF } from '../../../schemas/rtf.js';
import type { FileTypeDefinition } from '../types.js';
import { applyRtf, caseloadWarnings, RTF_MERGE_KEY } from './apply.js';
import { rtfContextRules } from './context-rules.js';
import { rtfPrefillRecord } from './prefill.js';
import { RTF_BLANK_DEFAULTS, RTF_CROSS_ROW, RTF_RULES, type RtfKey } from './rules.js';

export const rtf = {
  name: 'RTF',
  layout: RTF,
  program: 'ECM',
  unit: 'member',
  deadlineWindow: 'RTF',
  expectedEachPeriod: true,
  rules: RTF_RULES,
  blankDefaults: RTF_BLANK_DEFAULTS,
  crossRow: RTF_CROSS_ROW,
  contextRules: rtfContextRules,
  apply: applyRtf,
  mergeKey: RTF_MERGE_KEY,
  afterApply: caseloadWarnings,
  /** Outbound: the RTF sheet of the MIF workbook, pre-filled (src/generate). */
  prefill: rtfPrefillRecord,
} as const satisfies FileTypeDefinition<RtfKey, 'RTF'>;

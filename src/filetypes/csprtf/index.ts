// The CSPRTF (CS Provider Return Transmission File): one row per member × CS service. Its
// layout is schemas/csprtf.ts; everything else about it is in this folder.
import { CSPRTF } from '../../../schemas/csprtf.js';
import type { FileTypeDefinition } from '../types.js';
import { applyCsprtf, CSPRTF_MERGE_KEY } from './apply.js';
import { csprtfContextRules } from './context-rules.js';
import { CSPRTF_CROSS_ROW, CSPRTF_RULES, type CsprtfKey } from './rules.js';

export const csprtf = {
  name: 'CSPRTF',
  layout: CSPRTF,
  program: 'CS',
  unit: 'member',
  deadlineWindow: 'CSPRTF',
  expectedEachPeriod: true,
  rules: CSPRTF_RULES,
  crossRow: CSPRTF_CROSS_ROW,
  contextRules: csprtfContextRules,
  apply: applyCsprtf,
  mergeKey: CSPRTF_MERGE_KEY,
} as const satisfies FileTypeDefinition<CsprtfKey, 'CSPRTF'>;

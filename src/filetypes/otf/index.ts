// The OTF (ECM Outreach Tracker File): one row per outreach attempt. Its layout is
// schemas/otf.ts; everything else about it is in this folder.
import { OTF } from '../../../schemas/otf.js';
import type { FileTypeDefinition } from '../types.js';
import { applyOtf, OTF_MERGE_KEY } from './apply.js';
import { otfContextRules } from './context-rules.js';
import { OTF_CROSS_ROW, OTF_RULES, OTF_SET_CELLS, type OtfKey } from './rules.js';

export const otf = {
  name: 'OTF',
  layout: OTF,
  program: 'ECM',
  unit: 'outreach attempt',
  deadlineWindow: 'OTF',
  expectedEachPeriod: true,
  rules: OTF_RULES,
  setCells: OTF_SET_CELLS,
  crossRow: OTF_CROSS_ROW,
  contextRules: otfContextRules,
  apply: applyOtf,
  mergeKey: OTF_MERGE_KEY,
  replacesLine: (config) => config.OTF_CORRECTIONS === 'replace-line',
} as const satisfies FileTypeDefinition<OtfKey, 'OTF'>;

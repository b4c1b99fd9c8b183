// Row rules per layout, and blank defaults (a blank that is filled in with a warning, not rejected).
import type { LayoutName } from '../../../schemas/layout.js';
import type { IssueCode } from '../catalogue.js';
import type { RowRule } from './common.js';
import { CSPRTF_RULES } from './csprtf.js';
import { OTF_RULES } from './otf.js';
import { RTF_RULES } from './rtf.js';

export interface BlankDefault { value: string; code: IssueCode }

export interface LayoutRules {
  rules: readonly RowRule[];
  /** Req columns whose blank is replaced by a default with a warning (RTF acuity → Low). */
  blankDefaults?: Readonly<Record<string, BlankDefault>>;
}

export const LAYOUT_RULES: Readonly<Record<LayoutName, LayoutRules>> = {
  RTF: { rules: RTF_RULES, blankDefaults: { acuity: { value: 'Low', code: 'ACUITY_DEFAULTED' } } },
  OTF: { rules: OTF_RULES },
  CSPRTF: { rules: CSPRTF_RULES },
  MIF: { rules: [] },
  CSASF: { rules: [] },
};

export type { RowRule };

// The RTF ↔ ECM assignment mapping, declared once: each RTF column that updates a column of
// ecm_assignments, and how its value converts. apply.ts writes it in (the staged text cast to
// the column's type); prefill.ts reads it out (the column's value as the RTF cell the provider
// gets pre-filled on the MIF's second sheet).
import type { CellValue } from '../../../schemas/cells.js';
import type { RtfKey } from './rules.js';

/**
 * `date`: a date both ways; `code`: a code stored as a number (`'3'` ↔ 3); `int`: a count;
 * `text`: as is.
 */
type FieldType = 'date' | 'code' | 'int' | 'text';

interface Field<C extends string = string> {
  key: RtfKey;
  column: C;
  type: FieldType;
  /** Stored when the cell is blank (acuity: Low, as the row rules default it). */
  blank?: string;
  /** Read out into the pre-filled RTF; false: reported fresh each period (counts) or not on the MIF's query. */
  prefill: boolean;
}

// (`prefill` keeps its literal type, so PrefilledColumn below can tell the fields apart)
const field = <const C extends string, const P extends boolean>(key: RtfKey, column: C, type: FieldType, prefill: P, blank?: string): Field<C> & { prefill: P } =>
  blank === undefined ? { key, column, type, prefill } : { key, column, type, prefill, blank };

export const ASSIGNMENT_FIELDS = [
  field('ecmStatus', 'status', 'code', true),
  field('startDate', 'enrollment_start', 'date', true),
  field('endDate', 'enrollment_end', 'date', true),
  field('discontinuationDate', 'discontinuation_date', 'date', true),
  field('discontinuationReasonCode', 'discontinuation_reason', 'text', true),
  // (with its code: the pre-filled row of a member who left for OTH is only valid with its text)
  field('discontinuationReason', 'discontinuation_text', 'text', true),
  field('acuity', 'acuity', 'text', true, 'Low'),
  field('lcmName', 'lcm_name', 'text', true),
  field('lcmPhone', 'lcm_phone', 'text', true),
  field('lcmEmail', 'lcm_email', 'text', true),
  field('carePlanDate', 'care_plan_revised', 'date', true),
  field('careConferenceDate', 'care_conference', 'date', true),
  field('assessmentStartedDate', 'assessment_started', 'date', true),
  field('assessmentCompletedDate', 'assessment_completed', 'date', true),
  field('lastEncounterDate', 'last_encounter', 'date', true),
  field('inPerson', 'in_person_count', 'int', false),
  field('telephonic', 'telephonic_count', 'int', false),
  field('referralStatus', 'referral_status', 'text', false),
  field('referralStatusDate', 'referral_status_date', 'date', false),
  field('referralClosureReason', 'referral_closure_reason', 'text', false),
] as const;

/** The ecm_assignments columns the pre-filled RTF is read from (a query row naming them). */
export type PrefilledColumn = Extract<(typeof ASSIGNMENT_FIELDS)[number], { prefill: true }>['column'];
export type AssignmentRow = Readonly<Record<PrefilledColumn, string | number | null>>;

const CASTS: Record<FieldType, string> = { date: '::date', code: '::smallint', int: '::int', text: '' };

/** In: `column = <the staged cell, converted>` for every field (text(key) reads the staged cell). */
export function assignmentSetClauses(text: (key: RtfKey) => string): string[] {
  return ASSIGNMENT_FIELDS.map((f: Field) => {
    const value = CASTS[f.type] ? `(${text(f.key)})${CASTS[f.type]}` : text(f.key);
    return `${f.column} = ${f.blank === undefined ? value : `coalesce(${value}, '${f.blank}')`}`;
  });
}

/** Out: the RTF cells the assignment fills in. */
export function assignmentCells(row: AssignmentRow): Partial<Record<RtfKey, CellValue>> {
  const out: Partial<Record<RtfKey, CellValue>> = {};
  for (const f of ASSIGNMENT_FIELDS as readonly Field[]) {
    if (!f.prefill) continue;
    const v = row[f.column as PrefilledColumn];
    out[f.key] = v === null || v === undefined ? null : f.type === 'date' ? { date: String(v) } : f.type === 'code' ? String(v) : v;
  }
  return out;
}

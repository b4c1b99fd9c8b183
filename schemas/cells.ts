// Plain cell values: what a workbook cell holds once read, and what a written cell is given.
// Declared here, with the layouts, because header matching (index.ts) and the row rules speak
// of them; src/xlsx reads and writes them (src/xlsx/types.ts re-exports this file) and nothing
// outside src/xlsx ever sees an exceljs object.

/** A calendar date, ISO `YYYY-MM-DD`, never shifted by a time zone. */
export interface CellDate { date: string }
/** An Excel error cell (#N/A, #REF!, #DIV/0!, ...). */
export interface CellError { error: string }
export type CellValue = null | string | number | boolean | CellDate | CellError;

export const isCellDate = (v: unknown): v is CellDate => typeof v === 'object' && v !== null && 'date' in v;
export const isCellError = (v: unknown): v is CellError => typeof v === 'object' && v !== null && 'error' in v;

/**
 * A formula cell the file holds no result for: written by a program that does not calculate
 * (openpyxl writes `<f>` and an empty `<v>`). Excel shows a value once it calculates; the plan
 * has none to read. Not one of Excel's own errors: its text is no cell's.
 */
export const FORMULA_NO_RESULT: CellError = Object.freeze({ error: 'formula with no saved result' });
export const isNoResult = (v: unknown): boolean => isCellError(v) && v.error === FORMULA_NO_RESULT.error;

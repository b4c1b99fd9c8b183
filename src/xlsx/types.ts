// Plain cell values: what the streaming reader yields and the writer takes. Nothing outside
// src/xlsx ever sees an exceljs object.

/** A calendar date, ISO `YYYY-MM-DD`, never shifted by a time zone. */
export interface CellDate { date: string }
/** An Excel error cell (#N/A, #REF!, #DIV/0!, ...). */
export interface CellError { error: string }
export type CellValue = null | string | number | boolean | CellDate | CellError;

export const isCellDate = (v: unknown): v is CellDate => typeof v === 'object' && v !== null && 'date' in v;
export const isCellError = (v: unknown): v is CellError => typeof v === 'object' && v !== null && 'error' in v;

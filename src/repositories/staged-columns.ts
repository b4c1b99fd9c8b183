// Staged rows (submission_rows.data) are JSON arrays in their layout's column order
// (submission_sheets.columns); apply statements read a column as `<alias>->>N`. Typed by the
// layout's keys: a statement naming a column the layout lacks does not compile.
import type { Layout } from '../../schemas/layout.js';

export interface StagedColumns<K extends string> {
  /** The column as text: `(<alias>->>N)`. */
  text: (key: K) => string;
  /** The column as jsonb: `(<alias>->N)`. */
  json: (key: K) => string;
}

export function stagedColumns<K extends string>(layout: Layout<K>, alias: string): StagedColumns<K> {
  const position = new Map<string, number>(layout.columns.map((c, i) => [c.key, i]));
  const at = (key: K) => {
    const i = position.get(key);
    if (i === undefined) throw new Error(`${layout.name} has no column ${key}`);
    return i;
  };
  return { text: (key) => `(${alias}->>${at(key)})`, json: (key) => `(${alias}->${at(key)})` };
}

/** The keys a staged row's data array follows, for a layout. */
export const stagedKeys = (layout: Layout): string[] => layout.columns.map((c) => c.key);

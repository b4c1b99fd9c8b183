// exceljs's SAX layer (saxes, batched into arrays of events per input chunk), typed. We feed
// it strings we decoded ourselves (see zip.ts partText), so multi-byte characters are never
// split. Element names are returned without a namespace prefix (`x:row` → `row`): some
// exporters write prefixed SpreadsheetML.
import { createRequire } from 'node:module';

export interface SaxTag {
  name: string;
  attributes: Record<string, string>;
  isSelfClosing?: boolean;
}
export type SaxEvent =
  | { eventType: 'opentag'; value: SaxTag }
  | { eventType: 'closetag'; value: SaxTag }
  | { eventType: 'text'; value: string };

type ParseSax = (input: AsyncIterable<string>) => AsyncGenerator<SaxEvent[]>;

const require = createRequire(import.meta.url);
const parseSax = require('exceljs/lib/utils/parse-sax.js') as ParseSax;

export function saxEvents(input: AsyncIterable<string>): AsyncGenerator<SaxEvent[]> {
  return parseSax(input);
}

export function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

/** An attribute by local name (`r:id`, `ns0:id` → `id`); unprefixed names win. */
export function attr(tag: SaxTag, name: string): string | undefined {
  const direct = tag.attributes[name];
  if (direct !== undefined) return direct;
  for (const [k, v] of Object.entries(tag.attributes)) if (localName(k) === name) return v;
  return undefined;
}

/** Reads a whole (small) part with a callback per event; used for workbook, rels and styles. */
export async function walk(input: AsyncIterable<string>, on: (ev: SaxEvent) => void): Promise<void> {
  for await (const batch of saxEvents(input)) for (const ev of batch) on(ev);
}

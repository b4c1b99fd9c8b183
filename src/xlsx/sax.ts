// A SAX layer over saxes (the parser exceljs uses too), batched into one array of events per
// input chunk as exceljs's own internal wrapper does, typed. We depend on saxes directly, not on
// exceljs internals. We feed it strings we decoded ourselves (see zip.ts partText), so
// multi-byte characters are never split. Element names are returned without a namespace prefix
// (`x:row` → `row`): some exporters write prefixed SpreadsheetML.
import { SaxesParser } from 'saxes';

export interface SaxTag {
  name: string;
  attributes: Record<string, string>;
  isSelfClosing?: boolean;
}
export type SaxEvent =
  | { eventType: 'opentag'; value: SaxTag }
  | { eventType: 'closetag'; value: SaxTag }
  | { eventType: 'text'; value: string };

/**
 * The events of each input chunk, in one array per chunk (one yield per chunk, not per event).
 * A parse error is thrown after the chunk it was found in. At the end of the input the parser
 * is closed, so a part cut short (an element left open, no root element, input ending inside
 * a tag) is an error too, not the events it held before the cut. A caller that stops early
 * (returns from its loop) skips that check: it did not read to the end.
 */
export async function* saxEvents(input: AsyncIterable<string>): AsyncGenerator<SaxEvent[]> {
  const parser = new SaxesParser();
  let error: Error | undefined;
  let events: SaxEvent[] = [];
  parser.on('error', (err) => {
    error = err;
  });
  parser.on('opentag', (value) => events.push({ eventType: 'opentag', value }));
  parser.on('text', (value) => events.push({ eventType: 'text', value }));
  parser.on('closetag', (value) => events.push({ eventType: 'closetag', value }));
  for await (const chunk of input) {
    // write() and the handlers are synchronous: every event of this chunk is in `events` now
    parser.write(chunk);
    if (error) throw error;
    yield events;
    events = [];
  }
  parser.close();
  if (error) throw error;
  if (events.length) yield events;
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

/**
 * Reads a whole (small) part with a callback per event; used for workbook, rels and styles.
 * Empty input is an error (no root element): a part that is absent is for the caller to skip.
 */
export async function walk(input: AsyncIterable<string>, on: (ev: SaxEvent) => void): Promise<void> {
  for await (const batch of saxEvents(input)) for (const ev of batch) on(ev);
}

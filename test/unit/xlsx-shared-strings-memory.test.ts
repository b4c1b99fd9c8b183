// The shared-string table lives for the whole read of a workbook (100k rows ≈ 200k strings).
// A string the scanner keeps must not be a slice of the 64 KB piece of XML it was read from:
// V8 keeps the whole piece alive for any slice of 13 characters or more, and at 200k rows
// those pieces were ~20 MB of a 200k-row ingest's peak (npm run bench, case B at 200k).
// Checked in a heap snapshot of this process: deterministic, no timing.
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { SharedStringsScanner } from '../../src/xlsx/shared-strings-xml.js';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

async function heapSnapshot(): Promise<Snapshot> {
  const chunks: Buffer[] = [];
  for await (const c of v8.getHeapSnapshot()) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Snapshot;
}

/**
 * The strings of the heap that hold `marker`, seen as a program sees them: a plain string
 * (its own characters: 0 retained beyond itself), or a slice (V8's "sliced string", named
 * "(sliced string)" in a snapshot) with the size of the string it slices.
 */
function stringsHolding(s: Snapshot, marker: string): { sliced: boolean; parentBytes: number }[] {
  const { node_fields: nf, node_types: [nt], edge_fields: ef, edge_types: [et] } = s.snapshot.meta;
  const N = nf.length, E = ef.length;
  const [ti, ni, si, eci] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nf.indexOf(f)) as [number, number, number, number];
  const [eti, eni, eto] = ['type', 'name_or_index', 'to_node'].map((f) => ef.indexOf(f)) as [number, number, number];
  const out: { sliced: boolean; parentBytes: number }[] = [];
  let edge = 0;
  for (let b = 0; b < s.nodes.length; b += N) {
    const kind = nt[s.nodes[b + ti]!]!;
    const edges = s.nodes[b + eci]!;
    if (kind === 'string' && s.strings[s.nodes[b + ni]!]!.startsWith(marker)) out.push({ sliced: false, parentBytes: 0 });
    else if (kind === 'sliced string') {
      for (let e = edge; e < edge + edges; e++) {
        const eb = e * E;
        const to = s.edges[eb + eto]!;
        if (et[s.edges[eb + eti]!] === 'internal' && s.strings[s.edges[eb + eni]!] === 'parent' && s.strings[s.nodes[to + ni]!]!.includes(marker))
          out.push({ sliced: true, parentBytes: s.nodes[to + si]! });
      }
    }
    edge += edges;
  }
  return out;
}

describe('the shared-string table holds its strings, not the XML they were read from', () => {
  it('a kept string of any length retains no more than itself', async () => {
    const count = 4000; // ~50 bytes each: the part spans several 64 KB pieces
    const xml = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${count}" uniqueCount="${count}">`
      + Array.from({ length: count }, (_, i) => `<si><t>SSTMEMCHECK-${String(i).padStart(6, '0')}-abcdefghij</t></si>`).join('') + '</sst>';
    let scanner: SharedStringsScanner | undefined = new SharedStringsScanner();
    scanner.scan(Buffer.from(xml));
    const kept = scanner.strings;
    scanner = undefined;
    expect(kept).toHaveLength(count);

    const found = stringsHolding(await heapSnapshot(), 'SSTMEMCHECK-');
    // the check sees the kept strings (it cannot pass by finding nothing)
    expect(found.length).toBeGreaterThanOrEqual(count);
    const largestSliced = Math.max(...found.map((f) => f.parentBytes));
    expect(largestSliced).toBeLessThan(1024);
    expect(kept[count - 1]).toBe(`SSTMEMCHECK-${String(count - 1).padStart(6, '0')}-abcdefghij`);
  }, 60_000);
});

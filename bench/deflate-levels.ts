// `npx tsx bench/deflate-levels.ts [--repeat N] [--levels 1,3,6]`: the deflate level of our
// writer (src/xlsx/writer.ts DEFLATE_LEVEL), chosen by measurement. Writes case D's 100
// workbooks (100,000 members: MIF sheet and pre-filled RTF sheet each, no database, no sFTP)
// into memory at each level, in interleaved rounds, and prints the median seconds, CPU
// seconds and total bytes per level.
import { performance } from 'node:perf_hooks';
import { layoutSheet } from '../src/generate/sheets.js';
import { writeWorkbookToBuffer } from '../src/xlsx/writer.js';
import { mifSheets } from './lib/mif-sheets.js';
import { MIF_PROVIDERS } from './lib/seed.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const repeat = Math.max(1, Number(option('--repeat', '3')) || 1);
const levels = option('--levels', '1,3,6').split(',').map(Number);

const data = Array.from({ length: MIF_PROVIDERS }, (_, i) => mifSheets(i));
const runs = new Map<number, { seconds: number; cpu: number; bytes: number }[]>();
for (let round = 0; round < repeat; round++) {
  for (const level of levels) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let bytes = 0;
    for (const sheets of data) {
      const out = await writeWorkbookToBuffer(sheets.map(({ layout, records }, k) => layoutSheet(layout, records, { lists: k > 0 })), { deflateLevel: level });
      bytes += out.length;
    }
    const c = process.cpuUsage(c0);
    const list = runs.get(level) ?? [];
    list.push({ seconds: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, bytes });
    runs.set(level, list);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`level  seconds  cpu s   MB (100 workbooks, ${repeat} rounds, medians)`);
for (const level of levels) {
  const r = runs.get(level)!;
  console.log(`${String(level).padStart(5)}  ${median(r.map((x) => x.seconds)).toFixed(2).padStart(7)}  ${median(r.map((x) => x.cpu)).toFixed(2).padStart(5)}  ${(r[0]!.bytes / 1e6).toFixed(1).padStart(6)}`);
}

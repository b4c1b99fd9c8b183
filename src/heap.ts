// How far the JavaScript heap may grow past what it holds live before V8 collects it in full
// (HEAP_GROWTH_PERCENT). V8's own rule lets it grow up to 4 × the live size: an ingest holds
// ~60 MB live and sat near 450 MB resident with a 200k-row upload, mostly garbage waiting for
// the next full collection. 50% kept it near 300 MB for a few percent more CPU (npm run bench,
// case B at 200k; README, Performance). A V8 flag, set from the process: NODE_OPTIONS does
// not take it, and V8 reads it at each full collection, so setting it at start-up holds.
import v8 from 'node:v8';

/** The V8 flag for a growth of `percent` (0: none, V8 keeps its own rule). */
export function heapGrowthFlag(percent: number): string | undefined {
  return percent > 0 ? `--heap-growing-percent=${percent}` : undefined;
}

/** Applies HEAP_GROWTH_PERCENT to this process (idempotent). */
export function applyHeapGrowth(config: { HEAP_GROWTH_PERCENT: number }, setFlags: (flags: string) => void = v8.setFlagsFromString): void {
  const flag = heapGrowthFlag(config.HEAP_GROWTH_PERCENT);
  if (flag) setFlags(flag);
}

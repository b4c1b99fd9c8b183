// Optional memory trace for a case runner (BENCH_MEM=1 npm run bench …): every 100 ms, the
// process's resident memory, heap (total, used, old space), new space, external and array
// buffer memory in MB, printed to stderr (the case's log file): where a peak RSS comes from.
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';

const t0 = performance.now();
const mb = (n: number) => (n / 1048576).toFixed(0);
setInterval(() => {
  const m = process.memoryUsage();
  const spaces = v8.getHeapSpaceStatistics();
  const space = (name: string) => spaces.find((s) => s.space_name === name);
  process.stderr.write(
    `MEM ${((performance.now() - t0) / 1000).toFixed(2)} rss ${mb(m.rss)} heapTotal ${mb(m.heapTotal)} heapUsed ${mb(m.heapUsed)} ` +
      `old ${mb(space('old_space')?.space_used_size ?? 0)} newSpace ${mb(space('new_space')?.space_size ?? 0)} ext ${mb(m.external)} ab ${mb(m.arrayBuffers)}\n`,
  );
}, 100).unref();

// Optional query timeline for a case runner (BENCH_TRACE=1 npm run bench …): every pg query's
// start, end and first words, printed to stderr (the case's log file) when the process exits.
import pg from 'pg';

const t0 = performance.now();
const events: string[] = [];
type QueryFn = (...args: unknown[]) => unknown;
const original = pg.Client.prototype.query as unknown as QueryFn;
(pg.Client.prototype as unknown as { query: QueryFn }).query = function (this: pg.Client, ...args: unknown[]) {
  const start = performance.now();
  const first = args[0];
  const text = (typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '')).replace(/\s+/g, ' ').trim().slice(0, 90);
  const r = original.apply(this, args);
  const done = (res?: unknown) => {
    // (and the rows it returned or changed, where the result says: a statement doing more than its batch shows)
    const n = (res as { rowCount?: number | null } | undefined)?.rowCount;
    events.push(`${((start - t0) / 1000).toFixed(3)} +${((performance.now() - start) / 1000).toFixed(3)}  ${typeof n === 'number' ? `[${n}] ` : ''}${text}`);
  };
  // a COPY (pg-copy-streams) is a stream the caller writes: done when it has finished
  // and a submitted pg.Query (a read handed over row by row: db/each-row.ts) when it has ended
  if (r && typeof (r as { once?: unknown }).once === 'function' && typeof (r as Promise<unknown>).then !== 'function')
    (r as NodeJS.EventEmitter).once(first instanceof pg.Query ? 'end' : 'finish', () => done());
  if (r && typeof (r as Promise<unknown>).then === 'function')
    (r as Promise<unknown>).then(done, () => undefined);
  return r;
};
process.on('exit', () => process.stderr.write(`${events.join('\n')}\n`));

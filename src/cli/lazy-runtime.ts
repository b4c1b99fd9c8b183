// withRuntime, loaded on first use: the database modules (pg, node-pg-migrate) are not loaded
// for --help, --version or a usage error.
import type { Runtime } from './runtime.js';

export async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>, opts: { migrate?: boolean } = {}): Promise<T> {
  const { withRuntime: run } = await import('./runtime.js');
  return run(fn, opts);
}

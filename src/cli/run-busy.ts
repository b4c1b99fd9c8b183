// A manual run refused because another attempt holds its claim (a process still running, or one
// that stopped and is not yet given up): said in one line (or a --json document), exit 1, never
// a stack trace. The same for every command that runs under the ledger.
import { emit } from './output.js';

/** Whether `err` was such a refusal, and if so says it (with `doc` in --json) and sets exit 1. */
export async function refusedAsBusy(err: unknown, opts: { json?: boolean }, doc: Record<string, unknown>): Promise<boolean> {
  // (loaded when an error is at hand: the command line starts without the run ledger's code)
  const { RunBusyError } = await import('../runs/execute.js');
  if (!(err instanceof RunBusyError)) return false;
  emit(opts, { ...doc, error: err.message }, () => `refused: ${err.message}`);
  process.exitCode = 1;
  return true;
}

/** `run`, or undefined when it was refused as busy (refusedAsBusy). */
export async function unlessBusy<T>(opts: { json?: boolean }, doc: Record<string, unknown>, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    if (await refusedAsBusy(err, opts, doc)) return undefined;
    throw err;
  }
}

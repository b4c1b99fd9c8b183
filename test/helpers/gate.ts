// Explicit signals between a test and the work it drives, instead of sleeps that assume a fast
// machine: work waits at a gate until the test opens it, and the test can wait until the work
// has reached the gate.
export class Gate {
  private isOpen = false;
  private readonly waiting: (() => void)[] = [];
  private arrivals = 0;
  private readonly arrivalWatchers: { n: number; resolve: () => void }[] = [];

  /** Called by the work: counts an arrival, then waits until the gate is open. */
  async pass(): Promise<void> {
    this.arrivals++;
    for (const w of this.arrivalWatchers.filter((x) => x.n <= this.arrivals)) w.resolve();
    if (this.isOpen) return;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  open(): void {
    this.isOpen = true;
    for (const w of this.waiting.splice(0)) w();
  }

  /** Resolves once the work has arrived at the gate n times. */
  arrived(n = 1): Promise<void> {
    if (this.arrivals >= n) return Promise.resolve();
    return new Promise((resolve) => this.arrivalWatchers.push({ n, resolve }));
  }
}

/** Polls a probe until it yields a value; fails naming what it waited for. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 540_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

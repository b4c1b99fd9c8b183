// The test-only hooks, built once from the environment at the command line's entry: the only
// place that knows their variables. Production modules are handed what this returns (nothing,
// unless a test set a variable) through their dependencies; none of them reads the environment.
//
// - CALAIM_FAULT_POINT=<name>: the process kills itself (SIGKILL, no clean-up) when the inbound
//   path reaches that fault point (src/fault-points.ts), so the crash tests stop it there.
// - CALAIM_TEST_PUBLISH_GATE=<file>: this process's n-th outbound publish waits until the file
//   holds a number >= n, and writes `<file>.at` with the n it waits at, so a test can stop or
//   kill a scheduler at an exact point of a run and know that it is there (no timing guesses).
import fs from 'node:fs';
import { INGEST_FAULT_POINTS, type FaultPointName, type FaultPoints } from '../fault-points.js';

export interface TestHooks {
  faults?: FaultPoints;
  /** Awaited before each outbound file is published. */
  beforePublish?: () => Promise<void>;
}

function allowed(gate: string): number {
  try {
    const n = Number(fs.readFileSync(gate, 'utf8').trim());
    return Number.isFinite(n) ? n : 0;
  } catch {
    return 0;
  }
}

function publishGate(gate: string): () => Promise<void> {
  let n = 0;
  return async () => {
    const mine = ++n;
    fs.writeFileSync(`${gate}.at`, String(mine));
    while (allowed(gate) < mine) await new Promise((r) => setTimeout(r, 20));
  };
}

function killAt(point: FaultPointName): FaultPoints {
  return (reached) => {
    if (reached === point) process.kill(process.pid, 'SIGKILL');
  };
}

const isFaultPoint = (v: string): v is FaultPointName => (INGEST_FAULT_POINTS as readonly string[]).includes(v);

/** The hooks the variables ask for; none (an empty object) in production. */
export function testHooksFromEnv(env: NodeJS.ProcessEnv): TestHooks {
  const hooks: TestHooks = {};
  const point = env.CALAIM_FAULT_POINT;
  if (point) {
    // a misspelt point would let a crash test pass without ever crashing
    if (!isFaultPoint(point)) throw new Error(`CALAIM_FAULT_POINT=${point} is not a fault point (${INGEST_FAULT_POINTS.join(', ')})`);
    hooks.faults = killAt(point);
  }
  const gate = env.CALAIM_TEST_PUBLISH_GATE;
  if (gate) hooks.beforePublish = publishGate(gate);
  return hooks;
}

let built: TestHooks | undefined;

/** This process's hooks: the environment is read on first use only. */
export function testHooks(): TestHooks {
  return (built ??= testHooksFromEnv(process.env));
}

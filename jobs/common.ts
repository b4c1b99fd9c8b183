// The one helper the file-generation jobs share (loaded when one of them runs). Not a job itself.
import type { OutboundKind } from '../src/generate/run.js';
import { generate, slotFor } from '../src/generate/run.js';
import type { JobContext } from '../src/runs/coordinator.js';
import type { SftpSession } from '../src/sftp/client.js';
import type { JobCounts, JobDeps } from './job.js';

/** Each publish of a session from `open` waits for `before` first. */
function gated(open: () => Promise<SftpSession>, before: (() => Promise<void>) | undefined): () => Promise<SftpSession> {
  if (!before) return open;
  return async () => {
    const s = await open();
    return {
      list: (d) => s.list(d),
      stat: (p) => s.stat(p),
      exists: (p) => s.exists(p),
      download: (p, o) => s.download(p, o),
      publish: async (dir, name, bytes) => {
        await before();
        return s.publish(dir, name, bytes);
      },
      move: (f, t, nm) => s.move(f, t, nm),
      ensureDir: (d) => s.ensureDir(d),
      remove: (p) => s.remove(p),
      close: () => s.close(),
    };
  };
}

/**
 * One slot of a file-generation job: every provider unit not yet done is built and published
 * (units done by an earlier, interrupted run are skipped). A failed provider fails the run, so
 * catch-up retries it (only the failed units); the other providers' files stay published.
 */
export async function generateSlot(kind: OutboundKind, deps: JobDeps, ctx: Pick<JobContext, 'slot' | 'signal'> & Partial<Pick<JobContext, 'run' | 'now'>>): Promise<JobCounts> {
  const slot = slotFor(kind, ctx.slot, deps.config);
  if (slot !== ctx.slot) throw new RangeError(`${ctx.slot} is not a ${kind} slot (the slot of that date is ${slot})`);
  const openSession = gated(deps.openSession, deps.beforePublish);
  const result = await generate(kind, { date: ctx.slot, signal: ctx.signal, runId: ctx.run?.id, now: ctx.now }, { pool: deps.pool, config: deps.config, openSession });
  const counts = {
    units: result.units.length,
    published: result.published,
    empty: result.empty,
    alreadyDone: result.units.filter((u) => u.status === 'ALREADY_DONE').length,
    failed: result.failed,
    // (earlier slots' files that interrupted runs recorded and never published, closed by this run)
    ...(result.superseded ? { superseded: result.superseded } : {}),
  };
  if (result.failed) {
    const which = result.units.filter((u) => u.status === 'FAILED').map((u) => `${u.provider}${u.lob ? `/${u.lob}` : ''}`);
    throw new Error(`${result.failed} provider file(s) failed (${which.join(', ')}); ${result.published} published`);
  }
  return counts;
}

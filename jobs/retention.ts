// Retention (daily): the bytes of files exchanged more than BLOB_RETENTION_DAYS ago (before the
// run's instant, on the scheduler's clock) are purged; their hashes and the records pointing to
// them stay.
import { purgeBlobs } from '../src/db/blobs.js';
import type { JobContext } from '../src/runs/coordinator.js';
import type { JobCounts, JobDeps } from './common.js';

export async function runRetention(deps: Pick<JobDeps, 'pool' | 'config'>, ctx: Partial<Pick<JobContext, 'now'>> = {}): Promise<JobCounts> {
  return purgeBlobs(deps.pool, deps.config.BLOB_RETENTION_DAYS, ctx.now);
}

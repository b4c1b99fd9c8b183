// Retention (daily): the bytes of files exchanged more than BLOB_RETENTION_DAYS ago (before the
// run's instant, on the scheduler's clock) are purged; their hashes and the records pointing to
// them stay.
import { DAILY } from '../src/calendar/slots.js';
import { declareJob, firesAt } from './job.js';

export const retention = declareJob({
  name: 'retention',
  description: 'purge the bytes of exchanged files older than BLOB_RETENTION_DAYS',
  ...firesAt('05:30', () => DAILY),
  run: async (deps, ctx) => (await import('../src/db/blobs.js')).purgeBlobs(deps.pool, deps.config.BLOB_RETENTION_DAYS, ctx.now),
});

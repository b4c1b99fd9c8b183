// Fencing a poller that may have lost its folder: a poller's claim on a provider folder
// (src/repositories/poll-claims.ts) is a lease, and a poller that stalls past it (a paused VM, a
// long GC, a blocked event loop) does not know it was taken over until it looks. The renewal
// timer looks only every quarter lease, and the poll only between files; so whatever would
// answer the provider (a submission's commit, the response, the move, the email) first checks
// that the claim is still this poller's. A stale poller that went on would answer the upload a
// second time, after the poller that took the folder over had answered it.
import type pg from 'pg';

/** This poller no longer holds the folder's claim: it stops, and leaves the folder to the poller that holds it. */
export class ClaimLost extends Error {
  constructor() {
    super('claim on the provider folder lost to another poller');
    this.name = 'ClaimLost';
  }
}

/**
 * Throws ClaimLost unless this poller still holds the claim (extending it if so). Given a
 * transaction's client, the check is part of that transaction and the claim row stays locked
 * until it ends: no other poller can take the folder over between the check and the commit.
 */
export type Fence = (c?: pg.PoolClient) => Promise<void>;

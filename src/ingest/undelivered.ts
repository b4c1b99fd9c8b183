// A response the poll cannot publish to the provider's downloads/ (a link or a regular file in
// the folder's place, permissions that refuse writes): its submission is applied, so it is
// never answered again or given up on (./give-up.ts is for uploads not yet applied); every poll
// tries the response again (finishUnanswered), and the provider hears nothing meanwhile. Each
// failed poll is counted on the submission (migration 0036); after
// RESPONSE_UNDELIVERED_ALERT_AFTER polls in a row ops are told, once per submission (OPS_EMAIL),
// with the error, masked, and what to check. The count is cleared when the response is published.
import type { Config } from '../config.js';
import { errorText, log } from '../log.js';
import { alertOps } from '../notify/mailer.js';
import { markResponseAlerted, recordResponseFailure } from '../repositories/submission-store.js';
import type pg from 'pg';

/** A response not published at this poll: how many polls in a row, and whether ops were told. */
export class ResponseUndelivered extends Error {
  constructor(
    readonly submissionId: number,
    readonly failures: number,
    readonly opsAlerted: boolean,
    cause: unknown,
  ) {
    // the error as it was (masked): what the poll's result and the log said before
    super(errorText(cause), { cause });
    this.name = 'ResponseUndelivered';
  }
}

/** The response could not be published at this poll: at how many polls in a row, and whether ops were told (RESPONSE_UNDELIVERED_ALERT_AFTER). */
export interface ResponseUndeliveredInfo { failures: number; opsAlerted: boolean }

export const undeliveredInfo = (err: unknown): ResponseUndeliveredInfo | undefined =>
  err instanceof ResponseUndelivered ? { failures: err.failures, opsAlerted: err.opsAlerted } : undefined;

export interface UndeliveredResponse {
  submissionId: number;
  provider: string;
  /** The upload's name (as the provider sent it). */
  file: string;
  /** The response workbook's name. */
  response: string;
  /** The provider's downloads/ folder on the server. */
  folder: string;
}

/**
 * Counts this poll's failure to publish the response; at RESPONSE_UNDELIVERED_ALERT_AFTER polls
 * in a row (and not before for this submission), tells ops. Returns the error to throw: the
 * failure with its count, or `err` itself should the count not be recorded (the database).
 */
export async function responseNotPublished(deps: { pool: pg.Pool; config: Config }, r: UndeliveredResponse, err: unknown, at: Date): Promise<Error> {
  const message = errorText(err);
  const ctx = { submissionId: r.submissionId, provider: r.provider };
  try {
    const { failures, alertedAt } = await recordResponseFailure(deps.pool, r.submissionId, message, at);
    const limit = deps.config.RESPONSE_UNDELIVERED_ALERT_AFTER;
    // logged here, once, whichever step of the poll was publishing it
    log.error({ ...ctx, failures, err: { message } }, 'response could not be published to the provider\'s downloads/; the next poll tries again');
    if (alertedAt || limit === 0 || failures < limit) return new ResponseUndelivered(r.submissionId, failures, alertedAt !== null, err);
    log.error({ ...ctx, failures, err: { message } },
      'response not published to the provider\'s downloads/ after RESPONSE_UNDELIVERED_ALERT_AFTER polls: ops alerted; the next poll tries again');
    // keyed: recorded once in the outbox even if this poll stops before marking it told
    await alertOps(deps.config, deps.pool, {
      kind: 'ops-response-undelivered',
      subject: `Response not delivered after ${failures} polls: ${r.provider}, submission ${r.submissionId}`,
      text: [
        `Provider ${r.provider} uploaded ${r.file}. It was processed (submission ${r.submissionId}), but its response ${r.response}`,
        `could not be published to the provider's downloads/ folder (${r.folder}) at ${failures} polls in a row. The provider has`,
        `had neither the response nor its email yet.`,
        '',
        `Every poll tries again. Once the response is published the upload is moved and the provider emailed, once:`,
        `nothing is applied or answered twice.`,
        '',
        `Check the provider's downloads/ folder on the sFTP server: a link in place of the folder, a regular file in its place,`,
        `or permissions (or a full disk) that refuse the service account's writes.`,
        '',
        `Last error: ${message}`,
        '',
        `See: calaim-exchange submission show ${r.submissionId}`,
      ].join('\n'),
      key: `response-undelivered:${r.submissionId}`,
    }, at);
    await markResponseAlerted(deps.pool, r.submissionId, at);
    return new ResponseUndelivered(r.submissionId, failures, true, err);
  } catch (e) {
    log.error({ ...ctx, err: { message: errorText(e) } }, 'could not count a response not published; the next poll tries again');
    return err instanceof Error ? err : new Error(message);
  }
}

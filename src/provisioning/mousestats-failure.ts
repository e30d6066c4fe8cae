import {
  MouseStatsError,
  MouseStatsHttpError,
  MouseStatsPermissionDeniedError,
  MouseStatsTimeoutError,
  MouseStatsUnexpectedReplyError,
  isRetriableMouseStatsError,
} from "../mousestats/errors.ts";
import { PermanentJobError, RetryLaterError } from "../queue/errors.ts";

/** A sentence a merchant (and support) can act on, for the page and the accounts table. */
export function describeMouseStatsFailure(err: unknown): string {
  if (err instanceof MouseStatsPermissionDeniedError) {
    return "MouseStats refused the request (permission-denied): the partner credentials are wrong or the email belongs to another MouseStats partner.";
  }
  if (err instanceof MouseStatsTimeoutError) return "MouseStats did not answer in time.";
  if (err instanceof MouseStatsHttpError) return `MouseStats answered HTTP ${err.status}.`;
  if (err instanceof MouseStatsUnexpectedReplyError) return `MouseStats sent a reply we could not read (${err.reason}).`;
  if (err instanceof MouseStatsError) return "MouseStats could not be reached.";
  if (err instanceof Error) return err.message;
  return "Unknown error.";
}

/**
 * How the queue should treat a MouseStats failure: Retry-After (429, or a 503 that names a time)
 * reschedules without using an attempt; network, timeout, 5xx and unreadable replies (an HTML
 * maintenance page) retry with backoff; other 4xx and argument errors cannot improve.
 */
export function toJobError(err: unknown): Error {
  if (err instanceof MouseStatsHttpError && err.retryAfterMs !== undefined) {
    return new RetryLaterError(err.retryAfterMs, describeMouseStatsFailure(err), { cause: err });
  }
  if (isRetriableMouseStatsError(err) || err instanceof MouseStatsUnexpectedReplyError) {
    return new Error(describeMouseStatsFailure(err), { cause: err });
  }
  if (err instanceof MouseStatsError) return new PermanentJobError(describeMouseStatsFailure(err), { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

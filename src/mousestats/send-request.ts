import type { Logger } from "../logger.ts";
import { maskEmail } from "../logger.ts";
import {
  MouseStatsHttpError,
  MouseStatsNetworkError,
  MouseStatsPermissionDeniedError,
  MouseStatsTimeoutError,
  MouseStatsUnexpectedReplyError,
} from "./errors.ts";
import type { MouseStatsOperation } from "./errors.ts";
import { describeNetworkFailure, sanitizeError } from "./redact.ts";
import { isPermissionDenied, looksLikeHtml } from "./reply-text.ts";
import { parseRetryAfterMs } from "./retry-after.ts";

/** What every call shares: where to send it, with which credentials, and how. */
export interface RequestContext {
  baseUrl: string;
  partnerId: string;
  partnerSecret: string;
  fetch: typeof fetch;
  timeoutMs: number;
  logger: Logger;
  now: () => number;
  onCall?: ((call: CallRecord) => void) | undefined;
}

export type CallOutcome = "ok" | "permission_denied" | "http_error" | "timeout" | "network_error" | "unexpected_reply" | "aborted";

/** One finished request, for metrics. */
export interface CallRecord {
  operation: MouseStatsOperation;
  outcome: CallOutcome;
  seconds: number;
}

function outcomeOf(failure: unknown): CallOutcome {
  if (failure === undefined) return "ok";
  if (failure instanceof MouseStatsPermissionDeniedError) return "permission_denied";
  if (failure instanceof MouseStatsHttpError) return "http_error";
  if (failure instanceof MouseStatsTimeoutError) return "timeout";
  if (failure instanceof MouseStatsNetworkError) return "network_error";
  if (failure instanceof MouseStatsUnexpectedReplyError) return "unexpected_reply";
  return "aborted";
}

export interface RequestOptions {
  operation: MouseStatsOperation;
  email: string;
  /** Query parameters after `_partnerId` and `_partnerSecret`, in the document's order. */
  params: ReadonlyArray<readonly [string, string]>;
  /** Extra strings to keep out of errors (the user's password). */
  secrets?: readonly string[];
  signal?: AbortSignal | undefined;
}

/** A 2xx reply that is neither `permission-denied` nor an HTML page. */
export interface MouseStatsReply {
  status: number;
  body: string;
}

function buildUrl(context: RequestContext, options: RequestOptions): string {
  const params: Array<readonly [string, string]> = [
    ["_partnerId", context.partnerId],
    ["_partnerSecret", context.partnerSecret],
    ...options.params,
  ];
  // encodeURIComponent rather than URLSearchParams: `%20` and `%2B` read the same on every server.
  const query = params.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("&");
  return `${context.baseUrl.replace(/\/+$/, "")}/${options.operation}?${query}`;
}

async function exchange(context: RequestContext, options: RequestOptions, secrets: readonly string[]) {
  const timeoutSignal = AbortSignal.timeout(context.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeoutSignal]) : timeoutSignal;
  const { operation } = options;
  try {
    // "manual": following a redirect would resend the secret to wherever it points.
    const response = await context.fetch(buildUrl(context, options), {
      method: "GET",
      headers: { accept: "application/json, text/plain;q=0.9, */*;q=0.1" },
      redirect: "manual",
      signal,
    });
    // The body is read under the same signal, so a reply that stalls mid-body also times out.
    const body = await response.text();
    return { response, body };
  } catch (err) {
    if (options.signal?.aborted && signal.reason === options.signal.reason) throw options.signal.reason;
    if (timeoutSignal.aborted) throw new MouseStatsTimeoutError({ operation, timeoutMs: context.timeoutMs });
    const cause = sanitizeError(err, secrets);
    throw new MouseStatsNetworkError({ operation, detail: describeNetworkFailure(cause), cause });
  }
}

function classify(context: RequestContext, operation: MouseStatsOperation, response: Response, body: string) {
  const { status } = response;
  // A 4xx saying permission-denied is still MouseStats refusing; a 5xx or 429 is an outage.
  const isServerSide = status >= 500 || status === 429;
  if (!isServerSide && isPermissionDenied(body)) return new MouseStatsPermissionDeniedError({ operation, status });
  if (status < 200 || status > 299) {
    const retryAfterMs = parseRetryAfterMs(response.headers.get("retry-after"), context.now());
    return new MouseStatsHttpError({ operation, status, retryAfterMs });
  }
  if (looksLikeHtml(body)) return new MouseStatsUnexpectedReplyError({ operation, status, reason: "html-page" });
  return undefined;
}

/**
 * Sends one Reseller API call as an HTTP GET and returns its 2xx body.
 * @throws MouseStatsPermissionDeniedError for the raw `permission-denied` reply
 * @throws MouseStatsHttpError for a non-2xx status; MouseStatsTimeoutError after `timeoutMs`;
 *   MouseStatsNetworkError when fetch rejects; MouseStatsUnexpectedReplyError for an HTML page.
 *   When the caller's `signal` aborts, its reason is thrown as is.
 */
export async function sendRequest(context: RequestContext, options: RequestOptions): Promise<MouseStatsReply> {
  const secrets = [context.partnerSecret, ...(options.secrets ?? [])];
  const startedAt = performance.now();
  const log = (status: number | undefined, failure: unknown) => {
    const ms = performance.now() - startedAt;
    context.logger.debug(
      {
        op: options.operation,
        email: maskEmail(options.email),
        status,
        durationMs: Math.round(ms),
        outcome: failure === undefined ? "ok" : failure instanceof Error ? failure.name : "aborted",
      },
      "mousestats call",
    );
    context.onCall?.({ operation: options.operation, outcome: outcomeOf(failure), seconds: ms / 1000 });
  };
  let exchanged: Awaited<ReturnType<typeof exchange>>;
  try {
    exchanged = await exchange(context, options, secrets);
  } catch (err) {
    log(undefined, err ?? "aborted");
    throw err;
  }
  const { response, body } = exchanged;
  const failure = classify(context, options.operation, response, body);
  log(response.status, failure);
  if (failure) throw failure;
  return { status: response.status, body };
}

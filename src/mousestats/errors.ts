/** The three Reseller API calls, as named in the MouseStats document. */
export const MOUSESTATS_OPERATIONS = ["CreateAccount", "GetAccount", "GenerateLoginToken"] as const;
export type MouseStatsOperation = (typeof MOUSESTATS_OPERATIONS)[number];

/** Why a reply was refused although the HTTP exchange itself succeeded. */
export const UNEXPECTED_REPLY_REASONS = [
  "html-page",
  "empty-body",
  "invalid-json",
  "invalid-fields",
  "invalid-token",
] as const;
export type MouseStatsUnexpectedReplyReason = (typeof UNEXPECTED_REPLY_REASONS)[number];

interface MouseStatsErrorOptions {
  operation: MouseStatsOperation;
  cause?: unknown;
}

/**
 * Base of every MouseStats failure. Messages and causes never carry the partner secret,
 * the user's password or a request URL (the URL holds both).
 */
export class MouseStatsError extends Error {
  readonly operation: MouseStatsOperation;

  constructor(message: string, options: MouseStatsErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MouseStatsError";
    this.operation = options.operation;
  }
}

/** The API answered the raw text `permission-denied` (wrong credentials or unknown user). */
export class MouseStatsPermissionDeniedError extends MouseStatsError {
  readonly status: number;

  constructor(options: MouseStatsErrorOptions & { status: number }) {
    super(`MouseStats ${options.operation} answered permission-denied with HTTP ${options.status}`, options);
    this.name = "MouseStatsPermissionDeniedError";
    this.status = options.status;
  }
}

/** A non-2xx HTTP status. `retryAfterMs` comes from a `Retry-After` header when present. */
export class MouseStatsHttpError extends MouseStatsError {
  readonly status: number;
  readonly retryAfterMs: number | undefined;

  constructor(options: MouseStatsErrorOptions & { status: number; retryAfterMs?: number }) {
    super(`MouseStats ${options.operation} failed with HTTP ${options.status}`, options);
    this.name = "MouseStatsHttpError";
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** No complete reply within `timeoutMs`. */
export class MouseStatsTimeoutError extends MouseStatsError {
  readonly timeoutMs: number;

  constructor(options: MouseStatsErrorOptions & { timeoutMs: number }) {
    super(`MouseStats ${options.operation} timed out after ${options.timeoutMs} ms`, options);
    this.name = "MouseStatsTimeoutError";
    this.timeoutMs = options.timeoutMs;
  }
}

/** The request could not be sent or the connection broke (DNS, refused, reset). */
export class MouseStatsNetworkError extends MouseStatsError {
  constructor(options: MouseStatsErrorOptions & { detail: string }) {
    super(`MouseStats ${options.operation} network error: ${options.detail}`, options);
    this.name = "MouseStatsNetworkError";
  }
}

/** HTTP 2xx, but the body is not what the document describes (HTML, empty, bad JSON, …). */
export class MouseStatsUnexpectedReplyError extends MouseStatsError {
  readonly reason: MouseStatsUnexpectedReplyReason;
  readonly status: number;

  constructor(
    options: MouseStatsErrorOptions & {
      reason: MouseStatsUnexpectedReplyReason;
      status: number;
      detail?: string;
    },
  ) {
    const { operation, status, reason } = options;
    const detail = options.detail === undefined ? "" : ` (${options.detail})`;
    super(`MouseStats ${operation} gave an unexpected reply with HTTP ${status}: ${reason}${detail}`, options);
    this.name = "MouseStatsUnexpectedReplyError";
    this.reason = options.reason;
    this.status = options.status;
  }
}

/** An argument the client refuses before any request is sent (e.g. `validHours` 25). */
export class MouseStatsInvalidArgumentError extends MouseStatsError {
  readonly argument: string;

  constructor(options: MouseStatsErrorOptions & { argument: string; detail: string }) {
    super(`MouseStats ${options.operation}: invalid ${options.argument}: ${options.detail}`, options);
    this.name = "MouseStatsInvalidArgumentError";
    this.argument = options.argument;
  }
}

/** True when trying again later may succeed: timeouts, network errors, HTTP 5xx and 429. */
export function isRetriableMouseStatsError(err: unknown): boolean {
  if (err instanceof MouseStatsTimeoutError || err instanceof MouseStatsNetworkError) return true;
  if (err instanceof MouseStatsHttpError) return err.status >= 500 || err.status === 429;
  return false;
}
